"""Production: every secret from the environment; passes `manage.py check --deploy`."""

from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_int, env_list, env_secret, env_secret_list
from config.public_secrets import PUBLIC_SECRET_VALUES

from .base import *  # noqa: F403
from .base import AUDIT_HMAC_RETIRED_KEYS

DEBUG = False
SECRET_KEY = env_secret("DJANGO_SECRET_KEY", min_length=50)
PLATFORM_WALLET_KEYS = env_secret_list("PLATFORM_WALLET_KEYS")
CUSTOMER_WALLET_KEYS = env_secret_list("CUSTOMER_WALLET_KEYS")
if set(PLATFORM_WALLET_KEYS) & set(CUSTOMER_WALLET_KEYS):
    raise ImproperlyConfigured("Customers' wallet keys need other encryption keys than the platform's.")
AUDIT_HMAC_KEY = env_secret("AUDIT_HMAC_KEY", min_length=32)
if set(AUDIT_HMAC_RETIRED_KEYS) & PUBLIC_SECRET_VALUES:
    raise ImproperlyConfigured(
        "AUDIT_HMAC_RETIRED_KEYS holds a published value; AUDIT_HMAC_KEY values must be private."
    )
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS")
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = env_int("DJANGO_SECURE_HSTS_SECONDS", 31536000, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
API_DOCS_PUBLIC = env_bool("API_DOCS_PUBLIC", False)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
