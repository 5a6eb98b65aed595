"""好差评 (国办发〔2019〕51号, GB/T 39734-2020): ratings of cases and counter services, the rectification
of a bad rating, appeals against a rating, and complaints.

A rating is never deleted: a supervisor may void it after an appeal (``voided_at``), which takes it
out of every rate but keeps it in the history. ``department`` and ``region`` are copied from the case
(or the counter) when the rating is made, so rates per department and region need no join to cases.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onevisit.catalog.models import Channel


class Level(models.IntegerChoices):
    """Five levels, 5 the best. 4 and 5 are good (好评), 3 neutral, 1 and 2 bad (差评)."""

    VERY_SATISFIED = 5, _("Very satisfied")
    SATISFIED = 4, _("Satisfied")
    FAIRLY_SATISFIED = 3, _("Fairly satisfied")
    DISSATISFIED = 2, _("Dissatisfied")
    VERY_DISSATISFIED = 1, _("Very dissatisfied")


GOOD_LEVELS = (Level.VERY_SATISFIED, Level.SATISFIED)
BAD_LEVELS = (Level.DISSATISFIED, Level.VERY_DISSATISFIED)


def grade_of(level: int) -> str:
    """ "good", "neutral" or "bad"."""
    if level in GOOD_LEVELS:
        return "good"
    if level in BAD_LEVELS:
        return "bad"
    return "neutral"


# The tags a rater may choose, per grade of the level chosen (a fixed list, so they can be counted).
TAGS: dict[str, list[tuple[str, object]]] = {
    "good": [
        ("fast", _("Quick")),
        ("no_visit", _("No trip needed")),
        ("friendly", _("Friendly and patient")),
        ("clear_guide", _("Clear guide")),
        ("easy_online", _("Easy to do online")),
    ],
    "neutral": [
        ("ok_speed", _("Speed was acceptable")),
        ("guide_could_be_clearer", _("Guide could be clearer")),
        ("waited", _("Had to wait")),
    ],
    "bad": [
        ("slow", _("Too slow")),
        ("many_visits", _("Had to come more than once")),
        ("extra_materials", _("Asked for materials not in the guide")),
        ("attitude", _("Unfriendly staff")),
        ("unclear", _("Requirements unclear")),
        ("system_trouble", _("The system did not work")),
    ],
}
TAG_LABELS = {code: label for tags in TAGS.values() for code, label in tags}


class Rating(models.Model):
    """One rating: of a finished case (一事一评, by its applicant or agent) or of a counter service
    (一次一评, at the tablet facing the applicant; anonymous, with the window and the clerk)."""

    class Kind(models.TextChoices):
        CASE = "case", _("Case (一事一评)")
        COUNTER = "counter", _("Counter service (一次一评)")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    case = models.ForeignKey(
        "cases.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="ratings",
        verbose_name=_("case"),
    )  # fmt: skip
    level = models.PositiveSmallIntegerField(_("level"), choices=Level.choices)
    tags = models.JSONField(_("tags"), default=list, blank=True, help_text="Codes from feedback.models.TAGS.")
    comment = models.TextField(_("comment"), blank=True)
    rater = models.ForeignKey(
        "identity.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="ratings",
        verbose_name=_("rater"), help_text=_("Empty for an anonymous rating at a counter tablet."),
    )  # fmt: skip
    department = models.ForeignKey(
        "org.Department", null=True, blank=True, on_delete=models.PROTECT, related_name="ratings",
        verbose_name=_("department"),
        help_text=_("The case's department; for a counter rating without a case, the window's only department."),
    )  # fmt: skip
    region = models.ForeignKey(
        "org.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("region")
    )
    item = models.ForeignKey(
        "catalog.ServiceItem", null=True, blank=True, on_delete=models.PROTECT, related_name="ratings",
        verbose_name=_("service"),
    )  # fmt: skip
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    center = models.ForeignKey(
        "org.ServiceCenter", null=True, blank=True, on_delete=models.PROTECT, related_name="ratings",
        verbose_name=_("service centre"),
    )  # fmt: skip
    window = models.ForeignKey(
        "org.Window", null=True, blank=True, on_delete=models.PROTECT, related_name="ratings",
        verbose_name=_("window"),
    )  # fmt: skip
    clerk = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("clerk"),
    )  # fmt: skip
    follow_up_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="follow_ups",
        verbose_name=_("follow-up of"), help_text=_("The rater's one follow-up rating after a rectification."),
    )  # fmt: skip
    created_at = models.DateTimeField(_("rated at"), default=timezone.now, db_index=True)
    voided_at = models.DateTimeField(_("voided at"), null=True, blank=True)
    voided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("voided by"),
    )  # fmt: skip
    void_reason = models.TextField(_("reason for voiding"), blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("rating")
        verbose_name_plural = _("ratings")
        constraints = [
            models.UniqueConstraint(
                fields=["case", "rater"],
                condition=Q(follow_up_of__isnull=True, kind="case"),
                name="feedback_one_rating_per_case_and_rater",
            ),
            models.UniqueConstraint(fields=["follow_up_of"], name="feedback_one_follow_up"),
            models.CheckConstraint(condition=Q(level__gte=1, level__lte=5), name="feedback_level_1_to_5"),
            models.CheckConstraint(
                condition=~Q(kind="case") | Q(case__isnull=False, rater__isnull=False),
                name="feedback_case_rating_has_case_and_rater",
            ),
        ]
        indexes = [
            models.Index(fields=["department", "created_at"]),
            models.Index(fields=["region", "created_at"]),
            models.Index(fields=["item", "created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.level} #{self.pk}"

    @property
    def grade(self) -> str:
        return grade_of(self.level)

    @property
    def is_voided(self) -> bool:
        return self.voided_at is not None

    @property
    def tag_labels(self) -> list[str]:
        return [str(TAG_LABELS[t]) for t in self.tags if t in TAG_LABELS]


class Rectification(models.Model):
    """差评整改: a bad rating from a named rater. The department calls the rater back within
    ``ONEVISIT_RATING_CALLBACK_DAYS`` working days and rectifies within ``ONEVISIT_RATING_RECTIFY_DAYS``;
    both due dates are fixed when the rating is made. On time = done on or before the due day."""

    rating = models.OneToOneField(Rating, on_delete=models.PROTECT, related_name="rectification")
    department = models.ForeignKey(
        "org.Department",
        on_delete=models.PROTECT,
        related_name="rectifications",
        verbose_name=_("department"),
    )
    callback_due = models.DateField(_("call back by"))
    rectify_due = models.DateField(_("rectify by"))
    callback_at = models.DateTimeField(_("called back at"), null=True, blank=True)
    callback_note = models.TextField(_("what the rater said"), blank=True)
    callback_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    rectified_at = models.DateTimeField(_("rectified at"), null=True, blank=True)
    rectify_note = models.TextField(_("what was done"), blank=True)
    rectified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    rater_notified_at = models.DateTimeField(null=True, blank=True, editable=False)  # told it was rectified

    class Meta:
        ordering = ["rectify_due", "pk"]
        verbose_name = _("rectification")
        verbose_name_plural = _("rectifications")
        indexes = [models.Index(fields=["department", "rectified_at", "rectify_due"])]

    def __str__(self) -> str:
        return f"rectification of rating #{self.rating_id}"

    @property
    def status(self) -> str:
        if self.rectified_at is not None:
            return "rectified"
        if self.callback_at is not None:
            return "called_back"
        return "waiting"

    @property
    def next_due(self) -> object:
        """The date of the next thing to do (None when done)."""
        if self.callback_at is None:
            return self.callback_due
        if self.rectified_at is None:
            return self.rectify_due
        return None

    @property
    def callback_on_time(self) -> bool | None:
        if self.callback_at is None:
            return None
        return timezone.localdate(self.callback_at) <= self.callback_due

    @property
    def rectified_on_time(self) -> bool | None:
        if self.rectified_at is None:
            return None
        return timezone.localdate(self.rectified_at) <= self.rectify_due


class Appeal(models.Model):
    """申诉: the department asks a supervisor to void a rating as malicious or mistaken."""

    class Ground(models.TextChoices):
        MALICIOUS = "malicious", _("Malicious rating")
        MISTAKEN = "mistaken", _("Mistaken rating (wrong department or service)")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for a supervisor")
        VOIDED = "voided", _("Rating voided")
        REJECTED = "rejected", _("Appeal rejected")

    rating = models.ForeignKey(Rating, on_delete=models.PROTECT, related_name="appeals")
    ground = models.CharField(_("ground"), max_length=12, choices=Ground.choices)
    reason = models.TextField(_("reason"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    filed_at = models.DateTimeField(_("filed at"), default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_reason = models.TextField(_("reason for the decision"), blank=True)

    class Meta:
        ordering = ["filed_at", "pk"]
        verbose_name = _("appeal")
        verbose_name_plural = _("appeals")
        constraints = [
            models.UniqueConstraint(
                fields=["rating"], condition=Q(status="pending"), name="feedback_one_pending_appeal"
            )
        ]

    def __str__(self) -> str:
        return f"appeal of rating #{self.rating_id} ({self.status})"


class Complaint(models.Model):
    """投诉: from anyone, named or not, about a department (and optionally a service or a case);
    followed by its tracking code until the department answers."""

    class Status(models.TextChoices):
        RECEIVED = "received", _("Received, waiting for the answer")
        ANSWERED = "answered", _("Answered")

    code = models.CharField(_("tracking code"), max_length=16, unique=True)
    department = models.ForeignKey(
        "org.Department", on_delete=models.PROTECT, related_name="complaints", verbose_name=_("department")
    )
    region = models.ForeignKey("org.Region", on_delete=models.PROTECT, related_name="+")
    item = models.ForeignKey(
        "catalog.ServiceItem", null=True, blank=True, on_delete=models.PROTECT, related_name="complaints",
        verbose_name=_("service"),
    )  # fmt: skip
    case = models.ForeignKey(
        "cases.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="complaints",
        verbose_name=_("case"),
    )  # fmt: skip
    complainant = models.ForeignKey(
        "identity.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="complaints",
        verbose_name=_("complainant"), help_text=_("Empty for a complaint made without logging in."),
    )  # fmt: skip
    contact_name = models.CharField(_("name to reply to"), max_length=60, blank=True)
    contact_phone_encrypted = models.TextField(_("phone (encrypted)"), blank=True, editable=False)
    text = models.TextField(_("complaint"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.RECEIVED)
    created_at = models.DateTimeField(_("received at"), default=timezone.now)
    answer = models.TextField(_("answer"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    answer_notified_at = models.DateTimeField(null=True, blank=True, editable=False)  # complainant told
    # A double submit files one complaint: the form's one-time key.
    idempotency_key = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    # Keyed hash of the network address of a complaint made without logging in (throttling; no raw IP).
    client_key = models.CharField(max_length=64, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")
        indexes = [models.Index(fields=["client_key", "created_at"], name="complaint_client_idx")]

    def __str__(self) -> str:
        return self.code
