"""The allowlist of stablecoins: one accepted per currency, listed under four eyes.

A staff member proposes a token by its address on the configured chain (its name, symbol and
decimals are read from the chain first); a different staff member approves or rejects it. Approval
proposes `Settlement.setPaymentTokenAllowed(token, true)` to the platform timelock (the registrar key
proposes, the admin key executes after the delay); the listing is active, and offerings in its
currency can be registered with it, once that execution is confirmed. One live listing per currency
and per token, held by database constraints as well as by these checks.
"""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext
from web3.exceptions import Web3Exception

from accounts.choices import STAFF_ROLES
from accounts.models import User
from compliance.audit import audit_record, status_transition
from config.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from config.text import REASON_MAX_LENGTH
from tokens import chain
from tokens import services as token_services
from tokens.choices import (
    LISTING_TRANSITIONS,
    LIVE_LISTING_STATUSES,
    ContractKind,
    ContractStatus,
    ListingStatus,
    PaymentCurrency,
)
from tokens.models import ChainTransaction, Contract, PaymentTokenListing
from tokens.selectors import platform_contract

INTENT_ALLOW_PAYMENT_TOKEN = "allow_payment_token"
ADDRESS = re.compile(r"^0x[0-9a-fA-F]{40}$")


def _require_staff(actor: User) -> None:
    if actor.role not in STAFF_ROLES:
        raise PermissionDenied(gettext("Only platform staff manage the accepted stablecoins."))


def _token_facts(address: str) -> tuple[str, str, int]:
    """(name, symbol, decimals) of the ERC-20 token at `address`, read from the chain (no transaction)."""
    if not chain.web3().eth.get_code(chain.to_checksum(address)):
        raise ValidationFailed(
            gettext(
                "No contract is deployed at this address on the platform's chain; "
                "check the address and network."
            ),
            fields={"address": gettext("No contract at this address.")},
        )
    try:
        name = str(chain.call("PaymentToken", address, "name"))
        symbol = str(chain.call("PaymentToken", address, "symbol"))
        decimals = int(chain.call("PaymentToken", address, "decimals"))
    except (Web3Exception, ValueError, OverflowError) as exc:
        if isinstance(exc, chain.ChainUnavailable):
            raise
        raise ValidationFailed(
            gettext("The contract at this address does not answer as a token (name, symbol, decimals)."),
            fields={"address": gettext("Not a token contract.")},
        ) from exc
    return name[:100], symbol[:20], decimals


def _clean_currency(currency: str) -> PaymentCurrency:
    if currency not in PaymentCurrency.values:
        raise ValidationFailed(
            gettext("Choose the currency the stablecoin pays in: HKD, CNY (settled in CNH), MOP or USD."),
            fields={"currency": gettext("Choose HKD, CNY, MOP or USD.")},
        )
    return PaymentCurrency(currency)


def _live_refusal(currency: str, address: str) -> str | None:
    """Why a new listing for `currency` at `address` cannot be made, or None."""
    live = PaymentTokenListing.objects.select_related("contract").filter(
        chain_id=chain.chain_id(), status__in=LIVE_LISTING_STATUSES
    )
    taken = live.filter(currency=currency).first()
    if taken is not None:
        return (
            f"{currency} already has a stablecoin: {taken.symbol} at {taken.contract.address} "
            f"({taken.get_status_display().lower()}). Only one stablecoin is accepted per currency."
        )
    same = live.filter(contract__address=address).first()
    if same is not None:
        return f"This token is already listed for {same.currency} ({same.get_status_display().lower()})."
    return None


