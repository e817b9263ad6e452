"""Sign-up reveals no account: the owner of the address gets an email, the caller the same answer."""

import pytest
from django.contrib.auth.hashers import MD5PasswordHasher
from django.core import mail

from accounts.choices import Role
from accounts.confirmation import confirmation_token_user
from accounts.models import User
from accounts.services import user_confirmation_resend, user_signup
from accounts.tests.factories import PASSWORD, UserFactory
from accounts.tests.mailbox import confirmation_token_sent_to, emails_to
from config.errors import ValidationFailed

SITE = "https://capital.example.hk/"


class CountingHasher(MD5PasswordHasher):
    """The test hasher, counting how many passwords it hashed."""

    hashed = 0

    def encode(self, password, salt):
        CountingHasher.hashed += 1
        return super().encode(password, salt)


def _signup(email="ann@example.hk", password="a-long-pass-phrase-1", full_name="Ann", role="sme"):  # noqa: S107
    return user_signup(email=email, password=password, full_name=full_name, role=role, site_url=SITE)


def test_signup_creates_an_unconfirmed_account_and_emails_its_confirmation_link(
    db, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        link = _signup(email=" Ann@Example.HK ")
    user = User.objects.get()
    assert (user.email, user.role, user.email_confirmed_at) == ("ann@example.hk", Role.SME, None)
    assert user.check_password("a-long-pass-phrase-1")
    [message] = emails_to("ann@example.hk")
    assert link.startswith(SITE + "accounts/confirm/")
    assert link in message.body
    assert confirmation_token_user(confirmation_token_sent_to("ann@example.hk")) == user


def test_signup_for_a_confirmed_address_changes_nothing_and_tells_the_owner(
    db, django_capture_on_commit_callbacks
):
    owner = UserFactory(email="ann@example.hk", full_name="Ann Owner", role=Role.INVESTOR)
    with django_capture_on_commit_callbacks(execute=True):
        link = _signup(email="ANN@example.hk", password="attacker-pass-phrase-9", full_name="Mallory")
    owner.refresh_from_db()
    assert (owner.full_name, owner.role) == ("Ann Owner", Role.INVESTOR)
    assert owner.check_password(PASSWORD)
    assert User.objects.count() == 1
    [message] = emails_to("ann@example.hk")
    assert "tried to sign up" in message.subject
    assert link == SITE + "accounts/login/"
    assert link in message.body
    assert "/accounts/confirm/" not in message.body


def test_a_repeat_signup_for_an_unconfirmed_address_replaces_it_and_only_the_newest_link_works(
    db, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _signup(password="first-pass-phrase-1", full_name="First")
    first = confirmation_token_sent_to("ann@example.hk")
    with django_capture_on_commit_callbacks(execute=True):
        _signup(password="second-pass-phrase-2", full_name="Second", role="investor")
    second = confirmation_token_sent_to("ann@example.hk")
    user = User.objects.get()
    assert (user.full_name, user.role) == ("Second", Role.INVESTOR)
    assert user.check_password("second-pass-phrase-2")
    with pytest.raises(ValidationFailed) as refused:
        confirmation_token_user(first)
    assert refused.value.code == "ConfirmationReplaced"
    assert confirmation_token_user(second) == user


def test_every_signup_path_hashes_the_password_exactly_once(db, settings):
    """The existing-account path does the same slow work as the new-account path, so timing tells nothing."""
    settings.PASSWORD_HASHERS = [f"{__name__}.CountingHasher"]
    UserFactory(email="confirmed@example.hk")
    CountingHasher.hashed = 0
    for email in ("new@example.hk", "new@example.hk", "confirmed@example.hk"):
        before = CountingHasher.hashed
        _signup(email=email)
        assert CountingHasher.hashed - before == 1, email


@pytest.mark.parametrize("role", [Role.OFFICER, Role.APPROVER, Role.OPERATOR, "root"])
def test_staff_roles_cannot_be_taken_by_signing_up(db, role):
    with pytest.raises(ValidationFailed) as refused:
        _signup(email="x@example.hk", role=role)
    assert "role" in refused.value.fields
    assert not User.objects.exists()
    assert not mail.outbox


def test_every_problem_is_reported_at_once(db):
    with pytest.raises(ValidationFailed) as refused:
        _signup(email="", password="123", full_name=" ", role="investor")
    assert set(refused.value.fields) == {"email", "password", "full_name"}
    assert not User.objects.exists()


@pytest.mark.parametrize(
    ("email", "full_name", "field"),
    [
        ("a" * 250 + "@x.hk", "Ann", "email"),
        ("not-an-address", "Ann", "email"),
        ("a@x.hk", "N" * 201, "full_name"),
    ],
)
def test_overlong_or_malformed_details_are_refused_not_a_server_error(db, email, full_name, field):
    with pytest.raises(ValidationFailed) as refused:
        _signup(email=email, full_name=full_name)
    assert field in refused.value.fields
    assert not User.objects.exists()


def test_a_new_link_is_sent_only_to_an_unconfirmed_account(db, django_capture_on_commit_callbacks):
    UserFactory(email="confirmed@example.hk")
    UserFactory(email="waiting@example.hk", email_confirmed_at=None)
    with django_capture_on_commit_callbacks(execute=True):
        sent = {
            email: user_confirmation_resend(email=email, site_url=SITE)
            for email in ("confirmed@example.hk", "waiting@example.hk", "nobody@example.hk")
        }
    assert sent["confirmed@example.hk"] is None
    assert sent["nobody@example.hk"] is None
    assert [message.to for message in mail.outbox] == [["waiting@example.hk"]]
    assert (
        confirmation_token_user(confirmation_token_sent_to("waiting@example.hk")).email
        == "waiting@example.hk"
    )
