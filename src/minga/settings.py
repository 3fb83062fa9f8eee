"""minga settings: one module, driven by the environment.

Development needs no variable at all. Production is ``MINGA_DEBUG=0`` with ``MINGA_SECRET_KEY``
and ``MINGA_ALLOWED_HOSTS`` set; ``DATABASE_URL`` switches from the SQLite file to PostgreSQL.
Every value is checked here, and a bad one stops start-up with a message naming the variable.
"""

import os
import re
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

PACKAGE_DIR = Path(__file__).resolve().parent

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean: use 1/0, true/false, yes/no.")


def env_int(name: str, default: int, *, minimum: int = 0) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not an integer.") from None
    if value < minimum:
        raise ImproperlyConfigured(f"{name}={raw!r} must be at least {minimum}.")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_url(name: str, default: str) -> str:
    value = env_str(name, default).strip()
    if value and not value.startswith(("https://", "http://")):
        raise ImproperlyConfigured(
            f"{name}={value!r} must be an http:// or https:// URL, or empty."
        )
    return value


DEBUG = env_bool("MINGA_DEBUG", True)
DATA_DIR = Path(env_str("MINGA_DATA_DIR", str(Path.cwd() / "var"))).resolve()

_DEV_SECRET = "minga-development-key-never-use-in-production"  # noqa: S105
SECRET_KEY = env_str("MINGA_SECRET_KEY", _DEV_SECRET if DEBUG else "")
if not DEBUG and (SECRET_KEY in ("", _DEV_SECRET) or len(SECRET_KEY) < 50):
    raise ImproperlyConfigured(
        "MINGA_DEBUG=0 needs MINGA_SECRET_KEY: a random string of at least 50 characters "
        '(python -c "import secrets; print(secrets.token_urlsafe(64))").'
    )

ALLOWED_HOSTS = env_list(
    "MINGA_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"] if DEBUG else []
)
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured(
        "MINGA_DEBUG=0 needs MINGA_ALLOWED_HOSTS, e.g. MINGA_ALLOWED_HOSTS=minga.example.org"
    )
CSRF_TRUSTED_ORIGINS = env_list("MINGA_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "axes",
    "django_tasks_db",
    "ninja",  # serves Swagger UI for /api/v1/docs from our static files, not a CDN
    "minga.core",
    "minga.ledger",
    "minga.tables",
    "minga.meetings",
    "minga.roadmap",
    "minga.agreements",
    "minga.library",
    "minga.decisions",
    "minga.initiatives",
    "minga.monitoring",
    "minga.labels",
    "minga.satellite",
    "minga.health",
    "minga.credits",
    "minga.funds",
    "minga.portal",
    "minga.work",
    "minga.offline",
    "minga.notices",
    "minga.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "minga.core.middleware.RefuseNulMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.gzip.GZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "minga.core.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
    "minga.core.middleware.DatabaseUnavailableMiddleware",
    "minga.offline.middleware.ViewerMiddleware",
]

ROOT_URLCONF = "minga.urls"
WSGI_APPLICATION = "minga.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "minga.core.context_processors.minga",
                "minga.offline.context_processors.offline",
            ],
        },
    }
]

# --- database --------------------------------------------------------------------------------
_default_db_url = f"sqlite:///{DATA_DIR / 'minga.sqlite3'}"
_db_url = env_str("DATABASE_URL", _default_db_url)
if _db_url == _default_db_url:
    DATA_DIR.mkdir(parents=True, exist_ok=True)
try:
    _db = dj_database_url.parse(_db_url, conn_max_age=env_int("MINGA_DB_CONN_MAX_AGE", 0))
except ValueError as exc:
    raise ImproperlyConfigured(f"DATABASE_URL={_db_url!r} is not a database URL: {exc}") from None
if _db["ENGINE"] not in ("django.db.backends.sqlite3", "django.db.backends.postgresql"):
    raise ImproperlyConfigured(
        f"DATABASE_URL must be sqlite:/// or postgres://, not {_db['ENGINE']}."
    )
