"""Two-factor authentication with django-otp: an authenticator app (TOTP) and one-use backup codes.

A user has at most one confirmed authenticator (`TOTPDevice`) and, beside it, one `StaticDevice`
holding backup codes. Staff roles must have one; everyone else may. A session is *verified* when
django-otp records the device that passed it (`request.user.is_verified()`); the gate
(accounts.middleware.TwoFactorGateMiddleware) keeps a signed-in session that is not verified on the
code page (it has an authenticator) or, for staff without one, on the set-up page.

The API: a session log-in (POST /api/v1/auth/login/) of an account with an authenticator, and of any
staff account, sends the code as `otp_code` in the same request; staff without an authenticator set
one up on the web first. API keys are their own factor (a secret only the key's holder has, created
from a verified session) and stay valid without a code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TypeAlias

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.choices import STAFF_ROLES
from accounts.models import User
from compliance.audit import audit_record
from config.errors import Conflict, PermissionDenied, TooManyAttempts, ValidationFailed

# What a signed-in session still owes, kept in the session ("open": nothing).
STATE_SESSION_KEY = "accounts.two_factor"
OWES_CODE, OWES_SETUP, OPEN = "code", "setup", "open"
AUTHENTICATOR_NAME = "Authenticator app"
BACKUP_CODES_NAME = "Backup codes"
_SEPARATORS = re.compile(r"[\s-]+")


def requires_two_factor(user: User) -> bool:
    """Staff roles may not work without a second factor."""
    return user.role in STAFF_ROLES


def authenticator_of(user: User) -> TOTPDevice | None:
    """The user's confirmed authenticator, if any."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("-pk").first()


def has_authenticator(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def backup_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def has_backup_codes(user: User) -> bool:
    """Whether the user was ever given backup codes (used up or not)."""
    return StaticDevice.objects.filter(user=user, confirmed=True).exists()


def owed(request: HttpRequest) -> str:
    """What the signed-in session of `request` still owes: OWES_CODE, OWES_SETUP or OPEN.

    Read for every request of a session that is not verified: staff are checked each time (they are
    never open), everyone else once per session (the answer is kept in the session).
    """
    if not request.user.is_authenticated or getattr(request.user, "is_verified", lambda: False)():
        return OPEN
    user: User = request.user  # type: ignore[assignment]
    if requires_two_factor(user):
        return OWES_CODE if has_authenticator(user) else OWES_SETUP
    state = request.session.get(STATE_SESSION_KEY)
    if state not in (OWES_CODE, OPEN):
        state = OWES_CODE if has_authenticator(user) else OPEN
        request.session[STATE_SESSION_KEY] = state
    return state


def qr_svg(device: TOTPDevice) -> str:
    """The device's otpauth:// URL as an inline SVG QR code (paths only: no script, no style)."""
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
    svg = image.to_string(encoding="unicode")
    return re.sub(
        r'^<svg width="[^"]*" height="[^"]*"',
        f'<svg class="qr" role="img" aria-label="{_("QR code for your authenticator app")}"',
        svg,
    )


def secret_text(device: TOTPDevice) -> str:
    """The device's secret in base32, in groups of four, for typing into an app by hand."""
    from base64 import b32encode

    secret = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def _normalise(code: str) -> str:
    return _SEPARATORS.sub("", code or "").lower()


def _throttled(device: TOTPDevice | StaticDevice) -> TooManyAttempts | None:
    allowed, data = device.verify_is_allowed()
    if allowed:
        return None
    seconds = max(1, int((data["locked_until"] - timezone.now()).total_seconds()) + 1) if data else 1
    return TooManyAttempts(
        _("Too many wrong codes. Wait %(seconds)s seconds, then try the newest code.") % {"seconds": seconds},
        retry_after=seconds,
    )


def _wrong_code(field: str) -> ValidationFailed:
    message = _("This code is not right, or was already used. Enter the current code from your app.")
    return ValidationFailed(message, fields={field: [message]}, code="OtpInvalid")


Device: TypeAlias = TOTPDevice | StaticDevice


def _check(device: Device | None, code: str, field: str) -> Device | ValidationFailed | TooManyAttempts:
    if device is None:
        return _wrong_code(field)
    refusal = _throttled(device)
    if refusal is not None:
        return refusal
    return device if device.verify_token(code) else _wrong_code(field)


def code_check(*, user: User, code: str, field: str = "code") -> Device:
    """The device that accepts `code` (6 digits from the app, or a backup code), else a refusal.

    Each device counts its own wrong codes and makes the next attempt wait 1, 2, 4 ... seconds
    (django-otp's throttling). The device row is locked while checked, in a transaction of its own
    that commits before a refusal is raised: a wrong code must stay counted, so callers do not wrap
    this in their own transaction.
    """
    code = _normalise(code)
    if not code:
        message = _("Enter the code from your authenticator app, or one of your backup codes.")
        raise ValidationFailed(message, fields={field: [message]}, code="OtpRequired")
    model: type[TOTPDevice] | type[StaticDevice] = TOTPDevice if code.isdigit() else StaticDevice
    with transaction.atomic():
        device = model.objects.select_for_update().filter(user=user, confirmed=True).order_by("-pk").first()
        result = _check(device, code, field)
    if isinstance(result, ValidationFailed | TooManyAttempts):
        raise result
    return result


def two_factor_verify(*, request: HttpRequest, code: str) -> User:
    """The code step of a log-in: the session becomes verified (a wrong code is counted, see code_check)."""
    user: User = request.user  # type: ignore[assignment]
    device = code_check(user=user, code=code)
    with transaction.atomic():
        otp_login(request, device)
        request.session[STATE_SESSION_KEY] = OPEN
        if isinstance(device, StaticDevice):
            audit_record(
                actor=user,
                action="two_factor_backup_code_used",
                obj=user,
                data={"backup_codes_left": backup_codes_left(user)},
            )
    return user


@transaction.atomic
def two_factor_setup_start(*, user: User) -> TOTPDevice:
    """The unconfirmed authenticator the set-up page shows (the same one until confirmed or replaced)."""
    User.objects.select_for_update().get(pk=user.pk)
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=AUTHENTICATOR_NAME, confirmed=False)
    return device


