"""Production: every secret from the environment; passes `manage.py check --deploy`."""

from config.env import env_bool, env_int, env_list, env_str

from .base import *  # noqa: F403
from .base import CUSTOMER_WALLET_KEYS, PLATFORM_WALLET_KEYS

DEBUG = False
SECRET_KEY = env_str("DJANGO_SECRET_KEY")
if len(SECRET_KEY) < 50 or SECRET_KEY.startswith("insecure"):
    raise RuntimeError("Set DJANGO_SECRET_KEY to a random value of at least 50 characters in production.")
if not PLATFORM_WALLET_KEYS or not CUSTOMER_WALLET_KEYS:
    raise RuntimeError("Set PLATFORM_WALLET_KEYS and CUSTOMER_WALLET_KEYS in production.")
if set(PLATFORM_WALLET_KEYS) & set(CUSTOMER_WALLET_KEYS):
    raise RuntimeError("Customers' wallet keys must be encrypted under other keys than the platform's.")
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS")
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = env_int("DJANGO_SECURE_HSTS_SECONDS", 31536000, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