if _db["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers work while one writer commits; IMMEDIATE takes the write lock up front
    # so concurrent writers queue instead of failing with "database is locked".
    _db["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        # seconds a write waits for another's lock before the request answers 503
        "timeout": env_int("MINGA_SQLITE_TIMEOUT", 20),
    }
    _db.setdefault("TEST", {})["NAME"] = ""
else:
    # On PostgreSQL every request is one transaction: a connection lost half-way leaves nothing
    # half-written (SQLite is embedded and takes its write lock only when a service writes).
    _db["ATOMIC_REQUESTS"] = True
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- background tasks ------------------------------------------------------------------------
_tasks_backend = env_str("MINGA_TASKS_BACKEND", "database")
_TASK_BACKENDS = {
    "database": "django_tasks_db.DatabaseBackend",
    "immediate": "django.tasks.backends.immediate.ImmediateBackend",
}
if _tasks_backend not in _TASK_BACKENDS:
    raise ImproperlyConfigured(
        f"MINGA_TASKS_BACKEND={_tasks_backend!r}: use one of {', '.join(_TASK_BACKENDS)}."
    )
TASKS = {"default": {"BACKEND": _TASK_BACKENDS[_tasks_backend], "QUEUES": ["default"]}}

# --- authentication --------------------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "network"
LOGOUT_REDIRECT_URL = "network"

# Repeated failed logins for one username from one address are locked out for a while.
AXES_FAILURE_LIMIT = env_int("MINGA_LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = env_int("MINGA_LOGIN_COOLOFF_MINUTES", 15, minimum=1) / 60
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_CALLABLE = "minga.core.views.lockout"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False

# --- i18n ------------------------------------------------------------------------------------
LANGUAGE_CODE = "es"
LANGUAGES = [("es", "Español"), ("pt", "Português"), ("en", "English")]
LANGUAGE_COOKIE_NAME = "minga_lang"
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_SAMESITE = "Lax"
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = env_str("MINGA_TIME_ZONE", "America/Guayaquil")

# --- static files ----------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("MINGA_STATIC_ROOT", str(DATA_DIR / "static")))
if DEBUG:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise serves from finders meanwhile
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MINGA_MEDIA_ROOT", str(DATA_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "minga.core.storage.StaticStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# --- maps ------------------------------------------------------------------------------------
# No tile URL (the default) means no request ever leaves the server: maps draw their vector
# layers on a plain background. Set e.g. https://tile.openstreetmap.org/{z}/{x}/{y}.png
MINGA_TILE_URL = env_str("MINGA_TILE_URL", "")
MINGA_TILE_ATTRIBUTION = env_str("MINGA_TILE_ATTRIBUTION", "")
# The transparency log: its origin line (C2SP tlog-checkpoint) and the signing key's file, which
# lives outside the database (create it with `minga keys init`).
# Where this minga is reachable: absolute links in open data (IATI document links, packages).
MINGA_SITE_URL = env_str("MINGA_SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# The Local Contexts Hub, where communities keep their TK and BC labels (minga.labels caches
# a project's labels; pages never ask the Hub). The key is a Hub account's API key.
MINGA_LOCALCONTEXTS_URL = env_str("MINGA_LOCALCONTEXTS_URL", "https://localcontextshub.org")
MINGA_LOCALCONTEXTS_API_KEY = env_str("MINGA_LOCALCONTEXTS_API_KEY", "")
# The credit registry's name where other registries read it (Climate Action Data Trust exports).
MINGA_REGISTRY_NAME = env_str("MINGA_REGISTRY_NAME", "minga")
# IATI identifiers for organizations that have none registered: PREFIX-<public id>.
MINGA_IATI_PREFIX = env_str("MINGA_IATI_PREFIX", "XI-MINGA")
MINGA_LOG_ORIGIN = env_str("MINGA_LOG_ORIGIN", "minga.localhost/log")
# Seals field servers' tokens (see core.secrets); keep it, like the log key, out of backups.
MINGA_SECRETS_KEY_FILE = Path(
    env_str("MINGA_SECRETS_KEY_FILE", str(DATA_DIR / "keys" / "secrets.key"))
)
MINGA_SYNC_TIMEOUT = env_int("MINGA_SYNC_TIMEOUT", 30, minimum=1)
MINGA_SYNC_RETRIES = env_int("MINGA_SYNC_RETRIES", 3, minimum=0)
# Field servers on this machine's own or link-local addresses (refused unless this is on).
MINGA_SYNC_LOCAL_SERVERS = env_bool("MINGA_SYNC_LOCAL_SERVERS", False)
MINGA_LOG_KEY_FILE = Path(env_str("MINGA_LOG_KEY_FILE", str(DATA_DIR / "keys" / "log.key")))
# Witnesses (minga witnesses add …): how long to wait for each, and how often to try again.
MINGA_WITNESS_TIMEOUT = env_int("MINGA_WITNESS_TIMEOUT", 5, minimum=1)
MINGA_WITNESS_RETRIES = env_int("MINGA_WITNESS_RETRIES", 2, minimum=0)
# Notices by SMS and WhatsApp (README, "Notices"): the operator's gateways. Empty: not offered.
MINGA_SMS_GATEWAY = env_str("MINGA_SMS_GATEWAY", "")
if MINGA_SMS_GATEWAY not in ("", "android", "http"):
    raise ImproperlyConfigured(
        f"MINGA_SMS_GATEWAY={MINGA_SMS_GATEWAY!r}: use android or http (or leave it empty)."
    )
MINGA_SMS_GATEWAY_URL = env_str("MINGA_SMS_GATEWAY_URL", "")
MINGA_SMS_GATEWAY_USER = env_str("MINGA_SMS_GATEWAY_USER", "")
MINGA_SMS_GATEWAY_PASSWORD = env_str("MINGA_SMS_GATEWAY_PASSWORD", "")
MINGA_SMS_GATEWAY_TOKEN = env_str("MINGA_SMS_GATEWAY_TOKEN", "")
# The key replies are signed with (X-Signature: HMAC-SHA256 of the body and X-Timestamp).
MINGA_SMS_WEBHOOK_SECRET = env_str("MINGA_SMS_WEBHOOK_SECRET", "")
MINGA_WHATSAPP_URL = env_str("MINGA_WHATSAPP_URL", "https://graph.facebook.com/v21.0")
MINGA_WHATSAPP_PHONE_ID = env_str("MINGA_WHATSAPP_PHONE_ID", "")
MINGA_WHATSAPP_TOKEN = env_str("MINGA_WHATSAPP_TOKEN", "")
MINGA_WHATSAPP_TEMPLATE = env_str("MINGA_WHATSAPP_TEMPLATE", "")
MINGA_NOTICE_TIMEOUT = env_int("MINGA_NOTICE_TIMEOUT", 10, minimum=1)
MINGA_NOTICE_RETRIES = env_int("MINGA_NOTICE_RETRIES", 8, minimum=0)
# Numbers typed or received without "+": in this country (Ecuador's 593 by default).
MINGA_PHONE_COUNTRY_CODE = env_str("MINGA_PHONE_COUNTRY_CODE", "593")
# Satellite layers are registered from files under this folder (never from anywhere else).
MINGA_RASTER_ROOT = Path(env_str("MINGA_RASTER_ROOT", str(DATA_DIR / "rasters")))


# Where `minga fetch-layers` finds each product's granules (docs/formats.md, "Satellite layers
# from their publishers"). Empty: the product is not fetched. The GFW data lake publishes each
# alert system's tiles as <dataset>/<version>/raster/epsg-4326/<grid>/date_conf/geotiff/<tile>.tif.
MINGA_HANSEN_URL = env_url(
    "MINGA_HANSEN_URL", "https://storage.googleapis.com/earthenginepartners-hansen/"
)
MINGA_HANSEN_VERSION = env_str("MINGA_HANSEN_VERSION", "GFC-2024-v1.12")
if not re.match(r"^GFC-\d{4}-v\d+(\.\d+)*$", MINGA_HANSEN_VERSION):
    raise ImproperlyConfigured(
        f"MINGA_HANSEN_VERSION={MINGA_HANSEN_VERSION!r} is not like GFC-2024-v1.12."
    )
_GFW_LAKE = "https://gfw-data-lake.s3.amazonaws.com"
MINGA_INTEGRATED_ALERTS_URL = env_url(
    "MINGA_INTEGRATED_ALERTS_URL",
    f"{_GFW_LAKE}/gfw_integrated_alerts/latest/raster/epsg-4326/10/100000/date_conf/geotiff/",
)
MINGA_GLAD_L_URL = env_url(
    "MINGA_GLAD_L_URL",
    f"{_GFW_LAKE}/umd_glad_landsat_alerts/latest/raster/epsg-4326/10/40000/date_conf/gdal-geotiff/",
)
MINGA_GLAD_S2_URL = env_url(
    "MINGA_GLAD_S2_URL",
    f"{_GFW_LAKE}/umd_glad_sentinel2_alerts/latest/raster/epsg-4326/10/100000/date_conf/geotiff/",
)
MINGA_RADD_URL = env_url(
    "MINGA_RADD_URL",
    f"{_GFW_LAKE}/wur_radd_alerts/latest/raster/epsg-4326/10/100000/date_conf/geotiff/",
)

# --- uploads and imports ----------------------------------------------------------------------
# The largest file accepted per kind (MB); types are fixed per kind in minga.core.uploads.
MINGA_MAX_SPREADSHEET_MB = env_int("MINGA_MAX_SPREADSHEET_MB", 10, minimum=1)
MINGA_MAX_FIELD_FILE_MB = env_int("MINGA_MAX_FIELD_FILE_MB", 50, minimum=1)
MINGA_MAX_DOCUMENT_MB = env_int("MINGA_MAX_DOCUMENT_MB", 20, minimum=1)
MINGA_MAX_PHOTO_MB = env_int("MINGA_MAX_PHOTO_MB", 10, minimum=1)
MINGA_MAX_RASTER_MB = env_int("MINGA_MAX_RASTER_MB", 100_000, minimum=1)
# Form fields other than files (Django's limit); larger bodies are refused with 400.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("MINGA_MAX_FORM_MB", 5, minimum=1) * 1024 * 1024
# Field exports with more rows than this are imported by the worker, in committed chunks.
MINGA_IMPORT_INLINE_ROWS = env_int("MINGA_IMPORT_INLINE_ROWS", 2000, minimum=1)
MINGA_IMPORT_CHUNK = env_int("MINGA_IMPORT_CHUNK", 500, minimum=1)

# --- e-mail ----------------------------------------------------------------------------------
_MAIL_BACKENDS = {
    "console": "django.core.mail.backends.console.EmailBackend",
    "smtp": "django.core.mail.backends.smtp.EmailBackend",
    "file": "django.core.mail.backends.filebased.EmailBackend",
}
_mail = env_str("MINGA_EMAIL", "console" if DEBUG else "smtp")
if _mail not in _MAIL_BACKENDS:
    raise ImproperlyConfigured(f"MINGA_EMAIL={_mail!r}: use one of {', '.join(_MAIL_BACKENDS)}.")
_mail_options: dict[str, object] = {}
if _mail == "smtp":
    _mail_options = {
        "host": env_str("MINGA_EMAIL_HOST", "localhost"),
        "port": env_int("MINGA_EMAIL_PORT", 587, minimum=1),
        "username": env_str("MINGA_EMAIL_USER"),
        "password": env_str("MINGA_EMAIL_PASSWORD"),
        "use_tls": env_bool("MINGA_EMAIL_TLS", True),
    }
elif _mail == "file":
    _mail_options = {"file_path": str(DATA_DIR / "mail")}
MAILERS = {"default": {"BACKEND": _MAIL_BACKENDS[_mail], "OPTIONS": _mail_options}}
DEFAULT_FROM_EMAIL = env_str("MINGA_DEFAULT_FROM_EMAIL", "minga <minga@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- security --------------------------------------------------------------------------------
_tile_origin = "/".join(MINGA_TILE_URL.split("/", 3)[:3]) if MINGA_TILE_URL else None
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:", *([_tile_origin] if _tile_origin else [])],
    "connect-src": [CSP.SELF],
    "font-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("MINGA_SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT = env_bool("MINGA_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = env_int("MINGA_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_HSTS_PRELOAD = env_bool("MINGA_HSTS_PRELOAD", False)
if env_bool("MINGA_BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("MINGA_LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}
