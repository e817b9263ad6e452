"""The account's own details: the name, and the email address (changed only once the new one is confirmed).

A change of address sends a signed link to the new address; the address changes when its owner follows
it (a POST, as with the sign-up link). The token names the account, the new address and a fingerprint
of the current one, so it works once (the address then differs) and expires after EMAIL_CHANGE_MAX_AGE.
The old address is told, so a change the owner did not make is noticed.
"""

from __future__ import annotations

from functools import partial

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.passwords import password_confirms
from compliance.audit import audit_record
from config.errors import Conflict, ValidationFailed

EMAIL_CHANGE_SALT = "accounts.email-change"
NAME_MAX_LENGTH = User._meta.get_field("full_name").max_length or 200
EMAIL_MAX_LENGTH = User._meta.get_field("email").max_length or 254


def _mail_on_commit(*, to: str, subject: str, template: str, context: dict[str, str]) -> None:
    body = render_to_string(template, {**context, "platform": settings.PLATFORM_NAME})
    transaction.on_commit(partial(send_mail, subject, body, None, [to]), robust=True)


def _fingerprint(user: User) -> str:
    return salted_hmac(EMAIL_CHANGE_SALT, user.email.lower()).hexdigest()[:20]


@transaction.atomic
def user_profile_update(*, user: User, full_name: str) -> User:
    """Change the name the platform shows and addresses the user by."""
    full_name = full_name.strip()
    if not full_name:
        message = _("Enter your full name.")
        raise ValidationFailed(message, fields={"full_name": [message]})
    if len(full_name) > NAME_MAX_LENGTH:
        message = _("A name has at most %(max)d characters.") % {"max": NAME_MAX_LENGTH}
        raise ValidationFailed(message, fields={"full_name": [message]})
    if full_name != user.full_name:
        old = user.full_name
        user.full_name = full_name
        user.save(update_fields=["full_name"])
        audit_record(actor=user, action="profile_updated", obj=user, data={"full_name": [old, full_name]})
    return user


@transaction.atomic
def user_email_change_request(*, request: HttpRequest, password: str, new_email: str, site_url: str) -> str:
    """Send a confirmation link to `new_email` (after checking the password); returns the link.

    An address that already has an account gets a notice instead of a link, and the answer is the
    same, so the form never says whether another account uses an address.
    """
    user: User = request.user  # type: ignore[assignment]
    new_email = User.objects.normalize_email(new_email.strip()).lower()
    errors: dict[str, list[str]] = {}
    if not password_confirms(request, user, password):
        errors["password"] = [_("This is not your current password.")]
    if not new_email:
        errors["email"] = [_("Enter the new email address.")]
    elif len(new_email) > EMAIL_MAX_LENGTH:
        errors["email"] = [_("An email address has at most %(max)d characters.") % {"max": EMAIL_MAX_LENGTH}]
    else:
        try:
            validate_email(new_email)
        except ValidationError:
            errors["email"] = [_("Enter a valid email address.")]
        else:
            if new_email == user.email:
                errors["email"] = [_("This is already your email address.")]
    if errors:
        raise ValidationFailed(_("Please correct the highlighted fields."), fields=errors)
    token = signing.dumps(
        {"user": user.pk, "email": new_email, "was": _fingerprint(user)}, salt=EMAIL_CHANGE_SALT
    )
    link = site_url.rstrip("/") + reverse("accounts:email_change_confirm", kwargs={"token": token})
    if User.objects.filter(email__iexact=new_email).exists():
        _mail_on_commit(
            to=new_email,
            subject=_("Someone tried to use your email address"),
            template="accounts/email/email_change_taken.txt",
            context={"email": new_email},
        )
    else:
        _mail_on_commit(
            to=new_email,
            subject=_("Confirm your new email address"),
            template="accounts/email/email_change.txt",
            context={"link": link, "email": new_email},
        )
    audit_record(actor=user, action="email_change_requested", obj=user)
    return link


def email_change_token_read(token: str) -> tuple[User, str]:
    """The account and new address of an email-change link; refuses expired, altered and used links."""
    invalid = ValidationFailed(_("This link is not valid."), code="EmailChangeInvalid")
    try:
        payload = signing.loads(token, salt=EMAIL_CHANGE_SALT, max_age=settings.EMAIL_CHANGE_MAX_AGE)
    except signing.SignatureExpired:
        raise ValidationFailed(
            _("This link has expired. Ask for the change again on your account page."),
            code="EmailChangeExpired",
        ) from None
    except signing.BadSignature:
        raise invalid from None
    user = User.objects.filter(pk=payload.get("user"), is_active=True).first()
    if user is None:
        raise invalid
    if not constant_time_compare(payload.get("was", ""), _fingerprint(user)):
        raise ValidationFailed(
            _("This link was already used, or your address changed since it was sent."),
            code="EmailChangeUsed",
        )
    return user, payload["email"]


@transaction.atomic
def user_email_change_confirm(*, token: str) -> User:
    """Make the link's new address the account's address; the old address is told."""
    user, new_email = email_change_token_read(token)
    user = User.objects.select_for_update().get(pk=user.pk)
    email_change_token_read(token)  # again under the lock: a concurrent click used it first
    old_email = user.email
    user.email = new_email
    try:
        with transaction.atomic():
            user.save(update_fields=["email"])
    except IntegrityError:
        raise Conflict(
            _("This address now belongs to another account: choose another one."), code="EmailTaken"
        ) from None
    audit_record(actor=user, action="email_changed", obj=user)
    _mail_on_commit(
        to=old_email,
        subject=_("Your email address was changed"),
        template="accounts/email/email_changed_notice.txt",
        context={"email": old_email, "new_email": new_email},
    )
    return user
