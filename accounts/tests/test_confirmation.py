"""The emailed confirmation link: valid once, within its time, untampered; until then no log-in."""

import json
import time

import pytest
from django.core import signing
from django.urls import reverse

from accounts.choices import Role
from accounts.models import User
from accounts.tests.factories import PASSWORD, UserFactory
from accounts.tests.mailbox import confirmation_token_sent_to, emails_to

SIGNUP = {
    "role": "investor",
    "full_name": "Mei Ling",
    "email": "mei@example.hk",
    "password": "a-long-pass-phrase-1",
    "password_confirm": "a-long-pass-phrase-1",
}


@pytest.fixture
def signed_up(client, db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("accounts:signup"), SIGNUP)
    return confirmation_token_sent_to("mei@example.hk")


def _api(client, path, payload):
    return client.post(f"/api/v1/{path}", json.dumps(payload), content_type="application/json")


def test_following_the_link_confirms_the_address_and_logs_in(client, signed_up):
    page = client.get(reverse("accounts:confirm", args=[signed_up]))
    assert page.status_code == 200
    assert User.objects.get().email_confirmed_at is None, "a GET (a mail scanner) confirms nothing"
    answer = client.post(reverse("accounts:confirm", args=[signed_up]))
    assert answer.url == reverse("home")
    assert User.objects.get().email_confirmed_at is not None
    assert client.get(reverse("home")).url == reverse("financing:investor_dashboard")


def test_the_api_confirms_with_the_token_and_starts_a_session(client, signed_up):
    answer = _api(client, "auth/confirm/", {"token": signed_up})
    assert answer.status_code == 200
    assert answer.json()["email"] == "mei@example.hk"
    assert client.get("/api/v1/auth/me/").json()["role"] == Role.INVESTOR


def test_a_used_link_is_refused_the_second_time(client, signed_up):
    assert client.post(reverse("accounts:confirm", args=[signed_up])).status_code == 302
    client.logout()
    again = client.post(reverse("accounts:confirm", args=[signed_up]))
    assert again.status_code == 400
    assert b"already confirmed" in again.content
    assert _api(client, "auth/confirm/", {"token": signed_up}).json()["code"] == "ConfirmationUsed"
    assert "_auth_user_id" not in client.session


def test_a_tampered_link_is_refused_and_confirms_nothing(client, signed_up):
    value, _, signature = signed_up.rpartition(":")
    forged = signing.dumps({"user": User.objects.get().pk, "state": "x"}, salt="another-salt")
    for token in (f"{value}:{signature[:-2]}xx", forged, "garbage"):
        page = client.post(reverse("accounts:confirm", args=[token]))
        assert page.status_code == 400
        assert b"not valid" in page.content
        assert _api(client, "auth/confirm/", {"token": token}).json()["code"] == "ConfirmationInvalid"
    assert User.objects.get().email_confirmed_at is None
    assert "_auth_user_id" not in client.session


def test_an_expired_link_is_refused_and_a_new_one_works(
    client, signed_up, settings, monkeypatch, django_capture_on_commit_callbacks
):
    real_time = time.time
    monkeypatch.setattr(signing.time, "time", lambda: real_time() + settings.EMAIL_CONFIRMATION_MAX_AGE + 5)
    page = client.get(reverse("accounts:confirm", args=[signed_up]))
    assert page.status_code == 400
    assert b"expired" in page.content
    assert client.post(reverse("accounts:confirm", args=[signed_up])).status_code == 400
    assert User.objects.get().email_confirmed_at is None
    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("accounts:confirmation_resend"), {"email": "mei@example.hk"})
    assert len(emails_to("mei@example.hk")) == 2
    fresh = confirmation_token_sent_to("mei@example.hk")
    assert client.post(reverse("accounts:confirm", args=[fresh])).status_code == 302


def test_an_unconfirmed_account_cannot_log_in_and_is_told_why(client, signed_up):
    page = client.post(reverse("accounts:login"), {"email": "mei@example.hk", "password": SIGNUP["password"]})
    assert page.status_code == 403
    assert "Confirm your email address first" in page.context["form"].non_field_errors()[0]
    assert reverse("accounts:confirmation_resend").encode() in page.content
    api = _api(client, "auth/login/", {"email": "mei@example.hk", "password": SIGNUP["password"]})
    assert (api.status_code, api.json()["code"]) == (403, "EmailNotConfirmed")
    assert "_auth_user_id" not in client.session


def test_a_deactivated_account_cannot_be_confirmed(client, signed_up):
    User.objects.update(is_active=False)
    assert client.post(reverse("accounts:confirm", args=[signed_up])).status_code == 400
    assert "_auth_user_id" not in client.session


def test_asking_for_a_new_link_answers_alike_for_any_address(client, db, django_capture_on_commit_callbacks):
    UserFactory(email="confirmed@example.hk")
    UserFactory(email="waiting@example.hk", email_confirmed_at=None)
    answers = set()
    with django_capture_on_commit_callbacks(execute=True):
        for email in ("confirmed@example.hk", "waiting@example.hk", "nobody@example.hk"):
            page = client.post(reverse("accounts:confirmation_resend"), {"email": email})
            api = _api(client, "auth/confirm/resend/", {"email": email})
            answers.add((page.status_code, page.url, api.status_code, api.content))
    assert len(answers) == 1
    assert len(emails_to("waiting@example.hk")) == 2
    assert not emails_to("confirmed@example.hk")
    assert UserFactory._meta.model.objects.get(email="confirmed@example.hk").check_password(PASSWORD)
