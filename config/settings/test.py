"""The test suite: real PostgreSQL, Redis and anvil (started by `make test` through tests.services)."""

from config.env import env_bool, env_list
from config.public_secrets import TEST_CUSTOMER_WALLET_KEY, TEST_PLATFORM_WALLET_KEY

from .base import *  # noqa: F403
from .base import DATABASES

DEBUG = False
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", True)
CHAIN_IS_DEVELOPMENT = True
DEMO_FAUCET = True
CHAIN_RECEIPT_POLL_SECONDS = 1
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
PLATFORM_WALLET_KEYS = env_list("PLATFORM_WALLET_KEYS", TEST_PLATFORM_WALLET_KEY)
CUSTOMER_WALLET_KEYS = env_list("CUSTOMER_WALLET_KEYS", TEST_CUSTOMER_WALLET_KEY)
CHAIN_ADMIN_DELAY_SECONDS = 0
# Tests that are not about screening approve parties without importing a list; those that are switch
# it on (compliance/tests/test_screening_cases.py).
SANCTIONS_SCREENING_REQUIRED = False
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    raise RuntimeError("The test suite runs on PostgreSQL: run it through `make test` or set DATABASE_URL.")
# Pages are tested without collectstatic: serve static files from the finders.
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
