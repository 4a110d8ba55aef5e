"""Settings shared by every profile.

Everything that differs between machines comes from the environment (see `.env.example`); with
nothing set the portal runs on SQLite with in-process tasks."""

from decimal import Decimal
from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

# Development-only secrets: the production profile refuses to start with any of them.
DEV_SECRET_KEY = "insecure-local-only-key-change-me-0123456789abcdef"  # noqa: S105
DEV_DATA_KEYS = ["1:bG9jYWwtb25seS1kYXRhLWtleS0wMDAwMDAwMDAwMDA="]
DEV_BLIND_INDEX_KEY = "bG9jYWwtb25seS1ibGluZC1pbmRleC1rZXktMDAwMDA="
DEV_AUDIT_KEY = "bG9jYWwtb25seS1hdWRpdC1jaGFpbi1rZXktMDAwMDA="

SECRET_KEY = env("DJANGO_SECRET_KEY", default=DEV_SECRET_KEY)
DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
# A form sent from a stale page: the same Chinese 403 page as every refusal, saying what to do.
CSRF_FAILURE_VIEW = "audit.views.denied.csrf_failure"

BUREAU_NAME = env("MEDSUPP_BUREAU_NAME", default="示范市医疗保障局")
BUREAU_SHORT_NAME = env("MEDSUPP_BUREAU_SHORT_NAME", default="医保补充保险管理平台")
# The CJK font embedded in every PDF (a TrueType-outline TTF or TTC; Debian's fonts-wqy-microhei).
# When it is absent the PDFs fall back to the reader's built-in STSong-Light (not embedded) and
# a warning is logged.
PDF_FONT_PATH = env("MEDSUPP_PDF_FONT", default="/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")
PDF_FONT_INDEX = env.int("MEDSUPP_PDF_FONT_INDEX", default=0)  # the font's index inside a TTC

INSTALLED_APPS = [
    "unfold",
    "unfold.contrib.filters",
    "unfold.contrib.import_export",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "import_export",
    "django_celery_beat",
    "pgtrigger",  # database triggers declared on the models (Meta.triggers)
    "config.apps.AxesConfig",  # "axes", under a Chinese name
    "django_otp",
    "config.apps.TOTPConfig",  # "django_otp.plugins.otp_totp", under a Chinese name
    "audit",
    "insurance",
    "contracts",
    "claims",
]

MIDDLEWARE = [
    "config.uploads.ChunkedUploadMiddleware",  # before anything reads the body
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "audit.middleware.ApiLanguageMiddleware",  # after LocaleMiddleware: the API's own choice
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "audit.middleware.AbsoluteSessionLifetimeMiddleware",
    "audit.middleware.TwoFactorRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, so that a lockout answers before any view runs.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

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
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=0)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the dev server and an in-process task read while another writes.
    DATABASES["default"].setdefault("OPTIONS", {})["init_command"] = "PRAGMA journal_mode=WAL;"
