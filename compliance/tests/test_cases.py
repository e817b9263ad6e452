"""Review cases: opened on submission, routed by risk, decided under four eyes, questions answered."""

from __future__ import annotations

import pytest
from django.test import override_settings

from accounts.choices import Role
from accounts.tests.factories import UserFactory
from compliance.audit import audit_chain_verify
from compliance.cases.choices import AlertKind, CaseKind, CaseStatus, Decision, Outcome, RiskLevel
from compliance.cases.models import Case, InformationRequest
from compliance.cases.selectors import CaseFilter, cases_queue, open_requests_for
from compliance.cases.services import (
    alert_raise,
    case_answer_information,
    case_assign,
    case_note_add,
    conflict_declare,
)
from compliance.choices import KycStatus
from compliance.models import AuditEvent
from compliance.services import case_decide, company_kyb_decide, investor_kyc_decide
from config.errors import Conflict, PermissionDenied, ValidationFailed
from issuers.choices import KybStatus
from tests.flows import submitted_company, submitted_investor

pytestmark = pytest.mark.django_db

# Every case is high risk, so every one needs the approver.
ALL_HIGH = {"COMPLIANCE_RISK_MEDIUM_FROM": 0, "COMPLIANCE_RISK_HIGH_FROM": 0}


def officer(name: str = "Oscar Officer"):
    return UserFactory(role=Role.OFFICER, full_name=name)


def approver(name: str = "Ada Approver"):
    return UserFactory(role=Role.APPROVER, full_name=name)


def test_submission_opens_one_scored_case_that_the_queue_lists():
    company = submitted_company(name="Lantau Components Limited")
    case = Case.objects.get(company=company, kind=CaseKind.KYB)
    assert case.status == CaseStatus.OPEN
    assert case.submitted_by == company.representative
    # Logistics is a higher-risk industry (trade-based laundering): 10 points, still low.
    assert (case.risk_score, case.risk_level, case.needs_approver) == (10, RiskLevel.LOW, False)
    assert [f["code"] for f in case.risk_factors] == ["industry"]
    assert list(cases_queue(officer(), CaseFilter(kind=CaseKind.KYB))) == [case]
    assert list(cases_queue(company.representative)) == []  # applicants never see the queue


def test_a_low_risk_case_is_decided_by_one_officer():
    company = submitted_company(name="Lantau Components Limited")
    company_kyb_decide(actor=officer(), company=company, approve=True, reason="")
    case = Case.objects.get(company=company)
    assert (case.status, case.outcome) == (CaseStatus.CLOSED, Outcome.APPROVED)
    company.refresh_from_db()
    assert company.kyb_status == KybStatus.VERIFIED


@override_settings(**ALL_HIGH)
def test_high_risk_needs_an_officers_recommendation_and_another_persons_approval(platform):
    company = submitted_company(name="Lantau Components Limited")
    oscar, ada, bea = officer(), approver(), approver("Bea Approver")

    # The officer's approval is kept as a recommendation; nothing else changes.
    company_kyb_decide(actor=oscar, company=company, approve=True, reason="Documents match.")
    company.refresh_from_db()
    assert company.kyb_status == KybStatus.SUBMITTED
    assert company.wallet is None
    case = Case.objects.get(company=company)
    assert (case.status, case.recommended_by, case.recommendation) == (
        CaseStatus.AWAITING_APPROVER,
        oscar,
        Decision.APPROVE,
    )

    # A second officer cannot decide it, and the recommender cannot either, whatever their role.
    with pytest.raises(PermissionDenied, match="approver decides"):
        company_kyb_decide(actor=officer("Olive Officer"), company=company, approve=True)
    case_decide(actor=ada, case_id=case.pk, decision=Decision.REJECT, reason="Not convinced.")
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED
    assert case.decided_by == ada
    company.refresh_from_db()
    assert company.kyb_status == KybStatus.REJECTED

    # An approver's own first decision is only a recommendation: a different approver decides.
    profile = submitted_investor()
    investor_kyc_decide(actor=ada, profile=profile, approve=True, reason="")
    with pytest.raises(PermissionDenied, match="different approver"):
        investor_kyc_decide(actor=ada, profile=profile, approve=True, reason="")
    profile.refresh_from_db()
    assert profile.kyc_status == KycStatus.SUBMITTED
    assert profile.wallet is None
    investor_kyc_decide(actor=bea, profile=profile, approve=True, reason="")
    profile.refresh_from_db()
    assert profile.kyc_status == KycStatus.APPROVED
    assert audit_chain_verify(full=True) is None


def test_nobody_decides_what_they_submitted_or_are_connected_to():
    company = submitted_company(name="Lantau Components Limited")
    case = Case.objects.get(company=company)
    before = AuditEvent.objects.count()
    with pytest.raises(PermissionDenied):
        case_decide(actor=company.representative, case_id=case.pk, decision=Decision.APPROVE)
    # A reviewer who shares a name with a director, or declared a connection, is refused.
    namesake = officer(company.people.first().full_name)
    with pytest.raises(PermissionDenied, match="director or owner"):
        case_decide(actor=namesake, case_id=case.pk, decision=Decision.APPROVE)
    friend = officer("Frank Friend")
    conflict_declare(user=friend, company=company, reason="My cousin's firm")
    with pytest.raises(PermissionDenied, match="declared a connection"):
        case_decide(actor=friend, case_id=case.pk, decision=Decision.APPROVE)
    with pytest.raises(ValidationFailed):
        case_assign(actor=officer("Olive Officer"), case_id=case.pk, assignee_id=friend.pk)
    company.refresh_from_db()
    case.refresh_from_db()
    assert company.kyb_status == KybStatus.SUBMITTED
    assert case.status == CaseStatus.OPEN
    assert AuditEvent.objects.count() == before + 1  # only the declaration


