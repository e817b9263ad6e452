"""Log-in and sign-up refuse forms posted from other sites: no CSRF token or a foreign origin is a 403."""

import json

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts.models import User
from accounts.tests.factories import PASSWORD, UserFactory

SIGNUP = {"email": "new@example.hk", "password": "a-long-pass-phrase-1", "full_name": "New", "role": "sme"}


@pytest.fixture
def browser():
    return Client(enforce_csrf_checks=True)


def _token(browser) -> str:
    answer = browser.get("/api/v1/auth/csrf/")
    assert answer.status_code == 200
    assert answer.cookies["csrftoken"]
    return answer.json()["csrf_token"]


def _api(browser, path, payload, **headers):
    return browser.post(
        f"/api/v1/{path}", json.dumps(payload), content_type="application/json", headers=headers
    )


def test_api_log_in_and_sign_up_without_a_token_are_refused_and_change_nothing(browser, db):
    user = UserFactory()
    login = _api(browser, "auth/login/", {"email": user.email, "password": PASSWORD})
    signup = _api(browser, "auth/signup/", SIGNUP)
    assert (login.status_code, signup.status_code) == (403, 403)
    assert "CSRF" in login.json()["detail"]
    assert "_auth_user_id" not in browser.session
    assert User.objects.count() == 1
    assert not mail.outbox


def test_api_log_in_with_the_token_works(browser, db):
    user = UserFactory()
    token = _token(browser)
    answer = _api(browser, "auth/login/", {"email": user.email, "password": PASSWORD}, x_csrftoken=token)
    assert answer.status_code == 200
    assert _api(browser, "auth/signup/", SIGNUP, x_csrftoken=_token(browser)).status_code == 202


def test_api_posts_from_a_foreign_origin_are_refused_even_with_a_token(browser, db):
    user = UserFactory()
    token = _token(browser)
    for path, payload in (
        ("auth/login/", {"email": user.email, "password": PASSWORD}),
        ("auth/signup/", SIGNUP),
    ):
        answer = _api(browser, path, payload, x_csrftoken=token, origin="https://evil.example")
        assert answer.status_code == 403
        assert "Origin" in answer.json()["detail"]
    assert "_auth_user_id" not in browser.session
    assert User.objects.count() == 1


@pytest.mark.parametrize("name", ["accounts:login", "accounts:signup", "accounts:confirmation_resend"])
def test_page_forms_posted_without_a_token_are_refused(browser, db, name):
    user = UserFactory()
    data = {
        **SIGNUP,
        "password_confirm": SIGNUP["password"],
        "email": user.email,
        "password": PASSWORD,
    }
    assert browser.post(reverse(name), data).status_code == 403
    assert "_auth_user_id" not in browser.session
    assert User.objects.count() == 1
    assert not mail.outbox


def test_page_log_in_from_a_foreign_origin_or_referer_is_refused(browser, db):
    user = UserFactory()
    browser.get(reverse("accounts:login"))
    token = browser.cookies["csrftoken"].value
    data = {"email": user.email, "password": PASSWORD, "csrfmiddlewaretoken": token}
    assert (
        browser.post(reverse("accounts:login"), data, headers={"origin": "https://evil.example"}).status_code
        == 403
    )
    foreign_referer = browser.post(
        reverse("accounts:login"), data, secure=True, headers={"referer": "https://evil.example/page"}
    )
    assert foreign_referer.status_code == 403
    assert "_auth_user_id" not in browser.session
    assert browser.post(reverse("accounts:login"), data).status_code == 302
