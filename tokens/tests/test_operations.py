"""Staff token operations on the real chain: each changes the chain as recorded; refusals change nothing."""

from __future__ import annotations

import pytest
from django.test import Client

from accounts.choices import Role
from accounts.tests.factories import UserFactory
from compliance.models import AuditEvent, InvestorProfile
from config.errors import Conflict, PermissionDenied, ValidationFailed
from financing.agreements import accepted_versions
from financing.services import subscription_create
from tests import flows
from tokens import chain
from tokens.choices import LegalBasis, TokenOperationKind, TokenOperationStatus
from tokens.indexer.reconcile import holdings_reconcile
from tokens.indexer.stream import chain_index_to_head
from tokens.models import ChainTransaction, TokenHolding, TokenOperation, Wallet
from tokens.operations import token_operation_approve, token_operation_reject, token_operation_request

Kind = TokenOperationKind
Status = TokenOperationStatus


@pytest.fixture
def round_(platform):
    officer, operator, offering, first, second = flows.settled_round()
    approver = UserFactory(role=Role.APPROVER)
    return officer, operator, approver, offering, first, second


def wallet_of(user) -> str:
    return InvestorProfile.objects.select_related("wallet").get(user=user).wallet.address


def read(offering, function, *args):
    return chain.call("SecurityToken", offering.token.address, function, *args)


def snapshot():
    return (
        TokenOperation.objects.count(),
        ChainTransaction.objects.count(),
        AuditEvent.objects.count(),
        Wallet.objects.count(),
    )


def test_a_freeze_needs_a_second_person_and_then_freezes_the_wallet_on_chain(round_):
    officer, operator, approver, offering, first, _ = round_
    wallet = wallet_of(first)
    op = token_operation_request(
        actor=officer, kind=Kind.FREEZE, offering_id=offering.pk, wallet=wallet, reason="Police request."
    )
    assert op.status == Status.REQUESTED
    assert read(offering, "isFrozen", wallet) is False

    before = snapshot()
    with pytest.raises(PermissionDenied, match="another member of staff"):
        token_operation_approve(actor=officer, operation_id=op.pk)
    with pytest.raises(PermissionDenied, match="compliance approver"):
        token_operation_approve(actor=operator, operation_id=op.pk)
    assert snapshot() == before

    op = token_operation_approve(actor=approver, operation_id=op.pk)
    op.refresh_from_db()
    assert (op.status, op.approved_by, op.requested_by) == (Status.EXECUTED, approver, officer)
    assert read(offering, "isFrozen", wallet) is True
    assert op.transactions.filter(status="confirmed").count() == 2  # the proposal and its execution

    # Unfreezing a frozen wallet works the same way; unfreezing one not frozen is refused.
    other = wallet_of(round_[5])
    before = snapshot()
    with pytest.raises(Conflict, match="not frozen"):
        token_operation_request(
            actor=officer, kind=Kind.UNFREEZE, offering_id=offering.pk, wallet=other, reason="x"
        )
    assert snapshot() == before
    op = token_operation_request(
        actor=officer, kind=Kind.UNFREEZE, offering_id=offering.pk, wallet=wallet, reason="Order lifted."
    )
    token_operation_approve(actor=approver, operation_id=op.pk)
    assert read(offering, "isFrozen", wallet) is False


def test_a_partial_freeze_above_the_free_balance_is_refused_and_a_fitting_one_freezes_the_units(round_):
    officer, _, approver, offering, first, _ = round_
    wallet = wallet_of(first)
    assert read(offering, "balanceOf", wallet) == 60
    before = snapshot()
    with pytest.raises(ValidationFailed, match="Only 60 of the wallet's 60 units are free"):
        token_operation_request(
            actor=officer,
            kind=Kind.PARTIAL_FREEZE,
            offering_id=offering.pk,
            wallet=wallet,
            amount=61,
            reason="Dispute.",
        )
    assert snapshot() == before
    op = token_operation_request(
        actor=officer,
        kind=Kind.PARTIAL_FREEZE,
        offering_id=offering.pk,
        wallet=wallet,
        amount=25,
        reason="Dispute.",
    )
    token_operation_approve(actor=approver, operation_id=op.pk)
    assert read(offering, "frozenTokens", wallet) == 25
    assert read(offering, "transferableBalanceOf", wallet) == 35

    with pytest.raises(ValidationFailed, match="25 frozen units; it cannot release 26"):
        token_operation_request(
            actor=officer,
            kind=Kind.PARTIAL_UNFREEZE,
            offering_id=offering.pk,
            wallet=wallet,
            amount=26,
            reason="Settled.",
        )
    op = token_operation_request(
        actor=officer,
        kind=Kind.PARTIAL_UNFREEZE,
        offering_id=offering.pk,
        wallet=wallet,
        amount=10,
        reason="Part settled.",
    )
    token_operation_approve(actor=approver, operation_id=op.pk)
    assert read(offering, "frozenTokens", wallet) == 15


