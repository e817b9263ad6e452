"""The KYB file as one flow (profile, people, documents, review and submit) that never drops typed input."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from issuers.choices import KybStatus
from issuers.models import Company, Document, Person
from issuers.tests.factories import CompanyFactory
from issuers.tests.test_views import PDF

KYB = reverse("issuers:company_kyb")
PROFILE = {"annual_revenue": "12000000", "employees": "40", "years_trading": "6", "is_green": "on"}
PERSON = {
    "full_name": "Chan Tai Man",
    "nationality": "HK",
    "residency": "HK",
    "birth_date": "1975-03-01",
    "is_director": "on",
    "is_beneficial_owner": "on",
    "ownership_percent": "60",
}


@pytest.fixture
def company(client, db) -> Company:
    company = CompanyFactory()
    client.force_login(company.representative)
    return company


def _step(url: str) -> str:
    match = re.search(r"\?step=(\w+)$", url)
    assert match, url
    return match.group(1)


def _value_of(html: str, name: str) -> str | None:
    match = re.search(rf'<input[^>]*name="{name}"[^>]*>', html)
    assert match, name
    value = re.search(r'value="([^"]*)"', match.group(0))
    return value.group(1) if value else None


def test_a_new_file_opens_on_the_profile_step_with_the_progress_of_every_step(client, company):
    page = client.get(KYB)
    html = page.content.decode()

    assert page.context["step"] == "profile"
    assert [step.name for step in page.context["steps"]] == ["profile", "people", "documents", "review"]
    assert 'aria-current="step"' in html
    # The other steps are buttons of the profile form: moving there saves what was typed first.
    assert re.search(r'<button[^>]*form="kyb-step-form"[^>]*value="people"', html)
    assert 'id="kyb-step-form"' in html


def test_profile_fields_typed_before_adding_a_person_are_still_there_afterwards(client, company):
    moved = client.post(reverse("issuers:company_profile"), {**PROFILE, "goto": "people"})
    assert _step(moved.url) == "people"

    added = client.post(reverse("issuers:person_add"), {**PERSON, "goto": "people"})
    assert _step(added.url) == "people"
    assert company.people.get().full_name == "Chan Tai Man"

    company.refresh_from_db()
    assert (company.annual_revenue, company.employees, company.years_trading, company.is_green) == (
        Decimal("12000000.00"),
        40,
        6,
        True,
    )
    profile = client.get(KYB + "?step=profile").content.decode()
    assert _value_of(profile, "employees") == "40"
    assert _value_of(profile, "years_trading") == "6"
    assert re.search(r'<input[^>]*name="is_green"[^>]*checked', profile)


def test_a_step_button_saves_the_typed_profile_before_moving(client, company):
    moved = client.post(reverse("issuers:company_profile"), {"employees": "12", "goto": "documents"})
    assert _step(moved.url) == "documents"
    company.refresh_from_db()
    assert company.employees == 12
    assert company.annual_revenue is None  # a draft: the rest may follow later


def test_a_refused_profile_stays_on_its_step_with_everything_typed_and_the_error_in_place(client, company):
    page = client.post(reverse("issuers:company_profile"), {**PROFILE, "employees": "-1", "goto": "people"})
    html = page.content.decode()

    assert page.status_code == 400
    assert page.context["step"] == "profile"
    assert _value_of(html, "annual_revenue") == "12000000"
    assert _value_of(html, "employees") == "-1"
    assert 'id="id_employees_errors"' in html
    assert re.search(
        r'<input[^>]*aria-describedby="id_employees_errors"[^>]*name="employees"', html
    ) or re.search(r'<input[^>]*name="employees"[^>]*aria-describedby="id_employees_errors"', html)
    company.refresh_from_db()
    assert company.annual_revenue is None
    assert company.employees is None


def test_a_refused_person_is_shown_again_with_what_was_typed_and_nothing_added(client, company):
    page = client.post(
        reverse("issuers:person_add"), {**PERSON, "birth_date": "2020-01-01", "goto": "documents"}
    )
    html = page.content.decode()

    assert page.status_code == 400
    assert page.context["step"] == "people"
    assert _value_of(html, "full_name") == "Chan Tai Man"
    assert _value_of(html, "ownership_percent") == "60"
    assert "birth_date" in page.context["person_form"].errors
    assert not Person.objects.exists()
    # The page answers the post's own address: its links to the other steps must lead to the KYB page.
    assert f'href="{KYB}?step=profile"' in html
    assert 'href="?step=' not in html


def test_continuing_from_people_with_an_empty_form_adds_nobody_and_a_typed_person_first(client, company):
    # What a browser sends for the untouched form: its defaults (ownership 0, not a PEP) and blanks.
    empty = {
        "full_name": "",
        "nationality": "",
        "birth_date": "",
        "ownership_percent": "0",
        "pep_status": "not_pep",
        "pep_position": "",
        "pep_country": "",
    }
    moved = client.post(reverse("issuers:person_add"), {**empty, "goto": "documents"})
    assert _step(moved.url) == "documents"
    assert not Person.objects.exists()

    moved = client.post(reverse("issuers:person_add"), {**PERSON, "goto": "documents"})
    assert _step(moved.url) == "documents"
    assert company.people.get().full_name == "Chan Tai Man"


def test_continuing_from_documents_with_nothing_chosen_uploads_nothing(client, company):
    moved = client.post(reverse("issuers:document_upload"), {"kind": "", "goto": "review"})
    assert _step(moved.url) == "review"
    assert not Document.objects.exists()

    upload = SimpleUploadedFile("articles.pdf", PDF, content_type="application/pdf")
    moved = client.post(
        reverse("issuers:document_upload"), {"kind": "articles", "file": upload, "goto": "review"}
    )
    assert _step(moved.url) == "review"
    assert company.documents.get().kind == "articles"


def test_the_review_step_lists_what_is_missing_and_offers_no_submit_until_complete(client, company):
    page = client.get(KYB + "?step=review")
    html = page.content.decode()
    assert "Still needed before you can submit" in html
    assert reverse("issuers:company_submit") not in html


def test_a_complete_file_opens_on_review_and_submits_from_there(client, company):
    client.post(reverse("issuers:company_profile"), PROFILE)
    client.post(reverse("issuers:person_add"), PERSON)
    for kind in ("business_registration", "financial_statements", "articles"):
        upload = SimpleUploadedFile(f"{kind}.pdf", PDF + kind.encode(), content_type="application/pdf")
        client.post(reverse("issuers:document_upload"), {"kind": kind, "file": upload})

    page = client.get(KYB)
    assert page.context["step"] == "review"
    assert all(step.done for step in page.context["steps"][:3])
    html = page.content.decode()
    assert "Chan Tai Man" in html
    assert "Submit for KYB review" in html
    submit = reverse("issuers:company_submit")
    assert re.search(rf'<form[^>]*action="{submit}"[^>]*data-confirm=', html)

    client.post(reverse("issuers:company_submit"), {"from": "kyb"})
    company.refresh_from_db()
    assert company.kyb_status == KybStatus.SUBMITTED
    locked = client.get(KYB + "?step=profile")
    assert locked.context["step"] == "profile"
    assert "can no longer change" in locked.content.decode()
    assert 'id="kyb-step-form"' not in locked.content.decode()


def test_an_early_submit_from_the_review_step_shows_the_reason_there_and_changes_nothing(client, company):
    page = client.post(reverse("issuers:company_submit"), {"from": "kyb"})
    assert page.status_code == 400
    assert page.context["step"] == "review"
    assert "Complete the profile before submitting" in page.content.decode()
    company.refresh_from_db()
    assert company.kyb_status == KybStatus.DRAFT


def test_an_unknown_step_opens_the_first_step_still_open(client, company):
    assert client.get(KYB + "?step=nonsense").context["step"] == "profile"