def _new_backup_codes(user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=BACKUP_CODES_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(settings.TWO_FACTOR_BACKUP_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


@dataclass(frozen=True)
class Enrolled:
    """A confirmed authenticator and the backup codes shown this once."""

    device: TOTPDevice
    backup_codes: list[str]


def two_factor_setup_confirm(*, request: HttpRequest, code: str) -> Enrolled:
    """Confirm the set-up authenticator with a code from it: it replaces any earlier one, and the
    session is verified with it. New backup codes come with it; other sessions are logged out.

    A wrong code is counted (and throttled) like one at log-in, so it commits before the refusal.
    """
    from accounts.sessions import user_sessions_end_others

    user: User = request.user  # type: ignore[assignment]
    code = _normalise(code)
    with transaction.atomic():
        device = (
            TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).order_by("-pk").first()
        )
        if device is None:
            raise Conflict(_("Start the set-up again: this page was out of date."), code="OtpSetupMissing")
        result = _check(device, code, "code") if code.isdigit() else _wrong_code("code")
    if isinstance(result, ValidationFailed):
        message = _("This code does not match. Check the time on your phone and enter the newest code.")
        raise ValidationFailed(message, fields={"code": [message]}, code="OtpInvalid")
    if isinstance(result, TooManyAttempts):
        raise result
    with transaction.atomic():
        User.objects.select_for_update().get(pk=user.pk)
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        codes = _new_backup_codes(user)
        otp_login(request, device)
        request.session[STATE_SESSION_KEY] = OPEN
        audit_record(actor=user, action="two_factor_enabled", obj=user)
        user_sessions_end_others(
            user=user, current_key=request.session.session_key, reason="two_factor_enabled"
        )
    return Enrolled(device=device, backup_codes=codes)


@transaction.atomic
def two_factor_backup_codes_renew(*, user: User) -> list[str]:
    """A new set of backup codes; the old ones stop working."""
    if not has_authenticator(user):
        raise Conflict(_("Set up an authenticator app first."), code="OtpNotEnabled")
    codes = _new_backup_codes(user)
    audit_record(actor=user, action="two_factor_backup_codes_renewed", obj=user)
    return codes


def two_factor_disable(*, request: HttpRequest, password: str, code: str) -> None:
    """Turn two-factor authentication off: needs the password and a current code; never for staff."""
    user: User = request.user  # type: ignore[assignment]
    if requires_two_factor(user):
        raise PermissionDenied(
            _(
                "Staff accounts must keep two-factor authentication."
                " To change phones, set up a new app instead."
            ),
            code="OtpRequiredForStaff",
        )
    if not has_authenticator(user):
        raise Conflict(_("Two-factor authentication is not on."), code="OtpNotEnabled")
    from accounts.passwords import password_confirms

    if not password_confirms(request, user, password):
        message = _("This is not your current password.")
        raise ValidationFailed(message, fields={"password": [message]}, code="PasswordWrong")
    code_check(user=user, code=code)
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()
        request.session.pop(DEVICE_ID_SESSION_KEY, None)
        request.session[STATE_SESSION_KEY] = OPEN
        audit_record(actor=user, action="two_factor_disabled", obj=user)
