"""The parties of an offering's payment legs, for the travel rule (tokens/travel_rule.py records them).

Investors and issuers hold custodial wallets at the platform, which is the institution of both sides;
the escrow is the platform's Settlement contract, held for the issuer. Each builder reads rows the
caller has loaded (one query for many investors: `investor_parties`).
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from django.conf import settings

from compliance.models import InvestorProfile
from financing.models import Allotment, Offering, OfferingPayment, PaymentHolder, Subscription, Transfer
from issuers.models import Company
from tokens.choices import ContractKind, PaymentLegKind
from tokens.models import ChainTransaction
from tokens.selectors import platform_contract
from tokens.travel_rule import Leg, Party, payment_legs_record


def investor_party(profile: InvestorProfile) -> Party:
    """An investor as the travel rule names them: legal name, wallet, customer number, identity or
    registration number with country (and date of birth for a person)."""
    corporate = profile.investor_type != "individual"
    number = "registration" if corporate else "identity document"
    identifier = f"{number} {profile.id_document_number}, {profile.country.name or profile.country.code}"
    if profile.birth_date and not corporate:
        identifier += f", born {profile.birth_date.isoformat()}"
    return Party(
        name=profile.legal_name,
        wallet=profile.wallet.address if profile.wallet else "",
        customer_reference=f"INV-{profile.pk:06d}",
        identifier=identifier,
    )


def investor_parties(user_ids: Iterable[int]) -> dict[int, Party]:
    """The travel-rule party of each investor (by user id), in one query."""
    profiles = InvestorProfile.objects.select_related("wallet").filter(user_id__in=set(user_ids))
    return {profile.user_id: investor_party(profile) for profile in profiles}


def issuer_party(company: Company) -> Party:
    """The issuer: company name, wallet, customer number and company registration."""
    return Party(
        name=company.legal_name_en,
        wallet=company.wallet.address if company.wallet else "",
        customer_reference=f"SME-{company.pk:06d}",
        identifier=(
            f"company registration {company.registration_number} ({company.get_jurisdiction_display()})"
        ),
    )


def escrow_party(offering: Offering) -> Party:
    """The platform's Settlement escrow, holding an offering's subscriptions for its issuer."""
    company = offering.application.company
    return Party(
        name=f"{settings.PLATFORM_NAME} settlement escrow for {company.legal_name_en}",
        wallet=str(platform_contract(ContractKind.SETTLEMENT).address),
        customer_reference=f"OFFERING-{offering.pk:06d}",
        identifier=f"escrow for company registration {company.registration_number}",
    )


def funding_legs(tx: ChainTransaction, subscription: Subscription, investor: Party) -> None:
    """The investor's payment of a subscription into escrow."""
    offering = subscription.offering
    payment_legs_record(
        [
            Leg(
                PaymentLegKind.SUBSCRIPTION_FUNDING,
                tx,
                subscription,
                offering.currency,
                subscription.amount,
                investor,
                escrow_party(offering),
            )
        ]
    )


def settlement_legs(tx: ChainTransaction, offering: Offering, allotments: list[Allotment]) -> None:
    """Each allotment settled by `tx`: the payment to the issuer, and the escrow above it refunded."""
    parties = investor_parties(a.subscription.investor_id for a in allotments)
    issuer = issuer_party(offering.application.company)
    escrow = escrow_party(offering)
    legs: list[Leg] = []
    for allotment in allotments:
        investor = parties[allotment.subscription.investor_id]
        legs.append(
            Leg(
                PaymentLegKind.SETTLEMENT,
                tx,
                allotment,
                offering.currency,
                allotment.amount,
                investor,
                issuer,
            )
        )
        excess = allotment.subscription.amount - allotment.amount
        if excess > 0:
            legs.append(
                Leg(
                    PaymentLegKind.REFUND,
                    tx,
                    allotment.subscription,
                    offering.currency,
                    excess,
                    escrow,
                    investor,
                )
            )
    payment_legs_record(legs)


def refund_legs(tx: ChainTransaction, offering: Offering, subscriptions: list[Subscription]) -> None:
    """Each subscription's escrow returned to its investor by `tx`."""
    parties = investor_parties(s.investor_id for s in subscriptions)
    escrow = escrow_party(offering)
    payment_legs_record(
        [
            Leg(PaymentLegKind.REFUND, tx, s, offering.currency, s.amount, escrow, parties[s.investor_id])
            for s in subscriptions
        ]
    )


def distribution_funding_legs(tx: ChainTransaction, payment: OfferingPayment) -> None:
    """The issuer's funding of one payment into the Settlement escrow."""
    offering = payment.offering
    assert payment.funded_amount is not None
    payment_legs_record(
        [
            Leg(
                PaymentLegKind.DISTRIBUTION_FUNDING,
                tx,
                payment,
                offering.currency,
                payment.funded_amount,
                issuer_party(offering.application.company),
                escrow_party(offering),
            )
        ]
    )


def distribution_legs(tx: ChainTransaction, payment: OfferingPayment, holders: list[PaymentHolder]) -> None:
    """Each holder's share of a payment, paid out of the escrow by `tx` (a holder's amount in the
    payment token's base units, as the chain pays it)."""
    offering = payment.offering
    parties = investor_parties(h.investor_id for h in holders if h.investor_id is not None)
    escrow = escrow_party(offering)
    payment_legs_record(
        [
            Leg(
                PaymentLegKind.DISTRIBUTION,
                tx,
                holder,
                offering.currency,
                Decimal(holder.amount_base_units or 0).scaleb(-settings.PAYMENT_TOKEN_DECIMALS),
                escrow,
                parties[holder.investor_id],
            )
            for holder in holders
            if holder.investor_id in parties
        ]
    )


def transfer_legs(tx: ChainTransaction, transfer: Transfer) -> None:
    """The buyer's payment to the seller in a transfer against payment (nothing for a gift)."""
    if transfer.is_free:
        return
    parties = investor_parties([transfer.seller_id, transfer.buyer_id])
    payment_legs_record(
        [
            Leg(
                PaymentLegKind.TRANSFER,
                tx,
                transfer,
                transfer.offering.currency,
                transfer.price,
                parties[transfer.buyer_id],
                parties[transfer.seller_id],
            )
        ]
    )
