"""The travel rule: every payment leg on chain records who paid whom, with full details from the threshold.

A leg of `TRAVEL_RULE_THRESHOLD_HKD` (HKD 8,000) or more, or its equivalent at the reference rates
(`REFERENCE_HKD_PER_UNIT`, documented in settings: used for this threshold only, never to move
money), records the originator's and the recipient's name, wallet, customer reference, address or
registration number and the institution (the platform); a smaller leg records names and wallets only.
The record is written in the same transaction as the outbox row that moves the money, linked to it.

`payment_leg_record` / `payment_legs_record` are the one way code records a leg (subscription
funding, settlement to the issuer, refunds, distributions, payments between investors).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db import models

from tokens.choices import PaymentLegKind
from tokens.models import ChainTransaction, PaymentLeg

CENT = Decimal("0.01")


@dataclass(frozen=True)
class Party:
    """One side of a payment: `identifier` is the address or registration (or identity document) number."""

    name: str
    wallet: str
    customer_reference: str
    identifier: str
    institution: str = ""

    def of_platform(self) -> str:
        """The institution that holds the wallet: the platform (custodial wallets and the escrow)."""
        return self.institution or settings.PLATFORM_NAME


@dataclass(frozen=True)
class Leg:
    """A payment leg to record: what it pays (`subject`, a model instance), between whom, how much."""

    kind: PaymentLegKind
    chain_transaction: ChainTransaction
    subject: models.Model
    currency: str
    amount: Decimal
    originator: Party
    beneficiary: Party


def hkd_equivalent(amount: Decimal, currency: str) -> Decimal:
    """`amount` of `currency` in HKD at the reference rate, to the cent (half up)."""
    rate = settings.REFERENCE_HKD_PER_UNIT[currency]
    return (amount * rate).quantize(CENT, rounding=ROUND_HALF_UP)


def needs_full_details(amount: Decimal, currency: str) -> bool:
    """Whether a leg of `amount` in `currency` reaches the travel-rule threshold."""
    return hkd_equivalent(amount, currency) >= settings.TRAVEL_RULE_THRESHOLD_HKD


def _subject(obj: models.Model) -> str:
    return f"{obj._meta.label_lower}:{obj.pk}"


def _row(leg: Leg) -> PaymentLeg:
    amount_hkd = hkd_equivalent(leg.amount, leg.currency)
    full = amount_hkd >= settings.TRAVEL_RULE_THRESHOLD_HKD
    origin, to = leg.originator, leg.beneficiary
    return PaymentLeg(
        kind=leg.kind,
        chain_transaction=leg.chain_transaction,
        subject=_subject(leg.subject),
        currency=leg.currency,
        amount=leg.amount,
        amount_hkd=amount_hkd,
        full_details=full,
        originator_name=origin.name,
        originator_wallet=origin.wallet,
        originator_reference=origin.customer_reference if full else "",
        originator_identifier=origin.identifier if full else "",
        originator_institution=origin.of_platform() if full else "",
        beneficiary_name=to.name,
        beneficiary_wallet=to.wallet,
        beneficiary_reference=to.customer_reference if full else "",
        beneficiary_identifier=to.identifier if full else "",
        beneficiary_institution=to.of_platform() if full else "",
    )


def payment_legs_record(legs: list[Leg]) -> list[PaymentLeg]:
    """Record payment legs for the travel rule in one insert (call inside the transaction that records
    their outbox rows); a leg recorded before (same transaction, kind and subject) is kept as it was."""
    rows = [_row(leg) for leg in legs if leg.amount > 0]
    return PaymentLeg.objects.bulk_create(
        rows, ignore_conflicts=True, unique_fields=["chain_transaction", "kind", "subject"]
    )


def payment_leg_record(
    *,
    kind: PaymentLegKind,
    chain_transaction: ChainTransaction,
    subject: models.Model,
    currency: str,
    amount: Decimal,
    originator: Party,
    beneficiary: Party,
) -> None:
    """Record one payment leg for the travel rule (see `payment_legs_record`)."""
    payment_legs_record([Leg(kind, chain_transaction, subject, currency, amount, originator, beneficiary)])
