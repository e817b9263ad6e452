"""Screening wired into the cases: at submission, on re-screening, alerts cleared or confirmed, on chain."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.test import override_settings
from django.urls import reverse

from accounts.choices import Role
from accounts.tests.factories import UserFactory
from compliance.cases.choices import AlertKind, CaseKind, CaseStatus, Decision, Outcome
from compliance.cases.evidence import case_checks
from compliance.cases.models import Case
from compliance.choices import KycStatus
from compliance.models import InvestorProfile, Screening, ScreeningRun
from compliance.screening import index as screening_index
from compliance.screening.alerts import screen_new_wallet
from compliance.screening.choices import RunStatus
from compliance.screening.services import sanctions_list_import
from compliance.services import case_decide, company_kyb_decide, investor_kyc_submit
from compliance.tests.screening_cases import list_excerpt
from config.errors import Conflict, ValidationFailed
from financing.agreements import accepted_versions
from financing.choices import ApplicationStatus
from financing.demo import complete_investor_evidence
from financing.models import Application
from financing.services import application_submit, offering_close, subscription_create
from issuers.choices import KybStatus, Residency
from issuers.models import Company
from issuers.services import company_submit_for_kyb, person_save
from tests.flows import (
    approved_investor,
    draft_company,
    draft_loan,
    officer,
    open_offering,
    operator,
    profile_of,
    submitted_company,
    verified_company,
)
from tokens import chain
from tokens.choices import WalletKind
from tokens.models import ChainTransaction, Wallet

pytestmark = pytest.mark.django_db

LAZARUS_ETH = "0x098B716B8Aaf21512996dC57EB0615e2383E2f96"  # LAZARUS GROUP (27307)


@pytest.fixture(autouse=True)
def _no_cached_index():
    screening_index.forget()
    yield
    screening_index.forget()


@pytest.fixture
def sdn_list(tmp_path):
    """A small list from the real file (the first 300 entries and a few known ones), no re-screening."""
    version, _ = sanctions_list_import(path=list_excerpt(tmp_path), rescreen=False)
    return version


def approver(name: str = "Ada Approver"):
    return UserFactory(role=Role.APPROVER, full_name=name)


def company_with_listed_director(name: str = "Banco Nacional de Cuba Limited") -> Company:
    """A complete company named like a listed bank, with a listed director (born the listed year)."""
    from financing.demo import complete_company_onboarding

    sme = draft_company(name=name).representative
    complete_company_onboarding(sme, director="Chan Tai Man", owner="Grace Chan")
    person_save(
        user=sme,
        full_name="Yan Xiaobing",
        nationality="CN",
        residency=Residency.HONG_KONG,
        birth_date=date(1977, 3, 25),
        is_director=True,
        is_beneficial_owner=False,
        ownership_percent=Decimal("0"),
    )
    return Company.objects.get(representative=sme)


def alerts(**party) -> list[Case]:
    return list(Case.objects.filter(kind=CaseKind.ALERT, **party).order_by("alert_key"))


def screening_check(case: Case):
    return next(c for c in case_checks(case) if c.name == "Sanctions screening")


def test_kyb_submission_screens_every_name_and_raises_an_alert_per_match_under_the_case(sdn_list):
    company = company_with_listed_director()
    company_submit_for_kyb(user=company.representative)
    kyb = Case.objects.get(kind=CaseKind.KYB, company=company)

    rows = Screening.objects.filter(run=None).order_by("pk")
    people = {p.full_name: p for p in company.people.all()}
    assert [(r.party_ref, r.name, r.decision) for r in rows] == [
        (f"issuers.company:{company.pk}", "Banco Nacional de Cuba Limited", "potential_match"),
        (f"issuers.person:{people['Chan Tai Man'].pk}", "Chan Tai Man", "clear"),
        (f"issuers.person:{people['Grace Chan'].pk}", "Grace Chan", "clear"),
        (f"issuers.person:{people['Yan Xiaobing'].pk}", "Yan Xiaobing", "potential_match"),
    ]
    assert all(r.sanctions_list == sdn_list and r.actor == company.representative for r in rows)
    assert rows.get(name="Yan Xiaobing").birth_year == 1977

    found = alerts(company=company)
    assert [(a.alert_kind, a.parent, a.status, a.detail["hit"]["list_id"]) for a in found] == [
        (AlertKind.SCREENING_MATCH, kyb, CaseStatus.OPEN, "306"),
        (AlertKind.SCREENING_MATCH, kyb, CaseStatus.OPEN, "25308"),
    ]
    bank = found[0]
    assert bank.alert_key == f"screening_match:issuers.company:{company.pk}:306"
    assert bank.summary.startswith("Banco Nacional de Cuba Limited may be BANCO NACIONAL DE CUBA (CUBA")
    assert bank.detail["screened"] == "Banco Nacional de Cuba Limited"
    assert bank.needs_approver  # sanctions alerts are high risk: an approver decides
    alert_check = next(c for c in case_checks(bank) if c.name == "Sanctions list entry")
    assert "BANCO NACIONAL DE CUBA (list id 306), program CUBA" in alert_check.text

    kyb.refresh_from_db()
    assert kyb.needs_approver
    assert "screening" in [f["code"] for f in kyb.risk_factors]
    result = screening_check(kyb)
    assert result.status == "attention"
    assert "Potential matches against OFAC SDN ofac_sdn_excerpt" in result.text
    assert "2 of 4 names" in result.text
    assert any("Yan Xiaobing: YAN, Xiaobing (list id 25308, SDNTK, score" in d for d in result.details)

    # Approval waits for the alerts; nothing changes.
    with pytest.raises(Conflict, match="possible sanctions match"):
        company_kyb_decide(actor=officer(), company=company, approve=True)
    company.refresh_from_db()
    assert company.kyb_status == KybStatus.SUBMITTED


def test_kyc_submission_screens_the_investor_and_a_clear_company_says_against_which_version(sdn_list):
    investor = UserFactory(role=Role.INVESTOR)
    complete_investor_evidence(
        investor, legal_name="Usama bin Ladin", portfolio=Decimal("9000000"), birth_date=date(1957, 3, 10)
    )
    profile = investor_kyc_submit(
        user=investor,
        investor_type="individual",
        legal_name="Usama bin Ladin",
        country="SA",
        residency=Residency.ELSEWHERE,
        id_document_number="X1",
        declared_portfolio_hkd=Decimal("9000000"),
    )
    kyc = Case.objects.get(kind=CaseKind.KYC, investor=profile)
    (alert,) = alerts(investor=profile)
    assert (alert.parent, alert.detail["hit"]["list_id"], alert.company) == (kyc, "6365", None)
    assert Screening.objects.get(party_ref=f"compliance.investorprofile:{profile.pk}").decision == (
        "potential_match"
    )

    clean = submitted_company(name="Peak View Logistics Limited")
    result = screening_check(Case.objects.get(kind=CaseKind.KYB, company=clean))
    assert result.status == "passed"
    assert result.text.startswith("Clear against list version OFAC SDN ofac_sdn_excerpt (imported ")
    assert result.text.endswith(", 3 names")
    assert alerts(company=clean) == []


def test_a_new_wallet_is_screened_and_a_listed_address_raises_a_wallet_alert(sdn_list):
    company = submitted_company(name="Peak View Logistics Limited")
    kyb = Case.objects.get(kind=CaseKind.KYB, company=company)
    wallet = Wallet.objects.create(
        address=LAZARUS_ETH, kind=WalletKind.ISSUER, label="test", encrypted_key="unused"
    )
    screen_new_wallet(wallet=wallet, owner=company, case=kyb)
    (alert,) = alerts(company=company)
    assert (alert.alert_kind, alert.parent, alert.detail["hit"]["list_id"]) == (
        AlertKind.WALLET_MATCH,
        kyb,
        "27307",
    )
    assert alert.summary.startswith(f"Wallet {LAZARUS_ETH} is listed for LAZARUS GROUP (DPRK3")
    screen_new_wallet(wallet=wallet, owner=company, case=kyb)  # the same alert is raised once
    assert len(alerts(company=company)) == 1


@override_settings(SANCTIONS_SCREENING_REQUIRED=True)
def test_without_a_list_the_check_says_so_and_approval_waits_for_the_rescreening(
    tmp_path, django_capture_on_commit_callbacks
):
    company = company_with_listed_director()
    company_submit_for_kyb(user=company.representative)  # submission is not refused
    kyb = Case.objects.get(kind=CaseKind.KYB, company=company)
    assert Screening.objects.count() == 0
    result = screening_check(kyb)
    assert (result.status, result.text) == ("attention", "No sanctions list imported: not screened")
    oscar = officer()
    with pytest.raises(Conflict, match="No sanctions list has been imported"):
        company_kyb_decide(actor=oscar, company=company, approve=True)
    company.refresh_from_db()
    kyb.refresh_from_db()
    assert (company.kyb_status, kyb.status, company.wallet) == (KybStatus.SUBMITTED, CaseStatus.OPEN, None)

    # The import's re-screening covers the waiting company: the same alerts, under its KYB case.
    with django_capture_on_commit_callbacks(execute=True):
        version, _ = sanctions_list_import(path=list_excerpt(tmp_path))
    run = ScreeningRun.objects.get(sanctions_list=version)
    assert (run.status, run.hits) == (RunStatus.DONE, 2)
    found = alerts(company=company)
    assert [(a.parent, a.detail["hit"]["list_id"]) for a in found] == [(kyb, "306"), (kyb, "25308")]
    result = screening_check(kyb)
    assert (result.status, len(result.details)) == ("attention", 2)

    # A new list version re-screens everyone again: the open alerts are not raised twice.
    with django_capture_on_commit_callbacks(execute=True):
        sanctions_list_import(path=list_excerpt(tmp_path, "v2", "\n"))
    assert alerts(company=company) == found


def test_clearing_needs_a_reason_records_it_and_rescores_the_party(sdn_list):
    company = company_with_listed_director()
    company_submit_for_kyb(user=company.representative)
    kyb = Case.objects.get(kind=CaseKind.KYB, company=company)
    bank, person = alerts(company=company)
    oscar, ada = officer(), approver()

    with pytest.raises(ValidationFailed) as refused:
        case_decide(actor=ada, case_id=bank.pk, decision=Decision.CLEAR, reason=" ")
    assert refused.value.fields == {"reason": ["A reason is required for this decision."]}
    bank.refresh_from_db()
    assert (bank.status, bank.recommended_by) == (CaseStatus.OPEN, None)

    for alert in (bank, person):
        case_decide(actor=oscar, case_id=alert.pk, decision=Decision.CLEAR, reason="Another entity.")
        alert.refresh_from_db()
        assert (alert.status, alert.recommendation) == (CaseStatus.AWAITING_APPROVER, Decision.CLEAR)
        case_decide(actor=ada, case_id=alert.pk, decision=Decision.CLEAR, reason="Other person: born in HK.")
        alert.refresh_from_db()
        assert (alert.status, alert.outcome, alert.decision_reason) == (
            CaseStatus.CLOSED,
            Outcome.CLEARED,
            "Other person: born in HK.",
        )
    kyb.refresh_from_db()
    assert "screening" not in [f["code"] for f in kyb.risk_factors]  # scored again without the alerts
    result = screening_check(kyb)
    assert result.status == "passed"
    assert "cleared as other people or entities" in result.text

    # Submitted again (same names), the cleared matches are not raised again.
    company_submit_for_kyb_again(company)
    assert len(alerts(company=company)) == 2

    company_kyb_decide(actor=oscar, company=company, approve=True)
    company.refresh_from_db()
    assert company.kyb_status == KybStatus.VERIFIED


def company_submit_for_kyb_again(company: Company) -> None:
    from compliance.screening.alerts import screen_submission

    screen_submission(subject=company, case=Case.objects.get(kind=CaseKind.KYB, company=company))


def test_confirming_a_match_on_a_company_under_review_rejects_it_for_good(sdn_list):
    company = company_with_listed_director()
    company_submit_for_kyb(user=company.representative)
    kyb = Case.objects.get(kind=CaseKind.KYB, company=company)
    bank, _ = alerts(company=company)
    oscar, ada = officer(), approver()
    case_decide(actor=oscar, case_id=bank.pk, decision=Decision.CONFIRM, reason="Same bank.")
    company.refresh_from_db()
    assert company.kyb_status == KybStatus.SUBMITTED  # a recommendation only
    case_decide(actor=ada, case_id=bank.pk, decision=Decision.CONFIRM, reason="Same bank: listed address.")
    company.refresh_from_db()
    kyb.refresh_from_db()
    assert company.kyb_status == KybStatus.REJECTED
    assert company.decision_reason == "Compliance cannot approve this due diligence. Contact the platform."
    assert kyb.decision_reason.startswith(f"Confirmed sanctions match (alert #{bank.pk})")  # staff only
    assert (kyb.status, kyb.outcome) == (CaseStatus.CLOSED, Outcome.REJECTED)
    result = screening_check(kyb)
    assert result.status == "failed"


@override_settings(COMPLIANCE_RISK_MEDIUM_FROM=1000, COMPLIANCE_RISK_HIGH_FROM=2000)
def test_an_officers_confirm_is_a_recommendation_and_the_approvers_confirm_freezes_the_wallet_on_chain(
    platform, tmp_path
):
    oscar, ada, olivia = officer(), approver(), operator()
    company = verified_company(by=oscar)
    offering = open_offering(company=company, by=oscar, opener=olivia, professional_only=False)
    holder = approved_investor(by=oscar, funds=Decimal("100000"))
    InvestorProfile.objects.filter(user=holder).update(
        legal_name="Usama bin Ladin", birth_date=date(1957, 3, 10)
    )
    other = approved_investor(by=oscar, funds=Decimal("100000"))
    subscription_create(user=holder, offering_id=offering.pk, units=20, **accepted_versions())
    subscription_create(user=other, offering_id=offering.pk, units=20, **accepted_versions())
    offering_close(actor=olivia, offering_id=offering.pk)
    profile, other_profile = profile_of(holder), profile_of(other)
    assert profile.wallet is not None
    assert other_profile.wallet is not None
    wallet, other_wallet = profile.wallet.address, other_profile.wallet.address
    token = offering.token.address
    assert chain.call("SecurityToken", token, "balanceOf", wallet) == 20

    # A new list version: the re-screening finds the approved investor (the task runs on commit).
    sanctions_list_import(path=list_excerpt(tmp_path))
    (alert,) = alerts(investor=profile)
    kyc = Case.objects.get(kind=CaseKind.KYC, investor=profile)
    assert (alert.parent, alert.detail["hit"]["list_id"], alert.needs_approver) == (kyc, "6365", True)

    # The officer's confirm is kept as a recommendation: nothing else changes, on or off chain.
    chain_rows = ChainTransaction.objects.count()
    case_decide(actor=oscar, case_id=alert.pk, decision=Decision.CONFIRM, reason="Same man.")
    alert.refresh_from_db()
    profile.refresh_from_db()
    assert (alert.status, alert.recommended_by) == (CaseStatus.AWAITING_APPROVER, oscar)
    assert profile.kyc_status == KycStatus.APPROVED
    assert ChainTransaction.objects.count() == chain_rows
    registry = platform["identity_registry"]
    assert chain.call("IdentityRegistry", registry, "isVerified", wallet) is True

    # The approver confirms: the investor is blocked and the wallet frozen on chain.
    case_decide(actor=ada, case_id=alert.pk, decision=Decision.CONFIRM, reason="Same man: DOB matches.")
    alert.refresh_from_db()
    profile.refresh_from_db()
    assert (alert.status, alert.outcome, alert.decided_by) == (CaseStatus.CLOSED, Outcome.CONFIRMED, ada)
    assert profile.kyc_status == KycStatus.BLOCKED
    assert not profile.can_subscribe
    assert chain.call("IdentityRegistry", registry, "isVerified", wallet) is False
    assert chain.call("IdentityRegistry", registry, "identityOf", wallet)[2] == 0
    assert chain.call("SecurityToken", token, "isFrozen", wallet) is True
    assert chain.call("SecurityToken", token, "isFrozen", other_wallet) is False
    assert chain.call("SecurityToken", token, "canTransfer", wallet, other_wallet, 1) != 0
    assert chain.call("SecurityToken", token, "canTransfer", other_wallet, wallet, 1) != 0
    assert chain.call("SecurityToken", token, "canTransfer", other_wallet, other_wallet, 1) == 0
    assert set(ChainTransaction.objects.filter(subject_address=wallet).values_list("intent", "status")) >= {
        ("sanctions_revoke_identity", "confirmed"),
        ("propose_admin_operation", "confirmed"),
        ("sanctions_freeze_wallet", "confirmed"),
    }
    with pytest.raises(Exception, match="approved"):
        subscription_create(user=holder, offering_id=offering.pk, units=1, **accepted_versions())


@override_settings(COMPLIANCE_RISK_MEDIUM_FROM=1000, COMPLIANCE_RISK_HIGH_FROM=2000)
def test_confirming_a_match_on_a_verified_company_blocks_it_its_applications_and_its_offering(
    platform, tmp_path
):
    oscar, ada, olivia = officer(), approver(), operator()
    company = verified_company(by=oscar, name="Banco Nacional de Cuba Limited")
    offering = open_offering(company=company, by=oscar, opener=olivia, professional_only=False)
    investor = approved_investor(by=oscar, funds=Decimal("100000"))
    application = draft_loan(company=company, title="Working capital")
    application_submit(user=company.representative, application_id=application.pk)
    sanctions_list_import(path=list_excerpt(tmp_path))
    (alert,) = alerts(company=company)
    case_decide(actor=oscar, case_id=alert.pk, decision=Decision.CONFIRM, reason="Same bank.")
    case_decide(actor=ada, case_id=alert.pk, decision=Decision.CONFIRM, reason="Same bank, same address.")
    company.refresh_from_db()
    application.refresh_from_db()
    assert company.kyb_status == KybStatus.BLOCKED
    assert application.status == ApplicationStatus.REJECTED
    assert Case.objects.get(kind=CaseKind.APPLICATION, application=application).outcome == Outcome.REJECTED
    assert Application.objects.filter(company=company, status=ApplicationStatus.APPROVED).count() == 1
    with pytest.raises(Conflict, match="suspended"):
        subscription_create(user=investor, offering_id=offering.pk, units=1, **accepted_versions())


def test_the_alert_page_says_who_was_screened_against_which_entries_in_words(sdn_list, client):
    company = company_with_listed_director()
    company_submit_for_kyb(user=company.representative)
    person_alert = next(a for a in alerts(company=company) if a.detail["screened"] == "Yan Xiaobing")
    client.force_login(officer())

    page = client.get(reverse("compliance:case", args=[person_alert.pk]))

    assert page.status_code == 200
    assert ("Screened", "Yan Xiaobing") in page.context["alert"].facts
    assert ("Born", "1977") in page.context["alert"].facts
    html = page.content.decode()
    assert "<td>25308</td><td>YAN, Xiaobing</td><td>SDNTK</td>" in html
    assert "party_ref" not in html.lower()  # internal references stay internal
    assert "{&#x27;list_id&#x27;" not in html  # no raw dictionaries


def test_an_individual_investors_date_of_birth_is_required_and_narrows_the_screening(sdn_list):
    """Usama bin Ladin is listed born in 1957: a namesake born in 1990 is not a possible match."""
    too_young = UserFactory(role=Role.INVESTOR)
    with pytest.raises(ValidationFailed) as refused:
        complete_investor_evidence(
            too_young, legal_name="Usama bin Ladin", portfolio=Decimal("1000"), birth_date=date.today()
        )
    assert "birth_date" in refused.value.fields
    assert not InvestorProfile.objects.filter(user=too_young).exists()

    matched = {}
    for born in (date(1990, 5, 1), date(1957, 3, 10)):
        user = UserFactory(role=Role.INVESTOR)
        profile = complete_investor_evidence(
            user, legal_name="Usama bin Ladin", portfolio=Decimal("1000"), birth_date=born
        )
        investor_kyc_submit(user=user)
        matched[born.year] = bool(alerts(investor=profile))
    assert matched == {1990: False, 1957: True}

    undated = UserFactory(role=Role.INVESTOR)
    profile = complete_investor_evidence(undated, legal_name="Mei Ling", portfolio=Decimal("1000"))
    InvestorProfile.objects.filter(pk=profile.pk).update(birth_date=None)
    with pytest.raises(ValidationFailed, match="your date of birth"):
        investor_kyc_submit(user=undated)
