"""Subscriptions: the investor's authorised payment into escrow, withdrawal and refunds."""

from __future__ import annotations

import logging
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext

from accounts.choices import Role
from accounts.models import User
from accounts.templatetags.money import money
from compliance.audit import audit_record, status_transition, status_transition_many
from compliance.models import AuditEvent, InvestorProfile
from compliance.selectors import subscription_refusal
from config.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from financing.choices import (
    LIVE_SUBSCRIPTION_STATUSES,
    REFUNDED_SUBSCRIPTION_STATUSES,
    SUBSCRIPTION_TRANSITIONS,
    OfferingStatus,
    SubscriptionStatus,
)
from financing.locks import lock_offering, lock_subscriptions
from financing.models import Offering, Subscription
from financing.services.common import (
    INTENT_FUND_SUBSCRIPTION,
    INTENT_REFUND,
    investor_wallet_address,
    token_address,
)
from financing.travel import funding_legs, investor_party, refund_legs
from issuers.choices import KybStatus
from tokens import chain, signer
from tokens import services as token_services
from tokens.choices import ContractKind
from tokens.models import ChainTransaction
from tokens.reasons import explain_failure
from tokens.selectors import payment_balance, payment_token_domain, platform_contract

logger = logging.getLogger(__name__)


def refuse_while_funding(offering: Offering) -> None:
    """Closing or cancelling waits until every payment in flight has reached escrow (or failed)."""
    funding = Subscription.objects.filter(offering=offering, status=SubscriptionStatus.FUNDING).count()
    if funding:
        raise Conflict(
            gettext(
                "%(funding)s payment(s) are still moving into escrow; try again in a "
                "moment (nothing was changed)."
            )
            % {"funding": funding}
        )


def subscriptions_end(
    subscriptions: list[Subscription],
    *,
    to: SubscriptionStatus,
    actor: User | None,
    reason: str = "",
    audit: list[AuditEvent] | None = None,
) -> None:
    """Move subscriptions to an end state in bulk; those that refund get their escrow back in one transaction.

    With `audit`, the entries are added there for the caller to append as its last step.
    """
    status_transition_many(
        subscriptions, to=to, transitions=SUBSCRIPTION_TRANSITIONS, actor=actor, reason=reason, audit=audit
    )
    if to in REFUNDED_SUBSCRIPTION_STATUSES and subscriptions:
        _refund(subscriptions)


def _refund(subscriptions: list[Subscription]) -> None:
    """Queue the return of these subscriptions' escrow to their investors (the only place it can go)."""
    offering = subscriptions[0].offering
    ids = [s.pk for s in subscriptions]
    tx = token_services.contract_call(
        target=platform_contract(ContractKind.SETTLEMENT),
        function="refundBatch",
        args=[token_address(offering), ids],
        intent=INTENT_REFUND,
        key=f"refund:{offering.pk}:{ids[0]}-{ids[-1]}:{len(ids)}",
        reference=f"refund {len(ids)} subscription(s) of offering {offering.pk}",
        subject_address=investor_wallet_address(subscriptions[0]) if len(ids) == 1 else "",
    )
    Subscription.objects.filter(pk__in=ids).update(refund_transaction=tx)
    refund_legs(tx, offering, subscriptions)


