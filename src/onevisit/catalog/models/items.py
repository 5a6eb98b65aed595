"""Service items (政务服务事项) and their immutable versions with materials, form, process and rules."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from .powers import Audience, LifeEvent, Power

POST_CHECK_RATIO_MIN, POST_CHECK_RATIO_MAX = 1, 100
RATIO_MESSAGE = _("The post-check ratio must be a whole number of percent from 1 to 100.")


class ItemKind(models.TextChoices):
    IMMEDIATE = "immediate", _("Immediate (即办件)")
    PROMISED = "promised", _("Promised (承诺件)")


class Channel(models.TextChoices):
    ONLINE = "online", _("Online (网上办)")
    MOBILE = "mobile", _("Mobile (掌上办)")
    COUNTER = "counter", _("At a counter (窗口办)")
    KIOSK = "kiosk", _("Self-service kiosk (自助办)")
    CROSS_REGION = "cross_region", _("Cross-region (跨域通办)")


class ServiceItem(models.Model):
    """政务服务事项: the stable identity of an item across its versions."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("In force")
        SUSPENDED = "suspended", _("Suspended")
        CANCELLED = "cancelled", _("Cancelled (取消)")
        DELEGATED = "delegated", _("Delegated to a lower level (下放)")
        MERGED = "merged", _("Merged (合并)")

    code = models.CharField(_("catalogue code"), max_length=40, unique=True)
    name = models.CharField(
        _("name"), max_length=120, help_text=_("The name of the current published version.")
    )
    department = models.ForeignKey(
        "org.Department", on_delete=models.PROTECT, related_name="items", verbose_name=_("department")
    )
    power = models.ForeignKey(
        Power, null=True, blank=True, on_delete=models.PROTECT, related_name="items", verbose_name=_("power")
    )
    audience = models.CharField(_("audience"), max_length=20, choices=Audience.choices)
    life_events = models.ManyToManyField(
        LifeEvent, blank=True, related_name="items", verbose_name=_("life events")
    )
    keywords = models.TextField(
        _("keywords and synonyms"),
        blank=True,
        help_text=_(
            "Everyday words people use for this item, separated by spaces or commas (开饭店, 生孩子)."
        ),
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.ACTIVE)
    successor = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="predecessors",
        verbose_name=_("successor"),
    )
    is_popular = models.BooleanField(_("popular (热门服务)"), default=False)
    current_version = models.OneToOneField(
        "ItemVersion", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("service item")
        verbose_name_plural = _("service items")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class ItemVersion(models.Model):
    """One version of an item. A published version is never edited; a change is a new version."""

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        SUPERSEDED = "superseded", _("Superseded")

    item = models.ForeignKey(ServiceItem, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    state = models.CharField(
        _("state"), max_length=12, choices=State.choices, default=State.DRAFT, editable=False
    )
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=10, choices=ItemKind.choices)
    summary = models.TextField(
        _("summary"), blank=True, help_text=_("One or two plain sentences for the public.")
    )
    legal_basis = models.JSONField(
        _("legal basis"), default=list, blank=True, help_text=_('A list of {"law": …, "article": …}.')
    )
    conditions = models.TextField(_("conditions"), blank=True)
    statutory_limit_days = models.PositiveIntegerField(
        _("statutory limit (working days)"), null=True, blank=True
    )
    statutory_limit_note = models.CharField(_("statutory limit note"), max_length=300, blank=True)
    promised_limit_days = models.PositiveIntegerField(
        _("promised limit (working days)"), null=True, blank=True
    )
    visits = models.PositiveSmallIntegerField(_("in-person visits needed"), default=0)
    fees = models.JSONField(
        _("fees"),
        default=list,
        blank=True,
        help_text=_('A list of {"name", "amount", "basis"}; empty = free.'),
    )
    fee_note = models.CharField(_("fee note"), max_length=300, blank=True)
    channels = models.JSONField(_("channels"), default=list, blank=True)
    location = models.CharField(_("where to go"), max_length=300, blank=True)
    hours = models.CharField(_("when"), max_length=200, blank=True)
    consult_phone = models.CharField(_("enquiries"), max_length=60, blank=True)
    complaint_phone = models.CharField(_("complaints"), max_length=60, blank=True)
    faq = models.JSONField(_("frequently asked questions"), default=list, blank=True)
    source_note = models.TextField(
        _("source note"), blank=True, help_text=_("Where the facts come from; say 未核实 where unverified.")
    )
    change_note = models.CharField(_("what changed"), max_length=300, blank=True)
    certificate_type = models.CharField(
        _("certificate issued"),
        max_length=60,
        blank=True,
        help_text=_("Code of the electronic certificate type issued on approval (电子证照), if any."),
    )
    provisional_certificate = models.BooleanField(
        _("provisional certificate while materials are missing (容缺)"),
        default=False,
        help_text=_(
            "Issue the certificate marked provisional while materials accepted as missing are still "
            "to come; otherwise no certificate until they are all supplied."
        ),
    )
    commitment_text = models.TextField(
        _("commitment text (告知承诺书)"),
        blank=True,
        help_text=_(
            "What the applicant would otherwise have to prove and what a false commitment costs. "
            "Materials marked replaceable by a commitment may be replaced only when this is filled in."
        ),
    )
    commitment_high_risk = models.BooleanField(
        _("high risk: no commitment (告知承诺)"),
        default=False,
        help_text=_("A high-risk item never takes a commitment instead of proof."),
    )
    post_check_ratio = models.SmallIntegerField(
        _("post-check ratio (percent)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(POST_CHECK_RATIO_MIN), MaxValueValidator(POST_CHECK_RATIO_MAX)],
        error_messages={"min_value": RATIO_MESSAGE, "max_value": RATIO_MESSAGE, "invalid": RATIO_MESSAGE},
        help_text=_(
            "Share of the approvals on commitment (告知承诺) drawn for a post-check (事后核查), a whole "
            "number of percent from 1 to 100. Empty: the platform's default."
        ),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True, editable=False)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )

    class Meta:
        ordering = ["item", "-number"]
        unique_together = [("item", "number")]
        verbose_name = _("item version")
        verbose_name_plural = _("item versions")

    def __str__(self) -> str:
        return f"{self.item.code} v{self.number} {self.name}"

    @property
    def is_editable(self) -> bool:
        return self.state == self.State.DRAFT

    @property
    def online(self) -> bool:
        return Channel.ONLINE in self.channels or Channel.MOBILE in self.channels


class MaterialRequirement(models.Model):
    """申请材料: what the applicant supplies, and what may replace it."""

    class Form(models.TextChoices):
        ORIGINAL = "original", _("Original (原件)")
        COPY = "copy", _("Copy (复印件)")
        ORIGINAL_AND_COPY = "original_and_copy", _("Original and copy (原件和复印件)")
        ELECTRONIC = "electronic", _("Electronic (电子材料)")

    version = models.ForeignKey(ItemVersion, on_delete=models.CASCADE, related_name="materials")
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    code = models.SlugField(
        _("code"), max_length=60, help_text=_("Material kind; bundles merge materials by it.")
    )
    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    form = models.CharField(_("form"), max_length=20, choices=Form.choices, default=Form.ELECTRONIC)
    copies = models.PositiveSmallIntegerField(_("copies"), default=1)
    issuer = models.CharField(_("issued by"), max_length=120, blank=True)
    required = models.BooleanField(_("required"), default=True)
    tolerable = models.BooleanField(_("may be supplied later (容缺)"), default=False)
    commitment_replaceable = models.BooleanField(_("replaceable by a commitment (告知承诺)"), default=False)
    shared_data = models.CharField(
        _("satisfied by shared data"),
        max_length=120,
        blank=True,
        help_text=_("Code of the data resource that makes the material unnecessary (免提交)."),
    )
    certificate_type = models.CharField(
        _("satisfied by certificate type"),
        max_length=60,
        blank=True,
        help_text=_("Code of an electronic certificate type."),
    )

    class Meta:
        ordering = ["version", "order", "id"]
        unique_together = [("version", "code")]
        verbose_name = _("material requirement")
        verbose_name_plural = _("materials")

    def __str__(self) -> str:
        return self.name

    @property
    def skippable(self) -> bool:
        """Data may stand in for it (免提交); whether it does is decided per applicant when applying."""
        return bool(self.shared_data or self.certificate_type)

    @property
    def shared_data_name(self) -> str:
        from onevisit.exchange.models import DataResource

        resource = DataResource.objects.filter(code=self.shared_data).only("name").first()
        return resource.name if resource is not None else self.shared_data

    @property
    def certificate_type_name(self) -> str:
        from onevisit.certificates.models import CertificateType

        kind = CertificateType.objects.filter(code=self.certificate_type).only("name").first()
        return kind.name if kind is not None else self.certificate_type


class FormSchema(models.Model):
    """申请表: a JSON Schema whose fields carry a data-element key (x-data-element)."""

    version = models.OneToOneField(ItemVersion, on_delete=models.CASCADE, related_name="form")
    schema = models.JSONField(_("JSON Schema"))

    class Meta:
        verbose_name = _("application form")
        verbose_name_plural = _("application forms")

    def __str__(self) -> str:
        return f"{self.version} form"


class ProcessDefinition(models.Model):
    """办理流程: a BPMN 2.0 document; each lane names a department by its code."""

    version = models.OneToOneField(ItemVersion, on_delete=models.CASCADE, related_name="process")
    bpmn_xml = models.TextField(_("BPMN 2.0 XML"))
    process_id = models.CharField(_("process id"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("process definition")
        verbose_name_plural = _("process definitions")

    def __str__(self) -> str:
        return f"{self.version} process"


class RuleDefinition(models.Model):
    """审批规则: a DMN 1.3 decision table (used by 秒批)."""

    version = models.OneToOneField(ItemVersion, on_delete=models.CASCADE, related_name="rules")
    dmn_xml = models.TextField(_("DMN XML"))
    decision_id = models.CharField(_("decision id"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("rule definition")
        verbose_name_plural = _("rule definitions")

    def __str__(self) -> str:
        return f"{self.version} rules"


class ItemChange(models.Model):
    """The public change history of an item: 新增, 调整, 取消, 下放, 合并."""

    class Kind(models.TextChoices):
        CREATED = "created", _("Created (新增)")
        ADJUSTED = "adjusted", _("Adjusted (调整)")
        CANCELLED = "cancelled", _("Cancelled (取消)")
        DELEGATED = "delegated", _("Delegated (下放)")
        MERGED = "merged", _("Merged (合并)")
        SUSPENDED = "suspended", _("Suspended (暂停)")
        RESUMED = "resumed", _("Resumed (恢复)")

    item = models.ForeignKey(ServiceItem, on_delete=models.CASCADE, related_name="changes")
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    date = models.DateField(_("date"))
    reason = models.TextField(_("reason"))
    successor = models.ForeignKey(
        ServiceItem,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("successor"),
    )
    version = models.ForeignKey(
        ItemVersion, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["item", "-date", "-id"]
        verbose_name = _("item change")
        verbose_name_plural = _("item change history")

    def __str__(self) -> str:
        return f"{self.item.code} {self.get_kind_display()} {self.date}"
