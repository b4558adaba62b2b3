"""Settings for the CSP strategy tracker.

Every value that differs between the demo, CI and production is read from an
environment variable through the typed helpers below (compare healthchecks'
hc/settings.py). With no environment at all you get the SQLite demo.
"""

import os
import warnings
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def envbool(name: str, default: str) -> bool:
    return os.getenv(name, default).lower() in ("1", "true", "yes", "on")


def envint(name: str, default: str) -> int:
    return int(os.getenv(name, default))


def envlist(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.getenv(name, default).split(",") if item.strip()]


SECRET_KEY = os.getenv("SECRET_KEY", "demo-only-secret-key-change-me-in-production-0123456789")
DEBUG = envbool("DEBUG", "False")
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
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
    "axes",
    "csp",
    "django_tasks",
    "django_tasks_db",
    # Five apps in layers, each importing only from those above it here (see README, Layout).
    "partnerships",
    "measures",
    "strategies",
    "reviews",
    "dashboards",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Anonymous users reach nothing but the login page: every view is
    # login-only unless it is explicitly marked @login_not_required.
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    # A signed-in user with no role sees only a page saying so; pages for signed-in users are not cached.
    "partnerships.middleware.NoRoleMiddleware",
    "partnerships.middleware.PrivateCacheMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes asks: refuses sign-in after repeated failures.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # counts failed sign-ins and locks out guessing
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = envint("AXES_FAILURE_LIMIT", "5")
AXES_COOLOFF_TIME = float(os.getenv("AXES_COOLOFF_HOURS", "0.5"))  # hours
# Lock a user out from one address only (user and address together), so guessing from one place does not
# lock the person out from everywhere. Behind a proxy the address comes from X-Forwarded-For, believed
# only from TRUSTED_PROXIES (partnerships/client_ip.py).
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = "partnerships.client_ip.client_ip"
TRUSTED_PROXIES = envlist("TRUSTED_PROXIES", "")
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# Single sign-on attempts carry no typed username: axes counts them under the address the provider vouched
# for, so people without an account here cannot lock single sign-on for everyone behind one address.
AXES_USERNAME_CALLABLE = "partnerships.oidc.axes_username"

# Single sign-on with OpenID Connect (mozilla-django-oidc; Microsoft Entra ID or any standard provider), off
# unless OIDC_ENABLED. The provider vouches for an email address and the one active user who already has it
# is signed in (partnerships/oidc.py); nobody is ever created. README, "Single sign-on", has the Entra setup.
OIDC_ENABLED = envbool("OIDC_ENABLED", "False")
OIDC_PROVIDER_NAME = os.getenv("OIDC_PROVIDER_NAME", "Microsoft")  # the button says "Sign in with <name>"
OIDC_RP_CLIENT_ID = os.getenv("OIDC_RP_CLIENT_ID", "")
OIDC_RP_CLIENT_SECRET = os.getenv("OIDC_RP_CLIENT_SECRET", "")
OIDC_OP_ISSUER = os.getenv("OIDC_OP_ISSUER", "")  # the ID token's "iss" must be exactly this
OIDC_OP_AUTHORIZATION_ENDPOINT = os.getenv("OIDC_OP_AUTHORIZATION_ENDPOINT", "")
OIDC_OP_TOKEN_ENDPOINT = os.getenv("OIDC_OP_TOKEN_ENDPOINT", "")
OIDC_OP_USER_ENDPOINT = os.getenv("OIDC_OP_USER_ENDPOINT", "")
OIDC_OP_JWKS_ENDPOINT = os.getenv("OIDC_OP_JWKS_ENDPOINT", "")
OIDC_RP_SIGN_ALGO = os.getenv("OIDC_RP_SIGN_ALGO", "RS256")
OIDC_RP_SCOPES = os.getenv("OIDC_RP_SCOPES", "openid email profile")
# The claim holding the address (Entra ID: "email", or "preferred_username", the sign-in name), and the
# claim that says the provider checked it: refused when it is present and not true; with
# OIDC_REQUIRE_EMAIL_VERIFIED, refused when it is missing too (Entra ID: "xms_edov", an optional claim).
OIDC_EMAIL_CLAIM = os.getenv("OIDC_EMAIL_CLAIM", "email")
OIDC_EMAIL_VERIFIED_CLAIM = os.getenv("OIDC_EMAIL_VERIFIED_CLAIM", "email_verified")
OIDC_REQUIRE_EMAIL_VERIFIED = envbool("OIDC_REQUIRE_EMAIL_VERIFIED", "False")
OIDC_CLOCK_SKEW_SECONDS = envint("OIDC_CLOCK_SKEW_SECONDS", "120")  # leeway on the ID token's times
OIDC_TIMEOUT = envint("OIDC_TIMEOUT_SECONDS", "10")  # each call to the provider
OIDC_CREATE_USER = False
OIDC_USE_NONCE = True
OIDC_USE_PKCE = envbool("OIDC_USE_PKCE", "True")
OIDC_VERIFY_SSL = True
OIDC_AUTHENTICATION_CALLBACK_URL = "partnerships:oidc_callback"
if OIDC_ENABLED:
    _missing = [
        name
        for name in (
            "OIDC_RP_CLIENT_ID",
            "OIDC_RP_CLIENT_SECRET",
            "OIDC_OP_ISSUER",
            "OIDC_OP_AUTHORIZATION_ENDPOINT",
            "OIDC_OP_TOKEN_ENDPOINT",
            "OIDC_OP_USER_ENDPOINT",
            # the provider's public keys, for RS256 and ES256 (HS256 signs with the client secret)
            *(["OIDC_OP_JWKS_ENDPOINT"] if OIDC_RP_SIGN_ALGO[:2] in ("RS", "ES") else []),
        )
        if not globals()[name]
    ]
    if _missing:
        raise ImproperlyConfigured(f"OIDC_ENABLED needs {', '.join(_missing)}")
    # After axes (which must stay first) and the password backend.
    AUTHENTICATION_BACKENDS.append("partnerships.oidc.SingleSignOnBackend")

