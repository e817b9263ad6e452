"""The list of signed-in sessions: recorded at log-in, this one marked, one or all others logged out."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user
from django.test import Client
from django.urls import reverse

from accounts.models import UserSession
from accounts.sessions import device_label, ip_prefix
from accounts.tests.factories import PASSWORD, UserFactory

IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko)"
    " Version/18.0 Mobile/15E148 Safari/604.1"
)
WINDOWS_CHROME = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko)"
    " Chrome/131.0 Safari/537.36"
)


def _browser(user, agent: str, address: str = "203.0.113.77") -> Client:
    browser = Client(HTTP_USER_AGENT=agent, REMOTE_ADDR=address)
    answer = browser.post(reverse("accounts:login"), {"email": user.email, "password": PASSWORD})
    assert answer.status_code == 302
    return browser


@pytest.mark.parametrize(
    ("agent", "label"),
    [
        (IPHONE, "Safari on iPhone"),
        (WINDOWS_CHROME, "Chrome on Windows"),
        ("Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0", "Firefox on Linux"),
        ("python-requests/2.32.3", "python-requests"),
        ("", "Unknown device"),
    ],
)
def test_a_session_is_named_after_its_browser_and_system(agent, label):
    assert device_label(agent) == label


@pytest.mark.parametrize(
    ("address", "network"),
    [("203.0.113.77", "203.0.113.0/24"), ("2001:db8:1234:5678::1", "2001:db8:1234::/48"), ("nonsense", "")],
)
def test_only_the_network_of_an_address_is_kept(address, network):
    assert ip_prefix(address) == network


def test_log_in_records_the_session_and_the_list_marks_this_one(db):
    user = UserFactory()
    phone = _browser(user, IPHONE)
    laptop = _browser(user, WINDOWS_CHROME, "198.51.100.9")

    page = laptop.get(reverse("accounts:sessions"))

    assert page.status_code == 200
    html = page.content.decode()
    assert "Safari on iPhone" in html
    assert "203.0.113.0/24" in html
    assert "198.51.100.0/24" in html
    assert "203.0.113.77" not in html
    assert html.count("This browser") == 1
    assert UserSession.objects.filter(user=user).count() == 2
    assert phone.get(reverse("accounts:sessions")).status_code == 200


def test_logging_out_one_other_session_ends_it_and_only_it(db):
    user = UserFactory()
    phone, laptop, tablet = (_browser(user, agent) for agent in (IPHONE, WINDOWS_CHROME, IPHONE))
    phone_row = UserSession.objects.get(session_id=phone.session.session_key)

    answer = laptop.post(reverse("accounts:session_end", args=[phone_row.pk]))

    assert answer.url == reverse("accounts:sessions")
    assert not get_user(phone).is_authenticated
    assert get_user(tablet).is_authenticated
    assert get_user(laptop).is_authenticated
    assert not UserSession.objects.filter(pk=phone_row.pk).exists()


def test_the_current_session_and_someone_elses_cannot_be_ended_from_the_list(db):
    user, stranger = UserFactory(), UserFactory()
    laptop = _browser(user, WINDOWS_CHROME)
    theirs = _browser(stranger, IPHONE)
    own_row = UserSession.objects.get(session_id=laptop.session.session_key)
    their_row = UserSession.objects.get(session_id=theirs.session.session_key)

    assert laptop.post(reverse("accounts:session_end", args=[their_row.pk])).status_code == 404
    current = laptop.post(reverse("accounts:session_end", args=[own_row.pk]), follow=True)
    assert "This is the session you are using" in current.content.decode()

    assert get_user(theirs).is_authenticated
    assert get_user(laptop).is_authenticated


def test_log_out_everywhere_else_keeps_only_this_session(db):
    user, stranger = UserFactory(), UserFactory()
    others = [_browser(user, IPHONE), _browser(user, IPHONE)]
    theirs = _browser(stranger, IPHONE)
    laptop = _browser(user, WINDOWS_CHROME)

    page = laptop.post(reverse("accounts:sessions_end_others"), follow=True)

    assert "2 other sessions logged out" in page.content.decode()
    assert not any(get_user(client).is_authenticated for client in others)
    assert get_user(laptop).is_authenticated
    assert get_user(theirs).is_authenticated
    assert list(UserSession.objects.filter(user=user).values_list("session_id", flat=True)) == [
        laptop.session.session_key
    ]


def test_logging_out_removes_the_session_from_the_list(db):
    user = UserFactory()
    phone = _browser(user, IPHONE)
    phone.get(reverse("accounts:profile"))
    phone.post(reverse("accounts:logout"))
    assert not UserSession.objects.filter(user=user).exists()


def test_an_idle_session_is_not_listed(db, settings):
    from datetime import timedelta

    from django.utils import timezone

    user = UserFactory()
    _browser(user, IPHONE)
    laptop = _browser(user, WINDOWS_CHROME)
    UserSession.objects.exclude(session_id=laptop.session.session_key).update(
        last_seen_at=timezone.now() - timedelta(seconds=settings.SESSION_IDLE_TIMEOUT_SECONDS + 1)
    )
    assert "iPhone" not in laptop.get(reverse("accounts:sessions")).content.decode()
