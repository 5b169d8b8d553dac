"""Coldstart settings, read from the environment (see README: Configuration)."""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.core.management.utils import get_random_secret_key

from studyapp.env import envbool, envchoice, envfloat, envint, envlist

BASE_DIR = Path(__file__).resolve().parent.parent
CONTENT_DIR = BASE_DIR / "content"

DEBUG = envbool("DEBUG", False)


def _secret_key() -> str:
    key = os.environ.get("SECRET_KEY", "").strip()
    if key:
        return key
    if not DEBUG:
        # Left empty: content and database commands still work, but anything that signs (and the
        # system checks, and the WSGI application at start-up) stops with a clear message.
        return ""
    # Dev only: keep one generated key in a git-ignored file so sessions survive restarts.
    key_file = BASE_DIR / ".dev-secret-key"
    if not key_file.exists():
        key_file.write_text(get_random_secret_key())
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "csp",
    "studyapp.core",
    "studyapp.topics",
    "studyapp.quiz",
    "studyapp.sandbox",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "studyapp.core.middleware.SharedCacheUnavailableMiddleware",
    "csp.middleware.CSPMiddleware",
]

ROOT_URLCONF = "studyapp.urls"
WSGI_APPLICATION = "studyapp.wsgi.application"

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
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=envint("DB_CONN_MAX_AGE", 0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Writers queue for the lock (IMMEDIATE) instead of failing when two requests write at once.
    DATABASES["default"].setdefault("OPTIONS", {}).update(timeout=20, transaction_mode="IMMEDIATE")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = False
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
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

# Security: production defaults; `make run` turns DEBUG on and these off where they need HTTPS.
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = envbool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = envbool("CSRF_COOKIE_SECURE", not DEBUG)
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}

# Sandbox (see README: The sandbox engine). Lambda's own limits are 10,240 MB and 900 s.
SANDBOX_MAX_MEMORY_MB = envint("SANDBOX_MAX_MEMORY_MB", 3008)
SANDBOX_MAX_TIMEOUT_S = envint("SANDBOX_MAX_TIMEOUT_S", 30)
SANDBOX_MAX_CONCURRENCY = envint("SANDBOX_MAX_CONCURRENCY", 4)
SANDBOX_MAX_ENVIRONMENTS = envint("SANDBOX_MAX_ENVIRONMENTS", 12)
SANDBOX_BLANK_ENVIRONMENTS = envint("SANDBOX_BLANK_ENVIRONMENTS", 2)
SANDBOX_ALLOW_UNISOLATED = envbool("SANDBOX_ALLOW_UNISOLATED", False)
# Without cgroups or root the sandbox is weaker: allowed on a laptop (DEBUG), refused in production.
SANDBOX_ALLOW_DEGRADED = envbool("SANDBOX_ALLOW_DEGRADED", DEBUG)
SANDBOX_UID_BASE = envint("SANDBOX_UID_BASE", 200_000)
# Every sandbox on this host together (0 / empty: half the memory; all cores but half of one).
SANDBOX_MEMORY_BUDGET_MB = envint("SANDBOX_MEMORY_BUDGET_MB", 0) or None
SANDBOX_CPU_BUDGET_CORES = envfloat("SANDBOX_CPU_BUDGET_CORES", None)
SANDBOX_RUNS_PER_MINUTE = envint("SANDBOX_RUNS_PER_MINUTE", 30)
SANDBOX_QUEUE_LIMIT = envint("SANDBOX_QUEUE_LIMIT", 200)  # runs waiting, all learners: past it, 429
SHARES_PER_MINUTE = envint("SHARES_PER_MINUTE", 10)
QUIZ_STARTS_PER_MINUTE = envint("QUIZ_STARTS_PER_MINUTE", 20)
SANDBOX_MAX_CODE_BYTES = envint("SANDBOX_MAX_CODE_BYTES", 64 * 1024)
# A 6 MB event must fit in a form post (Django's default is 2.5 MB).
DATA_UPLOAD_MAX_MEMORY_SIZE = 8 * 1024 * 1024
SANDBOX_LIBRARIES_DIR = os.environ.get("SANDBOX_LIBRARIES_DIR", str(BASE_DIR / ".sandbox-libs"))
# Newer Python installations to offer as runtimes (one per subfolder: <name>/bin/python3.N);
# empty: only the server's own interpreter. See studyapp/sandbox/runtime/runtimes.py.
SANDBOX_RUNTIMES_DIR = os.environ.get("SANDBOX_RUNTIMES_DIR", "").strip()

