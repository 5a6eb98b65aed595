"""Applicants: persons (自然人) and organizations (法人). ID numbers are encrypted at rest."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone
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


class ApplicantAccount(models.Model):
    """An applicant's login (申请人账号): a non-staff ``User`` reached by a verified mobile number.

    Staff accounts never have one; the applicant pages and ``PhonePasswordBackend`` accept only users
    that do. The phone is stored encrypted, with a keyed hash to find the account at login.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="applicant_account"
    )
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="accounts")
    phone_encrypted = models.TextField(_("phone (encrypted)"), editable=False)
    phone_hash = models.CharField(max_length=64, unique=True, editable=False)
    email_encrypted = models.TextField(
        _("email (encrypted)"), blank=True, editable=False, help_text="Only a confirmed address is kept here."
    )
    notify_sms = models.BooleanField(_("notify by text message"), default=True)
    notify_email = models.BooleanField(
        _("notify by email"), default=True, help_text=_("Has effect once an email address is confirmed.")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("applicant account")
        verbose_name_plural = _("applicant accounts")
        constraints = [
            # One person, one account for now; one phone managing several people (亲友代办) is future work.
            models.UniqueConstraint(fields=["person"], name="identity_one_account_per_person"),
            models.CheckConstraint(
                condition=models.Q(notify_sms=True) | models.Q(notify_email=True),
                name="identity_account_one_channel_on",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person.name} ({self.phone_masked})"

    @property
    def phone(self) -> str:
        return crypto.decrypt(self.phone_encrypted)

    @property
    def phone_masked(self) -> str:
        return crypto.mask(self.phone, 3, 4)

    @property
    def email(self) -> str:
        """The confirmed email address, or ""."""
        return crypto.decrypt(self.email_encrypted) if self.email_encrypted else ""

    @property
    def email_masked(self) -> str:
        return mask_email(self.email)

    @property
    def sends_email(self) -> bool:
        return self.notify_email and bool(self.email_encrypted)


def mask_email(address: str) -> str:
    """l***@example.com: the first character of the local part and the whole domain."""
    local, at, domain = address.rpartition("@")
    if not at:
        return crypto.mask(address, 1, 0) if address else ""
    return f"{local[:1]}***@{domain}"


class EmailConfirmation(models.Model):
    """A request to use a new email address for notifications, confirmed by a link sent to it.

    Only a keyed hash of the link's token is kept; the address is encrypted until it is confirmed
    and copied to the account.
    """

    account = models.ForeignKey(
        ApplicantAccount, on_delete=models.CASCADE, related_name="email_confirmations"
    )
    email_encrypted = models.TextField(editable=False)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    sent_at = models.DateTimeField(db_index=True)
    expires_at = models.DateTimeField()
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("email confirmation")
        verbose_name_plural = _("email confirmations")

    def __str__(self) -> str:
        return f"{self.account_id} {self.sent_at:%Y-%m-%d %H:%M:%S}"

    @property
    def email(self) -> str:
        return crypto.decrypt(self.email_encrypted)

    @property
    def email_masked(self) -> str:
        return mask_email(self.email)


class LoginKind(models.TextChoices):
    APPLICANT = "applicant", _("applicant")
    STAFF = "staff", _("staff")


class LoginFailure(models.Model):
    """One failed password log-in (or one being checked), kept for the throttling window.

    The account is named only by a keyed hash of what was typed (phone number or username), whether
    or not an account exists. The row that reaches a limit carries the end of the pause it starts.
    Rows older than the window are deleted; the audit log keeps the history.
    """

    kind = models.CharField(max_length=16, choices=LoginKind.choices)
    identifier_hash = models.CharField(max_length=64, editable=False)
    ip = models.GenericIPAddressField(null=True, blank=True)
    at = models.DateTimeField(db_index=True)
    cleared = models.BooleanField(
        default=False, help_text="A later successful log-in of the same account cleared its count."
    )
    account_locked_until = models.DateTimeField(null=True, blank=True)
    ip_locked_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("failed log-in")
        verbose_name_plural = _("failed log-ins")
        indexes = [
            models.Index(fields=["kind", "identifier_hash", "at"], name="identity_loginfail_account"),
            models.Index(fields=["ip", "at"], name="identity_loginfail_ip"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.at:%Y-%m-%d %H:%M:%S}"


class OtpPurpose(models.TextChoices):
    REGISTER = "register", _("register")
    LOGIN = "login", _("log in")


class OneTimeCode(models.Model):
    """A 6-digit SMS code (短信验证码). Only a keyed hash of the code is kept; the phone only as its hash."""

    phone_hash = models.CharField(max_length=64, db_index=True, editable=False)
    purpose = models.CharField(max_length=16, choices=OtpPurpose.choices)
    code_hash = models.CharField(max_length=100, editable=False)
    sent_at = models.DateTimeField(db_index=True)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("one-time code")
        verbose_name_plural = _("one-time codes")
        indexes = [models.Index(fields=["phone_hash", "purpose", "-sent_at"], name="identity_otp_latest")]

    def __str__(self) -> str:
        return f"{self.purpose} {self.sent_at:%Y-%m-%d %H:%M:%S}"


class AuthorizationScope(models.TextChoices):
    ALL = "all", _("all service items")
    ITEMS = "items", _("listed service items only")


class Authorization(models.Model):
    """授权委托: an organization lets a person act for it (经办人), for some or all items, for a period."""

    grantor = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="authorizations", verbose_name=_("organization")
    )
    agent = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="authorizations_received", verbose_name=_("agent")
    )
    scope = models.CharField(
        _("scope"), max_length=8, choices=AuthorizationScope.choices, default=AuthorizationScope.ALL
    )
    item_codes = models.JSONField(
        _("item codes"),
        default=list,
        blank=True,
        help_text=_("Codes of the service items the agent may apply for, when the scope is a list."),
    )
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(
        _("valid until"), null=True, blank=True, help_text=_("Last day of validity; empty means no end.")
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True, editable=False)
    revoked_reason = models.CharField(_("reason for revocation"), max_length=200, blank=True, editable=False)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
        verbose_name=_("recorded by"),
    )
    granted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("authorization")
        verbose_name_plural = _("authorizations")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_until__isnull=True)
                | models.Q(valid_until__gte=models.F("valid_from")),
                name="identity_authorization_period",
            )
        ]

    def __str__(self) -> str:
        return f"{self.agent.name} → {self.grantor.name}"

    def covers(self, item_code: str) -> bool:
        return self.scope == AuthorizationScope.ALL or item_code in (self.item_codes or [])


