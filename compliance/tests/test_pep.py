"""Politically exposed persons: declared, enhanced due diligence required, approver-level, reviewed yearly."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.choices import Role
from accounts.tests.factories import UserFactory
from compliance.cases.choices import AlertKind, CaseKind, CaseStatus, Decision, Outcome
from compliance.cases.evidence import case_checks
from compliance.cases.models import Case
from compliance.choices import KycStatus
from compliance.models import InvestorProfile
from compliance.pep import Pep, PepStatus, pep_reviews_raise
from compliance.services import case_decide, company_kyb_decide, investor_kyc_decide, investor_kyc_submit
from compliance.tasks import pep_reviews_raise as pep_reviews_task
from config.errors import ValidationFailed
from financing.demo import complete_investor_evidence
from issuers.choices import KybStatus, Residency
from issuers.models import Person
from issuers.services import company_submit_for_kyb, person_save
from tests.flows import draft_company, officer

pytestmark = pytest.mark.django_db

SHENZHEN_OFFICIAL = Pep(
    status=PepStatus.PEP,
    position="Deputy director, Shenzhen Municipal Bureau of Commerce",
    country="CN",
    since=date(2019, 1, 1),
    source_of_wealth="Civil service salary and a flat in Futian bought in 2008.",
    source_of_funds="Savings held at a Hong Kong bank.",
)


def approver():
    return UserFactory(role=Role.APPROVER, full_name="Ada Approver")


def kyc_submit(user, pep: Pep, *, evidence: bool = True):
    if evidence:
        complete_investor_evidence(user, legal_name=user.full_name, portfolio=Decimal("9000000"))
    return investor_kyc_submit(
        user=user,
        investor_type="individual",
        legal_name=user.full_name,
        country="HK",
        residency=Residency.HONG_KONG,
        id_document_number="X1234567",
        declared_portfolio_hkd=Decimal("9000000"),
        pep=pep,
    )


def pep_check(case: Case):
    return next(c for c in case_checks(case) if c.name == "Politically exposed persons")


def test_a_pep_without_source_of_wealth_and_funds_is_refused_and_nothing_is_stored():
    company = draft_company(name="Lantau Components Limited")
    bare = Pep(status=PepStatus.PEP, position="Member, Macao Legislative Assembly", country="MO")
    with pytest.raises(ValidationFailed) as refused:
        person_save(
            user=company.representative,
            full_name="Ho Ka Wai",
            nationality="MO",
            residency=Residency.MACAO,
            birth_date=date(1970, 5, 1),
            is_director=True,
            is_beneficial_owner=False,
            ownership_percent=Decimal("0"),
            pep=bare,
        )
    assert set(refused.value.fields) == {"pep_since", "source_of_wealth", "source_of_funds"}
    assert Person.objects.count() == 0

    investor = UserFactory(role=Role.INVESTOR)
    with pytest.raises(ValidationFailed) as refused:
        kyc_submit(
            investor,
            Pep(status=PepStatus.ASSOCIATE, position="Spouse of a PEP", country="CN"),
            evidence=False,
        )
    assert set(refused.value.fields) == {"source_of_wealth", "source_of_funds"}
    assert InvestorProfile.objects.count() == 0
    assert Case.objects.count() == 0


def test_a_company_with_a_pep_director_is_always_decided_by_an_approver():
    from financing.demo import complete_company_onboarding

    sme = draft_company(name="Lantau Components Limited").representative
    complete_company_onboarding(sme, director="Chan Tai Man", owner="Grace Chan")
    person_save(
        user=sme,
        full_name="Lee Wing Sze",
        nationality="CN",
        residency=Residency.HONG_KONG,
        birth_date=date(1968, 2, 3),
        is_director=True,
        is_beneficial_owner=False,
        ownership_percent=Decimal("0"),
        pep=SHENZHEN_OFFICIAL,
    )
    person = Person.objects.get(full_name="Lee Wing Sze")
    assert (person.pep_status, person.pep_country.code, person.source_of_funds) == (
        PepStatus.PEP,
        "CN",
        "Savings held at a Hong Kong bank.",
    )
    company = company_submit_for_kyb(user=sme)
    case = Case.objects.get(kind=CaseKind.KYB, company=company)
    assert case.needs_approver  # whatever the score
    pep = next(f for f in case.risk_factors if f["code"] == "pep")
    assert pep["needs_approver"] is True
    assert "Lee Wing Sze" in pep["text"]
    result = pep_check(case)
    assert result.status == "attention"
    assert result.details == [
        "Lee Wing Sze: PEP, Deputy director, Shenzhen Municipal Bureau of Commerce "
        "(China, since 01 Jan 2019); "
        "source of wealth: Civil service salary and a flat in Futian bought in 2008.; "
        "source of funds: Savings held at a Hong Kong bank."
    ]

    oscar, ada = officer(), approver()
    company_kyb_decide(actor=oscar, company=company, approve=True, reason="EDD complete.")
    company.refresh_from_db()
    case.refresh_from_db()
    assert company.kyb_status == KybStatus.SUBMITTED
    assert (case.status, case.recommended_by) == (CaseStatus.AWAITING_APPROVER, oscar)
    case_decide(actor=ada, case_id=case.pk, decision=Decision.APPROVE, reason="Senior management approval.")
    company.refresh_from_db()
    assert company.kyb_status == KybStatus.VERIFIED


def test_a_pep_investor_needs_the_approver_and_is_reviewed_a_year_after_approval(platform):
    investor = UserFactory(role=Role.INVESTOR)
    profile = kyc_submit(investor, SHENZHEN_OFFICIAL)
    kyc = Case.objects.get(kind=CaseKind.KYC, investor=profile)
    assert kyc.needs_approver
    assert pep_check(kyc).status == "attention"
    oscar, ada = officer(), approver()
    investor_kyc_decide(actor=oscar, profile=profile, approve=True, reason="EDD complete.")
    profile.refresh_from_db()
    assert profile.kyc_status == KycStatus.SUBMITTED
    investor_kyc_decide(actor=ada, profile=profile, approve=True, reason="Approved.")
    profile.refresh_from_db()
    assert profile.kyc_status == KycStatus.APPROVED
    # A non-PEP investor approved long ago is not reviewed.
    plain = kyc_submit(UserFactory(role=Role.INVESTOR), Pep())
    assert pep_check(Case.objects.get(kind=CaseKind.KYC, investor=plain)).status == "passed"
    investor_kyc_decide(actor=oscar, profile=plain, approve=True)

    assert pep_reviews_raise() == []  # approved today: due in a year
    year_ago = timezone.now() - timedelta(days=366)
    Case.objects.filter(kind=CaseKind.KYC).update(decided_at=year_ago)
    assert pep_reviews_task() == 1  # the beat task
    (review,) = Case.objects.filter(kind=CaseKind.ALERT, alert_kind=AlertKind.PEP_REVIEW)
    assert (review.investor, review.parent, review.needs_approver) == (profile, kyc, True)
    assert review.summary.startswith(f"Yearly review of {profile.legal_name}")
    assert pep_reviews_raise() == [review.pk]  # the same alert, once
    assert Case.objects.filter(alert_kind=AlertKind.PEP_REVIEW).count() == 1

    # Reviewed (cleared with a reason by the approver on the officer's recommendation): due next year.
    case_decide(actor=oscar, case_id=review.pk, decision=Decision.CLEAR, reason="Reviewed: no change.")
    case_decide(actor=ada, case_id=review.pk, decision=Decision.CLEAR, reason="Relationship continues.")
    review.refresh_from_db()
    assert review.outcome == Outcome.CLEARED
    assert pep_reviews_raise() == []


def test_a_corporate_investors_director_declares_pep_status_and_routes_the_kyc_to_an_approver():
    from compliance.services import investor_person_save
    from tests.flows import corporate_investor_draft

    profile = corporate_investor_draft()
    user = profile.user
    people_before = profile.people.count()
    without_edd = Pep(
        status=PepStatus.PEP, position="Deputy director, Macao Monetary Authority", country="MO"
    )
    with pytest.raises(ValidationFailed) as refused:
        investor_person_save(
            user=user,
            full_name="Leong Wai Kit",
            nationality="MO",
            residency=Residency.MACAO,
            birth_date=date(1970, 1, 2),
            is_director=True,
            is_beneficial_owner=False,
            ownership_percent=Decimal("0"),
            pep=without_edd,
        )
    assert "source_of_wealth" in refused.value.fields
    assert profile.people.count() == people_before

    investor_person_save(
        user=user,
        full_name="Leong Wai Kit",
        nationality="MO",
        residency=Residency.MACAO,
        birth_date=date(1970, 1, 2),
        is_director=True,
        is_beneficial_owner=False,
        ownership_percent=Decimal("0"),
        pep=SHENZHEN_OFFICIAL,
    )
    investor_kyc_submit(user=user)
    case = Case.objects.get(kind=CaseKind.KYC, investor=profile)
    assert case.needs_approver
    assert any(f["code"] == "pep" and "Leong Wai Kit" in f["text"] for f in case.risk_factors)
    check = next(c for c in case_checks(case) if c.name == "Politically exposed persons")
    assert any("Leong Wai Kit" in detail for detail in check.details)
