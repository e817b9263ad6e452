"""Pages of compliance: the case queue, a case with its evidence and decision, answers, the audit trail."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from csp.constants import SELF
from csp.decorators import csp_replace
from django import forms
from django.contrib import messages
from django.db.models import Model
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET, require_POST

from accounts.choices import COMPLIANCE_ROLES, Role
from accounts.models import User
from accounts.permissions import role_required
from compliance.audit import audit_chain_verify
from compliance.audit_export import audit_csv_lines, audit_csv_response
from compliance.cases.choices import FINAL_DECISIONS, CaseKind, CaseStatus, Decision
from compliance.cases.evidence import alert_detail, case_checks, case_documents
from compliance.cases.models import AnswerDocument, Case
from compliance.cases.selectors import (
    awaiting_approver,
    case_detail,
    case_history,
    cases_about,
    cases_queue,
    queue_counts,
    request_for,
)
from compliance.cases.services import (
    answer_document_add,
    answer_document_remove,
    awaiting_approver_refusal,
    case_answer_information,
    case_assign,
    case_for,
    case_note_add,
    case_take,
    may_act,
)
from compliance.forms import (
    CASE_PAGE_SIZE,
    AnswerDocumentForm,
    AnswerForm,
    AuditFilterForm,
    CaseAssignForm,
    CaseDecisionForm,
    CaseFilterForm,
    CaseNoteForm,
    KycRevokeForm,
)
from compliance.models import InvestorDocument
from compliance.selectors import (
    audit_entries,
    audit_events,
    audit_status,
    investor_profile_for_review,
    investors_with_failed_chain_setup,
)
from compliance.services import REQUEST_CHANGES, case_decide, investor_chain_setup_retry, investor_kyc_revoke
from config.errors import ApplicationError, Conflict, PermissionDenied
from config.forms import REFUSALS, apply_errors
from config.middleware import accepts_uploads
from config.pages import page_of
from financing.backing import backing_for_review
from financing.selectors import application_schedule, applications_visible_to
from financing.services import application_start_review as application_start_review_service
from issuers.models import Document
from issuers.ownership import ownership_rule
from issuers.selectors import company_for_review, registration_holders

AUDIT_PAGE_SIZE = 50


def _refusal_status(exc: ApplicationError) -> int:
    """The page's answer to a refusal: 403 for who may not act, 404, 503 for an outage, else 400."""
    return exc.status_code if exc.status_code in (403, 404, 503) else 400


T = TypeVar("T")


def _attempt(form: forms.Form, action: Callable[[dict[str, Any]], T]) -> tuple[T | None, int]:
    """Run a service on the valid form's data: (its result, 200), or (None, the status) with the
    form invalid or carrying the service's refusal."""
    if not form.is_valid():
        return None, 400
    try:
        return action(form.cleaned_data), 200
    except REFUSALS as exc:
        apply_errors(form, exc)
        return None, _refusal_status(exc)


# ---- the queue -----------------------------------------------------------------------------------


@role_required(*COMPLIANCE_ROLES)
def queue(request: HttpRequest) -> HttpResponse:
    """Every case waiting for compliance in one table, filtered; an approver's own decisions first."""
    form = CaseFilterForm(request.GET or None)
    where = form.case_filter()
    cases = cases_queue(request.user, where).select_related("application__terms")  # the terms line
    page = page_of(request, cases, size=CASE_PAGE_SIZE)
    query = request.GET.copy()
    query.pop("page", None)
    counts = queue_counts(request.user, where)
    tabs = []
    for kind, label in [("", gettext("All kinds")), *CaseKind.choices]:
        tab_query = query.copy()
        tab_query.pop("kind", None)
        if kind:
            tab_query["kind"] = kind
        count = counts.get(kind, 0) if kind else sum(counts.values())
        tabs.append(
            {"label": label, "count": count, "query": tab_query.urlencode(), "active": where.kind == kind}
        )
    mine = awaiting_approver(request.user) if request.user.role == Role.APPROVER else Case.objects.none()
    context = {
        "form": form,
        "page": page,
        "tabs": tabs,
        "query": query.urlencode(),
        "filtered": any(value for key, value in query.items()),
        "awaiting_mine": page_of(request, mine.select_related("recommended_by"), size=10, param="mine_page"),
        "stuck_investors": page_of(request, investors_with_failed_chain_setup(), size=10, param="stuck_page"),
    }
    return render(request, "compliance/queue.html", context, status=400 if form.errors else 200)


# ---- one case ------------------------------------------------------------------------------------


