"""Pages of the SME: the dashboard, the company profile and its submission for KYB."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.choices import Role
from accounts.tests.factories import UserFactory
from compliance.cases.services import case_open
from financing.tests.test_views import bond_application, offering_of, verified_company
from issuers.choices import KybStatus
from issuers.models import Company, Document, Person
from issuers.tests.factories import CompanyFactory
from tests.inputs import COMPANY

PDF = b"%PDF-1.4\n1 0 obj << >> endobj\n%%EOF\n"


@pytest.mark.parametrize("name", ["issuers:dashboard", "issuers:company_edit", "issuers:company_kyb"])
def test_sme_pages_are_for_smes_only(client, db, name):
    assert client.get(reverse(name)).url.startswith(reverse("accounts:login"))
    for role in Role:
        client.force_login(UserFactory(role=role))
        assert client.get(reverse(name)).status_code in ((200, 302) if role == Role.SME else (403,)), role


def test_a_new_sme_is_asked_for_its_company_profile(client, db):
    client.force_login(UserFactory(role=Role.SME))
    page = client.get(reverse("issuers:dashboard"))
    assert b"Create company profile" in page.content


def test_a_new_sme_completes_the_kyb_file_through_the_pages_and_submits_it(client, db):
    sme = UserFactory(role=Role.SME)
    client.force_login(sme)

    assert client.post(reverse("issuers:company_edit"), COMPANY).url == reverse("issuers:company_kyb")
    company = Company.objects.get(representative=sme)
    early = client.post(reverse("issuers:company_submit"))
    assert early.status_code == 400
    assert b"Complete the profile before submitting" in early.content

    client.post(
        reverse("issuers:company_profile"),
        {"annual_revenue": "12000000", "employees": "40", "years_trading": "6", "is_technology": "on"},
    )
    client.post(
        reverse("issuers:person_add"),
        {
            "full_name": "Chan Tai Man",
            "nationality": "HK",
            "residency": "HK",
            "birth_date": "1975-03-01",
            "is_director": "on",
            "is_beneficial_owner": "on",
            "ownership_percent": "60",
        },
    )
    for kind in ("business_registration", "financial_statements", "articles"):
        upload = SimpleUploadedFile(f"{kind}.pdf", PDF + kind.encode(), content_type="application/pdf")
        assert (
            client.post(reverse("issuers:document_upload"), {"kind": kind, "file": upload}).status_code == 302
        )
    assert client.get(reverse("issuers:company_kyb")).context["missing"] == []

    submitted = client.post(reverse("issuers:company_submit"))
    assert submitted.url == reverse("issuers:dashboard")
    company.refresh_from_db()
    assert company.kyb_status == KybStatus.SUBMITTED
    assert b"awaiting KYB review by compliance" in client.get(reverse("issuers:dashboard")).content


def test_bad_people_and_documents_are_shown_again_and_save_nothing(client, db):
    company = CompanyFactory()
    client.force_login(company.representative)

    person = client.post(
        reverse("issuers:person_add"),
        {
            "full_name": "Kid",
            "nationality": "HK",
            "residency": "HK",
            "birth_date": "2020-01-01",
            "ownership_percent": "0",
        },
    )
    assert person.status_code == 400
    assert {"birth_date", "is_director"} <= set(person.context["person_form"].errors)
    assert not Person.objects.exists()

    fake = SimpleUploadedFile("cv.pdf", b"not really a pdf", content_type="application/pdf")
    document = client.post(reverse("issuers:document_upload"), {"kind": "articles", "file": fake})
    assert document.status_code == 400
    assert "PDF, PNG or JPEG" in document.context["document_form"].errors["file"][0]
    assert not Document.objects.exists()

    profile = client.post(
        reverse("issuers:company_profile"), {"srdi_tier": "little_giant", "employees": "-1"}
    )
    assert profile.status_code == 400
    assert "employees" in profile.context["profile_form"].errors


def test_another_companys_person_or_document_is_not_found(client, db):
    other = CompanyFactory()
    person = Person.objects.create(
        company=other, full_name="X", nationality="HK", birth_date="1970-01-01", is_director=True
    )
    client.force_login(CompanyFactory().representative)
    assert client.post(reverse("issuers:person_remove", args=[person.pk])).status_code == 404
    assert client.post(reverse("issuers:document_remove", args=[999999])).status_code == 404
    assert Person.objects.filter(pk=person.pk).exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"legal_name_en": ""}, "legal_name_en"),
        ({"jurisdiction": "XX"}, "jurisdiction"),
        ({"industry": ""}, "industry"),
    ],
)
def test_a_bad_profile_is_shown_again_and_saves_nothing(client, db, changes, field):
    client.force_login(UserFactory(role=Role.SME))
    answer = client.post(reverse("issuers:company_edit"), {**COMPANY, **changes})
    assert answer.status_code == 400
    assert field in answer.context["form"].errors
    assert not Company.objects.exists()


def test_a_registration_number_another_account_claims_is_accepted_and_shown_to_compliance(client, db):
    first = CompanyFactory(
        registration_number="76543210", jurisdiction="HK", legal_name_en="First Claimant Ltd"
    )
    sme = UserFactory(role=Role.SME)
    client.force_login(sme)

    answer = client.post(reverse("issuers:company_edit"), COMPANY)

    assert answer.status_code == 302
    second = Company.objects.get(representative=sme)
    assert second.registration_number == first.registration_number
    Company.objects.filter(pk=second.pk).update(kyb_status=KybStatus.SUBMITTED)
    client.force_login(UserFactory(role=Role.OFFICER))
    before_case = client.get(reverse("compliance:kyb_review", args=[second.pk]))  # read-only, no case yet
    assert b"Registration conflict" in before_case.content
    case_open(subject=second)
    review = client.get(reverse("compliance:kyb_review", args=[second.pk]), follow=True)  # its open case
    assert b"Another company claims the same registration number" in review.content  # the risk factor
    assert b"Registration conflict" in review.content
    assert b"First Claimant Ltd" in review.content
    assert reverse("compliance:kyb_review", args=[first.pk]).encode() in review.content


def test_submitting_without_a_profile_is_refused_on_the_dashboard(client, db):
    client.force_login(UserFactory(role=Role.SME))
    answer = client.post(reverse("issuers:company_submit"))
    assert answer.status_code == 400
    assert b"Fill in the company profile first" in answer.content
    assert not Company.objects.exists()


def test_a_submitted_profile_can_no_longer_be_edited(client, db):
    company = CompanyFactory(kyb_status=KybStatus.SUBMITTED)
    client.force_login(company.representative)
    assert client.get(reverse("issuers:company_edit")).context["editable"] is False
    answer = client.post(reverse("issuers:company_edit"), {**COMPANY, "legal_name_en": "Changed Limited"})
    assert answer.status_code == 400
    company.refresh_from_db()
    assert company.legal_name_en != "Changed Limited"


def test_the_dashboard_lists_applications_and_offering_progress(client, db):
    company = verified_company()
    bond_application(company)
    offering = offering_of(company)
    client.force_login(company.representative)
    page = client.get(reverse("issuers:dashboard"))
    overview = page.context["overview"]
    assert len(overview.applications) == 2
    assert list(overview.offerings) == [offering]
    assert reverse("financing:offering_detail", args=[offering.pk]).encode() in page.content


@pytest.mark.parametrize(
    ("statuses", "opened", "settled"),
    [
        (["ready", "cancelled"], False, False),
        (["ready", "open"], True, False),
        (["settling"], True, False),
        (["cancelled", "settled"], True, True),
    ],
)
def test_the_dashboards_steps_look_at_every_offering_not_only_the_page_shown(
    client, db, statuses, opened, settled
):
    company = verified_company()
    for status in statuses:
        offering_of(company, status=status)
    client.force_login(company.representative)

    overview = client.get(reverse("issuers:dashboard")).context["overview"]

    assert (overview.any_open, overview.any_settled) == (opened, settled)


def test_the_dashboard_says_chain_unavailable_instead_of_failing(client, db, settings):
    settings.CHAIN_RPC_URL = "http://127.0.0.1:9"  # nothing listens on the discard port
    settings.CHAIN_RPC_TIMEOUT = 1
    company = verified_company()
    client.force_login(company.representative)
    page = client.get(reverse("issuers:dashboard"))
    assert page.status_code == 200
    assert page.context["overview"].chain_unavailable
    assert b"Chain unavailable" in page.content