def test_a_pause_is_immediate_and_a_resume_needs_another_person(round_):
    officer, operator, _, offering, *_ = round_
    before = snapshot()
    with pytest.raises(PermissionDenied, match="operator or a compliance approver"):
        token_operation_request(actor=officer, kind=Kind.PAUSE, offering_id=offering.pk, reason="Incident.")
    assert snapshot() == before

    op = token_operation_request(actor=operator, kind=Kind.PAUSE, offering_id=offering.pk, reason="Incident.")
    op.refresh_from_db()
    assert (op.status, op.approved_by) == (Status.EXECUTED, None)
    assert read(offering, "isPaused") is True

    resume = token_operation_request(
        actor=operator, kind=Kind.RESUME, offering_id=offering.pk, reason="Fixed."
    )
    assert read(offering, "isPaused") is True
    with pytest.raises(PermissionDenied):
        token_operation_approve(actor=operator, operation_id=resume.pk)
    other_operator = UserFactory(role=Role.OPERATOR)
    token_operation_approve(actor=other_operator, operation_id=resume.pk)
    assert read(offering, "isPaused") is False


def test_a_forced_transfer_needs_its_legal_basis_and_moves_the_units(round_):
    officer, _, approver, offering, first, second = round_
    source, target = wallet_of(first), wallet_of(second)
    before = snapshot()
    with pytest.raises(ValidationFailed) as refused:
        token_operation_request(
            actor=officer,
            kind=Kind.FORCED_TRANSFER,
            offering_id=offering.pk,
            wallet=source,
            counterparty=target,
            amount=5,
            reason="Order.",
        )
    assert set(refused.value.fields) == {"legal_basis", "legal_reference"}
    assert snapshot() == before

    op = token_operation_request(
        actor=officer,
        kind=Kind.FORCED_TRANSFER,
        offering_id=offering.pk,
        wallet=source,
        counterparty=target,
        amount=5,
        reason="Transfer ordered by the court.",
        legal_basis=LegalBasis.COURT_ORDER,
        legal_reference="HCMP 1234/2026",
    )
    # The requester cannot approve; another rejects with a reason; nothing moves.
    token_operation_reject(actor=approver, operation_id=op.pk, reason="Order not sealed yet.")
    op.refresh_from_db()
    assert (op.status, op.rejection_reason) == (Status.REJECTED, "Order not sealed yet.")
    assert (read(offering, "balanceOf", source), read(offering, "balanceOf", target)) == (60, 40)

    op = token_operation_request(
        actor=officer,
        kind=Kind.FORCED_TRANSFER,
        offering_id=offering.pk,
        wallet=source,
        counterparty=target,
        amount=5,
        reason="Transfer ordered by the court.",
        legal_basis=LegalBasis.COURT_ORDER,
        legal_reference="HCMP 1234/2026",
    )
    token_operation_approve(actor=approver, operation_id=op.pk)
    assert (read(offering, "balanceOf", source), read(offering, "balanceOf", target)) == (55, 45)


