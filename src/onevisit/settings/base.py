"""Settings shared by every environment. See docs/settings.md for each variable."""

from pathlib import Path

import dj_database_url

from .env import env_bool, env_int, env_list, env_str

PACKAGE_DIR = Path(__file__).resolve().parent.parent
BASE_DIR = Path(env_str("ONEVISIT_HOME") or Path.cwd())
VAR_DIR = Path(env_str("ONEVISIT_VAR_DIR") or BASE_DIR / "var")
VAR_DIR.mkdir(parents=True, exist_ok=True)

SECRET_KEY = env_str("SECRET_KEY") or ""
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_tasks",
    "huey.contrib.djhuey",
    "onevisit.core",
    "onevisit.org",
    "onevisit.identity",
    "onevisit.workflow",
    "onevisit.certificates",
    "onevisit.exchange",
    "onevisit.catalog",
    "onevisit.cases",
    "onevisit.supervision",
    "onevisit.feedback",
    "onevisit.insights",
    "onevisit.portal",
    "onevisit.workbench",
    "onevisit.api",
    "onevisit.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "onevisit.urls"
WSGI_APPLICATION = "onevisit.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "onevisit.portal.context.portal",
            ],
        },
    }
]

_default_db = f"sqlite:///{VAR_DIR / 'onevisit.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(env_str("DATABASE_URL") or _default_db, conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the worker and the web server read while the other writes.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;",
        "transaction_mode": "IMMEDIATE",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Staff sign in with a username (ModelBackend, the admin); applicants with their phone number.
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "onevisit.identity.auth.PhonePasswordBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "Asia/Shanghai") or "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
LANGUAGE_COOKIE_NAME = "onevisit_language"
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [p for p in [BASE_DIR / "node_modules_dist"] if p.is_dir()]
MEDIA_URL = "/media/"
MEDIA_ROOT = VAR_DIR / "media"
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
CATALOG_IMPORT_MAX_BYTES = env_int("CATALOG_IMPORT_MAX_BYTES", 20 * 1024 * 1024)

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "onevisit.api.pagination.Pagination",
    "PAGE_SIZE": 20,
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.SessionAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "EXCEPTION_HANDLER": "onevisit.api.errors.exception_handler",
    "DEFAULT_THROTTLE_RATES": {"anon": "600/min"},
}
SPECTACULAR_SETTINGS = {
    "TITLE": "onevisit API",
    "DESCRIPTION": "最多跑一次 一体化政务服务平台 — the public catalogue of powers, service items and bundles.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "WorkItemStatusEnum": "onevisit.workflow.models.WorkItem.Status",
        "CaseStatusEnum": "onevisit.cases.models.Case.Status",
        "StatusEnum": "onevisit.catalog.models.ServiceItem.Status",
        "CreditKindEnum": "onevisit.identity.models.CreditKind",
    },
}

# Background jobs: the Django tasks API, run by Huey (SQLite storage by default, Redis when set).
HUEY_REDIS_URL = env_str("HUEY_REDIS_URL")
if HUEY_REDIS_URL:
    HUEY = {
        "name": "onevisit",
        "huey_class": "huey.PriorityRedisHuey",
        "url": HUEY_REDIS_URL,
        "immediate": False,
    }
else:
    HUEY = {
        "name": "onevisit",
        "huey_class": "huey.SqliteHuey",
        "filename": str(VAR_DIR / "tasks.sqlite3"),
        "immediate": False,
    }
TASKS = {"default": {"BACKEND": "huey.contrib.djhuey.tasks_backend.HueyBackend", "ENQUEUE_ON_COMMIT": True}}

# Personal data: Fernet keys (comma-separated, first one encrypts) and the key of lookup hashes.
ONEVISIT_DATA_KEYS = env_list("ONEVISIT_DATA_KEYS", [])
ONEVISIT_LOOKUP_KEY = env_str("ONEVISIT_LOOKUP_KEY") or ""

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO") or "INFO"},
    # SpiffWorkflow logs every task state change at INFO.
    "loggers": {"jieba": {"level": "WARNING"}, "huey": {"level": "INFO"}, "spiff": {"level": "WARNING"}},
}

ONEVISIT_SEARCH_MAX_QUERY = 100
ONEVISIT_SERVICE_HOTLINE = env_str("ONEVISIT_SERVICE_HOTLINE", "12345") or "12345"

