"""Pages refuse other scripts' digits, invisible characters and overlong text with a field message."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.urls import reverse

from accounts.choices import Role
from accounts.tests.factories import UserFactory
from financing.choices import OfferingStatus
from financing.tests.test_views import offering_of
from issuers.tests.factories import CompanyFactory
from tests.inputs import COMPANY, KYC, PERSON, PROFILE

MODELS = ["issuers.Company", "issuers.Person", "compliance.InvestorProfile", "compliance.AuditEvent"]

# (who, page, the form in the page context, valid form data, the field, the bad value)
REFUSED = [
    ("new_sme", "issuers:company_edit", "form", COMPANY, "legal_name_en", "Evil\u202eDrones"),
    ("new_sme", "issuers:company_edit", "form", COMPANY, "legal_name_en", "x" * 201),
    ("new_sme", "issuers:company_edit", "form", COMPANY, "registration_number", "\u0667" * 8),
    ("sme", "issuers:company_profile", "profile_form", PROFILE, "employees", "\u0664\u0660"),
    ("sme", "issuers:company_profile", "profile_form", PROFILE, "annual_revenue", "\uff11\uff12"),
    (
        "sme",
        "issuers:person_add",
        "person_form",
        PERSON,
        "birth_date",
        "\u0661\u0669\u0667\u0665-\u0660\u0663-\u0660\u0661",
    ),
    ("sme", "issuers:person_add", "person_form", PERSON, "ownership_percent", "\uff16\uff10"),
    ("sme", "issuers:person_add", "person_form", PERSON, "full_name", "Chan\u2068Tai Man"),
    ("investor", "financing:investor_kyc", "kyc_form", KYC, "legal_name", "\u2066Ivy\u2069 Chan"),
    ("investor", "financing:investor_kyc", "kyc_form", KYC, "declared_portfolio_hkd", "\u0669" * 7),
]


def _counts() -> dict[str, int]:
    return {name: apps.get_model(name).objects.count() for name in MODELS}


@pytest.fixture
def people(db):
    sme = UserFactory(role=Role.SME)
    CompanyFactory(representative=sme)
    return {
        "new_sme": UserFactory(role=Role.SME),
        "sme": sme,
        "investor": UserFactory(role=Role.INVESTOR),
        "operator": UserFactory(role=Role.OPERATOR),
    }


@pytest.mark.parametrize(("who", "page", "form", "data", "field", "bad"), REFUSED)
def test_a_page_refuses_bad_input_with_a_field_message_and_saves_nothing(
    client, people, who, page, form, data, field, bad
):
    client.force_login(people[who])
    before = _counts()

    answer = client.post(reverse(page), {**data, field: bad})

    assert answer.status_code == 400
    assert field in answer.context[form].errors, answer.context[form].errors
    assert _counts() == before


def test_an_overlong_cancel_reason_is_refused_and_the_offering_stays_open(client, people):
    offering = offering_of()
    client.force_login(people["operator"])

    answer = client.post(reverse("financing:offering_cancel", args=[offering.pk]), {"reason": "x" * 2_001})

    assert answer.status_code == 400
    offering.refresh_from_db()
    assert offering.status == OfferingStatus.OPEN