# Content Security Policy: everything from this origin, nothing inline (no 'unsafe-inline').
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

# The cache holds the rate limits: Redis (REDIS_URL) shares them between every worker and host;
# without it each process counts alone, which gunicorn.conf.py refuses for several workers.
REDIS_URL = os.environ.get("REDIS_URL", "").strip()
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Sessions live in the database; "cached_db" also keeps them in Redis (reads from Redis, writes
# to both, so a Redis restart loses no session). It needs the shared cache.
SESSION_STORE = envchoice("SESSION_STORE", "database", ("database", "cached_db"))
if SESSION_STORE == "cached_db":
    if not REDIS_URL:
        raise ImproperlyConfigured(
            "SESSION_STORE=cached_db needs REDIS_URL: every process must read the same cache."
        )
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

# Who runs a submitted run: "embedded" (a thread pool in each web process; no other service),
# "celery" (sandbox worker hosts, Redis as broker; web processes run no untrusted code), or
# "immediate" (inside the request: the view tests). See studyapp/sandbox/jobs.py.
SANDBOX_JOBS = envchoice("SANDBOX_JOBS", "embedded", ("embedded", "celery", "immediate"))
if SANDBOX_JOBS == "celery" and not REDIS_URL:
    raise ImproperlyConfigured("SANDBOX_JOBS=celery needs REDIS_URL: Redis is the queue between hosts.")
# This sandbox host's name in the distributed mode (its own queue is sandbox.<name>).
SANDBOX_HOST_NAME = os.environ.get("SANDBOX_HOST_NAME", "").strip()
# A host that stops mid-run: its job is reported after its timeout plus this grace.
SANDBOX_HOST_GRACE_S = envint("SANDBOX_HOST_GRACE_S", 20)
# A queued run whose message is no longer in Redis (restarted without its data) is reported lost
# after waiting this long: longer than a host may hold a prefetched message (visibility timeout).
SANDBOX_LOST_MESSAGE_AFTER_S = envint("SANDBOX_LOST_MESSAGE_AFTER_S", 180)
# Kombu spells Redis on a unix socket redis+socket:// (redis-py and Django: unix://).
CELERY_BROKER_URL = (
    "redis+socket://" + REDIS_URL.removeprefix("unix://") if REDIS_URL.startswith("unix://") else REDIS_URL
)
CELERY_TASK_DEFAULT_QUEUE = "sandbox"
# At most once: a message is acknowledged when its run starts, and a job runs only if it is
# still queued in the database, so a redelivered message never runs code twice. A host that
# dies mid-run is noticed by its silence (SANDBOX_HOST_GRACE_S) and the learner told.
CELERY_TASK_ACKS_LATE = False
CELERY_WORKER_PREFETCH_MULTIPLIER = 1  # a host holds no more runs than it has threads: others take the rest
# A message prefetched by a host that never started it goes back to the queue after this.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 120}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_IGNORE_RESULT = True

# Rate limits, per minute: per account, or for anonymous learners per session and (at
# ANONYMOUS_ADDRESS_FACTOR times the limit, as a class can share one address) per client address,
# so dropping the session cookie resets nothing. The address is REMOTE_ADDR, or the one a
# TRUSTED_PROXIES address (comma-separated IPs or networks) forwarded in X-Forwarded-For.
TRUSTED_PROXIES = envlist("TRUSTED_PROXIES", [])
ANONYMOUS_ADDRESS_FACTOR = envint("ANONYMOUS_ADDRESS_FACTOR", 10)
# Failed log ins: per account (whoever tries it) and per address (a proxy hides many learners).
FAILED_LOGINS_PER_ACCOUNT = envint("FAILED_LOGINS_PER_ACCOUNT", 5)
FAILED_LOGINS_PER_ADDRESS = envint("FAILED_LOGINS_PER_ADDRESS", 30)
SIGNUPS_PER_MINUTE = envint("SIGNUPS_PER_MINUTE", 5)
ANSWERS_PER_MINUTE = envint("ANSWERS_PER_MINUTE", 120)
