"""Residency and the cross-border record on the pages and the API, as the SME and compliance use them."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.choices import Role
from accounts.tests.factories import UserFactory
from compliance.kyc import kyc_missing_items
from compliance.models import AuditEvent, InvestorProfile
from compliance.services import investor_kyc_save
from config.errors import ValidationFailed
from financing.demo import sample_pdf
from issuers.choices import Residency
from issuers.models import CrossBorderTransfer, Person, TransferConsent
from issuers.residency import TRANSFER_CONSENT_SHA256, TRANSFER_CONSENT_VERSION, personal_data_transfer_check
from issuers.selectors import company_missing_items
from issuers.tests.factories import CompanyFactory
from tests.inputs import PERSON

pytestmark = pytest.mark.django_db


def _person(company, name="Chen Hua", residency=Residency.SHENZHEN):
    return Person.objects.create(
        company=company,
        full_name=name,
        nationality="CN",
        residency=residency,
        birth_date=date(1980, 1, 1),
        is_director=True,
    )


def _day(days_ago=0):
    return (timezone.localdate() - timedelta(days=days_ago)).strftime("%d/%m/%Y")


@pytest.fixture
def company():
    return CompanyFactory()


@pytest.fixture
def officer():
    return UserFactory(role=Role.OFFICER)


def test_a_director_or_owner_cannot_be_added_without_saying_where_they_live(client, company):
    client.force_login(company.representative)

    for residency in ("", Residency.NOT_STATED, "Atlantis"):
        refused = client.post(reverse("issuers:person_add"), {**PERSON, "residency": residency})
        assert refused.status_code == 400
        assert "residency" in refused.context["person_form"].errors
    assert not Person.objects.exists()

    added = client.post(reverse("issuers:person_add"), {**PERSON, "residency": Residency.DONGGUAN})
    assert added.status_code == 302
    assert Person.objects.get().residency == Residency.DONGGUAN


def test_a_record_from_before_residency_was_asked_is_flagged_in_the_checklists(company):
    _person(company, "Old Director", Residency.NOT_STATED)
    assert "where Old Director lives (residency)" in company_missing_items(company)

    investor = UserFactory(role=Role.INVESTOR)
    profile = InvestorProfile.objects.create(
        user=investor, investor_type="individual", legal_name="Ivy", country="HK", id_document_number="A1"
    )
    assert profile.residency == Residency.NOT_STATED
    assert "where you live (residency)" in kyc_missing_items(profile)


def test_an_investors_residency_must_lie_in_the_country_they_give_and_is_kept_when_left_out():
    investor = UserFactory(role=Role.INVESTOR)
    details = {
        "investor_type": "individual",
        "legal_name": "Ivy Chan",
        "country": "HK",
        "id_document_number": "A1234567",
        "declared_portfolio_hkd": Decimal("100"),
    }
    with pytest.raises(ValidationFailed) as refused:
        investor_kyc_save(user=investor, residency=Residency.SHENZHEN, **details)
    assert set(refused.value.fields) == {"residency"}
    assert not InvestorProfile.objects.exists()

    saved = investor_kyc_save(user=investor, residency=Residency.HONG_KONG, **details)
    again = investor_kyc_save(user=investor, **details)
    assert saved.residency == again.residency == Residency.HONG_KONG
    assert (
        investor_kyc_save(user=investor, **{**details, "country": "SG"}, residency="other").residency
        == "other"
    )


def test_the_officer_sees_where_each_person_lives_and_a_link_to_the_cross_border_record(
    client, company, officer
):
    _person(company, "Chen Hua", Residency.SHENZHEN)
    _person(company, "Old Director", Residency.NOT_STATED)
    client.force_login(officer)

    page = client.get(reverse("compliance:kyb_review", args=[company.pk])).content.decode()

    assert "Shenzhen" in page
    assert "Not stated" in page
    assert reverse("compliance:cross_border", args=[company.pk]) in page


def test_the_sme_records_a_separate_consent_on_its_page_and_sees_the_record_withheld_until_compliance_acts(
    client, company
):
    person = _person(company)
    client.force_login(company.representative)
    page = client.get(reverse("issuers:cross_border")).content.decode()
    assert TRANSFER_CONSENT_SHA256 in page
    assert "have not given their separate consent" in page

    answer = client.post(
        reverse("issuers:cross_border"),
        {"person": person.pk, "consented_on": _day(1), "separate_consent": "on"},
    )

    assert answer.status_code == 302
    consent = TransferConsent.objects.get(person=person)
    assert (consent.text_version, consent.recorded_by) == (TRANSFER_CONSENT_VERSION, company.representative)
    page = client.get(reverse("issuers:cross_border")).content.decode()
    assert "impact assessment" in page
    assert "Withheld" in page


def test_a_consent_without_its_own_tick_is_refused_on_the_page_with_its_reason_and_nothing_is_kept(
    client, company
):
    person = _person(company)
    client.force_login(company.representative)

    refused = client.post(reverse("issuers:cross_border"), {"person": person.pk, "consented_on": _day(-1)})

    assert refused.status_code == 400
    errors = refused.context["form"].errors
    assert "Tick the box" in errors["separate_consent"][0]
    assert "cannot be in the future" in errors["consented_on"][0]
    assert not TransferConsent.objects.exists()
    assert not AuditEvent.objects.exists()


def test_the_sme_withdraws_a_consent_and_the_record_is_withheld_again(client, company, officer):
    person = _person(company)
    client.force_login(company.representative)
    client.post(
        reverse("issuers:cross_border"),
        {"person": person.pk, "consented_on": _day(), "separate_consent": "on"},
    )

    answer = client.post(reverse("issuers:cross_border_withdraw", args=[person.pk]))

    assert answer.status_code == 302
    assert TransferConsent.objects.get().withdrawn_at is not None
    assert client.post(reverse("issuers:cross_border_withdraw", args=[person.pk])).status_code == 400


def test_compliance_records_the_assessment_with_its_report_and_the_filing_on_the_page(
    client, company, officer
):
    _person(company)
    client.force_login(officer)

    assessed = client.post(
        reverse("compliance:cross_border_assessment", args=[company.pk]),
        {
            "assessed_on": _day(3),
            "conclusion": "acceptable",
            "summary": "Encrypted at rest; access limited to compliance.",
            "document": sample_pdf("PIA report"),
        },
    )
    filed = client.post(
        reverse("compliance:cross_border_filing", args=[company.pk]),
        {"authority": "gd_cac", "reference": "GD-SC-2026-0042", "filed_on": _day(2)},
    )

    assert (assessed.status_code, filed.status_code) == (302, 302)
    transfer = CrossBorderTransfer.objects.get(company=company)
    assert (transfer.pia_reviewer, transfer.filing_recorded_by) == (officer, officer)
    report = client.get(reverse("compliance:cross_border_assessment_document", args=[company.pk]))
    assert report.status_code == 200
    assert report["Content-Type"] == "application/pdf"
    page = client.get(reverse("compliance:cross_border", args=[company.pk])).content.decode()
    assert "GD-SC-2026-0042" in page


def test_a_future_assessment_and_an_empty_filing_reference_are_field_errors_on_the_page(
    client, company, officer
):
    client.force_login(officer)

    assessment = client.post(
        reverse("compliance:cross_border_assessment", args=[company.pk]),
        {"assessed_on": _day(-2), "conclusion": "acceptable"},
    )
    filing = client.post(
        reverse("compliance:cross_border_filing", args=[company.pk]),
        {"authority": "gd_cac", "reference": "   ", "filed_on": _day()},
    )

    assert (assessment.status_code, filing.status_code) == (400, 400)
    assert "cannot be in the future" in assessment.context["assessment_form"].errors["assessed_on"][0]
    assert "reference" in filing.context["filing_form"].errors
    assert not CrossBorderTransfer.objects.exists()


def test_the_whole_record_through_the_api_lets_the_record_go_to_a_hong_kong_recipient(
    client, company, officer
):
    person = _person(company)
    client.force_login(company.representative)

    bad = client.post(
        "/api/v1/company/cross-border/consents/",
        {"person_id": person.pk, "consented_on": _iso(-1), "separate_consent": False},
        content_type="application/json",
    )
    assert bad.status_code == 400
    assert {"consented_on", "separate_consent"} <= set(bad.json())
    given = client.post(
        "/api/v1/company/cross-border/consents/",
        {"person_id": person.pk, "consented_on": _iso(0), "separate_consent": True},
        content_type="application/json",
    )
    assert given.status_code == 201
    (row,) = given.json()["people"]
    assert row["consent"]["text_sha256"] == TRANSFER_CONSENT_SHA256
    assert "impact assessment" in row["withheld_reason"]

    client.force_login(officer)
    url = f"/api/v1/compliance/companies/{company.pk}/cross-border/"
    empty = client.post(
        url + "filing/",
        {"authority": "gd_cac", "reference": "", "filed_on": _iso(0)},
        content_type="application/json",
    )
    assert empty.status_code == 400
    assert "reference" in empty.json()
    assert (
        client.post(
            url + "assessment/",
            {"assessed_on": _iso(0), "conclusion": "acceptable"},
            content_type="application/json",
        ).status_code
        == 200
    )
    filed = client.post(
        url + "filing/",
        {"authority": "gd_cac", "reference": "GD-1", "filed_on": _iso(0)},
        content_type="application/json",
    )
    assert filed.status_code == 200
    assert filed.json()["people"][0]["withheld_reason"] is None
    assert filed.json()["standard_contract_filing"]["reference"] == "GD-1"

    recipient = InvestorProfile.objects.create(
        user=UserFactory(role=Role.INVESTOR),
        investor_type="corporation",
        legal_name="Harbour Lending",
        country="HK",
        residency=Residency.HONG_KONG,
        id_document_number="1",
    )
    personal_data_transfer_check(company=company, recipient=recipient)


def _iso(days_ago):
    return (timezone.localdate() - timedelta(days=days_ago)).isoformat()
