"""Investor KYC with evidence: thresholds by type, evidence windows, PI only once verified, and the chain
following the evidence (stale, renewed, revoked), read back from the identity registry and the token."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import Client
from django.utils import timezone

from accounts.choices import Role
from accounts.tests.factories import UserFactory
from compliance.cases.choices import AlertKind, CaseKind
from compliance.cases.evidence import case_checks, case_documents
from compliance.cases.models import Case
from compliance.choices import InvestorClass, KycStatus
from compliance.kyc import evidence_stale_on, pi_assessment, pi_threshold
from compliance.models import AuditEvent, InvestorDocument, InvestorPerson, InvestorProfile
from compliance.screening.parties import investor_parties, registered_parties
from compliance.services import (
    investor_document_remove,
    investor_document_upload,
    investor_kyc_decide,
    investor_kyc_revoke,
    investor_kyc_submit,
    investor_person_save,
    kyc_evidence_sweep,
)
from config.errors import Conflict, ValidationFailed
from config.i18n import day_text
from financing.agreements import accepted_versions
from financing.demo import complete_investor_evidence, sample_pdf
from financing.schedules.dates import add_months
from financing.services import subscription_create
from issuers.choices import Residency
from tests import flows
from tokens import chain as tokens_chain
from tokens.choices import ContractKind
from tokens.selectors import platform_contract

TODAY = date(2026, 6, 15)


def _profile(investor_type: str, portfolio: str, assets: str = "0") -> InvestorProfile:
    return InvestorProfile(
        investor_type=investor_type,
        declared_portfolio_hkd=Decimal(portfolio),
        total_assets_hkd=Decimal(assets),
        claims_professional=True,
    )


@pytest.mark.parametrize(
    ("investor_type", "portfolio", "assets", "met"),
    [
        ("individual", "7999999.99", "0", False),
        ("individual", "8000000", "0", True),
        ("individual", "0", "90000000", False),  # an individual's total assets do not count
        ("corporate", "7999999.99", "39999999.99", False),
        ("corporate", "8000000", "0", True),
        ("corporate", "0", "40000000", True),
        ("trust", "9000000", "39999999.99", False),  # a trust corporation counts total assets only
        ("trust", "0", "40000000", True),
    ],
)
def test_the_threshold_depends_on_the_investor_type(investor_type, portfolio, assets, met):
    assert pi_threshold(_profile(investor_type, portfolio, assets)).met is met


@pytest.mark.parametrize(
    ("evidence_type", "months"),
    [("statement", 12), ("auditor_certificate", 12), ("audited_accounts", 16), ("other", 12)],
)
def test_evidence_holds_12_or_16_months_from_its_date(evidence_type, months):
    document = InvestorDocument(kind="pi_evidence", evidence_type=evidence_type, document_date=TODAY)
    stale_on = evidence_stale_on(document)
    assert stale_on == add_months(TODAY, months, end_of_month=False)
    profile = _profile("individual", "8000000")
    for day, in_date in ((stale_on - timedelta(days=1), True), (stale_on, False)):
        found = pi_assessment(profile, on=day, documents=[document])
        assert found.evidence_in_date is in_date, (evidence_type, day)
        assert found.verifiable is in_date


def test_a_verified_status_lasts_until_the_earlier_of_evidence_and_approval(db):
    profile = flows.submitted_investor(evidence_date=timezone.localdate() - timedelta(days=300))
    found = pi_assessment(profile, on=timezone.localdate())
    today = timezone.localdate()
    assert found.valid_until(today) == add_months(today - timedelta(days=300), 12, end_of_month=False)
    fresh = flows.submitted_investor(evidence_date=today)
    assert pi_assessment(fresh, on=today).valid_until(today) == add_months(today, 12, end_of_month=False)


def _counts() -> dict[str, int]:
    return {
        "profiles": InvestorProfile.objects.count(),
        "documents": InvestorDocument.objects.count(),
        "people": InvestorPerson.objects.count(),
        "cases": Case.objects.count(),
        "audit": AuditEvent.objects.count(),
    }


def _stored_files(path: str = "investors") -> list[str]:
    if not default_storage.exists(path):
        return []
    folders, files = default_storage.listdir(path)
    return sorted(
        [f"{path}/{name}" for name in files] + [f for d in folders for f in _stored_files(f"{path}/{d}")]
    )


def _file(content: bytes, name: str = "scan.pdf") -> ContentFile[bytes]:
    upload = ContentFile(content)
    upload.name = name
    return upload


def test_bad_uploads_are_refused_with_nothing_stored(db):
    investor = UserFactory(role=Role.INVESTOR)
    complete_investor_evidence(investor, legal_name="Ivy Wong", portfolio=Decimal("9000000"))
    before, files = _counts(), _stored_files()
    future = timezone.localdate() + timedelta(days=1)
    for kwargs, field in [
        ({"kind": "identity", "upload": _file(b"MZ\x90\x00 not a pdf")}, "file"),
        ({"kind": "identity", "upload": _file(b"")}, "file"),
        ({"kind": "passport_photo", "upload": sample_pdf("x")}, "kind"),
        (
            {"kind": "pi_evidence", "upload": sample_pdf("no date"), "evidence_type": "statement"},
            "document_date",
        ),
        ({"kind": "pi_evidence", "upload": sample_pdf("no type"), "document_date": TODAY}, "evidence_type"),
        (
            {
                "kind": "pi_evidence",
                "upload": sample_pdf("t"),
                "evidence_type": "statement",
                "document_date": future,
            },
            "document_date",
        ),
    ]:
        with pytest.raises(ValidationFailed) as refused:
            investor_document_upload(user=investor, **kwargs)
        assert field in refused.value.fields, (kwargs, refused.value.fields)
    assert _counts() == before
    assert _stored_files() == files


def test_submission_lists_what_is_missing_and_refuses_a_claim_below_the_threshold(db):
    investor = UserFactory(role=Role.INVESTOR)
    details = {
        "investor_type": "corporate",
        "legal_name": "Kowloon Holdings Limited",
        "country": "HK",
        "residency": "HK",
        "id_document_number": "12345678",
        "declared_portfolio_hkd": Decimal("7999999.99"),
        "total_assets_hkd": Decimal("39999999.99"),
        "claims_professional": True,
    }
    before = _counts()
    with pytest.raises(ValidationFailed) as refused:
        investor_kyc_submit(user=investor, **details)
    for item in (
        "certificate of incorporation",
        "proof of address",
        "professional-investor evidence",
        "director",
    ):
        assert item in refused.value.message
    assert _counts() == before  # not even the details: the submission is one transaction

    complete_investor_evidence(
        investor,
        legal_name="Kowloon Holdings Limited",
        portfolio=Decimal("8000000"),
        investor_type="corporate",
    )
    profile = InvestorProfile.objects.get(user=investor)
    profile.declared_portfolio_hkd = Decimal("7999999.99")
    profile.save()
    with pytest.raises(ValidationFailed) as refused:
        investor_kyc_submit(user=investor)
    assert "claims_professional" in refused.value.fields
    profile.refresh_from_db()
    assert profile.kyc_status == KycStatus.DRAFT


def test_people_are_for_organisations_and_are_screened_with_the_investor(db):
    individual = UserFactory(role=Role.INVESTOR)
    complete_investor_evidence(individual, legal_name="Ivy Wong", portfolio=Decimal("100"))
    with pytest.raises(ValidationFailed):
        investor_person_save(
            user=individual,
            full_name="Someone",
            nationality="HK",
            residency=Residency.HONG_KONG,
            birth_date=date(1980, 1, 1),
            is_director=True,
            is_beneficial_owner=False,
            ownership_percent=Decimal("0"),
        )
    corporate = flows.corporate_investor_draft()
    person = corporate.people.get()
    parties = list(investor_parties(corporate))
    assert [p.ref for p in parties] == [
        f"compliance.investorprofile:{corporate.pk}",
        f"compliance.investorperson:{person.pk}",
    ]
    assert parties[1].birth_year == 1975
    assert parties[1].entity_type == "individual"
    assert f"compliance.investorperson:{person.pk}" in {p.ref for p in registered_parties()}


def test_a_document_can_be_removed_until_it_is_submitted(db):
    profile = flows.submitted_investor()
    document = profile.documents.first()
    officer = flows.officer()
    investor_kyc_decide(actor=officer, profile=profile, approve=False, reason="Blurred scan")
    with pytest.raises(Conflict):
        investor_document_remove(user=profile.user, document_id=document.pk)
    fresh = investor_document_upload(user=profile.user, kind="identity", upload=sample_pdf("sharper scan"))
    investor_document_remove(user=profile.user, document_id=fresh.pk)
    assert not InvestorDocument.objects.filter(pk=fresh.pk).exists()
    assert InvestorDocument.objects.filter(pk=document.pk).exists()


def test_pi_is_shown_only_once_verified_and_the_case_shows_the_evidence(platform, client):
    evidence_date = timezone.localdate() - timedelta(days=40)
    profile = flows.submitted_investor(evidence_date=evidence_date)
    assert not profile.is_professional
    assert profile.professional_status == "Professional investor (claimed, not yet verified)"
    client.force_login(profile.user)
    page = client.get("/financing/investor/kyc/").content.decode()
    assert "claimed, not yet verified" in page
    assert "Professional investor until" not in page

    case = Case.objects.get(kind=CaseKind.KYC, investor=profile)
    checks = {c.name: c for c in case_checks(case)}
    assert checks["PI threshold"].status == "passed"
    assert checks["PI evidence date"].status == "passed"
    stale_on = add_months(evidence_date, 12, end_of_month=False)
    assert f"Evidence goes stale on {stale_on:%d %b %Y}" in checks["PI evidence date"].details
    shown = case_documents(case)
    assert {d.kind for d in shown} == {"identity", "address", "pi_evidence"}
    officer = flows.officer()
    staff = Client()
    staff.force_login(officer)
    inline = staff.get(shown[0].url)
    assert inline.status_code == 200
    assert inline["Content-Type"] == "application/pdf"
    assert inline["Content-Disposition"].startswith("inline")
    assert client.get(shown[0].url).status_code == 403  # the investor is not staff

    investor_kyc_decide(actor=officer, profile=profile, approve=True, reason="Statement seen")
    profile.refresh_from_db()
    assert profile.is_professional
    assert profile.pi_valid_until == stale_on
    assert profile.professional_status == f"Professional investor until {day_text(stale_on)}"
    assert (
        f"Professional investor until {day_text(stale_on)}"
        in client.get("/financing/investor/").content.decode()
    )


def test_stale_evidence_at_approval_makes_a_retail_investor(platform):
    profile = flows.submitted_investor(evidence_date=timezone.localdate() - timedelta(days=400))
    case = Case.objects.get(kind=CaseKind.KYC, investor=profile)
    checks = {c.name: c for c in case_checks(case)}
    assert checks["PI evidence date"].status == "failed"
    assert any(f["code"] == "pi_evidence" for f in case.risk_factors)
    investor_kyc_decide(actor=flows.officer(), profile=profile, approve=True, reason="Identity fine")
    profile.refresh_from_db()
    assert (profile.kyc_status, profile.is_professional, profile.pi_valid_until) == (
        KycStatus.APPROVED,
        False,
        None,
    )
    assert profile.professional_status == "Retail: professional-investor claim not verified"


# --- on chain ---------------------------------------------------------------------------------------


def _registry_identity(wallet: str) -> tuple[int, int, int]:
    registry = platform_contract(ContractKind.IDENTITY_REGISTRY)
    country, classes, expiry = tokens_chain.call(
        "IdentityRegistry", registry.address, "identityOf", tokens_chain.to_checksum(wallet)
    )
    return int(country), int(classes), int(expiry)


def _can_mint(token: str, wallet: str) -> int:
    return int(tokens_chain.call("SecurityToken", token, "canMint", tokens_chain.to_checksum(wallet), 1))


def _expiry_of(day: date) -> int:
    return int(timezone.make_aware(datetime.combine(day, datetime.min.time())).timestamp())


def test_stale_evidence_lapses_pi_on_chain_and_renewal_restores_it(platform, mailoutbox):
    officer = flows.officer()
    company = flows.verified_company(by=officer)
    offering = flows.open_offering(
        company=company, by=officer, opener=flows.operator(), professional_only=True
    )
    token = offering.token.address
    today = timezone.localdate()
    # Evidence dated so that it goes stale tomorrow.
    evidence_date = add_months(today, -12, end_of_month=False) + timedelta(days=1)
    profile = flows.submitted_investor(evidence_date=evidence_date)
    investor_kyc_decide(actor=officer, profile=profile, approve=True, reason="ok")
    profile = flows.profile_of(profile.user)
    wallet = profile.wallet.address
    tomorrow = today + timedelta(days=1)
    assert profile.pi_valid_until == tomorrow
    assert _registry_identity(wallet) == (
        344,
        int(InvestorClass.PROFESSIONAL),
        _expiry_of(profile.kyc_valid_until),
    )
    assert _can_mint(token, wallet) == 0

    # The day before: compliance gets an "expiring" alert and the investor one reminder.
    assert kyc_evidence_sweep(today=today)["reminded"] == 1
    assert kyc_evidence_sweep(today=today)["reminded"] == 0
    assert Case.objects.filter(alert_kind=AlertKind.EVIDENCE_EXPIRING, investor=profile).count() == 1
    # (the investor's other emails are notifications, such as the KYC approval)
    reminders = [m for m in mailoutbox if profile.user.email in m.to and "lapses on" in m.subject]
    assert len(reminders) == 1
    assert f"lapses on {day_text(tomorrow)}" in reminders[0].subject

    # The day it goes stale: retail, PI bit cleared on chain, the token refuses mints to the wallet.
    assert kyc_evidence_sweep(today=tomorrow)["lapsed"] == 1
    profile = flows.profile_of(profile.user)
    assert not profile.is_professional
    assert Case.objects.filter(alert_kind=AlertKind.EVIDENCE_STALE, investor=profile).count() == 1
    assert any("expired" in m.subject for m in mailoutbox if profile.user.email in m.to)
    country, classes, expiry = _registry_identity(wallet)
    assert (country, expiry) == (344, _expiry_of(profile.kyc_valid_until))
    assert classes & InvestorClass.PROFESSIONAL == 0
    assert classes & InvestorClass.RETAIL
    assert _can_mint(token, wallet) != 0
    with pytest.raises(ValidationFailed) as refused:
        subscription_create(user=profile.user, offering_id=offering.pk, units=1, **accepted_versions())
    assert f"professional-investor evidence expired on {day_text(tomorrow)}" in refused.value.message
    assert "upload new evidence" in refused.value.message

    # Renewal: new evidence, a new case, approval: the PI bit and a new expiry are back on chain.
    investor_document_upload(
        user=profile.user,
        kind="pi_evidence",
        evidence_type="audited_accounts",
        document_date=today - timedelta(days=10),
        upload=sample_pdf("audited accounts 2026"),
    )
    investor_kyc_submit(user=profile.user)
    assert Case.objects.filter(kind=CaseKind.KYC, investor=profile).count() == 2
    investor_kyc_decide(actor=officer, profile=profile, approve=True, reason="Renewed")
    profile = flows.profile_of(profile.user)
    assert profile.is_professional
    assert profile.pi_valid_until == add_months(today, 12, end_of_month=False)  # the approval ends first
    assert _registry_identity(wallet) == (
        344,
        int(InvestorClass.PROFESSIONAL),
        _expiry_of(profile.kyc_valid_until),
    )
    assert _can_mint(token, wallet) == 0


def test_revoking_kyc_removes_the_identity_on_chain_and_refuses_subscriptions(platform):
    officer = flows.officer()
    company = flows.verified_company(by=officer)
    offering = flows.open_offering(
        company=company, by=officer, opener=flows.operator(), professional_only=False
    )
    investor = flows.approved_investor(by=officer, funds=Decimal("5000"))
    profile = flows.profile_of(investor)
    wallet = profile.wallet.address
    assert _registry_identity(wallet)[0] == 344
    staff = Client()
    staff.force_login(officer)

    def revoke(body: dict) -> int:
        url = f"/api/v1/kyc/{profile.pk}/revoke/"
        return staff.post(url, json.dumps(body), content_type="application/json").status_code

    before = _counts()
    assert revoke({"reason": ""}) == 400
    assert _counts() == before
    assert flows.profile_of(investor).kyc_status == KycStatus.APPROVED

    assert revoke({"reason": "Identity document reported stolen"}) == 200
    profile = flows.profile_of(investor)
    assert profile.kyc_status == KycStatus.REVOKED
    assert _registry_identity(wallet) == (0, 0, 0)
    token = offering.token.address
    assert _can_mint(token, wallet) != 0
    with pytest.raises(ValidationFailed) as refused:
        subscription_create(user=investor, offering_id=offering.pk, units=1, **accepted_versions())
    assert "revoked" in refused.value.message
    assert "Identity document reported stolen" in refused.value.message
    with pytest.raises(Conflict):
        investor_kyc_revoke(actor=officer, profile_id=profile.pk, reason="again")

    # Submitting again and being approved registers the identity anew.
    investor_kyc_submit(user=investor)
    investor_kyc_decide(actor=officer, profile=profile, approve=True, reason="Replaced document verified")
    profile = flows.profile_of(investor)
    assert _registry_identity(wallet) == (
        344,
        int(InvestorClass.PROFESSIONAL),
        _expiry_of(profile.kyc_valid_until),
    )
    assert profile.can_subscribe


def test_the_kyc_api_saves_uploads_removes_and_submits(db):
    investor = UserFactory(role=Role.INVESTOR)
    client = Client()
    client.force_login(investor)

    def call(method: str, path: str, body: dict | None = None):
        return client.generic(method, f"/api/v1/{path}", json.dumps(body or {}), "application/json")

    details = {
        "investor_type": "trust",
        "legal_name": "Harbour Trustees Limited",
        "country": "HK",
        "residency": "HK",
        "id_document_number": "87654321",
        "declared_portfolio_hkd": "0",
        "total_assets_hkd": "40000000.00",
        "claims_professional": True,
    }
    assert call("POST", "kyc/", details).status_code == 400  # incomplete: nothing saved
    assert not InvestorProfile.objects.filter(user=investor).exists()
    draft = call("POST", "kyc/", {**details, "submit": False}).json()
    assert draft["kyc_status"] == "draft"
    assert draft["professional_status"] == "Professional investor (claimed, not yet verified)"
    assert len(draft["missing"]) == 5

    uploaded = {}
    for kind, extra in (
        ("identity", {}),
        ("address", {}),
        ("pi_evidence", {"evidence_type": "auditor_certificate", "document_date": "2026-01-05"}),
    ):
        answer = client.post(
            "/api/v1/kyc/documents/", {"kind": kind, "file": sample_pdf(f"{kind} trust"), **extra}
        )
        assert answer.status_code == 201, answer.content
        uploaded[kind] = answer.json()
    assert uploaded["pi_evidence"]["document_date"] == "2026-01-05"
    bad = client.post("/api/v1/kyc/documents/", {"kind": "identity", "file": _file(b"plain text")})
    assert bad.status_code == 400
    assert call("DELETE", f"kyc/documents/{uploaded['address']['id']}/").status_code == 204
    address = client.post("/api/v1/kyc/documents/", {"kind": "address", "file": sample_pdf("address again")})
    assert address.status_code == 201

    person = {
        "full_name": "Ada Lam",
        "nationality": "HK",
        "residency": "HK",
        "birth_date": "1970-02-03",
        "is_director": True,
        "is_beneficial_owner": True,
        "ownership_percent": "100",
    }
    created = call("POST", "kyc/people/", person)
    assert created.status_code == 201
    pk = created.json()["id"]
    assert call("PUT", f"kyc/people/{pk}/", {**person, "ownership_percent": "101"}).status_code == 400
    assert call("PUT", f"kyc/people/{pk}/", {**person, "full_name": "Ada Lam Wai"}).status_code == 200

    submitted = call("POST", "kyc/submit/")
    assert submitted.status_code == 200, submitted.content
    mine = call("GET", "kyc/").json()
    assert mine["kyc_status"] == "submitted"
    assert mine["missing"] == []
    assert {d["kind"] for d in mine["documents"]} == {"identity", "address", "pi_evidence"}
    assert all(d["submitted"] for d in mine["documents"])
    assert mine["people"][0]["full_name"] == "Ada Lam Wai"
    assert call("DELETE", f"kyc/documents/{address.json()['id']}/").status_code == 409
    assert call("DELETE", f"kyc/people/{pk}/").status_code == 409


def test_a_corporate_investor_declares_people_on_the_page_and_bad_files_are_refused(client, db):
    investor = UserFactory(role=Role.INVESTOR)
    client.force_login(investor)
    saved = client.post(
        "/financing/investor/kyc/",
        {
            "investor_type": "corporate",
            "legal_name": "Kowloon Family Office Limited",
            "country": "HK",
            "residency": "HK",
            "id_document_number": "76543210",
            "declared_portfolio_hkd": "0",
            "total_assets_hkd": "45000000",
            "claims_professional": "on",
        },
    )
    assert saved.status_code == 302
    page = client.get("/financing/investor/kyc/").content.decode()
    assert "Directors and beneficial owners" in page
    assert "The certificate of incorporation (as identity document)" in page
    person = {
        "full_name": "Ada Lam",
        "nationality": "HK",
        "residency": "HK",
        "birth_date": "1970-02-03",
        "is_director": "on",
        "ownership_percent": "0",
    }
    assert client.post("/financing/investor/kyc/people/", person).status_code == 302
    no_role = client.post("/financing/investor/kyc/people/", {**person, "is_director": ""})
    assert no_role.status_code == 400
    assert "is_director" in no_role.context["person_form"].errors
    assert InvestorPerson.objects.filter(profile__user=investor).count() == 1

    before, files = _counts(), _stored_files()
    fake = client.post(
        "/financing/investor/kyc/documents/", {"kind": "identity", "file": _file(b"GIF89a fake")}
    )
    assert fake.status_code == 400
    assert "file" in fake.context["document_form"].errors
    undated = client.post(
        "/financing/investor/kyc/documents/",
        {"kind": "pi_evidence", "evidence_type": "audited_accounts", "file": sample_pdf("accounts")},
    )
    assert undated.status_code == 400
    assert "document_date" in undated.context["document_form"].errors
    assert _counts() == before
    assert _stored_files() == files
    refused = client.post("/financing/investor/kyc/submit/")
    assert refused.status_code == 400
    assert InvestorProfile.objects.get(user=investor).kyc_status == KycStatus.DRAFT
