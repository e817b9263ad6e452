"""Pages of the SME representative: dashboard, company profile and its submission for KYB."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accounts.choices import Role
from accounts.permissions import role_required
from config.errors import ApplicationError
from config.forms import apply_errors
from issuers.forms import ActionForm, CompanyForm
from issuers.selectors import company_of, issuer_overview
from issuers.services import EDITABLE_KYB_STATUSES, company_save, company_submit_for_kyb


def _render_dashboard(
    request: HttpRequest, *, action_form: ActionForm | None = None, status: int = 200
) -> HttpResponse:
    context = {"overview": issuer_overview(request.user), "action_form": action_form}
    return render(request, "issuers/dashboard.html", context, status=status)


@role_required(Role.SME)
def dashboard(request: HttpRequest) -> HttpResponse:
    """The company, its KYB state and next step, applications, offerings and the wallet's HKD."""
    return _render_dashboard(request)


@role_required(Role.SME)
def company_edit(request: HttpRequest) -> HttpResponse:
    """Create or edit the company profile while it is a draft or was rejected."""
    company = company_of(request.user)
    editable = company is None or company.kyb_status in EDITABLE_KYB_STATUSES
    initial = {}
    if company is not None:
        initial = {name: getattr(company, name) for name in CompanyForm.base_fields}
    form = CompanyForm(request.POST or None, initial=initial)
    if request.method == "POST":
        if form.is_valid():
            try:
                company_save(user=request.user, **form.cleaned_data)
            except ApplicationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(
                    request, "Company profile saved. Submit it for KYB review when it is complete."
                )
                return redirect("issuers:dashboard")
        context = {"form": form, "company": company, "editable": editable}
        return render(request, "issuers/company_form.html", context, status=400)
    return render(
        request, "issuers/company_form.html", {"form": form, "company": company, "editable": editable}
    )


@role_required(Role.SME)
@require_POST
def company_submit(request: HttpRequest) -> HttpResponse:
    """Send the company profile to compliance for KYB review."""
    form = ActionForm(request.POST)
    try:
        company_submit_for_kyb(user=request.user)
    except ApplicationError as exc:
        apply_errors(form, exc)
        return _render_dashboard(request, action_form=form, status=400)
    messages.success(
        request, "Submitted for KYB. Compliance will review your company; you will see the result here."
    )
    return redirect("issuers:dashboard")
