"""Granting and revoking consents (pages and API), bad input refused with field messages and nothing
created, what each side sees, and personal records withheld when the cross-border rules refuse them."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from accounts.choices import NotificationKind, Role
from accounts.models import Notification
from accounts.tests.factories import UserFactory
from compliance.models import AuditEvent, InvestorProfile
from issuers.models import CrossBorderTransfer, Person, TransferConsent
from issuers.residency import TRANSFER_CONSENT_SHA256, TRANSFER_CONSENT_VERSION
from issuers.sharing import services
from issuers.sharing.models import DataAccessLog, DataConsent
from issuers.sharing.tests.factories import document_of, grant, sharing_world, verified_investor
from issuers.tests.factories import CompanyFactory

TODAY = timezone.localdate


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _valid(world, **changes) -> dict:
    today = TODAY()
    body = {
        "recipient_email": world.lender.email,
        "datasets": ["profile", "financials"],
        "purpose": "credit_assessment",
        "purpose_detail": "",
        "valid_from": today.isoformat(),
        "valid_until": (today + timedelta(days=180)).isoformat(),
    }
    body.update(changes)
    return body


def test_an_sme_grants_a_consent_on_the_page_and_the_recipient_is_told(db):
    world = sharing_world()
    answer = _client(world.sme).post(
        "/sharing/", _valid(world, datasets=["financials", "documents"], all_documents="on")
    )

    assert answer.status_code == 302, answer.content[:800]
    consent = DataConsent.objects.get()
    assert (consent.company, consent.recipient, consent.datasets, consent.all_documents) == (
        world.company,
        world.lender,
        ["financials", "documents"],
        True,
    )
    note = Notification.objects.get(recipient=world.lender)
    assert note.kind == NotificationKind.CONSENT_GRANTED
    assert "Lantau Sensors Limited" in note.title
    assert AuditEvent.objects.filter(action="consent_granted", object_id=str(consent.pk)).exists()
    page = _client(world.sme).get("/sharing/").content.decode()
    assert world.lender.email in page
    assert "Live" in page


def test_an_sme_grants_through_the_api_with_chosen_documents(db):
    world = sharing_world()
    body = _valid(world, datasets=["documents"], document_ids=[world.accounts.pk])
    answer = _client(world.sme).post("/api/v1/consents/", body, content_type="application/json")

    assert answer.status_code == 201, answer.json()
    assert answer.json()["document_ids"] == [world.accounts.pk]
    assert answer.json()["state"] == "live"
    assert answer.json()["people_withheld"] == ""
    assert list(DataConsent.objects.get().documents.all()) == [world.accounts]


def _bad_inputs(world, other_document_id: int) -> list[tuple[str, dict, str]]:
    today = TODAY()
    return [
        (
            "valid_from",
            _valid(world, valid_from=(today - timedelta(days=1)).isoformat()),
            "cannot start in the past",
        ),
        (
            "valid_until",
            _valid(world, valid_until=(today + timedelta(days=400)).isoformat()),
            "at most 12 months",
        ),
        (
            "valid_until",
            _valid(world, valid_until=(today - timedelta(days=3)).isoformat()),
            "on or after the first day",
        ),
        ("recipient_email", _valid(world, recipient_email="nobody@example.hk"), "No verified investor"),
        ("recipient_email", _valid(world, recipient_email=world.sme.email), "No verified investor"),
        ("datasets", _valid(world, datasets=[]), ""),
        ("document_ids", _valid(world, datasets=["documents"]), "Choose the documents to share"),
        ("document_ids", _valid(world, datasets=["documents"], document_ids=[other_document_id]), ""),
        ("purpose_detail", _valid(world, purpose="other"), "Say in a few words"),
    ]


def test_bad_input_on_the_api_answers_400_with_the_fields_message_and_creates_nothing(db):
    world = sharing_world()
    other = document_of(CompanyFactory(), kind="articles", name="theirs.pdf")
    unverified = UserFactory(role=Role.INVESTOR)
    cases = [
        *_bad_inputs(world, other.pk),
        ("recipient_email", _valid(world, recipient_email=unverified.email), "No verified investor"),
    ]
    client = _client(world.sme)
    for field, body, message in cases:
        answer = client.post("/api/v1/consents/", body, content_type="application/json")
        assert answer.status_code == 400, (field, answer.content)
        assert field in answer.json(), (field, answer.json())
        assert message in " ".join(answer.json()[field]), (field, answer.json())
    assert DataConsent.objects.count() == 0
    assert Notification.objects.filter(recipient=world.lender).count() == 0
    assert not AuditEvent.objects.filter(action="consent_granted").exists()


def test_bad_input_on_the_page_shows_the_fields_message_and_creates_nothing(db):
    world = sharing_world()
    other = document_of(CompanyFactory(), kind="articles", name="theirs.pdf")
    client = _client(world.sme)
    for field, body, message in _bad_inputs(world, other.pk):
        answer = client.post("/sharing/", body)
        assert answer.status_code == 400, field
        html = answer.content.decode()
        assert f'id="id_{field}_errors"' in html or f"id_{field}" in html, field
        assert message.replace("'", "&#x27;") in html, (field, message)
    assert DataConsent.objects.count() == 0


def test_only_an_sme_grants_consents(db):
    world = sharing_world()
    answer = _client(world.lender).post("/api/v1/consents/", _valid(world), content_type="application/json")
    assert answer.status_code == 403
    assert DataConsent.objects.count() == 0


def test_revoking_tells_the_recipient_and_cannot_happen_twice(db):
    world = sharing_world()
    consent = grant(world)
    client = _client(world.sme)

    answer = client.post(f"/api/v1/consents/{consent.pk}/revoke/")

    assert answer.status_code == 200
    assert answer.json()["state"] == "revoked"
    consent.refresh_from_db()
    assert consent.revoked_by == world.sme
    assert (
        Notification.objects.filter(recipient=world.lender, kind=NotificationKind.CONSENT_REVOKED).count()
        == 1
    )
    assert AuditEvent.objects.filter(action="consent_revoked", object_id=str(consent.pk)).exists()
    again = client.post(f"/api/v1/consents/{consent.pk}/revoke/")
    assert again.status_code == 409
    assert Notification.objects.filter(kind=NotificationKind.CONSENT_REVOKED).count() == 1


def test_revoking_on_the_page_asks_first_and_stops_the_next_read(db):
    world = sharing_world()
    consent = grant(world)
    page = _client(world.sme).get("/sharing/").content.decode()
    assert f'action="/sharing/{consent.pk}/revoke/" data-confirm=' in page

    assert _client(world.sme).post(f"/sharing/{consent.pk}/revoke/").status_code == 302

    assert _client(world.lender).get(f"/sharing/shared/{consent.pk}/profile/").status_code == 403


def test_another_companys_consent_cannot_be_revoked_or_its_reads_seen(db):
    world = sharing_world()
    consent = grant(world)
    stranger = _client(CompanyFactory().representative)
    assert stranger.post(f"/api/v1/consents/{consent.pk}/revoke/").status_code == 404
    assert stranger.post(f"/sharing/{consent.pk}/revoke/").status_code == 404
    assert stranger.get(f"/api/v1/consents/{consent.pk}/reads/").status_code == 404
    assert stranger.get(f"/sharing/{consent.pk}/").status_code == 404
    consent.refresh_from_db()
    assert consent.revoked_at is None


def test_the_sme_and_compliance_see_every_read_and_the_recipient_its_consents(db):
    world = sharing_world()
    consent = grant(world)
    lender = _client(world.lender)
    lender.get(f"/sharing/shared/{consent.pk}/financials/")
    lender.get(f"/api/v1/shared/{consent.pk}/documents/{world.accounts.pk}/")

    reads = _client(world.sme).get(f"/api/v1/consents/{consent.pk}/reads/").json()
    assert reads["count"] == 2
    assert [(r["dataset"], r["via"], r["reader_email"]) for r in reads["results"]] == [
        ("documents", "api", world.lender.email),
        ("financials", "page", world.lender.email),
    ]
    assert reads["results"][0]["object_label"] == "accounts-2025.pdf"
    page = _client(world.sme).get("/sharing/").content.decode()
    assert "Who read your data" in page
    assert "accounts-2025.pdf" in page
    officer = _client(UserFactory(role=Role.OFFICER))
    assert "accounts-2025.pdf" in officer.get("/sharing/reads/").content.decode()
    assert officer.get(f"/api/v1/consents/{consent.pk}/reads/").json()["count"] == 2
    shared = lender.get("/api/v1/consents/").json()
    assert [row["id"] for row in shared["results"]] == [consent.pk]
    listing = lender.get("/sharing/shared/").content.decode()
    assert f"/sharing/shared/{consent.pk}/financials/" in listing
    assert verified_investor().email not in listing


def _mainland_director(world, *, with_basis: bool) -> Person:
    """A Shenzhen resident director, optionally with the legal basis (consent, assessment, filed contract)."""
    person = Person.objects.create(
        company=world.company,
        full_name="Li Wei",
        nationality="CN",
        residency="CN-SZ",
        birth_date=date(1980, 5, 4),
        is_director=True,
    )
    if with_basis:
        officer = UserFactory(role=Role.OFFICER)
        TransferConsent.objects.create(
            person=person,
            consented_on=TODAY(),
            text_version=TRANSFER_CONSENT_VERSION,
            text_sha256=TRANSFER_CONSENT_SHA256,
            recorded_by=world.sme,
        )
        CrossBorderTransfer.objects.create(
            company=world.company,
            pia_assessed_on=TODAY(),
            pia_conclusion="acceptable",
            pia_reviewer=officer,
            filing_authority="gd_cac",
            filing_reference="GD-SCC-2026-0042",
            filed_on=TODAY(),
        )
    return person


def _names(body: dict) -> list[str]:
    return [person["full_name"] for person in body["people"]]


def test_a_mainland_record_without_its_legal_basis_is_withheld_and_the_rest_still_shared(db):
    world = sharing_world()
    _mainland_director(world, with_basis=False)

    granted = _client(world.sme).post("/api/v1/consents/", _valid(world), content_type="application/json")
    assert "Li Wei" in granted.json()["people_withheld"]
    consent = DataConsent.objects.get()

    lender = _client(world.lender)
    profile = lender.get(f"/api/v1/shared/{consent.pk}/profile/").json()
    assert _names(profile) == ["Chan Tai Man"]
    assert "Li Wei's record may not leave the mainland yet" in profile["people_withheld"]
    assert "separate consent" in profile["people_withheld"]
    assert profile["profile"]["description"] == "Makes pressure sensors for ports."
    page = lender.get(f"/sharing/shared/{consent.pk}/profile/").content.decode()
    assert "Some records are withheld" in page
    assert "Chan Tai Man" in page
    assert lender.get(f"/api/v1/shared/{consent.pk}/financials/").json()["financials"]["employees"] == 41
    assert list(DataAccessLog.objects.order_by("pk").values_list("dataset", "people_withheld")) == [
        ("profile", True),
        ("profile", True),
        ("financials", False),
    ]


def test_a_mainland_record_never_goes_on_to_a_recipient_outside_the_greater_bay_area(db):
    world = sharing_world()
    _mainland_director(world, with_basis=True)
    abroad = verified_investor(name="Singapore Credit Pte Ltd")
    InvestorProfile.objects.filter(user=abroad).update(country="SG", residency="other")
    consent = grant(world, recipient=abroad)

    profile = _client(abroad).get(f"/api/v1/shared/{consent.pk}/profile/").json()

    # A Hong Kong resident's record is not under the mainland's rules; the Shenzhen director's stays home.
    assert _names(profile) == ["Chan Tai Man"]
    assert "may not go on to a recipient outside the Greater Bay Area" in profile["people_withheld"]


def test_the_transfer_rules_are_asked_again_at_every_read(db):
    world = sharing_world()
    director = _mainland_director(world, with_basis=True)
    consent = grant(world)
    lender = _client(world.lender)
    assert _names(lender.get(f"/api/v1/shared/{consent.pk}/profile/").json()) == ["Chan Tai Man", "Li Wei"]

    TransferConsent.objects.filter(person=director).update(withdrawn_at=timezone.now())

    after = lender.get(f"/api/v1/shared/{consent.pk}/profile/").json()
    assert _names(after) == ["Chan Tai Man"]
    assert "Li Wei" in after["people_withheld"]
    assert list(DataAccessLog.objects.order_by("pk").values_list("people_withheld", flat=True)) == [
        False,
        True,
    ]


@pytest.mark.parametrize("months", [12])
def test_the_longest_period_is_twelve_months_to_the_day(db, months):
    world = sharing_world()
    start = TODAY()
    latest = services.add_months(start, months)
    consent = services.consent_grant(
        user=world.sme,
        recipient_email=world.lender.email,
        datasets=["financials"],
        purpose="monitoring",
        valid_from=start,
        valid_until=latest,
    ).consent
    assert consent.valid_until == latest
    assert services.add_months(TODAY().replace(month=1, day=31), 1).day in (28, 29)
    assert services.add_months(date(9999, 12, 1), 12) == date.max
