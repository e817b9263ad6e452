"""The case pages: the queue, a case with its evidence and decision, and the applicant's answers.

Every decision goes through the same services as the API, so the four-eyes rules hold here too: an
officer's approval of a high-risk case is kept as a recommendation, the recommender cannot decide,
a different approver can; refusals come back as form errors (400 or 403) and change nothing.
"""

from __future__ import annotations

from datetime import timedelta
from html import unescape

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from accounts.choices import Role
from accounts.tests.factories import UserFactory
from compliance.cases.choices import AlertKind, CaseKind, CaseStatus, Decision, Outcome
from compliance.cases.models import AnswerDocument, Case, CaseNote, InformationRequest
from compliance.cases.services import (
    alert_raise,
    case_answer_information,
    case_request_information,
    conflict_declare,
)
from compliance.models import AuditEvent
from financing.choices import ApplicationStatus
from financing.tests.test_views import bond_application, verified_company
from issuers.choices import KybStatus
from tests import flows
from tests.flows import submitted_company, submitted_investor

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj << >> endobj\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def officer(name: str = "Oscar Officer"):
    return UserFactory(role=Role.OFFICER, full_name=name)


def approver(name: str = "Ada Approver"):
    return UserFactory(role=Role.APPROVER, full_name=name)


def kyb_case(name: str = "Lantau Components Limited") -> Case:
    return Case.objects.get(company=submitted_company(name=name), kind=CaseKind.KYB)


def url_of(case: Case) -> str:
    return reverse("compliance:case", args=[case.pk])


def state(case: Case) -> tuple:
    """Everything a refused decision must leave as it was."""
    case.refresh_from_db()
    assert case.company is not None
    case.company.refresh_from_db()
    return (
        case.status,
        case.outcome,
        case.recommended_by_id,
        case.decided_by_id,
        case.company.kyb_status,
        AuditEvent.objects.count(),
    )


# ---- four eyes on the page ------------------------------------------------------------------------


def test_an_officers_approval_of_a_high_risk_case_becomes_a_recommendation_an_approver_decides(
    client, settings
):
    settings.COMPLIANCE_RISK_MEDIUM_FROM, settings.COMPLIANCE_RISK_HIGH_FROM = 0, 0
    case = kyb_case()
    oscar, ada, bea = officer(), approver(), approver("Bea Approver")

    client.force_login(oscar)
    page = client.get(url_of(case)).content.decode()
    assert "your approve or reject is recorded as a recommendation" in page
    answer = client.post(url_of(case), {"decision": "approve", "reason": "Certificate matches."})
    assert answer.status_code == 302
    shown = client.get(answer.url).content.decode()
    assert "Recorded as your recommendation to approve" in shown
    assert "Awaiting an approver." in shown
    assert "Oscar Officer recommends: <strong>approve</strong>" in shown
    assert "Why: Certificate matches." in shown
    case.refresh_from_db()
    assert (case.status, case.recommended_by) == (CaseStatus.AWAITING_APPROVER, oscar)
    assert case.company.kyb_status == KybStatus.SUBMITTED

    # Another officer reads why they cannot decide, and is refused if they try.
    client.force_login(officer("Olive Officer"))
    page = client.get(url_of(case))
    assert page.context["why_not"].endswith(
        f"An approver decides case #{case.pk} because it is high risk, on the recommendation already made."
    )
    assert not page.context["show_decision"]
    before = state(case)
    refused = client.post(url_of(case), {"decision": "approve", "reason": ""})
    assert refused.status_code == 403
    assert f"An approver decides case #{case.pk} because it is high risk" in refused.content.decode()
    assert state(case) == before

    # The approver sees it first in the queue and decides it.
    client.force_login(ada)
    queue = client.get(reverse("compliance:queue"))
    assert [c.pk for c in queue.context["awaiting_mine"]] == [case.pk]
    assert "Awaiting your decision" in queue.content.decode()
    decided = client.post(url_of(case), {"decision": "approve", "reason": ""})
    assert decided.status_code == 302
    case.refresh_from_db()
    assert (case.status, case.outcome, case.decided_by) == (CaseStatus.CLOSED, Outcome.APPROVED, ada)
    assert case.company.kyb_status == KybStatus.VERIFIED
    assert f"Case #{case.pk} approved." in client.get(decided.url).content.decode()
    assert bea  # a second approver exists but was not needed


