"""电子证照: certificate types, issued certificates (signed PDF + SM2 signature), and the holder's
time-limited share links (授权用证) with their use log."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from onevisit.core.fields import EncryptedJSONField

FIELD_KEY = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


def _english() -> bool:
    return (translation.get_language() or "").startswith("en")


def field_label(field: dict[str, Any]) -> str:
    """The label of a type's field in the current language (Chinese when no English label is set)."""
    if _english() and field.get("label_en"):
        return str(field["label_en"])
    return str(field.get("label") or field.get("key") or "")


def type_fields_problems(fields: Any, distinct_by: Any = ()) -> list[str]:
    """Everything wrong with a type's ``fields`` list (and ``distinct_by`` keys), in words."""
    if not isinstance(fields, list) or not fields:
        return [str(_('List the fields as JSON, e.g. [{"key": "name", "label": "名称", "public": true}].'))]
    problems: list[str] = []
    seen: set[str] = set()
    for n, field in enumerate(fields, start=1):
        if not isinstance(field, dict):
            problems.append(str(_("Field %(n)s is not an object.") % {"n": n}))
            continue
        key = field.get("key")
        if not isinstance(key, str) or not FIELD_KEY.match(key):
            problems.append(
                str(
                    _("Field %(n)s needs a key of small letters, digits and _ (at most 40), e.g. legal_name.")
                    % {"n": n}
                )
            )
        elif key in seen:
            problems.append(str(_("The key %(key)s is used twice.") % {"key": key}))
        else:
            seen.add(key)
        if not isinstance(field.get("label"), str) or not field["label"].strip():
            problems.append(str(_("Field %(n)s needs a label (the Chinese name printed).") % {"n": n}))
        for flag in ("public", "identifier", "required"):
            if flag in field and not isinstance(field[flag], bool):
                problems.append(
                    str(_("Field %(n)s: %(flag)s must be true or false.") % {"n": n, "flag": flag})
                )
        if field.get("public") and field.get("identifier"):
            problems.append(
                str(_("Field %(n)s is an identifier; it may not be shown on the public page.") % {"n": n})
            )
    if not isinstance(distinct_by, list | tuple) or any(k not in seen for k in distinct_by):
        problems.append(str(_("“Distinct by” may only list keys of the fields.")))
    return problems