# SMS one-time codes (短信验证码). The backend is a dotted path; production must name one.
ONEVISIT_SMS_BACKEND = env_str("ONEVISIT_SMS_BACKEND") or ""
ONEVISIT_SMS_FILE_PATH = VAR_DIR / "sms"
ONEVISIT_OTP_TTL = 5 * 60  # seconds a code stays valid
ONEVISIT_OTP_INTERVAL = 60  # seconds between two codes to one phone
ONEVISIT_OTP_DAILY_LIMIT = 10  # codes per phone in 24 hours
ONEVISIT_OTP_MAX_ATTEMPTS = 5  # wrong entries before a code stops working

# Password log-in throttling (applicants and staff), counted in the database (decision 0006).
ONEVISIT_LOGIN_MAX_FAILURES = env_int("ONEVISIT_LOGIN_MAX_FAILURES", 5)  # per account name or number
ONEVISIT_LOGIN_MAX_FAILURES_PER_IP = env_int("ONEVISIT_LOGIN_MAX_FAILURES_PER_IP", 30)
ONEVISIT_LOGIN_WINDOW_MINUTES = env_int("ONEVISIT_LOGIN_WINDOW_MINUTES", 15)
# Reverse proxies in front of the application that append to X-Forwarded-For (0: use REMOTE_ADDR).
ONEVISIT_TRUSTED_PROXY_COUNT = env_int("ONEVISIT_TRUSTED_PROXY_COUNT", 0)

# The site's public address: links in emails and the QR codes printed on certificates start with it.
# Email (case notifications and address confirmation).
ONEVISIT_SITE_URL = env_str("ONEVISIT_SITE_URL") or ""
EMAIL_BACKEND = env_str("EMAIL_BACKEND") or "django.core.mail.backends.smtp.EmailBackend"
EMAIL_HOST = env_str("EMAIL_HOST", "localhost") or "localhost"
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER") or ""
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD") or ""
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL") or "onevisit <noreply@localhost>"
ONEVISIT_EMAIL_CONFIRM_HOURS = 24  # a confirmation link works this long
ONEVISIT_EMAIL_CONFIRM_INTERVAL = 60  # seconds between two confirmation emails of one account
ONEVISIT_EMAIL_CONFIRM_DAILY_LIMIT = 5  # confirmation emails per account in 24 hours

# Electronic certificates (电子证照): signing keys and share links. QR codes point to ONEVISIT_SITE_URL.
ONEVISIT_SIGNING_DIR = Path(env_str("ONEVISIT_SIGNING_DIR") or VAR_DIR / "keys")
ONEVISIT_SIGNING_DEMO_KEYS = False  # demo and tests: make missing keys under a demo CA on first use
ONEVISIT_SHARE_MAX_DAYS = 30  # longest life of a certificate share link (授权用证)

# 容缺受理: working days from acceptance to supply a missing material (capped by the promised limit),
# and how many working days before that deadline the applicant is reminded.
ONEVISIT_TOLERANCE_DAYS = env_int("ONEVISIT_TOLERANCE_DAYS", 10)
ONEVISIT_TOLERANCE_REMIND_DAYS = env_int("ONEVISIT_TOLERANCE_REMIND_DAYS", 2)
ONEVISIT_POST_CHECK_RATIO = env_int(
    "ONEVISIT_POST_CHECK_RATIO", 10
)  # 事后核查: percent of cases sampled by default
# 电子监察: the share of its time a case or step may use before its yellow card (RULES.md "Alarms").
ONEVISIT_ALARM_YELLOW_SHARE = float(env_str("ONEVISIT_ALARM_YELLOW_SHARE") or 0.8)

# 好差评: a bad rating from a named rater is called back within ONEVISIT_RATING_CALLBACK_DAYS working
# days and rectified within ONEVISIT_RATING_RECTIFY_DAYS (Zhejiang's rule); a finished case can be
# rated for ONEVISIT_RATING_WINDOW_DAYS calendar days after its decision (and a follow-up rating made
# as long after the rectification).
ONEVISIT_RATING_CALLBACK_DAYS = env_int("ONEVISIT_RATING_CALLBACK_DAYS", 1)
ONEVISIT_RATING_RECTIFY_DAYS = env_int("ONEVISIT_RATING_RECTIFY_DAYS", 15)
ONEVISIT_RATING_WINDOW_DAYS = env_int("ONEVISIT_RATING_WINDOW_DAYS", 30)
# 投诉: complaints accepted per hour from one logged-in person, or from one network without logging in.
ONEVISIT_COMPLAINTS_PER_HOUR = env_int("ONEVISIT_COMPLAINTS_PER_HOUR", 5)

ONEVISIT_DEMO = False
