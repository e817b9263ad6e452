"""Settlement of a closed offering, its one home: allotment, chain pre-checks, batches, results, completion.

Closing (`offering_close`) only records the decision (open -> allotting) and queues `offering_settle`,
which runs in Celery, safe to run twice or after a kill:

1. `_allot` (one short transaction): allotments bulk-created, one per subscription (the database
   refuses a second), subscriptions moved by one conditional UPDATE per status, audit appended last.
2. `_queue_settlement`: asks the chain once per batch (`Settlement.settleChecks`) with no transaction
   open, then one short transaction fails the refused allotments with the reason, records the batches
   in the outbox under deterministic keys and moves the offering allotting -> settling.
3. The outbox applies each batch's result in bulk (`allotments_settled` / `allotments_settlement_failed`)
   and `offering_settlement_finish` completes the offering: settled, or partly failed.

No chain call runs inside a database transaction: chain reads come first, then a short transaction writes.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext

from accounts.models import User
from compliance.audit import audit_record_many, status_transition_many
from compliance.models import AuditEvent
from config.errors import Conflict, NotFound, ValidationFailed
from financing import notices
from financing.allotment import allot_pro_rata
from financing.choices import (
    ALLOTMENT_TRANSITIONS,
    APPLICATION_TRANSITIONS,
    OFFERING_TRANSITIONS,
    SUBSCRIPTION_TRANSITIONS,
    AllotmentStatus,
    ApplicationStatus,
    OfferingStatus,
    SubscriptionStatus,
)
from financing.locks import lock_allotments, lock_offering, lock_subscriptions
from financing.models import Allotment, Application, Offering
from financing.services.common import (
    INTENT_SETTLE_ALLOTMENT,
    INTENT_SETTLE_BATCH,
    base_units,
    investor_wallet_address,
    require_staff,
    token_address,
)
from financing.services.servicing import payment_calendar_build
from financing.services.subscriptions import subscriptions_end
from financing.travel import settlement_legs
from tokens import chain
from tokens import services as token_services
from tokens.choices import ContractKind
from tokens.models import ChainTransaction
from tokens.reasons import OK, explain_code, explain_failure
from tokens.selectors import platform_contract


def offering_settle(*, offering_id: int) -> Offering | None:
    """Allot a closed offering and queue its settlement (the background half of closing); idempotent."""
    chain.chain_id()  # asked (once per process) before any transaction: the outbox records it
    _allot(offering_id)
    _queue_settlement(offering_id)
    return Offering.objects.filter(pk=offering_id).first()


@transaction.atomic
def _allot(offering_id: int) -> None:
    """Allot the active subscriptions of an allotting offering, once (nothing to do when allotted)."""
    offering = lock_offering(offering_id, related=("token",))
    if offering.status != OfferingStatus.ALLOTTING or Allotment.objects.filter(offering=offering).exists():
        return
    subscriptions = lock_subscriptions(offering=offering, status=SubscriptionStatus.ACTIVE)
    allotted = allot_pro_rata([(s.pk, s.units) for s in subscriptions], offering.units_offered)
    winners = [s for s in subscriptions if allotted[s.pk]]
    now = timezone.now()
    Allotment.objects.bulk_create(
        [
            Allotment(
                subscription=s,
                offering=offering,
                units=allotted[s.pk],
                amount=offering.unit_price * allotted[s.pk],
                payment_base_units=base_units(offering.unit_price * allotted[s.pk]),
                created_at=now,
                updated_at=now,
            )
            for s in winners
        ]
    )
    audit: list[AuditEvent] = []
    status_transition_many(
        winners,
        to=SubscriptionStatus.ALLOTTED,
        transitions=SUBSCRIPTION_TRANSITIONS,
        actor=None,
        data_for=lambda s: {"units": allotted[s.pk]},
        audit=audit,
    )
    for s in subscriptions:
        s.offering = offering  # the refund reads it: no query per subscription
    subscriptions_end(
        [s for s in subscriptions if not allotted[s.pk]],
        to=SubscriptionStatus.NOT_ALLOTTED,
        actor=None,
        audit=audit,
    )
    audit_record_many(audit)  # last: the audit chain head is locked only from here to the commit


# Pre-check reads sent together in one JSON-RPC batch (one round trip for this many batches).
SETTLE_CHECKS_PER_REQUEST = 40


def _settle_codes(token: str, items: list[tuple[int, int]]) -> list[int]:
    """One chain read per batch: 0 when the item would settle, else why not (see tokens/reasons.py)."""
    (codes,) = _settle_codes_of_batches(token, [items])
    return codes


def _settle_codes_of_batches(token: str, batches: list[list[tuple[int, int]]]) -> list[list[int]]:
    """`_settle_codes` of every batch: one read per batch, many reads per round trip (a 10,000 round's
    200 reads were 200 sequential round trips)."""
    settlement = str(platform_contract(ContractKind.SETTLEMENT).address)
    if len(batches) == 1:
        return [
            [int(code) for code in chain.call("Settlement", settlement, "settleChecks", token, batches[0])]
        ]
    found: list[list[int]] = []
    for start in range(0, len(batches), SETTLE_CHECKS_PER_REQUEST):
        chunk = batches[start : start + SETTLE_CHECKS_PER_REQUEST]
        answers = chain.call_many(
            [("Settlement", settlement, "settleChecks", (token, items)) for items in chunk]
        )
        found.extend([int(code) for code in answer] for answer in answers)
    return found


def _batches(items: list[Any]) -> list[list[Any]]:
    size = settings.SETTLEMENT_BATCH_SIZE
    return [items[start : start + size] for start in range(0, len(items), size)]


def _queue_settlement(offering_id: int) -> None:
    """Pre-check the allotments not yet queued (chain reads, no transaction), then queue them in batches."""
    offering = Offering.objects.select_related("token").get(pk=offering_id)
    if offering.status != OfferingStatus.ALLOTTING:
        return  # queued already (a second run, or a run after a kill that came after the commit)
    token = token_address(offering)
    waiting = list(
        Allotment.objects.filter(
            offering=offering, status=AllotmentStatus.PENDING, chain_transaction__isnull=True
        )
        .order_by("pk")
        .values_list("pk", "subscription_id", "units")
    )
    codes: dict[int, int] = {}
    batches = _batches(waiting)
    if batches:
        items = [[(subscription_id, units) for _, subscription_id, units in batch] for batch in batches]
        for batch, found in zip(batches, _settle_codes_of_batches(token, items), strict=True):
            codes.update({pk: code for (pk, _, _), code in zip(batch, found, strict=True)})
    with transaction.atomic():
        offering = lock_offering(offering_id, related=("token",))
        if offering.status != OfferingStatus.ALLOTTING:
            return
        allotments = lock_allotments(
            ids=codes,
            status=AllotmentStatus.PENDING,
            chain_transaction__isnull=True,
            related=("subscription",),
        )
        audit: list[AuditEvent] = []
        refused: dict[int, list[Allotment]] = defaultdict(list)
        for allotment in allotments:
            if codes[allotment.pk] != OK:
                refused[codes[allotment.pk]].append(allotment)
        for code, members in refused.items():
            _allotments_fail(members, explain_code(code), audit=audit)
        passed = [a for a in allotments if codes[a.pk] == OK]
        settlement = platform_contract(ContractKind.SETTLEMENT)
        for batch in _batches(passed):
            ids = [a.pk for a in batch]
            tx = token_services.contract_call(
                target=settlement,
                function="settleBatch",
                args=[token, [(a.subscription_id, a.units) for a in batch]],
                intent=INTENT_SETTLE_BATCH,
                key=f"settle:batch:{ids[0]}-{ids[-1]}:{len(ids)}",
                reference=f"settle allotments {ids[0]} to {ids[-1]} ({len(ids)})",
            )
            Allotment.objects.filter(pk__in=ids).update(chain_transaction=tx)
            settlement_legs(tx, offering, batch)
        if passed:
            _offering_move(offering, OfferingStatus.SETTLING, audit=audit)
        else:
            offering_settlement_finish(offering, audit=audit)
        audit_record_many(audit)


def _offering_move(
    offering: Offering, to: OfferingStatus, *, audit: list[AuditEvent] | None, reason: str = ""
) -> None:
    status_transition_many(
        [offering], to=to, transitions=OFFERING_TRANSITIONS, actor=None, reason=reason, audit=audit
    )


def _allotments_fail(allotments: list[Allotment], reason: str, *, audit: list[AuditEvent] | None) -> None:
    status_transition_many(
        allotments,
        to=AllotmentStatus.FAILED,
        transitions=ALLOTMENT_TRANSITIONS,
        actor=None,
        reason=reason,
        extra={"failure_reason": reason},
        audit=audit,
    )


def offering_settlement_finish(offering: Offering, *, audit: list[AuditEvent] | None = None) -> None:
    """Complete a closed offering from its allotments' statuses (the caller holds the offering's lock).

    Settled when none is pending and none failed (a written-off allotment counts as done); partly
    failed when none is pending and some failed; a partly failed offering with one pending again (a
    retry) is settling again. An offering still allotting or not closed is left alone.
    """
    if offering.status not in (
        OfferingStatus.ALLOTTING,
        OfferingStatus.SETTLING,
        OfferingStatus.PARTLY_FAILED,
    ):
        return
    counts = Allotment.objects.filter(offering=offering).aggregate(
        pending=Count("pk", filter=Q(status=AllotmentStatus.PENDING)),
        failed=Count("pk", filter=Q(status=AllotmentStatus.FAILED)),
    )
    if counts["pending"]:
        to = OfferingStatus.SETTLING
    elif counts["failed"]:
        to = OfferingStatus.PARTLY_FAILED
    else:
        to = OfferingStatus.SETTLED
    if offering.status == OfferingStatus.ALLOTTING and counts["pending"]:
        return  # the queueing step moves it to settling
    if to != offering.status:
        _offering_move(offering, to, audit=audit)
        if to == OfferingStatus.SETTLED:
            _offering_funded(offering, audit=audit)
            notices.offering_moved(offering, to)


def _offering_funded(offering: Offering, *, audit: list[AuditEvent] | None) -> None:
    """The money arrived: the application is funded and the offering's payment calendar is built."""
    application = Application.objects.select_for_update().get(pk=offering.application_id)
    if application.status == ApplicationStatus.APPROVED:
        status_transition_many(
            [application],
            to=ApplicationStatus.FUNDED,
            transitions=APPLICATION_TRANSITIONS,
            actor=None,
            audit=audit,
        )
    offering.application = application
    payment_calendar_build(offering)


