"""The travel rule: full originator and recipient details from HKD 8,000 (or the equivalent), names and
wallets below; a record per payment leg, linked to its outbox transaction."""

from __future__ import annotations

from decimal import Decimal

import pytest

from accounts.choices import Role
from accounts.tests.factories import UserFactory
from financing.agreements import accepted_versions
from financing.models import Allotment, Subscription
from financing.services import subscription_create, subscription_withdraw
from tests import flows
from tokens.choices import ContractKind, PaymentLegKind, WalletKind
from tokens.models import ChainTransaction, PaymentLeg
from tokens.selectors import platform_contract
from tokens.services import wallet_create
from tokens.travel_rule import Party, hkd_equivalent, needs_full_details, payment_leg_record

ALICE = Party("Alice Chan", "0x" + "a1" * 20, "INV-000001", "identity document K1234567, Hong Kong")
BAY = Party("Bay Robotics Limited", "0x" + "b2" * 20, "SME-000002", "company registration 41234567 (HK)")


@pytest.mark.parametrize(
    ("amount", "currency", "full"),
    [
        ("7999.99", "HKD", False),
        ("8000.00", "HKD", True),
        ("1025.64", "USD", False),  # HKD 7,999.99 at 7.8
        ("1025.65", "USD", True),  # HKD 8,000.07
        ("2000.00", "USD", True),
        ("7407.40", "CNY", False),  # HKD 7,999.99 at 1.08
        ("7407.41", "CNY", True),
    ],
)
def test_the_threshold_is_hkd_8000_or_its_equivalent_at_the_reference_rate(amount, currency, full):
    assert needs_full_details(Decimal(amount), currency) is full


def test_the_reference_rates_come_from_settings(settings):
    settings.REFERENCE_HKD_PER_UNIT = {**settings.REFERENCE_HKD_PER_UNIT, "USD": Decimal("7.85")}
    assert hkd_equivalent(Decimal("1019.11"), "USD") == Decimal("8000.01")
    assert needs_full_details(Decimal("1019.11"), "USD")


@pytest.fixture
def outbox_row(db):
    signer = wallet_create(kind=WalletKind.SETTLER, label="settler")
    return ChainTransaction.objects.create(
        intent="fund_subscription", idempotency_key="leg:1", signer=signer, chain_id=31337, data="0x"
    )


@pytest.mark.parametrize(("amount", "full"), [("7999.99", False), ("8000.00", True)])
def test_a_leg_records_full_details_from_the_threshold_and_names_and_wallets_below(outbox_row, amount, full):
    subject = UserFactory(role=Role.INVESTOR)  # any row: the leg names what it pays by label and id
    payment_leg_record(
        kind=PaymentLegKind.SETTLEMENT,
        chain_transaction=outbox_row,
        subject=subject,
        currency="HKD",
        amount=Decimal(amount),
        originator=ALICE,
        beneficiary=BAY,
    )
    leg = PaymentLeg.objects.get()
    assert leg.chain_transaction == outbox_row
    assert (leg.amount, leg.amount_hkd, leg.full_details) == (Decimal(amount), Decimal(amount), full)
    assert (leg.originator_name, leg.originator_wallet) == (ALICE.name, ALICE.wallet)
    assert (leg.beneficiary_name, leg.beneficiary_wallet) == (BAY.name, BAY.wallet)
    details = (
        leg.originator_reference,
        leg.originator_identifier,
        leg.originator_institution,
        leg.beneficiary_reference,
        leg.beneficiary_identifier,
        leg.beneficiary_institution,
    )
    if full:
        assert details == (
            "INV-000001",
            "identity document K1234567, Hong Kong",
            "Bay Area Capital Connect",
            "SME-000002",
            "company registration 41234567 (HK)",
            "Bay Area Capital Connect",
        )
    else:
        assert details == ("",) * 6


