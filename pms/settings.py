"""Settings, read from the environment (and a git-ignored `.env` in development).

Development defaults just work after `make run`; with DEBUG off the app refuses to start on
unsafe or missing values (see `_require_production_settings`).
"""

import hashlib
from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from csp import constants as csp
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
_env_file = env.str("PMS_ENV_FILE", default=str(BASE_DIR / ".env"))
if Path(_env_file).is_file():
    environ.Env.read_env(_env_file, overwrite=False)

DEBUG = env.bool("DJANGO_DEBUG", default=False)
TESTING = env.bool("PMS_TESTING", default=False)

SECRET_KEY = env.str("SECRET_KEY", default="")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# Keys for personal data. Never derived from SECRET_KEY (DESIGN.md, Encryption).
PMS_ENCRYPTION_KEYS = env.list("PMS_ENCRYPTION_KEYS", default=[])
PMS_BLIND_INDEX_KEY = env.str("PMS_BLIND_INDEX_KEY", default="")
PMS_AUDIT_KEY = env.str("PMS_AUDIT_KEY", default="")
PMS_BACKUP_KEY = env.str("PMS_BACKUP_KEY", default="")


def _require_production_settings() -> None:
    missing = [
        name
        for name, value in (
            ("SECRET_KEY", SECRET_KEY),
            ("ALLOWED_HOSTS", ALLOWED_HOSTS),
            ("PMS_ENCRYPTION_KEYS", PMS_ENCRYPTION_KEYS),
            ("PMS_BLIND_INDEX_KEY", PMS_BLIND_INDEX_KEY),
            ("PMS_AUDIT_KEY", PMS_AUDIT_KEY),
            ("PMS_BACKUP_KEY", PMS_BACKUP_KEY),
        )
        if not value
    ]
    if missing:
        raise ImproperlyConfigured(
            "Refusing to start: set " + ", ".join(missing) + " in the environment "
            "(see README.md, 'Production'). Development keys come from `make keys`."
        )
    if len(SECRET_KEY) < 50 or SECRET_KEY.startswith("django-insecure"):
        raise ImproperlyConfigured("Refusing to start: SECRET_KEY must be at least 50 random characters.")


if not DEBUG:
    _require_production_settings()
elif not SECRET_KEY:
    raise ImproperlyConfigured("No SECRET_KEY: run `make keys` to generate development keys into .env.")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.postgres",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "guardian",
    "auditlog",
    "axes",
    "csp",
    "django_htmx",
    "django_celery_beat",
    "pms",
    "audit",
    "guests",
    "reservations",
    "members",
    "operations",
]

MIDDLEWARE = [
    "operations.middleware.RequestTimingMiddleware",  # first: it times the whole stack, by route name
    "django.middleware.security.SecurityMiddleware",
    "pms.middleware.RequestContextMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "pms.middleware.StaffSessionMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "audit.middleware.AuditlogMiddleware",  # django-auditlog's, with our client address
    "pms.middleware.NoStoreMiddleware",
    "axes.middleware.AxesMiddleware",
    "audit.middleware.FailClosedMiddleware",  # an unrecorded read ends on the error page
]

ROOT_URLCONF = "pms.urls"
WSGI_APPLICATION = "pms.wsgi.application"

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
                "pms.context_processors.backoffice",
            ],
        },
    },
]

DATABASES = {
    "default": env.db_url("DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/pms"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=0 if DEBUG else 60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# Two checkouts testing against one server (a developer's clone and CI, say) must not share a test
# database: the default name carries a short digest of the checkout's path.
_CHECKOUT = hashlib.sha256(str(BASE_DIR).encode()).hexdigest()[:6]
DATABASES["default"].setdefault("TEST", {})["NAME"] = env.str(
    "TEST_DATABASE_NAME", default=f"test_pms_{_CHECKOUT}"
)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL", default="redis://127.0.0.1:6379/0")
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="pms"),
        "TIMEOUT": 300,
    }
}

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if TESTING:
    # Tests create many users; the production hasher's cost is not what they test.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"

# Sessions: the database behind a cache, so a node restart logs nobody out and nodes share them.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=12 * 3600)  # absolute limit
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
STAFF_IDLE_TIMEOUT = env.int("STAFF_IDLE_TIMEOUT", default=30 * 60)  # seconds without a request