def _settled_subscription_ids(tx: ChainTransaction) -> list[int]:
    call = chain.decode_call("Settlement", tx.data)
    if tx.intent == INTENT_SETTLE_BATCH:
        return [int(item["subscriptionId"]) for item in call["items"]]
    return [int(call["subscriptionId"])]


def _finish_offerings_of(allotments: list[Allotment], audit: list[AuditEvent]) -> None:
    for offering_id in sorted({a.offering_id for a in allotments}):
        offering_settlement_finish(lock_offering(offering_id), audit=audit)


def allotments_settled(tx: ChainTransaction, receipt: dict[str, Any]) -> None:
    """Delivery and payment happened on chain: mark the allotments in bulk, and complete the offering."""
    audit: list[AuditEvent] = []
    allotments = lock_allotments(
        subscription_id__in=_settled_subscription_ids(tx), status=AllotmentStatus.PENDING
    )
    status_transition_many(
        allotments,
        to=AllotmentStatus.SETTLED,
        transitions=ALLOTMENT_TRANSITIONS,
        actor=None,
        extra={"settled_at": timezone.now()},
        data={"tx_hash": tx.tx_hash},
        audit=audit,
    )
    notices.allotments_settled(allotments)
    _finish_offerings_of(allotments, audit)
    audit_record_many(audit)


