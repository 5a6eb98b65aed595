"""Applicants: persons (自然人) and organizations (法人). ID numbers are encrypted at rest."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from onevisit.core import crypto


class Person(models.Model):
    """自然人. The 居民身份证 number is stored encrypted, with a keyed hash to find it."""

    name = models.CharField(_("name"), max_length=60)
    id_number_encrypted = models.TextField(_("ID number (encrypted)"), editable=False)
    id_number_hash = models.CharField(max_length=64, unique=True, editable=False)
    phone_encrypted = models.TextField(_("phone (encrypted)"), blank=True, editable=False)
    region = models.ForeignKey(
        "org.Region", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="person"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("persons")

    def __str__(self) -> str:
        return f"{self.name} ({self.id_number_masked})"

    @property
    def id_number_masked(self) -> str:
        return crypto.mask(crypto.decrypt(self.id_number_encrypted), 6, 4)


class Organization(models.Model):
    """法人 or other organization, identified by its 统一社会信用代码 (USCC)."""

    name = models.CharField(_("name"), max_length=120)
    uscc_encrypted = models.TextField(_("USCC (encrypted)"), editable=False)
    uscc_hash = models.CharField(max_length=64, unique=True, editable=False)
    legal_representative = models.CharField(_("legal representative"), max_length=60, blank=True)
    region = models.ForeignKey(
        "org.Region", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")

    def __str__(self) -> str:
        return f"{self.name} ({self.uscc_masked})"

    @property
    def uscc_masked(self) -> str:
        return crypto.mask(crypto.decrypt(self.uscc_encrypted), 4, 4)
