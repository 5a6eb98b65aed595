"""Password log-in throttling and the log-in audit trail, for applicants and staff alike.

A password log-in is three calls: ``login_attempt_begin`` (refuses while the account name or the
network is paused, else records the attempt as a failure in advance), then the password check, then
``login_attempt_failed`` or ``login_attempt_succeeded``. Attempts of one name are serialized while
they are counted and recorded, and recording in advance makes attempts still being checked count:
a burst of simultaneous attempts gets no more password checks than the limit. Counts live in the
database (``LoginFailure``), which every web process shares (decision 0006).

Counts are keyed by a keyed hash of what was typed, whether or not an account exists, so neither
the messages nor the pauses tell anyone which phone numbers or usernames have accounts. Every
outcome is an audit event naming the account kind, the masked identifier and its keyed hash, the
IP and the outcome; never the password, never a full phone number.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import ipaddress
import math
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from onevisit.core import crypto
from onevisit.core.audit import audit_log

from .models import LoginFailure, LoginKind

ANONYMOUS = "anonymous"
ADVISORY_NAMESPACE = 7301  # PostgreSQL advisory lock keys (7301: names, 7302: networks)
IDENTIFIER_MAX_LENGTH = 150  # Django's longest username; anything longer is cut before hashing


def client_ip(request: HttpRequest) -> str | None:
    """The client's address: ``REMOTE_ADDR``, or the X-Forwarded-For entry written by the outermost
    of ``ONEVISIT_TRUSTED_PROXY_COUNT`` reverse proxies (entries further left can be forged)."""
    candidate = request.META.get("REMOTE_ADDR", "")
    proxies = settings.ONEVISIT_TRUSTED_PROXY_COUNT
    if proxies > 0:
        hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
        if hops:
            candidate = hops[-min(proxies, len(hops))]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return None


def _window() -> dt.timedelta:
    return dt.timedelta(minutes=settings.ONEVISIT_LOGIN_WINDOW_MINUTES)


def _mask(kind: str, identifier: str) -> str:
    if kind == LoginKind.APPLICANT:
        return crypto.mask(identifier, 3, 4)
    return crypto.mask(identifier, 2, 1)


@dataclass(frozen=True)
class LoginAttempt:
    """One password log-in being checked; ``pk`` is its ``LoginFailure`` row."""

    pk: int
    kind: str
    identifier_hash: str
    identifier_masked: str
    ip: str | None
    method: str = "password"

    def audit(self, *, actor: Any, action: str, outcome: str, **extra: Any) -> None:
        audit_log(
            actor=actor,
            action=action,
            object_type="identity.login",
            object_id=self.identifier_hash,
            data={
                "account_kind": self.kind,
                "identifier": self.identifier_masked,
                "identifier_hash": self.identifier_hash,
                "ip": self.ip,
                "method": self.method,
                "outcome": outcome,
                **extra,
            },
        )


class LoginLocked(Exception):
    """Log-in is paused for an account name (``scope="account"``) or a network (``"network"``)."""

    def __init__(self, *, kind: str, scope: str, until: dt.datetime) -> None:
        super().__init__(f"{kind} log-in paused by {scope} until {until.isoformat()}")
        self.kind = kind
        self.scope = scope
        self.until = until

    @property
    def minutes(self) -> int:
        """Whole minutes left, at least 1."""
        return max(1, math.ceil((self.until - timezone.now()).total_seconds() / 60))

    @property
    def message(self) -> str:
        """What to tell the person, in the active language. The same for every name or number."""
        values = {"minutes": self.minutes, "hotline": settings.ONEVISIT_SERVICE_HOTLINE}
        if self.scope == "network":
            return (
                _(
                    "Too many failed log-ins from your network. Log-in is paused: try again in %(minutes)s "
                    "minutes, or call %(hotline)s for help."
                )
                % values
            )
        if self.kind == LoginKind.APPLICANT:
            return (
                _(
                    "Too many wrong passwords for this phone number. Password log-in is paused for it: try "
                    "again in %(minutes)s minutes, log in with a text message code, or call %(hotline)s for help."
                )
                % values
            )
        return (
            _(
                "Too many wrong passwords for this username. Sign-in is paused for it: try again in "
                "%(minutes)s minutes, or ask your system administrator for help."
            )
            % values
        )


@dataclass(frozen=True)
class LoginFailed:
    """The result of a failed attempt: how many more failures are allowed, or the pause it started."""

    attempts_left: int
    locked: LoginLocked | None


def _identifier_hash(identifier: str) -> str:
    # The same keyed hash as ApplicantAccount.phone_hash, so an investigator can join the two.
    return crypto.lookup_hash(identifier)


def _lock_in_force(
    *, kind: str, identifier_hash: str, ip: str | None, now: dt.datetime
) -> LoginLocked | None:
    account_until = (
        LoginFailure.objects.filter(
            kind=kind, identifier_hash=identifier_hash, cleared=False, account_locked_until__gt=now
        )
        .order_by("-account_locked_until")
        .values_list("account_locked_until", flat=True)
        .first()
    )
    if account_until is not None:
        return LoginLocked(kind=kind, scope="account", until=account_until)
    if ip is not None:
        ip_until = (
            LoginFailure.objects.filter(ip=ip, ip_locked_until__gt=now)
            .order_by("-ip_locked_until")
            .values_list("ip_locked_until", flat=True)
            .first()
        )
        if ip_until is not None:
            return LoginLocked(kind=kind, scope="network", until=ip_until)
    return None


def _counts(attempt: LoginAttempt, now: dt.datetime) -> tuple[int, int]:
    """Failures (this attempt included) of the account name and of the network within the window."""
    since = now - _window()
    account = LoginFailure.objects.filter(
        kind=attempt.kind, identifier_hash=attempt.identifier_hash, cleared=False, at__gt=since
    ).count()
    network = LoginFailure.objects.filter(ip=attempt.ip, at__gt=since).count() if attempt.ip else 0
    return account, network


def _serialize(*keys: str) -> None:
    """Make concurrent log-ins of one name (and one network) wait for each other until commit.

    PostgreSQL: transaction-level advisory locks, taken in a fixed order (name, then network), so
    they cannot deadlock. SQLite: writers are serialized already (``BEGIN IMMEDIATE``)."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for namespace, key in enumerate(keys, start=ADVISORY_NAMESPACE):
            digest = hashlib.sha256(key.encode()).digest()
            cursor.execute(
                "SELECT pg_advisory_xact_lock(%s, %s)",
                [namespace, int.from_bytes(digest[:4], "big", signed=True)],
            )


