"""Log-in resists guessing: counts per account and per address in Redis, shared by page, API and processes."""

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import redis
from django.conf import settings as django_settings
from django.db import connection
from django.test import Client, RequestFactory
from django.urls import reverse

from accounts.lockout import client_address
from accounts.tests.factories import PASSWORD, UserFactory

ROOT = Path(__file__).resolve().parents[2]


def _api_login(client, email, password, **headers):
    return client.post(
        "/api/v1/auth/login/",
        json.dumps({"email": email, "password": password}),
        content_type="application/json",
        headers=headers,
    )


def _page_login(client, email, password, **headers):
    return client.post(reverse("accounts:login"), {"email": email, "password": password}, headers=headers)


def _logged_in(client) -> bool:
    return "_auth_user_id" in client.session


@pytest.fixture
def ivy(db):
    return UserFactory(email="ivy@example.hk")


@pytest.mark.parametrize("login", [_api_login, _page_login], ids=["api", "page"])
def test_five_wrong_passwords_lock_the_account_even_against_the_right_one(client, ivy, login):
    assert [login(client, ivy.email, "wrong-guess").status_code for _ in range(5)] == [400] * 5
    answer = login(client, ivy.email, PASSWORD)
    assert answer.status_code == 429
    assert answer["Retry-After"] == "60"
    assert b"Try again in 1 minute" in answer.content
    assert not _logged_in(client)


def test_the_page_and_the_api_share_one_count(client, ivy):
    for _ in range(3):
        _page_login(client, ivy.email, "wrong-guess")
    for _ in range(2):
        _api_login(client, ivy.email, "wrong-guess")
    assert _page_login(client, ivy.email, PASSWORD).status_code == 429
    assert _api_login(client, ivy.email, PASSWORD).status_code == 429


def test_a_locked_account_is_locked_from_every_address_and_unknown_addresses_lock_alike(ivy):
    for number in range(5):
        _api_login(Client(REMOTE_ADDR=f"198.51.100.{number}"), ivy.email, "wrong-guess")
        _api_login(Client(REMOTE_ADDR=f"198.51.100.{number}"), "nobody@example.hk", "wrong-guess")
    assert _api_login(Client(REMOTE_ADDR="198.51.100.99"), ivy.email, PASSWORD).status_code == 429
    assert _api_login(Client(REMOTE_ADDR="198.51.100.99"), "nobody@example.hk", "x").status_code == 429


def test_twenty_failures_from_one_address_lock_that_address_for_every_account(client, ivy):
    for number in range(20):
        assert _api_login(client, f"guess{number}@example.hk", "wrong-guess").status_code == 400
    assert _api_login(client, ivy.email, PASSWORD).status_code == 429
    assert _page_login(client, ivy.email, PASSWORD).status_code == 429
    assert _api_login(Client(REMOTE_ADDR="198.51.100.7"), ivy.email, PASSWORD).status_code == 200


def test_rotating_x_forwarded_for_does_not_evade_the_address_limit(client, ivy):
    codes = [
        _api_login(
            client, f"guess{n}@example.hk", "wrong-guess", x_forwarded_for=f"203.0.113.{n}"
        ).status_code
        for n in range(21)
    ]
    assert codes == [400] * 20 + [429]
    assert _page_login(client, ivy.email, PASSWORD, x_forwarded_for="203.0.113.250").status_code == 429


def test_x_forwarded_for_is_honoured_through_a_trusted_proxy(ivy, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    proxy = Client(REMOTE_ADDR="10.0.0.2")
    for n in range(20):
        # The client prepends a forged hop each time; the proxy appends the address it saw.
        _api_login(proxy, f"guess{n}@example.hk", "wrong-guess", x_forwarded_for=f"192.0.2.{n}, 203.0.113.5")
    assert _api_login(proxy, ivy.email, PASSWORD, x_forwarded_for="203.0.113.5").status_code == 429
    answer = _api_login(proxy, ivy.email, PASSWORD, x_forwarded_for="203.0.113.6")
    assert answer.status_code == 200


@pytest.mark.parametrize(
    ("trusted", "remote", "forwarded", "client"),
    [
        ([], "198.51.100.1", "203.0.113.9", "198.51.100.1"),
        (["10.0.0.1"], "198.51.100.1", "203.0.113.9", "198.51.100.1"),
        (["10.0.0.1"], "10.0.0.1", "203.0.113.9", "203.0.113.9"),
        (["10.0.0.1"], "10.0.0.1", "1.2.3.4, 203.0.113.9", "203.0.113.9"),
        (["10.0.0.0/8"], "10.0.0.1", "1.2.3.4, 203.0.113.9, 10.0.0.7", "203.0.113.9"),
        (["10.0.0.1"], "10.0.0.1", "not-an-ip", "10.0.0.1"),
        (["10.0.0.1"], "10.0.0.1", "", "10.0.0.1"),
        (["2001:db8::/32"], "2001:db8::1", "2001:db8::2, 2001:db9::5", "2001:db9::5"),
    ],
)
def test_the_client_address_is_the_first_hop_no_trusted_proxy_vouches_for(
    settings, trusted, remote, forwarded, client
):
    settings.TRUSTED_PROXIES = trusted
    request = RequestFactory().get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)
    assert client_address(request) == client


def test_a_lockout_expires_and_the_next_one_lasts_twice_as_long(client, ivy, settings):
    settings.LOGIN_LOCKOUT_SECONDS = 1
    for _ in range(5):
        _api_login(client, ivy.email, "wrong-guess")
    assert _api_login(client, ivy.email, PASSWORD)["Retry-After"] == "1"
    time.sleep(1.2)
    for _ in range(5):
        assert _api_login(client, ivy.email, "wrong-guess").status_code == 400
    second = _api_login(client, ivy.email, PASSWORD)
    assert (second.status_code, second["Retry-After"]) == (429, "2")
    time.sleep(2.2)
    assert _api_login(client, ivy.email, PASSWORD).status_code == 200
    assert _logged_in(client)


def test_a_successful_log_in_clears_the_account_count(client, ivy):
    for _ in range(4):
        _api_login(client, ivy.email, "wrong-guess")
    assert _api_login(client, ivy.email, PASSWORD).status_code == 200
    client.logout()
    assert [_api_login(client, ivy.email, "wrong-guess").status_code for _ in range(5)] == [400] * 5


def test_failures_counted_by_another_process_lock_this_one(client, ivy):
    """Counts live in Redis: failures recorded by a separate Django process lock the account here."""
    script = (
        "import django; django.setup()\n"
        "from accounts.lockout import attempt_begin\n"
        "for _ in range(5):\n"
        "    attempt_begin(email='ivy@example.hk', address='198.51.100.50').failed()\n"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "REDIS_URL": django_settings.REDIS_URL,
    }
    subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, check=True, timeout=60)
    keys = redis.Redis.from_url(django_settings.REDIS_URL).keys("*login:lock:account:*")
    assert len(keys) == 1
    assert _api_login(client, ivy.email, PASSWORD).status_code == 429
    assert not _logged_in(client)


def test_concurrent_guesses_cannot_pass_the_limit(transactional_db):
    UserFactory(email="ivy@example.hk")
    codes: list[int] = []
    start = threading.Barrier(12)

    def guess(number: int) -> None:
        client = Client(REMOTE_ADDR=f"198.51.100.{number}")
        start.wait()
        try:
            codes.append(_api_login(client, "ivy@example.hk", f"wrong-guess-{number}").status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=guess, args=(number,)) for number in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(codes) == [400] * 5 + [429] * 7
