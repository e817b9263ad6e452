"""The embedded demo: SQLite, tasks in-process, anvil started by `manage.py demo`."""

from config.env import env_bool, env_list, env_str
from config.public_secrets import DEMO_WALLET_KEY

from .base import *  # noqa: F403

DEBUG = env_bool("DJANGO_DEBUG", True)
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", True)
CHAIN_IS_DEVELOPMENT = env_bool("CHAIN_IS_DEVELOPMENT", True)
DEMO_FAUCET = env_bool("DEMO_FAUCET", True)
# A fixed development key: demo wallets only, never real value.
WALLET_ENCRYPTION_KEYS = env_list("WALLET_ENCRYPTION_KEYS", DEMO_WALLET_KEY)
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# One process and no Redis: log-in counts in local memory; emails printed on the console.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
