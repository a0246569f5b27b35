"""Settings for JFO Registry, read from the environment.

DATABASE_URL         database (default: SQLite file var/db.sqlite3; postgresql://... for production)
SECRET_KEY           required when DEBUG is off
DEBUG                "1"/"true" for development (default: off)
ALLOWED_HOSTS        comma-separated host names
STATIC_ROOT          where collectstatic writes and WhiteNoise serves from (default: var/static)
TRUSTED_PROXY_COUNT  reverse proxies in front of the application that append to X-Forwarded-For
                     (default 0: the header is ignored); the client address for lockout and throttling
REDIS_URL            shared cache (API throttle counts, list totals, dashboard figures) for several
                     workers or hosts (default: a cache per process)
LOG_LEVEL            DEBUG, INFO (default), WARNING, ERROR or CRITICAL
LOG_FILE             also write the log to this file (default: standard error only)

Every variable is described in .env.example.
"""

from pathlib import Path
import hashlib
import os

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_count(name: str, default: int = 0) -> int:
    """A whole number from 0; anything else stops the start-up with a message naming the variable."""
    value = os.environ.get(name, "").strip() or str(default)
    if not value.isdigit():
        raise ImproperlyConfigured(f"{name} must be a whole number from 0, not {value!r}.")
    return int(value)


DEBUG = env_bool("DEBUG")

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    # Development only: never used when DEBUG is off (see above).
    SECRET_KEY = "django-insecure-development-only-key-do-not-use-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rules.apps.AutodiscoverRulesConfig",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "axes",
    "import_export",
    "jfo_registry",
    "operations",
    "agreements",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "jfo_registry.core.errors.RejectNullCharactersMiddleware",
    "jfo_registry.core.errors.IntegrityErrorMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "jfo_registry.core.audit.EntryPointMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",
]
# History is evidence: the admin shows it but never reverts a record to an old version.
SIMPLE_HISTORY_REVERT_DISABLED = True
SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True

ROOT_URLCONF = "jfo_registry.urls"

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
                "jfo_registry.core.context_processors.registry",
            ],
        },
    },
]

WSGI_APPLICATION = "jfo_registry.wsgi.application"

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Wait for a writer instead of failing at once; the FTE check relies on serialised writes.
    # IMMEDIATE: a transaction takes the write lock when it begins, so a second process waits
    # (timeout) instead of failing with "database is locked" when its read turns into a write.
    DATABASES["default"].setdefault("OPTIONS", {}).update(timeout=20, transaction_mode="IMMEDIATE")

if os.environ.get("DATABASE_REPLICA_URL"):
    # A read replica for the reports (streaming replication of the primary). In tests it mirrors
    # the primary, so the suite runs the same whether or not one is configured.
    DATABASES["replica"] = dj_database_url.parse(os.environ["DATABASE_REPLICA_URL"], conn_max_age=int(os.environ.get("CONN_MAX_AGE", "0")))
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["jfo_registry.core.routers.ReplicaRouter"]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses locked-out sign-ins before anything else
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("fr", _("French"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "America/Toronto"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT") or VAR_DIR / "static")
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise serves from here (collectstatic fills it)
# With DEBUG off, {% static %} names come from STATIC_ROOT/staticfiles.json, which collectstatic
# writes: `check --deploy` fails when it is missing or older than the static files (checks.py).
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
# Arrangement documents are served only to signed-in users (a view), never from a public URL.
ARRANGEMENT_DOCUMENT_MAX_BYTES = int(os.environ.get("ARRANGEMENT_DOCUMENT_MAX_BYTES", 20 * 1024 * 1024))
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend" if DEBUG else "django.core.mail.backends.smtp.EmailBackend",
)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "jfo-registry@localhost")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))

CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

# --- Security (production: DEBUG off; `manage.py check --deploy` reports nothing) -------------
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_TLS_PROXY", not DEBUG) else None
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
LANGUAGE_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 8 * 60 * 60  # a working day
SECURE_HSTS_SECONDS = 0 if DEBUG else int(os.environ.get("SECURE_HSTS_SECONDS", 365 * 24 * 60 * 60))
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Content Security Policy: everything from this origin only. The GC Design System's web
# components set styles from script, hence 'unsafe-inline' for styles (never for scripts).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# The client's address (sign-in lockout and API throttling): the reverse proxies in front of the
# application, each appending to X-Forwarded-For; 0 ignores the header (client_address.py).
TRUSTED_PROXY_COUNT = env_count("TRUSTED_PROXY_COUNT")

# Sign-in lockout: 5 failures for one username from one address lock that pair out for an hour.
# Neither alone: behind a proxy many users share an address, and anyone may type `admin`.
# The attempts are rows in the database (axes' database handler), shared by every worker and host.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", 5))
AXES_COOLOFF_TIME = 1  # hour
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = "jfo_registry.core.client_address.client_address"
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"