def test_wallet_recovery_moves_the_units_to_a_new_registered_wallet_and_freezes_the_lost_one(
    round_, platform
):
    officer, _, approver, offering, first, _ = round_
    lost = wallet_of(first)
    registry = platform["identity_registry"]
    identity = chain.call("IdentityRegistry", registry, "identityOf", lost)
    op = token_operation_request(actor=officer, kind=Kind.RECOVERY, wallet=lost, reason="Lost phone.")
    assert op.token is None
    assert op.details["tokens"] == [offering.token.address]
    token_operation_approve(actor=approver, operation_id=op.pk)
    op.refresh_from_db()
    assert op.status == Status.EXECUTED, op.error
    new = op.counterparty
    assert new
    assert new != lost
    assert wallet_of(first) == new
    assert Wallet.objects.get(address=new).owner == first
    assert chain.call("IdentityRegistry", registry, "identityOf", new) == identity
    assert chain.call("IdentityRegistry", registry, "isVerified", lost) is False
    assert (read(offering, "balanceOf", new), read(offering, "balanceOf", lost)) == (60, 0)
    assert read(offering, "isFrozen", lost) is True
    assert read(offering, "isFrozen", new) is False

    chain_index_to_head()
    held = {h.wallet: h for h in TokenHolding.objects.filter(token_address=offering.token.address)}
    assert held[new].units == 60
    assert (held[lost].units, held[lost].frozen) == (0, True)
    # The books follow the investor to the new wallet: reconciliation finds no difference.
    assert holdings_reconcile().differences == []

    # A second recovery of the lost wallet is refused: it no longer belongs to an investor.
    before = snapshot()
    with pytest.raises(ValidationFailed, match="not an investor's wallet"):
        token_operation_request(actor=officer, kind=Kind.RECOVERY, wallet=lost, reason="Again.")
    assert snapshot() == before


def test_one_open_operation_per_wallet_and_checks_are_made_again_at_approval(round_):
    officer, _, approver, offering, first, _ = round_
    wallet = wallet_of(first)
    op = token_operation_request(
        actor=officer, kind=Kind.PARTIAL_FREEZE, offering_id=offering.pk, wallet=wallet, amount=60, reason="x"
    )
    before = snapshot()
    with pytest.raises(Conflict, match="still open"):
        token_operation_request(
            actor=officer, kind=Kind.FREEZE, offering_id=offering.pk, wallet=wallet, reason="y"
        )
    assert snapshot() == before
    token_operation_approve(actor=approver, operation_id=op.pk)
    with pytest.raises(Conflict, match="awaits no decision"):
        token_operation_approve(actor=UserFactory(role=Role.APPROVER), operation_id=op.pk)