def test_the_recommender_cannot_decide_even_as_an_approver(client, settings):
    settings.COMPLIANCE_RISK_MEDIUM_FROM, settings.COMPLIANCE_RISK_HIGH_FROM = 0, 0
    case = kyb_case()
    ada = approver()
    client.force_login(ada)
    client.post(url_of(case), {"decision": "reject", "reason": "Ownership unclear."})
    case.refresh_from_db()
    assert (case.status, case.recommendation) == (CaseStatus.AWAITING_APPROVER, Decision.REJECT)

    page = client.get(url_of(case))
    assert "You made the recommendation on this case" in page.content.decode()
    assert "Four eyes: whoever recommends a decision cannot also take it." in page.content.decode()
    before = state(case)
    refused = client.post(url_of(case), {"decision": "reject", "reason": "Ownership unclear."})
    assert refused.status_code == 403
    assert "a different approver must decide" in refused.content.decode()
    assert state(case) == before

    client.force_login(approver("Bea Approver"))
    assert client.post(url_of(case), {"decision": "reject", "reason": "Agreed."}).status_code == 302
    case.refresh_from_db()
    assert (case.outcome, case.company.kyb_status) == (Outcome.REJECTED, KybStatus.REJECTED)


def test_the_submitter_and_connected_reviewers_cannot_act(client):
    case = kyb_case()
    before = state(case)
    client.force_login(case.company.representative)
    assert client.get(url_of(case)).status_code == 403
    assert client.post(url_of(case), {"decision": "approve"}).status_code == 403
    assert client.post(reverse("compliance:case_note", args=[case.pk]), {"text": "Hi"}).status_code == 403

    friend = officer("Frank Friend")
    conflict_declare(user=friend, company=case.company, reason="My cousin's firm")
    before = state(case)
    client.force_login(friend)
    page = client.get(url_of(case))
    assert "You declared a connection to this company." in page.context["why_not"]
    refused = client.post(url_of(case), {"decision": "approve", "reason": ""})
    assert refused.status_code == 403
    assert "Another reviewer must act" in refused.content.decode()
    assert state(case) == before


@pytest.mark.parametrize("decision", ["reject", "request_info", "escalate"])
def test_a_reason_is_required_for_all_but_approve_and_nothing_changes_without_it(client, decision):
    case = kyb_case()
    client.force_login(officer())
    before = state(case)
    refused = client.post(url_of(case), {"decision": decision, "reason": "  "})
    assert refused.status_code == 400
    assert refused.context["decision_form"].errors["reason"]
    assert 'class="field__errors"' in refused.content.decode()
    assert state(case) == before
    assert not InformationRequest.objects.exists()


def test_an_invalid_decision_is_a_form_error(client):
    case = kyb_case()
    client.force_login(officer())
    before = state(case)
    for data in ({"decision": "clear", "reason": "x"}, {"decision": "maybe"}, {}):
        refused = client.post(url_of(case), data)
        assert refused.status_code == 400, data
        assert refused.context["decision_form"].errors, data
    assert state(case) == before


def test_escalating_sends_the_case_to_an_approver_and_the_escalator_cannot_decide(client):
    case = kyb_case()
    oscar = officer()
    client.force_login(oscar)
    client.post(url_of(case), {"decision": "escalate", "reason": "Unusual ownership chain."})
    case.refresh_from_db()
    assert (case.status, case.escalated, case.recommended_by) == (CaseStatus.AWAITING_APPROVER, True, oscar)
    assert case.assignee == oscar  # whoever works on an unassigned case takes it
    page = client.get(url_of(case)).content.decode()
    assert "escalated the case" in page


# ---- what the case page shows ---------------------------------------------------------------------


def test_the_case_page_shows_the_subject_checks_risk_documents_inline_and_history(client):
    case = kyb_case()
    client.force_login(officer())
    page = client.get(url_of(case))
    html = page.content.decode()
    assert page.status_code == 200
    assert "Lantau Components Limited" in html
    assert "Directors and beneficial owners" in html
    assert "Grace Chan" in html
    assert [check.name for check in page.context["checks"]][:2] == ["Registration number", "Completeness"]
    assert "Industry: Logistics" in html  # a risk factor with its points
    documents = page.context["documents"]
    assert documents
    assert all(d.url.startswith("/compliance/documents/company/") for d in documents)
    assert f'<iframe class="doc__frame" src="{documents[0].url}"' in html
    assert "submitted" in html.lower()  # the history, in words
    assert f"case #{case.pk} &#x27;Company (KYB): Lantau Components Limited&#x27;" in html  # linked
    # The decision form names the object and the consequence before it posts.
    assert (
        f'data-confirm-approve="Approving verifies the company and creates its wallet for case #{case.pk}'
        in html
    )
    assert "closes_at" not in page.context["decision_form"].fields  # only application cases have options


