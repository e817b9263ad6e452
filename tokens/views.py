"""Pages of the chain side: the operator's chain status."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.choices import Role
from accounts.permissions import role_required
from tokens.selectors import chain_overview


@role_required(Role.OPERATOR)
def chain_status(request: HttpRequest) -> HttpResponse:
    """Outbox counts, the newest chain transactions and the platform contracts (tables refresh every 3 s)."""
    template = "tokens/_chain_tables.html" if request.htmx else "tokens/chain_status.html"
    return render(request, template, {"chain": chain_overview()})
