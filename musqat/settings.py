"""MUSQAT settings: one module, configured by the environment.

DEBUG is off unless set. With DEBUG=1 (which `make` sets) and nothing else, the
site runs locally on an SQLite file with eager Celery tasks and console mail.
Production sets SECRET_KEY, ALLOWED_HOSTS, DATABASE_URL, CELERY_BROKER_URL and
the rest of .env.example, and then gets HTTPS only (a redirect,
HSTS, secure cookies). pytest gets the local defaults.
"""

import datetime
import os
from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONE, SELF, UNSAFE_INLINE
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


# pytest sets PYTEST_VERSION for its whole run (and so for the Celery workers that the
# integration tests start); a test run gets the local defaults, anything else production's.
TESTING = "PYTEST_VERSION" in os.environ
DEBUG = envbool("DEBUG", "1" if TESTING else "0")
DEVELOPMENT_SECRET_KEY = "local-development-only-not-secret"
# Keys that have been published (here, and as docker-compose.yml's old default) sign
# nothing in production: anyone could forge sessions and password-reset links with them.
PUBLIC_SECRET_KEYS = {DEVELOPMENT_SECRET_KEY, "change-me", "changeme", "secret"}
SECRET_KEY = os.environ.get("SECRET_KEY", "").strip()
if not DEBUG and (
    not SECRET_KEY
    or SECRET_KEY.lower() in PUBLIC_SECRET_KEYS
    or SECRET_KEY.startswith("django-insecure-")
):
    raise ImproperlyConfigured(
        "SECRET_KEY must be set to a long random value of your own when DEBUG is off "
        "(see .env.example); for local development set DEBUG=1"
    )
SECRET_KEY = SECRET_KEY or DEVELOPMENT_SECRET_KEY
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", "")
# A form whose CSRF check failed (mostly one sent after the session ended) gets a page in
# the person's language that offers to reload it, not Django's page for developers.
CSRF_FAILURE_VIEW = "musqat.refusals.csrf_failure"

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
    "csp",
    # django-axes, under a name staff understand. Before assessments, so that its
    # permissions exist when ensure_groups gives them to project staff after a migrate.
    "musqat.apps.LoginAttemptsConfig",
    "musqat.apps.MusqatConfig",
    "municipalities",
    "indicators",
    "assessments",
    "grants",
]

