"""Kefu settings: one module, configured from environment variables.

Every variable is listed in README.md's configuration table. Nothing here reads a
secret from the repository; development defaults are safe only on a developer's
machine, and `KEFU_DEBUG=0` refuses to start without a real SECRET_KEY.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent.parent


def env_str(name: str, default: str) -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    if raw.lower() in {"1", "true", "yes", "on"}:
        return True
    if raw.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), not {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, not {raw!r}") from exc


DATA_DIR = Path(env_str("KEFU_DATA_DIR", str(PROJECT_DIR / "var")))
DATA_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env_bool("KEFU_DEBUG", True)
_DEV_SECRET = "kefu-development-only-secret-key-change-me-in-production"  # noqa: S105
SECRET_KEY = env_str("SECRET_KEY", _DEV_SECRET)
if not DEBUG and SECRET_KEY == _DEV_SECRET:
    raise ImproperlyConfigured("Set SECRET_KEY when KEFU_DEBUG=0")

# Key for personal data at rest (ID and phone numbers). Separate from SECRET_KEY so
# that rotating sessions never makes stored phone numbers unreadable.
FIELD_ENCRYPTION_KEY = env_str("KEFU_FIELD_KEY", SECRET_KEY)

ALLOWED_HOSTS = [h.strip() for h in env_str("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")]
CSRF_TRUSTED_ORIGINS = [o.strip() for o in env_str("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "template_partials",
    "rules.apps.AutodiscoverRulesConfig",
    "django_tasks",
    "django_tasks_db",
    "ninja",
    "kefu.core",
    "kefu.accounts",
    "kefu.customers",
    "kefu.notify",
    "kefu.operations",
    "kefu.tickets",
    "kefu.visits",
    "kefu.surveys",
    "kefu.standards",
    "kefu.audits",
    "kefu.improvement",
    "kefu.api",
    "kefu.portal",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "kefu.core.middleware.RejectNulCharactersMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "kefu.accounts.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "kefu.urls"
WSGI_APPLICATION = "kefu.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "kefu.core.context_processors.calendar_warnings",
                "kefu.notify.context_processors.unread_notifications",
            ],
            "builtins": ["template_partials.templatetags.partials"],
        },
    }
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{DATA_DIR / 'kefu.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Planner settings for an OLTP database held in memory (or on SSD), per connection so they hold
    # without touching the server: a random read costs about what a sequential one does, so a keyword
    # search drives from its matching tokens instead of scanning every case; and JIT compilation
    # (30-50 ms) never pays off for the queries of a page; nor do parallel workers on a small server,
    # where they compete with the other requests for the same cores (a common word's count at a million
    # cases: 173 ms with two workers, 94 ms without; the KPI month 3.9 s, 3.6 s). Replace with
    # DATABASE_PG_OPTIONS (a server with many cores may want parallel workers back).
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = env_str(
        "DATABASE_PG_OPTIONS", "-c random_page_cost=1.1 -c jit=off -c max_parallel_workers_per_gather=0"
    )
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the worker write while pages read; IMMEDIATE avoids lock upgrades
    # that would otherwise fail under concurrent writers.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=20000;",
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTHENTICATION_BACKENDS = [
    "rules.permissions.ObjectPermissionBackend",
    "kefu.accounts.backends.PasswordBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Failed logins before an account is locked, and for how long.
LOGIN_FAILURE_LIMIT = env_int("KEFU_LOGIN_FAILURE_LIMIT", 5)
LOGIN_LOCKOUT_MINUTES = env_int("KEFU_LOGIN_LOCKOUT_MINUTES", 15)

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English"), ("zh-hant", "繁體中文")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("KEFU_TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = DATA_DIR / "staticfiles"
MEDIA_URL = "media/"
MEDIA_ROOT = DATA_DIR / "media"

TASKS = {
    "default": {
        "BACKEND": env_str("KEFU_TASK_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "127.0.0.1")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "kefu@localhost")

# E-mail intake: `manage.py mail_intake` listens here; the company MTA forwards the service mailbox to it.
KEFU_MAIL_INTAKE_HOST = env_str("KEFU_MAIL_INTAKE_HOST", "127.0.0.1")
KEFU_MAIL_INTAKE_PORT = env_int("KEFU_MAIL_INTAKE_PORT", 2525)
KEFU_MAIL_INTAKE_ADDRESS = env_str("KEFU_MAIL_INTAKE_ADDRESS", "kefu@localhost")
# Links in messages to customers (the tracking page) start with this address.
# Webhooks may POST to private, loopback and link-local addresses only when this is set, or, one
# by one, inside these networks (comma-separated, e.g. "10.8.0.0/16,192.168.10.5/32": the ERP's).
KEFU_WEBHOOK_ALLOW_PRIVATE = env_bool("KEFU_WEBHOOK_ALLOW_PRIVATE", False)
KEFU_WEBHOOK_PRIVATE_NETWORKS = [
    n.strip() for n in env_str("KEFU_WEBHOOK_PRIVATE_NETWORKS", "").split(",") if n.strip()
]
KEFU_BASE_URL = env_str("KEFU_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
# The company name scripts and care messages speak for ({company} in a visit script).
KEFU_COMPANY_NAME = env_str("KEFU_COMPANY_NAME", "客服物流")
# No SMS to customers inside these local-time periods (KEFU_TIME_ZONE) unless the case is major.
KEFU_QUIET_HOURS = env_str("KEFU_QUIET_HOURS", "12:00-14:00,21:00-09:00")

SMS_BACKEND = env_str("KEFU_SMS_BACKEND", "kefu.notify.sms.FileSmsBackend")
SMS_FILE_PATH = Path(env_str("KEFU_SMS_FILE", str(DATA_DIR / "sms-outbox.log")))

MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("KEFU_LOG_LEVEL", "WARNING")},
    "loggers": {"jieba": {"level": "ERROR"}},
}

if not DEBUG:
    SESSION_COOKIE_SECURE = env_bool("KEFU_SECURE_COOKIES", True)
    CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE

NINJA_PAGINATION_PER_PAGE = 50
NINJA_PAGINATION_MAX_LIMIT = 500
