"""The stablecoin allowlist: one per currency, four eyes, allowed on chain; offerings settle in their own."""

from __future__ import annotations

from decimal import Decimal

import pytest

from accounts.choices import Role
from accounts.tests.factories import UserFactory
from compliance.models import AuditEvent
from config.errors import Conflict, PermissionDenied, ValidationFailed
from financing.agreements import accepted_versions
from financing.models import Application, Offering
from financing.services import application_decide, subscription_create
from tests import flows
from tokens import chain
from tokens.choices import ContractKind, ListingStatus, WalletKind
from tokens.models import ChainTransaction, Contract, PaymentTokenListing
from tokens.payment_tokens import payment_token_decide, payment_token_propose
from tokens.selectors import payment_balance, payment_token, platform_contract, platform_wallet
from tokens.services import INTENT_DEPLOY_PLATFORM, contract_deploy, drive


def _new_stablecoin(name: str, symbol: str) -> str:
    """A freshly deployed test stablecoin nobody has listed yet; its address."""
    token = contract_deploy(
        kind=ContractKind.PAYMENT_TOKEN,
        label=name,
        args=[name, symbol, platform_wallet(WalletKind.ADMIN).address],
        intent=INTENT_DEPLOY_PLATFORM,
        key=f"deploy:test:{symbol}",
    )
    drive(ChainTransaction.objects.get(contract=token, intent=INTENT_DEPLOY_PLATFORM))
    token.refresh_from_db()
    return str(token.address)


def _allowed_on_chain(address: str) -> bool:
    settlement = str(platform_contract(ContractKind.SETTLEMENT).address)
    return bool(chain.call("Settlement", settlement, "isPaymentTokenAllowed", address))


def _state() -> tuple:
    return (
        list(
            PaymentTokenListing.objects.order_by("pk").values_list("pk", "currency", "status", "decided_by")
        ),
        Contract.objects.count(),
        ChainTransaction.objects.count(),
        AuditEvent.objects.count(),
    )


@pytest.fixture
def mop_unlisted(platform):
    """The platform as set up, but with no MOP stablecoin accepted (as on a live platform today)."""
    PaymentTokenListing.objects.filter(currency="MOP").delete()


def test_every_currency_has_its_own_test_stablecoin_listed_at_set_up(platform):
    listed = {currency: payment_token(currency).address for currency in ("HKD", "CNY", "MOP", "USD")}
    assert len(set(listed.values())) == 4
    symbols = {c: chain.call("PaymentToken", a, "symbol") for c, a in listed.items()}
    assert symbols == {"HKD": "HKDT", "CNY": "CNHT", "MOP": "MOPT", "USD": "USDT"}
    assert chain.call("PaymentToken", listed["USD"], "name") == "USD Stablecoin (test)"
    assert all(_allowed_on_chain(address) for address in listed.values())


