"""Every shared read (each dataset, as a page and through the API, and each document download) goes through
the one gate: refused with a plain reason and nothing read or logged unless a live consent names the reader
and includes the data; answered and logged once when it does."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from issuers.sharing.models import DataAccessLog, DataConsent
from issuers.sharing.services import consent_revoke
from issuers.sharing.tests.factories import Sharing, grant, sharing_world, verified_investor

# (channel, what is read); "document" is a download of one shared KYB document.
READS = [
    (channel, what)
    for channel in ("page", "api")
    for what in ("profile", "financials", "documents", "schedules", "document")
]
# What only the data itself contains, so its absence from a refusal shows nothing leaked.
SECRETS = {
    "profile": [b"Chan Tai Man"],
    "financials": [b"12,345,678", b"12345678"],
    "documents": [b"accounts-2025.pdf", b"br-certificate.pdf"],
    "schedules": [b"Harbour 5% Notes", b"2026-"],
    "document": [b"%PDF-1.4"],
}


def _url(channel: str, what: str, consent_id: int, world: Sharing) -> str:
    base = "/api/v1/shared" if channel == "api" else "/sharing/shared"
    if what == "document":
        return f"{base}/{consent_id}/documents/{world.registration.pk}/"
    return f"{base}/{consent_id}/{what}/"


def _read(user, channel: str, what: str, consent_id: int, world: Sharing):
    client = Client(REMOTE_ADDR="203.0.113.9")
    client.force_login(user)
    return client.get(_url(channel, what, consent_id, world))


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def _dataset(what: str) -> str:
    return "documents" if what == "document" else what


def _assert_refused(response, reason: str) -> None:
    body = _body(response)
    assert response.status_code == 403, body[:300]
    assert reason.encode() in body, body[:600]
    for secret in [s for values in SECRETS.values() for s in values]:
        assert secret not in body, secret
    assert DataAccessLog.objects.count() == 0


@pytest.mark.parametrize(("channel", "what"), READS)
def test_a_live_consent_answers_each_shared_read_and_logs_it_once(db, channel, what):
    world = sharing_world()
    consent = grant(world)

    response = _read(world.lender, channel, what, consent.pk, world)

    body = _body(response)
    assert response.status_code == 200, body[:500]
    assert any(secret in body for secret in SECRETS[what])
    (read,) = DataAccessLog.objects.all()
    assert (read.consent, read.reader, read.company, read.dataset, read.via) == (
        consent,
        world.lender,
        world.company,
        _dataset(what),
        channel,
    )
    assert read.client_address == "203.0.113.9"
    assert read.document == (world.registration if what == "document" else None)


@pytest.mark.parametrize(("channel", "what"), READS)
def test_without_any_consent_each_read_is_refused(db, channel, what):
    world = sharing_world()
    _assert_refused(
        _read(world.lender, channel, what, 987654, world), "No company has shared this data with you"
    )


@pytest.mark.parametrize(("channel", "what"), READS)
def test_a_consent_naming_another_recipient_refuses_each_read(db, channel, what):
    world = sharing_world()
    consent = grant(world)
    stranger = verified_investor(name="Other Lender Limited")
    _assert_refused(
        _read(stranger, channel, what, consent.pk, world), "No company has shared this data with you"
    )


@pytest.mark.parametrize(("channel", "what"), READS)
def test_an_expired_consent_refuses_each_read(db, channel, what):
    world = sharing_world()
    consent = grant(world)
    today = timezone.localdate()
    DataConsent.objects.filter(pk=consent.pk).update(
        valid_from=today - timedelta(days=30), valid_until=today - timedelta(days=1)
    )
    _assert_refused(_read(world.lender, channel, what, consent.pk, world), "This consent ended on")


@pytest.mark.parametrize(("channel", "what"), READS)
def test_a_consent_not_yet_started_refuses_each_read(db, channel, what):
    world = sharing_world()
    consent = grant(world)
    today = timezone.localdate()
    DataConsent.objects.filter(pk=consent.pk).update(
        valid_from=today + timedelta(days=1), valid_until=today + timedelta(days=30)
    )
    _assert_refused(_read(world.lender, channel, what, consent.pk, world), "This consent starts on")


@pytest.mark.parametrize(("channel", "what"), READS)
def test_a_revoked_consent_refuses_the_very_next_read(db, channel, what):
    world = sharing_world()
    consent = grant(world)
    assert _read(world.lender, channel, what, consent.pk, world).status_code == 200
    DataAccessLog.objects.all().delete()

    consent_revoke(user=world.sme, consent_id=consent.pk)

    _assert_refused(_read(world.lender, channel, what, consent.pk, world), "revoked this consent on")


@pytest.mark.parametrize(("channel", "what"), READS)
def test_a_consent_without_the_dataset_refuses_its_read(db, channel, what):
    world = sharing_world()
    others = tuple(d for d in ("profile", "financials", "documents", "schedules") if d != _dataset(what))
    consent = grant(world, datasets=others)
    _assert_refused(
        _read(world.lender, channel, what, consent.pk, world), "This consent does not include the"
    )


@pytest.mark.parametrize("channel", ["page", "api"])
def test_only_the_chosen_documents_are_listed_and_downloaded(db, channel):
    world = sharing_world()
    consent = grant(world, datasets=("documents",), documents=(world.accounts,), all_documents=False)

    listing = _body(_read(world.lender, channel, "documents", consent.pk, world))
    assert b"accounts-2025.pdf" in listing
    assert b"br-certificate.pdf" not in listing
    DataAccessLog.objects.all().delete()
    _assert_refused(
        _read(world.lender, channel, "document", consent.pk, world),
        "This document is not shared with you under this consent",
    )


@pytest.mark.parametrize("channel", ["page", "api"])
def test_an_unknown_dataset_is_not_found_and_not_logged(db, channel):
    world = sharing_world()
    consent = grant(world)
    response = _read(world.lender, channel, "passwords", consent.pk, world)
    assert response.status_code == 404
    assert DataAccessLog.objects.count() == 0


def test_the_company_itself_and_staff_cannot_read_through_the_recipients_door(db):
    from accounts.choices import Role
    from accounts.tests.factories import UserFactory

    world = sharing_world()
    consent = grant(world)
    for user in (world.sme, UserFactory(role=Role.OFFICER)):
        for channel in ("page", "api"):
            assert _read(user, channel, "profile", consent.pk, world).status_code == 403
    assert DataAccessLog.objects.count() == 0