@transaction.atomic
def subscription_create(*, user: User, offering_id: int, units: int) -> Subscription:
    """Subscribe whole units of an open offering: the investor authorises exactly this payment, which
    moves into the Settlement contract's escrow; the hard cap holds under concurrent requests."""
    if user.role != Role.INVESTOR:
        raise PermissionDenied(gettext("Only investors subscribe."))
    # The investor's row lock serialises their subscriptions: one per offering, and one balance check
    # at a time across offerings.
    profile = (
        InvestorProfile.objects.select_for_update(of=("self",))
        .select_related("wallet")
        .filter(user=user)
        .first()
    )
    if profile is None or not profile.can_subscribe:
        raise ValidationFailed(subscription_refusal(profile, professional_only=False))
    if units < 1:
        raise ValidationFailed(
            gettext("Subscribe at least one unit."), fields={"units": gettext("Must be at least 1.")}
        )
    offering = Offering.objects.select_related("token", "application__company").filter(pk=offering_id).first()
    if offering is None:
        raise NotFound(gettext("No such offering."))
    if offering.status != OfferingStatus.OPEN or offering.closes_at <= timezone.now():
        raise Conflict(gettext("This offering is not open for subscription."))
    if offering.application.company.kyb_status == KybStatus.BLOCKED:
        raise Conflict(gettext("This offering is suspended: it takes no subscriptions."))
    if offering.subscriptions_paused_reason:
        raise Conflict(
            gettext("New subscriptions to this offering are paused: %(subscriptions_paused_reason)s")
            % {"subscriptions_paused_reason": offering.subscriptions_paused_reason}
        )
    if refusal := subscription_refusal(profile, professional_only=offering.professional_investors_only):
        raise ValidationFailed(refusal)
    if Subscription.objects.filter(
        offering=offering, investor=user, status__in=LIVE_SUBSCRIPTION_STATUSES
    ).exists():
        raise Conflict(
            gettext("You already subscribed to this offering; withdraw it first to change the amount.")
        )
    if offering.max_holders is not None:
        subscribers = Subscription.objects.filter(
            offering=offering, status__in=LIVE_SUBSCRIPTION_STATUSES
        ).count()
        if subscribers >= offering.max_holders:
            raise Conflict(
                gettext(
                    "This offering is limited to %(max_holders)s investors (its token "
                    "enforces it) and has that many subscriptions."
                )
                % {"max_holders": offering.max_holders}
            )
    amount = offering.unit_price * units
    assert profile.wallet is not None
    # Escrowed payments have left the wallet already; those still on their way have not.
    in_flight = Subscription.objects.filter(
        investor=user, status=SubscriptionStatus.FUNDING, offering__currency=offering.currency
    ).aggregate(total=Sum("amount"))["total"] or Decimal("0")
    balance = payment_balance(profile.wallet.address, offering.currency)
    if balance < in_flight + amount:
        currency = offering.currency
        raise ValidationFailed(
            gettext(
                "Your wallet holds %(money)s; this subscription needs %(money2)s on "
                "top of %(money3)s already on its way into escrow."
            )
            % {
                "money": money(balance, currency),
                "money2": money(amount, currency),
                "money3": money(in_flight, currency),
            },
            fields={
                "units": gettext("Not enough %(currency)s in your wallet for this many units.")
                % {"currency": currency}
            },
        )
    room = offering.subscription_cap_units - units
    taken = Offering.objects.filter(
        pk=offering.pk, status=OfferingStatus.OPEN, units_subscribed__lte=room
    ).update(units_subscribed=F("units_subscribed") + units, updated_at=timezone.now())
    if taken != 1:
        left = max(0, offering.subscription_cap_units - Offering.objects.get(pk=offering.pk).units_subscribed)
        raise Conflict(
            gettext("Only %(left)s units are left under this offering's cap.") % {"left": left},
            fields={"units": gettext("At most %(left)s units are available.") % {"left": left}},
        )
    subscription = Subscription.objects.create(
        offering=offering,
        investor=user,
        units=units,
        amount=amount,
        authorised_until=timezone.now() + timedelta(seconds=settings.PAYMENT_AUTHORISATION_SECONDS),
    )
    audit_record(
        actor=user,
        action="subscription_created",
        obj=subscription,
        to_status=subscription.status,
        data={"units": units, "amount": str(amount)},
    )
    tx = _escrow_payment(subscription, investor_wallet=profile.wallet.address)
    funding_legs(tx, subscription, investor_party(profile))
    return subscription


