"""Settings shared by every environment; each value can be set from the environment."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_decimal, env_int, env_list, env_rate, env_str
from config.public_secrets import DEMO_AUDIT_HMAC_KEY, DEMO_SECRET_KEY

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(env_str("VAR_DIR", str(BASE_DIR / "var")))

SECRET_KEY = env_str("DJANGO_SECRET_KEY", DEMO_SECRET_KEY)
DEBUG = env_bool("DJANGO_DEBUG", False)
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "csp",
    "django_htmx",
    "django_countries",
    # Two-factor authentication (accounts/two_factor.py): authenticator apps (TOTP) and backup codes.
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "accounts",
    "issuers",
    "financing",
    "tokens",
    "compliance",
]

MIDDLEWARE = [
    "config.request_id.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Static files are answered here, before the private-answer rules below: they keep their long cache.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    # Outside the session middleware, so that it sees the session cookie being set.
    "config.middleware.NoStoreMiddleware",
    # Before anything that reads the body (CSRF reads POST data).
    "config.middleware.RequestBodyLimitMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The language from the cookie the switcher sets, else the browser's Accept-Language (zh-HK -> 繁體,
    # zh-CN -> 简体); after the session, before anything that renders text.
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.is_verified(): whether this session passed the second factor.
    "django_otp.middleware.OTPMiddleware",
    # A signed-in user's stored language wins over the cookie and the browser.
    "config.middleware.UserLanguageMiddleware",
    # A session that still owes its second factor (or a staff one without an authenticator) reaches
    # only the code or set-up page; every signed-in session is listed on the account's sessions page.
    "accounts.middleware.TwoFactorGateMiddleware",
    "accounts.middleware.SessionRecordMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "config.middleware.SessionTimeoutMiddleware",
    "config.middleware.UniqueConflictMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"
# Form fields whose `aria-describedby` names the help and error ids `templates/partials/field.html` renders.
FORM_RENDERER = "config.forms.FormRenderer"

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
                "config.context_processors.platform",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0, minimum=0),
        # A kept connection is checked before its first use in each request or task (a restarted
        # database costs one reconnect, never a failed task).
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded demo: WAL lets readers run beside the writer, IMMEDIATE takes the write lock when a
    # transaction starts (a deferred one that reads and then writes fails at once with "database is
    # locked"), and the timeout makes a concurrent click wait its turn instead of failing.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
        "transaction_mode": "IMMEDIATE",
        "timeout": env_int("SQLITE_BUSY_TIMEOUT", 20, minimum=1),
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"
# A session ends after SESSION_IDLE_TIMEOUT_SECONDS without activity (background polling does not
# count) and SESSION_ABSOLUTE_TIMEOUT_SECONDS after log-in, whatever happens (config.middleware).
SESSION_IDLE_TIMEOUT_SECONDS = env_int("SESSION_IDLE_TIMEOUT_SECONDS", 30 * 60, minimum=60)
SESSION_ABSOLUTE_TIMEOUT_SECONDS = env_int("SESSION_ABSOLUTE_TIMEOUT_SECONDS", 12 * 60 * 60, minimum=60)
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_TIMEOUT_SECONDS
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Three languages (config/i18n.py): English, Traditional Chinese (Hong Kong, Macao, Taiwan browsers) and
# Simplified Chinese (mainland, Singapore and plain `zh` browsers: Django's fallback for a bare `zh`
# is the first `zh-` entry here, so zh-hans comes first). Names are written in their own language.
LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", "English"),
    ("zh-hans", "简体中文"),
    ("zh-hant", "繁體中文"),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_NAME = "language"
LANGUAGE_COOKIE_AGE = 365 * 24 * 60 * 60
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = "Asia/Hong_Kong"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT: Path | None = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
MEDIA_URL = "media/"

# KYB documents: the size of one file, and what one company may keep in total.
DOCUMENT_MAX_BYTES = env_int("DOCUMENT_MAX_BYTES", 10 * 1024 * 1024, minimum=1)
DOCUMENT_QUOTA_COUNT = env_int("DOCUMENT_QUOTA_COUNT", 40, minimum=1)
DOCUMENT_QUOTA_BYTES = env_int("DOCUMENT_QUOTA_BYTES", 200 * 1024 * 1024, minimum=1)
# Request bodies are refused (413) from their Content-Length, before anything reads them
# (config.middleware): views that take an upload allow one document plus the multipart form around
# it, every other view REQUEST_BODY_MAX_BYTES.
REQUEST_BODY_MAX_BYTES = env_int("REQUEST_BODY_MAX_BYTES", 1024 * 1024, minimum=1024)
UPLOAD_BODY_MAX_BYTES = DOCUMENT_MAX_BYTES + 64 * 1024
# Django's own limits agree: form fields and JSON bodies within the general limit, at most five files
# per request (an answer to a request for information; every other upload takes one), and a file
# above 2.5 MB streamed to a temporary file rather than held in memory.
DATA_UPLOAD_MAX_MEMORY_SIZE = REQUEST_BODY_MAX_BYTES
DATA_UPLOAD_MAX_NUMBER_FILES = 5
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

REST_FRAMEWORK = {
    # JSON only: the browsable API's pages carry inline styles the CSP refuses; /api/docs/ is the API's page.
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # A request with `Authorization: Bearer <key>` is judged by its key (no CSRF: no cookie); any
    # other by its session, with DRF's CSRF check on writes (accounts/authentication.py).
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.ApiKeyAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "config.api.exception_handler",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 50,
    "COERCE_DECIMAL_TO_STRING": True,
}
SPECTACULAR_SETTINGS = {
    # The product's name (PLATFORM_NAME below), as the pages and the README call it.
    "TITLE": "Bay Area Capital Connect API",
    "DESCRIPTION": "Onboarding, financing applications, offerings, subscriptions and settlement.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "FrequencyEnum": "financing.choices.Frequency",
        # Data sharing by consent (issuers/sharing/apis.py).
        "ConsentStateEnum": "issuers.sharing.choices.ConsentState",
        "SharedDatasetEnum": "issuers.sharing.choices.Dataset",
        # An application's currency, and the currency a stablecoin pays in (CNY settles in CNH).
        "CurrencyEnum": "financing.choices.Currency",
        "PaymentCurrencyEnum": "tokens.choices.PaymentCurrency",
        # Staff token operations (tokens/apis.py) and the notices on a holding.
        "TokenOperationKindEnum": "tokens.choices.TokenOperationKind",
        "TokenOperationStatusEnum": "tokens.choices.TokenOperationStatus",
        "LegalBasisEnum": "tokens.choices.LegalBasis",
        "LicenceKindEnum": "compliance.licences.choices.LicenceKind",
        # Where a person lives: every value on records, the declarable ones (no "not stated") on input.
        "ResidencyEnum": "issuers.choices.Residency",
        "DeclaredResidencyEnum": "issuers.choices.DECLARABLE_RESIDENCIES",
        # Review cases (compliance/cases/apis.py): their kinds, states and decisions by their own names.
        "CaseKindEnum": "compliance.cases.choices.CaseKind",
        "CaseStatusEnum": "compliance.cases.choices.CaseStatus",
        "CaseDecisionEnum": "compliance.cases.choices.Decision",
        "InformationRequestStatusEnum": "compliance.cases.choices.InformationRequestStatus",
        "CaseCheckStatusEnum": ["passed", "attention", "failed"],
        "CaseSubjectTypeEnum": ["company", "investor", "application"],
        "CaseDecisionRequestEnum": [
            "approve",
            "reject",
            "clear",
            "confirm",
            "request_info",
            "escalate",
            "request_changes",
        ],
        "CaseAlertKindEnum": "compliance.cases.choices.AlertKind",
        "CaseOutcomeEnum": "compliance.cases.choices.Outcome",
        "CaseRiskLevelEnum": "compliance.cases.choices.RiskLevel",
        "InvestorDocumentKindEnum": "compliance.choices.InvestorDocumentKind",
        # Trade finance (financing/trade/apis.py): invoice or electronic bill of lading.
        "TradeDocumentKindEnum": "financing.choices.TradeDocumentKind",
        "AttestationKindEnum": "compliance.choices.AttestationKind",
        "AttestationStatusEnum": "compliance.choices.AttestationStatus",
    },
    # Swagger UI from the project's own static files (no CDN), started by a script file (no inline script).
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # No deep links: Swagger UI draws them as links inside the operation buttons (axe: nested-interactive).
    "SWAGGER_UI_SETTINGS": {"deepLinking": False, "validatorUrl": None},
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "config.schema.path_ids_are_non_negative",
        "config.schema.api_key_refusals",
    ],
}
# /api/docs/ and /api/schema/: open to everyone, or (False, production's default) to staff roles only.
API_DOCS_PUBLIC = env_bool("API_DOCS_PUBLIC", True)

# No inline script or style and no third-party origin on any page: scripts and styles live in static/.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}

# Celery: the broker is Redis; CELERY_TASK_ALWAYS_EAGER runs tasks in-process (the embedded demo).
REDIS_URL = env_str("REDIS_URL", "redis://127.0.0.1:6379/0")
CELERY_BROKER_URL = REDIS_URL
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A worker keeps its database connection between tasks for this many seconds (health-checked before
# each task; config/celery.py): opening one per task cost a few ms of every chain task.
WORKER_DATABASE_CONN_MAX_AGE = env_int("WORKER_DATABASE_CONN_MAX_AGE", 600, minimum=0)
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 300, minimum=10)
}
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_ROUTES = {"tokens.tasks.*": {"queue": "chain"}}
CELERY_BEAT_SCHEDULE = {
    "chain-outbox-sweep": {"task": "tokens.tasks.chain_outbox_sweep", "schedule": 30.0},
    "chain-money-reconcile": {"task": "tokens.tasks.chain_money_reconcile", "schedule": 30.0},
    "offerings-close-due": {"task": "financing.tasks.offerings_close_due", "schedule": 60.0},
    "transfers-expire": {"task": "financing.tasks.transfers_expire", "schedule": 300.0},
    # Each run checks the entries added since the last checkpoint; the daily one re-checks from the first.
    "audit-verify": {"task": "compliance.tasks.audit_chain_verify", "schedule": 300.0},
    "audit-verify-full": {
        "task": "compliance.tasks.audit_chain_verify",
        "schedule": 86400.0,
        "kwargs": {"full": True},
    },
    # Daily: stale professional-investor evidence lapses (on chain too); reminders before it does.
    "kyc-evidence-sweep": {"task": "compliance.tasks.kyc_evidence_sweep", "schedule": 86400.0},
    # The arrangers of open offerings: an alert when the licence one relies on lapses or is suspended.
    "licences-recheck": {
        "task": "compliance.tasks.licences_recheck",
        "schedule": env_int("COMPLIANCE_LICENCE_RECHECK_SECONDS", 86400, minimum=60),
    },
    # Politically exposed persons are reviewed yearly: an alert a year after the last approval or review.
    "pep-reviews": {"task": "compliance.tasks.pep_reviews_raise", "schedule": 86400.0},
    # The event indexer reads the platform's contracts into holdings and history (tokens/indexer/);
    # reconciliation then checks those holdings and the HKD leg against the books.
    "chain-index": {
        "task": "tokens.indexer.tasks.chain_index",
        "schedule": float(env_int("INDEXER_INTERVAL_SECONDS", 5, minimum=1)),
    },
    "holdings-reconcile": {"task": "tokens.indexer.tasks.holdings_reconcile", "schedule": 300.0},
    # Servicing: funding notices, late payments, record-date snapshots, payouts and redemptions.
    # Notification emails a lost task left unsent (accounts/notifications.py).
    "notifications-email-sweep": {"task": "accounts.tasks.notifications_email", "schedule": 300.0},
    "servicing-run": {
        "task": "financing.tasks.servicing_run",
        "schedule": float(env_int("SERVICING_INTERVAL_SECONDS", 300, minimum=10)),
    },
}

# The cache holds the log-in failure counts, shared by every process (accounts/lockout.py).
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "cache",
    }
}
# Log-in guessing limits: after this many failures an account (or a client address) is locked for
# LOGIN_LOCKOUT_SECONDS, each further lockout twice as long, up to LOGIN_LOCKOUT_MAX_SECONDS.
LOGIN_FAILURES_PER_ACCOUNT = env_int("LOGIN_FAILURES_PER_ACCOUNT", 5, minimum=1)
LOGIN_FAILURES_PER_ADDRESS = env_int("LOGIN_FAILURES_PER_ADDRESS", 20, minimum=1)
LOGIN_LOCKOUT_SECONDS = env_int("LOGIN_LOCKOUT_SECONDS", 60, minimum=1)
LOGIN_LOCKOUT_MAX_SECONDS = env_int("LOGIN_LOCKOUT_MAX_SECONDS", 3600, minimum=1)
# The largest data file (JSON or UBL invoice XML) the public verification page and API read.
VERIFY_FILE_MAX_BYTES = env_int("VERIFY_FILE_MAX_BYTES", 256 * 1024, minimum=1024)
# Public endpoints without log-in are limited per client address (config/ratelimit.py): "N/period", e.g.
# "30/minute" or "200/day". "verify" counts every verification request (page or API); "verify-documents"
# counts the distinct documents one address asks about (guessing fields to find registered documents).
RATE_LIMITS = {
    "verify": env_rate("RATE_LIMIT_VERIFY", "30/minute"),
    "verify-documents": env_rate("RATE_LIMIT_VERIFY_DOCUMENTS", "100/hour"),
    # Checks of attestation files and reads of the published attester (no log-in): per client address.
    "attestations": env_rate("RATE_LIMIT_ATTESTATIONS", "30/minute"),
}
# Reverse proxies (addresses or networks) whose X-Forwarded-For is believed; none by default.
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES", "")
# API keys (accounts/authentication.py): how many unrevoked, unexpired keys one user may hold, and
# the longest a key may live in days (also the default; 0 lets keys live until revoked).
API_KEYS_PER_USER = env_int("API_KEYS_PER_USER", 5, minimum=1)
API_KEY_MAX_DAYS = env_int("API_KEY_MAX_DAYS", 365, minimum=0)
# Sign-up confirmation links expire after this many seconds.
EMAIL_CONFIRMATION_MAX_AGE = env_int("EMAIL_CONFIRMATION_MAX_AGE", 3 * 24 * 3600, minimum=60)
# Password reset links (Django's signed tokens: one use, invalid once the password changes) expire after
# this many seconds; at most PASSWORD_RESETS_PER_HOUR requests per address asked for and per client.
PASSWORD_RESET_TIMEOUT = env_int("PASSWORD_RESET_TIMEOUT", 60 * 60, minimum=300)
PASSWORD_RESETS_PER_HOUR = env_int("PASSWORD_RESETS_PER_HOUR", 5, minimum=1)
# A link that changes the account's email address, sent to the new address, expires after this long.
EMAIL_CHANGE_MAX_AGE = env_int("EMAIL_CHANGE_MAX_AGE", 24 * 3600, minimum=60)
# Two-factor authentication (django-otp): the issuer authenticator apps show beside the account; each
# wrong code doubles the wait before the next one (1 s, 2 s, 4 s, ...).
OTP_TOTP_ISSUER = "Bay Area Capital Connect"
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_STATIC_THROTTLE_FACTOR = 1
# The admin lets an operator delete a lost authenticator (the owner then sets up a new one) but never
# shows a secret or a backup code.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
# How many one-use backup codes an enrolment (or a renewal) gives.
TWO_FACTOR_BACKUP_CODES = 10

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "no-reply@localhost")
# Where emails send people back to (links in notification emails are this plus a path).
SITE_URL = env_str("SITE_URL", "http://localhost:8000")

# The chain. CHAIN_RPC_URL points at any EVM node; anvil only in the demo and the tests.
CHAIN_RPC_URL = env_str("CHAIN_RPC_URL", "http://127.0.0.1:8545")
CHAIN_RPC_TIMEOUT = env_int("CHAIN_RPC_TIMEOUT", 10, minimum=1)
CHAIN_CONFIRMATIONS = env_int("CHAIN_CONFIRMATIONS", 1, minimum=1)
CHAIN_RECEIPT_POLL_SECONDS = env_int("CHAIN_RECEIPT_POLL_SECONDS", 1, minimum=1)
CHAIN_IS_DEVELOPMENT = env_bool("CHAIN_IS_DEVELOPMENT", False)
# How pages name the chain (empty: from the chain id, e.g. "Polygon PoS") and link a token's address to a
# block explorer: a URL with {address}, e.g. https://polygonscan.com/address/{address} (empty: no link;
# the demo's local chain has no explorer).
CHAIN_NAME = env_str("CHAIN_NAME", "")
CHAIN_EXPLORER_ADDRESS_URL = env_str("CHAIN_EXPLORER_ADDRESS_URL", "")
if CHAIN_EXPLORER_ADDRESS_URL and (
    "{address}" not in CHAIN_EXPLORER_ADDRESS_URL or not CHAIN_EXPLORER_ADDRESS_URL.startswith("https://")
):
    raise ImproperlyConfigured("CHAIN_EXPLORER_ADDRESS_URL is an https:// URL containing {address}.")
# A sent transaction not mined within this many seconds is replaced: the same nonce, signed again at a
# higher fee (at least +12.5% and at least the node's gas price), never above CHAIN_MAX_GAS_PRICE_WEI.
CHAIN_TX_REPLACE_AFTER_SECONDS = env_int("CHAIN_TX_REPLACE_AFTER_SECONDS", 120, minimum=1)
CHAIN_MAX_GAS_PRICE_WEI = env_int("CHAIN_MAX_GAS_PRICE_WEI", 500 * 10**9, minimum=1)
# The event indexer (tokens/indexer/): it reads from INDEXER_START_BLOCK (the platform's deployment
# block on a long chain) up to the head, INDEXER_BLOCK_RANGE blocks per eth_getLogs (a node's range
# limit), at most INDEXER_MAX_CHUNKS ranges per run; it keeps the hashes of the last INDEXER_KEEP_BLOCKS
# blocks it read to find the common ancestor after a re-organisation; readers are told it is catching
# up when its last run is older than INDEXER_LAG_SECONDS or stopped short of the head.
INDEXER_START_BLOCK = env_int("INDEXER_START_BLOCK", 0, minimum=0)
INDEXER_BLOCK_RANGE = env_int("INDEXER_BLOCK_RANGE", 2000, minimum=1)
INDEXER_MAX_CHUNKS = env_int("INDEXER_MAX_CHUNKS", 50, minimum=1)
INDEXER_KEEP_BLOCKS = env_int("INDEXER_KEEP_BLOCKS", 256, minimum=8)
INDEXER_LAG_SECONDS = env_int("INDEXER_LAG_SECONDS", 60, minimum=1)
# Where keys live and who may sign what: tokens/signer.py. The local backend encrypts keys at rest with
# Fernet keys (comma-separated, newest first): platform role keys and customers' custodial keys apart.
SIGNER_BACKEND = env_str("SIGNER_BACKEND", "tokens.signer.LocalKeyBackend")
PLATFORM_WALLET_KEYS = env_list("PLATFORM_WALLET_KEYS", "")
CUSTOMER_WALLET_KEYS = env_list("CUSTOMER_WALLET_KEYS", "")
# Admin operations (registering an offering, forced transfers, role changes) wait this long in the
# platform timelock between the registrar's proposal and the admin key's execution.
CHAIN_ADMIN_DELAY_SECONDS = env_int("CHAIN_ADMIN_DELAY_SECONDS", 3600, minimum=0)
# An investor's payment authorisation is valid this long; the escrow deposit uses it at once.
PAYMENT_AUTHORISATION_SECONDS = env_int("PAYMENT_AUTHORISATION_SECONDS", 86400, minimum=60)
# A sale between investors waits this long for the buyer to accept, then expires (beat: transfers-expire).
TRANSFER_OFFER_SECONDS = env_int("TRANSFER_OFFER_SECONDS", 3 * 86400, minimum=60)
# Self-custody wallets (Sign-In with Ethereum): a challenge's nonce is valid this long; a message's Issued
# At may be this far ahead of our clock; an investor links at most this many wallets.
SIWE_NONCE_SECONDS = env_int("SIWE_NONCE_SECONDS", 600, minimum=60)
SIWE_CLOCK_SKEW_SECONDS = env_int("SIWE_CLOCK_SKEW_SECONDS", 60, minimum=0)
LINKED_WALLETS_MAX = env_int("LINKED_WALLETS_MAX", 3, minimum=1)
# After an offering's closing time the platform has this long to settle; then anyone may refund escrows.
SETTLEMENT_WINDOW_DAYS = env_int("SETTLEMENT_WINDOW_DAYS", 14, minimum=1)
# The secret the audit trail's hash chain is keyed with (HMAC-SHA256). The committed default serves
# the demo and the tests only; production refuses it. Retired keys still verify the entries they signed.
AUDIT_HMAC_KEY = env_str("AUDIT_HMAC_KEY", DEMO_AUDIT_HMAC_KEY)
AUDIT_HMAC_RETIRED_KEYS = env_list("AUDIT_HMAC_RETIRED_KEYS", "")
# Personal records are kept this many years after the relationship ends (AMLO: at least five).
RETENTION_YEARS = env_int("RETENTION_YEARS", 5, minimum=5)

# Sanctions screening: a name scoring this (0-100) or more against a list entry is a potential match.
SANCTIONS_MATCH_THRESHOLD = env_int("SANCTIONS_MATCH_THRESHOLD", 85, minimum=50)
if SANCTIONS_MATCH_THRESHOLD > 100:
    raise ImproperlyConfigured("SANCTIONS_MATCH_THRESHOLD is a score from 50 to 100.")
# Who a re-screening on a new list version covers: a callable yielding compliance.screening.parties.Party.
SANCTIONS_PARTY_SOURCE = "compliance.screening.parties.registered_parties"
# KYB and KYC approval waits until the party has been screened: refused while no list is imported.
SANCTIONS_SCREENING_REQUIRED = env_bool("SANCTIONS_SCREENING_REQUIRED", True)
# The list the demo imports before seeding (empty: the OFAC file in the shared data folder beside the
# project, ../shared/data/sanctions/, when there is one).
SANCTIONS_DEMO_LIST_FILE = env_str("SANCTIONS_DEMO_LIST_FILE", "")

# Review cases: a risk score (0-100+) from this is medium, from the second high. Medium and high cases,
# and every application above the amount (in HKD), are decided by an approver on another person's
# recommendation (four eyes); low-risk cases by one officer.
COMPLIANCE_RISK_MEDIUM_FROM = env_int("COMPLIANCE_RISK_MEDIUM_FROM", 25, minimum=1)
COMPLIANCE_RISK_HIGH_FROM = env_int("COMPLIANCE_RISK_HIGH_FROM", 50, minimum=1)
if COMPLIANCE_RISK_HIGH_FROM <= COMPLIANCE_RISK_MEDIUM_FROM:
    raise ImproperlyConfigured("COMPLIANCE_RISK_HIGH_FROM must be above COMPLIANCE_RISK_MEDIUM_FROM.")
# Days before a professional-investor status or a KYC approval lapses that compliance gets an
# "evidence expiring" alert and the investor a reminder email.
KYC_EVIDENCE_REMINDER_DAYS = env_int("KYC_EVIDENCE_REMINDER_DAYS", 30, minimum=1)
COMPLIANCE_APPROVER_AMOUNT_HKD = env_decimal("COMPLIANCE_APPROVER_AMOUNT_HKD", "10000000")
# Countries under FATF's call for action or increased monitoring (ISO codes); parties there score high.
COMPLIANCE_HIGH_RISK_COUNTRIES = env_list(
    "COMPLIANCE_HIGH_RISK_COUNTRIES",
    "KP,IR,MM,DZ,AO,BG,BF,CM,CI,HR,CD,HT,KE,LA,LB,ML,MC,MZ,NA,NG,ZA,SS,SY,TZ,VE,VN,YE",
)
# The licence register: a licence ending within this many days shows as "lapses in N days".
COMPLIANCE_LICENCE_LAPSE_WARNING_DAYS = env_int("COMPLIANCE_LICENCE_LAPSE_WARNING_DAYS", 60, minimum=1)

PLATFORM_NAME = "Bay Area Capital Connect"
# Show an emailed link on the page (the embedded demo only, with a console or memory email backend).
DEMO_EMAIL_LINKS = False
DEMO_FAUCET = env_bool("DEMO_FAUCET", False)
# Payment tokens (one listed stablecoin per currency) have 6 decimals; security tokens are whole units.
# A stablecoin with other decimals is refused when staff propose it.
PAYMENT_TOKEN_DECIMALS = 6
# The travel rule: a payment leg of this much or more (in HKD, or its equivalent at the reference rates
# below) records the originator's and recipient's full details; a smaller one their names and wallets.
TRAVEL_RULE_THRESHOLD_HKD = env_decimal("TRAVEL_RULE_THRESHOLD_HKD", "8000")
# Hong Kong dollars per unit of each currency, for the travel-rule threshold only (never to move money):
# HKD and MOP are pegged, USD is the peg's central rate, CNY a conservative reference for CNH.
REFERENCE_HKD_PER_UNIT = {
    "HKD": Decimal("1"),
    "USD": env_decimal("REFERENCE_HKD_PER_USD", "7.8"),
    "MOP": env_decimal("REFERENCE_HKD_PER_MOP", "0.97"),
    "CNY": env_decimal("REFERENCE_HKD_PER_CNY", "1.08"),
}
MAX_OFFERING_OVERSUBSCRIPTION = env_decimal("MAX_OFFERING_OVERSUBSCRIPTION", "3")
# Allotments settled per transaction (settleBatch): about 32k gas each (40k with a pro-rata refund), so
# 50 is about 1.6-2M gas, far below a block's limit.
SETTLEMENT_BATCH_SIZE = env_int("SETTLEMENT_BATCH_SIZE", 50, minimum=1)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "config.request_id.RequestIdFilter"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s [%(request_id)s] %(name)s %(message)s"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["request_id"]}
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "web3": {"level": "WARNING"},
        "urllib3": {"level": "WARNING"},
        "celery.app.trace": {"level": env_str("CELERY_TRACE_LOG_LEVEL", "WARNING")},
    },
}

# Servicing (financing/services/servicing.py): the issuer is asked to fund a payment this many days
# before it is due; unfunded this many days after the due date it is late (staff alerted, holders told,
# the offering in arrears) and default interest accrues on it at this yearly rate (ACT/365, per day late
# from the due date) until it is funded. The record date is this many days before the due date.
SERVICING_FUNDING_NOTICE_DAYS = env_int("SERVICING_FUNDING_NOTICE_DAYS", 14, minimum=0)
SERVICING_GRACE_DAYS = env_int("SERVICING_GRACE_DAYS", 3, minimum=0)
SERVICING_DEFAULT_INTEREST_RATE = env_decimal("SERVICING_DEFAULT_INTEREST_RATE", "0.08")
SERVICING_RECORD_DAYS = env_int("SERVICING_RECORD_DAYS", 0, minimum=0)
SERVICING_PAYOUT_BATCH_SIZE = env_int("SERVICING_PAYOUT_BATCH_SIZE", 200, minimum=1)
