"""The editable profile: the name, and an email change that waits for the new address's confirmation."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts.models import User
from accounts.tests.factories import PASSWORD, UserFactory
from accounts.tests.mailbox import emails_to

CHANGE_LINK = re.compile(r"https?://[^/\s]+(/accounts/email/confirm/[^/\s]+/)")


def _change_link(address: str) -> str:
    for message in reversed(emails_to(address)):
        found = CHANGE_LINK.search(message.body)
        if found:
            return found.group(1)
    raise AssertionError(f"no email-change link was emailed to {address}")


@pytest.fixture
def mei(client, db):
    user = UserFactory(email="mei@example.hk", full_name="Mei Lau")
    client.force_login(user)
    return user


def test_the_profile_links_to_every_account_setting(client, mei):
    html = client.get(reverse("accounts:profile")).content.decode()
    for name in ("profile_edit", "email_change", "password_change", "two_factor", "sessions"):
        assert reverse(f"accounts:{name}") in html, name


def test_the_name_can_be_changed_and_a_blank_one_is_refused(client, mei):
    blank = client.post(reverse("accounts:profile_edit"), {"full_name": "   "})
    assert blank.status_code == 400
    assert User.objects.get(pk=mei.pk).full_name == "Mei Lau"

    saved = client.post(reverse("accounts:profile_edit"), {"full_name": "Mei Lau Wing-sze"})

    assert saved.url == reverse("accounts:profile")
    assert User.objects.get(pk=mei.pk).full_name == "Mei Lau Wing-sze"
    assert "Mei Lau Wing-sze" in client.get(reverse("accounts:profile")).content.decode()


def test_a_new_email_address_takes_effect_only_when_its_link_is_followed(
    client, mei, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        asked = client.post(reverse("accounts:email_change"), {"email": "mei@lau.hk", "password": PASSWORD})
    assert asked.url == reverse("accounts:profile")
    assert User.objects.get(pk=mei.pk).email == "mei@example.hk"
    link = _change_link("mei@lau.hk")

    confirm_page = Client().get(link)
    assert confirm_page.status_code == 200
    assert "mei@lau.hk" in confirm_page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(link)

    assert done.url == reverse("accounts:profile")
    assert User.objects.get(pk=mei.pk).email == "mei@lau.hk"
    assert emails_to("mei@example.hk")[-1].subject == "Your email address was changed"
    assert client.post(link).status_code == 400  # once only
    assert (
        Client().post(reverse("accounts:login"), {"email": "mei@lau.hk", "password": PASSWORD}).status_code
        == 302
    )


def test_an_email_change_needs_the_password_and_a_valid_new_address(client, mei):
    wrong = client.post(reverse("accounts:email_change"), {"email": "mei@lau.hk", "password": "not-it"})
    assert wrong.status_code == 400
    assert "not your current password" in wrong.content.decode()
    same = client.post(reverse("accounts:email_change"), {"email": "MEI@example.hk", "password": PASSWORD})
    assert same.status_code == 400
    bad = client.post(reverse("accounts:email_change"), {"email": "mei at lau", "password": PASSWORD})
    assert bad.status_code == 400
    assert not mail.outbox
    assert User.objects.get(pk=mei.pk).email == "mei@example.hk"


def test_a_taken_address_gets_the_same_answer_and_its_owner_a_notice_not_a_link(
    client, mei, django_capture_on_commit_callbacks
):
    UserFactory(email="taken@example.hk")
    with django_capture_on_commit_callbacks(execute=True):
        asked = client.post(
            reverse("accounts:email_change"), {"email": "taken@example.hk", "password": PASSWORD}
        )
    assert asked.url == reverse("accounts:profile")
    notice = emails_to("taken@example.hk")
    assert len(notice) == 1
    assert not CHANGE_LINK.search(notice[0].body)
    assert User.objects.get(pk=mei.pk).email == "mei@example.hk"


def test_an_altered_link_is_refused(client, mei):
    assert client.get(reverse("accounts:email_change_confirm", args=["not-a-token"])).status_code == 400
