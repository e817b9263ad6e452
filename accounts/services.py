"""Writes for accounts: sign-up and its email confirmation, log-in, staff accounts, API keys."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from functools import partial
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth import authenticate, login, password_validation
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_otp import login as otp_login

from accounts.authentication import api_key_new
from accounts.choices import SELF_SIGNUP_ROLES, Role
from accounts.confirmation import confirmation_token, confirmation_token_user
from accounts.lockout import attempt_begin, client_address
from accounts.models import ApiKey, User
from compliance.audit import audit_record
from config.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from config.i18n import in_language_of, supported
from config.text import SHORT_TEXT_MAX_LENGTH

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

EMAIL_MAX_LENGTH = User._meta.get_field("email").max_length or 254
NAME_MAX_LENGTH = User._meta.get_field("full_name").max_length or 200


def _normalise_email(email: str) -> str:
    return User.objects.normalize_email(email.strip()).lower()


def _email_on_commit(*, to: User, subject: StrOrPromise, template: str, link: str) -> str:
    """Send one email, in the user's language, once the transaction commits; returns the link it carries.

    `robust`: a mail server outage is logged and does not undo the commit (a new link can be asked for).
    """
    with in_language_of(to):
        subject = str(subject)
        body = render_to_string(
            template, {"link": link, "email": to.email, "platform": settings.PLATFORM_NAME}
        )
    transaction.on_commit(partial(send_mail, subject, body, None, [to.email]), robust=True)
    return link


def _send_confirmation(user: User, site_url: str) -> str:
    path = reverse("accounts:confirm", kwargs={"token": confirmation_token(user)})
    return _email_on_commit(
        to=user,
        subject=_("Confirm your email address"),
        template="accounts/email/confirm.txt",
        link=site_url.rstrip("/") + path,
    )


@transaction.atomic
def user_signup(*, email: str, password: str, full_name: str, role: str, site_url: str) -> str:
    """Start an SME or investor sign-up; the address's owner gets an email either way.

    Whether the address already has an account shows neither in the answer nor in its timing (each
    path hashes the password once): a new or unconfirmed account gets a confirmation link (a repeat
    sign-up replaces the unconfirmed details, so only the newest link works), a confirmed one is
    told that someone tried. Returns the link emailed (`site_url` is the site's root URL).
    """
    errors: dict[str, list[str]] = {}
    email = _normalise_email(email)
    full_name = full_name.strip()
    if role not in SELF_SIGNUP_ROLES:
        errors["role"] = [gettext("Choose SME representative or investor.")]
    if not full_name:
        errors["full_name"] = [gettext("Enter your full name.")]
    elif len(full_name) > NAME_MAX_LENGTH:
        errors["full_name"] = [
            gettext("A name has at most %(NAME_MAX_LENGTH)s characters.")
            % {"NAME_MAX_LENGTH": NAME_MAX_LENGTH}
        ]
    if not email:
        errors["email"] = [gettext("Enter your email address.")]
    elif len(email) > EMAIL_MAX_LENGTH:
        errors["email"] = [
            gettext("An email address has at most %(EMAIL_MAX_LENGTH)s characters.")
            % {"EMAIL_MAX_LENGTH": EMAIL_MAX_LENGTH}
        ]
    else:
        try:
            validate_email(email)
        except ValidationError:
            errors["email"] = [gettext("Enter a valid email address.")]
    # The language of the sign-up page: the confirmation email and later emails are written in it.
    language = supported(translation.get_language()) or ""
    candidate = User(email=email, full_name=full_name, role=role, language=language)
    try:
        password_validation.validate_password(password, candidate)
    except ValidationError as exc:
        errors["password"] = list(exc.messages)
    if errors:
        raise ValidationFailed(gettext("Please correct the highlighted fields."), fields=errors)

    user = User.objects.select_for_update().filter(email__iexact=email).first()
    if user is not None and user.email_confirmed_at is not None:
        make_password(password)  # the same work as for a new account, so the answer takes as long
        return _email_on_commit(
            to=user,
            subject=_("Someone tried to sign up with your email address"),
            template="accounts/email/signup_existing.txt",
            link=site_url.rstrip("/") + reverse("accounts:login"),
        )
    if user is None:
        candidate.set_password(password)
        try:
            with transaction.atomic():
                candidate.save()
        except IntegrityError:  # a concurrent sign-up for this address committed first
            user = User.objects.select_for_update().get(email__iexact=email)
        else:
            return _send_confirmation(candidate, site_url)
    user.full_name, user.role, user.language = full_name, role, language
    user.set_password(password)
    user.save(update_fields=["full_name", "role", "password", "language"])
    return _send_confirmation(user, site_url)


@transaction.atomic
def user_confirmation_resend(*, email: str, site_url: str) -> str | None:
    """Send a new confirmation link if `email` has an unconfirmed account; returns it (None if not sent).

    Callers answer the same whatever happened, so the answer reveals no account.
    """
    user = (
        User.objects.select_for_update()
        .filter(email__iexact=_normalise_email(email), email_confirmed_at__isnull=True, is_active=True)
        .first()
    )
    return _send_confirmation(user, site_url) if user else None


@transaction.atomic
def user_email_confirm(*, request: HttpRequest, token: str) -> User:
    """Mark the address of a confirmation link as confirmed and start its owner's session."""
    user = confirmation_token_user(token)
    confirmed = User.objects.filter(
        pk=user.pk, email_confirmed_at__isnull=True, password=user.password
    ).update(email_confirmed_at=timezone.now())
    if not confirmed:  # a concurrent request used the link first
        raise ValidationFailed(
            gettext("This email address is already confirmed: log in."), code="ConfirmationUsed"
        )
    user.refresh_from_db()
    login(request, user)
    return user


def user_login(
    *, request: HttpRequest, email: str, password: str, otp_code: str | None = None, one_step: bool = False
) -> User:
    """Start a session for the page and the API alike, within the guessing limits (accounts/lockout.py).

    A locked account or address is refused before the password is checked, so even the right
    password does not log in until the lockout ends. The second factor (accounts/two_factor.py): the
    page logs in and the session then owes its code (the gate shows the code or set-up page); the API
    (`one_step`) takes the code in the same request and refuses without it, so its session is
    verified from the start. Not atomic as a whole: a wrong code stays counted (see code_check).
    """
    from accounts import two_factor

    email = _normalise_email(email)
    attempt = attempt_begin(email=email, address=client_address(request))
    user = authenticate(request, username=email, password=password)
    if user is None:
        attempt.failed()
        raise ValidationFailed(
            gettext("Email or password is wrong."),
            fields={"password": gettext("Email or password is wrong.")},
        )
    attempt.succeeded()
    if user.email_confirmed_at is None:
        raise PermissionDenied(
            gettext(
                "Confirm your email address first: follow the link we emailed you, or ask for a new one."
            ),
            code="EmailNotConfirmed",
        )
    device = None
    has_authenticator = two_factor.has_authenticator(user)
    if one_step and (has_authenticator or two_factor.requires_two_factor(user)):
        if not has_authenticator:
            raise PermissionDenied(
                gettext(
                    "Staff accounts need two-factor authentication: log in on the website once to set up"
                    " an authenticator app, then send its code here as otp_code."
                ),
                code="TwoFactorSetupRequired",
            )
        device = two_factor.code_check(user=user, code=otp_code or "", field="otp_code")
    with transaction.atomic():
        login(request, user)
        if device is not None:
            otp_login(request, device)
        request.session[two_factor.STATE_SESSION_KEY] = (
            two_factor.OWES_CODE if has_authenticator and device is None else two_factor.OPEN
        )
    return user


@transaction.atomic
def staff_user_create(*, email: str, password: str, full_name: str, role: Role) -> User:
    """Create an account whose address an operator vouches for: staff, and the demo's seeded users."""
    return User.objects.create_user(
        email=email,
        password=password,
        full_name=full_name,
        role=role,
        is_staff=role == Role.OPERATOR,
        email_confirmed_at=timezone.now(),
    )


@dataclass(frozen=True)
class NewApiKey:
    """A key just created: `key` is the only time the secret exists outside its owner's hands."""

    api_key: ApiKey
    key: str


@transaction.atomic
def api_key_create(
    *, user: User, name: str, expires_in_days: int | None = None, acting_key: ApiKey | None = None
) -> NewApiKey:
    """Issue a key acting as `user`, within API_KEYS_PER_USER live keys and API_KEY_MAX_DAYS of life.

    A key cannot issue keys (`acting_key`): a leaked key must not outlive its expiry or revocation
    by minting successors; creating one needs a signed-in session.
    """
    if acting_key is not None:
        raise PermissionDenied(
            gettext("An API key cannot create API keys: sign in with your password to create one."),
            code="SessionRequired",
        )
    name = name.strip()
    maximum = settings.API_KEY_MAX_DAYS
    errors: dict[str, str] = {}
    if not name:
        errors["name"] = gettext("Name the key after what will use it, e.g. the reporting script.")
    elif len(name) > SHORT_TEXT_MAX_LENGTH:
        errors["name"] = gettext("A key's name has at most %(SHORT_TEXT_MAX_LENGTH)s characters.") % {
            "SHORT_TEXT_MAX_LENGTH": SHORT_TEXT_MAX_LENGTH
        }
    if expires_in_days is None:
        expires_in_days = maximum or None
    elif expires_in_days < 1 or (maximum and expires_in_days > maximum):
        limit = f"between 1 and {maximum}" if maximum else "at least 1"
        errors["expires_in_days"] = gettext("A key lives %(limit)s days.") % {"limit": limit}
    if errors:
        raise ValidationFailed(gettext("Please correct the highlighted fields."), fields=errors)
    # Locking the user row makes concurrent creations count one after the other.
    User.objects.select_for_update().get(pk=user.pk)
    now = timezone.now()
    live = ApiKey.objects.filter(user=user, revoked_at__isnull=True).exclude(expires_at__lte=now).count()
    if live >= settings.API_KEYS_PER_USER:
        raise Conflict(
            gettext("You already hold %(live)s live API keys, the most allowed: revoke one first.")
            % {"live": live},
            code="ApiKeyLimit",
        )
    key, lookup_id, digest = api_key_new()
    api_key = ApiKey.objects.create(
        user=user,
        name=name,
        lookup_id=lookup_id,
        digest=digest,
        created_at=now,
        expires_at=now + timedelta(days=expires_in_days) if expires_in_days else None,
    )
    audit_record(
        actor=user,
        action="api_key_created",
        obj=api_key,
        data={"name": name, "prefix": api_key.display_prefix, "expires_at": api_key.expires_at},
    )
    return NewApiKey(api_key=api_key, key=key)


@transaction.atomic
def api_key_revoke(*, user: User, key_id: int) -> ApiKey:
    """Revoke one of `user`'s own keys; at once, for every later request. Someone else's key is a 404."""
    now = timezone.now()
    revoked = ApiKey.objects.filter(pk=key_id, user=user, revoked_at__isnull=True).update(revoked_at=now)
    api_key = ApiKey.objects.filter(pk=key_id, user=user).first()
    if api_key is None:
        raise NotFound(gettext("No such API key among yours."))
    if not revoked:
        raise Conflict(gettext("This API key is already revoked."), code="ApiKeyRevoked")
    audit_record(
        actor=user,
        action="api_key_revoked",
        obj=api_key,
        data={"name": api_key.name, "prefix": api_key.display_prefix},
    )
    return api_key


@transaction.atomic
def user_language_set(*, user: User, language: str) -> User:
    """Remember the language `user` chose with the switcher: pages after log-in and emails use it."""
    if language not in dict(settings.LANGUAGES):
        raise ValidationFailed(
            gettext("Choose one of the languages offered."),
            fields={"language": gettext("Not a language we offer.")},
        )
    if user.language != language:
        user.language = language
        user.save(update_fields=["language"])
    return user
