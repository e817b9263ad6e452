"""Shared by the financing services: the chain intents they record and small helpers."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext

from accounts.choices import STAFF_ROLES
from accounts.models import User
from compliance.audit import status_transition
from config.errors import Conflict, PermissionDenied
from financing.choices import (
    OFFERING_TRANSITIONS,
    OfferingStatus,
)
from financing.models import Offering, Subscription

INTENT_DEPLOY_SECURITY_TOKEN = "deploy_security_token"
INTENT_CONFIGURE_SECURITY_TOKEN = "configure_security_token"
INTENT_REGISTER_OFFERING = "register_offering"
INTENT_FUND_SUBSCRIPTION = "fund_subscription"
INTENT_SETTLE_ALLOTMENT = "settle_allotment"
INTENT_SETTLE_BATCH = "settle_allotments"
INTENT_REFUND = "refund_subscriptions"
INTENT_TRANSFER_UNITS = "transfer_units"
# The investor-class bit the identity registry and the token rules use for professional investors.
PROFESSIONAL_INVESTOR_CLASS = 1


def investor_wallet_address(subscription: Subscription) -> str:
    """The subscribing investor's custodial wallet (a refusal if it does not exist)."""
    wallet = subscription.investor.investor.wallet
    if wallet is None:
        raise Conflict(gettext("The investor has no wallet; it is created when due diligence is approved."))
    return wallet.address


def token_address(offering: Offering) -> str:
    """The offering's deployed security token (a refusal while it is not deployed)."""
    if offering.token is None or not offering.token.address:
        raise Conflict(gettext("The offering's token is not deployed yet."))
    return offering.token.address


def base_units(amount: Decimal) -> int:
    """An HKD amount in payment-token base units (exact: amounts are whole cents)."""
    return int(amount.scaleb(settings.PAYMENT_TOKEN_DECIMALS).to_integral_exact())


def offering_move(
    offering: Offering, to: OfferingStatus, *, actor: User | None, reason: str = "", **extra: Any
) -> None:
    """Move an offering's status through its transitions map, audited; the people it concerns are told."""
    status_transition(
        offering, to=to, transitions=OFFERING_TRANSITIONS, actor=actor, reason=reason, extra=extra
    )
    from financing import notices  # the notices read the models this module's importers define

    notices.offering_moved(offering, to, reason=reason)


def offering_move_cancelled(offering: Offering, *, actor: User | None, reason: str, **extra: Any) -> None:
    """Cancel an offering, recording who (none: the platform itself), why and when for the issuer and
    its investors to read; the reason is required (the database refuses a cancelled row without one)."""
    offering_move(
        offering,
        OfferingStatus.CANCELLED,
        actor=actor,
        reason=reason,
        cancelled_by=actor,
        cancellation_reason=reason,
        cancelled_at=timezone.now(),
        **extra,
    )
    from financing.trade.services import trade_documents_withdraw  # the trade package imports this module

    trade_documents_withdraw(offering)


def require_staff(actor: User) -> None:
    """Refuse anyone but platform staff."""
    if actor.role not in STAFF_ROLES:
        raise PermissionDenied(gettext("Only platform staff open and close offerings."))
