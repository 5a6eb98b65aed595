"""SMS delivery backends, chosen by ``settings.ONEVISIT_SMS_BACKEND`` (a dotted path).

A backend has one method, ``send(phone, message)``. The demo writes each message to a file under
``var/sms/``, the console backend prints it, and the tests keep it in memory (``LocmemBackend.outbox``,
like Django's locmem mail backend). A real gateway (运营商短信网关) is a subclass named in production.
"""

from __future__ import annotations

import logging
import secrets
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone
from django.utils.module_loading import import_string

from onevisit.core import crypto

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class SmsMessage:
    phone: str
    text: str


class BaseBackend:
    def send(self, phone: str, message: str) -> None:
        raise NotImplementedError


class ConsoleBackend(BaseBackend):
    """Prints each message to standard output (development)."""

    def send(self, phone: str, message: str) -> None:
        sys.stdout.write(f"[SMS to {phone}] {message}\n")
        sys.stdout.flush()


class FileBackend(BaseBackend):
    """Writes each message to ``ONEVISIT_SMS_FILE_PATH/<timestamp>.txt`` (the demo's "phone")."""

    def send(self, phone: str, message: str) -> None:
        folder = Path(settings.ONEVISIT_SMS_FILE_PATH)
        folder.mkdir(parents=True, exist_ok=True)
        stamp = timezone.now().strftime("%Y%m%dT%H%M%S.%f")
        path = folder / f"{stamp}-{secrets.token_hex(2)}.txt"
        path.write_text(f"To: {phone}\n\n{message}\n", encoding="utf-8")
        logger.info("sms_written to=%s file=%s", crypto.mask(phone, 3, 4), path)


class LocmemBackend(BaseBackend):
    """Keeps messages in ``LocmemBackend.outbox`` (tests); clear it with ``outbox.clear()``."""

    outbox: ClassVar[list[SmsMessage]] = []

    def send(self, phone: str, message: str) -> None:
        LocmemBackend.outbox.append(SmsMessage(phone=phone, text=message))


def get_backend() -> BaseBackend:
    if not settings.ONEVISIT_SMS_BACKEND:
        raise ImproperlyConfigured("ONEVISIT_SMS_BACKEND must name an SMS backend (a dotted path).")
    backend: BaseBackend = import_string(settings.ONEVISIT_SMS_BACKEND)()
    return backend
