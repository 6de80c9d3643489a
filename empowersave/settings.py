"""Settings for EmpowerSave Participants, read from the environment (see README)."""

import json
import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from empowersave.localstore import LocalStore

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_float(name, default):
    value = os.environ.get(name)
    return float(value) if value not in (None, "") else default


DEBUG = env_bool("DEBUG", True)

_DEV_SECRET_KEY = "django-insecure-development-only-key-change-me"  # noqa: S105
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off (production).")
    SECRET_KEY = _DEV_SECRET_KEY

ALLOWED_HOSTS = [
    host.strip()
    for host in os.environ.get("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver").split(",")
    if host.strip()
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_tables2",
    "django_filters",
    "axes",
    "participants",
    "matching",
    "migration",
    "emailoctopus",
    "dashboard",
    "review",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Every view needs a signed-in user unless marked login_not_required (the admin login);
    # each view then checks its own permission (empowersave.access).
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "empowersave.middleware.StoreUnavailableMiddleware",  # store down: a 503 page, no traceback
    "axes.middleware.AxesMiddleware",  # answers 429 to a locked-out sign-in (django-axes)
]

ROOT_URLCONF = "empowersave.urls"

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
            ],
            "libraries": {
                "number_format": "empowersave.number_format",
                "text_format": "empowersave.text_format",
            },
        },
    },
]

WSGI_APPLICATION = "empowersave.wsgi.application"

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'var' / 'empowersave.sqlite3'}"),
        conn_max_age=60,
    )
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "var" / "staticfiles"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # also creates var/ for the SQLite file
STATICFILES_DIRS = [BASE_DIR / "static"]
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    "dashboard.staticfiles.PlotlyFinder",  # plotly.min.js from the installed `plotly` package
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
LOGIN_URL = "admin:login"
LOGIN_REDIRECT_URL = "/"

# Sign-in throttling (django-axes): after AXES_FAILURE_LIMIT failed sign-ins, a user name is
# locked for AXES_COOLOFF_MINUTES from the address the attempts came from (REMOTE_ADDR: behind
# a proxy that is the proxy's, so then the user name is locked from everywhere). A successful
# sign-in before that resets the count. How to unlock: README.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(env_float("AXES_FAILURE_LIMIT", 5))
AXES_COOLOFF_TIME = timedelta(minutes=env_float("AXES_COOLOFF_MINUTES", 30))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True

# Parcel viewer links on the participant page: a URL template per county, else the default.
# Placeholders (URL-quoted): {parcel_id}, {county}, {address}. JSON in the environment, e.g.
# PARCEL_VIEWER_URLS='{"Suffolk": "https://gis.example.gov/parcel/{parcel_id}"}'.
PARCEL_VIEWER_URLS = json.loads(os.environ.get("PARCEL_VIEWER_URLS") or "{}")
PARCEL_VIEWER_DEFAULT_URL = os.environ.get(
    "PARCEL_VIEWER_DEFAULT_URL", "https://www.google.com/maps/search/?api=1&query={address}"
)

# --- MongoDB (see DESIGN.md) -------------------------------------------------
# Unset: the local store that `./run` starts (empowersave/localstore.py; data under var/store/).
LOCAL_STORE = LocalStore.from_environment()
MONGODB_URI = os.environ.get("MONGODB_URI") or LOCAL_STORE.uri
SOURCE_MONGODB_URI = os.environ.get("SOURCE_MONGODB_URI") or MONGODB_URI
# True when every MongoDB in use is the project's own local server (no user's real MongoDB).
ON_LOCAL_STORE = not (os.environ.get("MONGODB_URI") or os.environ.get("SOURCE_MONGODB_URI"))
# Set by `./run demo`: this process runs on the demo's own store (var/demo/), which it may replace.
DEMO_STORE = env_bool("EMPOWERSAVE_DEMO_STORE", False)
# How long a command waits for an unreachable server before it stops with a clear error.
MONGODB_TIMEOUT_MS = int(os.environ.get("MONGODB_TIMEOUT_MS", "5000"))
# How long the driver's heartbeat (and a new connection's handshake) waits for a server that is
# up but busy: pymongo gives its monitor this socket timeout, and a heartbeat that runs out
# cancels the operations in flight (empowersave/mongodb.py).
MONGODB_CONNECT_TIMEOUT_MS = int(os.environ.get("MONGODB_CONNECT_TIMEOUT_MS", "60000"))
EMAILOCTOPUS_DB_NAME = os.environ.get("EMAILOCTOPUS_DB_NAME", "emailoctopus_db")
EMPOWERSAVE_DB_NAME = os.environ.get("EMPOWERSAVE_DB_NAME", "empowersave_development")
COUNTY_DB_NAME = os.environ.get("COUNTY_DB_NAME", "empower_analytics")
COUNTY_RESIDENTIAL_COLLECTION = os.environ.get(
    "COUNTY_RESIDENTIAL_COLLECTION", "county_residential_data"
)
COUNTY_DEMOGRAPHIC_COLLECTION = os.environ.get(
    "COUNTY_DEMOGRAPHIC_COLLECTION", "county_demographic_data"
)

# --- Reference matching thresholds (matching/; probabilities 0-1, weights in bits) ----
MATCH_ACCEPT_PROBABILITY = env_float("MATCH_ACCEPT_PROBABILITY", 0.95)  # accept at least this…
MATCH_MIN_WEIGHT_GAP = env_float("MATCH_MIN_WEIGHT_GAP", 5.0)  # …this many bits ahead of the next
MATCH_REVIEW_PROBABILITY = env_float("MATCH_REVIEW_PROBABILITY", 0.05)  # below: no_match
MATCH_STREET_CUTOFF = env_float("MATCH_STREET_CUTOFF", 80.0)  # typo'd street name → known one
MATCH_CITY_CUTOFF = env_float("MATCH_CITY_CUTOFF", 85.0)  # city similarity that counts as agreeing
MATCH_CANDIDATES_KEPT = int(env_float("MATCH_CANDIDATES_KEPT", 5))  # candidates kept for review
MATCH_LINK_BY_NAME = env_bool("MATCH_LINK_BY_NAME", False)  # demographic rule 3 (name in ZIP)

# --- EmailOctopus API v2 (sync_emailoctopus) ---------------------------------
EMAILOCTOPUS_API_BASE_URL = os.environ.get(
    "EMAILOCTOPUS_API_BASE_URL", "https://api.emailoctopus.com"
)
EMAILOCTOPUS_API_KEY = os.environ.get("EMAILOCTOPUS_API_KEY", "")

# --- Production hardening (active whenever DEBUG is off) --------------------
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_CONTENT_TYPE_NOSNIFF = True
    SECURE_REFERRER_POLICY = "same-origin"
    X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "loggers": {
        "participants": {"handlers": ["console"], "level": "INFO"},
        "matching": {"handlers": ["console"], "level": "INFO"},
        "migration": {"handlers": ["console"], "level": "INFO"},
        "emailoctopus": {"handlers": ["console"], "level": "INFO"},
        "dashboard": {"handlers": ["console"], "level": "INFO"},
        "review": {"handlers": ["console"], "level": "INFO"},
        "demo": {"handlers": ["console"], "level": "INFO"},
        "empowersave": {"handlers": ["console"], "level": "INFO"},
    },
}