def payment_token_propose(*, actor: User, currency: str, address: str, note: str = "") -> PaymentTokenListing:
    """Propose the stablecoin at `address` for `currency`; a different staff member decides it.

    Reads the token from the chain first, then records the proposal in one short transaction."""
    _require_staff(actor)
    errors: dict[str, str] = {}
    if currency not in PaymentCurrency.values:
        errors["currency"] = gettext("Choose HKD, CNY, MOP or USD.")
    if not isinstance(address, str) or not ADDRESS.match(address.strip()):
        errors["address"] = gettext(
            "Enter the token's contract address: 0x followed by 40 hexadecimal characters."
        )
    if len(note) > REASON_MAX_LENGTH:
        errors["note"] = gettext("Keep the note under %(REASON_MAX_LENGTH)s characters.") % {
            "REASON_MAX_LENGTH": format(REASON_MAX_LENGTH, ",")
        }
    if errors:
        raise ValidationFailed(
            gettext("Please correct the highlighted fields; nothing was changed."), fields=errors
        )
    currency = _clean_currency(currency)
    address = chain.to_checksum(address.strip())
    if (refusal := _live_refusal(currency, address)) is not None:
        raise Conflict(refusal)
    known = Contract.objects.filter(chain_id=chain.chain_id(), address=address).first()
    if known is not None and known.kind != ContractKind.PAYMENT_TOKEN:
        raise ValidationFailed(
            gettext("This address is the platform's %(lower)s, not a stablecoin.")
            % {"lower": known.get_kind_display().lower()},
            fields={"address": gettext("Not a stablecoin.")},
        )
    name, symbol, decimals = _token_facts(address)
    if decimals != settings.PAYMENT_TOKEN_DECIMALS:
        raise ValidationFailed(
            gettext(
                "%(symbol)s has %(decimals)s decimals; the platform settles in "
                "stablecoins of %(PAYMENT_TOKEN_DECIMALS)s decimals only."
            )
            % {
                "symbol": symbol,
                "decimals": decimals,
                "PAYMENT_TOKEN_DECIMALS": settings.PAYMENT_TOKEN_DECIMALS,
            },
            fields={
                "address": gettext("Not a %(PAYMENT_TOKEN_DECIMALS)s-decimal token.")
                % {"PAYMENT_TOKEN_DECIMALS": settings.PAYMENT_TOKEN_DECIMALS}
            },
        )
    try:
        with transaction.atomic():
            if (refusal := _live_refusal(currency, address)) is not None:
                raise Conflict(refusal)
            token, _ = Contract.objects.get_or_create(
                chain_id=chain.chain_id(),
                address=address,
                defaults={
                    "kind": ContractKind.PAYMENT_TOKEN,
                    "label": f"{symbol} ({currency} stablecoin)",
                    "status": ContractStatus.DEPLOYED,
                },
            )
            listing = PaymentTokenListing.objects.create(
                currency=currency,
                chain_id=chain.chain_id(),
                contract=token,
                name=name,
                symbol=symbol,
                note=note.strip(),
                proposed_by=actor,
            )
            audit_record(
                actor=actor,
                action="payment_token_proposed",
                obj=listing,
                to_status=listing.status,
                data={"currency": currency, "address": address, "symbol": symbol},
            )
    except IntegrityError as exc:  # another proposal for the currency or token won the race
        raise Conflict(
            gettext(
                "Another stablecoin for %(currency)s, or this token, was proposed just now; reload and look."
            )
            % {"currency": currency}
        ) from exc
    return listing


def payment_token_decide(
    *, actor: User, listing_id: int, approve: bool, reason: str = ""
) -> PaymentTokenListing:
    """A second staff member approves (the token is allowed on chain through the timelock) or rejects
    (with a reason) a proposed stablecoin."""
    _require_staff(actor)
    chain.chain_id()  # asked (once per process) before the transaction: the outbox records it
    with transaction.atomic():
        return _decide(actor=actor, listing_id=listing_id, approve=approve, reason=reason)