# A read replica (a streaming standby) for reports and dashboards: see audit/replica.py.
if env.str("DATABASE_REPLICA_URL", default=""):
    DATABASES["replica"] = env.db("DATABASE_REPLICA_URL")
    DATABASES["replica"]["CONN_MAX_AGE"] = DATABASES["default"]["CONN_MAX_AGE"]
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["audit.replica.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "audit.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "admin:login"

# Sessions: 30 minutes idle (the cookie is renewed on every request), 12 hours at most.
SESSION_COOKIE_AGE = env.int("MEDSUPP_SESSION_IDLE_SECONDS", default=30 * 60)
SESSION_SAVE_EVERY_REQUEST = True
MEDSUPP_SESSION_ABSOLUTE_SECONDS = env.int("MEDSUPP_SESSION_ABSOLUTE_SECONDS", default=12 * 3600)

# Two-factor sign-in (TOTP) for the roles that move money or may reveal personal data.
MEDSUPP_2FA_ENFORCED = env.bool("MEDSUPP_2FA_ENFORCED", default=True)
MEDSUPP_2FA_ROLES = env.list(
    "MEDSUPP_2FA_ROLES", default=["finance", "director", "auditor", "administrator"]
)
OTP_TOTP_ISSUER = env("MEDSUPP_BUREAU_SHORT_NAME", default="medsupp")

# Lock an account after repeated failures (level-3 protection expects it).
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.5)
# Locked per account AND address together: failures from one address lock that account from that
# address only, so guessing names behind the shared proxy (or a bureau hall's NAT) cannot lock the
# whole bureau out. The address is the real client's (`audit.client_address`).
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "audit.client_address.client_ip"
# And one user name, from every address together, after this many failures within the cool-off
# (an attacker rotating addresses); it locks that account only. 0: no such cap (audit.lockout).
MEDSUPP_LOCKOUT_USERNAME_LIMIT = env.int("MEDSUPP_LOCKOUT_USERNAME_LIMIT", default=20)
AXES_HANDLER = "audit.lockout.LockoutHandler"
# The HTTPS proxies in front of the site (addresses or networks, comma-separated): only their
# X-Forwarded-For hops are believed. Empty: the site is reached directly.
MEDSUPP_TRUSTED_PROXIES = env.list("MEDSUPP_TRUSTED_PROXIES", default=[])

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("MEDSUPP_MEDIA_ROOT", default=str(BASE_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

# Personal data keys: "version:base64-32-bytes" pairs; the first is used to encrypt new values.
MEDSUPP_DATA_KEYS = env.list("MEDSUPP_DATA_KEYS", default=DEV_DATA_KEYS)
MEDSUPP_BLIND_INDEX_KEY = env("MEDSUPP_BLIND_INDEX_KEY", default=DEV_BLIND_INDEX_KEY)
# Keys the audit log's hash chain and its checkpoints (HMAC-SHA256): the database never holds it.
MEDSUPP_AUDIT_KEY = env("MEDSUPP_AUDIT_KEY", default=DEV_AUDIT_KEY)
# Signed checkpoints of the audit chain's head, outside the database (audit/checkpoints.py).
MEDSUPP_AUDIT_CHECKPOINT_DIR = Path(
    env("MEDSUPP_AUDIT_CHECKPOINT_DIR", default=str(BASE_DIR / "var" / "audit-checkpoints"))
)
# The verifier and the watch job report the periodic checkpoints (every 10 minutes) when the
# newest is older than this, or missing.
MEDSUPP_AUDIT_CHECKPOINT_MAX_AGE_MINUTES = env.int(
    "MEDSUPP_AUDIT_CHECKPOINT_MAX_AGE_MINUTES", default=30
)

# Uploads: the ingest path streams files, so the limit protects the disk, not memory. It is
# checked as the body arrives (config/uploads.py, claims/settlements/api/views.py).
MEDSUPP_MAX_UPLOAD_MB = env.int("MEDSUPP_MAX_UPLOAD_MB", default=200)
# A settlement file (sealed at rest) is deleted this many days after its batch is applied or
# rejected (claims.settlements.services.batch_files); the batch, its records and the file's
# checksum remain.
MEDSUPP_BATCH_FILE_RETENTION_DAYS = env.int("MEDSUPP_BATCH_FILE_RETENTION_DAYS", default=30)
# People per compute chunk: each chunk of a batch is one task on the `ingest` queue
# (claims.tasks.compute_chunk), so any ingest worker on any machine takes a share of the batch.
MEDSUPP_COMPUTE_CHUNK_PEOPLE = env.int("MEDSUPP_COMPUTE_CHUNK_PEOPLE", default=3000)
# A person whose new settlements all come after those computed before continues from their
# stored running totals (PersonComputeState) instead of a walk over their whole year: the same
# amounts, and a batch into a full year costs about what it costs into an empty one. Off: every
# touched person is walked over the year (claims/settlements/services/compute_state.py).
MEDSUPP_COMPUTE_INCREMENTAL = env.bool("MEDSUPP_COMPUTE_INCREMENTAL", default=True)
# Each batch reconciled and screened for fraud as soon as its compute ends (claims.tasks.
# batch_supervise, on the default queue): its discrepancies and flags are seen the same day and
# the nightly job only catches what is left. Off: the nightly job does it all, at night.
MEDSUPP_SUPERVISE_EACH_BATCH = env.bool("MEDSUPP_SUPERVISE_EACH_BATCH", default=True)
# an applied batch whose compute has not finished this long after its apply gets its pending
# chunks queued again (claims.tasks.batches_resume, every 15 minutes)
MEDSUPP_BATCH_RESUME_MINUTES = env.int("MEDSUPP_BATCH_RESUME_MINUTES", default=30)
# From this month on, the dashboard warns when next year's holidays are not entered yet (the
# State Council usually publishes them in October or November).
MEDSUPP_CALENDAR_WARN_FROM_MONTH = env.int("MEDSUPP_CALENDAR_WARN_FROM_MONTH", default=10)
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Where Django spools larger uploads while their request runs (None: the system temp folder);
# leftovers of a killed process are swept (audit.temp_files).
FILE_UPLOAD_TEMP_DIR = env("DJANGO_FILE_UPLOAD_TEMP_DIR", default=None)
FILE_UPLOAD_HANDLERS = [
    "config.uploads.UploadLimitHandler",  # first: stops the body at MEDSUPP_MAX_UPLOAD_MB
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
# django-import-export asks for the model's add (import) and view (export) permission; without
# these it lets any staff user import and export.
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "add"
# An upload waiting for its import to be confirmed: encrypted, in the cache, for this long only.
IMPORT_EXPORT_TMP_STORAGE_CLASS = "audit.tmp_storage.EncryptedCacheStorage"
MEDSUPP_IMPORT_CONFIRM_SECONDS = env.int("MEDSUPP_IMPORT_CONFIRM_SECONDS", default=30 * 60)
# A background import silent this long died with its worker: failed, its upload deleted.
MEDSUPP_IMPORT_JOB_STALE_MINUTES = env.int("MEDSUPP_IMPORT_JOB_STALE_MINUTES", default=60)
# Plain temporary files (spooled uploads, the ingest's plain copy) a killed process left behind
# are deleted once this old (audit.temp_files).
MEDSUPP_PLAIN_TEMP_MAX_MINUTES = env.int("MEDSUPP_PLAIN_TEMP_MAX_MINUTES", default=120)
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "view"
DATA_UPLOAD_MAX_NUMBER_FIELDS = 5000

# --- Celery -----------------------------------------------------------------------------------
REDIS_URL = env("REDIS_URL", default="")
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or None
# Without a broker the portal still works: tasks run in-process, on the caller's thread.
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_ENABLE_UTC = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_RESULT_EXPIRES = 60 * 60 * 24
# A worker takes one task at a time: our tasks are long and uneven, so prefetching starves others.
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=30 * 60)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=35 * 60)
# acks_late is opted into per task (idempotent ones only); the default stays early ack.
CELERY_TASK_ACKS_LATE = False
CELERY_TASK_REJECT_ON_WORKER_LOST = False
# A message a killed worker had taken goes back to the queue once it has been unacknowledged
# this long (Redis has no per-connection acknowledgement): keep it above the longest task.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=60 * 60),
    "unacked_restore_interval": env.int("CELERY_UNACKED_RESTORE_INTERVAL", default=10),
    "unacked_restore_throttle": env.int("CELERY_UNACKED_RESTORE_THROTTLE", default=10),
}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"

CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

# --- REST API ---------------------------------------------------------------------------------
# The API takes keys only: a browser session (whose second factor the API could not check) is
# no way in. Every view checks the key's scope, the model permission and the row scope.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["audit.api.authentication.ApiKeyAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "audit.api.authentication.HasApiScope",
        "audit.api.authentication.HasModelPermission",
    ],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # Bodies are JSON (the upload declares its own: multipart and JSON lines); anything else 415.
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "config.pagination.IdCursorPagination",
    "PAGE_SIZE": 100,
    "DEFAULT_THROTTLE_CLASSES": ["rest_framework.throttling.UserRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"user": env("API_THROTTLE_USER", default="2000/hour")},
    "COERCE_DECIMAL_TO_STRING": True,
    # `?format=csv|xlsx` names a download's file format in our API, not a DRF renderer.
    "URL_FORMAT_OVERRIDE": None,
    # Every error answer is RFC 9457 problem details (docs/api.md, Errors).
    "EXCEPTION_HANDLER": "audit.api.problems.problem_exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "medsupp API",
    "DESCRIPTION": "补充医疗保险经办平台接口 / API for insurers and the bureau",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "audit.api.problems.declare_problems",
        "audit.api.schema.drop_parameter_titles",
    ],
    # Swagger UI and ReDoc served from our static files: the docs page works without internet.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # One named enum per status field, so a generated client has stable type names.
    "ENUM_NAME_OVERRIDES": {
        "BatchStatusEnum": "claims.choices.BatchStatus",
        "CompensationStatusEnum": "claims.choices.CompensationStatus",
        "StatementStatusEnum": "claims.choices.StatementStatus",
        "AdjustmentStatusEnum": "claims.choices.AdjustmentStatus",
        "ComplaintStatusEnum": "claims.choices.ComplaintStatus",
        "ManualClaimStatusEnum": "claims.choices.ManualClaimStatus",
        "ContractStatusEnum": "contracts.choices.ContractStatus",
    },
    "COMPONENT_SPLIT_REQUEST": True,
}

