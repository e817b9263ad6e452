"""The investor's pages after the raise: the whole transaction history, a page at a time."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.choices import Role
from accounts.permissions import role_required
from config.pages import page_of
from financing.forms import statement_form_initial
from financing.history import investor_transactions, transaction_entries

TRANSACTIONS_PAGE_SIZE = 25


@role_required(Role.INVESTOR)
def investor_transactions_page(request: HttpRequest) -> HttpResponse:
    """Subscriptions, settlements, payments received, redemptions, transfers and token operations on the
    investor's wallets, newest first, each with its transaction."""
    page = page_of(request, investor_transactions(request.user), size=TRANSACTIONS_PAGE_SIZE)
    entries = transaction_entries(request.user, page.object_list)
    return render(
        request,
        "financing/investor_transactions.html",
        {"page": page, "entries": entries, "statement_form": statement_form_initial()},
    )