def allotments_settlement_failed(tx: ChainTransaction) -> None:
    """The chain refused the settlement: its allotments fail (in bulk) with the reason in plain words."""
    audit: list[AuditEvent] = []
    allotments = lock_allotments(
        subscription_id__in=_settled_subscription_ids(tx), status=AllotmentStatus.PENDING
    )
    _allotments_fail(allotments, explain_failure(tx.error), audit=audit)
    _finish_offerings_of(allotments, audit)
    audit_record_many(audit)


def allotment_retry(*, actor: User, allotment_id: int) -> Allotment:
    """Queue a failed settlement again on its own (after the cause was fixed); its escrow still waits.

    The chain is asked first, with no transaction open; then a short transaction re-checks and queues.
    """
    require_staff(actor)
    allotment = (
        Allotment.objects.select_related("offering__token", "subscription__investor__investor__wallet")
        .filter(pk=allotment_id)
        .first()
    )
    if allotment is None:
        raise NotFound(gettext("No such allotment."))
    if allotment.status != AllotmentStatus.FAILED:
        raise Conflict(
            gettext("This allotment is %(lower)s; only a failed one is retried.")
            % {"lower": allotment.get_status_display().lower()}
        )
    token = token_address(allotment.offering)
    wallet = investor_wallet_address(allotment.subscription)
    (code,) = _settle_codes(token, [(allotment.subscription_id, allotment.units)])
    if code != OK:
        raise Conflict(
            gettext("It would still be refused: %(explain_code)s") % {"explain_code": explain_code(code)}
        )
    with transaction.atomic():
        offering = lock_offering(allotment.offering_id)
        allotment = lock_allotments(ids=[allotment_id])[0]
        status_transition_many(
            [allotment], to=AllotmentStatus.PENDING, transitions=ALLOTMENT_TRANSITIONS, actor=actor
        )
        tx = token_services.contract_call(
            target=platform_contract(ContractKind.SETTLEMENT),
            function="settle",
            args=[token, allotment.subscription_id, allotment.units],
            intent=INTENT_SETTLE_ALLOTMENT,
            key=f"settle:allotment:{allotment.pk}:after:{allotment.chain_transaction_id or 0}",
            reference=f"settle allotment {allotment.pk} again",
            subject_address=wallet,
        )
        Allotment.objects.filter(pk=allotment.pk).update(chain_transaction=tx)
        allotment.chain_transaction = tx
        settlement_legs(tx, offering, [allotment])
        offering_settlement_finish(offering)  # a partly failed offering is settling again
    return allotment


