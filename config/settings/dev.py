"""The embedded demo: SQLite, tasks in-process, anvil started by `manage.py demo`."""

from config.env import env_bool, env_int, env_list, env_str
from config.public_secrets import DEMO_CUSTOMER_WALLET_KEY, DEMO_PLATFORM_WALLET_KEY

from .base import *  # noqa: F403

# Debug pages off: the demo shows the product's own 403/404/500 pages, as production does
# (DJANGO_DEBUG=1 brings Django's debug pages back while developing). WhiteNoise serves static files.
DEBUG = env_bool("DJANGO_DEBUG", False)
# The demo's emails go to the console; its "check your email" page shows the link instead.
DEMO_EMAIL_LINKS = env_bool("DEMO_EMAIL_LINKS", True)
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", True)
CHAIN_IS_DEVELOPMENT = env_bool("CHAIN_IS_DEVELOPMENT", True)
DEMO_FAUCET = env_bool("DEMO_FAUCET", True)
# Fixed development keys: demo wallets only, never real value (production refuses them).
PLATFORM_WALLET_KEYS = env_list("PLATFORM_WALLET_KEYS", DEMO_PLATFORM_WALLET_KEY)
CUSTOMER_WALLET_KEYS = env_list("CUSTOMER_WALLET_KEYS", DEMO_CUSTOMER_WALLET_KEY)
CHAIN_ADMIN_DELAY_SECONDS = env_int("CHAIN_ADMIN_DELAY_SECONDS", 0, minimum=0)
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# One process and no Redis: log-in counts in local memory; emails printed on the console.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
# No beat in the demo: the indexer runs when a confirmed funding, settlement or refund nudges it, so an
# idle index is not late (only one that stopped short of the head is "catching up").
INDEXER_LAG_SECONDS = env_int("INDEXER_LAG_SECONDS", 365 * 24 * 3600, minimum=1)