ROOT_URLCONF = "config.urls"

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
                "partnerships.context_processors.navigation",
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"

# SQLite is the embedded default (the one-command demo); set DATABASE_ENGINE=postgresql
# and the DATABASE_* variables for PostgreSQL.
if os.getenv("DATABASE_ENGINE", "sqlite") == "postgresql":
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": os.getenv("DATABASE_NAME", "csp_tracker"),
            "USER": os.getenv("DATABASE_USER", "csp_tracker"),
            "PASSWORD": os.getenv("DATABASE_PASSWORD", ""),
            "HOST": os.getenv("DATABASE_HOST", "127.0.0.1"),
            "PORT": os.getenv("DATABASE_PORT", "5432"),
            "CONN_MAX_AGE": envint("DATABASE_CONN_MAX_AGE", "60"),
        }
    }
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.getenv("DATABASE_NAME", str(BASE_DIR / "db.sqlite3")),
            # The demo is what people try first, with colleagues: several people saving at once must get
            # conflicts, never "database is locked". WAL lets readers carry on beside the one writer;
            # IMMEDIATE transactions take the write lock when they begin (so two cannot both read and
            # then deadlock upgrading to write), and the busy timeout makes the next writer wait its turn.
            "OPTIONS": {
                "timeout": envint("SQLITE_BUSY_TIMEOUT_SECONDS", "20"),
                "transaction_mode": "IMMEDIATE",
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
        }
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "partnerships.User"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
SESSION_COOKIE_AGE = envint("SESSION_COOKIE_AGE", str(8 * 60 * 60))  # a working day
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = False

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.getenv("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
MEDIA_ROOT = Path(os.getenv("MEDIA_ROOT", str(BASE_DIR / "private-media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Evidence files: no URL at all, so nothing can link to them except the view that checks permission.
    "private": {
        "BACKEND": "reviews.storage.PrivateFileStorage",
        "OPTIONS": {"location": str(MEDIA_ROOT / "private")},
    },
    "staticfiles": {
        "BACKEND": os.getenv("STATICFILES_BACKEND", "django.contrib.staticfiles.storage.StaticFilesStorage")
    },
}
# The demo serves static files from the source tree through whitenoise, so it
# needs no collectstatic step; production runs collectstatic and turns this off.
WHITENOISE_USE_FINDERS = envbool("WHITENOISE_USE_FINDERS", "True")
WHITENOISE_AUTOREFRESH = DEBUG
if WHITENOISE_USE_FINDERS:  # no collectstatic in the demo, so STATIC_ROOT may not exist yet
    warnings.filterwarnings("ignore", message="No directory at", module="whitenoise.base")

# Background work (large imports) goes through Django's tasks framework (the django-tasks backport)
# with its database backend: `manage.py db_worker` runs the queue (`make demo` starts one).
TASKS = {
    "default": {
        "BACKEND": os.getenv("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}

# Performance spreadsheets: refuse files above IMPORT_MAX_BYTES; files above IMPORT_BACKGROUND_BYTES
# are read and imported by the worker, with a progress bar, rather than in the request.
IMPORT_MAX_BYTES = envint("IMPORT_MAX_BYTES", str(200 * 1024 * 1024))
IMPORT_BACKGROUND_BYTES = envint("IMPORT_BACKGROUND_BYTES", str(5 * 1024 * 1024))

# Change history (django-simple-history) and the audit trail built from it. Turn off only while
# restoring a backup (HISTORY_ENABLED=false manage.py loaddata ...): the backup holds the history.
SIMPLE_HISTORY_ENABLED = envbool("HISTORY_ENABLED", "True")

# Formula escaping is ours (partnerships.spreadsheets, used by every download, the admin's included):
# import-export's own turns every number into text.
IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT = False

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Quarterly reviews. With REVIEW_AUTO_OPEN a scheduled quarter opens for updates by itself on its
# "opens on" date; `manage.py open_review_quarters` (run daily) schedules each new quarter to open
# REVIEW_OPENS_DAYS_AFTER_QUARTER_END days after it ends.
REVIEW_AUTO_OPEN = envbool("REVIEW_AUTO_OPEN", "False")
REVIEW_OPENS_DAYS_AFTER_QUARTER_END = envint("REVIEW_OPENS_DAYS_AFTER_QUARTER_END", "1")
REVIEW_DUE_DAYS_AFTER_OPENING = envint("REVIEW_DUE_DAYS_AFTER_OPENING", "28")
DASHBOARD_PAGE_SIZE = envint("DASHBOARD_PAGE_SIZE", "10")  # partnerships per dashboard page
# Judgements kept in each process's memory per version of the figures (measures.figures.summaries):
# about 3 KB each with 120 quarters of history.
KEPT_JUDGEMENTS = envint("KEPT_JUDGEMENTS", "10000")
EVIDENCE_MAX_BYTES = envint("EVIDENCE_MAX_BYTES", str(10 * 1024 * 1024))
DATA_UPLOAD_MAX_NUMBER_FIELDS = 20000  # a whole action plan on one page is many fields
SITE_URL = os.getenv("SITE_URL", "http://127.0.0.1:8000")

EMAIL_BACKEND = os.getenv("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.getenv("DEFAULT_FROM_EMAIL", "csp-tracker@localhost")

# Content-Security-Policy (django-csp): our own scripts and styles only, no inline scripts anywhere.
# data: images are Bootstrap's own SVG icons, drawn from its stylesheet.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# Security headers that cost nothing in the demo; production sets the HTTPS ones.
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = envbool("SECURE_COOKIES", "False")
CSRF_COOKIE_SECURE = envbool("SECURE_COOKIES", "False")
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", "False")
# Behind a TLS proxy Django sees plain HTTP; the proxy says the request was HTTPS in a header it sets
# (and overwrites when a client sends it). SECURE_PROXY_SSL_HEADER names that header, e.g.
# X-Forwarded-Proto; without it, SECURE_SSL_REDIRECT behind a proxy redirects in a loop.
if os.getenv("SECURE_PROXY_SSL_HEADER"):
    SECURE_PROXY_SSL_HEADER = (
        "HTTP_" + os.environ["SECURE_PROXY_SSL_HEADER"].strip().upper().replace("-", "_"),
        "https",
    )
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", "0")
SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SECURE_HSTS_INCLUDE_SUBDOMAINS", "False")
SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", "False")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.getenv("LOG_LEVEL", "WARNING")},
}

# Committee papers: up to PAPER_INLINE_PARTNERSHIPS partnerships are typeset in the request (a county's
# paper); larger papers go to the worker, PAPER_PART_PARTNERSHIPS partnerships at a time.
PAPER_INLINE_PARTNERSHIPS = envint("PAPER_INLINE_PARTNERSHIPS", "12")
PAPER_PART_PARTNERSHIPS = envint("PAPER_PART_PARTNERSHIPS", "10")