# API throttle counts live here: with several workers or hosts set REDIS_URL, or each worker
# counts on its own (`check --deploy` warns).
# The keys carry the database's identity: cached figures are keyed by table stamps that count
# from 1 in every database, so two deployments sharing one Redis (staging and production) must
# never read each other's entries. Every worker and host of one deployment shares them.
_database = DATABASES["default"]
CACHE_KEY_PREFIX = "jfo-" + hashlib.sha256(
    f"{_database.get('HOST') or ''}:{_database.get('PORT') or ''}:{_database['NAME']}".encode()
).hexdigest()[:12]
CACHES = {
    "default": (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["REDIS_URL"],
            "KEY_PREFIX": CACHE_KEY_PREFIX,
        }
        if os.environ.get("REDIS_URL")
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

# Errors, 500s with their traceback, go to standard error (gunicorn passes it to the journal) and,
# if LOG_FILE is set, to that file too. Django's own default only prints with DEBUG on and mails
# 500s to ADMINS, so without this a 500 under gunicorn would leave no trace.
LOG_LEVEL = os.environ.get("LOG_LEVEL", "").strip().upper() or "INFO"
if LOG_LEVEL not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
    raise ImproperlyConfigured(f"LOG_LEVEL must be DEBUG, INFO, WARNING, ERROR or CRITICAL, not {LOG_LEVEL!r}.")
LOG_FILE = os.environ.get("LOG_FILE", "").strip()
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s [%(name)s] pid=%(process)d %(message)s"},
    },
    "handlers": {
        "stderr": {"class": "logging.StreamHandler", "stream": "ext://sys.stderr", "formatter": "plain"},
        **(
            {"file": {"class": "logging.handlers.WatchedFileHandler", "filename": LOG_FILE, "formatter": "plain"}}
            if LOG_FILE
            else {}
        ),
    },
    "root": {"handlers": ["stderr", "file"] if LOG_FILE else ["stderr"], "level": LOG_LEVEL},
    "loggers": {
        # No handlers of its own (Django's console-if-DEBUG and mail-admins are replaced): the root's.
        "django": {"handlers": [], "level": LOG_LEVEL, "propagate": True},
        # Failed sign-ins and lockouts are warnings; axes' INFO lines (one per start-up and attempt) are noise.
        "axes": {"level": LOG_LEVEL if LOG_LEVEL in {"ERROR", "CRITICAL"} else "WARNING"},
    },
}

LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/accounts/login/"
LANGUAGE_COOKIE_AGE = 365 * 24 * 60 * 60  # the language a user chose is remembered for a year
LANGUAGE_COOKIE_SAMESITE = "Lax"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["jfo_registry.core.api.access.RegistryPermission"],
    "DEFAULT_PAGINATION_CLASS": "jfo_registry.core.api.pagination.RegistryPagination",
    "DEFAULT_PARSER_CLASSES": [
        "jfo_registry.core.api.parsers.SafeJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "jfo_registry.core.api.filters.RegistrySearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_SCHEMA_CLASS": "jfo_registry.core.schema.RegistryAutoSchema",
    "EXCEPTION_HANDLER": "jfo_registry.core.api.errors.exception_handler",
    "SEARCH_PARAM": "q",
    "ORDERING_PARAM": "ordering",
    "COERCE_DECIMAL_TO_STRING": False,
    "DEFAULT_THROTTLE_CLASSES": ["jfo_registry.core.api.throttling.UserRateThrottle", "jfo_registry.core.api.throttling.AnonRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "user": os.environ.get("API_THROTTLE_USER", "1200/minute"),
        "anon": os.environ.get("API_THROTTLE_ANON", "60/minute"),
    },
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}

# The OpenAPI schema and Swagger UI need a sign-in unless this opens them to everyone.
API_SCHEMA_PUBLIC = env_bool("API_SCHEMA_PUBLIC")

SPECTACULAR_SETTINGS = {
    "TITLE": "JFO Registry API",
    "DESCRIPTION": (
        "System of record for CBSA participation in Joint Force Operations: agencies, JFO units, "
        "officers, assignments, written collaborative arrangements, and the FTE and cost reports. "
        "Authenticate with a session or `Authorization: Token <key>` "
        "(`python manage.py drf_create_token USER`)."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "SERVE_PERMISSIONS": ["jfo_registry.core.api.access.SchemaAccess"],
    "SWAGGER_UI_DIST": "SIDECAR",  # served from this site, never from a CDN
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "jfo_registry.core.schema.optional_query_parameters_may_be_empty",
    ],
    "ENUM_NAME_OVERRIDES": {
        "JfoTypeEnum": "operations.choices.JfoType",
        "JfoStatusEnum": "operations.choices.JfoStatus",
        "ParticipationRoleEnum": "operations.choices.ParticipationRole",
        "ArrangementStatusEnum": "agreements.choices.ArrangementStatus",
        "PartyRoleEnum": "agreements.choices.PartyRole",
        "CoverageStatusEnum": "agreements.choices.CoverageStatus",
    },
}
