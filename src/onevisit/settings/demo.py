"""Demo settings: one machine, SQLite under var/, permissive on purpose. Never for production."""

from .base import *  # noqa: F403
from .base import (
    ALLOWED_HOSTS,
    ONEVISIT_DATA_KEYS,
    ONEVISIT_LOOKUP_KEY,
    ONEVISIT_SITE_URL,
    ONEVISIT_SMS_BACKEND,
    SECRET_KEY,
    VAR_DIR,
)
from .env import env_str

DEBUG = True
SECRET_KEY = SECRET_KEY or "demo-only-insecure-secret-key-change-me"
ALLOWED_HOSTS = ALLOWED_HOSTS or ["localhost", "127.0.0.1", "[::1]", "testserver"]
# Demo keys are public; production refuses to start without its own.
ONEVISIT_DATA_KEYS = ONEVISIT_DATA_KEYS or ["ZGVtby1rZXktZGVtby1rZXktZGVtby1rZXktZGVtbyE="]
ONEVISIT_LOOKUP_KEY = ONEVISIT_LOOKUP_KEY or "demo-lookup-key"
# Emails land in var/mail/ as files unless EMAIL_BACKEND names another backend (e.g. the console).
EMAIL_BACKEND = env_str("EMAIL_BACKEND") or "django.core.mail.backends.filebased.EmailBackend"
EMAIL_FILE_PATH = str(VAR_DIR / "mail")
ONEVISIT_SITE_URL = ONEVISIT_SITE_URL or "http://127.0.0.1:8000"
# Text messages land in var/sms/<timestamp>.txt (and the log) instead of a phone.
ONEVISIT_SMS_BACKEND = ONEVISIT_SMS_BACKEND or "onevisit.identity.sms.FileBackend"
ONEVISIT_DEMO = True
ONEVISIT_SIGNING_DEMO_KEYS = True  # keys under a demo CA, made on first use
