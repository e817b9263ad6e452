"""Writes for accounts: sign-up."""

from __future__ import annotations

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.choices import SELF_SIGNUP_ROLES, Role
from accounts.models import User
from config.errors import ValidationFailed


@transaction.atomic
def user_signup(*, email: str, password: str, full_name: str, role: str) -> User:
    """Create an SME representative or investor account (staff are created by an operator)."""
    errors: dict[str, list[str]] = {}
    email = User.objects.normalize_email(email.strip()).lower()
    full_name = full_name.strip()
    if role not in SELF_SIGNUP_ROLES:
        errors["role"] = ["Choose SME representative or investor."]
    if not full_name:
        errors["full_name"] = ["Enter your full name."]
    if not email:
        errors["email"] = ["Enter your email address."]
    elif User.objects.filter(email__iexact=email).exists():
        errors["email"] = ["An account with this email address already exists."]
    candidate = User(email=email, full_name=full_name, role=role)
    try:
        password_validation.validate_password(password, candidate)
    except ValidationError as exc:
        errors["password"] = list(exc.messages)
    if errors:
        raise ValidationFailed("Please correct the highlighted fields.", fields=errors)
    return User.objects.create_user(email=email, password=password, full_name=full_name, role=Role(role))


@transaction.atomic
def staff_user_create(*, email: str, password: str, full_name: str, role: Role) -> User:
    """Create a compliance officer, approver or operator (from the admin or the seed command)."""
    return User.objects.create_user(
        email=email, password=password, full_name=full_name, role=role, is_staff=role == Role.OPERATOR
    )
