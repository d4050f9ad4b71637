"""MUSQAT settings: one module, configured by the environment.

With nothing set, the site runs locally on an SQLite file with eager Celery
tasks and console mail. Production sets DATABASE_URL, CELERY_BROKER_URL,
SECRET_KEY, DEBUG=0 and ALLOWED_HOSTS.
"""

import datetime
import os
from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()


def envbool(name: str, default: str) -> bool:
    value = os.environ.get(name, default).strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off", ""):
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), got {value!r}")


def envint(name: str, default: str) -> int:
    value = os.environ.get(name, default)
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, got {value!r}") from None


def envlist(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = envbool("DEBUG", "1")
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off")
    SECRET_KEY = "local-development-only-not-secret"
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    # modeltranslation patches the admin, so it comes before it.
    "modeltranslation",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "import_export",
    "simple_history",
    "musqat.apps.MusqatConfig",
    "municipalities",
    "indicators",
    "assessments",
    "grants",
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
    "simple_history.middleware.HistoryRequestMiddleware",
]

ROOT_URLCONF = "musqat.urls"
WSGI_APPLICATION = "musqat.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "musqat.context_processors.site",
            ],
        },
    },
]

DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
# Redis (CACHE_URL=redis://127.0.0.1:6379/1) when several processes serve the site,
# so that publishing clears the page cache of all of them.
CACHES = {"default": env.cache_url("CACHE_URL", default="locmemcache://musqat")}
# How long an anonymous public page is kept; publishing clears them all anyway.
PUBLIC_PAGE_SECONDS = envint("PUBLIC_PAGE_SECONDS", "600")
# Shown on the About page when set.
CONTACT_EMAIL = os.environ.get("MUSQAT_CONTACT_EMAIL", "")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Languages: Georgian first, English second.
LANGUAGE_CODE = "ka"
LANGUAGES = [("ka", _("Georgian")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["musqat.formats"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "Asia/Tbilisi"

MODELTRANSLATION_DEFAULT_LANGUAGE = "ka"
MODELTRANSLATION_LANGUAGES = ("ka", "en")
MODELTRANSLATION_FALLBACK_LANGUAGES = {"default": ("ka",), "ka": ("en",)}

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
# Files only staff may read (exports): outside MEDIA_ROOT, so no /media/ address serves them.
PRIVATE_ROOT = Path(os.environ.get("PRIVATE_ROOT", BASE_DIR / "private"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# CSO monitors sign in to their workspace; staff sign in to the admin.
LOGIN_URL = "monitor:login"
LOGIN_REDIRECT_URL = "monitor:dashboard"
# Links in emails point here.
SITE_URL = os.environ.get("MUSQAT_SITE_URL", "http://127.0.0.1:8000")
# Evidence files: PDF, images or office documents, up to this size each.
EVIDENCE_MAX_BYTES = envint("EVIDENCE_MAX_BYTES", str(10 * 1024 * 1024))
IMPORT_MAX_BYTES = envint("IMPORT_MAX_BYTES", str(10 * 1024 * 1024))
FILE_UPLOAD_PERMISSIONS = 0o640

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Mail: console backend unless EMAIL_URL is set (smtp://user:pass@host:587 etc.).
if os.environ.get("EMAIL_URL"):
    vars().update(env.email_url("EMAIL_URL"))
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "MUSQAT <noreply@musqat.local>")

# Celery: with no broker configured, tasks run eagerly in process.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
if CELERY_TASK_ALWAYS_EAGER:
    CELERY_BROKER_URL = "memory://"  # never used; it only keeps the client from guessing one
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND") or None
# A job is acknowledged only when it ends, so a worker killed half-way leaves it to
# be delivered again: at once if the pool lost a process, after the visibility
# timeout if the whole worker died.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": envint("CELERY_VISIBILITY_TIMEOUT", "900"),
}
# Queuing gives up after about two seconds when the broker is down; the sweep retries.
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 3, "interval_start": 0, "interval_step": 0.5, "interval_max": 1,
}  # fmt: skip
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Layout engines hold on to memory; a fresh process now and then keeps a worker small.
CELERY_WORKER_MAX_TASKS_PER_CHILD = envint("CELERY_WORKER_MAX_TASKS_PER_CHILD", "100")
CELERY_TASK_DEFAULT_QUEUE = "celery"
CELERY_TASK_ROUTES = {
    "assessments.tasks.render_pdf": {"queue": "pdf"},
    "assessments.tasks.sweep_pdfs": {"queue": "pdf"},
    "assessments.tasks.send_notification": {"queue": "mail"},
}
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = {
    # A right of reply ends after its last day; the assessment then goes to review.
    "close-expired-replies": {
        "task": "assessments.tasks.close_expired_replies",
        "schedule": crontab(hour=0, minute=10),
    },
    # Published documents whose PDF is missing, failed, stale or lost in the queue.
    "sweep-pdfs": {
        "task": "assessments.tasks.sweep_pdfs",
        "schedule": crontab(minute="*/15"),
    },
}

# PDFs: rendered when results are published (off only in tests that do not need them).
RENDER_PDFS = envbool("MUSQAT_RENDER_PDFS", "1")
# A PDF queued this long ago and still not done is queued again by the sweep.
RENDER_STUCK_AFTER = datetime.timedelta(minutes=envint("MUSQAT_RENDER_STUCK_MINUTES", "30"))

# The site says plainly when demonstration data is shown.
DEMO_MODE = envbool("MUSQAT_DEMO", "1")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # The layout engine reports every step at INFO.
    "loggers": {"weasyprint": {"level": "WARNING"}, "fontTools": {"level": "WARNING"}},
}

if not DEBUG:
    SESSION_COOKIE_SECURE = envbool("SECURE_COOKIES", "1")
    CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
    SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", "0")
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
