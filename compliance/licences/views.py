"""Pages of the licence register: the list with each licence's state, create, edit, suspend; and
replacing an offering's arranger. Officers and approvers keep the register; operators read it."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext

from accounts.choices import COMPLIANCE_ROLES, STAFF_ROLES
from accounts.permissions import role_required
from compliance.licences import selectors, services
from compliance.licences.forms import IntermediaryForm, LicenceForm, LicenceSuspendForm, OfferingArrangerForm
from compliance.licences.models import Intermediary, Licence
from config.forms import REFUSALS, refuse
from config.pages import page_of
from financing.models import Offering
from financing.services import offering_arranger_replace


@role_required(*STAFF_ROLES)
def register(request: HttpRequest) -> HttpResponse:
    """Every intermediary with its licences and their state today (valid, lapses in N days, lapsed ...),
    a page of intermediaries at a time."""
    page = page_of(request, selectors.intermediaries())
    rows = [
        (
            intermediary,
            [(licence, selectors.licence_status(licence)) for licence in intermediary.licences.all()],
        )
        for intermediary in page
    ]
    return render(
        request,
        "compliance/licences/register.html",
        {"rows": rows, "page": page, "may_edit": request.user.role in COMPLIANCE_ROLES},
    )


def _form_page(
    request: HttpRequest, template: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    return render(request, f"compliance/licences/{template}", context, status=status)


@role_required(*COMPLIANCE_ROLES)
def intermediary_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Put an intermediary on the register, or change one."""
    intermediary = None
    if pk is not None:
        intermediary = Intermediary.objects.filter(pk=pk).first()
        if intermediary is None:
            raise Http404("No such intermediary.")
    initial = (
        {"name": intermediary.name, "ce_number": intermediary.ce_number, "roles": intermediary.roles}
        if intermediary
        else None
    )
    form = IntermediaryForm(request.POST if request.method == "POST" else None, initial=initial)
    context = {"form": form, "intermediary": intermediary}
    if request.method != "POST":
        return _form_page(request, "intermediary_form.html", context)
    status = 400
    if form.is_valid():
        try:
            if intermediary is None:
                intermediary = services.intermediary_create(actor=request.user, **form.cleaned_data)
            else:
                services.intermediary_update(
                    actor=request.user, intermediary_id=intermediary.pk, **form.cleaned_data
                )
        except REFUSALS as exc:
            status = refuse(form, exc)
        else:
            messages.success(
                request,
                gettext("%(name)s saved; the change is in the audit trail.") % {"name": intermediary.name},
            )
            return redirect("compliance:licences:register")
    return _form_page(request, "intermediary_form.html", context, status)


def _intermediary_choices() -> list[tuple[int, str]]:
    return [(i.pk, f"{i.name} (CE {i.ce_number})") for i in Intermediary.objects.order_by("name")]


@role_required(*COMPLIANCE_ROLES)
def licence_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Record a licence of an intermediary, or change one (a renewal moves its end date)."""
    licence = None
    initial: dict[str, Any] = {}
    if pk is not None:
        licence = Licence.objects.select_related("intermediary").filter(pk=pk).first()
        if licence is None:
            raise Http404("No such licence.")
        initial = {field: getattr(licence, field) for field in services.LICENCE_FIELDS}
        initial["intermediary"] = licence.intermediary_id
    elif str(request.GET.get("intermediary", "")).isdigit():
        initial["intermediary"] = int(request.GET["intermediary"])
    form = LicenceForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        intermediaries=_intermediary_choices(),
    )
    if licence is not None:
        form.fields["intermediary"].disabled = True
    context = {"form": form, "licence": licence}
    if request.method != "POST":
        return _form_page(request, "licence_form.html", context)
    status = 400
    if form.is_valid():
        data = dict(form.cleaned_data)
        intermediary_id = data.pop("intermediary")
        try:
            if licence is None:
                licence = services.licence_create(actor=request.user, intermediary_id=intermediary_id, **data)
            else:
                services.licence_update(actor=request.user, licence_id=licence.pk, **data)
        except REFUSALS as exc:
            status = refuse(form, exc)
        else:
            messages.success(request, gettext("Licence saved; the change is in the audit trail."))
            return redirect("compliance:licences:register")
    return _form_page(request, "licence_form.html", context, status)


@role_required(*COMPLIANCE_ROLES)
def licence_suspend(request: HttpRequest, pk: int) -> HttpResponse:
    """Record that a licence was suspended or revoked, with the reason."""
    licence = Licence.objects.select_related("intermediary").filter(pk=pk).first()
    if licence is None:
        raise Http404("No such licence.")
    form = LicenceSuspendForm(request.POST if request.method == "POST" else None)
    context = {"form": form, "licence": licence, "status": selectors.licence_status(licence)}
    if request.method != "POST":
        return _form_page(request, "licence_suspend.html", context)
    status = 400
    if form.is_valid():
        try:
            services.licence_suspend(actor=request.user, licence_id=licence.pk, **form.cleaned_data)
        except REFUSALS as exc:
            status = refuse(form, exc)
        else:
            messages.success(
                request,
                gettext(
                    "Licence of %(name)s recorded as %(cleaned_data)s; the daily re-check "
                    "alerts on the offerings it arranges."
                )
                % {"name": licence.intermediary.name, "cleaned_data": form.cleaned_data["suspension"]},
            )
            return redirect("compliance:licences:register")
    return _form_page(request, "licence_suspend.html", context, status)


@role_required(*COMPLIANCE_ROLES)
def offering_arranger(request: HttpRequest, pk: int) -> HttpResponse:
    """Name a new arranger for an offering not yet closed; paused subscriptions resume."""
    offering = (
        Offering.objects.select_related("application__arranger", "application__company").filter(pk=pk).first()
    )
    if offering is None:
        raise Http404("No such offering.")
    form = OfferingArrangerForm(request.POST if request.method == "POST" else None)
    context = {"form": form, "offering": offering}
    if request.method != "POST":
        return _form_page(request, "offering_arranger.html", context)
    status = 400
    if form.is_valid():
        try:
            offering_arranger_replace(actor=request.user, offering_id=offering.pk, **form.cleaned_data)
        except REFUSALS as exc:
            status = refuse(form, exc)
        else:
            messages.success(request, gettext("Arranger replaced; new subscriptions are accepted again."))
            return redirect("financing:offering_detail", pk=offering.pk)
    return _form_page(request, "offering_arranger.html", context, status)
