"""Regions (GB/T 2260), departments, service centres, windows, and staff roles."""

from __future__ import annotations

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

REGION_CODE = re.compile(r"^\d{6}(\d{3})?$")


class Region(models.Model):
    """行政区划: 6-digit GB/T 2260 code, or 9 digits for a township (乡镇/街道)."""

    class Level(models.IntegerChoices):
        NATION = 1, _("Nation")
        PROVINCE = 2, _("Province")
        CITY = 3, _("City")
        COUNTY = 4, _("County / district")
        TOWNSHIP = 5, _("Township / sub-district")

    code = models.CharField(
        _("code"), max_length=9, unique=True, help_text=_("GB/T 2260 code (9 digits for townships).")
    )
    name = models.CharField(_("name"), max_length=60)
    level = models.PositiveSmallIntegerField(_("level"), choices=Level.choices)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name=_("parent"),
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        region_clean(code=self.code, level=self.level, parent=self.parent)

    def ancestors(self) -> list[Region]:
        chain: list[Region] = []
        node = self.parent
        while node is not None:
            chain.append(node)
            node = node.parent
        return chain


def region_clean(*, code: str, level: int, parent: Region | None) -> None:
    errors: dict[str, str] = {}
    if not REGION_CODE.match(code or ""):
        errors["code"] = str(_("A region code has 6 digits (9 for a township), e.g. 330106."))
    elif level == Region.Level.TOWNSHIP and len(code) != 9:
        errors["code"] = str(_("A township code has 9 digits: its county's 6 digits and 3 more."))
    elif level != Region.Level.TOWNSHIP and len(code) != 6:
        errors["code"] = str(_("Only townships have 9-digit codes."))
    if parent is not None and parent.level >= level:
        errors["parent"] = str(_("The parent must be on a higher level."))
    if parent is not None and not errors.get("code"):
        prefix = {Region.Level.CITY: 2, Region.Level.COUNTY: 4, Region.Level.TOWNSHIP: 6}.get(
            Region.Level(level), 0
        )
        if prefix and code[:prefix] != parent.code[:prefix]:
            errors["code"] = str(_("The code must start with its parent's code (%(prefix)s).")) % {
                "prefix": parent.code[:prefix]
            }
    if errors:
        raise ValidationError(errors)


class Department(models.Model):
    """部门: a government department of one region; may be a 行政审批局 holding others' powers."""

    code = models.CharField(
        _("code"), max_length=40, unique=True, help_text=_("Stable code; BPMN lanes name departments by it.")
    )
    name = models.CharField(_("name"), max_length=80)
    short_name = models.CharField(_("short name"), max_length=40, blank=True)
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="departments", verbose_name=_("region")
    )
    is_approval_bureau = models.BooleanField(_("administrative approval bureau (行政审批局)"), default=False)
    address = models.CharField(_("address"), max_length=200, blank=True)
    hours = models.CharField(_("office hours"), max_length=200, blank=True)
    phone = models.CharField(_("enquiry phone"), max_length=40, blank=True)
    complaint_phone = models.CharField(_("complaint phone"), max_length=40, blank=True)
    website = models.CharField(_("website"), max_length=200, blank=True)
    order = models.PositiveIntegerField(_("order"), default=100)

    class Meta:
        ordering = ["region__code", "order", "code"]
        verbose_name = _("department")
        verbose_name_plural = _("departments")

    def __str__(self) -> str:
        return f"{self.region.name}{self.name}" if self.region_id else self.name

    @property
    def full_name(self) -> str:
        return f"{self.region.name}{self.name}"


class ServiceCenter(models.Model):
    """政务服务中心."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="centers", verbose_name=_("region")
    )
    address = models.CharField(_("address"), max_length=200)
    hours = models.CharField(_("opening hours"), max_length=200)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    transport = models.CharField(_("how to get there"), max_length=200, blank=True)

    class Meta:
        ordering = ["region__code", "code"]
        verbose_name = _("service centre")
        verbose_name_plural = _("service centres")

    def __str__(self) -> str:
        return self.name


class Window(models.Model):
    """窗口: a 综合窗口 takes in any item of the centre; a 专窗 only its departments'."""

    class Kind(models.TextChoices):
        GENERAL = "general", _("General window (综合窗口)")
        SPECIAL = "special", _("Dedicated window (专窗)")
        HELP = "help", _("Assisted service (帮办代办)")

    center = models.ForeignKey(ServiceCenter, on_delete=models.CASCADE, related_name="windows")
    number = models.CharField(_("number"), max_length=10)
    name = models.CharField(_("name"), max_length=60)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.GENERAL)
    departments = models.ManyToManyField(Department, blank=True, related_name="windows")

    class Meta:
        ordering = ["center", "number"]
        unique_together = [("center", "number")]
        verbose_name = _("window")
        verbose_name_plural = _("windows")

    def __str__(self) -> str:
        return f"{self.center.name} {self.number} {self.name}"


class Role(models.TextChoices):
    CLERK = "clerk", _("Counter clerk (综合窗口人员)")
    OFFICER = "officer", _("Officer (审批人员)")
    APPROVER = "approver", _("Approver (负责人)")
    SUPERVISOR = "supervisor", _("Supervisor (督查)")
    CATALOG_ADMIN = "catalog_admin", _("Catalogue admin (事项管理员)")
    DATA_STEWARD = "data_steward", _("Data steward (数据管理员)")
    ANALYST = "analyst", _("Analyst (领导/分析人员)")
    EVALUATOR = "evaluator", _("Evaluator (第三方评估)")


class StaffRole(models.Model):
    """A staff user's role in one department (or, for centre-wide roles, in the department's region)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_roles")
    department = models.ForeignKey(Department, on_delete=models.CASCADE, related_name="staff_roles")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    center = models.ForeignKey(
        ServiceCenter,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="staff_roles",
        verbose_name=_("service centre"),
        help_text=_("Where a counter clerk works; a clerk sees only the cases taken in there."),
    )

    class Meta:
        unique_together = [("user", "department", "role")]
        verbose_name = _("staff role")
        verbose_name_plural = _("staff roles")

    def __str__(self) -> str:
        return f"{self.user} · {self.department} · {self.get_role_display()}"


class ServiceToken(models.Model):
    """A machine client's key to the API (another department's system), limited to one department and
    to its scopes. Only a hash of the key is stored; the key is shown once, when it is created."""

    class Scope(models.TextChoices):
        WORK_ITEMS_READ = "work_items:read", _("Read the department's work items")
        WORK_ITEMS_WRITE = "work_items:write", _("Claim and complete the department's work items")
        CASES_READ = "cases:read", _("Read the department's cases")
        CREDIT_READ = "credit:read", _("Read the credit records of applicants")
        CREDIT_WRITE = "credit:write", _("Add credit records and repair the department's own")
        INDICATORS_READ = "indicators:read", _("Read the indicators (aggregates only, no personal data)")

    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="service_tokens", verbose_name=_("department")
    )
    name = models.CharField(_("name"), max_length=80, help_text=_("Which system uses the token."))
    prefix = models.CharField(
        _("key prefix"), max_length=12, editable=False, help_text=_("The key's first characters.")
    )
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    scopes = models.JSONField(_("scopes"), default=list, help_text=_("What the token may do."))
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="service_token",
        editable=False,
        help_text=_("The staff user (without a password) that acts for the token."),
    )
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True, editable=False)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["department", "name"]
        verbose_name = _("service token")
        verbose_name_plural = _("service tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
