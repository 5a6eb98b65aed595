"""权力清单 and 责任清单, and the life events that group services for the public."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Audience(models.TextChoices):
    PERSON = "person", _("Individuals (个人办事)")
    ORGANIZATION = "organization", _("Businesses and organisations (法人办事)")


class Power(models.Model):
    """权力事项: one power of a department, in one of the 10 statutory kinds."""

    class Kind(models.TextChoices):
        LICENSING = "licensing", _("Administrative licensing (行政许可)")
        PENALTY = "penalty", _("Administrative penalty (行政处罚)")
        ENFORCEMENT = "enforcement", _("Administrative enforcement (行政强制)")
        LEVY = "levy", _("Administrative levy (行政征收)")
        BENEFIT = "benefit", _("Administrative benefit (行政给付)")
        INSPECTION = "inspection", _("Administrative inspection (行政检查)")
        CONFIRMATION = "confirmation", _("Administrative confirmation (行政确认)")
        REWARD = "reward", _("Administrative reward (行政奖励)")
        ADJUDICATION = "adjudication", _("Administrative adjudication (行政裁决)")
        OTHER = "other", _("Other powers (其他行政权力)")
        PUBLIC_SERVICE = "public_service", _("Public service (公共服务)")

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    department = models.ForeignKey(
        "org.Department",
        on_delete=models.PROTECT,
        related_name="powers",
        verbose_name=_("responsible department"),
    )
    legal_basis = models.TextField(_("legal basis"), help_text=_("Law and article, one per line."))
    is_active = models.BooleanField(_("in force"), default=True)

    class Meta:
        ordering = ["department__code", "code"]
        verbose_name = _("power")
        verbose_name_plural = _("powers (权力清单)")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Responsibility(models.Model):
    """责任事项: what the department must do when exercising a power, and what it answers for."""

    power = models.ForeignKey(Power, on_delete=models.CASCADE, related_name="responsibilities")
    duty = models.TextField(_("duty"))
    accountability = models.TextField(_("accountability basis"), blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["power", "order", "id"]
        verbose_name = _("responsibility")
        verbose_name_plural = _("responsibilities (责任清单)")

    def __str__(self) -> str:
        return self.duty[:40]


class LifeEvent(models.Model):
    """主题服务: a life or business event (出生, 退休, 开办…) that groups items for the public."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=20)
    name_en = models.CharField(_("English name"), max_length=40, blank=True)
    audience = models.CharField(_("audience"), max_length=20, choices=Audience.choices)
    icon = models.CharField(_("icon"), max_length=8, blank=True, help_text=_("A short emoji or symbol."))
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["audience", "order", "code"]
        verbose_name = _("life event")
        verbose_name_plural = _("life events")

    def __str__(self) -> str:
        return self.name