def test_a_reason_is_required_for_everything_but_approve():
    company = submitted_company(name="Lantau Components Limited")
    case = Case.objects.get(company=company)
    for decision in (Decision.REJECT, Decision.REQUEST_INFO, Decision.ESCALATE):
        with pytest.raises(ValidationFailed):
            case_decide(actor=officer(), case_id=case.pk, decision=decision, reason=" ")
    case.refresh_from_db()
    assert case.status == CaseStatus.OPEN


def test_a_request_for_information_goes_to_the_applicant_and_back_to_the_queue():
    company = submitted_company(name="Lantau Components Limited")
    case = Case.objects.get(company=company)
    oscar = officer()
    case_decide(
        actor=oscar, case_id=case.pk, decision=Decision.REQUEST_INFO, reason="Send the share register."
    )
    case.refresh_from_db()
    assert case.status == CaseStatus.INFO_REQUESTED
    with pytest.raises(Conflict, match="not answered"):
        company_kyb_decide(actor=oscar, company=company, approve=True)

    [request] = open_requests_for(company.representative)
    assert request.question == "Send the share register."
    assert list(open_requests_for(UserFactory(role=Role.SME))) == []
    with pytest.raises(ValidationFailed):
        case_answer_information(user=company.representative, request_id=request.pk, answer="")
    case_answer_information(user=company.representative, request_id=request.pk, answer="Attached.")
    case.refresh_from_db()
    assert case.status == CaseStatus.OPEN
    assert InformationRequest.objects.get(pk=request.pk).answered_by == company.representative
    company_kyb_decide(actor=oscar, company=company, approve=True)
    company.refresh_from_db()
    assert company.kyb_status == KybStatus.VERIFIED


def test_an_escalated_case_waits_for_an_approver_other_than_the_escalator():
    company = submitted_company(name="Lantau Components Limited")
    case = Case.objects.get(company=company)
    oscar = officer()
    case_assign(actor=oscar, case_id=case.pk, assignee_id=oscar.pk)
    case_note_add(actor=oscar, case_id=case.pk, text="Director's address differs from the certificate.")
    case_decide(actor=oscar, case_id=case.pk, decision=Decision.ESCALATE, reason="Address mismatch.")
    case.refresh_from_db()
    assert case.status == CaseStatus.AWAITING_APPROVER
    assert case.needs_approver
    with pytest.raises(PermissionDenied):
        company_kyb_decide(actor=oscar, company=company, approve=True)
    company_kyb_decide(actor=approver(), company=company, approve=True)
    case.refresh_from_db()
    assert case.outcome == Outcome.APPROVED
    assert case.notes.count() == 1


def test_an_open_sanctions_alert_raises_the_risk_and_blocks_approval_until_decided():
    company = submitted_company(name="Lantau Components Limited")
    case = Case.objects.get(company=company)
    alert = alert_raise(
        kind=AlertKind.SCREENING_MATCH,
        key=f"test:{company.pk}",
        summary="Possible match",
        company=company,
        parent=case,
    )
    assert (
        alert_raise(
            kind=AlertKind.SCREENING_MATCH, key=f"test:{company.pk}", summary="again", company=company
        )
        == alert
    )
    case.refresh_from_db()
    assert case.risk_level == RiskLevel.HIGH
    assert case.needs_approver
    oscar, ada = officer(), approver()
    with pytest.raises(Conflict, match="sanctions match"):
        company_kyb_decide(actor=oscar, company=company, approve=True)
    # The alert itself is decided by four eyes: recommendation, then an approver.
    case_decide(actor=oscar, case_id=alert.pk, decision=Decision.CLEAR, reason="Different person.")
    alert.refresh_from_db()
    assert alert.status == CaseStatus.AWAITING_APPROVER
    case_decide(actor=ada, case_id=alert.pk, decision=Decision.CLEAR, reason="Agreed: different birth year.")
    alert.refresh_from_db()
    case.refresh_from_db()
    assert alert.outcome == Outcome.CLEARED
    assert case.risk_level == RiskLevel.LOW  # scored again once the alert is cleared
    company_kyb_decide(actor=oscar, company=company, approve=True)
    company.refresh_from_db()
    assert company.kyb_status == KybStatus.VERIFIED


def test_the_reason_an_approver_decides_is_said_in_words():
    case = Case(risk_level=RiskLevel.HIGH)
    assert case.approver_reason == "it is high risk"
    case = Case(risk_level=RiskLevel.LOW, escalated=True)
    assert case.approver_reason == "it was escalated"
    amount = "Raising HKD 20,000,000, above the HKD 10,000,000 that needs an approver"
    case = Case(risk_level=RiskLevel.LOW, risk_factors=[{"text": amount, "needs_approver": True}])
    assert (
        case.approver_reason
        == "of a rule: raising HKD 20,000,000, above the HKD 10,000,000 that needs an approver"
    )
