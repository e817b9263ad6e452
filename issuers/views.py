"""Pages of the SME representative: dashboard, company onboarding (KYB file) and its submission."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from django import forms
from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from accounts.choices import COMPLIANCE_ROLES, Role
from accounts.permissions import role_required
from config.errors import ApplicationError, NotFound
from config.forms import apply_errors
from config.middleware import accepts_uploads
from config.pages import page_of
from issuers import services
from issuers.forms import ActionForm, CompanyForm, CompanyProfileForm, DocumentForm, PersonForm
from issuers.ownership import ownership_rule
from issuers.selectors import company_missing_items, company_of, documents_visible_to, issuer_overview
from issuers.services import EDITABLE_KYB_STATUSES

PROFILE_FIELDS = tuple(CompanyProfileForm.base_fields)


def _render_dashboard(
    request: HttpRequest, *, action_form: ActionForm | None = None, status: int = 200
) -> HttpResponse:
    here = reverse("issuers:dashboard")  # also shown in answer to a refused POST
    overview = issuer_overview(request.user)
    overview = replace(
        overview,
        applications=page_of(request, overview.applications, size=10, param="applications_page", url=here),
        offerings=page_of(request, overview.offerings, size=12, param="offerings_page", url=here),
    )
    context = {"overview": overview, "action_form": action_form}
    return render(request, "issuers/dashboard.html", context, status=status)


@role_required(Role.SME)
def dashboard(request: HttpRequest) -> HttpResponse:
    """The company, its KYB state and next step, applications, offerings and the wallet's HKD."""
    return _render_dashboard(request)


@role_required(Role.SME)
def company_edit(request: HttpRequest) -> HttpResponse:
    """Step 1 of onboarding: the company's identity, while it is a draft or was rejected."""
    company = company_of(request.user)
    editable = company is None or company.kyb_status in EDITABLE_KYB_STATUSES
    initial = {name: getattr(company, name) for name in CompanyForm.base_fields} if company else {}
    form = CompanyForm(request.POST if request.method == "POST" else None, initial=initial)
    context = {"form": form, "company": company, "editable": editable}
    if request.method != "POST":
        return render(request, "issuers/company_form.html", context)
    if form.is_valid():
        try:
            services.company_save(user=request.user, **form.cleaned_data)
        except ApplicationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(
                request, gettext("Company details saved. Next: the profile, people and documents for KYB.")
            )
            return redirect("issuers:company_kyb")
    return render(request, "issuers/company_form.html", context, status=400)


def _render_kyb(request: HttpRequest, *, status: int = 200, **bound: forms.Form) -> HttpResponse:
    company = company_of(request.user)
    if company is None:
        return redirect("issuers:company_edit")
    forms_ = {
        "profile_form": CompanyProfileForm(initial={name: getattr(company, name) for name in PROFILE_FIELDS}),
        "person_form": PersonForm(),
        "document_form": DocumentForm(),
        "action_form": None,
    }
    forms_.update(bound)
    context: dict[str, Any] = {
        "company": company,
        "editable": company.kyb_status in EDITABLE_KYB_STATUSES,
        "missing": company_missing_items(company),
        "ownership_rule": ownership_rule(company.jurisdiction),
        **forms_,
    }
    return render(request, "issuers/company_kyb.html", context, status=status)


@role_required(Role.SME)
def company_kyb(request: HttpRequest) -> HttpResponse:
    """Steps 2 to 4: financial snapshot, directors and owners, documents; then submit for KYB."""
    return _render_kyb(request)


@role_required(Role.SME)
@require_POST
def company_profile(request: HttpRequest) -> HttpResponse:
    """Save recognition, tags and the financial snapshot."""
    form = CompanyProfileForm(request.POST)
    if form.is_valid():
        try:
            services.company_profile_save(user=request.user, **form.service_kwargs())
        except ApplicationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, gettext("Profile saved."))
            return redirect("issuers:company_kyb")
    return _render_kyb(request, profile_form=form, status=400)


@role_required(Role.SME)
@require_POST
def person_add(request: HttpRequest) -> HttpResponse:
    """Add a director or beneficial owner."""
    form = PersonForm(request.POST)
    if form.is_valid():
        try:
            services.person_save(user=request.user, **form.service_kwargs())
        except ApplicationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(
                request, gettext("%(cleaned_data)s added.") % {"cleaned_data": form.cleaned_data["full_name"]}
            )
            return redirect("issuers:company_kyb")
    return _render_kyb(request, person_form=form, status=400)


def _kyb_removal(request: HttpRequest, remove: Any, done: str) -> HttpResponse:
    """Remove one item of the KYB file: unknown (or another company's) is a 404, a refusal re-renders."""
    form = ActionForm(request.POST)
    try:
        remove()
    except NotFound as exc:
        raise Http404(exc.message) from exc
    except ApplicationError as exc:
        apply_errors(form, exc)
        return _render_kyb(request, action_form=form, status=400)
    messages.success(request, done)
    return redirect("issuers:company_kyb")


@role_required(Role.SME)
@require_POST
def person_remove(request: HttpRequest, pk: int) -> HttpResponse:
    """Remove a director or owner."""
    return _kyb_removal(request, lambda: services.person_remove(user=request.user, person_id=pk), "Removed.")


@accepts_uploads
@role_required(Role.SME)
@require_POST
def document_upload(request: HttpRequest) -> HttpResponse:
    """Upload one KYB document."""
    form = DocumentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.document_upload(
                user=request.user, kind=form.cleaned_data["kind"], upload=form.cleaned_data["file"]
            )
        except ApplicationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(
                request, gettext("Document uploaded; its fingerprint is recorded in the audit trail.")
            )
            return redirect("issuers:company_kyb")
    return _render_kyb(request, document_form=form, status=400)


@role_required(Role.SME)
@require_POST
def document_remove(request: HttpRequest, pk: int) -> HttpResponse:
    """Delete an uploaded document."""
    return _kyb_removal(
        request, lambda: services.document_remove(user=request.user, document_id=pk), "Document removed."
    )


@role_required(Role.SME)
@require_POST
def company_submit(request: HttpRequest) -> HttpResponse:
    """Send the complete company file to compliance for KYB review."""
    form = ActionForm(request.POST)
    try:
        services.company_submit_for_kyb(user=request.user)
    except ApplicationError as exc:
        apply_errors(form, exc)
        return _render_dashboard(request, action_form=form, status=400)
    messages.success(
        request,
        gettext("Submitted for KYB. Compliance will review your company; you will see the result here."),
    )
    return redirect("issuers:dashboard")


@role_required(Role.SME, *COMPLIANCE_ROLES)
def document_download(request: HttpRequest, pk: int) -> FileResponse:
    """A KYB document, to its company's representative and to compliance staff only."""
    document = get_object_or_404(documents_visible_to(request.user), pk=pk)
    return FileResponse(
        document.file.open("rb"),
        as_attachment=False,
        filename=document.original_name,
        content_type=document.content_type,
    )
