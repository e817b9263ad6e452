"""Template context shared by every page."""

from django.conf import settings
from django.http import HttpRequest


def platform(request: HttpRequest) -> dict[str, object]:
    """The platform's name and whether demo helpers are on."""
    return {"PLATFORM_NAME": settings.PLATFORM_NAME, "DEMO_FAUCET": settings.DEMO_FAUCET}
