"""Settlement of allotments from escrow: pre-checks, batches, results from the chain, retries."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from compliance.audit import status_transition
from config.errors import Conflict, NotFound, ValidationFailed
from financing.choices import (
    ALLOTMENT_DONE_STATUSES,
    ALLOTMENT_TRANSITIONS,
    OFFERING_TRANSITIONS,
    AllotmentStatus,
    OfferingStatus,
    SubscriptionStatus,
)
from financing.models import Allotment, Offering, Subscription
from financing.services.common import (
    INTENT_SETTLE_ALLOTMENT,
    INTENT_SETTLE_BATCH,
    investor_wallet_address,
    offering_move,
    require_staff,
    token_address,
)
from financing.services.subscriptions import subscriptions_end
from tokens import chain
from tokens import services as token_services
from tokens.choices import ContractKind
from tokens.models import ChainTransaction
from tokens.reasons import OK, explain_code, explain_failure
from tokens.selectors import platform_contract


def _settlement_refusal(token: str, investor: str, units: int) -> str | None:
    """Why the token would refuse to mint to this investor, in plain words (None: it would pass).

    The payment is already in escrow, so only the token's transfer rules can stop a settlement.
    """
    code = int(chain.call("SecurityToken", token, "canMint", investor, units))
    return None if code == OK else explain_code(code)


def _allotment_fail(allotment: Allotment, reason: str) -> None:
    status_transition(
        allotment,
        to=AllotmentStatus.FAILED,
        transitions=ALLOTMENT_TRANSITIONS,
        actor=None,
        reason=reason,
        extra={"failure_reason": reason},
    )


def settle_in_batches(offering: Offering, allotments: list[Allotment]) -> None:
    """Check each allotment against the token's rules, then queue delivery-versus-payment in batches.

    Each item names only (subscription, units): the contract takes units x the registered price from
    that subscription's escrow, pays the registered issuer and refunds any excess to the investor.
    """
    token = token_address(offering)
    items: list[tuple[int, int]] = []
    by_subscription: dict[int, int] = {}
    for allotment in allotments:
        refusal = _settlement_refusal(token, investor_wallet_address(allotment.subscription), allotment.units)
        if refusal is None:
            items.append((allotment.subscription_id, allotment.units))
            by_subscription[allotment.subscription_id] = allotment.pk
        else:
            _allotment_fail(allotment, refusal)
    size = settings.SETTLEMENT_BATCH_SIZE
    for start in range(0, len(items), size):
        batch = items[start : start + size]
        ids = [by_subscription[subscription_id] for subscription_id, _ in batch]
        tx = token_services.contract_call(
            target=platform_contract(ContractKind.SETTLEMENT),
            function="settleBatch",
            args=[token, batch],
            intent=INTENT_SETTLE_BATCH,
            key=f"settle:batch:{ids[0]}-{ids[-1]}:{len(ids)}",
            reference=f"settle allotments {ids[0]} to {ids[-1]} ({len(ids)})",
        )
        Allotment.objects.filter(pk__in=ids).update(chain_transaction=tx)


def _settled_subscription_ids(tx: ChainTransaction) -> list[int]:
    call = chain.decode_call("Settlement", tx.data)
    if tx.intent == INTENT_SETTLE_BATCH:
        return [int(item["subscriptionId"]) for item in call["items"]]
    return [int(call["subscriptionId"])]


def allotments_settled(tx: ChainTransaction, receipt: dict[str, Any]) -> None:
    """Delivery and payment happened on chain: mark the allotments, and the offering when all are done."""
    offering_ids = set()
    for allotment in (
        Allotment.objects.select_for_update()
        .filter(subscription_id__in=_settled_subscription_ids(tx))
        .order_by("pk")
    ):
        status_transition(
            allotment,
            to=AllotmentStatus.SETTLED,
            transitions=ALLOTMENT_TRANSITIONS,
            actor=None,
            extra={"settled_at": timezone.now()},
            data={"tx_hash": tx.tx_hash},
        )
        offering_ids.add(allotment.offering_id)
    for offering in Offering.objects.select_for_update().filter(pk__in=offering_ids):
        _offering_finish_if_done(offering)


def allotments_settlement_failed(tx: ChainTransaction) -> None:
    """The chain refused the settlement: its allotments fail with the reason in plain words."""
    reason = explain_failure(tx.error)
    for allotment in (
        Allotment.objects.select_for_update()
        .filter(subscription_id__in=_settled_subscription_ids(tx))
        .order_by("pk")
    ):
        _allotment_fail(allotment, reason)


@transaction.atomic
def allotment_retry(*, actor: User, allotment_id: int) -> Allotment:
    """Queue a failed settlement again on its own (after the cause was fixed); its escrow still waits."""
    require_staff(actor)
    allotment = (
        Allotment.objects.select_for_update(of=("self",))
        .select_related("offering__token", "subscription__investor__investor__wallet")
        .filter(pk=allotment_id)
        .first()
    )
    if allotment is None:
        raise NotFound("No such allotment.")
    token = token_address(allotment.offering)
    refusal = _settlement_refusal(token, investor_wallet_address(allotment.subscription), allotment.units)
    if refusal is not None:
        raise Conflict(f"It would still be refused: {refusal}")
    status_transition(allotment, to=AllotmentStatus.PENDING, transitions=ALLOTMENT_TRANSITIONS, actor=actor)
    tx = token_services.contract_call(
        target=platform_contract(ContractKind.SETTLEMENT),
        function="settle",
        args=[token, allotment.subscription_id, allotment.units],
        intent=INTENT_SETTLE_ALLOTMENT,
        key=f"settle:allotment:{allotment.pk}:after:{allotment.chain_transaction_id or 0}",
        reference=f"settle allotment {allotment.pk} again",
        subject_address=investor_wallet_address(allotment.subscription),
    )
    Allotment.objects.filter(pk=allotment.pk).update(chain_transaction=tx)
    return allotment


def _offering_finish_if_done(offering: Offering, *, actor: User | None = None) -> None:
    """The offering's settlement is complete once every allotment settled or was written off.

    Call with the offering's row locked. (To be unified with close's completion function.)
    """
    if OfferingStatus.SETTLED not in OFFERING_TRANSITIONS.get(OfferingStatus(offering.status), set()):
        return
    if offering.allotments.exclude(status__in=ALLOTMENT_DONE_STATUSES).exists():
        return
    offering_move(offering, OfferingStatus.SETTLED, actor=actor)


@transaction.atomic
def allotment_write_off(*, actor: User, allotment_id: int, reason: str) -> Allotment:
    """Staff give up on a failed settlement, with a reason: the investor's escrow is refunded through the
    outbox, the subscription is released, and the offering completes if nothing else is outstanding."""
    require_staff(actor)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(
            "Say why the allotment is written off; the investor and the audit trail see it.",
            fields={"reason": "Required."},
        )
    # Allotment, subscription, then offering: the order the settled handler locks in (closing and
    # withdrawing lock offering then subscription, but only before allotments exist).
    allotment = (
        Allotment.objects.select_for_update(of=("self",))
        .select_related("subscription__investor__investor__wallet")
        .filter(pk=allotment_id)
        .first()
    )
    if allotment is None:
        raise NotFound("No such allotment.")
    if allotment.status != AllotmentStatus.FAILED:
        state = allotment.get_status_display().lower()
        raise Conflict(f"Only a failed settlement can be written off; this allotment is {state}.")
    subscription = Subscription.objects.select_for_update().get(pk=allotment.subscription_id)
    offering = (
        Offering.objects.select_for_update(of=("self",)).select_related("token").get(pk=allotment.offering_id)
    )
    subscription.offering = offering
    subscription.investor = allotment.subscription.investor
    status_transition(
        allotment,
        to=AllotmentStatus.WRITTEN_OFF,
        transitions=ALLOTMENT_TRANSITIONS,
        actor=actor,
        reason=reason,
        extra={"write_off_reason": reason},
        data={"units": allotment.units, "refund": str(subscription.amount)},
    )
    subscriptions_end([subscription], to=SubscriptionStatus.RELEASED, actor=actor, reason=reason)
    _offering_finish_if_done(offering, actor=actor)
    return allotment