def _decide(*, actor: User, listing_id: int, approve: bool, reason: str) -> PaymentTokenListing:
    listing = (
        PaymentTokenListing.objects.select_for_update(of=("self",))
        .select_related("contract")
        .filter(pk=listing_id)
        .first()
    )
    if listing is None:
        raise NotFound(gettext("No such stablecoin proposal."))
    if listing.status != ListingStatus.PROPOSED:
        raise Conflict(
            gettext("This stablecoin is %(lower)s already; nothing was changed.")
            % {"lower": listing.get_status_display().lower()}
        )
    if listing.proposed_by_id == actor.pk:
        raise PermissionDenied(
            gettext("You proposed this stablecoin: a different staff member must approve or reject it.")
        )
    reason = reason.strip()
    if len(reason) > REASON_MAX_LENGTH:
        raise ValidationFailed(
            gettext("The reason is too long."),
            fields={
                "reason": gettext("At most %(REASON_MAX_LENGTH)s characters.")
                % {"REASON_MAX_LENGTH": format(REASON_MAX_LENGTH, ",")}
            },
        )
    decided = {"decided_by": actor, "decided_at": timezone.now(), "decision_reason": reason}
    if not approve:
        if not reason:
            raise ValidationFailed(
                gettext("Say why the stablecoin is rejected."),
                fields={"reason": gettext("A reason is needed to reject.")},
            )
        status_transition(
            listing,
            to=ListingStatus.REJECTED,
            transitions=LISTING_TRANSITIONS,
            actor=actor,
            reason=reason,
            extra=decided,
        )
        return listing
    address = str(listing.contract.address)
    proposal = token_services.admin_operation_propose(
        target=platform_contract(ContractKind.SETTLEMENT),
        function="setPaymentTokenAllowed",
        args=[address, True],
        key=f"allow:payment_token:{listing.pk}:{address}",
        reference=f"allow {listing.symbol} for {listing.currency} payments",
        subject_address=address,
    )
    status_transition(
        listing,
        to=ListingStatus.ALLOWING,
        transitions=LISTING_TRANSITIONS,
        actor=actor,
        reason=reason,
        extra={**decided, "chain_transaction": proposal},
    )
    return listing


def _allowing_listing(tx: ChainTransaction) -> PaymentTokenListing | None:
    return (
        PaymentTokenListing.objects.select_for_update()
        .filter(chain_id=tx.chain_id, contract__address=tx.subject_address, status=ListingStatus.ALLOWING)
        .first()
    )


def payment_token_allowed(tx: ChainTransaction, receipt: dict[str, Any]) -> None:
    """The Settlement contract accepts the token: the listing is active for its currency."""
    listing = _allowing_listing(tx)
    if listing is not None:
        status_transition(
            listing,
            to=ListingStatus.ACTIVE,
            transitions=LISTING_TRANSITIONS,
            actor=None,
            extra={"chain_transaction": tx},
            data={"tx_hash": tx.tx_hash},
        )


def payment_token_allow_failed(tx: ChainTransaction) -> None:
    """The chain refused to allow the token: the listing fails (a new proposal may follow)."""
    listing = _allowing_listing(tx)
    if listing is not None:
        status_transition(
            listing,
            to=ListingStatus.FAILED,
            transitions=LISTING_TRANSITIONS,
            actor=None,
            reason=tx.error[:500],
        )


def payment_token_list_at_bootstrap(*, currency: PaymentCurrency, token: Contract) -> PaymentTokenListing:
    """The platform's own test stablecoin of `currency`, allowed by the bootstrap itself: listed active."""
    existing = PaymentTokenListing.objects.filter(
        chain_id=token.chain_id, contract=token, status__in=LIVE_LISTING_STATUSES
    ).first()
    if existing is not None:
        return existing
    name = str(chain.call("PaymentToken", str(token.address), "name"))
    symbol = str(chain.call("PaymentToken", str(token.address), "symbol"))
    # Set-up, like the platform contracts' deployment: the outbox rows are its record, not the audit trail.
    return PaymentTokenListing.objects.create(
        currency=currency,
        chain_id=token.chain_id,
        contract=token,
        name=name,
        symbol=symbol,
        status=ListingStatus.ACTIVE,
        note="The platform's test stablecoin, allowed when the platform was set up.",
        decided_at=timezone.now(),
    )


def register() -> None:
    """Approval of a listing executes through the timelock."""
    token_services.register_admin_operation(
        target=ContractKind.SETTLEMENT,
        function="setPaymentTokenAllowed",
        intent=INTENT_ALLOW_PAYMENT_TOKEN,
        confirmed=payment_token_allowed,
        failed=payment_token_allow_failed,
    )
