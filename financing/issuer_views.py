"""The issuer's pages after the raise (staff see them too): an offering's dashboard with the register of
holders and the payment calendar, and both as CSV."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone

from accounts.choices import STAFF_ROLES, Role
from accounts.permissions import role_required
from config.csv_export import csv_lines, csv_response
from config.errors import NotFound
from config.pages import page_of
from financing.choices import FUNDABLE_PAYMENT_STATUSES, SERVICED_OFFERING_STATUSES
from financing.register import (
    REGISTER_CSV_HEADER,
    Register,
    register_csv_rows,
    register_of,
    register_offerings_of,
    register_rows,
)
from financing.services.servicing import amount_due
from financing.servicing_overview import (
    CALENDAR_CSV_HEADER,
    IssuerDashboard,
    calendar_csv_rows,
    issuer_dashboard,
)

REGISTER_PAGE_SIZE = 25
CALENDAR_PAGE_SIZE = 24


def _dashboard(request: HttpRequest, pk: int) -> IssuerDashboard:
    try:
        return issuer_dashboard(request.user, pk)
    except NotFound as exc:
        raise Http404(exc.message) from exc


def _register(request: HttpRequest, pk: int) -> Register:
    try:
        return register_of(request.user, pk)
    except NotFound as exc:
        raise Http404(exc.message) from exc


@role_required(Role.SME, *STAFF_ROLES)
def offering_dashboard(request: HttpRequest, pk: int) -> HttpResponse:
    """One offering after the raise: totals paid to date, the payment calendar (funded, paid, due; the
    issuer funds from here), and the register of holders as of the indexed block."""
    dashboard = _dashboard(request, pk)
    here = request.path
    holders = page_of(
        request, dashboard.register.holdings, size=REGISTER_PAGE_SIZE, param="register_page", url=here
    )
    calendar = page_of(request, dashboard.calendar, size=CALENDAR_PAGE_SIZE, param="calendar_page", url=here)
    today = timezone.localdate()
    rows = [
        {"payment": p, "due": amount_due(p, today) if p.status in FUNDABLE_PAYMENT_STATUSES else None}
        for p in calendar.object_list
    ]
    offering = dashboard.offering
    context: dict[str, Any] = {
        "dashboard": dashboard,
        "offering": offering,
        "register": dashboard.register,
        "holders": holders,
        "holder_rows": register_rows(request.user, holders.object_list),
        "calendar": calendar,
        "servicing_rows": rows,
        "totals": dashboard.totals,
        "can_declare_dividend": request.user.role == Role.SME
        and offering.application.instrument == "equity"
        and offering.status in SERVICED_OFFERING_STATUSES,
        "is_issuer": request.user.role == Role.SME,
    }
    context.update(_servicing_forms(dividend=context["can_declare_dividend"]))
    return render(request, "financing/offering_dashboard.html", context)


def _servicing_forms(*, dividend: bool) -> dict[str, Any]:
    """Blank forms for the servicing partials: fund a payment (posted to `financing:payment_fund`) and,
    where the issuer may declare one, a dividend (`financing:dividend_declare`)."""
    forms: dict[str, Any] = {"fund_form": None, "fund_payment_id": None}
    if dividend:
        from financing.forms import DividendForm

        forms["dividend_form"] = DividendForm()
    return forms


@role_required(Role.SME, *STAFF_ROLES)
def offering_register_csv(request: HttpRequest, pk: int) -> StreamingHttpResponse:
    """The whole register of holders as CSV, streamed, as of the indexed block."""
    register = _register(request, pk)
    block = register.freshness.block
    name = f"register-offering-{pk}-block-{block if block is not None else 'none'}.csv"
    return csv_response(csv_lines(REGISTER_CSV_HEADER, register_csv_rows(request.user, register)), name)


@role_required(Role.SME, *STAFF_ROLES)
def offering_calendar_csv(request: HttpRequest, pk: int) -> StreamingHttpResponse:
    """The payment calendar as CSV, streamed: amounts, what is funded and paid, the funding hashes."""
    offering = register_offerings_of(request.user).filter(pk=pk).first()
    if offering is None:
        raise Http404("No such offering.")
    name = f"payment-calendar-offering-{pk}-{timezone.localdate():%Y-%m-%d}.csv"
    return csv_response(csv_lines(CALENDAR_CSV_HEADER, calendar_csv_rows(offering)), name)
