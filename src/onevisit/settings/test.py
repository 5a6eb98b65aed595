"""Test settings: the database comes from DATABASE_URL (SQLite in memory when unset)."""

import os

from .base import *  # noqa: F403
from .base import HUEY

SECRET_KEY = "test-secret-key"  # noqa: S105
DEBUG = False
ALLOWED_HOSTS = ["*"]
if not os.environ.get("DATABASE_URL"):
    DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}
ONEVISIT_DATA_KEYS = ["dGVzdC1rZXktdGVzdC1rZXktdGVzdC1rZXktdGVzdCE="]
ONEVISIT_LOOKUP_KEY = "test-lookup-key"
HUEY = {**HUEY, "huey_class": "huey.MemoryHuey", "immediate": True}
ONEVISIT_SMS_BACKEND = "onevisit.identity.sms.LocmemBackend"
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
ONEVISIT_SITE_URL = "http://testserver"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
ONEVISIT_SIGNING_DEMO_KEYS = True  # keys under a demo CA, made on first use
