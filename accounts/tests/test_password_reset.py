"""Password reset by email (Django's tokens in our pages) and password change: no account enumeration,
one use, expiry, throttling, and other sessions logged out."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from unittest import mock

from django.contrib.auth import get_user
from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts.models import User, UserSession
from accounts.tests.factories import PASSWORD, UserFactory
from accounts.tests.mailbox import emails_to

RESET_LINK = re.compile(r"https?://[^/\s]+(/accounts/password-reset/[^/\s]+/[^/\s]+/)")
NEW_PASSWORD = "a-brand-new-pass-phrase-7"


def _ask(client, email, **headers):
    return client.post(reverse("accounts:password_reset"), {"email": email}, headers=headers)


def _link(address: str) -> str:
    for message in reversed(emails_to(address)):
        found = RESET_LINK.search(message.body)
        if found:
            return found.group(1)
    raise AssertionError(f"no reset link was emailed to {address}")


def _signed_in_elsewhere(user) -> Client:
    other = Client(HTTP_USER_AGENT="Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) Safari/604.1")
    other.post(reverse("accounts:login"), {"email": user.email, "password": PASSWORD})
    assert other.get(reverse("accounts:profile")).status_code == 200
    return other


def test_the_answer_is_the_same_for_known_and_unknown_addresses_and_only_the_account_gets_mail(client, db):
    user = UserFactory(email="mei@example.hk")

    known = _ask(client, "MEI@example.hk")
    unknown = _ask(client, "nobody@example.hk")

    assert known.status_code == unknown.status_code == 302
    assert known.url == unknown.url == reverse("accounts:password_reset_sent")
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [user.email]
    assert "Reset your password" in mail.outbox[0].subject


def test_a_reset_link_sets_a_new_password_once_and_logs_out_every_session(client, db):
    user = UserFactory(email="mei@example.hk")
    elsewhere = _signed_in_elsewhere(user)
    assert UserSession.objects.filter(user=user).count() == 1
    _ask(client, user.email)
    link = _link(user.email)

    form = client.get(link, follow=True)
    assert form.status_code == 200
    set_password_url = form.redirect_chain[-1][0]
    mismatch = client.post(
        set_password_url, {"new_password1": NEW_PASSWORD, "new_password2": "other-one-9999"}
    )
    assert mismatch.status_code == 400
    user.refresh_from_db()
    assert user.check_password(PASSWORD)

    done = client.post(set_password_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})

    assert done.url == reverse("accounts:password_reset_complete")
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert not get_user(elsewhere).is_authenticated
    assert elsewhere.get(reverse("accounts:profile")).status_code == 302
    assert not UserSession.objects.filter(user=user).exists()
    used = Client().get(link)
    assert used.status_code == 400
    assert "does not work any more" in used.content.decode()


def test_an_expired_or_altered_link_is_refused(client, db, settings):
    user = UserFactory(email="mei@example.hk")
    _ask(client, user.email)
    link = _link(user.email)

    assert Client().get(link[:-3] + "xx/").status_code == 400
    assert Client().get(link, follow=True).status_code == 200
    settings.PASSWORD_RESET_TIMEOUT = 300
    later = datetime.now() + timedelta(seconds=301)
    with mock.patch("django.contrib.auth.tokens.PasswordResetTokenGenerator._now", return_value=later):
        assert Client().get(link, follow=True).status_code == 400


def test_reset_requests_are_throttled_per_address_with_a_clear_message(client, db, settings):
    settings.PASSWORD_RESETS_PER_HOUR = 2
    UserFactory(email="mei@example.hk")
    assert [_ask(client, "mei@example.hk").status_code for _ in range(2)] == [302, 302]

    refused = _ask(client, "mei@example.hk")

    assert refused.status_code == 429
    assert "Too many reset requests" in refused.content.decode()
    assert refused["Retry-After"] == "3600"
    assert len(mail.outbox) == 2
    # The same refusal for an address without an account: the limit says nothing about accounts.
    for _ in range(2):
        _ask(client, "nobody@example.hk")
    assert _ask(client, "nobody@example.hk").status_code == 429


def test_a_bad_address_gets_a_form_error(client, db):
    answer = _ask(client, "not-an-address")
    assert answer.status_code == 400
    assert "Enter a valid email address" in answer.content.decode()
    assert not mail.outbox


# --- changing the password ----------------------------------------------------------------------------


def test_changing_the_password_needs_the_current_one_and_logs_out_other_sessions(
    client, db, django_capture_on_commit_callbacks
):
    user = UserFactory(email="mei@example.hk")
    elsewhere = _signed_in_elsewhere(user)
    client.post(reverse("accounts:login"), {"email": user.email, "password": PASSWORD})
    url = reverse("accounts:password_change")

    wrong = client.post(
        url,
        {"current_password": "not-it", "new_password": NEW_PASSWORD, "new_password_confirm": NEW_PASSWORD},
    )
    assert wrong.status_code == 400
    assert "not your current password" in wrong.content.decode()
    weak = client.post(
        url,
        {"current_password": PASSWORD, "new_password": "12345678901", "new_password_confirm": "12345678901"},
    )
    assert weak.status_code == 400
    user.refresh_from_db()
    assert user.check_password(PASSWORD)
    assert elsewhere.get(reverse("accounts:profile")).status_code == 200

    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(
            url,
            {
                "current_password": PASSWORD,
                "new_password": NEW_PASSWORD,
                "new_password_confirm": NEW_PASSWORD,
            },
        )

    assert done.url == reverse("accounts:profile")
    assert emails_to(user.email)[-1].subject == "Your password was changed"
    assert "1 other session was logged out" in client.get(reverse("accounts:profile")).content.decode()
    assert client.get(reverse("accounts:profile")).status_code == 200  # this session stays
    assert elsewhere.get(reverse("accounts:profile")).status_code == 302
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)


def test_the_log_in_and_password_pages_link_to_the_reset(client, db):
    assert reverse("accounts:password_reset").encode() in client.get(reverse("accounts:login")).content
    client.force_login(UserFactory())
    assert (
        reverse("accounts:password_reset").encode() in client.get(reverse("accounts:password_change")).content
    )


def test_a_reset_confirms_an_unconfirmed_address(client, db):
    user = UserFactory(email="new@example.hk", email_confirmed_at=None)
    _ask(client, user.email)
    form = client.get(_link(user.email), follow=True)
    client.post(form.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert User.objects.get(pk=user.pk).email_confirmed_at is not None


def test_wrong_current_passwords_count_with_the_log_ins_guessing_limit(client, db):
    user = UserFactory(email="mei@example.hk")
    client.force_login(user)
    url = reverse("accounts:password_change")
    attempt = {
        "current_password": "guess",
        "new_password": NEW_PASSWORD,
        "new_password_confirm": NEW_PASSWORD,
    }

    assert [client.post(url, attempt).status_code for _ in range(5)] == [400] * 5
    locked = client.post(url, {**attempt, "current_password": PASSWORD})

    assert locked.status_code == 429
    assert "Too many failed log-ins" in locked.content.decode()
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_the_demo_shows_the_emailed_link_and_nothing_for_an_unknown_address(client, db, settings):
    settings.DEBUG = True  # with the locmem backend: a demo whose emails reach nobody
    user = UserFactory(email="mei@example.hk")

    shown = client.post(reverse("accounts:password_reset"), {"email": user.email}, follow=True)
    unknown = client.post(reverse("accounts:password_reset"), {"email": "nobody@example.hk"}, follow=True)

    assert _link(user.email) in shown.content.decode()
    assert "Demo only" not in unknown.content.decode()
    settings.DEBUG = False
    client.post(reverse("accounts:password_reset"), {"email": user.email})
    assert "Demo only" not in client.get(reverse("accounts:password_reset_sent")).content.decode()
