"""Pages of the cross-border transfer record: the SME records its people's separate consents; compliance
records the impact assessment and the standard contract filing."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_POST

from accounts.choices import COMPLIANCE_ROLES, Role
from accounts.permissions import role_required
from config.errors import ApplicationError, NotFound
from config.forms import apply_errors
from config.middleware import accepts_uploads
from issuers import transfers
from issuers.forms import ActionForm
from issuers.models import Company, CrossBorderTransfer
from issuers.residency import (
    TRANSFER_CONSENT_SHA256,
    TRANSFER_CONSENT_TEXT,
    TRANSFER_CONSENT_VERSION,
    people_transfer_status,
)
from issuers.selectors import company_for_review, company_of
from issuers.transfer_forms import TransferAssessmentForm, TransferConsentForm, TransferFilingForm


def _consent_context(company: Company) -> dict[str, Any]:
    people = people_transfer_status(company=company)
    return {
        "company": company,
        "transfer": CrossBorderTransfer.objects.filter(company=company).first(),
        "people": people,
        "consent_text": TRANSFER_CONSENT_TEXT,
        "consent_version": TRANSFER_CONSENT_VERSION,
        "consent_sha256": TRANSFER_CONSENT_SHA256,
    }


def _consent_form(company: Company, data: Any = None) -> TransferConsentForm:
    waiting = [
        s.person for s in people_transfer_status(company=company) if s.needs_consent and s.consent is None
    ]
    return TransferConsentForm(data, people=waiting)


def _render_consents(
    request: HttpRequest,
    company: Company,
    *,
    form: TransferConsentForm | None = None,
    action_form: forms.Form | None = None,
    status: int = 200,
) -> HttpResponse:
    context = _consent_context(company)
    context["form"] = form or _consent_form(company)
    context["action_form"] = action_form
    return render(request, "issuers/cross_border.html", context, status=status)


def _own_company(request: HttpRequest) -> Company:
    company = company_of(request.user)
    if company is None:
        raise Http404("No company yet.")
    return company


@role_required(Role.SME)
def consents(request: HttpRequest) -> HttpResponse:
    """The company's people, where they live, and their separate consents to the transfer to Hong Kong."""
    company = _own_company(request)
    if request.method != "POST":
        return _render_consents(request, company)
    form = _consent_form(company, request.POST)
    if form.is_valid():
        try:
            consent = transfers.transfer_consent_record(user=request.user, **form.service_kwargs())
        except ApplicationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(
                request,
                gettext("%(name)s's separate consent is recorded.") % {"name": consent.person.full_name},
            )
            return redirect("issuers:cross_border")
    return _render_consents(request, company, form=form, status=400)


@role_required(Role.SME)
@require_POST
def consent_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    """Record that a person withdrew their consent; their record is withheld from then on."""
    company = _own_company(request)
    form = ActionForm(request.POST)
    try:
        consent = transfers.transfer_consent_withdraw(user=request.user, person_id=pk)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    except ApplicationError as exc:
        apply_errors(form, exc)
        return _render_consents(request, company, action_form=form, status=400)
    messages.success(
        request,
        gettext("%(name)s's consent is withdrawn; their record is no longer shared.")
        % {"name": consent.person.full_name},
    )
    return redirect("issuers:cross_border")


# --- compliance ---------------------------------------------------------------------------------------


def _reviewed_company(pk: int) -> Company:
    company = company_for_review(pk)
    if company is None:
        raise Http404("No such company.")
    return company


def _render_review(
    request: HttpRequest,
    company: Company,
    *,
    assessment_form: TransferAssessmentForm | None = None,
    filing_form: TransferFilingForm | None = None,
    status: int = 200,
) -> HttpResponse:
    context = _consent_context(company)
    transfer = context["transfer"]
    context["assessment_form"] = assessment_form or TransferAssessmentForm()
    context["filing_form"] = filing_form or TransferFilingForm(
        initial={"authority": transfer.filing_authority, "reference": transfer.filing_reference}
        if transfer is not None and transfer.filed_on
        else None
    )
    return render(request, "compliance/cross_border.html", context, status=status)


@role_required(*COMPLIANCE_ROLES)
@require_GET
def review(request: HttpRequest, pk: int) -> HttpResponse:
    """A company's cross-border record for compliance: consents, impact assessment and contract filing."""
    return _render_review(request, _reviewed_company(pk))


def _recorded(request: HttpRequest, pk: int, done: str) -> HttpResponse:
    messages.success(request, done)
    return redirect(reverse("compliance:cross_border", args=[pk]))


@accepts_uploads
@role_required(*COMPLIANCE_ROLES)
@require_POST
def assessment(request: HttpRequest, pk: int) -> HttpResponse:
    """Record the personal information protection impact assessment."""
    company = _reviewed_company(pk)
    form = TransferAssessmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            transfers.transfer_assessment_record(
                user=request.user, company_id=company.pk, **form.cleaned_data
            )
        except ApplicationError as exc:
            apply_errors(form, exc)
        else:
            return _recorded(request, company.pk, gettext("The impact assessment is recorded."))
    return _render_review(request, company, assessment_form=form, status=400)


@role_required(*COMPLIANCE_ROLES)
@require_POST
def filing(request: HttpRequest, pk: int) -> HttpResponse:
    """Record the filing of the GBA standard contract."""
    company = _reviewed_company(pk)
    form = TransferFilingForm(request.POST)
    if form.is_valid():
        try:
            transfers.transfer_filing_record(user=request.user, company_id=company.pk, **form.cleaned_data)
        except ApplicationError as exc:
            apply_errors(form, exc)
        else:
            return _recorded(request, company.pk, gettext("The standard contract filing is recorded."))
    return _render_review(request, company, filing_form=form, status=400)


@role_required(*COMPLIANCE_ROLES)
@require_GET
def assessment_document(request: HttpRequest, pk: int) -> FileResponse:
    """The impact assessment's report as recorded, for compliance staff."""
    transfer = CrossBorderTransfer.objects.filter(company_id=pk).first()
    if transfer is None or not transfer.pia_document:
        raise Http404("No assessment report.")
    return FileResponse(
        transfer.pia_document.open("rb"),
        as_attachment=False,
        filename=transfer.pia_document_name,
        content_type=transfer.pia_document_content_type,
    )
