"""Pages of the chain side: the operator's chain status, the accepted stablecoins, the travel rule."""

from __future__ import annotations

from dataclasses import replace

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts.choices import COMPLIANCE_ROLES, STAFF_ROLES, Role
from accounts.permissions import role_required
from config.forms import REFUSALS, refuse
from config.pages import page_of
from tokens.forms import PaymentTokenDecisionForm, PaymentTokenProposeForm
from tokens.payment_tokens import payment_token_decide, payment_token_propose
from tokens.selectors import chain_overview, payment_legs, payment_token_listings


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


def _render_payment_tokens(
    request: HttpRequest,
    *,
    propose_form: PaymentTokenProposeForm | None = None,
    decision_form: PaymentTokenDecisionForm | None = None,
    decided: int | None = None,
    status: int = 200,
) -> HttpResponse:
    here = reverse("tokens:payment_tokens")
    context = {
        "listings": page_of(request, payment_token_listings(), url=here),
        "propose_form": propose_form or PaymentTokenProposeForm(),
        "decision_form": decision_form,
        "decided": decided,
    }
    return render(request, "tokens/payment_tokens.html", context, status=status)


@role_required(*STAFF_ROLES)
def payment_tokens(request: HttpRequest) -> HttpResponse:
    """The accepted stablecoins (one per currency), proposals waiting for a second approval, and the
    form to propose one."""
    return _render_payment_tokens(request)


@role_required(*STAFF_ROLES)
@require_POST
def payment_token_propose_view(request: HttpRequest) -> HttpResponse:
    """Propose a stablecoin for a currency; a different staff member approves it."""
    form = PaymentTokenProposeForm(request.POST)
    status = 400
    if form.is_valid():
        try:
            listing = payment_token_propose(actor=request.user, **form.cleaned_data)
        except REFUSALS as exc:
            status = refuse(form, exc)
        else:
            messages.success(
                request,
                f"{listing.symbol} is proposed for {listing.currency}; a different staff member approves it.",
            )
            return redirect("tokens:payment_tokens")
    return _render_payment_tokens(request, propose_form=form, status=status)


@role_required(*STAFF_ROLES)
@require_POST
def payment_token_decide_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Approve (allowed on chain through the timelock) or reject (with a reason) a proposed stablecoin."""
    form = PaymentTokenDecisionForm(request.POST)
    status = 400
    if form.is_valid():
        try:
            listing = payment_token_decide(
                actor=request.user,
                listing_id=pk,
                approve=form.cleaned_data["decision"] == "approve",
                reason=form.cleaned_data["reason"],
            )
        except REFUSALS as exc:
            status = refuse(form, exc)
        else:
            done = "approved: it is being allowed on chain" if listing.status != "rejected" else "rejected"
            messages.success(request, f"{listing.symbol} for {listing.currency} is {done}.")
            return redirect("tokens:payment_tokens")
    return _render_payment_tokens(request, decision_form=form, decided=pk, status=status)


@role_required(*COMPLIANCE_ROLES)
def travel_rule(request: HttpRequest) -> HttpResponse:
    """Every payment leg's travel-rule record, newest first: full details from the threshold."""
    here = reverse("tokens:travel_rule")
    return render(request, "tokens/travel_rule.html", {"legs": page_of(request, payment_legs(), url=here)})
