"""The case API: the queue, a case's evidence, decisions under four eyes, requests for information.

Four eyes hold over the API exactly as over the services: an officer's decision on a case that needs
an approver is kept as a recommendation (202, nothing else changes), the recommender cannot then
decide it, nobody decides what they submitted or are connected to, and a different approver decides.
"""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.utils import timezone

from accounts.choices import Role
from accounts.services import api_key_create
from accounts.tests.factories import UserFactory
from compliance.cases.choices import AlertKind, CaseKind, CaseStatus, Decision, InformationRequestStatus
from compliance.cases.models import AnswerDocument, Case, CaseNote, ConflictDeclaration, InformationRequest
from compliance.cases.services import alert_raise, case_assign
from compliance.choices import KycStatus
from compliance.models import AuditEvent
from financing.choices import ApplicationStatus
from financing.models import Application, Offering
from issuers.choices import KybStatus
from tests import flows
from tests.flows import PDF, submitted_company, submitted_investor

pytestmark = pytest.mark.django_db

# Every case scores high, so every one needs an approver.
ALL_HIGH = {"COMPLIANCE_RISK_MEDIUM_FROM": 0, "COMPLIANCE_RISK_HIGH_FROM": 0}
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def officer(name: str = "Oscar Officer"):
    return UserFactory(role=Role.OFFICER, full_name=name)


def approver(name: str = "Ada Approver"):
    return UserFactory(role=Role.APPROVER, full_name=name)