def _all_decisions(case: Case) -> list[str]:
    changes = [REQUEST_CHANGES] if case.kind == CaseKind.APPLICATION else []
    return [*FINAL_DECISIONS[case.kind], Decision.REQUEST_INFO, *changes, Decision.ESCALATE]


def _why_not(user: User, case: Case) -> str:
    """Why `user` cannot act on the case now ('' when they can), in the services' own words."""
    try:
        may_act(user, case)
    except (PermissionDenied, Conflict) as exc:
        return exc.message
    if case.status == CaseStatus.INFO_REQUESTED:
        return gettext("The applicant has not answered the request for information yet.")
    if case.status == CaseStatus.AWAITING_APPROVER:
        return awaiting_approver_refusal(user, case)
    return ""


def _decisions_shown(user: User, case: Case) -> list[str]:
    """The decisions the page offers this reviewer now (the services refuse anything else anyway)."""
    if _why_not(user, case):
        return []
    shown = list(FINAL_DECISIONS[case.kind])
    if case.kind != CaseKind.ALERT or case.company_id or case.investor_id:
        shown.append(Decision.REQUEST_INFO)
    if case.kind == CaseKind.APPLICATION:
        shown.append(REQUEST_CHANGES)
    if case.status == CaseStatus.OPEN:
        shown.append(Decision.ESCALATE)
    return shown


def _subject_name(case: Case) -> str:
    if case.application is not None:
        return f"{case.application.reference} {case.application.title}"
    if case.investor is not None:
        return case.investor.legal_name
    if case.company is not None:
        return case.company.legal_name_en
    return case.summary


CONSEQUENCES = {
    CaseKind.KYB: {
        "approve": "Approving verifies the company and creates its wallet",
        "reject": "Rejecting tells the SME your reason",
    },
    CaseKind.KYC: {
        "approve": "Approving creates the investor's wallet and registers it on chain",
        "reject": "Rejecting tells the investor your reason",
    },
    CaseKind.APPLICATION: {
        "approve": "Approving creates the offering and deploys its token on chain",
        "reject": "Rejecting tells the SME your reason",
    },
    CaseKind.ALERT: {
        "clear": "Clearing closes the alert as not a match",
        "confirm": "Confirming blocks the party and freezes its wallet where the alert is a sanctions match",
    },
}


def _confirm_texts(case: Case) -> dict[str, str]:
    """What the decision form asks before it posts, per decision: the object and the consequence."""
    what = f"case #{case.pk} ({_subject_name(case)})"
    four_eyes = (
        " As the case needs an approver, your decision is recorded as a recommendation."
        if case.needs_approver and case.status == CaseStatus.OPEN
        else ""
    )
    texts = {
        decision: f"{consequence} for {what}.{four_eyes} Continue?"
        for decision, consequence in CONSEQUENCES[case.kind].items()
    }
    texts["request-info"] = (
        f"Send your question about {what} to the applicant? The case waits for the answer."
    )
    texts["request-changes"] = f"Send {what} back to the SME to change and submit again?"
    texts["escalate"] = f"Escalate {what} to an approver? You will not be able to decide it yourself."
    return texts


def _render_case(request: HttpRequest, case: Case, *, status: int = 200, **bound: Any) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    decision_form = bound.get("decision_form") or CaseDecisionForm(
        decisions=_decisions_shown(user, case), application=case.kind == CaseKind.APPLICATION
    )
    company = case.company if case.kind in (CaseKind.KYB, CaseKind.ALERT) else None
    if company is not None:
        company = company_for_review(company.pk)
    context = {
        "case": case,
        "subject_name": _subject_name(case),
        "company": company,
        "profile": investor_profile_for_review(case.investor_id) if case.investor_id else None,
        "application": case.application,
        "schedule": application_schedule(case.application) if case.application else None,
        "backing": backing_for_review(case.application) if case.application else None,
        "holders": registration_holders(company) if company is not None else [],
        "ownership_rule": ownership_rule(company.jurisdiction) if company is not None else None,
        "checks": case_checks(case),
        "alert": alert_detail(case) if case.kind == CaseKind.ALERT else None,
        "documents": case_documents(case),
        "history": case_history(user, case),
        "requests": list(case.information_requests.all()),
        "children": list(case.children.all()),
        "why_not": _why_not(user, case),
        "decision_form": decision_form,
        "show_decision": bool(decision_form.fields["decision"].choices) or decision_form.is_bound,
        "confirm": _confirm_texts(case),
        "note_form": bound.get("note_form") or CaseNoteForm(),
        "assign_form": bound.get("assign_form")
        or CaseAssignForm(initial={"assignee": str(case.assignee_id) if case.assignee_id else "none"}),
    }
    return render(request, "compliance/case.html", context, status=status)


