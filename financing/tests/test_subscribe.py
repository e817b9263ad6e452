"""Subscribing as investors expect: the review step, the documents to read, the risk disclosure and the
agreement accepted and recorded, messages that help, and the reason instead of a form that cannot work."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.choices import Role
from accounts.tests.factories import UserFactory
from compliance.choices import KycStatus
from compliance.models import InvestorProfile
from config.errors import ValidationFailed
from financing.agreements import RISK_DISCLOSURE, SUBSCRIPTION_AGREEMENT, accepted_versions
from financing.choices import AcceptanceKind, OfferingDocumentKind, OfferingStatus
from financing.demo import sample_pdf
from financing.models import (
    Offering,
    OfferingDocument,
    OfferingDocumentOpen,
    Subscription,
    SubscriptionAcceptance,
)
from financing.services import offering_document_open, offering_document_upload, subscription_create
from financing.tests.test_views import offering_of
from tests import flows
from tokens.choices import WalletKind
from tokens.models import ChainTransaction
from tokens.services import wallet_create

ACCEPT = {**accepted_versions(), "accept_risk": "on", "accept_agreement": "on"}


def _round(*, funds: Decimal = Decimal("50000"), units: int = 100, professional: bool = True):
    officer, operator = flows.officer(), flows.operator()
    company = flows.verified_company(by=officer)
    offering = flows.open_offering(
        company=company, by=officer, opener=operator, units=units, professional_only=professional
    )
    investor = flows.approved_investor(by=officer, funds=funds)
    return company, offering, investor


def _documents(offering: Offering) -> list[OfferingDocument]:
    sme = offering.application.company.representative
    return [
        offering_document_upload(
            actor=sme,
            offering_id=offering.pk,
            kind=kind,
            title=f"{label} of the notes",
            upload=sample_pdf(label),
        )
        for kind, label in (
            (OfferingDocumentKind.TERM_SHEET, "Term sheet"),
            (OfferingDocumentKind.INFORMATION_MEMORANDUM, "Information memorandum"),
            (OfferingDocumentKind.ISSUER_FINANCIALS, "Financial statements"),
        )
    ]


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _nothing_changed(offering: Offering, chain_writes: int) -> None:
    offering.refresh_from_db()
    assert offering.units_subscribed == 0
    assert not Subscription.objects.filter(offering=offering).exists()
    assert not SubscriptionAcceptance.objects.exists()
    assert ChainTransaction.objects.count() == chain_writes


# --- the review step, the documents and the acceptance -------------------------------------------


def test_review_then_read_and_accept_subscribes_and_records_what_was_accepted(platform):
    _, offering, investor = _round()
    documents = _documents(offering)
    client = _client(investor)

    review = client.get(reverse("financing:offering_review", args=[offering.pk]), {"units": "12"})

    assert review.status_code == 200
    page = review.content.decode()
    settle_by = timezone.localdate(offering.closes_at) + timedelta(days=14)
    for shown in (
        "HK$12,000.00",  # the amount
        "No fees",
        settle_by.strftime("%-d %b %Y"),  # the settlement date: close + the settlement window
        "pro rata in whole units",  # what happens if oversubscribed
        "HK$38,000.00",  # the balance after: 50,000 - 12,000
        RISK_DISCLOSURE.version,
        SUBSCRIPTION_AGREEMENT.version,
    ):
        assert shown in page, shown
    assert [d.document for d in review.context["review"].documents] == documents
    assert review.context["review"].unopened == documents
    chain_writes = ChainTransaction.objects.count()

    # The documents unread: refused, nothing changed, the titles named.
    unread = client.post(
        reverse("financing:offering_subscribe", args=[offering.pk]), {"units": "12", **ACCEPT}
    )
    assert unread.status_code == 400
    assert "Open and read first: Term sheet of the notes (version 1)" in unread.content.decode()
    _nothing_changed(offering, chain_writes)

    for document in documents:
        opened = client.get(reverse("financing:offering_document", args=[document.pk]))
        assert opened.status_code == 200
        assert b"".join(opened.streaming_content).startswith(b"%PDF-")
    assert OfferingDocumentOpen.objects.filter(investor=investor).count() == 3

    # The boxes not ticked: refused, nothing changed.
    unticked = client.post(
        reverse("financing:offering_subscribe", args=[offering.pk]), {"units": "12", **accepted_versions()}
    )
    assert unticked.status_code == 400
    assert set(unticked.context["form"].errors) == {"accept_risk", "accept_agreement"}
    _nothing_changed(offering, chain_writes)

    # An older version of the agreement (the text changed since the page was shown): refused, unchanged.
    stale = client.post(
        reverse("financing:offering_subscribe", args=[offering.pk]),
        {**ACCEPT, "units": "12", "agreement_version": "2020-01.1"},
    )
    assert stale.status_code == 400
    assert "has changed" in stale.content.decode()
    _nothing_changed(offering, chain_writes)

    done = client.post(reverse("financing:offering_subscribe", args=[offering.pk]), {"units": "12", **ACCEPT})

    assert done.status_code == 302
    subscription = Subscription.objects.get(offering=offering, investor=investor)
    assert (subscription.units, subscription.amount) == (12, Decimal("12000.00"))
    accepted = {(a.kind, a.version, a.sha256) for a in subscription.acceptances.all()}
    assert accepted == {
        (AcceptanceKind.RISK_DISCLOSURE, RISK_DISCLOSURE.version, RISK_DISCLOSURE.sha256),
        (
            AcceptanceKind.SUBSCRIPTION_AGREEMENT,
            SUBSCRIPTION_AGREEMENT.version,
            SUBSCRIPTION_AGREEMENT.sha256,
        ),
        *{(AcceptanceKind.DOCUMENT, "1", d.sha256) for d in documents},
    }
    assert RISK_DISCLOSURE.sha256 == hashlib.sha256(RISK_DISCLOSURE.text.encode()).hexdigest()
    assert all(a.accepted_at for a in subscription.acceptances.all())
    assert all(a.opened_at for a in subscription.acceptances.filter(kind=AcceptanceKind.DOCUMENT))


def test_a_new_version_of_a_document_must_be_opened_again(platform):
    _, offering, investor = _round()
    (term_sheet, *_) = _documents(offering)
    for document in OfferingDocument.objects.filter(offering=offering):
        offering_document_open(user=investor, document_id=document.pk)
    newer = offering_document_upload(
        actor=offering.application.company.representative,
        offering_id=offering.pk,
        kind=OfferingDocumentKind.TERM_SHEET,
        title="Term sheet (amended)",
        upload=sample_pdf("Term sheet amended"),
    )
    assert newer.version == 2

    with pytest.raises(ValidationFailed) as refused:
        subscription_create(user=investor, offering_id=offering.pk, units=1, **accepted_versions())
    assert refused.value.fields["documents"] == ["Open and read first: Term sheet (amended) (version 2)."]
    assert not Subscription.objects.exists()

    offering_document_open(user=investor, document_id=newer.pk)
    subscription = subscription_create(user=investor, offering_id=offering.pk, units=1, **accepted_versions())
    read = set(
        subscription.acceptances.filter(kind=AcceptanceKind.DOCUMENT).values_list("document_id", flat=True)
    )
    assert newer.pk in read
    assert term_sheet.pk not in read  # the superseded version is not what they relied on


def test_the_api_refuses_a_subscription_without_the_accepted_versions_and_takes_one_with_them(platform):
    _, offering, investor = _round()
    documents = _documents(offering)
    client = _client(investor)
    url = f"/api/v1/offerings/{offering.pk}/subscriptions/"

    detail = client.get(f"/api/v1/offerings/{offering.pk}/").json()
    assert [d["id"] for d in detail["documents"]] == [d.pk for d in documents]
    terms = {t["kind"]: t for t in detail["subscription_terms"]}
    assert terms["risk_disclosure"]["version"] == RISK_DISCLOSURE.version
    assert (
        terms["subscription_agreement"]["sha256"]
        == hashlib.sha256(terms["subscription_agreement"]["text"].encode()).hexdigest()
    )
    chain_writes = ChainTransaction.objects.count()

    bare = client.post(url, {"units": 5}, content_type="application/json")
    assert bare.status_code == 400
    assert {"risk_disclosure_version", "agreement_version"} <= set(bare.json())
    unread = client.post(url, {"units": 5, **accepted_versions()}, content_type="application/json")
    assert unread.status_code == 400
    assert "Term sheet of the notes (version 1)" in unread.json()["documents"][0]
    _nothing_changed(offering, chain_writes)

    for document in detail["documents"]:
        assert client.get(document["url"]).status_code == 200
    created = client.post(url, {"units": 5, **accepted_versions()}, content_type="application/json")

    assert created.status_code == 201
    assert Subscription.objects.get(pk=created.json()["id"]).acceptances.count() == 5


# --- messages that help, and no form that cannot work --------------------------------------------


def test_the_page_says_the_most_units_the_investor_can_afford_and_how_many_are_left(platform):
    _, offering, investor = _round(funds=Decimal("7500"))
    client = _client(investor)

    page = client.get(reverse("financing:offering_detail", args=[offering.pk]))

    position = page.context["position"]
    assert (position.units_left, position.max_units, position.limited_by) == (300, 7, "balance")
    assert "up to 7 units" in page.content.decode()
    too_many = client.get(reverse("financing:offering_review", args=[offering.pk]), {"units": "8"})
    assert too_many.status_code == 400
    assert "at most 7 units" in too_many.context["subscribe_form"].errors["units"][0]

    Offering.objects.filter(pk=offering.pk).update(units_subscribed=297)  # three units left under the cap
    page = client.get(reverse("financing:offering_detail", args=[offering.pk]))
    assert (page.context["position"].max_units, page.context["position"].limited_by) == (3, "units_left")
    over = client.get(reverse("financing:offering_review", args=[offering.pk]), {"units": "4"})
    assert "Only 3 units are left" in over.context["subscribe_form"].errors["units"][0]

    Offering.objects.filter(pk=offering.pk).update(units_subscribed=300)
    sold_out = client.get(reverse("financing:offering_detail", args=[offering.pk]))
    assert "Sold out" in sold_out.context["position"].reason
    assert b'name="units"' not in sold_out.content


@pytest.mark.parametrize(
    ("who", "status", "reason", "kyc_link"),
    [
        ("no kyc", OfferingStatus.OPEN, "due diligence must be approved", True),
        ("retail", OfferingStatus.OPEN, "professional investors only", True),
        ("investor", OfferingStatus.SETTLED, "settled", False),
    ],
)
def test_who_cannot_subscribe_sees_why_instead_of_the_form(client, db, who, status, reason, kyc_link):
    offering = offering_of(status=status)
    user = UserFactory(role=Role.INVESTOR)
    if who != "no kyc":
        professional = who != "retail"
        InvestorProfile.objects.create(
            user=user,
            investor_type="individual",
            legal_name="Ivy Wong",
            country="HK",
            id_document_number="A123",
            declared_portfolio_hkd=Decimal("9000000"),
            claims_professional=professional,
            is_professional=professional,
            pi_valid_until=timezone.localdate() + timedelta(days=300) if professional else None,
            kyc_status=KycStatus.APPROVED,
            identity_registered_at=timezone.now(),
            wallet=wallet_create(kind=WalletKind.INVESTOR, label="investor"),
        )
    client.force_login(user)

    page = client.get(reverse("financing:offering_detail", args=[offering.pk]))

    assert page.status_code == 200
    assert reason in page.context["position"].reason
    assert reason in page.content.decode()
    assert b'name="units"' not in page.content
    assert (reverse("financing:investor_kyc").encode() in page.content) == kyc_link
    review = client.get(reverse("financing:offering_review", args=[offering.pk]), {"units": "1"})
    assert review.status_code == 409


# --- documents: who attaches them, who may open them ---------------------------------------------


def test_documents_are_attached_by_the_issuer_or_staff_and_opened_by_those_who_see_the_offering(client, db):
    offering = offering_of(status=OfferingStatus.READY)
    sme = offering.application.company.representative
    client.force_login(sme)
    upload = sample_pdf("Term sheet")

    answer = client.post(
        reverse("financing:offering_document_upload", args=[offering.pk]),
        {"kind": "term_sheet", "title": "Term sheet", "file": upload},
    )

    assert answer.status_code == 302
    document = OfferingDocument.objects.get(offering=offering)
    assert (document.kind, document.version, document.uploaded_by) == ("term_sheet", 1, sme)
    url = reverse("financing:offering_document", args=[document.pk])
    assert client.get(url).status_code == 200
    client.force_login(UserFactory(role=Role.INVESTOR))
    assert client.get(url).status_code == 404  # not open yet: investors do not see the offering
    client.force_login(offering_of().application.company.representative)
    assert client.get(url).status_code == 404  # another SME
    refused = client.post(
        reverse("financing:offering_document_upload", args=[offering.pk]),
        {"kind": "term_sheet", "title": "Not theirs", "file": sample_pdf("x")},
    )
    assert refused.status_code == 404
    client.force_login(UserFactory(role=Role.OFFICER))
    assert client.get(url).status_code == 200


def test_documents_of_a_closed_offering_cannot_change_and_bad_files_are_refused(client, db):
    offering = offering_of(status=OfferingStatus.SETTLED)
    client.force_login(UserFactory(role=Role.OPERATOR))

    closed = client.post(
        reverse("financing:offering_document_upload", args=[offering.pk]),
        {"kind": "term_sheet", "title": "Late", "file": sample_pdf("Late")},
    )
    assert closed.status_code == 400
    assert "cannot change" in closed.content.decode()

    Offering.objects.filter(pk=offering.pk).update(status=OfferingStatus.OPEN)
    not_pdf = client.post(
        reverse("financing:offering_document_upload", args=[offering.pk]),
        {"kind": "term_sheet", "title": "Script", "file": SimpleUploadedFile("a.pdf", b"#!/bin/sh\n")},
    )
    assert not_pdf.status_code == 400
    assert "PDF, PNG or JPEG" in not_pdf.content.decode()
    assert not OfferingDocument.objects.exists()
