"""办件: one application for one item version, from any channel, with its timeline and materials."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from onevisit.catalog.models import Channel  # one list of channels: an item's are the ones a case may use
from onevisit.core.fields import EncryptedJSONField


class BundleCase(models.Model):
    """一件事办件: one application for a bundle. Its children are ordinary cases, one per item, each run
    by its own department; the bundle's status, deadlines and timeline are derived from them
    (``cases.bundles``), never stored. ``plan`` keeps the members as they were at filing (item code,
    version id, the codes it waits for), so a catalogue change never changes a running bundle."""

    number = models.CharField(_("case number"), max_length=32, unique=True, null=True, blank=True)
    bundle = models.ForeignKey("catalog.Bundle", on_delete=models.PROTECT, related_name="cases")
    plan = models.JSONField(default=list)
    applicant_person = models.ForeignKey(
        "identity.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="bundle_cases"
    )
    applicant_org = models.ForeignKey(
        "identity.Organization", null=True, blank=True, on_delete=models.PROTECT, related_name="bundle_cases"
    )
    agent = models.ForeignKey(
        "identity.Person",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="bundle_cases_as_agent",
    )
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    center = models.ForeignKey(
        "org.ServiceCenter", null=True, blank=True, on_delete=models.PROTECT, related_name="bundle_cases"
    )
    form_data = EncryptedJSONField(
        _("form data"), default=dict, help_text="The merged form, encrypted at rest."
    )
    idempotency_key = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    finished_at = models.DateTimeField(
        _("finished at"),
        null=True,
        blank=True,
        help_text="When the last child finished and the applicant was told.",
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("bundle case (一件事)")
        verbose_name_plural = _("bundle cases (一件事)")
        constraints = [
            models.CheckConstraint(
                condition=Q(applicant_person__isnull=False) | Q(applicant_org__isnull=False),
                name="bundle_case_has_an_applicant",
            )
        ]

    def __str__(self) -> str:
        return self.number or f"draft bundle {self.pk}"


class Case(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted, waiting for acceptance")
        CORRECTION = "correction", _("Waiting for the applicant's correction")
        ACCEPTED = "accepted", _("Accepted, being handled")
        SUSPENDED = "suspended", _("Suspended for a special procedure")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        NOT_ACCEPTED = "not_accepted", _("Not accepted")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        TERMINATED = "terminated", _("Terminated")
        WAITING = "waiting", _("Waiting for another service of the bundle")

    OPEN = (Status.SUBMITTED, Status.CORRECTION, Status.ACCEPTED, Status.SUSPENDED)
    FINISHED = (Status.APPROVED, Status.REJECTED, Status.NOT_ACCEPTED, Status.WITHDRAWN, Status.TERMINATED)

    number = models.CharField(_("case number"), max_length=32, unique=True, null=True, blank=True)
    item_version = models.ForeignKey("catalog.ItemVersion", on_delete=models.PROTECT, related_name="cases")
    department = models.ForeignKey("org.Department", on_delete=models.PROTECT, related_name="cases")
    applicant_person = models.ForeignKey(
        "identity.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="cases"
    )
    applicant_org = models.ForeignKey(
        "identity.Organization", null=True, blank=True, on_delete=models.PROTECT, related_name="cases"
    )
    agent = models.ForeignKey(
        "identity.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="cases_as_agent"
    )
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    center = models.ForeignKey(
        "org.ServiceCenter", null=True, blank=True, on_delete=models.PROTECT, related_name="cases"
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    form_data = EncryptedJSONField(
        _("form data"), default=dict, help_text="Encrypted at rest: it holds ID numbers."
    )
    idempotency_key = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    accepted_on = models.DateField(_("accepted on"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    promised_due = models.DateField(_("promised due date"), null=True, blank=True)
    statutory_due = models.DateField(_("statutory due date"), null=True, blank=True)
    suspended_days = models.PositiveIntegerField(_("working days suspended"), default=0)
    extension_days = models.PositiveIntegerField(_("working days of extension"), default=0)
    visits = models.PositiveSmallIntegerField(_("in-person visits"), default=0)
    process_instance = models.OneToOneField(
        "workflow.ProcessInstance", null=True, blank=True, on_delete=models.PROTECT, related_name="case"
    )
    lock_version = models.PositiveIntegerField(default=0)
    certificate_number = models.CharField(_("certificate issued"), max_length=40, blank=True)
    certificate_due = models.DateField(
        _("certificate due"),
        null=True,
        blank=True,
        help_text=_("Art. 44: 10 working days after the decision."),
    )
    bundle_case = models.ForeignKey(
        BundleCase,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name=_("bundle case (一件事)"),
    )
    certificate_extra = EncryptedJSONField(
        _("certificate details entered by the department"),
        default=dict,
        blank=True,
        help_text=_("What the form does not say but the certificate needs (制证信息), entered at issuance."),
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        constraints = [
            models.CheckConstraint(
                condition=Q(applicant_person__isnull=False) | Q(applicant_org__isnull=False),
                name="case_has_an_applicant",
            )
        ]
        indexes = [
            models.Index(fields=["department", "status"]),
            models.Index(fields=["status", "promised_due"]),
            # Every indicator filters on the period: when cases were filed and when they ended.
            models.Index(fields=["submitted_at"], name="case_submitted_at_idx"),
            models.Index(fields=["decided_at"], name="case_decided_at_idx"),
        ]

    def __str__(self) -> str:
        return self.number or f"draft {self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN

    @property
    def with_gaps(self) -> bool:
        """Filed with materials to supply later (容缺); true also once they are all supplied."""
        return self.gaps.exists()

    @property
    def open_gaps(self) -> models.QuerySet[CaseGap]:
        return self.gaps.filter(supplied_at__isnull=True)


class CaseFee(models.Model):
    """A fee charged on a case (收费), as the department recorded it; supervision compares it with the
    item version's fee list."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="fees")
    name = models.CharField(_("fee"), max_length=100)
    amount = models.DecimalField(_("amount (yuan)"), max_digits=10, decimal_places=2)
    basis = models.CharField(_("basis"), max_length=300, blank=True)
    charged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    charged_at = models.DateTimeField(_("charged at"), auto_now_add=True)

    class Meta:
        ordering = ["case", "charged_at", "pk"]
        verbose_name = _("fee charged")
        verbose_name_plural = _("fees charged")

    def __str__(self) -> str:
        return f"{self.case} {self.name} {self.amount}"