MIDDLEWARE = [
    # First: every request gets its id (and its line in the log), whatever answers it.
    "musqat.logs.RequestIdMiddleware",
    # Then /healthz, before the host check: load balancers ask by address.
    "musqat.health.HealthzMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # A stored public page, for a visitor with no session, is answered here (musqat/cache.py).
    "musqat.cache.PublicPageMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it turns a refused sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
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
# A connection is kept for this many seconds, to be reused by the next requests, and is
# checked before each request reuses it, so a database that restarted meanwhile costs a
# reconnection, not an error.
DATABASES["default"]["CONN_MAX_AGE"] = envint("CONN_MAX_AGE", "60")
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# Redis (CACHE_URL=redis://127.0.0.1:6379/1) when several processes serve the site,
# so that publishing clears the page cache of all of them.
CACHES = {"default": env.cache_url("CACHE_URL", default="locmemcache://musqat")}
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
    # A Redis that cannot be reached is an empty cache, not an error (musqat/redis_cache.py).
    CACHES["default"]["BACKEND"] = "musqat.redis_cache.ForgivingRedisCache"
    CACHES["default"]["OPTIONS"] = {
        "socket_connect_timeout": 1, "socket_timeout": 1, **CACHES["default"].get("OPTIONS", {}),
    }  # fmt: skip
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

# Sign-in throttling (django-axes) on every login form (the admin's, the monitor's): after
# LOGIN_FAILURE_LIMIT wrong passwords for one username from one address, that username is
# refused from that address for LOGIN_LOCKOUT_MINUTES (each further try starts the pause
# again), with the lockout page and status 429. Keyed on the pair, so that a colleague's
# typos behind the same office address lock nobody else out. Project staff lift a lockout
# in the admin (Sign-in protection → Failed sign-ins → "Unlock"); a successful sign-in
# clears the count.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = envint("LOGIN_FAILURE_LIMIT", "5")
AXES_COOLOFF_TIME = datetime.timedelta(minutes=envint("LOGIN_LOCKOUT_MINUTES", "30"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "musqat.security.lockout_response"
AXES_CLIENT_IP_CALLABLE = "musqat.security.client_ip"
AXES_VERBOSE = False

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
# An action of an adopted plan with no progress update for this many days is "stale".
ACTION_STALE_DAYS = envint("ACTION_STALE_DAYS", "90")
IMPORT_MAX_BYTES = envint("IMPORT_MAX_BYTES", str(10 * 1024 * 1024))
# What an imported spreadsheet may hold, checked before and while it is read.
# The largest real import, a matrix of 1,000 indicators, unpacks to about 4 MB of 30 columns.
IMPORT_MAX_UNCOMPRESSED_BYTES = envint("IMPORT_MAX_UNCOMPRESSED_BYTES", str(20 * 1024 * 1024))
IMPORT_MAX_COMPRESSION_RATIO = envint("IMPORT_MAX_COMPRESSION_RATIO", "100")  # workbooks: ~10
IMPORT_MAX_ARCHIVE_MEMBERS = envint("IMPORT_MAX_ARCHIVE_MEMBERS", "1000")  # workbooks: ~10
IMPORT_MAX_ROWS = envint("IMPORT_MAX_ROWS", "10000")
IMPORT_MAX_COLUMNS = envint("IMPORT_MAX_COLUMNS", "100")
IMPORT_MAX_CELL_CHARS = envint("IMPORT_MAX_CELL_CHARS", "32767")  # Excel's own limit
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
# A broker that needs no server, for `make run`: each message is a file in a folder that
# the site and its worker share (kombu's filesystem transport).
if CELERY_BROKER_URL.startswith("filesystem://"):
    BROKER_FOLDER = Path(os.environ.get("MUSQAT_BROKER_FOLDER", BASE_DIR / "var" / "broker"))
    for folder in ("queue", "processed", "control"):
        (BROKER_FOLDER / folder).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS |= {
        "data_folder_in": str(BROKER_FOLDER / "queue"),
        "data_folder_out": str(BROKER_FOLDER / "queue"),
        "processed_folder": str(BROKER_FOLDER / "processed"),
        # Where the transport keeps its table of exchanges (else ./control/).
        "control_folder": str(BROKER_FOLDER / "control"),
        "store_processed": False,
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
    "grants.tasks.send_grant_notification": {"queue": "mail"},
    "grants.tasks.render_call_pdf": {"queue": "pdf"},
    "assessments.tasks.send_plan_notification": {"queue": "mail"},
}
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = {
    # Grantee reports: reminders before, on and after their fixed due dates.
    "remind-grant-reports": {
        "task": "grants.tasks.remind_reports",
        "schedule": crontab(hour=9, minute=0),
    },
    # Action plans: overdue actions marked delayed; overdue, stale and unverified actions
    # announced to the municipality and the monitoring organisations, once per change.
    "check-action-plans": {
        "task": "assessments.tasks.check_action_plans",
        "schedule": crontab(hour=8, minute=30),
    },
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

# Logs go to standard output: one JSON object a line with the request's id in production
# (LOG_FORMAT=json, the default when DEBUG is off), plain lines in development
# (musqat/logs.py). Each request ends with a line of its own on "musqat.requests".
LOG_FORMAT = os.environ.get("LOG_FORMAT", "text" if DEBUG else "json").strip().lower()
if LOG_FORMAT not in ("json", "text"):
    raise ImproperlyConfigured("LOG_FORMAT must be json or text")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "musqat.logs.RequestIdFilter"}},
    "formatters": {
        "json": {"()": "musqat.logs.JsonFormatter"},
        "text": {"format": "%(asctime)s %(levelname)s %(name)s %(request_id)s %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "filters": ["request_id"],
            "formatter": LOG_FORMAT,
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # The layout engine reports every step at INFO.
    # django-axes reports every sign-in at INFO; repeated failures and lockouts are warnings.
    # Django's own line per failed request would repeat musqat.requests'.
    "loggers": {
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
        "django.request": {"level": "ERROR"},
        # Each job's start and end: INFO in production, less beside `make run`.
        "celery": {"level": os.environ.get("CELERY_LOG_LEVEL", "INFO")},
        # A line per request in production; development's runserver prints its own.
        "musqat.requests": {"level": "INFO" if LOG_FORMAT == "json" else "WARNING"},
    },
}
# Celery's workers log through the same handlers, not a format of their own.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

# Content-Security-Policy on every response (django-csp). Scripts come only from our own
# static files: no inline <script>, no on…= attributes, no eval. Styles allow 'unsafe-inline'
# because style attributes carry data (grade-band colours that staff edit per methodology,
# progress widths), the packaged admin templates (import-export, simple-history) use them,
# and the charts' <style> is shared with the PDFs; a nonce would not do, since the anonymous
# page cache keeps a page's body but not its headers. With scripts, plugins, <base> and
# form targets locked down, injected CSS has little left to reach.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, UNSAFE_INLINE],
        # Bootstrap draws its form controls with data: SVG images.
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# Behind a reverse proxy that terminates TLS (MUSQAT_BEHIND_PROXY=1), the proxy's
# X-Forwarded-Proto, X-Forwarded-Host and X-Forwarded-For are believed. The proxy must set
# the first two itself, overwriting whatever the client sent, and append the client's
# address to the third, and the site must be reachable only through it. Otherwise these
# headers are ignored: a client could claim https or another host in them (and so poison the
# links of a cached page), or a new address with every guessed password.
BEHIND_PROXY = envbool("MUSQAT_BEHIND_PROXY", "0")
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    USE_X_FORWARDED_HOST = True

# Production (DEBUG off, outside tests) is served over HTTPS only.
if not DEBUG and not TESTING:
    SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", "1")
    # Health checks come from inside, over plain HTTP.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", str(365 * 24 * 60 * 60))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SECURE_HSTS_INCLUDE_SUBDOMAINS", "1")
    # Asking browsers to hard-code the domain as HTTPS-only is the domain owner's choice.
    SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", "0")
    SESSION_COOKIE_SECURE = envbool("SECURE_COOKIES", "1")
    CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE

# Limits on one request; musqat/bad_requests.py answers each with a translated 400 page.
# The whole body, judged by its Content-Length before any of it is read: room for a few
# evidence files, or one import, with the form around them.
REQUEST_MAX_BYTES = envint("REQUEST_MAX_BYTES", str(30 * 1024 * 1024))
if max(EVIDENCE_MAX_BYTES, IMPORT_MAX_BYTES) > REQUEST_MAX_BYTES:
    raise ImproperlyConfigured(
        "REQUEST_MAX_BYTES must be at least EVIDENCE_MAX_BYTES and IMPORT_MAX_BYTES"
    )
# Evidence files added in one save; the answer forms refuse more and keep what was typed.
EVIDENCE_MAX_FILES = envint("EVIDENCE_MAX_FILES", "10")
# Django counts every file input of a form, chosen or left empty, and a data-entry page
# has one per indicator of an area: this guards the parser, far above any page's count.
DATA_UPLOAD_MAX_NUMBER_FILES = envint("DATA_UPLOAD_MAX_NUMBER_FILES", "200")
# A data-entry page sends about 16 fields per indicator (each answer field twice: as shown
# and as typed); Django's default of 1,000 would refuse an area of some 60 indicators.
DATA_UPLOAD_MAX_NUMBER_FIELDS = envint("DATA_UPLOAD_MAX_NUMBER_FIELDS", "5000")
# The text of one form, files apart: long evidence in both languages for a whole area.
DATA_UPLOAD_MAX_MEMORY_SIZE = envint("DATA_UPLOAD_MAX_MEMORY_SIZE", str(5 * 1024 * 1024))
# An upload larger than this (2.5 MB) waits in a temporary file rather than in memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = envint("FILE_UPLOAD_MAX_MEMORY_SIZE", "2621440")
# After the middleware whose headers every response needs (the CSP among them), before
# the views and the CSRF check, which reads the form.
MIDDLEWARE.insert(
    MIDDLEWARE.index("simple_history.middleware.HistoryRequestMiddleware"),
    "musqat.bad_requests.RequestLimitsMiddleware",
)
