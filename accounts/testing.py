"""Helpers for tests that sign in the way a person does, second factor included (browser and HTTP tests).

`totp_device(user)` gives a user a confirmed authenticator; `totp_code(user)` is the code it shows now.
A log-in page or `POST /api/v1/auth/login/` with `otp_code` then takes that code like a phone's.
"""

from __future__ import annotations

import time
from typing import Any

from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User
from accounts.two_factor import AUTHENTICATOR_NAME, has_authenticator, requires_two_factor


def totp_device(user: User, *, key: str | None = None) -> TOTPDevice:
    """The user's confirmed authenticator, created when missing (`key`: hex secret, else random)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).order_by("-pk").first()
    if device is None:
        fields = {"key": key} if key else {}
        device = TOTPDevice.objects.create(user=user, name=AUTHENTICATOR_NAME, confirmed=True, **fields)
    return device


def code_now(device: TOTPDevice) -> str:
    """The code `device` accepts at this moment."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    return f"{totp.token():0{device.digits}d}"


def totp_code(user: User) -> str:
    """The current code of the user's authenticator (created when missing), accepted even when a test
    already used this 30-second step's code (a real app would make the person wait for the next one)."""
    device = totp_device(user)
    TOTPDevice.objects.filter(pk=device.pk).update(
        last_t=-1, throttling_failure_count=0, throttling_failure_timestamp=None
    )
    device.refresh_from_db()
    return code_now(device)


def verified_login(client: Any, user: User) -> None:
    """`client.force_login(user)` plus the second factor, as a whole log-in leaves the session (scripts
    such as the benchmarks; under pytest the conftest does this for every `force_login`)."""
    client.force_login(user)
    if requires_two_factor(user) or has_authenticator(user):
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = totp_device(user).persistent_id
        session.save()