def client_of(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_four_eyes_hold_in_the_api_and_the_page_and_the_investor_sees_the_freeze(round_):
    officer, _, approver, offering, first, _ = round_
    wallet = wallet_of(first)
    api = client_of(officer)

    # A refused request over the API: 400 with the reason in words, nothing changed.
    before = snapshot()
    refused = api.post(
        "/api/v1/token-operations/",
        {"kind": "partial_freeze", "offering_id": offering.pk, "wallet": wallet, "amount": 61, "reason": "x"},
        content_type="application/json",
    )
    assert refused.status_code == 400
    assert refused.json()["amount"] == ["Only 60 of the wallet's 60 units are free to freeze."]
    assert snapshot() == before

    created = api.post(
        "/api/v1/token-operations/",
        {"kind": "freeze", "offering_id": offering.pk, "wallet": wallet, "reason": "Court freezing order."},
        content_type="application/json",
    )
    assert created.status_code == 201
    body = created.json()
    assert (body["status"], body["offering_id"], body["wallet"]) == ("requested", offering.pk, wallet)
    op_id = body["id"]

    # The requester cannot approve, neither in the API nor on the page; nothing changes.
    before = snapshot()
    answer = api.post(f"/api/v1/token-operations/{op_id}/approve/")
    assert answer.status_code == 403
    assert "another member of staff" in answer.json()["detail"]
    page = client_of(officer).post(f"/chain/operations/{op_id}/approve/")
    assert page.status_code == 403
    assert "another member of staff must approve or reject it" in page.content.decode()
    assert snapshot() == before
    assert read(offering, "isFrozen", wallet) is False

    # The approver's page shows Approve with a confirmation naming the wallet and what it does.
    listing = client_of(approver).get(f"/chain/operations/?offering={offering.pk}").content.decode()
    assert f"Approve freeze wallet #{op_id} of wallet {wallet}" in listing
    assert client_of(approver).post(f"/chain/operations/{op_id}/approve/").status_code == 302
    assert read(offering, "isFrozen", wallet) is True
    assert api.get("/api/v1/token-operations/").json()["results"][0]["status"] == "executed"

    # The investor sees what, when and why on the holding: page and portfolio API.
    chain_index_to_head()
    investor = client_of(first)
    (holding,) = investor.get("/api/v1/portfolio/").json()["holdings"]
    (notice,) = holding["notices"]
    assert (notice["kind"], notice["why"], notice["in_progress"]) == (
        "freeze",
        "Court freezing order.",
        False,
    )
    assert notice["what"].startswith("Your wallet was frozen on this token")
    assert notice["tx_hash"].startswith("0x")
    assert holding["frozen"] is True
    dashboard = investor.get("/financing/investor/").content.decode()
    assert "Your wallet was frozen on this token" in dashboard
    assert "Why: Court freezing order." in dashboard
    # Another investor sees nothing of it.
    (other_holding,) = client_of(round_[5]).get("/api/v1/portfolio/").json()["holdings"]
    assert other_holding["notices"] == []


def test_a_rejection_needs_a_reason_and_sends_nothing(round_):
    officer, _, approver, offering, first, _ = round_
    op = token_operation_request(
        actor=officer, kind=Kind.FREEZE, offering_id=offering.pk, wallet=wallet_of(first), reason="x"
    )
    before = snapshot()
    answer = client_of(approver).post(
        f"/api/v1/token-operations/{op.pk}/reject/", {"reason": ""}, content_type="application/json"
    )
    assert answer.status_code == 400
    assert snapshot() == before
    answer = client_of(approver).post(f"/chain/operations/{op.pk}/reject/", {"reason": "No order on file."})
    assert answer.status_code == 302
    op.refresh_from_db()
    assert (op.status, op.rejection_reason) == (Status.REJECTED, "No order on file.")
    assert op.transactions.count() == 0


def test_an_approved_freeze_waits_for_the_timelock_delay_and_the_investor_sees_it_under_way(round_, settings):
    officer, _, approver, offering, first, _ = round_
    settings.CHAIN_ADMIN_DELAY_SECONDS = 3600
    wallet = wallet_of(first)
    op = token_operation_request(
        actor=officer,
        kind=Kind.FREEZE,
        offering_id=offering.pk,
        wallet=wallet,
        reason="Regulator's direction.",
    )
    token_operation_approve(actor=approver, operation_id=op.pk)
    op.refresh_from_db()
    assert op.status == Status.SUBMITTED
    execution = ChainTransaction.objects.get(idempotency_key=f"execute:tokenop:{op.pk}:setAddressFrozen")
    assert execution.status == "pending"
    assert execution.not_before is not None
    assert read(offering, "isFrozen", wallet) is False  # not before the delay
    (holding,) = client_of(first).get("/api/v1/portfolio/").json()["holdings"]
    (notice,) = holding["notices"]
    assert notice["in_progress"] is True
    assert notice["what"] == (
        "Your wallet is being frozen on this token: its units will not be transferable. "
        "Approved; it takes effect after the platform's safety delay."
    )


def test_a_recovery_waits_while_money_is_in_escrow_from_the_lost_wallet(round_):
    officer, operator, _, offering, first, _ = round_
    second_round = flows.open_offering(
        company=offering.application.company, by=officer, opener=operator, units=50, minimum_units=10
    )
    subscription_create(user=first, offering_id=second_round.pk, units=10, **accepted_versions())
    before = snapshot()
    with pytest.raises(Conflict, match="subscription paid into escrow from the lost wallet"):
        token_operation_request(actor=officer, kind=Kind.RECOVERY, wallet=wallet_of(first), reason="Lost.")
    assert snapshot() == before


def test_the_receiver_of_a_forced_transfer_sees_it_too(round_):
    officer, _, approver, offering, first, second = round_
    source, target = wallet_of(first), wallet_of(second)
    op = token_operation_request(
        actor=officer,
        kind=Kind.FORCED_TRANSFER,
        offering_id=offering.pk,
        wallet=source,
        counterparty=target,
        amount=3,
        reason="Units sent to the wrong holder at settlement.",
        legal_basis=LegalBasis.ERROR_CORRECTION,
        legal_reference="INC-2026-118",
    )
    token_operation_approve(actor=approver, operation_id=op.pk)
    chain_index_to_head()
    (sent,) = client_of(first).get("/api/v1/portfolio/").json()["holdings"][0]["notices"]
    (received,) = client_of(second).get("/api/v1/portfolio/").json()["holdings"][0]["notices"]
    assert sent["what"] == f"3 units were transferred out of your wallet by the platform to {target}."
    assert received["what"] == "3 units were transferred into your wallet by the platform."
    assert received["why"] == (
        "Correction of an error by the platform (INC-2026-118): Units sent to the wrong holder at settlement."
    )