def login_attempt_begin(*, kind: str, identifier: str, ip: str | None) -> LoginAttempt:
    """Start a password log-in for ``identifier`` (a normalized phone number or a username).

    Raises ``LoginLocked`` (and records the refusal) while the name or the network is paused; the
    password is then not checked. Otherwise the attempt is recorded as a failure in advance, so
    that attempts arriving at the same moment count each other: at most the limit get checked.
    """
    kind = LoginKind(kind).value
    identifier = identifier.strip()[:IDENTIFIER_MAX_LENGTH]
    digest = _identifier_hash(identifier)
    attempt = LoginAttempt(
        pk=0, kind=kind, identifier_hash=digest, identifier_masked=_mask(kind, identifier), ip=ip
    )
    with transaction.atomic():
        _serialize(f"{kind}:{digest}", *([f"ip:{ip}"] if ip else []))
        now = timezone.now()
        lock = _lock_in_force(kind=kind, identifier_hash=digest, ip=ip, now=now)
        if lock is None:
            # Failures so far, and attempts still being checked, which may become failures.
            account, network = _counts(attempt, now)
            if account >= settings.ONEVISIT_LOGIN_MAX_FAILURES:
                lock = LoginLocked(kind=kind, scope="account", until=now + _window())
            elif ip is not None and network >= settings.ONEVISIT_LOGIN_MAX_FAILURES_PER_IP:
                lock = LoginLocked(kind=kind, scope="network", until=now + _window())
        if lock is not None:
            attempt.audit(
                actor=ANONYMOUS, action="login_refused", outcome="refused", scope=lock.scope, until=lock.until
            )
        else:
            row = LoginFailure.objects.create(kind=kind, identifier_hash=digest, ip=ip, at=now)
    if lock is not None:
        raise lock
    return dataclasses.replace(attempt, pk=row.pk)