def _case_or_404(request: HttpRequest, pk: int) -> Case:
    assert isinstance(request.user, User)
    case = case_detail(request.user, pk)
    if case is None:
        raise Http404("No such case.")
    return case


def _done(case: Case, decision: str) -> str:
    """What the reviewer is told after a decision the services accepted."""
    if decision == Decision.REQUEST_INFO:
        return gettext(
            "Your question was sent to the applicant; the case returns to the queue when they answer."
        )
    if decision == Decision.ESCALATE:
        return gettext("Case #%(pk)s escalated: an approver decides it.") % {"pk": case.pk}
    if decision == REQUEST_CHANGES:
        return gettext("Changes requested; the SME sees your reason and can submit the application again.")
    if case.status == CaseStatus.AWAITING_APPROVER:
        return gettext(
            "Recorded as your recommendation to %(lower)s: an approver decides "
            "case #%(pk)s because %(approver_reason)s."
        ) % {
            "lower": Decision(decision).label.lower(),
            "pk": case.pk,
            "approver_reason": case.approver_reason,
        }
    then = {
        (CaseKind.KYC, Decision.APPROVE): " The wallet is being registered on chain.",
        (
            CaseKind.APPLICATION,
            Decision.APPROVE,
        ): " The offering was created and its token is being deployed.",
    }.get((case.kind, decision), "")
    return gettext("Case #%(pk)s %(lower)s.%(then)s The decision is in the audit trail.") % {
        "pk": case.pk,
        "lower": case.get_outcome_display().lower(),
        "then": then,
    }


@role_required(*COMPLIANCE_ROLES)
def case_page(request: HttpRequest, pk: int) -> HttpResponse:
    """A case with everything beside the decision; POST records a decision through the services."""
    case = _case_or_404(request, pk)
    if request.method != "POST":
        return _render_case(request, case)
    form = CaseDecisionForm(
        request.POST, decisions=_all_decisions(case), application=case.kind == CaseKind.APPLICATION
    )
    decided, status = _attempt(
        form,
        lambda data: case_decide(
            actor=request.user,
            case_id=case.pk,
            decision=data["decision"],
            reason=data["reason"],
            **form.options(),
        ),
    )
    if decided is not None:
        if decided.is_open:
            case_take(actor=request.user, case=decided)
        messages.success(request, _done(decided, form.cleaned_data["decision"]))
        return redirect("compliance:case", pk=case.pk)
    return _render_case(request, case, status=status, decision_form=form)


@role_required(*COMPLIANCE_ROLES)
@require_POST
def case_note(request: HttpRequest, pk: int) -> HttpResponse:
    """Add an internal note."""
    case = _case_or_404(request, pk)
    form = CaseNoteForm(request.POST)
    note, status = _attempt(
        form, lambda data: case_note_add(actor=request.user, case_id=case.pk, text=data["text"])
    )
    if note is not None:
        messages.success(request, gettext("Note added."))
        return redirect(reverse("compliance:case", args=[case.pk]) + "#notes")
    return _render_case(request, case, status=status, note_form=form)


@role_required(*COMPLIANCE_ROLES)
@require_POST
def case_assignment(request: HttpRequest, pk: int) -> HttpResponse:
    """Give the case to a reviewer (or take it), or back to the queue."""
    case = _case_or_404(request, pk)
    form = CaseAssignForm(request.POST)
    assigned, status = _attempt(
        form, lambda data: case_assign(actor=request.user, case_id=case.pk, assignee_id=form.assignee_id)
    )
    if assigned is not None:
        who = assigned.assignee
        if who == request.user:
            messages.success(request, gettext("You took the case."))
        else:
            messages.success(
                request, f"Assigned to {who.full_name}." if who else "Back in the queue, unassigned."
            )
        return redirect("compliance:case", pk=case.pk)
    return _render_case(request, case, status=status, assign_form=form)


def _inline(document: Document | AnswerDocument | InvestorDocument) -> FileResponse:
    """The stored file shown in the browser (not downloaded), with the type recorded at upload."""
    return FileResponse(
        document.file.open("rb"),
        as_attachment=False,
        filename=document.original_name,
        content_type=document.content_type,
    )