# django-axes: 5 failures lock that user name from that address for 15 minutes.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "pms.auth.lockout_response"
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_VERBOSE = False
# How many proxies (the TLS terminator) stand before the app: the client is the X-Forwarded-For
# entry that many hops back. Behind the TLS proxy in production that is one; without it, every
# guest would seem to come from the proxy and share one set of attempt limits. Set PROXY_COUNT=0 when
# the app faces clients directly (a client could otherwise choose its own address).
AXES_IPWARE_PROXY_COUNT = env.int(
    "PROXY_COUNT", default=1 if env.bool("BEHIND_TLS_PROXY", True) and not DEBUG else 0
)

GUARDIAN_RAISE_403 = False
ANONYMOUS_USER_NAME = None

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Chinese (Simplified)")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env.str("TIME_ZONE", default="Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
MEDIA_URL = "/media/"
WHITENOISE_AUTOREFRESH = DEBUG or TESTING
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Security headers. No inline script anywhere: every script is a static file.
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env.bool("BEHIND_TLS_PROXY", True) else None
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_HTTPONLY = True
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [csp.SELF],
        "script-src": [csp.SELF],
        # Swagger UI sets inline styles; everything else uses static CSS.
        "style-src": [csp.SELF, csp.UNSAFE_INLINE],
        "img-src": [csp.SELF, "data:"],
        "font-src": [csp.SELF],
        "connect-src": [csp.SELF],
        "object-src": [csp.NONE],
        "base-uri": [csp.SELF],
        "form-action": [csp.SELF],
        "frame-ancestors": [csp.NONE],
    }
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "pms.authentication.TokenAuthentication",  # first, so anonymous calls get 401
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["pms.permissions.IsStaffMember"],
    "DEFAULT_PAGINATION_CLASS": "pms.problems.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env.str("API_THROTTLE_ANON", default="60/minute"),
        "user": env.str("API_THROTTLE_USER", default="1200/minute"),
    },
    "EXCEPTION_HANDLER": "pms.problems.problem_exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Hotel PMS API",
    "DESCRIPTION": "Bookings, guests, membership and the audit trail. Personal data is masked "
    "unless the caller's role and a recorded reason allow more; every read is recorded.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
}

# Celery: with no broker configured, tasks run eagerly in the caller (tests, `make run` alone).
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = None
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TASK_ACKS_LATE = True
# Workers keep Django's logging (JSON lines through the personal-data filter) instead of replacing
# the root logger's handlers with Celery's own, unfiltered ones.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# Every scheduled job, in one place (DESIGN.md, Jobs). Apps add theirs here; each is also a command.
CELERY_BEAT_SCHEDULE: dict = {}
# Backups and restore rehearsals run on their own queue, consumed by the `backup` service of
# docker-compose (one at a time, with the backups volume); the other jobs never wait behind a dump.
CELERY_TASK_ROUTES = {
    "operations.tasks.backup": {"queue": "backups"},
    "operations.tasks.rehearse": {"queue": "backups"},
}

EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="pms@localhost")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
    },
}

SILENCED_SYSTEM_CHECKS = []

ADMIN_URL = env.str("ADMIN_URL", default="django-admin/")
CSRF_FAILURE_VIEW = "pms.views.csrf_failure"

# --- audit ---
# The audit trail (audit/, DESIGN.md "Audit"). Retention of the access log: at least 180 days.
AUDIT_RETENTION_DAYS = env.int("AUDIT_RETENTION_DAYS", default=1095)
AUDIT_MIN_RETENTION_DAYS = 180
if AUDIT_RETENTION_DAYS < AUDIT_MIN_RETENTION_DAYS:
    raise ImproperlyConfigured(
        f"AUDIT_RETENTION_DAYS is {AUDIT_RETENTION_DAYS}: access events must be kept at least "
        f"{AUDIT_MIN_RETENTION_DAYS} days. Raise it (the default is 1095, three years)."
    )
