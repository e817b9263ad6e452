"""Pages of accounts: the landing page, sign-up, log-in, log-out and each role's start page."""

import pytest
from django.urls import reverse

from accounts.choices import Role
from accounts.models import User
from accounts.tests.factories import PASSWORD, UserFactory
from accounts.tests.mailbox import CONFIRM_PATH, confirmation_token_sent_to


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


def test_signing_up_sends_a_confirmation_email_and_logs_in_nobody(
    client, db, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
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
    assert answer.url == reverse("accounts:check_email")
    user = User.objects.get()
    assert (user.email, user.role, user.email_confirmed_at) == ("mei@example.hk", Role.INVESTOR, None)
    assert "_auth_user_id" not in client.session
    page = client.get(answer.url)
    assert b"Check your email" in page.content
    assert b"Demo only" not in page.content
    assert confirmation_token_sent_to("mei@example.hk")


SIGNUP = {
    "role": "sme",
    "full_name": "Sam",
    "email": "taken@example.hk",
    "password": "a-long-pass-phrase-1",
    "password_confirm": "a-long-pass-phrase-1",
}


def test_a_sign_up_for_a_taken_address_gets_the_same_answer_as_a_new_one(client, db):
    UserFactory(email="taken@example.hk")
    taken = client.post(reverse("accounts:signup"), SIGNUP)
    new = client.post(reverse("accounts:signup"), {**SIGNUP, "email": "free@example.hk"})
    assert (taken.status_code, taken.url, taken.content) == (new.status_code, new.url, new.content)
    api_taken = client.post("/api/v1/auth/signup/", {**SIGNUP, "email": "taken@example.hk"})
    api_new = client.post("/api/v1/auth/signup/", {**SIGNUP, "email": "other@example.hk"})
    assert (api_taken.status_code, api_taken.content) == (api_new.status_code, api_new.content)
    assert api_taken.status_code == 202


def test_the_demo_shows_the_emailed_link_on_the_page_and_production_never(client, db, settings):
    settings.DEMO_EMAIL_LINKS = True
    client.post(reverse("accounts:signup"), SIGNUP)
    page = client.get(reverse("accounts:check_email")).content.decode()
    assert "Demo only" in page
    assert CONFIRM_PATH.search(page)
    settings.DEMO_EMAIL_LINKS = False
    client.post(reverse("accounts:signup"), {**SIGNUP, "email": "other@example.hk"})
    page = client.get(reverse("accounts:check_email")).content.decode()
    assert "Demo only" not in page
    assert not CONFIRM_PATH.search(page)
    settings.DEMO_EMAIL_LINKS = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    client.post(reverse("accounts:signup"), {**SIGNUP, "email": "third@example.hk"})
    assert "Demo only" not in client.get(reverse("accounts:check_email")).content.decode()


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
    answer = client.post(
        reverse("accounts:signup"),
        {**SIGNUP, "password": "12345678901", "password_confirm": "12345678901"},
    )
    assert answer.status_code == 400
    assert "password" in answer.context["form"].errors
    assert not User.objects.exists()


def test_a_wrong_password_is_refused_with_400(client, db):
    user = UserFactory()
    answer = client.post(reverse("accounts:login"), {"email": user.email, "password": "wrong-one-here"})
    assert answer.status_code == 400
    assert answer.context["form"].errors["password"] == ["Email or password is wrong."]
    assert "_auth_user_id" not in client.session


def test_logging_in_and_out(client, db):
    user = UserFactory(role=Role.SME)
    answer = client.post(reverse("accounts:login"), {"email": user.email.upper(), "password": PASSWORD})
    assert answer.url == reverse("home")
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


@pytest.mark.parametrize(
    ("next_url", "lands_on"),
    [("/accounts/profile/", "/accounts/profile/"), ("https://evil.example/", "/"), ("//evil.example/", "/")],
)
def test_log_in_follows_next_only_within_the_site(client, db, next_url, lands_on):
    user = UserFactory(role=Role.SME)
    answer = client.post(
        reverse("accounts:login"), {"email": user.email, "password": PASSWORD, "next": next_url}
    )
    assert answer.url == lands_on