def test_documents_open_inline_for_staff_only_with_their_type_and_framed_by_our_pages(client):
    case = kyb_case()
    document = case.company.documents.first()
    client.force_login(officer())
    answer = client.get(reverse("compliance:company_document", args=[document.pk]))
    assert answer.status_code == 200
    assert answer["Content-Type"] == document.content_type
    assert answer["Content-Disposition"].startswith("inline")
    assert answer["X-Frame-Options"] == "SAMEORIGIN"
    assert "frame-ancestors 'self'" in answer["Content-Security-Policy"]
    # Every other page keeps refusing to be framed.
    page = client.get(url_of(case))
    assert page["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in page["Content-Security-Policy"]
    for role in (Role.SME, Role.INVESTOR, Role.OPERATOR):
        client.force_login(UserFactory(role=role))
        assert client.get(reverse("compliance:company_document", args=[document.pk])).status_code == 403


def test_an_application_case_offers_the_offering_options_and_changes(client):
    application = bond_application(verified_company(), ApplicationStatus.SUBMITTED)
    from compliance.cases.services import case_open

    case = case_open(subject=application)
    client.force_login(officer())
    page = client.get(url_of(case))
    form = page.context["decision_form"]
    assert {"closes_at", "professional_investors_only"} <= set(form.fields)
    assert [value for value, _ in form.fields["decision"].choices] == [
        "approve",
        "reject",
        "request_info",
        "request_changes",
        "escalate",
    ]
    assert "Start review" in page.content.decode()
    past = timezone.localtime(timezone.now() - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    refused = client.post(url_of(case), {"decision": "approve", "closes_at": past})
    assert refused.status_code == 400
    assert "closes_at" in refused.context["decision_form"].errors


def test_an_alert_is_cleared_or_confirmed_with_a_reason(client):
    company = submitted_company(name="Lantau Components Limited")
    alert = alert_raise(
        kind=AlertKind.EVIDENCE_EXPIRING,
        key="test:certificate",
        summary="Business registration certificate expires in 10 days",
        company=company,
    )
    client.force_login(officer())
    page = client.get(url_of(alert))
    choices = [value for value, _ in page.context["decision_form"].fields["decision"].choices]
    assert choices == ["clear", "confirm", "request_info", "escalate"]
    assert "Business registration certificate expires in 10 days" in page.content.decode()

    before = AuditEvent.objects.count()
    refused = client.post(url_of(alert), {"decision": "clear", "reason": ""})
    assert refused.status_code == 400
    assert AuditEvent.objects.count() == before
    assert (
        client.post(url_of(alert), {"decision": "clear", "reason": "Renewed yesterday."}).status_code == 302
    )
    alert.refresh_from_db()
    assert (alert.status, alert.outcome) == (CaseStatus.CLOSED, Outcome.CLEARED)


def test_notes_and_assignment(client):
    case = kyb_case()
    oscar, olive = officer(), officer("Olive Officer")
    client.force_login(oscar)
    assert client.post(reverse("compliance:case_note", args=[case.pk]), {"text": " "}).status_code == 400
    assert not CaseNote.objects.exists()
    client.post(reverse("compliance:case_note", args=[case.pk]), {"text": "Called the registry."})
    assert "Called the registry." in client.get(url_of(case)).content.decode()

    assign = reverse("compliance:case_assign", args=[case.pk])
    assert client.post(assign, {"assignee": str(oscar.pk)}).status_code == 302  # "take it"
    case.refresh_from_db()
    assert case.assignee == oscar
    client.post(assign, {"assignee": str(olive.pk)})
    case.refresh_from_db()
    assert case.assignee == olive
    conflicted = officer("Frank Friend")
    conflict_declare(user=conflicted, company=case.company, reason="Former employer")
    refused = client.post(assign, {"assignee": str(conflicted.pk)})
    assert refused.status_code == 400
    assert "They declared a connection" in refused.content.decode()
    client.post(assign, {"assignee": "none"})
    case.refresh_from_db()
    assert case.assignee is None


# ---- the queue ------------------------------------------------------------------------------------


def test_the_queue_filters_and_pages(client, settings):
    cases = [kyb_case(f"Company {n} Limited") for n in range(3)]
    old = cases[0]
    Case.objects.filter(pk=old.pk).update(opened_at=timezone.now() - timedelta(days=10))
    oscar = officer()
    Case.objects.filter(pk=cases[1].pk).update(assignee=oscar)
    client.force_login(oscar)

    def found(**query):
        page = client.get(reverse("compliance:queue"), query)
        assert page.status_code == 200, page.context["form"].errors
        return [case.pk for case in page.context["page"].object_list]

    assert found() == [c.pk for c in cases]
    assert found(older_than_days=5) == [old.pk]
    assert found(assignee="me") == [cases[1].pk]
    assert found(assignee="none") == [cases[0].pk, cases[2].pk]
    assert found(search="company 2") == [cases[2].pk]
    assert found(kind="kyc") == []
    assert found(status="closed") == []
    assert found(risk="high") == []
    page = client.get(reverse("compliance:queue")).content.decode()
    assert "1\xa0week" in page  # the age of the oldest case (10 days), in its largest unit
    assert client.get(reverse("compliance:queue"), {"older_than_days": "٣"}).status_code == 400

    settings.COMPLIANCE_RISK_MEDIUM_FROM, settings.COMPLIANCE_RISK_HIGH_FROM = 0, 0
    client.post(url_of(cases[2]), {"decision": "reject", "reason": "No."})
    assert found(status="awaiting_approver") == [cases[2].pk]

    from compliance.forms import CASE_PAGE_SIZE

    more = [kyb_case(f"Firm {n} Limited") for n in range(CASE_PAGE_SIZE)]
    second = client.get(reverse("compliance:queue"), {"page": 2})
    assert [c.pk for c in second.context["page"].object_list] == [c.pk for c in more[-3:]]


# ---- the subject's pages from before cases ----------------------------------------------------------


def test_the_old_subject_pages_lead_to_the_open_case_or_show_the_subject_read_only(client):
    case = kyb_case()
    client.force_login(officer())
    answer = client.get(reverse("compliance:kyb_review", args=[case.company.pk]))
    assert answer.url == url_of(case)
    client.post(url_of(case), {"decision": "reject", "reason": "Unclear ownership."})
    page = client.get(reverse("compliance:kyb_review", args=[case.company.pk]))
    assert page.status_code == 200
    assert list(page.context["cases"]) == [case]
    assert "None is open: this page is read-only." in page.content.decode()
    assert client.post(reverse("compliance:kyb_review", args=[case.company.pk]), {}).status_code == 405


# ---- the applicant's side -------------------------------------------------------------------------


def test_a_request_for_information_is_answered_in_the_browser_and_the_case_returns_to_the_queue(client):
    case = kyb_case()
    oscar = officer()
    sme = case.company.representative
    client.force_login(oscar)
    client.post(reverse("compliance:case_note", args=[case.pk]), {"text": "Internal: looks odd."})
    client.post(url_of(case), {"decision": "request_info", "reason": "Send the shareholder register."})
    case.refresh_from_db()
    assert case.status == CaseStatus.INFO_REQUESTED
    info = InformationRequest.objects.get(case=case)

    client.force_login(sme)
    for name in ("issuers:dashboard", "issuers:company_kyb"):
        page = client.get(reverse(name)).content.decode()
        assert "Send the shareholder register." in page, name
        assert "1 waiting for your answer" in page, name
        assert "Internal: looks odd." not in page, name
    detail = reverse("requests:detail", args=[info.pk])
    page = unescape(client.get(detail).content.decode())
    assert "Your company's KYB review" in page
    assert "Internal: looks odd." not in page

    attach = reverse("requests:document_add", args=[info.pk])
    assert client.post(attach, {"documents": SimpleUploadedFile("register.pdf", PDF)}).status_code == 302
    assert client.post(attach, {"documents": SimpleUploadedFile("photo.png", PNG)}).status_code == 302
    assert client.post(detail, {"answer": ""}).status_code == 400
    assert client.post(detail, {"answer": "Attached, signed by the secretary."}).status_code == 302
    info.refresh_from_db()
    case.refresh_from_db()
    assert (info.status, case.status) == ("answered", CaseStatus.OPEN)
    # Answered requests stay visible to the applicant.
    dashboard = client.get(reverse("issuers:dashboard")).content.decode()
    assert "Answered (1)" in dashboard
    assert "Attached, signed by the secretary." in client.get(detail).content.decode()
    assert client.post(detail, {"answer": "Again"}).status_code == 400  # once only

    # Compliance reads the answer and views both documents inline.
    client.force_login(oscar)
    page = client.get(url_of(case))
    html = page.content.decode()
    assert "Attached, signed by the secretary." in html
    shown = [d for d in page.context["documents"] if d.kind == "Answer to a request for information"]
    assert [d.name for d in shown] == ["register.pdf", "photo.png"]
    assert f'<img class="doc__image" src="{shown[1].url}"' in html
    image = client.get(shown[1].url)
    assert (image.status_code, image["Content-Type"]) == (200, "image/png")


def test_a_bad_answer_file_is_refused_and_nothing_is_stored(client):
    case = kyb_case()
    info = case_request_information(actor=officer(), case_id=case.pk, question="Proof of address?")
    client.force_login(case.company.representative)
    attach = reverse("requests:document_add", args=[info.pk])
    for upload in (
        SimpleUploadedFile("notes.txt", b"just text"),
        SimpleUploadedFile("empty.pdf", b""),
    ):
        refused = client.post(attach, {"documents": upload})
        assert refused.status_code == 400
        assert refused.context["document_form"].errors["documents"]
    assert (
        "Upload a PDF, PNG or JPEG file."
        in client.post(attach, {"documents": SimpleUploadedFile("x.txt", b"x")}).content.decode()
    )
    assert not AnswerDocument.objects.exists()
    assert not default_storage.exists(f"cases/{case.pk}")
    info.refresh_from_db()
    assert info.status == "open"


def test_only_the_applicant_sees_a_request(client):
    case = kyb_case()
    info = case_request_information(actor=officer(), case_id=case.pk, question="Proof of address?")
    detail = reverse("requests:detail", args=[info.pk])
    client.force_login(UserFactory(role=Role.SME))
    assert client.get(detail).status_code == 404
    assert client.post(detail, {"answer": "Mine"}).status_code == 404
    client.force_login(officer())
    assert client.get(detail).status_code == 403
    info.refresh_from_db()
    assert info.status == "open"


def test_an_investor_answers_on_their_portfolio_page(client):
    profile = submitted_investor()
    case = Case.objects.get(investor=profile)
    info = case_request_information(
        actor=officer(), case_id=case.pk, question="Your latest custodian statement?"
    )
    client.force_login(profile.user)
    page = client.get(reverse("financing:investor_dashboard")).content.decode()
    assert "Your latest custodian statement?" in page
    assert "Your investor due diligence" in page
    assert client.post(reverse("requests:detail", args=[info.pk]), {"answer": "Sent."}).status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.OPEN


def test_the_sme_sees_a_request_about_an_application_on_its_page_and_the_queue_reads_it_cheaply(
    client, django_assert_max_num_queries
):
    from compliance.cases.services import case_open

    company = verified_company()
    applications = [bond_application(company, ApplicationStatus.SUBMITTED) for _ in range(3)]
    cases = [case_open(subject=application) for application in applications]
    info = case_request_information(actor=officer(), case_id=cases[0].pk, question="The board resolution?")
    client.force_login(company.representative)
    page = client.get(reverse("financing:application_detail", args=[applications[0].pk])).content.decode()
    assert "The board resolution?" in page
    assert reverse("requests:detail", args=[info.pk]) in page
    other = client.get(reverse("financing:application_detail", args=[applications[1].pk])).content.decode()
    assert "The board resolution?" not in other

    client.force_login(officer("Olive Officer"))
    client.get(reverse("compliance:queue"))  # the session's first reads
    # session, user, their authenticator, the reviewers, counts, page: not per row
    with django_assert_max_num_queries(8):
        queue = client.get(reverse("compliance:queue"))
    assert queue.content.decode().count("Bond · 5% semi-annual") == 3


def test_the_applicant_takes_a_file_back_off_the_answer_before_sending_it(
    client, django_capture_on_commit_callbacks
):
    info = flows.information_request(
        company=submitted_company(name="Lantau Components Limited"), by=officer()
    )
    document = flows.answer_document(info)
    stored = document.file.name
    other = flows.answer_document(
        flows.information_request(company=submitted_company(name="Sai Kung Foods Limited"), by=officer())
    )
    sme = info.case.company.representative
    client.force_login(sme)
    remove = "requests:document_remove"

    assert client.post(reverse(remove, args=[info.pk, other.pk])).status_code == 302  # not theirs: refused
    assert AnswerDocument.objects.filter(pk=other.pk).exists()
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(reverse(remove, args=[info.pk, document.pk]))
    assert answer.url == reverse("requests:detail", args=[info.pk])
    assert not AnswerDocument.objects.filter(pk=document.pk).exists()
    assert not default_storage.exists(stored)

    kept = flows.answer_document(info)
    case_answer_information(user=sme, request_id=info.pk, answer="Here it is.")
    api = client.delete(f"/api/v1/information-requests/documents/{kept.pk}/")
    assert api.status_code == 409
    assert AnswerDocument.objects.filter(pk=kept.pk).exists()