class CreditKind(models.TextChoices):
    SERIOUS = "serious", _("serious bad credit")  # 严重失信
    FALSE_COMMITMENT = "false_commitment", _("false commitment")  # 虚假承诺
    OTHER = "other", _("other bad credit")  # 一般失信


class CreditRecord(models.Model):
    """信用记录: a bad-credit mark on a person or an organization, which bars 容缺 and 告知承诺 while in force.

    A record is never edited or deleted. It stops counting when its ``valid_until`` day has passed or when
    it is repaired (信用修复), and it stays with its repair, so the records of a subject together with
    their audit events are the subject's full credit history.
    """

    person = models.ForeignKey(
        Person,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="credit_records",
        verbose_name=_("person"),
    )
    org = models.ForeignKey(
        Organization,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="credit_records",
        verbose_name=_("organization"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=CreditKind.choices)
    reason = models.TextField(_("reason"), help_text=_("What the subject did, as the record states it."))
    legal_basis = models.CharField(
        _("legal basis"), max_length=500, help_text=_("The law or rule under which the record is made.")
    )
    department = models.ForeignKey(
        "org.Department",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("source department"),
        help_text=_("The department that reported the record."),
    )
    recorded_at = models.DateTimeField(_("recorded at"), db_index=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_by_label = models.CharField(_("recorded by (name)"), max_length=150)
    valid_until = models.DateField(
        _("valid until"),
        null=True,
        blank=True,
        help_text=_("Last day the record counts; empty means until it is repaired."),
    )
    repaired_at = models.DateTimeField(_("repaired at"), null=True, blank=True)
    repaired_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("repaired by"),
    )
    repaired_by_label = models.CharField(_("repaired by (name)"), max_length=150, blank=True)
    repair_reason = models.TextField(_("reason for the repair"), blank=True)

    class Meta:
        verbose_name = _("credit record")
        verbose_name_plural = _("credit records")
        ordering = ["-recorded_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(person__isnull=False, org__isnull=True)
                | models.Q(person__isnull=True, org__isnull=False),
                name="identity_credit_exactly_one_subject",
            ),
            models.CheckConstraint(
                condition=models.Q(repaired_at__isnull=True) | ~models.Q(repair_reason=""),
                name="identity_credit_repair_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subject_name} · {self.get_kind_display()}"

    @property
    def subject(self) -> Person | Organization | None:
        return self.person or self.org

    @property
    def subject_name(self) -> str:
        subject = self.subject
        return subject.name if subject is not None else ""

    @property
    def subject_masked(self) -> str:
        """The subject's ID number or USCC, masked."""
        if self.person is not None:
            return self.person.id_number_masked
        return self.org.uscc_masked if self.org is not None else ""

    def in_force(self, on: dt.date | None = None) -> bool:
        """Whether the record counts on day ``on`` (today by default): recorded by then, not yet repaired
        then, and its last day not passed."""
        day = on or timezone.localdate()
        if timezone.localdate(self.recorded_at) > day:
            return False
        if self.repaired_at is not None and timezone.localdate(self.repaired_at) <= day:
            return False
        return self.valid_until is None or self.valid_until >= day