def client_of(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def post(client: Client, url: str, body: dict[str, Any]):
    return client.post(url, json.dumps(body), content_type="application/json")


def decide(client: Client, case: Case, decision: str, reason: str = "", **options: Any):
    return post(
        client,
        f"/api/v1/compliance/cases/{case.pk}/decision/",
        {"decision": decision, "reason": reason, **options},
    )


def kyb_case(company) -> Case:
    return Case.objects.get(company=company, kind=CaseKind.KYB)


def snapshot(company) -> tuple:
    """What a refused decision must leave as it was."""
    company.refresh_from_db()
    case = kyb_case(company)
    return (
        company.kyb_status,
        company.wallet_id,
        case.status,
        case.outcome,
        case.recommended_by_id,
        case.decided_by_id,
        AuditEvent.objects.count(),
    )


@override_settings(**ALL_HIGH)
def test_an_officer_only_recommends_a_high_risk_case_and_a_different_approver_decides(platform):
    company = submitted_company(name="Lantau Components Limited")
    case = kyb_case(company)
    oscar, ada, bea = officer(), approver(), approver("Bea Approver")

    answer = decide(client_of(oscar), case, Decision.APPROVE, "Documents match the registry.")
    assert answer.status_code == 202
    body = answer.json()
    assert body["recommended"] is True
    assert body["status"] == CaseStatus.AWAITING_APPROVER
    assert body["risk"]["level"] == "high"
    assert body["recommendation"]["by"] == {"id": oscar.pk, "name": oscar.full_name}
    assert body["recommendation"]["decision"] == "approve"
    company.refresh_from_db()
    assert (company.kyb_status, company.wallet) == (KybStatus.SUBMITTED, None)  # nothing applied

    # Another officer cannot decide it; the recommender cannot either.
    before = snapshot(company)
    refused = decide(client_of(officer("Olive Officer")), case, Decision.APPROVE)
    assert refused.status_code == 403
    assert "approver decides" in refused.json()["detail"]
    assert decide(client_of(oscar), case, Decision.REJECT, "Changed my mind").status_code == 403
    assert snapshot(company) == before

    # An approver's own first decision is only a recommendation, and they cannot then decide it.
    profile = submitted_investor()
    kyc = Case.objects.get(investor=profile)
    assert decide(client_of(ada), kyc, Decision.APPROVE).status_code == 202
    refused = decide(client_of(ada), kyc, Decision.APPROVE)
    assert refused.status_code == 403
    assert "different approver" in refused.json()["detail"]
    profile.refresh_from_db()
    assert (profile.kyc_status, profile.wallet) == (KycStatus.SUBMITTED, None)

    # A different approver decides both.
    decided = decide(client_of(bea), kyc, Decision.APPROVE)
    assert decided.status_code == 200
    assert decided.json()["recommended"] is False
    assert decided.json()["outcome"] == "approved"
    profile.refresh_from_db()
    assert profile.kyc_status == KycStatus.APPROVED
    decided = decide(client_of(ada), case, Decision.REJECT, "Ownership not evidenced.")
    assert decided.status_code == 200
    assert (decided.json()["status"], decided.json()["decided_by"]["id"]) == (CaseStatus.CLOSED, ada.pk)
    company.refresh_from_db()
    assert company.kyb_status == KybStatus.REJECTED


def test_the_submitter_and_connected_reviewers_are_refused_and_nothing_changes():
    company = submitted_company(name="Lantau Components Limited")
    case = kyb_case(company)
    before = snapshot(company)

    # The SME's representative submitted it: the case API is not theirs at all.
    assert decide(client_of(company.representative), case, Decision.APPROVE).status_code == 403
    # A reviewer sharing a director's name is connected.
    namesake = officer(company.people.first().full_name)
    refused = decide(client_of(namesake), case, Decision.APPROVE)
    assert refused.status_code == 403
    assert "director or owner" in refused.json()["detail"]
    assert snapshot(company) == before

    # A reviewer declares a connection over the API, and is then refused.
    frank = officer("Frank Friend")
    declared = post(
        client_of(frank),
        "/api/v1/compliance/conflicts/",
        {"company": company.pk, "reason": "My cousin's firm"},
    )
    assert declared.status_code == 201
    assert declared.json()["company_id"] == company.pk
    refused = decide(client_of(frank), case, Decision.APPROVE)
    assert refused.status_code == 403
    assert "declared a connection" in refused.json()["detail"]
    # ... and cannot be given the case either.
    assigned = post(
        client_of(officer()), f"/api/v1/compliance/cases/{case.pk}/assign/", {"assignee": frank.pk}
    )
    assert assigned.status_code == 400
    assert "connection" in assigned.json()["assignee"][0]
    after = snapshot(company)
    assert after[:-1] == before[:-1]
    assert after[-1] == before[-1] + 1  # only the declaration was recorded


@pytest.mark.parametrize(
    ("medium_from", "status", "level"),
    [(11, 200, "low"), (10, 202, "medium")],
)
def test_the_risk_thresholds_in_settings_route_a_case_to_the_approver(medium_from, status, level):
    """A logistics company scores 10: low under a medium threshold of 11, medium from 10."""
    with override_settings(COMPLIANCE_RISK_MEDIUM_FROM=medium_from, COMPLIANCE_RISK_HIGH_FROM=50):
        company = submitted_company(name="Lantau Components Limited")
        case = kyb_case(company)
        answer = decide(client_of(officer()), case, Decision.APPROVE)
    assert answer.status_code == status
    assert answer.json()["risk"] == {
        "score": 10,
        "level": level,
        "factors": [
            {
                "code": "industry",
                "points": 10,
                "text": "Industry: Logistics and trade",
                "needs_approver": False,
            }
        ],
    }
    company.refresh_from_db()
    assert company.kyb_status == (KybStatus.VERIFIED if status == 200 else KybStatus.SUBMITTED)


def _submitted_application(reviewer) -> Application:
    company = flows.verified_company(by=reviewer, name="Tsuen Wan Textiles Limited")
    return flows.submitted_application(company=company, title="Tsuen Wan 5% Notes")


@pytest.mark.parametrize(("threshold", "needs_approver"), [("100000", False), ("99999.99", True)])
def test_an_application_above_the_approver_amount_needs_the_approver(platform, threshold, needs_approver):
    oscar, ada = officer(), approver()
    with override_settings(COMPLIANCE_APPROVER_AMOUNT_HKD=Decimal(threshold)):
        application = _submitted_application(oscar)
        case = Case.objects.get(application=application, kind=CaseKind.APPLICATION)
        detail = client_of(oscar).get(f"/api/v1/compliance/cases/{case.pk}/").json()
        assert detail["needs_approver"] is needs_approver
        assert detail["subject"] == {
            "type": "application",
            "id": application.pk,
            "label": "Tsuen Wan 5% Notes",
        }
        closes_at = (timezone.now() + timedelta(days=7)).isoformat()
        arranger_id = flows.arranger().pk
        answer = decide(
            client_of(oscar), case, Decision.APPROVE, closes_at=closes_at, arranger_id=arranger_id
        )
        application.refresh_from_db()
        if needs_approver:
            assert answer.status_code == 202
            assert application.status == ApplicationStatus.SUBMITTED
            assert not Offering.objects.filter(application=application).exists()
            answer = decide(
                client_of(ada),
                case,
                Decision.APPROVE,
                closes_at=closes_at,
                professional_investors_only=False,
                arranger_id=arranger_id,
            )
            application.refresh_from_db()
    assert answer.status_code == 200
    assert application.status == ApplicationStatus.APPROVED
    offering = Offering.objects.get(application=application)
    assert offering.professional_investors_only is not needs_approver
    assert [f["code"] for f in answer.json()["risk"]["factors"]] == ["industry"] + (
        ["amount"] if needs_approver else []
    )


def test_a_request_for_information_goes_to_the_applicant_and_back_to_the_queue():
    company = submitted_company(name="Lantau Components Limited")
    case = kyb_case(company)
    oscar, sme = officer(), company.representative
    staff, applicant = client_of(oscar), client_of(sme)

    asked = decide(staff, case, Decision.REQUEST_INFO, "Send the share register.")
    assert asked.status_code == 200
    assert asked.json()["status"] == CaseStatus.INFO_REQUESTED
    # The case waits for the applicant: no decision meanwhile.
    assert decide(staff, case, Decision.APPROVE).status_code == 409

    [listed] = applicant.get("/api/v1/information-requests/").json()["results"]
    assert listed["question"] == "Send the share register."
    assert listed["about"] == "Your company's verification (KYB)"
    assert listed["status"] == InformationRequestStatus.OPEN
    for stranger in (UserFactory(role=Role.SME), UserFactory(role=Role.INVESTOR)):
        assert client_of(stranger).get("/api/v1/information-requests/").json()["count"] == 0

    url = f"/api/v1/information-requests/{listed['id']}/answer/"
    # Someone else cannot answer it (404, it is not theirs), whatever they send.
    other = client_of(submitted_company(name="Tsing Yi Precision Limited").representative)
    assert other.post(url, {"answer": "Mine now"}).status_code == 404

    answered = applicant.post(
        url,
        {
            "answer": "The register is attached, with the allotment.",
            "documents": [
                SimpleUploadedFile("register.pdf", PDF, content_type="application/pdf"),
                SimpleUploadedFile("allotment.png", PNG, content_type="image/png"),
            ],
        },
    )
    assert answered.status_code == 200, answered.json()
    body = answered.json()
    assert body["status"] == InformationRequestStatus.ANSWERED
    assert [(d["name"], d["content_type"]) for d in body["documents"]] == [
        ("register.pdf", "application/pdf"),
        ("allotment.png", "image/png"),
    ]
    assert applicant.post(url, {"answer": "Again"}).status_code == 409

    # Back in the queue, with the answer and its files beside the decision.
    case.refresh_from_db()
    assert case.status == CaseStatus.OPEN
    detail = staff.get(f"/api/v1/compliance/cases/{case.pk}/").json()
    [request] = detail["information_requests"]
    assert request["answer"] == "The register is attached, with the allotment."
    assert request["answered_by"]["id"] == sme.pk
    document_url = request["documents"][0]["url"]
    opened = staff.get(document_url)
    assert (opened.status_code, opened["Content-Type"]) == (200, "application/pdf")
    assert b"".join(opened.streaming_content) == PDF
    assert applicant.get(document_url).status_code == 200
    assert client_of(UserFactory(role=Role.INVESTOR)).get(document_url).status_code == 404
    sentences = [entry["sentence"] for entry in detail["history"]]
    assert any("sent back to the applicant" in s for s in sentences), sentences
    assert any("returned to the queue" in s for s in sentences), sentences

    assert decide(staff, case, Decision.APPROVE).status_code == 200
    company.refresh_from_db()
    assert company.kyb_status == KybStatus.VERIFIED


def test_a_bad_answer_is_refused_with_field_messages_and_nothing_is_stored():
    company = submitted_company(name="Lantau Components Limited")
    case = kyb_case(company)
    request = flows.information_request(company=company, by=officer())
    alert = request.case
    applicant = client_of(company.representative)
    url = f"/api/v1/information-requests/{request.pk}/answer/"
    bad = [
        ({"answer": " "}, "answer"),
        ({"answer": "Here", "documents": [SimpleUploadedFile("notes.txt", b"plain text")]}, "documents"),
        (
            {
                "answer": "Here",
                "documents": [SimpleUploadedFile(f"{i}.pdf", PDF + bytes([i])) for i in range(6)],
            },
            "documents",
        ),
        (
            {
                "answer": "Here",
                "documents": [SimpleUploadedFile("a.pdf", PDF), SimpleUploadedFile("b.pdf", PDF)],
            },
            "documents",
        ),
        # A good file before a bad one: the good one is not kept either.
        (
            {
                "answer": "Here",
                "documents": [SimpleUploadedFile("a.pdf", PDF), SimpleUploadedFile("b.exe", b"MZ")],
            },
            "documents",
        ),
        ({"answer": "Here\u200b"}, "answer"),
    ]
    for data, field in bad:
        answer = applicant.post(url, data)
        assert answer.status_code == 400, (data, answer.json())
        assert field in answer.json(), answer.json()
    # JSON is not how files are sent.
    assert post(applicant, url, {"answer": "Here"}).status_code == 415
    request.refresh_from_db()
    alert.refresh_from_db()
    assert (request.status, request.answer) == (InformationRequestStatus.OPEN, "")
    assert alert.status == CaseStatus.INFO_REQUESTED
    assert not AnswerDocument.objects.exists()
    assert kyb_case(company).status == case.status == CaseStatus.OPEN


def test_bad_decisions_are_refused_with_field_messages_and_nothing_changes():
    company = submitted_company(name="Lantau Components Limited")
    case = kyb_case(company)
    staff = client_of(officer())
    before = snapshot(company)
    url = f"/api/v1/compliance/cases/{case.pk}/decision/"

    assert "decision" in post(staff, url, {"reason": "no decision"}).json()
    answer = post(staff, url, {"decision": "maybe"})
    assert (answer.status_code, list(answer.json())) == (400, ["decision"])
    for decision in (Decision.REJECT, Decision.REQUEST_INFO, Decision.ESCALATE):
        answer = decide(staff, case, decision, "  ")
        assert answer.status_code == 400, decision
        assert answer.json()["reason"], decision
    answer = decide(staff, case, Decision.CLEAR, "Not a match")  # a decision for alerts only
    assert (answer.status_code, list(answer.json())) == (400, ["detail", "code", "decision"])
    assert decide(staff, case, Decision.REJECT, "x" * 2001).status_code == 400
    assert decide(staff, case, Decision.REJECT, "Tab\u202eevil").status_code == 400
    assert (
        post(staff, "/api/v1/compliance/cases/999999/decision/", {"decision": "approve"}).status_code == 404
    )
    assert snapshot(company) == before

    # Notes and assignment check their input too.
    notes = f"/api/v1/compliance/cases/{case.pk}/notes/"
    assert list(post(staff, notes, {"text": " "}).json()) == ["text"]
    assign = f"/api/v1/compliance/cases/{case.pk}/assign/"
    sme = company.representative
    assert "assignee" in post(staff, assign, {"assignee": sme.pk}).json()
    assert "assignee" in post(staff, assign, {"assignee": "\u0661"}).json()
    assert (
        "company"
        in post(
            staff, "/api/v1/compliance/conflicts/", {"reason": "both", "company": company.pk, "investor": 1}
        ).json()
    )
    assert (
        "company" in post(staff, "/api/v1/compliance/conflicts/", {"reason": "x", "company": 999999}).json()
    )
    assert snapshot(company) == before
    assert not CaseNote.objects.exists()
    assert not ConflictDeclaration.objects.exists()
    case.refresh_from_db()
    assert case.assignee is None

    # A closed case is refused with 409.
    assert decide(staff, case, Decision.APPROVE).status_code == 200
    closed = snapshot(company)
    assert decide(staff, case, Decision.REJECT, "Too late").status_code == 409
    assert post(staff, assign, {"assignee": None}).status_code == 409
    assert snapshot(company) == closed


def test_an_open_sanctions_alert_blocks_approval_with_409():
    company = submitted_company(name="Lantau Components Limited")
    case = kyb_case(company)
    alert_raise(
        kind=AlertKind.SCREENING_MATCH,
        key=f"test:{company.pk}",
        summary="Possible match",
        company=company,
        parent=case,
    )
    staff = client_of(approver())
    before = snapshot(company)
    refused = decide(staff, case, Decision.APPROVE)
    assert refused.status_code == 409
    assert "sanctions match" in refused.json()["detail"]
    assert snapshot(company) == before
    detail = staff.get(f"/api/v1/compliance/cases/{case.pk}/").json()
    assert [(c["kind"], c["alert_kind"]) for c in detail["children"]] == [("alert", "screening_match")]
    assert {c["name"] for c in detail["checks"]} >= {"Registration number", "Completeness"}


def test_the_queue_lists_filters_and_pages_cases_and_alerts_for_an_api_key():
    oscar = officer()
    first = kyb_case(submitted_company(name="Lantau Components Limited"))
    second = kyb_case(submitted_company(name="Tsing Yi Precision Limited"))
    kyc = Case.objects.get(investor=submitted_investor())
    alert = alert_raise(
        kind=AlertKind.EVIDENCE_EXPIRING,
        key="test:evidence",
        summary="Custodian statement expiring",
        company=second.company,
    )
    Case.objects.filter(pk=first.pk).update(opened_at=timezone.now() - timedelta(days=10))
    case_assign(actor=oscar, case_id=second.pk, assignee_id=oscar.pk)
    key = api_key_create(user=oscar, name="queue script").key
    api = Client(headers={"authorization": f"Bearer {key}"})

    def ids(url: str) -> list[int]:
        answer = api.get(url)
        assert answer.status_code == 200, answer.json()
        return [case["id"] for case in answer.json()["results"]]

    assert ids("/api/v1/compliance/cases/") == [first.pk, second.pk, kyc.pk, alert.pk]
    assert ids("/api/v1/compliance/cases/?kind=kyb") == [first.pk, second.pk]
    assert ids("/api/v1/compliance/cases/?older_than_days=7") == [first.pk]
    assert ids("/api/v1/compliance/cases/?assignee=me") == [second.pk]
    assert ids(f"/api/v1/compliance/cases/?assignee={oscar.pk}") == [second.pk]
    assert ids("/api/v1/compliance/cases/?assignee=none&kind=kyb") == [first.pk]
    assert ids("/api/v1/compliance/cases/?search=tsing") == [second.pk, alert.pk]
    assert ids("/api/v1/compliance/cases/?risk=high") == []
    assert ids("/api/v1/compliance/cases/?status=closed") == []
    assert ids("/api/v1/compliance/alerts/") == [alert.pk]
    assert ids("/api/v1/compliance/alerts/?alert_kind=screening_match") == []

    page = api.get("/api/v1/compliance/cases/?limit=2&offset=1").json()
    assert page["count"] == 4
    assert [case["id"] for case in page["results"]] == [second.pk, kyc.pk]
    assert "offset=3" in page["next"]
    assert "offset=0" in page["previous"]
    listed = page["results"][0]
    assert listed["subject"] == {
        "type": "company",
        "id": second.company_id,
        "label": "Tsing Yi Precision Limited",
    }
    assert listed["assignee"] == {"id": oscar.pk, "name": oscar.full_name}
    assert listed["recommendation"] is None
    oldest = api.get("/api/v1/compliance/cases/?limit=1").json()["results"][0]
    assert oldest["age_days"] == 10

    for bad in (
        "kind=bond",
        "status=pending",
        "risk=extreme",
        "assignee=someone",
        "older_than_days=-1",
        "limit=0",
    ):
        answer = api.get(f"/api/v1/compliance/cases/?{bad}")
        assert answer.status_code == 400, bad
        assert bad.split("=")[0] in answer.json(), bad


def test_notes_and_assignment_over_the_api_show_on_the_case():
    case = kyb_case(submitted_company(name="Lantau Components Limited"))
    oscar, ada = officer(), approver()
    staff = client_of(oscar)
    assigned = post(staff, f"/api/v1/compliance/cases/{case.pk}/assign/", {"assignee": ada.pk})
    assert assigned.status_code == 200
    assert assigned.json()["assignee"] == {"id": ada.pk, "name": ada.full_name}
    noted = post(
        staff, f"/api/v1/compliance/cases/{case.pk}/notes/", {"text": "Address differs from the certificate."}
    )
    assert noted.status_code == 201
    assert noted.json()["author"] == {"id": oscar.pk, "name": oscar.full_name}
    detail = staff.get(f"/api/v1/compliance/cases/{case.pk}/").json()
    assert [note["text"] for note in detail["notes"]] == ["Address differs from the certificate."]
    assert detail["decisions"] == ["approve", "reject", "request_info", "escalate"]
    sentences = [entry["sentence"] for entry in detail["history"]]
    assert any("internal note" in s for s in sentences), sentences
    back = post(staff, f"/api/v1/compliance/cases/{case.pk}/assign/", {"assignee": None})
    assert back.json()["assignee"] is None
    assert staff.get("/api/v1/compliance/cases/999999/").status_code == 404


@override_settings(**ALL_HIGH)
def test_the_old_kyb_and_kyc_decisions_say_when_they_became_a_recommendation(platform):
    company = submitted_company(name="Lantau Components Limited")
    profile = submitted_investor()
    oscar, ada = client_of(officer()), client_of(approver())

    kept = post(oscar, f"/api/v1/kyb/{company.pk}/decision/", {"approve": True})
    assert kept.status_code == 202
    assert (kept.json()["recommended"], kept.json()["kyb_status"]) == (True, KybStatus.SUBMITTED)
    applied = post(ada, f"/api/v1/kyb/{company.pk}/decision/", {"approve": True})
    assert applied.status_code == 200
    assert (applied.json()["recommended"], applied.json()["kyb_status"]) == (False, KybStatus.VERIFIED)

    kept = post(oscar, f"/api/v1/kyc/{profile.pk}/decision/", {"approve": False, "reason": "No evidence"})
    assert kept.status_code == 202
    assert (kept.json()["recommended"], kept.json()["kyc_status"]) == (True, KycStatus.SUBMITTED)
    applied = post(ada, f"/api/v1/kyc/{profile.pk}/decision/", {"approve": False, "reason": "Agreed"})
    assert applied.status_code == 200
    assert (applied.json()["recommended"], applied.json()["kyc_status"]) == (False, KycStatus.REJECTED)
    assert InformationRequest.objects.count() == 0


def test_files_attached_one_by_one_go_with_the_answer_up_to_five_in_all():
    company = submitted_company(name="Lantau Components Limited")
    request = flows.information_request(company=company, by=officer())
    applicant = client_of(company.representative)
    attach = f"/api/v1/information-requests/{request.pk}/documents/"

    first = applicant.post(attach, {"file": SimpleUploadedFile("statement.pdf", PDF)})
    assert first.status_code == 201, first.json()
    assert first.json()["name"] == "statement.pdf"
    # The same file again, a file that is not a document, or someone else's request: refused.
    assert "documents" in applicant.post(attach, {"file": SimpleUploadedFile("again.pdf", PDF)}).json()
    assert "documents" in applicant.post(attach, {"file": SimpleUploadedFile("x.txt", b"text")}).json()
    stranger = client_of(UserFactory(role=Role.SME))
    assert stranger.post(attach, {"file": SimpleUploadedFile("s.pdf", PDF + b"s")}).status_code == 404
    for i in range(3):
        assert (
            applicant.post(attach, {"file": SimpleUploadedFile(f"{i}.pdf", PDF + bytes([i]))}).status_code
            == 201
        )

    url = f"/api/v1/information-requests/{request.pk}/answer/"
    # Four attached: two more would make six; the one attached already may not come again.
    too_many = [SimpleUploadedFile(f"{i}.png", PNG + bytes([i])) for i in range(2)]
    assert "documents" in applicant.post(url, {"answer": "Here", "documents": too_many}).json()
    twice = [SimpleUploadedFile("statement.pdf", PDF)]
    assert "documents" in applicant.post(url, {"answer": "Here", "documents": twice}).json()
    assert AnswerDocument.objects.filter(request=request).count() == 4

    answered = applicant.post(
        url, {"answer": "Statements attached.", "documents": [SimpleUploadedFile("last.png", PNG)]}
    )
    assert answered.status_code == 200, answered.json()
    assert [d["name"] for d in answered.json()["documents"]] == [
        "statement.pdf",
        "0.pdf",
        "1.pdf",
        "2.pdf",
        "last.png",
    ]
    late = applicant.post(attach, {"file": SimpleUploadedFile("late.pdf", PDF + b"late")})
    assert late.status_code == 409


def test_the_old_application_decision_says_when_it_became_a_recommendation(platform):
    oscar, ada = officer(), approver()
    with override_settings(COMPLIANCE_APPROVER_AMOUNT_HKD=Decimal("50000")):
        application = _submitted_application(oscar)
        url = f"/api/v1/applications/{application.pk}/decision/"
        kept = post(client_of(oscar), url, {"decision": "reject", "reason": "Thin trading history"})
        assert kept.status_code == 202
        assert (kept.json()["recommended"], kept.json()["status"]) == (True, ApplicationStatus.SUBMITTED)
        applied = post(client_of(ada), url, {"decision": "reject", "reason": "Agreed"})
    assert applied.status_code == 200
    assert (applied.json()["recommended"], applied.json()["status"]) == (False, ApplicationStatus.REJECTED)


def test_an_alert_is_cleared_under_four_eyes_and_an_escalated_case_waits_for_an_approver():
    company = submitted_company(name="Lantau Components Limited")
    case = kyb_case(company)
    alert = alert_raise(
        kind=AlertKind.SCREENING_MATCH,
        key=f"test:{company.pk}",
        summary="Possible match",
        company=company,
        parent=case,
    )
    oscar, ada = client_of(officer()), client_of(approver())
    assert decide(oscar, alert, Decision.APPROVE).status_code == 400  # alerts are cleared or confirmed
    kept = decide(oscar, alert, Decision.CLEAR, "Different birth year.")
    assert (kept.status_code, kept.json()["recommendation"]["decision"]) == (202, "clear")
    cleared = decide(ada, alert, Decision.CLEAR, "Agreed.")
    assert (cleared.status_code, cleared.json()["outcome"]) == (200, "cleared")
    listed = ada.get("/api/v1/compliance/alerts/?status=closed&alert_kind=screening_match").json()
    assert [a["id"] for a in listed["results"]] == [alert.pk]

    escalated = decide(oscar, case, Decision.ESCALATE, "Director's address differs.")
    assert (escalated.status_code, escalated.json()["status"]) == (200, CaseStatus.AWAITING_APPROVER)
    assert escalated.json()["escalated"] is True
    assert decide(oscar, case, Decision.APPROVE).status_code == 403
    assert decide(ada, case, Decision.APPROVE).status_code == 200
    company.refresh_from_db()
    assert company.kyb_status == KybStatus.VERIFIED


def test_an_application_is_sent_back_for_changes_over_the_case_api():
    oscar = officer()
    application = _submitted_application(oscar)
    case = Case.objects.get(application=application, kind=CaseKind.APPLICATION)
    staff = client_of(oscar)
    assert staff.get(f"/api/v1/compliance/cases/{case.pk}/").json()["decisions"] == [
        "approve",
        "reject",
        "request_info",
        "escalate",
        "request_changes",
    ]
    assert decide(staff, case, "request_changes", " ").status_code == 400
    sent_back = decide(staff, case, "request_changes", "Shorten the maturity to 18 months.")
    assert sent_back.status_code == 200
    assert (sent_back.json()["status"], sent_back.json()["outcome"]) == (
        CaseStatus.CLOSED,
        "changes_requested",
    )
    application.refresh_from_db()
    assert application.status == ApplicationStatus.CHANGES_REQUESTED
    # Only an application goes back for changes.
    kyb = kyb_case(submitted_company(name="Tsing Yi Precision Limited"))
    assert list(decide(staff, kyb, "request_changes", "Why not").json()) == ["detail", "code", "decision"]


@pytest.mark.parametrize("path", ["compliance/cases/", "audit/"])
def test_an_offset_past_any_list_is_a_field_error_not_a_server_error(client, path):
    client.force_login(UserFactory(role=Role.OFFICER))
    answer = client.get(f"/api/v1/{path}", {"offset": 10**12})
    assert answer.status_code == 400
    assert "offset" in answer.json()