class ExtensionRequest(models.Model):
    """延期 (Art. 42): once per case, +10 working days, with an approver's sign-off and a reason the applicant reads."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for the approver")
        APPROVED = "approved", _("Approved")
        REFUSED = "refused", _("Refused")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="extensions")
    days = models.PositiveSmallIntegerField(default=10)
    reason = models.TextField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("extension request")
        verbose_name_plural = _("extension requests")

    def __str__(self) -> str:
        return f"{self.case} +{self.days} {self.status}"


class CaseCounter(models.Model):
    """The last sequence number handed out for a region on a day (gaps are tolerated, duplicates never)."""

    region_code = models.CharField(max_length=9)
    day = models.DateField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        unique_together = [("region_code", "day")]

    def __str__(self) -> str:
        return f"{self.region_code} {self.day} #{self.last}"


class CaseEvent(models.Model):
    """One line of the case's timeline, like a parcel tracker; ``public`` lines are shown to the applicant."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(auto_now_add=True)
    kind = models.CharField(max_length=40)
    message = models.CharField(max_length=500)
    department = models.ForeignKey(
        "org.Department", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_label = models.CharField(max_length=150, blank=True)
    public = models.BooleanField(default=True)
    data = models.JSONField(default=dict, blank=True)
    notified_at = models.DateTimeField(null=True, blank=True, help_text="When the applicant was told by SMS.")

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("case event")
        verbose_name_plural = _("timeline")

    def __str__(self) -> str:
        return f"{self.case} {self.kind}"


def _upload_to(instance: SuppliedMaterial, filename: str) -> str:
    # Stored names never come from the user: a random name with the extension of the checked type.
    return f"cases/{instance.case_id}/{uuid.uuid4().hex}{instance.extension}"


class SuppliedMaterial(models.Model):
    """已提交材料: an upload, a certificate or shared-data reference, or a commitment."""

    class Source(models.TextChoices):
        UPLOAD = "upload", _("Uploaded file")
        PAPER = "paper", _("Paper checked at the counter")
        CERTIFICATE = "certificate", _("Electronic certificate")
        SHARED_DATA = "shared_data", _("Shared data")
        COMMITMENT = "commitment", _("Written commitment")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="materials")
    requirement = models.ForeignKey("catalog.MaterialRequirement", on_delete=models.PROTECT, related_name="+")
    source = models.CharField(max_length=16, choices=Source.choices)
    file = models.FileField(upload_to=_upload_to, blank=True)
    original_name = models.CharField(max_length=120, blank=True)
    content_type = models.CharField(max_length=40, blank=True)
    extension = models.CharField(max_length=8, blank=True)
    size = models.PositiveIntegerField(default=0)
    sha256 = models.CharField(max_length=64, blank=True)
    reference = models.CharField(max_length=200, blank=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    checked_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["case", "requirement__order", "id"]
        verbose_name = _("supplied material")
        verbose_name_plural = _("supplied materials")

    def __str__(self) -> str:
        return f"{self.case} {self.requirement_id} {self.source}"


class Decision(models.Model):
    """办理决定: approve, reject or not accepted, with reasons and legal basis; by a person or a rule."""

    class Outcome(models.TextChoices):
        APPROVE = "approve", _("Granted")
        REJECT = "reject", _("Not granted")
        NOT_ACCEPTED = "not_accepted", _("Not accepted")

    case = models.OneToOneField(Case, on_delete=models.PROTECT, related_name="decision")
    outcome = models.CharField(max_length=16, choices=Outcome.choices)
    reasons = models.TextField(blank=True)
    legal_basis = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(auto_now_add=True)
    rule_trace = models.JSONField(default=dict, blank=True)
    history = models.JSONField(
        default=list,
        blank=True,
        help_text="Earlier decisions of this case that a review overturned, oldest first.",
    )

    class Meta:
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")

    def __str__(self) -> str:
        return f"{self.case} {self.outcome}"

    @property
    def automatic(self) -> bool:
        """Taken by the item's rules (秒批), not by a person."""
        return bool(self.rule_trace) and self.decided_by_id is None


class Commitment(models.Model):
    """承诺书: what the applicant signed, word for word, with its hash, who signed and when.

    ``kind`` says what it commits to: to supply the missing materials (容缺) or, later, that the
    conditions are met (告知承诺)."""

    class Kind(models.TextChoices):
        TOLERANCE = "tolerance", _("Commitment to supply missing materials (容缺)")
        COMMITMENT = "commitment", _("Commitment that the conditions are met (告知承诺)")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="commitments")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    text = models.TextField(_("text signed"), help_text=_("Exactly the text shown to the applicant."))
    sha256 = models.CharField(_("SHA-256 of the text"), max_length=64)
    signed_by = models.ForeignKey(
        "identity.Person", on_delete=models.PROTECT, related_name="commitments", verbose_name=_("signed by")
    )
    signed_at = models.DateTimeField(_("signed at"), auto_now_add=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)

    class Meta:
        ordering = ["case", "signed_at"]
        verbose_name = _("commitment")
        verbose_name_plural = _("commitments")

    def __str__(self) -> str:
        return f"{self.case} {self.kind} {self.sha256[:12]}"


class CaseGap(models.Model):
    """容缺项: a tolerable material the applicant promised to supply later, by ``deadline``.

    The deadline is set at acceptance (working days from it, never beyond the promised limit);
    ``supplied_at`` closes the gap, ``reminded_at`` records the one reminder."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="gaps")
    requirement = models.ForeignKey("catalog.MaterialRequirement", on_delete=models.PROTECT, related_name="+")
    deadline = models.DateField(_("deadline"), null=True, blank=True, help_text=_("Set at acceptance."))
    supplied_at = models.DateTimeField(_("supplied at"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("reminded at"), null=True, blank=True)

    class Meta:
        ordering = ["case", "requirement__order", "id"]
        unique_together = [("case", "requirement")]
        indexes = [models.Index(fields=["supplied_at", "deadline"])]
        verbose_name = _("missing material (容缺)")
        verbose_name_plural = _("missing materials (容缺)")

    def __str__(self) -> str:
        return f"{self.case} {self.requirement_id} by {self.deadline}"

    @property
    def is_open(self) -> bool:
        return self.supplied_at is None
