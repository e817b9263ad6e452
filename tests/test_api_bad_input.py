"""Bad input on every endpoint in scope gets 4xx with field messages, never a 500, and writes nothing."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from django.apps import apps
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.choices import Role
from accounts.tests.factories import UserFactory
from compliance.choices import KycStatus
from compliance.models import InvestorProfile
from financing.choices import ApplicationStatus
from financing.models import Application, Terms
from issuers.choices import KybStatus
from issuers.models import Company
from issuers.selectors import registration_holders
from issuers.tests.factories import CompanyFactory
from tests.inputs import COMPANY, KYC, PERSON, PROFILE

MODELS = [
    "accounts.User",
    "issuers.Company",
    "financing.Application",
    "financing.Terms",
    "financing.Offering",
    "financing.Subscription",
    "financing.Allotment",
    "compliance.InvestorProfile",
    "tokens.ChainTransaction",
    "tokens.Wallet",
]


def _counts() -> dict[str, int]:
    return {name: apps.get_model(name).objects.count() for name in MODELS}


def _client_for(user) -> Client:
    client = Client(enforce_csrf_checks=False)
    client.force_login(user)
    return client


def _post(client: Client, url: str, payload, method: str = "post"):
    body = payload if isinstance(payload, str | bytes) else json.dumps(payload)
    return getattr(client, method)(url, data=body, content_type="application/json")


@pytest.fixture
def actors(db):
    sme = UserFactory(role=Role.SME)
    company = CompanyFactory(representative=sme, kyb_status=KybStatus.DRAFT)
    verified_sme = UserFactory(role=Role.SME)
    verified = CompanyFactory(representative=verified_sme, kyb_status=KybStatus.DRAFT)
    # A verified company needs a wallet; make one without the chain.
    from tokens.choices import WalletKind
    from tokens.services import wallet_create

    verified.wallet = wallet_create(kind=WalletKind.ISSUER, label="issuer")
    verified.kyb_status = KybStatus.VERIFIED
    verified.save()
    application = Application.objects.create(
        company=verified,
        instrument="bond",
        title="Notes",
        target_amount=100000,
        minimum_amount=10000,
        use_of_proceeds="capex",
        status=ApplicationStatus.SUBMITTED,
    )
    Terms.objects.create(
        application=application,
        unit_price=1000,
        annual_rate="0.05",
        frequency="annual",
        start_date=date.today(),
        maturity_date=date.today() + timedelta(days=730),
    )
    investor = UserFactory(role=Role.INVESTOR)
    profile = InvestorProfile.objects.create(
        user=investor,
        investor_type="individual",
        legal_name="Ivy",
        country="HK",
        id_document_number="A1",
        declared_portfolio_hkd=10,
        kyc_status=KycStatus.SUBMITTED,
    )
    return {
        "sme": sme,
        "company": company,
        "verified_sme": verified_sme,
        "application": application,
        "investor": investor,
        "profile": profile,
        "officer": UserFactory(role=Role.OFFICER),
        "operator": UserFactory(role=Role.OPERATOR),
    }


GOOD_BOND = {
    "title": "Notes",
    "currency": "HKD",
    "target_amount": "100000.00",
    "minimum_amount": "10000.00",
    "use_of_proceeds": "capex",
    "instrument": "bond",
    "unit_price": "1000.00",
    "annual_rate": "0.05",
    "frequency": "annual",
    "start_date": "2027-01-04",
    "maturity_date": "2029-01-04",
}


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"target_amount": "-5"}, "target_amount"),
        ({"target_amount": "abc"}, "target_amount"),
        ({"target_amount": "100000.001"}, "target_amount"),
        ({"target_amount": "1e40"}, "target_amount"),
        ({"minimum_amount": "200000.00"}, "minimum_amount"),
        ({"target_amount": "100500.00"}, "target_amount"),
        ({"annual_rate": "1.5"}, "annual_rate"),
        ({"annual_rate": "abc"}, "annual_rate"),
        ({"frequency": "weekly"}, "frequency"),
        ({"maturity_date": "2026-01-01"}, "maturity_date"),
        ({"maturity_date": "2029-02-30"}, "maturity_date"),
        ({"maturity_date": "2099-01-01"}, "maturity_date"),
        ({"currency": "EUR"}, "currency"),
        ({"title": ""}, "title"),
        ({"use_of_proceeds": "   "}, "use_of_proceeds"),
        ({"unit_price": "0"}, "unit_price"),
    ],
)
def test_a_bad_bond_application_gets_a_field_message_and_writes_nothing(actors, change, field):
    client = _client_for(actors["verified_sme"])
    before = _counts()

    response = _post(client, "/api/v1/applications/", {**GOOD_BOND, **change})

    assert response.status_code == 400, response.content
    assert field in response.json()
    assert _counts() == before


def test_an_sme_without_kyb_cannot_apply(actors):
    before = _counts()
    response = _post(_client_for(actors["sme"]), "/api/v1/applications/", GOOD_BOND)
    assert response.status_code == 400
    assert "KYB" in response.json()["detail"]
    assert _counts() == before


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        (
            {"email": "not-an-email", "password": "a-long-pass-phrase-1", "full_name": "A", "role": "sme"},
            "email",
        ),
        ({"email": "a@b.hk", "password": "short", "full_name": "A", "role": "sme"}, "password"),
        ({"email": "a@b.hk", "password": "12345678901234", "full_name": "A", "role": "sme"}, "password"),
        (
            {"email": "a@b.hk", "password": "a-long-pass-phrase-1", "full_name": "A", "role": "operator"},
            "role",
        ),
        (
            {"email": "a@b.hk", "password": "a-long-pass-phrase-1", "full_name": "   ", "role": "sme"},
            "full_name",
        ),
        ({"email": "a@b.hk", "password": "a-long-pass-phrase-1", "role": "sme"}, "full_name"),
    ],
)
def test_bad_signups_are_refused_with_field_messages(db, payload, field):
    before = _counts()
    response = _post(Client(), "/api/v1/auth/signup/", payload)
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert _counts() == before


def test_signing_up_twice_with_one_email_makes_one_account_and_answers_alike(db):
    payload = {
        "email": "Ann@Example.hk",
        "password": "a-long-pass-phrase-1",
        "full_name": "Ann",
        "role": "sme",
    }
    first = _post(Client(), "/api/v1/auth/signup/", payload)
    again = _post(Client(), "/api/v1/auth/signup/", {**payload, "email": "ann@example.HK"})
    assert (first.status_code, first.json()) == (again.status_code, again.json())
    assert first.status_code == 202
    assert _counts()["accounts.User"] == 1


def test_wrong_password_is_a_400_not_a_session(db):
    UserFactory(email="ivy@example.hk")
    response = _post(Client(), "/api/v1/auth/login/", {"email": "ivy@example.hk", "password": "nope"})
    assert response.status_code == 400
    assert "password" in response.json()


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        (
            {
                "legal_name_en": "",
                "jurisdiction": "HK",
                "registration_number": "1",
                "industry": "electronics",
            },
            "legal_name_en",
        ),
        (
            {
                "legal_name_en": "A",
                "jurisdiction": "SG",
                "registration_number": "1",
                "industry": "electronics",
            },
            "jurisdiction",
        ),
        (
            {
                "legal_name_en": "A",
                "jurisdiction": "HK",
                "registration_number": "",
                "industry": "electronics",
            },
            "registration_number",
        ),
    ],
)
def test_bad_company_profiles_are_refused(actors, payload, field):
    before = _counts()
    response = _post(_client_for(actors["sme"]), "/api/v1/company/", payload, method="put")
    assert response.status_code == 400
    assert field in response.json()
    assert _counts() == before


def test_another_accounts_registration_number_is_accepted_and_flagged_for_compliance(actors):
    taken = actors["company"]
    other = UserFactory(role=Role.SME)
    response = _post(
        _client_for(other),
        "/api/v1/company/",
        {
            "legal_name_en": "The Real Company Ltd",
            "jurisdiction": taken.jurisdiction,
            "registration_number": taken.registration_number,
            "industry": "electronics",
        },
        method="put",
    )
    assert response.status_code == 200, response.content
    claimant = Company.objects.get(representative=other)
    assert list(registration_holders(claimant)) == [taken]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        (
            {
                "investor_type": "family_office",
                "legal_name": "A",
                "country": "HK",
                "residency": "HK",
                "id_document_number": "1",
                "declared_portfolio_hkd": "1",
            },
            "investor_type",
        ),
        (
            {
                "investor_type": "individual",
                "legal_name": "A",
                "country": "XX",
                "residency": "HK",
                "id_document_number": "1",
                "declared_portfolio_hkd": "1",
            },
            "country",
        ),
        (
            {
                "investor_type": "individual",
                "legal_name": "A",
                "country": "HK",
                "residency": "HK",
                "id_document_number": "1",
                "declared_portfolio_hkd": "-1",
            },
            "declared_portfolio_hkd",
        ),
    ],
)
def test_bad_kyc_submissions_are_refused(db, payload, field):
    investor = UserFactory(role=Role.INVESTOR)
    before = _counts()
    response = _post(_client_for(investor), "/api/v1/kyc/", payload)
    assert response.status_code == 400
    assert field in response.json()
    assert _counts() == before


def test_a_decision_without_a_reason_is_refused_and_changes_nothing(actors):
    officer = _client_for(actors["officer"])
    response = _post(officer, f"/api/v1/kyc/{actors['profile'].pk}/decision/", {"approve": False})
    assert response.status_code == 400
    assert "reason" in response.json()
    actors["profile"].refresh_from_db()
    assert actors["profile"].kyc_status == KycStatus.SUBMITTED

    response = _post(
        officer, f"/api/v1/applications/{actors['application'].pk}/decision/", {"decision": "reject"}
    )
    assert response.status_code == 400
    actors["application"].refresh_from_db()
    assert actors["application"].status == ApplicationStatus.SUBMITTED


def test_an_approval_closing_in_the_past_is_refused(actors):
    response = _post(
        _client_for(actors["officer"]),
        f"/api/v1/applications/{actors['application'].pk}/decision/",
        {"decision": "approve", "closes_at": "2020-01-01T00:00:00Z"},
    )
    assert response.status_code == 400
    assert "closes_at" in response.json()
    actors["application"].refresh_from_db()
    assert actors["application"].status == ApplicationStatus.SUBMITTED


@pytest.mark.parametrize(
    ("role", "method", "url"),
    [
        ("investor", "post", "/api/v1/applications/{application}/decision/"),
        ("sme", "post", "/api/v1/kyc/{profile}/decision/"),
        ("investor", "post", "/api/v1/offerings/1/open/"),
        ("sme", "post", "/api/v1/offerings/1/subscriptions/"),
        ("officer", "get", "/api/v1/chain/status/"),
        ("investor", "get", "/api/v1/audit/verify/"),
    ],
)
def test_each_role_is_refused_other_roles_endpoints(actors, role, method, url):
    client = _client_for(actors[role])
    path = url.format(application=actors["application"].pk, profile=actors["profile"].pk)
    response = client.get(path) if method == "get" else _post(client, path, {})
    assert response.status_code == 403


def test_other_users_objects_are_not_found(actors):
    response = _client_for(actors["sme"]).get(f"/api/v1/applications/{actors['application'].pk}/")
    assert response.status_code == 404


def test_anonymous_requests_are_refused(db):
    assert Client().get("/api/v1/applications/").status_code == 403


JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=10), inner, max_size=3),
    max_leaves=6,
)

ENDPOINTS = [
    ("sme", "post", "/api/v1/applications/", list(GOOD_BOND)),
    (
        "sme",
        "put",
        "/api/v1/company/",
        ["legal_name_en", "legal_name_zh", "jurisdiction", "registration_number", "industry"],
    ),
    (
        "investor",
        "post",
        "/api/v1/kyc/",
        [
            "investor_type",
            "legal_name",
            "country",
            "residency",
            "id_document_number",
            "declared_portfolio_hkd",
        ],
    ),
    (
        "officer",
        "post",
        "/api/v1/applications/{application}/decision/",
        ["decision", "reason", "closes_at", "professional_investors_only"],
    ),
    ("officer", "post", "/api/v1/kyc/{profile}/decision/", ["approve", "reason"]),
    ("officer", "post", "/api/v1/kyb/{company}/decision/", ["approve", "reason"]),
    ("investor", "post", "/api/v1/offerings/999/subscriptions/", ["units"]),
    ("investor", "post", "/api/v1/faucet/", ["amount"]),
    (None, "post", "/api/v1/auth/signup/", ["email", "password", "full_name", "role"]),
    (
        "investor",
        "post",
        "/api/v1/schedules/preview/",
        [
            "instrument",
            "currency",
            "principal",
            "annual_rate",
            "start_date",
            "maturity_date",
            "term_months",
            "frequency",
            "amortization",
            "grace_periods",
            "day_count",
            "business_day_convention",
            "calendar",
            "residual_value",
            "payment_timing",
        ],
    ),
    (
        "sme",
        "put",
        "/api/v1/company/profile/",
        [
            "annual_revenue",
            "employees",
            "years_trading",
            "srdi_tier",
            "srdi_valid_from",
            "srdi_valid_until",
            "is_green",
        ],
    ),
    (
        "sme",
        "post",
        "/api/v1/company/people/",
        [
            "full_name",
            "nationality",
            "residency",
            "birth_date",
            "is_director",
            "is_beneficial_owner",
            "ownership_percent",
        ],
    ),
    (None, "post", "/api/v1/auth/login/", ["email", "password"]),
]


@pytest.mark.parametrize(("role", "method", "url", "fields"), ENDPOINTS)
def test_random_payloads_never_cause_a_server_error(actors, role, method, url, fields):
    client = _client_for(actors[role]) if role else Client()
    path = url.format(
        application=actors["application"].pk, profile=actors["profile"].pk, company=actors["company"].pk
    )

    @settings(
        max_examples=40,
        deadline=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.function_scoped_fixture],
    )
    @given(
        payload=st.one_of(
            st.fixed_dictionaries({}, optional=dict.fromkeys(fields, JSONISH)),
            JSONISH,
            st.binary(max_size=20),
        )
    )
    def check(payload):
        response = _post(client, path, payload, method=method)
        assert response.status_code < 500, (payload, response.content[:300])

    check()


def test_an_approval_while_the_chain_is_down_is_a_503_and_changes_nothing(platform, settings):
    officer = UserFactory(role=Role.OFFICER)
    investor = UserFactory(role=Role.INVESTOR)
    profile = InvestorProfile.objects.create(
        user=investor,
        investor_type="individual",
        legal_name="Ivy",
        country="HK",
        id_document_number="A1",
        declared_portfolio_hkd=9_000_000,
        kyc_status=KycStatus.SUBMITTED,
    )
    before = _counts()
    settings.CHAIN_RPC_URL = "http://127.0.0.1:9"  # nothing listens there

    response = _post(_client_for(officer), f"/api/v1/kyc/{profile.pk}/decision/", {"approve": True})

    assert response.status_code == 503
    assert "nothing was changed" in response.json()["detail"]
    profile.refresh_from_db()
    assert profile.kyc_status == KycStatus.SUBMITTED
    assert profile.wallet is None
    assert _counts() == before


ARABIC_12 = "\u0661\u0662"  # 12 in Arabic-Indic digits
FULL_WIDTH_12 = "\uff11\uff12"  # 12 in full-width digits
ARABIC_DATE = "\u0661\u0669\u0668\u0660-\u0660\u0661-\u0660\u0661"  # 1980-01-01 in Arabic-Indic digits
PREVIEW = {
    "instrument": "loan",
    "currency": "HKD",
    "principal": "100000",
    "annual_rate": "0.05",
    "start_date": "2027-01-04",
    "term_months": 12,
    "frequency": "monthly",
}
# (who, method, url, a valid payload, the field, the bad value)
REFUSED_INPUT = [
    ("sme", "put", "/api/v1/company/profile/", PROFILE, "employees", ARABIC_12),
    ("sme", "put", "/api/v1/company/profile/", PROFILE, "years_trading", FULL_WIDTH_12),
    ("sme", "put", "/api/v1/company/profile/", PROFILE, "annual_revenue", ARABIC_12),
    ("sme", "put", "/api/v1/company/", COMPANY, "registration_number", "\u0661" * 8),
    ("sme", "post", "/api/v1/company/people/", PERSON, "ownership_percent", ARABIC_12),
    ("sme", "post", "/api/v1/company/people/", PERSON, "birth_date", ARABIC_DATE),
    ("investor", "post", "/api/v1/kyc/", KYC, "declared_portfolio_hkd", ARABIC_12),
    ("investor", "post", "/api/v1/offerings/999/subscriptions/", {}, "units", ARABIC_12),
    ("investor", "post", "/api/v1/offerings/999/subscriptions/", {}, "units", FULL_WIDTH_12),
    ("investor", "post", "/api/v1/faucet/", {}, "amount", ARABIC_12),
    ("verified_sme", "post", "/api/v1/applications/", GOOD_BOND, "target_amount", "\u0661" + "0" * 5),
    ("verified_sme", "post", "/api/v1/applications/", GOOD_BOND, "annual_rate", "0.0\u0665"),
    ("verified_sme", "post", "/api/v1/applications/", GOOD_BOND, "start_date", ARABIC_DATE),
    ("investor", "post", "/api/v1/schedules/preview/", PREVIEW, "principal", "\u0661" + "0" * 5),
    ("investor", "post", "/api/v1/schedules/preview/", PREVIEW, "term_months", ARABIC_12),
    # Invisible characters in names and free text shown to compliance.
    ("sme", "put", "/api/v1/company/", COMPANY, "legal_name_en", "Evil\u202eCorp"),
    ("sme", "put", "/api/v1/company/", COMPANY, "legal_name_zh", "南沙\u2067電池"),
    ("sme", "post", "/api/v1/company/people/", PERSON, "full_name", "Li\u200fWei"),
    ("sme", "post", "/api/v1/company/people/", PERSON, "full_name", "Li\u061cWei"),
    ("sme", "post", "/api/v1/company/people/", PERSON, "full_name", "Li\u200bWei"),
    ("investor", "post", "/api/v1/kyc/", KYC, "legal_name", "\u2066Ivy\u2069 Chan"),
    ("investor", "post", "/api/v1/kyc/", KYC, "id_document_number", "A123\u202a4567"),
    ("verified_sme", "post", "/api/v1/applications/", GOOD_BOND, "title", "Notes\u202d2029"),
    ("verified_sme", "post", "/api/v1/applications/", GOOD_BOND, "use_of_proceeds", "capex\u0007"),
    (
        None,
        "post",
        "/api/v1/auth/signup/",
        {"email": "new@example.hk", "password": "a-long-pass-phrase-1", "role": "sme"},
        "full_name",
        "Ann\u202eLee",
    ),
    # Length limits.
    ("verified_sme", "post", "/api/v1/applications/", GOOD_BOND, "use_of_proceeds", "x" * 5_001),
    ("verified_sme", "post", "/api/v1/applications/", GOOD_BOND, "title", "x" * 201),
    ("officer", "post", "/api/v1/kyc/{profile}/decision/", {"approve": False}, "reason", "x" * 2_001),
    ("officer", "post", "/api/v1/kyb/{company}/decision/", {"approve": False}, "reason", "x" * 2_001),
    (
        "officer",
        "post",
        "/api/v1/applications/{application}/decision/",
        {"decision": "reject"},
        "reason",
        "x" * 2_001,
    ),
]


@pytest.mark.parametrize(("role", "method", "url", "payload", "field", "bad"), REFUSED_INPUT)
def test_foreign_digits_invisible_characters_and_overlong_text_are_refused(
    actors, role, method, url, payload, field, bad
):
    client = _client_for(actors[role]) if role else Client()
    path = url.format(
        application=actors["application"].pk, profile=actors["profile"].pk, company=actors["company"].pk
    )
    before = _counts()

    response = _post(client, path, {**payload, field: bad}, method=method)

    assert response.status_code == 400, response.content
    assert field in response.json(), response.json()
    assert _counts() == before


def test_the_field_message_says_what_is_wrong(actors):
    client = _client_for(actors["sme"])
    digits = _post(client, "/api/v1/company/profile/", {**PROFILE, "employees": ARABIC_12}, method="put")
    assert digits.json()["employees"] == ["Type numbers and dates with the digits 0-9 only."]
    hidden = _post(client, "/api/v1/company/", {**COMPANY, "legal_name_en": "Evil\u202eCorp"}, method="put")
    assert "RIGHT-TO-LEFT OVERRIDE (U+202E)" in hidden.json()["legal_name_en"][0]
    company = Company.objects.get(pk=actors["company"].pk)
    assert (company.employees, company.legal_name_en) == (None, actors["company"].legal_name_en)


def test_multi_line_text_and_chinese_names_are_accepted(actors):
    response = _post(
        _client_for(actors["verified_sme"]),
        "/api/v1/applications/",
        {
            **GOOD_BOND,
            "title": "南沙電池 6.5% 債券",
            "use_of_proceeds": "Two lines:\r\n\tmachines\nand stock",
        },
    )
    assert response.status_code == 201, response.content
    assert Application.objects.get(pk=response.json()["id"]).use_of_proceeds.count("\n") == 2