AUDIT_SEAL_CHUNK = env.int("AUDIT_SEAL_CHUNK", default=5000)  # events per checkpoint at most
AUDIT_SEAL_LOCK_MS = env.int(
    "AUDIT_SEAL_LOCK_MS", default=100
)  # per try: how long recorders may queue behind the sealer
AUDIT_SEAL_LOCK_TRIES = env.int("AUDIT_SEAL_LOCK_TRIES", default=10)
AUDIT_REVIEW_PAGE_SIZE = 50
AUDIT_EXPORT_MAX_ROWS = env.int("AUDIT_EXPORT_MAX_ROWS", default=100_000)
# Anomaly rules (audit/anomalies.py); each raises at most one alert per operator and window.
AUDIT_ALERT_RULES = {
    "lookups_per_hour": env.int("AUDIT_ALERT_LOOKUPS_PER_HOUR", default=60),
    "baseline_factor": 5,  # lookups in an hour above 5x the operator's own 30-day hourly median
    "baseline_days": 30,
    "baseline_min_hours": 10,  # active hours of history before the baseline rule applies
    "baseline_min_lookups": 20,  # and never for an hour below this many lookups
    "distinct_guests_per_hour": env.int("AUDIT_ALERT_DISTINCT_GUESTS_PER_HOUR", default=40),
    "denials": 5,
    "denial_window_minutes": 10,
    "export_rows": env.int("AUDIT_ALERT_EXPORT_ROWS", default=500),
}
# django-auditlog: the request id as correlation id; the address the way the access log takes it.
AUDITLOG_CID_GETTER = "audit.changelog.current_request_id"
AUDITLOG_MASK_CALLABLE = "audit.changelog.mask_value"
AUDITLOG_STORE_JSON_CHANGES = True
CELERY_BEAT_SCHEDULE.update(
    {
        "audit-seal": {"task": "audit.tasks.seal", "schedule": 300.0},
        "audit-scan": {"task": "audit.tasks.scan", "schedule": 300.0},
        "audit-verify": {"task": "audit.tasks.verify", "schedule": 24 * 3600.0},
        "audit-purge": {"task": "audit.tasks.purge", "schedule": 24 * 3600.0},
    }
)

# --- reservations ---
# The night audit closes each property's business day after midnight (property time is taken per
# property inside the task; the schedule runs in CELERY_TIMEZONE).
CELERY_BEAT_SCHEDULE.update(
    {"reservations-night-audit": {"task": "reservations.night_audit", "schedule": crontab(hour=2, minute=0)}}
)

# --- guests ---
# Minutes an approved access grant (dual review or break-the-glass) lasts.
GUEST_GRANT_MINUTES = env.int("GUEST_GRANT_MINUTES", default=30)
# How long an exact ID-document hit from another hotel may be booked here (guests.access).
GUEST_DOCUMENT_PASS_MINUTES = env.int("GUEST_DOCUMENT_PASS_MINUTES", default=30)
CELERY_BEAT_SCHEDULE["guests-expire-grants"] = {
    "task": "guests.expire_grants",
    "schedule": timedelta(minutes=1),
}
SPECTACULAR_SETTINGS.setdefault("ENUM_NAME_OVERRIDES", {}).update(
    {
        "BookingStatusEnum": "reservations.models.BookingStatus",
        "BookingChannelEnum": "reservations.models.BookingChannel",
    }
)

# --- operations ---
# Backups, restore rehearsals, response times, structured logs and health (operations/, docs/operations.md).

STORAGES["backups"] = {
    "BACKEND": "django.core.files.storage.FileSystemStorage",
    "OPTIONS": {"location": str(env.path("BACKUP_ROOT", default=BASE_DIR / "backups"))},
}
BACKUP_STORAGE_ALIAS = env.str("BACKUP_STORAGE_ALIAS", default="backups")
BACKUP_TMP_DIR = env.str("BACKUP_TMP_DIR", default="")  # the encrypted file is assembled here first
BACKUP_KEEP_COUNT = env.int("BACKUP_KEEP_COUNT", default=14)
BACKUP_KEEP_DAYS = env.int("BACKUP_KEEP_DAYS", default=35)
BACKUP_CHUNK_BYTES = 1024 * 1024
PG_DUMP = env.str("PG_DUMP", default="pg_dump")
PG_RESTORE = env.str("PG_RESTORE", default="pg_restore")
REHEARSAL_SAMPLE_SIZE = env.int("REHEARSAL_SAMPLE_SIZE", default=20)  # values per encrypted column
REHEARSAL_AUDIT_TIMEOUT = env.int("REHEARSAL_AUDIT_TIMEOUT", default=3600)  # seconds for audit_verify