def test_a_stablecoin_is_accepted_only_after_a_different_staff_member_approves_it(mop_unlisted):
    address = _new_stablecoin("Macao Pataca Coin", "MOPC")
    proposer, approver = flows.operator(), UserFactory(role=Role.APPROVER)
    with pytest.raises(Conflict, match=r"No stablecoin is accepted for MOP \(Macao pataca\)"):
        payment_token("MOP")

    listing = payment_token_propose(actor=proposer, currency="MOP", address=address.lower(), note="HKMA list")
    assert (listing.status, listing.symbol, listing.name) == ("proposed", "MOPC", "Macao Pataca Coin")
    assert not _allowed_on_chain(address)
    with pytest.raises(Conflict):
        payment_token("MOP")  # a proposal is not an acceptance

    before = _state()
    with pytest.raises(PermissionDenied, match="a different staff member must approve"):
        payment_token_decide(actor=proposer, listing_id=listing.pk, approve=True)
    assert _state() == before

    payment_token_decide(actor=approver, listing_id=listing.pk, approve=True, reason="Licence checked")

    listing.refresh_from_db()
    assert listing.status == ListingStatus.ACTIVE
    assert listing.decided_by == approver
    assert _allowed_on_chain(address)
    assert payment_token("MOP").address == address
    actions = list(
        AuditEvent.objects.filter(object_type="tokens.paymenttokenlisting", object_id=str(listing.pk))
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == ["payment_token_proposed", "status:allowing", "status:active"]
    with pytest.raises(Conflict, match="accepted already"):
        payment_token_decide(actor=UserFactory(role=Role.OFFICER), listing_id=listing.pk, approve=False)


def test_a_rejection_needs_a_reason_and_leaves_the_currency_free(mop_unlisted):
    address = _new_stablecoin("Macao Pataca Coin", "MOPC")
    listing = payment_token_propose(actor=flows.operator(), currency="MOP", address=address)
    officer = flows.officer()
    before = _state()
    with pytest.raises(ValidationFailed) as refused:
        payment_token_decide(actor=officer, listing_id=listing.pk, approve=False, reason="  ")
    assert refused.value.fields == {"reason": ["A reason is needed to reject."]}
    assert _state() == before

    payment_token_decide(actor=officer, listing_id=listing.pk, approve=False, reason="No reserve attestation")
    listing.refresh_from_db()
    assert (listing.status, listing.decision_reason) == ("rejected", "No reserve attestation")
    assert not _allowed_on_chain(address)
    # The currency is free again: the same token may be proposed anew.
    assert payment_token_propose(actor=flows.operator(), currency="MOP", address=address).status == "proposed"


def test_a_second_stablecoin_for_a_currency_is_refused_and_nothing_changes(mop_unlisted):
    address = _new_stablecoin("Another Dollar", "ADOL")
    usd = payment_token("USD").address
    before = _state()
    with pytest.raises(Conflict, match=f"USD already has a stablecoin: USDT at {usd}"):
        payment_token_propose(actor=flows.operator(), currency="USD", address=address)
    with pytest.raises(Conflict, match="already listed for HKD"):
        payment_token_propose(actor=flows.operator(), currency="MOP", address=payment_token("HKD").address)
    assert _state() == before
    assert payment_token("USD").address == usd


@pytest.mark.parametrize(
    ("currency", "address", "field", "message"),
    [
        ("BTC", None, "currency", "Choose HKD, CNY, MOP or USD."),
        ("MOP", "0x1234", "address", "0x followed by 40 hexadecimal characters"),
        ("MOP", "0x" + "g" * 40, "address", "0x followed by 40 hexadecimal characters"),
        ("MOP", "0x" + "12" * 20, "address", "No contract at this address."),
        ("MOP", "settlement", "address", "Not a stablecoin."),
        ("MOP", "security registry", "address", "Not a stablecoin."),
    ],
)
def test_bad_input_gets_a_clear_refusal_and_changes_nothing(mop_unlisted, currency, address, field, message):
    if address == "settlement":
        address = str(platform_contract(ContractKind.SETTLEMENT).address)
    elif address == "security registry":
        address = str(platform_contract(ContractKind.IDENTITY_REGISTRY).address)
    elif address is None:
        address = _new_stablecoin("Macao Pataca Coin", "MOPC")
    before = _state()
    with pytest.raises(ValidationFailed) as refused:
        payment_token_propose(actor=flows.operator(), currency=currency, address=address)
    assert message in refused.value.fields[field][0]
    assert _state() == before


def test_only_staff_manage_the_allowlist(mop_unlisted):
    address = _new_stablecoin("Macao Pataca Coin", "MOPC")
    before = _state()
    for role in (Role.SME, Role.INVESTOR):
        with pytest.raises(PermissionDenied):
            payment_token_propose(actor=UserFactory(role=role), currency="MOP", address=address)
    listing = payment_token_propose(actor=flows.operator(), currency="MOP", address=address)
    after_proposal = _state()
    with pytest.raises(PermissionDenied):
        payment_token_decide(actor=UserFactory(role=Role.INVESTOR), listing_id=listing.pk, approve=True)
    assert _state() == after_proposal
    assert before[1] == after_proposal[1]  # the token was known: no new contract row


def test_the_api_refuses_bad_input_in_plain_words_and_the_proposer_cannot_decide(mop_unlisted, client):
    address = _new_stablecoin("Macao Pataca Coin", "MOPC")
    operator = flows.operator()
    client.force_login(operator)
    before = _state()
    bad = client.post(
        "/api/v1/payment-tokens/",
        {"currency": "MOP", "address": "not an address"},
        content_type="application/json",
    )
    assert bad.status_code == 400
    assert "0x followed by 40 hexadecimal characters" in bad.json()["address"][0]
    assert _state() == before

    made = client.post(
        "/api/v1/payment-tokens/", {"currency": "MOP", "address": address}, content_type="application/json"
    )
    assert made.status_code == 201, made.content
    assert made.json()["status"] == "proposed"
    own = client.post(
        f"/api/v1/payment-tokens/{made.json()['id']}/decision/",
        {"approve": True},
        content_type="application/json",
    )
    assert own.status_code == 403
    assert "a different staff member" in own.json()["detail"]
    listed = client.get("/api/v1/payment-tokens/").json()
    assert {row["currency"] for row in listed["results"]} == {"HKD", "CNY", "MOP", "USD"}


def test_the_staff_page_lists_the_stablecoins_and_shows_a_refusal(platform, client):
    client.force_login(flows.operator())
    page = client.get("/chain/payment-tokens/")
    assert page.status_code == 200
    for symbol in ("HKDT", "CNHT", "MOPT", "USDT"):
        assert symbol.encode() in page.content
    refused = client.post(
        "/chain/payment-tokens/propose/", {"currency": "USD", "address": _new_stablecoin("Other", "OTH")}
    )
    assert refused.status_code == 400
    assert b"USD already has a stablecoin" in refused.content


def test_a_renminbi_application_becomes_an_offering_that_settles_in_the_cnh_stablecoin(platform):
    officer, operator = flows.officer(), flows.operator()
    company = flows.verified_company(by=officer)
    offering = flows.open_offering(company=company, by=officer, opener=operator, currency="CNY")
    assert offering.currency == "CNY"
    settlement = str(platform_contract(ContractKind.SETTLEMENT).address)
    _, registered, _, _ = chain.call("Settlement", settlement, "offeringOf", offering.token.address)
    assert registered == payment_token("CNY").address

    # The balance check and its message are in the offering's currency.
    investor = flows.approved_investor(by=officer, funds=Decimal("30000"), currency="CNY")
    flows.approved_investor(by=officer, funds=Decimal("1"))  # someone else's HKD counts for nothing here
    with pytest.raises(ValidationFailed) as refused:
        subscription_create(user=investor, offering_id=offering.pk, units=40, **accepted_versions())
    assert "Your wallet holds CN¥30,000.00; this subscription needs CN¥40,000.00" in refused.value.message
    assert refused.value.fields == {"units": ["Not enough CNY in your wallet for this many units."]}
    subscription_create(user=investor, offering_id=offering.pk, units=20, **accepted_versions())
    wallet = flows.profile_of(investor).wallet.address
    assert payment_balance(wallet, "CNY") == Decimal("10000")
    assert payment_balance(wallet, "HKD") == 0


def test_approval_is_refused_naming_the_currency_when_no_stablecoin_is_listed(mop_unlisted):
    officer = flows.officer()
    company = flows.verified_company(by=officer)
    application = flows.submitted_application(company=company, currency="MOP")
    arranger = flows.arranger()
    audit = AuditEvent.objects.count()
    with pytest.raises(ValidationFailed) as refused:
        application_decide(
            actor=officer,
            application_id=application.pk,
            decision="approve",
            reason="ok",
            arranger_id=arranger.pk,
        )
    assert "no stablecoin is accepted for MOP (Macao pataca) yet" in refused.value.message
    assert refused.value.fields == {"decision": ["No MOP stablecoin is accepted yet."]}
    assert Application.objects.get(pk=application.pk).status == "submitted"
    assert not Offering.objects.filter(application=application).exists()
    assert AuditEvent.objects.count() == audit