# A case page frames these (PDF in an iframe, images as img): only the platform's own pages may.
FRAMED_BY_OUR_PAGES = {"frame-ancestors": [SELF]}


@xframe_options_sameorigin
@csp_replace(FRAMED_BY_OUR_PAGES)
@role_required(*COMPLIANCE_ROLES)
def company_document(request: HttpRequest, pk: int) -> FileResponse:
    """A company's KYB document, inline, for compliance staff."""
    return _inline(get_object_or_404(Document, pk=pk))


@xframe_options_sameorigin
@csp_replace(FRAMED_BY_OUR_PAGES)
@role_required(*COMPLIANCE_ROLES)
def investor_document(request: HttpRequest, pk: int) -> FileResponse:
    """An investor's KYC evidence file (identity, address, PI evidence), inline, for compliance staff."""
    return _inline(get_object_or_404(InvestorDocument, pk=pk))


@xframe_options_sameorigin
@csp_replace(FRAMED_BY_OUR_PAGES)
@role_required(*COMPLIANCE_ROLES)
def answer_document(request: HttpRequest, pk: int) -> FileResponse:
    """A document attached to an answer to a request for information, inline, for compliance staff."""
    return _inline(get_object_or_404(AnswerDocument, pk=pk))


# ---- the pages of a subject, from before cases: to its open case, or read-only -------------------


def _subject_page(
    request: HttpRequest, subject: Model, template: str, context: dict[str, Any]
) -> HttpResponse:
    """The subject's open case if it has one; otherwise the subject read-only, with its cases."""
    case = case_for(subject)
    if case is not None:
        return redirect("compliance:case", pk=case.pk)
    context["cases"] = cases_about(request.user, subject)
    return render(request, template, context)


@role_required(*COMPLIANCE_ROLES)
@require_GET
def kyb_review(request: HttpRequest, pk: int) -> HttpResponse:
    """A company: its open case, or its details and past cases."""
    company = company_for_review(pk)
    if company is None:
        raise Http404("No such company.")
    context = {
        "company": company,
        "holders": registration_holders(company),
        "ownership_rule": ownership_rule(company.jurisdiction),
    }
    return _subject_page(request, company, "compliance/kyb_review.html", context)


@role_required(*COMPLIANCE_ROLES)
@require_GET
def kyc_review(request: HttpRequest, pk: int) -> HttpResponse:
    """An investor: the open case, or the details (and the on-chain set-up retry) and past cases."""
    profile = investor_profile_for_review(pk)
    if profile is None:
        raise Http404("No such investor.")
    context = {"profile": profile, "revoke_form": KycRevokeForm()}
    return _subject_page(request, profile, "compliance/kyc_review.html", context)


@role_required(*COMPLIANCE_ROLES)
@require_POST
def kyc_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    """Revoke an approved investor, with a reason: subscriptions stop, the identity leaves the chain."""
    form = KycRevokeForm(request.POST)
    if form.is_valid():
        try:
            investor_kyc_revoke(actor=request.user, profile_id=pk, reason=form.cleaned_data["reason"])
        except ApplicationError as exc:
            if exc.status_code == 404:
                raise Http404(exc.message) from exc
            messages.error(request, exc.message)
        else:
            messages.success(
                request, gettext("Approval revoked; the identity is being removed from the chain.")
            )
    else:
        messages.error(request, gettext("Say why the approval is revoked."))
    return redirect("compliance:kyc_review", pk=pk)


@role_required(*COMPLIANCE_ROLES)
@require_GET
def application_review(request: HttpRequest, pk: int) -> HttpResponse:
    """An application: its open case, or its terms, decision and past cases."""
    application = get_object_or_404(applications_visible_to(request.user), pk=pk)
    context = {
        "application": application,
        "schedule": application_schedule(application),
        "backing": backing_for_review(application),
    }
    return _subject_page(request, application, "compliance/application_review.html", context)


# ---- the applicant's side: requests for information ----------------------------------------------


def _render_request(request: HttpRequest, info: Any, *, status: int = 200, **bound: Any) -> HttpResponse:
    context = {
        "info": info,
        "answer_form": bound.get("answer_form") or AnswerForm(),
        "document_form": bound.get("document_form") or AnswerDocumentForm(),
        "documents": list(info.documents.all()),
    }
    return render(request, "compliance/information_request.html", context, status=status)


def _request_or_404(request: HttpRequest, pk: int) -> Any:
    assert isinstance(request.user, User)
    info = request_for(request.user, pk)
    if info is None:
        raise Http404("No such request for information.")
    return info


