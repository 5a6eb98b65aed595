"""Production settings: refuse to start without secrets and hosts."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import ALLOWED_HOSTS, DATABASES, ONEVISIT_DATA_KEYS, ONEVISIT_LOOKUP_KEY, SECRET_KEY
from .env import env_bool, env_int

if not SECRET_KEY or len(SECRET_KEY) < 32:
    raise ImproperlyConfigured("SECRET_KEY must be set (at least 32 characters) in production.")
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must list the host names this site answers to.")
if not ONEVISIT_DATA_KEYS or not ONEVISIT_LOOKUP_KEY:
    raise ImproperlyConfigured("ONEVISIT_DATA_KEYS and ONEVISIT_LOOKUP_KEY must be set in production.")
if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    raise ImproperlyConfigured("Production runs on PostgreSQL: set DATABASE_URL=postgres://…")

DEBUG = False
# ONEVISIT_SMS_BACKEND has no default here: until it names the SMS gateway, the system check
# identity.E001 stops `migrate` and `check`, and sending a code fails loudly.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