class CertificateType(models.Model):
    """证照类型: what a certificate holds, which of it is public, and how long it is valid."""

    code = models.SlugField(
        _("code"), max_length=50, unique=True, help_text=_("Stable code, e.g. business_licence.")
    )
    name = models.CharField(_("name"), max_length=60, help_text=_("Chinese name, e.g. 营业执照."))
    name_en = models.CharField(_("English name"), max_length=120, blank=True)
    title = models.CharField(
        _("title printed"), max_length=60, help_text=_("The title printed on the certificate (PDF).")
    )
    abbreviation = models.CharField(
        _("number abbreviation"),
        max_length=6,
        unique=True,
        validators=[RegexValidator(r"^[A-Z]{2,6}$", _("Use 2 to 6 capital letters, e.g. YYZZ."))],
        help_text=_("2–6 capital letters inside every certificate number of this type, e.g. YYZZ."),
    )
    fields = models.JSONField(
        _("fields"),
        default=list,
        help_text=_(
            'JSON list of {"key", "label", "label_en", "public", "identifier", "required"}: public fields '
            "may be shown on the verification page; identifiers (ID numbers) are masked on screen."
        ),
    )
    distinct_by = models.JSONField(
        _("distinct by"),
        default=list,
        blank=True,
        help_text=_(
            "Keys whose values tell a holder's parallel certificates apart (e.g. the address of a property). "
            "A new certificate supersedes the holder's valid one with the same values; empty: one per holder."
        ),
    )
    validity_years = models.PositiveSmallIntegerField(
        _("validity (years)"), null=True, blank=True, help_text=_("Empty means long-term (长期有效).")
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("certificate type")
        verbose_name_plural = _("certificate types")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        problems = type_fields_problems(self.fields, self.distinct_by)
        if problems:
            raise ValidationError({"fields": problems})

    @property
    def display_name(self) -> str:
        return self.name_en if _english() and self.name_en else self.name

    @property
    def field_keys(self) -> list[str]:
        return [f["key"] for f in self.fields]

    @property
    def public_fields(self) -> list[dict[str, Any]]:
        return [f for f in self.fields if f.get("public") and not f.get("identifier")]


class CertificateStatus(models.TextChoices):
    VALID = "valid", _("Valid")
    REVOKED = "revoked", _("Revoked")
    SUPERSEDED = "superseded", _("Superseded by a new version")
    EXPIRED = "expired", _("Expired")


def _pdf_path(instance: Certificate, filename: str) -> str:
    # Stored names never come from outside; the random part keeps an old file if a number is reused
    # after a rolled-back issuance.
    return f"certificates/{instance.issued_at:%Y}/{filename}"


class Certificate(models.Model):
    """电子证照: one issued certificate of one holder (a person or an organization, never both)."""

    Status = CertificateStatus

    number = models.CharField(_("certificate number"), max_length=40, unique=True)
    type = models.ForeignKey(
        CertificateType, on_delete=models.PROTECT, related_name="certificates", verbose_name=_("type")
    )
    holder_person = models.ForeignKey(
        "identity.Person",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="certificates",
        verbose_name=_("holder (person)"),
    )
    holder_org = models.ForeignKey(
        "identity.Organization",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="certificates",
        verbose_name=_("holder (organization)"),
    )
    data = EncryptedJSONField(_("data"), default=dict, help_text="Encrypted at rest: it holds ID numbers.")
    series = models.CharField(
        max_length=64,
        blank=True,
        editable=False,
        help_text="Keyed hash of the type's distinct_by values: certificates of one series supersede each other.",
    )
    issuer = models.ForeignKey(
        "org.Department", on_delete=models.PROTECT, related_name="certificates", verbose_name=_("issuer")
    )
    issued_at = models.DateTimeField(_("issued at"), default=timezone.now)
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True, help_text=_("Empty: long-term."))
    status = models.CharField(
        _("status"), max_length=12, choices=CertificateStatus.choices, default=CertificateStatus.VALID
    )
    provisional = models.BooleanField(
        _("provisional"), default=False, help_text=_("Issued before all materials were supplied (容缺).")
    )
    supersedes = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="superseded_by",
        verbose_name=_("supersedes"),
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_reason = models.CharField(_("reason for revocation"), max_length=500, blank=True)
    case_number = models.CharField(
        _("case number"), max_length=40, blank=True, help_text=_("The case this certificate was issued for.")
    )
    pdf = models.FileField(_("signed PDF"), upload_to=_pdf_path, max_length=200, blank=True)
    pdf_sha256 = models.CharField(_("SHA-256 of the PDF"), max_length=64, blank=True)
    signer_fingerprint = models.CharField(
        _("signing certificate (SHA-256)"),
        max_length=64,
        blank=True,
        help_text="Of the PAdES signer's X.509.",
    )
    sm2_signature = models.CharField(_("SM2 signature"), max_length=256, blank=True)
    sm2_public_key = models.CharField(
        _("SM2 public key"), max_length=130, blank=True, help_text="X‖Y in hex, of the issuing department."
    )

    class Meta:
        ordering = ["-issued_at", "-pk"]
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        permissions = [("revoke_certificate", "Can revoke a certificate")]
        constraints = [
            models.CheckConstraint(
                condition=Q(holder_person__isnull=False, holder_org__isnull=True)
                | Q(holder_person__isnull=True, holder_org__isnull=False),
                name="certificate_exactly_one_holder",
            ),
            models.UniqueConstraint(
                fields=["case_number", "type"],
                condition=~Q(case_number=""),
                name="certificate_one_per_case_and_type",
            ),
            models.UniqueConstraint(
                fields=["type", "holder_person", "series"],
                condition=Q(status="valid", holder_person__isnull=False),
                name="certificate_one_valid_per_person_series",
            ),
            models.UniqueConstraint(
                fields=["type", "holder_org", "series"],
                condition=Q(status="valid", holder_org__isnull=False),
                name="certificate_one_valid_per_org_series",
            ),
        ]
        indexes = [models.Index(fields=["status", "valid_until"], name="certificate_expiry")]

    def __str__(self) -> str:
        return f"{self.type.name} {self.number}"

    @property
    def holder(self) -> Any:
        return self.holder_person or self.holder_org

    @property
    def holder_name(self) -> str:
        holder = self.holder
        return holder.name if holder is not None else ""

    def status_on(self, day: dt.date | None = None) -> str:
        """The status as the public reads it: a valid certificate past its last day is expired even
        before the nightly sweep has marked it."""
        day = day or timezone.localdate()
        if self.status == CertificateStatus.VALID and self.valid_until is not None and self.valid_until < day:
            return CertificateStatus.EXPIRED.value
        return str(self.status)

    def status_label(self, day: dt.date | None = None) -> str:
        return str(CertificateStatus(self.status_on(day)).label)


class CertificateCounter(models.Model):
    """The last sequence number of a region, type and year (gaps are tolerated, duplicates never)."""

    prefix = models.CharField(max_length=20, unique=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.prefix} #{self.last}"


class ShareLink(models.Model):
    """授权用证: the holder lets a third party see the certificate through a link until it expires.

    Only a SHA-256 of the link's token is stored; the token is shown once, in the link."""

    certificate = models.ForeignKey(
        Certificate, on_delete=models.CASCADE, related_name="share_links", verbose_name=_("certificate")
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    purpose = models.CharField(_("purpose"), max_length=200)
    recipient = models.CharField(_("recipient"), max_length=100, blank=True)
    created_by = models.ForeignKey(
        "identity.ApplicantAccount", on_delete=models.PROTECT, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"))
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("share link")
        verbose_name_plural = _("share links")

    def __str__(self) -> str:
        return f"{self.certificate.number} → {self.purpose}"

    def is_active(self, now: dt.datetime | None = None) -> bool:
        return self.revoked_at is None and self.expires_at > (now or timezone.now())

    @property
    def state(self) -> str:
        if self.revoked_at is not None:
            return "revoked"
        return "active" if self.is_active() else "expired"


class ShareUse(models.Model):
    """One opening of a share link (the page or the PDF), shown to the holder."""

    class Action(models.TextChoices):
        VIEW = "view", _("Viewed")
        DOWNLOAD = "download", _("Downloaded the PDF")

    link = models.ForeignKey(ShareLink, on_delete=models.CASCADE, related_name="uses", verbose_name=_("link"))
    at = models.DateTimeField(_("at"), auto_now_add=True)
    action = models.CharField(_("action"), max_length=10, choices=Action.choices, default=Action.VIEW)
    ip = models.CharField(_("network address (shortened)"), max_length=45, blank=True)
    user_agent = models.CharField(_("browser"), max_length=300, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("share link use")
        verbose_name_plural = _("share link uses")

    def __str__(self) -> str:
        return f"{self.link_id} {self.action} {self.at:%Y-%m-%d %H:%M}"
