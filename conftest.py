"""Fixtures shared by every app's tests: the chain node (anvil), a clean chain and a clean cache per test."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from django.conf import settings
from django.core.cache import cache
from django.utils import translation
from web3 import Web3

from tokens.anvil import Anvil


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    """Each test starts with no log-in failure counts or lockouts left by another (they live in Redis)."""
    cache.clear()


@pytest.fixture(autouse=True)
def _force_login_passes_the_second_factor(request, monkeypatch) -> None:
    """`client.force_login(user)` (and `client.login`) stand for a whole log-in, second factor included.

    Staff must pass two-factor authentication and every page is closed to a staff session that did
    not (accounts/middleware.py). Tests about something else sign in with `force_login`; for a staff
    user (or one with an authenticator) it also gives the user an authenticator and records it in
    the session as django-otp's log-in does. Tests of the enforcement itself log in through the pages
    or the API, or carry `@pytest.mark.real_two_factor` to keep Django's plain ones.
    """
    if request.node.get_closest_marker("real_two_factor"):
        return
    from django.test.client import ClientMixin
    from django_otp import DEVICE_ID_SESSION_KEY

    from accounts.testing import totp_device
    from accounts.two_factor import has_authenticator, requires_two_factor

    plain = ClientMixin._login  # behind both force_login and login

    def _login(self, user, backend=None):  # type: ignore[no-untyped-def]
        plain(self, user, backend)
        if requires_two_factor(user) or has_authenticator(user):
            session = self.session
            session[DEVICE_ID_SESSION_KEY] = totp_device(user).persistent_id
            session.save()

    monkeypatch.setattr(ClientMixin, "_login", _login)


@pytest.fixture(autouse=True)
def _default_language() -> Iterator[None]:
    """Each test starts in English: a page asked for in Chinese leaves its language active on the thread."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(scope="session")
def _anvil() -> Iterator[tuple[str, int | None]]:
    """The test chain's RPC URL (TEST_CHAIN_RPC_URL when given, else a private anvil) and its pid if known."""
    given = os.environ.get("TEST_CHAIN_RPC_URL")
    if given:
        pid = os.environ.get("TEST_CHAIN_PID")
        yield given, int(pid) if pid else None
        return
    with Anvil() as node:
        assert node.process is not None
        yield node.url, node.process.pid


@pytest.fixture(scope="session")
def anvil_url(_anvil: tuple[str, int | None]) -> str:
    """The RPC URL of the test chain: CHAIN_RPC_URL when given, else a private anvil."""
    return _anvil[0]


@pytest.fixture(scope="session")
def anvil_pid(_anvil: tuple[str, int | None]) -> int:
    """The test chain's process id, for tests that freeze the node (SIGSTOP, then SIGCONT)."""
    if _anvil[1] is None:
        pytest.fail(
            "The test chain was given by URL without TEST_CHAIN_PID: run the tests through `make test`."
        )
    return _anvil[1]


@pytest.fixture(scope="session")
def w3(anvil_url: str) -> Web3:
    """A web3 client on the test chain, with anvil's unlocked development accounts."""
    client = Web3(Web3.HTTPProvider(anvil_url, request_kwargs={"timeout": 30}))
    assert client.is_connected(), f"no chain answers on {anvil_url}"
    return client


@pytest.fixture
def chain(w3: Web3) -> Iterator[Web3]:
    """The test chain, rolled back to its previous state after the test."""
    snapshot = w3.provider.make_request("evm_snapshot", [])["result"]  # type: ignore[arg-type]
    try:
        yield w3
    finally:
        w3.provider.make_request("evm_revert", [snapshot])  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def _platform_rows(django_db_setup, django_db_blocker, w3: Web3, anvil_url: str):
    """Bootstrap the platform once per session; returns the rows it wrote, removed again from the database.

    Every test that uses the chain reverts it to its snapshot afterwards, so the chain stays at this
    bootstrapped state between tests; each `platform` test re-inserts the same rows.
    """
    from django.test import override_settings

    from tokens.chain import clear_caches
    from tokens.models import ChainTransaction, Contract, PaymentTokenListing, Wallet
    from tokens.services import platform_bootstrap

    with (
        django_db_blocker.unblock(),
        override_settings(CHAIN_RPC_URL=anvil_url, CELERY_TASK_ALWAYS_EAGER=True),
    ):
        clear_caches()
        addresses = platform_bootstrap()
        rows = [
            (model, list(model.objects.order_by("pk")))
            for model in (Wallet, Contract, ChainTransaction, PaymentTokenListing)
        ]
        for model, _ in reversed(rows):
            model.objects.all().delete()
    return addresses, rows


@pytest.fixture
def platform(transactional_db, chain: Web3, anvil_url: str, settings, _platform_rows):
    """Committed database rows plus the platform contracts, on a test chain rolled back after the test.

    Uses `transactional_db` so that `on_commit` hooks run and in-process (eager) tasks send
    chain transactions exactly as the product does.
    """
    from tokens.chain import clear_caches

    settings.CHAIN_RPC_URL = anvil_url
    settings.CELERY_TASK_ALWAYS_EAGER = True
    clear_caches()
    addresses, rows = _platform_rows
    for model, objects in rows:
        model.objects.bulk_create(objects)
    return addresses


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Browser tests run last: Playwright's sync API keeps an event loop running in the main thread from
    its first use to the end of the session, and Django refuses database calls from a thread with a
    running loop (tests/browser/conftest.py allows them there, and only there)."""
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)