@role_required(Role.SME, Role.INVESTOR)
def information_request(request: HttpRequest, pk: int) -> HttpResponse:
    """What compliance asked, and the applicant's answer (written here, sent once)."""
    info = _request_or_404(request, pk)
    if request.method != "POST":
        return _render_request(request, info)
    form = AnswerForm(request.POST)
    answered, status = _attempt(
        form,
        lambda data: case_answer_information(user=request.user, request_id=info.pk, answer=data["answer"]),
    )
    if answered is not None:
        messages.success(request, gettext("Answer sent. Compliance continues the review with it."))
        return redirect("requests:detail", pk=info.pk)
    return _render_request(request, info, status=status, answer_form=form)


@accepts_uploads
@role_required(Role.SME, Role.INVESTOR)
@require_POST
def information_request_document(request: HttpRequest, pk: int) -> HttpResponse:
    """Attach one document to the answer, before it is sent."""
    info = _request_or_404(request, pk)
    form = AnswerDocumentForm(request.POST, request.FILES)
    added, status = _attempt(
        form,
        lambda data: answer_document_add(user=request.user, request_id=info.pk, upload=data["documents"]),
    )
    if added is not None:
        messages.success(
            request, gettext("%(original_name)s attached.") % {"original_name": added.original_name}
        )
        return redirect("requests:detail", pk=info.pk)
    return _render_request(request, info, status=status, document_form=form)


@role_required(Role.SME, Role.INVESTOR)
@require_POST
def information_request_document_remove(request: HttpRequest, pk: int, document_id: int) -> HttpResponse:
    """Take an attached document back off the answer, before it is sent."""
    info = _request_or_404(request, pk)
    try:
        answer_document_remove(user=request.user, document_id=document_id)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, gettext("Document removed from your answer."))
    return redirect("requests:detail", pk=info.pk)


# ---- chain set-up, application review start, the audit trail ---------------------------------------


@role_required(*COMPLIANCE_ROLES)
@require_POST
def kyc_chain_retry(request: HttpRequest, pk: int) -> HttpResponse:
    """Send an approved investor's failed identity registration again."""
    try:
        investor_chain_setup_retry(actor=request.user, profile_id=pk)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, gettext("Sent again; the investor can subscribe once the chain confirms."))
    return redirect("compliance:kyc_review", pk=pk)


@role_required(*COMPLIANCE_ROLES)
@require_POST
def application_start_review(request: HttpRequest, pk: int) -> HttpResponse:
    """Take a submitted application into review, so the SME and colleagues see it is being looked at."""
    get_object_or_404(applications_visible_to(request.user), pk=pk)
    try:
        application_start_review_service(actor=request.user, application_id=pk)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, gettext("You are now reviewing this application."))
    return redirect("compliance:application_review", pk=pk)


@role_required(*COMPLIANCE_ROLES)
def audit(request: HttpRequest) -> HttpResponse:
    """The audit trail in words, filtered and newest first, and what its last verification found."""
    form = AuditFilterForm(request.GET or None)
    page = page_of(request, audit_events(where=form.audit_filter()), size=AUDIT_PAGE_SIZE)
    status = audit_status()
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "page": page,
        "entries": audit_entries(request.user, page.object_list),
        "form": form,
        "query": query.urlencode(),
        "filtered": any(value for key, value in query.items()),
        "status": status,
        "broken_at": status.broken_at,
    }
    return render(request, "compliance/audit.html", context, status=400 if form.errors else 200)


@role_required(*COMPLIANCE_ROLES)
def audit_export(request: HttpRequest) -> HttpResponse:
    """The filtered audit trail as CSV, streamed: the sentence, the raw fields and the hash of each entry."""
    form = AuditFilterForm(request.GET or None)
    if form.errors:
        return HttpResponseBadRequest(
            "The filter is not valid.\n" + form.errors.as_text(), content_type="text/plain"
        )
    return audit_csv_response(
        audit_csv_lines(request.user, audit_events(where=form.audit_filter()).order_by("pk"))
    )


@role_required(*COMPLIANCE_ROLES)
@require_POST
def audit_verify(request: HttpRequest) -> HttpResponse:
    """Verify the entries written since the last check now, instead of waiting for beat."""
    broken = audit_chain_verify()
    if broken is None:
        messages.success(request, gettext("Verified: the hash chain is intact."))
    else:
        messages.error(
            request,
            gettext("The hash chain is broken at entry #%(broken)s. Escalate to the operator.")
            % {"broken": broken},
        )
    return redirect("compliance:audit")