@transaction.atomic
def allotment_write_off(*, actor: User, allotment_id: int, reason: str) -> Allotment:
    """Staff give up on a failed settlement, with a reason: the investor's escrow is refunded through the
    outbox, the subscription is released, and the offering completes if nothing else is outstanding."""
    require_staff(actor)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(
            gettext("Say why the allotment is written off; the investor and the audit trail see it."),
            fields={"reason": gettext("Required.")},
        )
    # Allotment, subscription, then offering: the order the settled handler locks in.
    found = lock_allotments(ids=[allotment_id], related=("subscription__investor__investor__wallet",))
    if not found:
        raise NotFound(gettext("No such allotment."))
    allotment = found[0]
    if allotment.status != AllotmentStatus.FAILED:
        state = allotment.get_status_display().lower()
        raise Conflict(
            gettext("Only a failed settlement can be written off; this allotment is %(state)s.")
            % {"state": state}
        )
    (subscription,) = lock_subscriptions(pk=allotment.subscription_id)
    offering = lock_offering(allotment.offering_id, related=("token",))
    subscription.offering = offering
    subscription.investor = allotment.subscription.investor
    audit: list[AuditEvent] = []
    status_transition_many(
        [allotment],
        to=AllotmentStatus.WRITTEN_OFF,
        transitions=ALLOTMENT_TRANSITIONS,
        actor=actor,
        reason=reason,
        extra={"write_off_reason": reason},
        data={"units": allotment.units, "refund": str(subscription.amount)},
        audit=audit,
    )
    subscriptions_end([subscription], to=SubscriptionStatus.RELEASED, actor=actor, reason=reason, audit=audit)
    offering_settlement_finish(offering, audit=audit)
    audit_record_many(audit)
    return allotment