def test_a_usd_leg_over_the_equivalent_records_full_details(outbox_row):
    subject = UserFactory(role=Role.INVESTOR)
    payment_leg_record(
        kind=PaymentLegKind.REFUND,
        chain_transaction=outbox_row,
        subject=subject,
        currency="USD",
        amount=Decimal("1025.65"),
        originator=BAY,
        beneficiary=ALICE,
    )
    leg = PaymentLeg.objects.get()
    assert (leg.currency, leg.amount_hkd, leg.full_details) == ("USD", Decimal("8000.07"), True)
    assert leg.beneficiary_identifier == ALICE.identifier
    # Recorded once: the same leg of the same transaction again changes nothing.
    payment_leg_record(
        kind=PaymentLegKind.REFUND,
        chain_transaction=outbox_row,
        subject=subject,
        currency="USD",
        amount=Decimal("1025.65"),
        originator=BAY,
        beneficiary=ALICE,
    )
    assert PaymentLeg.objects.count() == 1


def test_a_settled_round_records_every_funding_settlement_and_refund_leg(platform, client):
    _, _, offering, first, second = flows.settled_round()
    company = offering.application.company
    legs = PaymentLeg.objects.select_related("chain_transaction")
    by_kind = {
        kind: sorted(
            (leg.originator_name, leg.beneficiary_name, leg.amount) for leg in legs.filter(kind=kind)
        )
        for kind in PaymentLegKind.values
    }
    first_name, second_name = flows.profile_of(first).legal_name, flows.profile_of(second).legal_name
    escrow = f"Bay Area Capital Connect settlement escrow for {company.legal_name_en}"
    assert by_kind[PaymentLegKind.SUBSCRIPTION_FUNDING] == sorted(
        [(first_name, escrow, Decimal("90000")), (second_name, escrow, Decimal("60000"))]
    )
    assert by_kind[PaymentLegKind.SETTLEMENT] == sorted(
        [
            (first_name, company.legal_name_en, Decimal("60000")),
            (second_name, company.legal_name_en, Decimal("40000")),
        ]
    )
    assert by_kind[PaymentLegKind.REFUND] == sorted(
        [(escrow, first_name, Decimal("30000")), (escrow, second_name, Decimal("20000"))]
    )
    for leg in legs:
        assert leg.full_details
        assert leg.currency == "HKD"
        assert leg.chain_transaction.status == "confirmed"
    funding = legs.get(kind=PaymentLegKind.SUBSCRIPTION_FUNDING, originator_name=first_name)
    subscription = Subscription.objects.get(investor=first)
    assert funding.chain_transaction_id == subscription.funding_transaction_id
    assert funding.originator_reference == f"INV-{flows.profile_of(first).pk:06d}"
    assert funding.originator_wallet == flows.profile_of(first).wallet.address
    settled = legs.get(kind=PaymentLegKind.SETTLEMENT, originator_name=first_name)
    assert (
        settled.chain_transaction_id == Allotment.objects.get(subscription=subscription).chain_transaction_id
    )
    registration = company.registration_number
    assert settled.beneficiary_identifier == f"company registration {registration} (Hong Kong SAR)"
    assert settled.beneficiary_wallet == company.wallet.address

    # Compliance reads them; nobody else does.
    client.force_login(flows.officer())
    page = client.get("/chain/travel-rule/")
    assert page.status_code == 200
    assert first_name.encode() in page.content
    api = client.get("/api/v1/compliance/payment-legs/?limit=50").json()
    assert api["count"] == 6
    client.force_login(flows.operator())
    assert client.get("/api/v1/compliance/payment-legs/").status_code == 403


def test_a_withdrawal_records_the_refund_leg_with_its_refund_transaction(platform):
    officer, operator = flows.officer(), flows.operator()
    offering = flows.open_offering(company=flows.verified_company(by=officer), by=officer, opener=operator)
    investor = flows.approved_investor(by=officer, funds=Decimal("20000"))
    subscription = subscription_create(
        user=investor, offering_id=offering.pk, units=8, **accepted_versions()
    )  # HKD 8,000.00

    subscription_withdraw(user=investor, subscription_id=subscription.pk)

    subscription.refresh_from_db()
    refund = PaymentLeg.objects.get(kind=PaymentLegKind.REFUND)
    assert refund.chain_transaction_id == subscription.refund_transaction_id
    assert (refund.amount, refund.full_details) == (Decimal("8000"), True)  # exactly at the threshold
    assert refund.beneficiary_name == flows.profile_of(investor).legal_name
    assert refund.originator_wallet == str(platform_contract(ContractKind.SETTLEMENT).address)
