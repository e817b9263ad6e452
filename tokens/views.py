"""Pages of the chain side: the operator's chain status."""

from __future__ import annotations

from dataclasses import replace

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from accounts.choices import Role
from accounts.permissions import role_required
from config.pages import page_of
from tokens.selectors import chain_overview


@role_required(Role.OPERATOR)
def chain_status(request: HttpRequest) -> HttpResponse:
    """Outbox counts, the chain transactions and open alerts a page at a time, newest first, and the
    platform contracts (the tables refresh every 3 s, on the page shown)."""
    template = "tokens/_chain_tables.html" if request.htmx else "tokens/chain_status.html"
    here = reverse("tokens:chain_status")
    overview = chain_overview()
    overview = replace(
        overview,
        recent=page_of(request, overview.recent, size=50, url=here),
        alerts=page_of(request, overview.alerts, size=20, param="alerts_page", url=here),
    )
    return render(request, template, {"chain": overview})