# Response times: buffered per process, flushed to Redis, folded into RouteTiming every 5 minutes.
TIMING_REDIS_URL = env.str("TIMING_REDIS_URL", default=REDIS_URL)
TIMING_KEY_PREFIX = env.str("TIMING_KEY_PREFIX", default="pms:timing")
TIMING_FLUSH_SECONDS = env.float("TIMING_FLUSH_SECONDS", default=10.0)
TIMING_FLUSH_REQUESTS = env.int("TIMING_FLUSH_REQUESTS", default=500)
TIMING_KEEP_DAYS = env.int("TIMING_KEEP_DAYS", default=90)
REQUEST_LOG = env.bool("REQUEST_LOG", default=True)  # one line per request to logger pms.request

# /metrics: `Authorization: Bearer <METRICS_TOKEN>`, or a DRF token / session of IT or compliance.
METRICS_TOKEN = env.str("METRICS_TOKEN", default="")

# /healthz adds backup, rehearsal, audit seal and beat checks when this is on (503 when overdue).
HEALTH_REQUIRE_JOBS = env.bool("HEALTH_REQUIRE_JOBS", default=not DEBUG and not TESTING)
HEALTH_MAX_BACKUP_AGE_HOURS = env.int("HEALTH_MAX_BACKUP_AGE_HOURS", default=26)
HEALTH_MAX_REHEARSAL_AGE_DAYS = env.int("HEALTH_MAX_REHEARSAL_AGE_DAYS", default=8)
HEALTH_MAX_SEAL_AGE_MINUTES = env.int("HEALTH_MAX_SEAL_AGE_MINUTES", default=30)
HEALTH_MAX_BEAT_AGE_MINUTES = env.int("HEALTH_MAX_BEAT_AGE_MINUTES", default=5)

CELERY_BEAT_SCHEDULE.update(
    {
        "operations-heartbeat": {"task": "operations.tasks.heartbeat", "schedule": 60.0},
        "operations-fold-timings": {"task": "operations.tasks.fold_timings", "schedule": 300.0},
        "operations-backup": {"task": "operations.tasks.backup", "schedule": crontab(hour=2, minute=30)},
        "operations-rehearsal": {
            "task": "operations.tasks.rehearse",
            "schedule": crontab(hour=4, minute=0, day_of_week="sun"),
        },
        # Expired staff and self-service sessions out of the table (a guest session idles out
        # after 15 minutes but its row would stay until deleted).
        "operations-clear-sessions": {
            "task": "operations.tasks.clear_sessions",
            "schedule": crontab(hour=3, minute=15),
        },
    }
)

# Logs: JSON lines in production (LOG_FORMAT=json), plain in development; personal data masked in
# every record by a filter on every handler.
LOG_FORMAT = env.str("LOG_FORMAT", default="plain" if DEBUG else "json")
if LOG_FORMAT not in ("json", "plain"):
    raise ImproperlyConfigured(f"LOG_FORMAT is {LOG_FORMAT!r}: use json or plain.")
LOGGING["formatters"]["json"] = {"()": "operations.logs.JsonFormatter"}
LOGGING.setdefault("filters", {})["mask_personal_data"] = {"()": "operations.logs.MaskPersonalData"}
for _handler in LOGGING["handlers"].values():
    _handler.setdefault("filters", []).append("mask_personal_data")
LOGGING["handlers"]["console"]["formatter"] = LOG_FORMAT
LOGGING["loggers"]["pms.request"] = {"level": env.str("REQUEST_LOG_LEVEL", default="INFO")}

