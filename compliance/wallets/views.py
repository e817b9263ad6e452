"""The investor's Wallets page: the account wallet, linked self-custody wallets, linking and unlinking."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from accounts.choices import Role
from accounts.permissions import role_required
from compliance.selectors import investor_profile_of
from compliance.wallets import services
from compliance.wallets.choices import LinkedWalletStatus
from compliance.wallets.forms import MoveUnitsForm, SiweChallengeForm, WalletLinkForm
from compliance.wallets.selectors import current_linked_wallets_of, holdings_by_wallet
from config.errors import ApplicationError
from config.forms import REFUSALS, apply_errors, refuse
from config.pages import page_of
from financing.services import transfer_to_own_wallet
from issuers.forms import ActionForm


def request_origin(request: HttpRequest) -> tuple[str, str]:
    """This site's (domain, origin) as the browser reached it: what a SIWE message must name."""
    host = request.get_host()
    return host, f"{request.scheme}://{host}"


def _move_form(request: HttpRequest, wallets: list[Any], data: Any = None) -> MoveUnitsForm | None:
    custodial = next((w for w in wallets if w.custodial), None)
    linked = [(w.linked.pk, w.address) for w in wallets if not w.custodial]
    holdings = [
        (offering.pk, f"{offering.reference} · {offering.application.title} ({row.units})")
        for offering, row in (custodial.holdings if custodial else [])
        if offering is not None
    ]
    if not linked or not holdings:
        return None
    return MoveUnitsForm(data, holdings=holdings, wallets=linked)


def _render(
    request: HttpRequest,
    *,
    status: int = 200,
    challenge: services.SiweChallenge | None = None,
    challenge_form: SiweChallengeForm | None = None,
    link_form: WalletLinkForm | None = None,
    move_form: MoveUnitsForm | None = None,
    action_form: ActionForm | None = None,
) -> HttpResponse:
    profile = investor_profile_of(request.user)
    wallets = holdings_by_wallet(request.user)
    if link_form is None:
        link_form = WalletLinkForm(initial={"message": challenge.message} if challenge else None)
    context = {
        "profile": profile,
        "can_link": profile is not None and profile.can_subscribe,
        "linked_wallets": page_of(
            request, current_linked_wallets_of(request.user), url=reverse("wallets:list")
        ),
        "wallets": wallets,
        "challenge": challenge,
        "challenge_form": challenge_form or SiweChallengeForm(),
        "link_form": link_form,
        "move_form": move_form or _move_form(request, wallets),
        "action_form": action_form,
        "statuses": LinkedWalletStatus,
        "statement": services.STATEMENT,
    }
    return render(request, "compliance/wallets.html", context, status=status)


@role_required(Role.INVESTOR)
def wallets(request: HttpRequest) -> HttpResponse:
    """Your wallets: the account wallet, the ones you linked, their holdings, and linking one more."""
    return _render(request)


@role_required(Role.INVESTOR)
@require_POST
def wallet_challenge(request: HttpRequest) -> HttpResponse:
    """A message to sign for the address given (fallback for wallets without a browser connection)."""
    form = SiweChallengeForm(request.POST)
    if not form.is_valid():
        return _render(request, challenge_form=form, status=400)
    domain, origin = request_origin(request)
    try:
        challenge = services.siwe_challenge_issue(
            user=request.user, address=form.cleaned_data["address"], domain=domain, origin=origin
        )
    except REFUSALS as exc:
        return _render(request, challenge_form=form, status=refuse(form, exc))
    return _render(request, challenge=challenge)


@role_required(Role.INVESTOR)
@require_POST
def wallet_link(request: HttpRequest) -> HttpResponse:
    """Link the wallet the signed message proves."""
    form = WalletLinkForm(request.POST)
    if not form.is_valid():
        return _render(request, link_form=form, status=400)
    domain, _origin = request_origin(request)
    try:
        linked = services.wallet_link(user=request.user, domain=domain, **form.cleaned_data)
    except ApplicationError as exc:
        apply_errors(form, exc)
        return _render(request, link_form=form, status=exc.status_code)
    messages.success(
        request,
        gettext("Wallet %(address)s is linked. It is being registered on chain; this takes a moment.")
        % {"address": linked.address},
    )
    return redirect("wallets:list")


@role_required(Role.INVESTOR)
@require_POST
def wallet_unlink(request: HttpRequest, pk: int) -> HttpResponse:
    """Unlink a wallet (its on-chain identity is revoked)."""
    form = ActionForm(request.POST)
    try:
        services.wallet_unlink(user=request.user, wallet_id=pk)
    except ApplicationError as exc:
        apply_errors(form, exc)
        return _render(request, action_form=form, status=exc.status_code)
    messages.success(request, gettext("The wallet is being unlinked and removed from the chain's registry."))
    return redirect("wallets:list")


@role_required(Role.INVESTOR)
@require_POST
def wallet_move_units(request: HttpRequest) -> HttpResponse:
    """Move units of a holding from the account wallet to a linked wallet."""
    wallets = holdings_by_wallet(request.user)
    form = _move_form(request, wallets, request.POST)
    if form is None:
        action = ActionForm(request.POST)
        action.add_error(
            None, gettext("You have no units in your account wallet or no registered linked wallet.")
        )
        return _render(request, action_form=action, status=409)
    if not form.is_valid():
        return _render(request, move_form=form, status=400)
    try:
        transfer = transfer_to_own_wallet(
            user=request.user,
            offering_id=form.cleaned_data["offering"],
            wallet_id=form.cleaned_data["wallet"],
            units=form.cleaned_data["units"],
        )
    except REFUSALS as exc:
        return _render(request, move_form=form, status=refuse(form, exc))
    messages.success(
        request,
        gettext("Sent: %(units)s units are on their way to %(address)s on chain.")
        % {"units": transfer.units, "address": transfer.buyer_wallet},
    )
    return redirect("wallets:list")
