"""After the raise: the issuer's register of holders (equal to the chain), the payment calendar with
what is funded and paid, both as safe CSV; the investor's payments received and upcoming, yield to
date, and the payout in their history."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.test import Client

from financing.choices import PaymentStatus
from financing.history import investor_transactions, transaction_entries
from financing.models import Offering, OfferingPayment, PaymentHolder
from financing.register import register_of, register_rows
from financing.services.servicing import payment_fund, servicing_run
from financing.servicing_overview import investor_payments
from tests import flows
from tokens import chain as chain_client
from tokens.indexer.stream import chain_index
from tokens.models import TokenHolding
from tokens.selectors import payment_token, token_balance

NOTICE = timedelta(days=settings.SERVICING_FUNDING_NOTICE_DAYS)


@pytest.fixture
def settled_round(platform):
    """A two-year semi-annual 5% bond of 100 units: 60 and 40 allotted to two investors, settled."""
    officer, operator, offering, first, second = flows.settled_round()
    chain_index()
    return officer, operator, offering, first, second


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _csv(response) -> list[dict[str, str]]:
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    text = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(text)))


def _pay_first_payment(offering: Offering) -> OfferingPayment:
    """The issuer funds the first coupon before its due date; at the due date the holders are paid."""
    payment = OfferingPayment.objects.filter(offering=offering).order_by("sequence").first()
    assert payment is not None
    sme = offering.application.company.representative
    servicing_run(today=payment.due_date - NOTICE)
    payment_fund(actor=sme, payment_id=payment.pk, amount=payment.amount, today=payment.due_date - NOTICE)
    servicing_run(today=payment.due_date)
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.CLOSED, payment.failure_reason
    chain_index()
    return payment


def test_the_register_equals_balance_of_on_chain_and_names_holders_for_the_issuer_but_not_their_emails(
    settled_round,
):
    officer, _, offering, first, second = settled_round
    sme = offering.application.company.representative

    register = register_of(sme, offering.pk)
    rows = register_rows(sme, register.holdings)

    wallets = {flows.profile_of(u).wallet.address: u for u in (first, second)}
    assert {r.wallet: r.units for r in rows} == {w: token_balance(offering.token, w) for w in wallets}
    assert [r.units for r in rows] == [60, 40]  # largest first
    assert {r.holder for r in rows} == {flows.profile_of(u).legal_name for u in (first, second)}
    assert all(r.email == "" for r in rows)
    assert (register.holders, register.total_units, register.settled_units) == (2, 100, 100)
    assert register.reconciled
    assert register.freshness.block is not None
    staff_rows = register_rows(officer, register_of(officer, offering.pk).holdings)
    assert {r.email for r in staff_rows} == {u.email for u in (first, second)}


def test_the_register_follows_a_transfer_on_chain(settled_round):
    _, _, offering, first, second = settled_round
    sme = offering.application.company.representative
    w3 = chain_client.web3()
    token = w3.eth.contract(address=offering.token.address, abi=chain_client.artifact("SecurityToken")["abi"])
    source, target = (flows.profile_of(u).wallet.address for u in (first, second))
    from financing.tests.test_history import _as_agent

    _as_agent(token.functions.agentTransfer(source, target, 25))
    chain_index()

    rows = register_rows(sme, register_of(sme, offering.pk).holdings)
    assert [(r.wallet, r.units) for r in rows] == [(target, 65), (source, 35)]
    assert all(r.units == token_balance(offering.token, r.wallet) for r in rows)


def test_the_register_csv_is_the_whole_register_as_of_a_block_with_formula_cells_made_safe(settled_round):
    _, _, offering, first, _ = settled_round
    profile = flows.profile_of(first)
    profile.legal_name = '=HYPERLINK("http://evil.example","click")'
    profile.save(update_fields=["legal_name"])
    sme = offering.application.company.representative

    rows = _csv(_client(sme).get(f"/financing/offerings/{offering.pk}/register.csv"))

    by_wallet = {row["wallet"]: row for row in rows}
    assert {w: int(r["units"]) for w, r in by_wallet.items()} == dict(
        TokenHolding.objects.filter(token_address=offering.token.address).values_list("wallet", "units")
    )
    assert by_wallet[profile.wallet.address]["holder"] == "'" + profile.legal_name
    assert {r["as_of_block"] for r in rows} == {str(register_of(sme, offering.pk).freshness.block)}
    assert {r["offering_id"] for r in rows} == {str(offering.pk)}


def test_another_smes_offering_answers_404_and_investors_403(settled_round):
    _, _, offering, first, _ = settled_round
    other = flows.verified_company(by=flows.officer(), name="Another Harbour Limited").representative

    for path in ("dashboard/", "register.csv", "calendar.csv"):
        url = f"/financing/offerings/{offering.pk}/{path}"
        assert _client(other).get(url).status_code == 404
        assert _client(first).get(url).status_code == 403


def test_the_calendar_csv_shows_what_is_funded_and_paid_to_the_cent(settled_round):
    _, _, offering, _, _ = settled_round
    paid = _pay_first_payment(offering)
    sme = offering.application.company.representative

    rows = _csv(_client(sme).get(f"/financing/offerings/{offering.pk}/calendar.csv"))

    payments = list(OfferingPayment.objects.filter(offering=offering).order_by("sequence"))
    assert [int(r["sequence"]) for r in rows] == [p.sequence for p in payments]
    assert [Decimal(r["amount"]) for r in rows] == [p.amount for p in payments]
    first = rows[0]
    assert (first["status"], Decimal(first["funded_amount"])) == ("closed", paid.funded_amount)
    assert first["funding_tx_hash"] == paid.funding_transaction.tx_hash
    assert first["paid_at"]
    assert all(r["status"] == "scheduled" for r in rows[2:])
    assert rows[-1]["kind"] == "principal"


def test_the_investor_sees_a_payment_received_with_its_hash_the_yield_and_what_comes_next(settled_round):
    _, _, offering, first, second = settled_round
    wallet = flows.profile_of(first).wallet.address
    before = int(chain_client.call("PaymentToken", str(payment_token("HKD").address), "balanceOf", wallet))
    paid = _pay_first_payment(offering)
    after = int(chain_client.call("PaymentToken", str(payment_token("HKD").address), "balanceOf", wallet))
    share = PaymentHolder.objects.get(payment=paid, wallet=wallet)

    payments = investor_payments(first, {offering.pk: 60})

    holding = payments.by_offering[offering.pk]
    mine = (paid.funded_amount * 60 / 100).quantize(Decimal("0.000001"))  # 60 of 100 units, base units
    assert holding.received == Decimal(after - before).scaleb(-6) == share.amount == mine
    assert holding.invested == Decimal("60000.00")
    assert holding.yield_to_date == (mine * 100 / Decimal("60000")).quantize(Decimal("0.01"), "ROUND_DOWN")
    upcoming = holding.upcoming
    assert [u.payment.sequence for u in upcoming] == [2, 3, 4][: len(upcoming)]
    assert upcoming[0].expected == (upcoming[0].payment.amount * 60 / 100).quantize(Decimal("0.01"))
    assert upcoming[0].estimated
    (received,) = payments.received
    assert received.tx_hash == share.payout_transaction.tx_hash
    # The payout is in the history, for the right offering, exact to the base unit, with its hash.
    entries = transaction_entries(first, investor_transactions(first)[:5])
    payout = next(e for e in entries if e.kind == "distribution_paid")
    assert (payout.offering, payout.amount, payout.tx_hash) == (offering, mine, received.tx_hash)
    assert payout.label == "Coupon 1 received"
    # The API says the same; the other investor sees only their own share.
    body = _client(first).get("/api/v1/portfolio/").json()
    (income,) = body["income"]
    assert (Decimal(income["received"]), Decimal(income["yield_to_date"])) == (mine, holding.yield_to_date)
    assert [p["tx_hash"] for p in body["payments_received"]] == [received.tx_hash]
    assert body["payments_due"][0]["sequence"] == 2
    theirs = _client(second).get("/api/v1/portfolio/").json()
    assert [Decimal(p["amount"]) for p in theirs["payments_received"]] == [paid.funded_amount - mine]


def test_the_issuer_dashboard_shows_totals_the_calendar_with_fund_forms_and_the_register(settled_round):
    officer, _, offering, first, second = settled_round
    paid = _pay_first_payment(offering)
    sme = offering.application.company.representative
    url = f"/financing/offerings/{offering.pk}/dashboard/"
    upcoming = OfferingPayment.objects.filter(offering=offering).order_by("sequence")[1]

    html = _client(sme).get(url).content.decode()

    assert "Paid to holders to date" in html
    assert f"{paid.funded_amount:,}" in html.replace("HK$", "")
    assert f'action="/financing/payments/{upcoming.pk}/fund/"' in html  # the servicing partial
    assert f'action="/financing/payments/{paid.pk}/fund/"' not in html  # paid: nothing to fund
    for investor in (first, second):
        assert flows.profile_of(investor).legal_name in html
        assert investor.email not in html  # the issuer never sees contact details
    assert "As of block" in html
    assert "Reconciled with the books" in html
    assert f'href="{url}"' in _client(sme).get("/company/").content.decode()
    staff = _client(officer).get(url).content.decode()
    assert first.email in staff
    assert "/fund/" not in staff  # only the issuer funds