# --- Admin (django-unfold) ----------------------------------------------------------------------
UNFOLD = {
    "SITE_TITLE": BUREAU_NAME,
    "SITE_SUBHEADER": BUREAU_SHORT_NAME,
    "SITE_HEADER": BUREAU_NAME,
    "SITE_SYMBOL": "health_and_safety",
    "SHOW_LANGUAGES": True,
    "SHOW_HISTORY": True,
    "DASHBOARD_CALLBACK": "config.dashboard.dashboard_callback",
    "SIDEBAR": {
        "show_search": True,
        "show_all_applications": True,
        "navigation": "config.navigation.sidebar_navigation",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}, "axes": {"level": "WARNING"}},
}

# --- Rules a city sets, and switches ------------------------------------------------------------
# Every setting the code reads is declared here with its default (tests/foundation/
# test_settings_declared.py); those that differ between cities come from the environment and are
# documented in `.env.example` and the README.
# Complaints (R-SUP-1): the insurer's time to answer, in working days, and the hotline printed on
# the public notice.
COMPLAINT_RESPONSE_WORKING_DAYS = env.int("COMPLAINT_RESPONSE_WORKING_DAYS", default=5)
MEDSUPP_COMPLAINT_HOTLINE = env("MEDSUPP_COMPLAINT_HOTLINE", default="12393")
# Annual evaluation (R-SUP-2): the pass mark, copied onto each evaluation when it is drafted.
EVALUATION_PASS_MARK = env("EVALUATION_PASS_MARK", default="60")
# Public disclosure (R-SUP-4): counts below this are shown as "<N", with the amounts tied to them.
DISCLOSURE_MIN_CELL = env.int("DISCLOSURE_MIN_CELL", default=5)
# Contract reminders: how many days ahead of the renewal window, the renewal answer's deadline
# and a bond's expiry they are raised.
CONTRACTS_RENEWAL_REMINDER_DAYS = env.int("CONTRACTS_RENEWAL_REMINDER_DAYS", default=30)
CONTRACTS_ANSWER_REMINDER_DAYS = env.int("CONTRACTS_ANSWER_REMINDER_DAYS", default=15)
CONTRACTS_BOND_REMINDER_DAYS = env.int("CONTRACTS_BOND_REMINDER_DAYS", default=30)
# People and enrolment imports larger than this (MB) run as a background job.
MEDSUPP_IMPORT_BACKGROUND_MB = env.float("MEDSUPP_IMPORT_BACKGROUND_MB", default=5)
# A plain settlement CSV on PostgreSQL goes through its fast path (checked line by line in Python,
# converted by COPY); off, the general path reads it. Tests switch it to compare the paths.
MEDSUPP_FAST_CSV = env.bool("MEDSUPP_FAST_CSV", default=True)
# The dashboard shows a failing tile's error instead of hiding it (always so with DEBUG).
DASHBOARD_STRICT = env.bool("DASHBOARD_STRICT", default=False)

# R-ORD-3 / R-IM-4: the insurer's profit at most this percent of the year's funds (contract terms
# above it are refused); a province with another rule sets it.
MEDSUPP_PROFIT_CAP_MAX = Decimal(env.str("MEDSUPP_PROFIT_CAP_MAX", default="5.00"))

# Plausible figures (issue 23, audit/plausibility.py): before an evaluation is submitted or
# approved, a transfer or year-end settlement approved, or a disclosure published, a payout ratio
# (percent) outside MIN..MAX, a negative amount or a figure more than CHANGE_PERCENT above or
# below last year's is shown as a warning, and going on needs a stated reason (audited).
MEDSUPP_PLAUSIBLE_PAYOUT_RATIO_MIN = Decimal(
    env.str("MEDSUPP_PLAUSIBLE_PAYOUT_RATIO_MIN", default="0")
)
MEDSUPP_PLAUSIBLE_PAYOUT_RATIO_MAX = Decimal(
    env.str("MEDSUPP_PLAUSIBLE_PAYOUT_RATIO_MAX", default="200")
)
MEDSUPP_PLAUSIBLE_CHANGE_PERCENT = Decimal(
    env.str("MEDSUPP_PLAUSIBLE_CHANGE_PERCENT", default="50")
)
