"""Pages of accounts: the landing page, sign-up, log-in, log-out and each role's start page."""

import pytest
from django.urls import reverse

from accounts.choices import Role
from accounts.models import User
from accounts.tests.factories import PASSWORD, UserFactory


def test_visitors_see_the_landing_page_with_sign_up_and_log_in(client):
    page = client.get(reverse("home"))
    assert page.status_code == 200
    assert b"tokenized bonds" in page.content
    assert reverse("accounts:signup").encode() in page.content
    assert reverse("accounts:login").encode() in page.content


@pytest.mark.parametrize(
    ("role", "start"),
    [
        (Role.SME, "issuers:dashboard"),
        (Role.INVESTOR, "financing:investor_dashboard"),
        (Role.OFFICER, "compliance:queue"),
        (Role.APPROVER, "compliance:queue"),
        (Role.OPERATOR, "tokens:chain_status"),
    ],
)
def test_each_role_is_sent_to_its_own_start_page(client, db, role, start):
    client.force_login(UserFactory(role=role))
    assert client.get(reverse("home")).url == reverse(start)


def test_signing_up_creates_the_account_and_signs_it_in(client, db):
    answer = client.post(
        reverse("accounts:signup"),
        {
            "role": "investor",
            "full_name": "Mei Ling",
            "email": "Mei@Example.HK",
            "password": "a-long-pass-phrase-1",
            "password_confirm": "a-long-pass-phrase-1",
        },
    )
    assert answer.status_code == 302
    user = User.objects.get()
    assert (user.email, user.role) == ("mei@example.hk", Role.INVESTOR)
    assert client.get(reverse("home")).url == reverse("financing:investor_dashboard")


def test_a_sign_up_with_differing_passwords_is_shown_again_and_creates_nothing(client, db):
    answer = client.post(
        reverse("accounts:signup"),
        {
            "role": "sme",
            "full_name": "Sam",
            "email": "sam@example.hk",
            "password": "a-long-pass-phrase-1",
            "password_confirm": "something-else-2",
        },
    )
    assert answer.status_code == 400
    assert "password_confirm" in answer.context["form"].errors
    assert not User.objects.exists()


def test_a_sign_up_the_service_refuses_shows_its_field_errors_and_creates_nothing(client, db):
    UserFactory(email="taken@example.hk")
    answer = client.post(
        reverse("accounts:signup"),
        {
            "role": "sme",
            "full_name": "Sam",
            "email": "taken@example.hk",
            "password": "12345678901",
            "password_confirm": "12345678901",
        },
    )
    assert answer.status_code == 400
    errors = answer.context["form"].errors
    assert "already exists" in errors["email"][0]
    assert "password" in errors
    assert User.objects.count() == 1


def test_a_wrong_password_is_refused_with_400(client, db):
    user = UserFactory()
    answer = client.post(reverse("accounts:login"), {"username": user.email, "password": "wrong-one-here"})
    assert answer.status_code == 400
    assert answer.context["form"].non_field_errors()


def test_logging_in_and_out(client, db):
    user = UserFactory(role=Role.SME)
    answer = client.post(reverse("accounts:login"), {"username": user.email.upper(), "password": PASSWORD})
    assert answer.status_code == 302
    assert client.get(reverse("accounts:profile")).status_code == 200
    assert client.post(reverse("accounts:logout")).status_code == 302
    assert client.get(reverse("accounts:profile")).url.startswith(reverse("accounts:login"))


def test_pages_show_the_role_navigation_and_a_log_out_form(client, db):
    client.force_login(UserFactory(role=Role.OFFICER, full_name="Oscar Officer"))
    page = client.get(reverse("accounts:profile"))
    assert b"Oscar Officer" in page.content
    assert reverse("compliance:queue").encode() in page.content
    assert reverse("issuers:dashboard").encode() not in page.content
    assert b'action="/accounts/logout/"' in page.content
