"""Transfers between investors on the real chain: free, delivery versus payment, refused, cancelled."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from compliance.models import AuditEvent
from config.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from financing.agreements import accepted_versions
from financing.choices import TransferStatus
from financing.models import Offering, Transfer
from financing.services import (
    application_decide,
    investor_by_reference,
    investor_reference,
    offering_close,
    offering_open,
    subscription_create,
    transfer_accept,
    transfer_cancel,
    transfer_create,
    transfers_expire,
)
from tests import flows
from tokens import chain as tokens_chain
from tokens import reconcile
from tokens.choices import ChainTxStatus, ContractKind, PaymentLegKind
from tokens.indexer.reconcile import holdings_reconcile
from tokens.indexer.stream import chain_index_to_head
from tokens.models import OperatorAlert, PaymentLeg
from tokens.selectors import platform_contract

HKD = 10**6


def _units(offering: Offering, user) -> int:
    wallet = flows.profile_of(user).wallet.address
    return int(tokens_chain.call("SecurityToken", offering.token.address, "balanceOf", wallet))


def _hkd(user) -> int:
    payment = platform_contract(ContractKind.PAYMENT_TOKEN).address
    return int(tokens_chain.call("PaymentToken", payment, "balanceOf", flows.profile_of(user).wallet.address))


def _ref(user) -> str:
    return investor_reference(flows.profile_of(user))


@pytest.fixture
def round_(platform):
    officer, _operator, offering, first, second = flows.settled_round()
    return {"officer": officer, "offering": offering, "first": first, "second": second}


def test_a_free_transfer_moves_the_units_once_and_is_audited(round_):
    offering, first, second = round_["offering"], round_["first"], round_["second"]
    assert (_units(offering, first), _units(offering, second)) == (60, 40)
    money = (_hkd(first), _hkd(second))

    transfer = transfer_create(
        user=first, offering_id=offering.pk, units=15, recipient_reference=_ref(second)
    )

    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.COMPLETED
    assert transfer.chain_transaction.status == ChainTxStatus.CONFIRMED
    assert (_units(offering, first), _units(offering, second)) == (45, 55)
    assert (_hkd(first), _hkd(second)) == money  # a gift: no money moved
    settlement = platform_contract(ContractKind.SETTLEMENT).address
    assert tokens_chain.call("Settlement", settlement, "isTransferred", transfer.pk) is True
    actions = list(
        AuditEvent.objects.filter(object_type__iendswith="transfer", object_id=str(transfer.pk)).values_list(
            "action", flat=True
        )
    )
    assert "transfer_created" in actions
    assert len(actions) >= 2


def test_a_sale_waits_for_the_buyer_then_units_and_money_move_exactly_once(round_):
    offering, first, second = round_["offering"], round_["first"], round_["second"]
    before = {"seller": _hkd(first), "buyer": _hkd(second)}

    sale = transfer_create(
        user=first,
        offering_id=offering.pk,
        units=10,
        recipient_reference=_ref(second),
        price=Decimal("10500.25"),
    )
    assert sale.status == TransferStatus.AWAITING_BUYER
    assert sale.chain_transaction is None  # nothing signed or sent before the buyer accepts
    assert (_units(offering, first), _units(offering, second)) == (60, 40)
    with pytest.raises(PermissionDenied):
        transfer_accept(user=first, transfer_id=sale.pk)  # the seller cannot accept for the buyer

    accepted = transfer_accept(user=second, transfer_id=sale.pk)

    assert accepted.status == TransferStatus.COMPLETED
    assert (_units(offering, first), _units(offering, second)) == (50, 50)
    assert _hkd(first) == before["seller"] + 10_500_250_000
    assert _hkd(second) == before["buyer"] - 10_500_250_000
    settlement = platform_contract(ContractKind.SETTLEMENT).address
    assert (
        tokens_chain.call(
            "PaymentToken", platform_contract(ContractKind.PAYMENT_TOKEN).address, "balanceOf", settlement
        )
        == 0
    )  # nothing stays with Settlement
    with pytest.raises(Conflict, match="completed"):
        transfer_accept(user=second, transfer_id=sale.pk)  # once only
    assert (_units(offering, first), _units(offering, second)) == (50, 50)
    # Every money movement belongs to a recorded intent; the index equals the chain and the books.
    assert reconcile.money_movements_reconcile() == []
    chain_index_to_head()
    assert holdings_reconcile().raised == []
    assert OperatorAlert.objects.count() == 0
    # HKD 10,500.25 is above the travel rule's HKD 8,000: both investors' full details are recorded.
    leg = PaymentLeg.objects.get(kind=PaymentLegKind.TRANSFER, subject=f"financing.transfer:{sale.pk}")
    assert (leg.amount, leg.currency, leg.full_details) == (Decimal("10500.25"), "HKD", True)
    assert (leg.originator_wallet, leg.beneficiary_wallet) == (sale.buyer_wallet, sale.seller_wallet)


def test_a_transfer_the_token_refuses_is_refused_in_plain_words_and_changes_nothing(round_):
    offering, first = round_["offering"], round_["first"]
    retail = flows.approved_investor(by=round_["officer"], portfolio=Decimal("100000"))  # not professional

    with pytest.raises(ValidationFailed, match="professional investors"):
        transfer_create(user=first, offering_id=offering.pk, units=5, recipient_reference=_ref(retail))

    assert Transfer.objects.count() == 0
    assert (_units(offering, first), _units(offering, retail)) == (60, 0)


def test_bad_references_too_many_units_and_strangers_are_refused_and_change_nothing(round_):
    offering, first, second = round_["offering"], round_["first"], round_["second"]
    reference = _ref(second)
    tampered = reference[:-1] + ("0" if reference[-1] != "0" else "1")
    for wrong in (tampered, "INV-1-0000000000", "someone@example.com", ""):
        with pytest.raises(ValidationFailed, match="No investor has this reference"):
            transfer_create(user=first, offering_id=offering.pk, units=1, recipient_reference=wrong)
    assert investor_by_reference(reference.lower()).user == second
    with pytest.raises(ValidationFailed, match="own reference"):
        transfer_create(user=first, offering_id=offering.pk, units=1, recipient_reference=_ref(first))
    with pytest.raises(ValidationFailed):
        transfer_create(user=first, offering_id=offering.pk, units=61, recipient_reference=reference)
    # Units promised in a sale waiting for its buyer are not free for another transfer.
    transfer_create(
        user=first, offering_id=offering.pk, units=50, recipient_reference=reference, price=Decimal("1")
    )
    with pytest.raises(ValidationFailed, match="at most 10 units"):
        transfer_create(user=first, offering_id=offering.pk, units=11, recipient_reference=reference)
    stranger = flows.approved_investor(by=round_["officer"])
    with pytest.raises(NotFound):
        transfer_cancel(user=stranger, transfer_id=Transfer.objects.get().pk)
    assert Transfer.objects.count() == 1
    assert (_units(offering, first), _units(offering, second)) == (60, 40)


def test_either_party_may_cancel_before_acceptance_and_an_unaccepted_sale_expires(round_):
    offering, first, second = round_["offering"], round_["first"], round_["second"]
    by_seller = transfer_create(
        user=first, offering_id=offering.pk, units=5, recipient_reference=_ref(second), price=Decimal("100")
    )
    by_buyer = transfer_create(
        user=first, offering_id=offering.pk, units=5, recipient_reference=_ref(second), price=Decimal("100")
    )
    late = transfer_create(
        user=first, offering_id=offering.pk, units=5, recipient_reference=_ref(second), price=Decimal("100")
    )
    assert transfer_cancel(user=first, transfer_id=by_seller.pk).status == TransferStatus.CANCELLED
    assert transfer_cancel(user=second, transfer_id=by_buyer.pk).status == TransferStatus.CANCELLED
    with pytest.raises(Conflict):
        transfer_accept(user=second, transfer_id=by_buyer.pk)
    Transfer.objects.filter(pk=late.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    with pytest.raises(Conflict, match="expired"):
        transfer_accept(user=second, transfer_id=late.pk)
    assert transfers_expire() == 1
    assert Transfer.objects.get(pk=late.pk).status == TransferStatus.EXPIRED
    assert (_units(offering, first), _units(offering, second)) == (60, 40)


def test_the_offerings_lock_up_and_holder_limit_are_set_on_the_token_and_refuse_transfers(platform):
    officer, operator = flows.officer(), flows.operator()
    company = flows.verified_company(by=officer)
    application = flows.submitted_application(company=company)
    closes_at = timezone.now() + timedelta(days=7)
    lockup = timezone.now() + timedelta(days=90)
    with pytest.raises(ValidationFailed):
        application_decide(
            actor=officer,
            application_id=application.pk,
            decision="approve",
            reason="ok",
            closes_at=closes_at,
            arranger_id=flows.arranger().pk,
            transfer_lockup_until=closes_at - timedelta(days=1),
        )
    application_decide(
        actor=officer,
        application_id=application.pk,
        decision="approve",
        reason="ok",
        closes_at=closes_at,
        arranger_id=flows.arranger().pk,
        transfer_lockup_until=lockup,
        max_holders=2,
    )
    offering = offering_open(actor=operator, offering_id=Offering.objects.get(application=application).pk)
    rules = tokens_chain.call("SecurityToken", offering.token.address, "transferRules")
    assert (rules[1], rules[3]) == (2, int(lockup.timestamp()))
    first, second, third = (flows.approved_investor(by=officer, funds=Decimal("200000")) for _ in range(3))
    subscription_create(user=first, offering_id=offering.pk, units=30, **accepted_versions())
    subscription_create(user=second, offering_id=offering.pk, units=30, **accepted_versions())
    with pytest.raises(Conflict, match="limited to 2 investors"):
        subscription_create(user=third, offering_id=offering.pk, units=30, **accepted_versions())
    offering_close(actor=operator, offering_id=offering.pk)
    offering.refresh_from_db()

    with pytest.raises(ValidationFailed, match="lock-up"):
        transfer_create(user=first, offering_id=offering.pk, units=5, recipient_reference=_ref(second))
    assert Transfer.objects.count() == 0
    assert (_units(offering, first), _units(offering, second)) == (30, 30)


def test_both_portfolios_count_a_completed_transfer_in_the_books(round_):
    from financing.selectors import investor_holdings

    offering, first, second = round_["offering"], round_["first"], round_["second"]
    transfer_create(user=first, offering_id=offering.pk, units=15, recipient_reference=_ref(second))

    books = {
        user: [h.recorded_units for h in investor_holdings(user, flows.profile_of(user).wallet.address)]
        for user in (first, second)
    }
    assert books == {first: [45], second: [55]}


def test_the_transfer_page_shows_the_tokens_refusal_in_plain_words_and_then_sends_a_gift(round_, client):
    offering, first, second = round_["offering"], round_["first"], round_["second"]
    chain_index_to_head()
    client.force_login(first)
    url = f"/financing/investor/holdings/{offering.pk}/transfer/"
    assert client.get(url).status_code == 200

    too_many = client.post(url, {"units": "61", "recipient_reference": _ref(second)})
    assert too_many.status_code == 400
    assert "At most 60: the units of this holding you may transfer now." in too_many.content.decode()
    retail = flows.approved_investor(by=round_["officer"], portfolio=Decimal("100000"))  # not professional

    refused = client.post(url, {"units": "5", "recipient_reference": _ref(retail)})

    assert refused.status_code == 400
    assert "rules refuse this transfer:" in refused.content.decode()
    assert "professional investors" in refused.content.decode()
    assert Transfer.objects.count() == 0
    sent = client.post(url, {"units": "5", "recipient_reference": _ref(second), "price": ""})
    assert sent.status_code == 302
    assert Transfer.objects.get().status == TransferStatus.COMPLETED
    page = client.get("/financing/transfers/").content.decode()
    assert "Completed on chain" in page
    assert _ref(first) in page
