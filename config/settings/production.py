"""Production: every secret from the environment; passes `manage.py check --deploy`."""

from config.env import env_bool, env_int, env_list, env_str

from .base import *  # noqa: F403
from .base import AUDIT_HMAC_RETIRED_KEYS, DEMO_AUDIT_HMAC_KEY, WALLET_ENCRYPTION_KEYS

DEBUG = False
SECRET_KEY = env_str("DJANGO_SECRET_KEY")
if len(SECRET_KEY) < 50 or SECRET_KEY.startswith("insecure"):
    raise RuntimeError("Set DJANGO_SECRET_KEY to a random value of at least 50 characters in production.")
if not WALLET_ENCRYPTION_KEYS:
    raise RuntimeError("Set WALLET_ENCRYPTION_KEYS in production.")
AUDIT_HMAC_KEY = env_str("AUDIT_HMAC_KEY")
if len(AUDIT_HMAC_KEY) < 32 or DEMO_AUDIT_HMAC_KEY in (AUDIT_HMAC_KEY, *AUDIT_HMAC_RETIRED_KEYS):
    raise RuntimeError("Set AUDIT_HMAC_KEY to a random value of at least 32 characters (not the demo key).")
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
