"""Pages of the chain side: the operator's chain status, the staff's token operations, the accepted
stablecoins and the travel rule."""

from __future__ import annotations

from dataclasses import replace

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from accounts.choices import COMPLIANCE_ROLES, STAFF_ROLES, Role
from accounts.permissions import role_required
from config.errors import ApplicationError
from config.forms import REFUSALS, refuse
from config.pages import page_of
from tokens import operations
from tokens.forms import (
    PaymentTokenDecisionForm,
    PaymentTokenProposeForm,
    TokenOperationForm,
    TokenOperationRejectForm,
)
from tokens.payment_tokens import payment_token_decide, payment_token_propose
from tokens.selectors import chain_overview, payment_legs, payment_token_listings, token_operations_visible_to

OPERATIONS_PAGE_SIZE = 20


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
                gettext("%(symbol)s is proposed for %(currency)s; a different staff member approves it.")
                % {"symbol": listing.symbol, "currency": listing.currency},
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
            messages.success(
                request,
                gettext("%(symbol)s for %(currency)s is %(done)s.")
                % {"symbol": listing.symbol, "currency": listing.currency, "done": done},
            )
            return redirect("tokens:payment_tokens")
    return _render_payment_tokens(request, decision_form=form, decided=pk, status=status)


@role_required(*COMPLIANCE_ROLES)
def travel_rule(request: HttpRequest) -> HttpResponse:
    """Every payment leg's travel-rule record, newest first: full details from the threshold."""
    here = reverse("tokens:travel_rule")
    return render(request, "tokens/travel_rule.html", {"legs": page_of(request, payment_legs(), url=here)})


def _offering_filter(request: HttpRequest) -> int | None:
    value = request.GET.get("offering", "")
    return int(value) if value.isascii() and value.isdigit() and len(value) < 12 else None


def _render_operations(
    request: HttpRequest,
    form: TokenOperationForm | None = None,
    *,
    refusal: ApplicationError | None = None,
    status: int = 200,
) -> HttpResponse:
    offering_id = _offering_filter(request)
    rows = token_operations_visible_to(request.user)
    if offering_id is not None:
        rows = rows.filter(token__offering__pk=offering_id)
    page = page_of(request, rows, size=OPERATIONS_PAGE_SIZE, url=reverse("tokens:operations"))
    for operation in page.object_list:
        operation.refusal_for_viewer = operations.decision_refusal(operation, request.user)
    if form is None:
        form = TokenOperationForm(initial={"offering": offering_id} if offering_id else None)
    context = {"form": form, "page": page, "refusal": refusal, "offering_id": offering_id}
    return render(request, "tokens/operations.html", context, status=status)


@role_required(*STAFF_ROLES)
def token_operations(request: HttpRequest) -> HttpResponse:
    """Staff token operations a page at a time (newest first, optionally of one offering), and the request
    form: a pause applies at once, anything else waits for a second person."""
    if request.method != "POST":
        return _render_operations(request)
    form = TokenOperationForm(request.POST)
    if not form.is_valid():
        return _render_operations(request, form, status=400)
    data = form.cleaned_data
    try:
        operation = operations.token_operation_request(
            actor=request.user,
            kind=data["kind"],
            offering_id=data["offering"] or None,
            wallet=data["wallet"].strip(),
            counterparty=data["counterparty"].strip(),
            amount=data["amount"],
            reason=data["reason"],
            legal_basis=data["legal_basis"],
            legal_reference=data["legal_reference"],
        )
    except REFUSALS as exc:
        return _render_operations(request, form, status=refuse(form, exc))
    if operation.status == "requested":
        messages.success(
            request,
            gettext("%(kind)s #%(pk)s requested: another member of staff must approve it.")
            % {"kind": operation.get_kind_display(), "pk": operation.pk},
        )
    else:
        messages.success(
            request,
            gettext("%(kind)s #%(pk)s sent to the chain.")
            % {"kind": operation.get_kind_display(), "pk": operation.pk},
        )
    return redirect(
        reverse("tokens:operations") + (f"?offering={data['offering']}" if data["offering"] else "")
    )


@role_required(*STAFF_ROLES)
@require_POST
def token_operation_approve(request: HttpRequest, pk: int) -> HttpResponse:
    """The second person approves: the operation is checked against the chain again and sent."""
    try:
        operation = operations.token_operation_approve(actor=request.user, operation_id=pk)
    except REFUSALS as exc:
        return _render_operations(request, refusal=exc, status=exc.status_code)
    messages.success(
        request,
        gettext("%(kind)s #%(pk)s approved and sent to the chain.")
        % {"kind": operation.get_kind_display(), "pk": pk},
    )
    return redirect("tokens:operations")


@role_required(*STAFF_ROLES)
@require_POST
def token_operation_reject(request: HttpRequest, pk: int) -> HttpResponse:
    """The second person rejects the request with a reason; nothing is sent."""
    form = TokenOperationRejectForm(request.POST)
    if not form.is_valid():
        error = ApplicationError(
            gettext("Say why the request is rejected."), fields={"reason": gettext("Say why.")}
        )
        return _render_operations(request, refusal=error, status=400)
    try:
        operations.token_operation_reject(
            actor=request.user, operation_id=pk, reason=form.cleaned_data["reason"]
        )
    except REFUSALS as exc:
        return _render_operations(request, refusal=exc, status=exc.status_code)
    messages.success(
        request, gettext("Token operation #%(pk)s rejected; nothing was sent to the chain.") % {"pk": pk}
    )
    return redirect("tokens:operations")
