"""Pages of compliance: the review queue, KYB / KYC / application decisions and the audit trail."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from accounts.choices import COMPLIANCE_ROLES
from accounts.permissions import role_required
from compliance.audit import audit_chain_verify
from compliance.audit_export import audit_csv_lines, audit_csv_response
from compliance.forms import ApplicationDecisionForm, AuditFilterForm, KybDecisionForm, KycDecisionForm
from compliance.selectors import (
    audit_entries,
    audit_events,
    audit_status,
    investor_profile_for_review,
    review_queue,
)
from compliance.services import company_kyb_decide, investor_chain_setup_retry, investor_kyc_decide
from config.errors import ApplicationError
from config.forms import REFUSALS, apply_errors, refuse
from financing.selectors import application_schedule, applications_visible_to
from financing.services import application_decide
from financing.services import application_start_review as application_start_review_service
from issuers.selectors import company_for_review, registration_holders

AUDIT_PAGE_SIZE = 50


@role_required(*COMPLIANCE_ROLES)
def queue(request: HttpRequest) -> HttpResponse:
    """Companies awaiting KYB, investors awaiting KYC and applications awaiting review."""
    return render(request, "compliance/queue.html", {"queue": review_queue()})


@role_required(*COMPLIANCE_ROLES)
def kyb_review(request: HttpRequest, pk: int) -> HttpResponse:
    """A company's details with the verify / reject decision."""
    company = company_for_review(pk)
    if company is None:
        raise Http404("No such company.")
    form = KybDecisionForm(request.POST if request.method == "POST" else None)
    context = {"company": company, "form": form, "holders": registration_holders(company)}
    if request.method != "POST":
        return render(request, "compliance/kyb_review.html", context)
    if form.is_valid():
        try:
            company_kyb_decide(
                actor=request.user, company=company, approve=form.approve, reason=form.cleaned_data["reason"]
            )
        except ApplicationError as exc:
            apply_errors(form, exc)
        else:
            verdict = "verified" if form.approve else "rejected"
            messages.success(
                request, f"{company.legal_name_en} {verdict}. The decision is in the audit trail."
            )
            return redirect("compliance:queue")
    return render(request, "compliance/kyb_review.html", context, status=400)


@role_required(*COMPLIANCE_ROLES)
def kyc_review(request: HttpRequest, pk: int) -> HttpResponse:
    """An investor's details with the approve / reject decision."""
    profile = investor_profile_for_review(pk)
    if profile is None:
        raise Http404("No such investor.")
    form = KycDecisionForm(request.POST if request.method == "POST" else None)
    if request.method != "POST":
        return render(request, "compliance/kyc_review.html", {"profile": profile, "form": form})
    status = 400
    if form.is_valid():
        try:
            investor_kyc_decide(
                actor=request.user, profile=profile, approve=form.approve, reason=form.cleaned_data["reason"]
            )
        except REFUSALS as exc:
            status = refuse(form, exc)
        else:
            if form.approve:
                messages.success(
                    request, f"{profile.legal_name} approved; the wallet is being registered on chain."
                )
            else:
                messages.success(request, f"{profile.legal_name} rejected.")
            return redirect("compliance:queue")
    return render(request, "compliance/kyc_review.html", {"profile": profile, "form": form}, status=status)


@role_required(*COMPLIANCE_ROLES)
def application_review(request: HttpRequest, pk: int) -> HttpResponse:
    """An application with its terms; approve into an offering, request changes, or reject."""
    application = get_object_or_404(applications_visible_to(request.user), pk=pk)
    form = ApplicationDecisionForm(request.POST if request.method == "POST" else None)
    context = {"application": application, "form": form, "schedule": application_schedule(application)}
    if request.method != "POST":
        return render(request, "compliance/application_review.html", context)
    status = 400
    if form.is_valid():
        data = form.cleaned_data
        try:
            application_decide(
                actor=request.user,
                application_id=pk,
                decision=data["decision"],
                reason=data["reason"],
                closes_at=data["closes_at"],
                professional_investors_only=data["professional_investors_only"],
                arranger_id=data["arranger_id"],
            )
        except REFUSALS as exc:
            status = refuse(form, exc)
        else:
            done = {
                "approve": "Approved. The offering was created and its token is being deployed.",
                "request_changes": "Changes requested; the SME sees your reason.",
                "reject": "Application rejected.",
            }
            messages.success(request, done[data["decision"]])
            return redirect("compliance:queue")
    return render(request, "compliance/application_review.html", context, status=status)


@role_required(*COMPLIANCE_ROLES)
@require_POST
def kyc_chain_retry(request: HttpRequest, pk: int) -> HttpResponse:
    """Send an approved investor's failed identity registration again."""
    try:
        investor_chain_setup_retry(actor=request.user, profile_id=pk)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Sent again; the investor can subscribe once the chain confirms.")
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
        messages.success(request, "You are now reviewing this application.")
    return redirect("compliance:application_review", pk=pk)


@role_required(*COMPLIANCE_ROLES)
def audit(request: HttpRequest) -> HttpResponse:
    """The audit trail in words, filtered and newest first, and what its last verification found."""
    form = AuditFilterForm(request.GET or None)
    page = Paginator(audit_events(where=form.audit_filter()), AUDIT_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
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
        messages.success(request, "Verified: the hash chain is intact.")
    else:
        messages.error(request, f"The hash chain is broken at entry #{broken}. Escalate to the operator.")
    return redirect("compliance:audit")