@transaction.atomic
def login_attempt_failed(*, attempt: LoginAttempt) -> LoginFailed:
    """The password was wrong (or the account may not log in here): keep the failure, start a pause
    when a limit is reached, and say how many more failures are allowed."""
    now = timezone.now()
    window = _window()
    LoginFailure.objects.filter(at__lt=now - window).delete()  # the table holds one window
    account, network = _counts(attempt, now)
    max_account = settings.ONEVISIT_LOGIN_MAX_FAILURES
    max_network = settings.ONEVISIT_LOGIN_MAX_FAILURES_PER_IP
    attempt.audit(actor=ANONYMOUS, action="login_failed", outcome="failure", failures=account)
    until = now + window
    lock: LoginLocked | None = None
    if attempt.ip is not None and network >= max_network:
        LoginFailure.objects.filter(pk=attempt.pk).update(ip_locked_until=until)
        lock = LoginLocked(kind=attempt.kind, scope="network", until=until)
        attempt.audit(actor=ANONYMOUS, action="login_locked", outcome="lockout", scope="network", until=until)
    if account >= max_account:
        LoginFailure.objects.filter(pk=attempt.pk).update(account_locked_until=until)
        lock = LoginLocked(kind=attempt.kind, scope="account", until=until)
        attempt.audit(actor=ANONYMOUS, action="login_locked", outcome="lockout", scope="account", until=until)
    left = max_account - account
    if attempt.ip is not None:
        left = min(left, max_network - network)
    return LoginFailed(attempts_left=max(0, left), locked=lock)


@transaction.atomic
def login_attempt_succeeded(*, attempt: LoginAttempt, user: Any) -> None:
    """The password was right: the attempt was no failure, and the name's count starts again."""
    LoginFailure.objects.filter(pk=attempt.pk).delete()
    LoginFailure.objects.filter(
        kind=attempt.kind, identifier_hash=attempt.identifier_hash, cleared=False
    ).update(cleared=True)
    attempt.audit(actor=user, action="login_succeeded", outcome="success")


def attempts_left_message(kind: str, left: int) -> str:
    if kind == LoginKind.APPLICANT:
        return _(
            "The phone number or password is not right. Check them, or log in with a text message code. "
            "After %(left)s more wrong tries, password log-in will be paused."
        ) % {"left": left}
    return _("After %(left)s more wrong tries, sign-in will be paused.") % {"left": left}


@transaction.atomic
def login_code_record(*, actor: Any, phone: str, ip: str | None, succeeded: bool) -> None:
    """Audit a log-in by text message code (its own limits live with the codes, in services)."""
    kind = LoginKind.APPLICANT.value
    attempt = LoginAttempt(
        pk=0,
        kind=kind,
        identifier_hash=_identifier_hash(phone),
        identifier_masked=_mask(kind, phone),
        ip=ip,
        method="code",
    )
    if succeeded:
        LoginFailure.objects.filter(kind=kind, identifier_hash=attempt.identifier_hash, cleared=False).update(
            cleared=True
        )
        attempt.audit(actor=actor, action="login_succeeded", outcome="success")
    else:
        attempt.audit(actor=actor, action="login_failed", outcome="failure")


@transaction.atomic
def logout_record(*, user: Any, ip: str | None) -> None:
    """Audit a log-out (any of the portal, workbench and admin log-out pages)."""
    account = getattr(user, "applicant_account", None) if not user.is_staff else None
    if account is not None:
        kind, identifier = LoginKind.APPLICANT.value, account.phone
    else:
        kind, identifier = LoginKind.STAFF.value, user.get_username()
    attempt = LoginAttempt(
        pk=0,
        kind=kind,
        identifier_hash=_identifier_hash(identifier),
        identifier_masked=_mask(kind, identifier),
        ip=ip,
        method="",
    )
    attempt.audit(actor=user, action="logout", outcome="logout")
