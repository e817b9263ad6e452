"""Documents to download: an allotment's subscription confirmation and contract note, the investor's
holdings and transactions statements for a period, and the schedule of an application or offering."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.choices import STAFF_ROLES, Role
from accounts.models import User
from accounts.permissions import role_required
from config.csv_export import csv_lines, csv_response
from config.errors import ApplicationError
from config.pages import page_of
from config.pdf import PdfDocument, pdf_response
from financing import documents
from financing.forms import StatementPeriodForm
from financing.history import investor_transactions, transaction_entries
from financing.portfolio_views import TRANSACTIONS_PAGE_SIZE


def _refused(exc: ApplicationError) -> Http404:
    return Http404(exc.message)


def _download(request: HttpRequest, build: Callable[[], tuple[PdfDocument, str]]) -> HttpResponse:
    try:
        doc, name = build()
    except ApplicationError as exc:
        if exc.status_code == 404:
            raise _refused(exc) from exc
        return render(request, "request_refused.html", {"message": exc.message}, status=exc.status_code)
    return pdf_response(doc, name)


@role_required(Role.INVESTOR, *STAFF_ROLES)
def allotment_confirmation_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The subscription confirmation of a settled allotment (its investor, staff)."""

    def build() -> tuple[PdfDocument, str]:
        allotment = documents.settled_allotment(_user(request), pk)
        return documents.subscription_confirmation(allotment), f"subscription-confirmation-{pk}.pdf"

    return _download(request, build)


@role_required(Role.INVESTOR, *STAFF_ROLES)
def allotment_contract_note_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The contract note of a settled allotment (its investor, staff)."""

    def build() -> tuple[PdfDocument, str]:
        allotment = documents.settled_allotment(_user(request), pk)
        return documents.contract_note(allotment), f"contract-note-{pk}.pdf"

    return _download(request, build)


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _transactions_page(request: HttpRequest, form: StatementPeriodForm, status: int) -> HttpResponse:
    user = _user(request)
    page = page_of(
        request,
        investor_transactions(user),
        size=TRANSACTIONS_PAGE_SIZE,
        url=reverse("financing:investor_transactions"),
    )
    entries = transaction_entries(user, page.object_list)
    return render(
        request,
        "financing/investor_transactions.html",
        {"page": page, "entries": entries, "statement_form": form},
        status=status,
    )


@role_required(Role.INVESTOR)
def investor_statement(request: HttpRequest, kind: str, fmt: str) -> HttpResponse:
    """The investor's holdings or transactions statement for the period asked, as PDF or CSV; a bad
    period shows the transactions page again with the reason on the form (400)."""
    if kind not in ("holdings", "transactions") or fmt not in ("pdf", "csv"):
        raise Http404(_("No such statement."))
    form = StatementPeriodForm(request.GET)
    if not form.is_valid():
        return _transactions_page(request, form, status=400)
    start, end = form.cleaned_data["date_from"], form.cleaned_data["date_to"]
    statement = documents.investor_statement(_user(request), start=start, end=end)
    name = f"{kind}-statement-{start:%Y%m%d}-{end:%Y%m%d}.{fmt}"
    if fmt == "pdf":
        doc = (
            documents.holdings_pdf(statement) if kind == "holdings" else documents.transactions_pdf(statement)
        )
        return pdf_response(doc, name)
    rows: Iterator[list[object]]
    if kind == "holdings":
        header, rows = documents.HOLDINGS_CSV_HEADER, documents.holdings_csv_rows(statement)
    else:
        header, rows = documents.TRANSACTIONS_CSV_HEADER, documents.transactions_csv_rows(statement)
    return csv_response(csv_lines(header, rows), name)


def _schedule(request: HttpRequest, fmt: str, find: Callable[[], Any], stem: str) -> HttpResponse:
    if fmt not in ("pdf", "csv"):
        raise Http404(_("No such document."))
    try:
        application, schedule = find()
    except ApplicationError as exc:
        if exc.status_code == 404:
            raise _refused(exc) from exc
        return render(request, "request_refused.html", {"message": exc.message}, status=exc.status_code)
    name = f"{stem}-{timezone.localdate():%Y%m%d}.{fmt}"
    if fmt == "pdf":
        return pdf_response(documents.schedule_pdf(application, schedule), name)
    return csv_response(csv_lines(documents.SCHEDULE_CSV_HEADER, documents.schedule_csv_rows(schedule)), name)


@role_required(Role.SME, *STAFF_ROLES)
def application_schedule_document(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    """The application's cash-flow schedule as PDF or CSV (its SME; staff once submitted)."""
    return _schedule(
        request,
        fmt,
        lambda: documents.application_for_schedule(_user(request), pk),
        f"schedule-application-{pk}",
    )


@role_required(Role.SME, *STAFF_ROLES)
def offering_schedule_document(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    """The offering's cash-flow schedule as PDF or CSV (its SME, staff)."""
    return _schedule(
        request, fmt, lambda: documents.offering_for_schedule(_user(request), pk), f"schedule-offering-{pk}"
    )
