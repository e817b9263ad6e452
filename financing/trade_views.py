"""Pages of trade finance for the SME: the invoices and electronic bills of lading an application finances.

The step after saving a trade-finance application: add each document (several invoices, or a bill of
lading), see its fingerprint and where its registration stands, remove it while the draft can change.
htmx swaps the list and the form that posted, so removing one document keeps what is typed in the
other form; without JavaScript every action answers with the whole page.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from accounts.choices import Role
from accounts.permissions import role_required
from config.errors import ApplicationError, NotFound
from financing.backing import backing_of
from financing.choices import EDITABLE_APPLICATION_STATUSES, Instrument
from financing.models import Application
from financing.selectors import applications_visible_to
from financing.trade import services as trade_services
from financing.trade_forms import FORMS, BillOfLadingForm, InvoiceForm, TradeDocumentForm


def _application(request: HttpRequest, pk: int) -> Application:
    application = get_object_or_404(applications_visible_to(request.user), pk=pk)
    if application.instrument != Instrument.TRADE:
        raise Http404("Only a trade-finance application finances documents.")
    return application


# What a second invoice usually shares with the first: who issued it, to whom, in which currency.
CARRIED_OVER = (
    "issuer_jurisdiction",
    "issuer_registration_number",
    "buyer_name",
    "buyer_registration_number",
    "currency",
)


def _forms(
    application: Application, bound: TradeDocumentForm | None = None, carried: dict[str, Any] | None = None
) -> tuple[InvoiceForm, BillOfLadingForm]:
    """The two add forms, one of them the one just posted; a new invoice's issuer is the company."""
    invoice = bound if isinstance(bound, InvoiceForm) else None
    bill = bound if isinstance(bound, BillOfLadingForm) else None
    initial = {
        "issuer_jurisdiction": application.company.jurisdiction,
        "issuer_registration_number": application.company.registration_number,
        "currency": application.currency,
        **(carried or {}),
    }
    return invoice or InvoiceForm(initial=initial), bill or BillOfLadingForm()


def _context(
    application: Application, bound: TradeDocumentForm | None = None, carried: dict[str, Any] | None = None
) -> dict[str, Any]:
    invoice_form, bill_form = _forms(application, bound, carried)
    return {
        "application": application,
        "editable": application.status in EDITABLE_APPLICATION_STATUSES,
        "backing": backing_of(application),
        "invoice_form": invoice_form,
        "bill_form": bill_form,
    }


@role_required(Role.SME)
def trade_documents(request: HttpRequest, pk: int) -> HttpResponse:
    """The documents an application finances, with the forms to add more while it is a draft."""
    application = _application(request, pk)
    return render(request, "financing/trade/documents.html", _context(application))


@role_required(Role.SME)
@require_POST
def trade_document_add(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    """Add an invoice or a bill of lading; a refusal (e.g. already financed) shows next to the fields."""
    application = _application(request, pk)
    form_class = FORMS.get(kind.replace("-", "_"))
    if form_class is None:
        raise Http404("No such kind of document.")
    form = form_class(request.POST)
    if form.is_valid():
        try:
            trade_services.trade_document_add(
                user=request.user, application_id=application.pk, **form.service_kwargs()
            )
        except ApplicationError as exc:
            form.apply_errors(exc)
        else:
            if request.htmx:
                carried = {
                    name: form.cleaned_data[name] for name in CARRIED_OVER if name in form.cleaned_data
                }
                context = _context(application, carried=carried)
                context["added"] = form.kind
                return render(request, "financing/trade/_add_response.html", context)
            messages.success(request, gettext("Document added. Its fingerprint is shown in the list."))
            return redirect("financing:trade_documents", pk=application.pk)
    context = _context(application, bound=form)
    if request.htmx:
        context["form"] = form
        template = (
            "financing/trade/_invoice_form.html"
            if form_class is InvoiceForm
            else "financing/trade/_bill_form.html"
        )
        return render(request, template, context, status=400)
    return render(request, "financing/trade/documents.html", context, status=400)


@role_required(Role.SME)
@require_POST
def trade_document_remove(request: HttpRequest, pk: int, document_pk: int) -> HttpResponse:
    """Take a document off a draft application (nothing was registered for it yet)."""
    application = _application(request, pk)
    try:
        if not application.trade_documents.filter(pk=document_pk).exists():
            raise NotFound(gettext("No such document."))
        trade_services.trade_document_remove(user=request.user, document_id=document_pk)
    except ApplicationError as exc:
        if exc.status_code == 404:
            raise Http404(exc.message) from exc
        if request.htmx:
            context = _context(application)
            context["list_error"] = exc.message
            return render(request, "financing/trade/_list.html", context, status=exc.status_code)
        messages.error(request, exc.message)
        return redirect("financing:trade_documents", pk=application.pk)
    if request.htmx:
        return render(request, "financing/trade/_list.html", _context(application))
    messages.success(request, gettext("Document removed."))
    return redirect("financing:trade_documents", pk=application.pk)