def _escrow_payment(subscription: Subscription, *, investor_wallet: str) -> ChainTransaction:
    """The investor's wallet signs an authorisation for exactly this payment; the settler relays it."""
    offering = subscription.offering
    settlement = platform_contract(ContractKind.SETTLEMENT)
    v, r, s = signer.sign_payment_authorisation(
        purpose=subscription,
        domain=payment_token_domain(offering.currency),
        settlement_address=str(settlement.address),
    )
    tx = token_services.contract_call(
        target=settlement,
        function="fund",
        args=[
            token_address(offering),
            subscription.pk,
            investor_wallet,
            subscription.units,
            int(subscription.authorised_until.timestamp()),
            v,
            r,
            s,
        ],
        intent=INTENT_FUND_SUBSCRIPTION,
        key=f"fund:subscription:{subscription.pk}",
        reference=f"escrow the payment of subscription {subscription.pk}",
        subject_address=investor_wallet,
    )
    Subscription.objects.filter(pk=subscription.pk).update(funding_transaction=tx)
    return tx


def _funded_subscription(tx: ChainTransaction) -> Subscription:
    subscription_id = int(chain.decode_call("Settlement", tx.data)["subscriptionId"])
    return Subscription.objects.select_for_update().get(pk=subscription_id)


def subscription_funded(tx: ChainTransaction, receipt: dict[str, Any]) -> None:
    """The payment is in escrow: the subscription counts."""
    subscription = _funded_subscription(tx)
    status_transition(
        subscription,
        to=SubscriptionStatus.ACTIVE,
        transitions=SUBSCRIPTION_TRANSITIONS,
        actor=None,
        data={"tx_hash": tx.tx_hash},
    )


def subscription_funding_failed(tx: ChainTransaction) -> None:
    """The chain refused the escrow deposit: the subscription fails and its units go back under the cap."""
    subscription = _funded_subscription(tx)
    reason = explain_failure(tx.error)
    status_transition(
        subscription,
        to=SubscriptionStatus.FAILED,
        transitions=SUBSCRIPTION_TRANSITIONS,
        actor=None,
        reason=reason,
        extra={"failure_reason": reason},
    )
    Offering.objects.filter(pk=subscription.offering_id).update(
        units_subscribed=F("units_subscribed") - subscription.units
    )


def subscriptions_refunded(tx: ChainTransaction, receipt: dict[str, Any]) -> None:
    """The escrow went back to the investors."""
    ids = [int(i) for i in chain.decode_call("Settlement", tx.data)["subscriptionIds"]]
    Subscription.objects.filter(pk__in=ids).update(refunded_at=timezone.now(), updated_at=timezone.now())


def subscriptions_refund_failed(tx: ChainTransaction) -> None:
    """A refused refund is an operator matter: the escrow stays, and after settle-by anyone may refund it."""
    logger.error("refund transaction %s failed: %s", tx.pk, tx.error)


@transaction.atomic
def subscription_withdraw(*, user: User, subscription_id: int) -> Subscription:
    """Cancel one's own subscription while the offering is open; the escrow goes back to the investor."""
    found = Subscription.objects.filter(pk=subscription_id, investor=user).values_list(
        "offering_id", flat=True
    )
    if not found:
        raise NotFound(gettext("No such subscription."))
    # Offering first, then subscription: the same lock order as closing, so the two cannot deadlock.
    offering = lock_offering(found[0])
    (subscription,) = lock_subscriptions(pk=subscription_id)
    if offering.status != OfferingStatus.OPEN or offering.closes_at <= timezone.now():
        raise Conflict(gettext("The offering has closed; the subscription can no longer be withdrawn."))
    if subscription.status == SubscriptionStatus.FUNDING:
        raise Conflict(gettext("Your payment is still moving into escrow; withdraw it in a moment."))
    subscriptions_end([subscription], to=SubscriptionStatus.WITHDRAWN, actor=user)
    Offering.objects.filter(pk=offering.pk).update(
        units_subscribed=F("units_subscribed") - subscription.units
    )
    return subscription
