"""数据共享: what data departments hold, who may use it, and every use of personal data.

A ``DataResource`` is an entry of the data catalogue (数据资源目录) held by a provider department,
with a sharing class. ``SharingAgreement`` lets a consumer department use a 有条件共享 resource for
a stated purpose. ``DataRecord`` is the demo stand-in for a provider's registry (population,
marriage, social security…): one row per subject, looked up by the same keyed hash as identity.
``DataAccess`` (用数记录) is written for every read of a person's or organization's data by
someone else — a shared-data lookup, a staff member opening a case — and shown to that person.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from onevisit.core.fields import EncryptedJSONField


class SharingClass(models.TextChoices):
    UNCONDITIONAL = "unconditional", _("Shared unconditionally (无条件共享)")
    CONDITIONAL = "conditional", _("Shared by agreement (有条件共享)")
    NONE = "none", _("Not shared (不予共享)")


class OpenClass(models.TextChoices):
    UNCONDITIONAL = "unconditional", _("Open (无条件开放)")
    CONDITIONAL = "conditional", _("Open on conditions (有条件开放)")
    NONE = "none", _("Not open (不予开放)")


class SubjectKind(models.TextChoices):
    PERSON = "person", _("Natural person")
    ORGANIZATION = "organization", _("Legal person")


class DataResource(models.Model):
    """数据资源: e.g. 户籍人口信息 held by 市公安局; ``fields`` says what each record carries."""

    code = models.SlugField(_("code"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=120)
    provider = models.ForeignKey(
        "org.Department", on_delete=models.PROTECT, related_name="data_resources", verbose_name=_("provider")
    )
    subject_kind = models.CharField(_("about"), max_length=12, choices=SubjectKind.choices)
    sharing_class = models.CharField(_("sharing class"), max_length=16, choices=SharingClass.choices)
    open_class = models.CharField(
        _("open data class"), max_length=16, choices=OpenClass.choices, default=OpenClass.NONE
    )
    description = models.TextField(_("description"), blank=True)
    fields = models.JSONField(
        _("fields"),
        default=list,
        help_text=_(
            'A list of {"key", "label", "data_element"}; data_element names the form data element '
            "(x-data-element) the field fills (秒填)."
        ),
    )
    active = models.BooleanField(_("in service"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("data resource")
        verbose_name_plural = _("data resources")

    def __str__(self) -> str:
        return self.name

    def field_label(self, key: str) -> str:
        return next((f.get("label") or key for f in self.fields if f.get("key") == key), key)


class SharingAgreement(models.Model):
    """共享协议: a consumer department may use a 有条件共享 resource for a purpose, for some fields."""

    resource = models.ForeignKey(
        DataResource, on_delete=models.CASCADE, related_name="agreements", verbose_name=_("data resource")
    )
    consumer = models.ForeignKey(
        "org.Department",
        on_delete=models.PROTECT,
        related_name="sharing_agreements",
        verbose_name=_("consumer"),
    )
    purpose = models.CharField(_("purpose"), max_length=200)
    fields = models.JSONField(
        _("fields allowed"), default=list, blank=True, help_text=_("Empty means every field.")
    )
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        ordering = ["resource", "consumer"]
        verbose_name = _("sharing agreement")
        verbose_name_plural = _("sharing agreements")

    def __str__(self) -> str:
        return f"{self.resource} → {self.consumer}"


class DataRecord(models.Model):
    """One subject's record in a provider registry (the demo's stand-in for the provider's system)."""

    resource = models.ForeignKey(DataResource, on_delete=models.CASCADE, related_name="records")
    subject_hash = models.CharField(max_length=64, editable=False)
    data = EncryptedJSONField(_("data"))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["resource", "subject_hash"], name="exchange_record_unique_subject"
            )
        ]
        verbose_name = _("data record")
        verbose_name_plural = _("data records")

    def __str__(self) -> str:
        return f"{self.resource} record {self.pk}"


class Consent(models.Model):
    """The subject agreed that a resource's data be used for one case (instead of uploading)."""

    resource = models.ForeignKey(DataResource, on_delete=models.PROTECT, related_name="+")
    subject_person = models.ForeignKey(
        "identity.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    subject_org = models.ForeignKey(
        "identity.Organization", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    case_ref = models.CharField(_("case"), max_length=40)
    given_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    given_at = models.DateTimeField(auto_now_add=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["resource", "case_ref"],
                condition=models.Q(withdrawn_at__isnull=True),
                name="exchange_consent_one_live_per_case",
            )
        ]
        verbose_name = _("consent")
        verbose_name_plural = _("consents")

    def __str__(self) -> str:
        return f"{self.resource} for {self.case_ref}"


class DataAccess(models.Model):
    """用数记录: someone read a person's or organization's data; the subject sees every line."""

    class Kind(models.TextChoices):
        SHARED_DATA = "shared_data", _("Shared data lookup")
        CASE_FILE = "case_file", _("Case file opened")
        MATERIAL = "material", _("Material opened")
        API = "api", _("Read by another system")
        COUNTER = "counter", _("Looked up at the counter")

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    subject_person = models.ForeignKey(
        "identity.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    subject_org = models.ForeignKey(
        "identity.Organization", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    resource = models.ForeignKey(
        DataResource, null=True, blank=True, on_delete=models.PROTECT, related_name="accesses"
    )
    agreement = models.ForeignKey(
        SharingAgreement, null=True, blank=True, on_delete=models.PROTECT, related_name="accesses"
    )
    department = models.ForeignKey(
        "org.Department", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    role = models.CharField(_("role"), max_length=40, blank=True)
    case_ref = models.CharField(_("case"), max_length=40, blank=True)
    purpose = models.CharField(_("purpose"), max_length=200)
    fields = models.JSONField(default=list, blank=True)
    found = models.BooleanField(default=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["subject_person", "-at"], name="exchange_access_person"),
            models.Index(fields=["subject_org", "-at"], name="exchange_access_org"),
        ]
        verbose_name = _("data access")
        verbose_name_plural = _("data accesses")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.case_ref} {self.at:%Y-%m-%d %H:%M}"
