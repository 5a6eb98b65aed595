"""一件事: several items that one life or business event needs, applied for once."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from .items import ServiceItem
from .powers import Audience, LifeEvent


class Bundle(models.Model):
    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=80)
    audience = models.CharField(_("audience"), max_length=20, choices=Audience.choices)
    life_event = models.ForeignKey(
        LifeEvent,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="bundles",
        verbose_name=_("life event"),
    )
    summary = models.TextField(_("summary"), blank=True)
    promised_limit_days = models.PositiveIntegerField(
        _("promised limit (working days)"), null=True, blank=True
    )
    statutory_limit_days = models.PositiveIntegerField(
        _("statutory limit (working days)"),
        default=45,
        help_text=_("Joint handling: 45, extendable by 15 (Art. 42)."),
    )
    statutory_extension_days = models.PositiveIntegerField(
        _("statutory extension (working days)"), default=15
    )
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.DRAFT)
    source_note = models.TextField(_("source note"), blank=True)

    class Meta:
        ordering = ["audience", "code"]
        verbose_name = _("bundle (一件事)")
        verbose_name_plural = _("bundles (一件事)")

    def __str__(self) -> str:
        return self.name


class BundleItem(models.Model):
    bundle = models.ForeignKey(Bundle, on_delete=models.CASCADE, related_name="members")
    item = models.ForeignKey(ServiceItem, on_delete=models.PROTECT, related_name="bundle_memberships")
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    depends_on = models.ManyToManyField(
        "self",
        symmetrical=False,
        blank=True,
        related_name="dependents",
        verbose_name=_("needs the result of"),
    )

    class Meta:
        ordering = ["bundle", "order", "id"]
        unique_together = [("bundle", "item")]
        verbose_name = _("bundle item")
        verbose_name_plural = _("bundle items")

    def __str__(self) -> str:
        return f"{self.bundle.name}: {self.item.name}"