# --- portal ---
# The guest self-service portal (reservations/portal/, docs/decisions.md "Guest self-service").
# Attempts at "find my booking" per client address and per booking reference (hashed) in a window,
# as django-ratelimit rates ("10/15m"); above them the answer is 429.
PORTAL_LOOKUP_RATE_PER_ADDRESS = env.str("PORTAL_LOOKUP_RATE_PER_ADDRESS", default="10/15m")
PORTAL_LOOKUP_RATE_PER_REFERENCE = env.str("PORTAL_LOOKUP_RATE_PER_REFERENCE", default="10/15m")
# Sign-in links asked for, per address and per e-mail address (blind-indexed).
PORTAL_LINK_RATE_PER_ADDRESS = env.str("PORTAL_LINK_RATE_PER_ADDRESS", default="10/15m")
PORTAL_LINK_RATE_PER_EMAIL = env.str("PORTAL_LINK_RATE_PER_EMAIL", default="3/15m")
# Failed look-ups from one address (or on one reference) in the window that raise an audit alert.
PORTAL_ALERT_FAILURES = env.int("PORTAL_ALERT_FAILURES", default=5)
PORTAL_ALERT_WINDOW_MINUTES = env.int("PORTAL_ALERT_WINDOW_MINUTES", default=15)
# A look-up answers no sooner than this (milliseconds), found or not, so its timing says nothing
# about whether the reference exists (found does a little more work: a new session, a guest link).
PORTAL_LOOKUP_MIN_MS = env.int("PORTAL_LOOKUP_MIN_MS", default=40)
PORTAL_LINK_MINUTES = env.int("PORTAL_LINK_MINUTES", default=15)  # a sign-in link is valid this long
PORTAL_IDLE_TIMEOUT = env.int("PORTAL_IDLE_TIMEOUT", default=15 * 60)  # seconds without a request
PORTAL_SESSION_COOKIE = "pms_portal"  # the guest's own session, never the staff `sessionid`
PORTAL_BROWSER_COOKIE = "pms_portal_browser"  # the nonce a sign-in link is bound to
# django-ratelimit is used through django_ratelimit.core (not installed as an app); Django's own
# RedisCache is atomic for incr, so its "unsupported backend" warning would be a false alarm.
SILENCED_SYSTEM_CHECKS += ["django_ratelimit.W001"]

# --- members ---
# Loyalty rules (members/, docs/decisions.md "Membership and loyalty"). Amounts are decimal strings.
MEMBERS_POINTS_EXPIRY_MONTHS = env.int("MEMBERS_POINTS_EXPIRY_MONTHS", default=24)
MEMBERS_POINTS_NOTICE_DAYS = 30
MEMBERS_POINT_VALUE = env.str("MEMBERS_POINT_VALUE", default="0.01")  # currency per point at check-out
# Points per unit of settled spend, by folio category (before the tier's multiplier).
MEMBERS_POINTS_PER_UNIT = {
    "room": "1",
    "restaurant": "1",
    "minibar": "0.5",
    "laundry": "0.5",
    "phone": "0",
    "other": "0.5",
}
MEMBERS_REWARDS = {"room_night": 20000, "dining": 5000, "spa": 8000}  # points per reward
MEMBERS_SV_APPROVAL_THRESHOLD = env.str("MEMBERS_SV_APPROVAL_THRESHOLD", default="1000.00")
MEMBERS_FEEDBACK_REPLY_HOURS = env.int("MEMBERS_FEEDBACK_REPLY_HOURS", default=48)
MEMBERS_BIRTHDAY_OFFER_CODE = "birthday"
MEMBERS_SMS_BACKEND = env.str(
    "MEMBERS_SMS_BACKEND",
    default="members.sms.LocmemBackend" if TESTING else "members.sms.ConsoleBackend",
)
MEMBERS_SMS_FILE_PATH = env.str("MEMBERS_SMS_FILE_PATH", default=str(BASE_DIR / "sms-outbox"))
CELERY_BEAT_SCHEDULE.update(
    {
        "members-tiers": {"task": "members.recalculate_tiers", "schedule": crontab(hour=3, minute=0)},
        "members-points-expiry": {"task": "members.expire_points", "schedule": crontab(hour=3, minute=30)},
        "members-birthdays": {"task": "members.birthday_offers", "schedule": crontab(hour=9, minute=0)},
    }
)

# --- privacy ---
# Privacy requests and guest retention (guests/privacy/, docs/decisions.md "Privacy requests").
PRIVACY_DUE_DAYS = env.int("PRIVACY_DUE_DAYS", default=15)  # days to answer a request
GUEST_RETENTION_DAYS = env.int("GUEST_RETENTION_DAYS", default=1095)  # inactivity before anonymising
CELERY_BEAT_SCHEDULE["guests-privacy-retention"] = {
    "task": "guests.privacy.retention",
    "schedule": crontab(hour=4, minute=30),
}
