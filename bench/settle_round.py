"""One settlement round for `bench/settle.py` (and its smoke test): seed, close, wait, check on chain.

Needs Django set up on a migrated database with the platform bootstrapped, and a Celery worker on the
same database and chain. Seeding is not timed but is built for N = 10,000: users, investor profiles and
wallets are written in bulk; identities are registered on chain in batches; test HKD is minted to
every investor and each subscription is funded into the Settlement escrow with the investor's EIP-3009
authorisation, as `financing.services.subscriptions` does. Every chain write is a recorded outbox row
signed by `tokens.signer` (keys never leave it); the rows are signed with consecutive nonces and sent
without waiting for each receipt, then confirmed in bulk.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import Count, F
from django.test import Client
from django.utils import timezone
from eth_abi import decode as abi_decode
from eth_abi import encode as abi_encode
from eth_utils import function_signature_to_4byte_selector
from hexbytes import HexBytes

from accounts.choices import Role
from accounts.models import User
from compliance.choices import InvestorType, KycStatus
from compliance.models import InvestorProfile
from config.celery import app as celery_app
from financing.choices import OfferingStatus, SubscriptionStatus
from financing.models import Allotment, Offering, Subscription
from financing.services import application_decide, offering_open
from financing.services.common import INTENT_FUND_SUBSCRIPTION, PROFESSIONAL_INVESTOR_CLASS
from tests import flows
from tokens import chain, outbox, signer
from tokens.choices import ChainTxStatus, ContractKind, WalletKind
from tokens.indexer.stream import chain_index_to_head
from tokens.models import ChainTransaction, Contract, Wallet
from tokens.selectors import payment_token_domain, platform_contract, platform_wallet
from tokens.services import INTENT_MINT_PAYMENT

HONG_KONG = 344  # ISO 3166 numeric, as the identity registry stores countries
UNIT_PRICE = Decimal("100.00")
UNITS_PER_INVESTOR = 10
HKD_MINTED = Decimal("1500.00")  # each investor's test HKD: more than the HKD 1,000 subscription
IDENTITY_BATCH = 200
RPC_BATCH = 250
RPC_BATCH_CHARACTERS = 1_000_000
BLOCK_GAS_TARGET = 14_000_000  # under half of anvil's 30M block gas limit: the base fee does not rise
GAS_HEADROOM = Decimal("1.5")
# Seeding's own chain write: the registrar registers many identities in one transaction. Declared in
# the benchmark's process only (the product registers one identity per approval).
INTENT_BENCH_REGISTER_IDENTITIES = "bench_register_identities"
# Offering states after which nothing more happens; the close engineer's asynchronous close adds
# `partly_failed` (and allotting/settling on the way), so every name is matched as text.
TERMINAL_OFFERING_STATES = {"settled", "partly_failed", "failed", "cancelled"}
TERMINAL_ALLOTMENT_STATES = {"settled", "failed", "written_off"}


class RoundFailed(AssertionError):
    """The round did not end settled, or the chain disagrees with the books."""


def register_seeding_intents() -> None:
    """Declare the benchmark's batch identity registration (registrar key, identity registry only)."""
    outbox.register_intent(
        INTENT_BENCH_REGISTER_IDENTITIES,
        signer=WalletKind.REGISTRAR,
        targets=(ContractKind.IDENTITY_REGISTRY,),
        functions=("batchRegisterIdentity(address[],uint16[],uint8[],uint64[])",),
        confirmed=lambda tx, receipt: None,
    )


@contextmanager
def in_process_tasks() -> Iterator[None]:
    """Run tasks inline in this process (the platform's set-up before any worker runs)."""
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    try:
        from django.test import override_settings

        with override_settings(CELERY_TASK_ALWAYS_EAGER=True):
            yield
    finally:
        celery_app.conf.task_always_eager = previous


# --- sending many recorded writes -----------------------------------------------------------------


@dataclass(frozen=True)
class Write:
    """One chain write to record: its business key, calldata and the wallet it concerns."""

    key: str
    data: str
    subject: str = ""
    reference: str = ""


def _chunks(params: Sequence[list[Any]]) -> Iterator[Sequence[list[Any]]]:
    """`params` in runs of at most RPC_BATCH requests and RPC_BATCH_CHARACTERS of parameters (a node
    refuses a request body above a few megabytes: 50 identity batches of 200 are 2.5 MB)."""
    start, size = 0, 0
    for index, item in enumerate(params):
        length = sum(len(str(value)) for value in item)
        if index > start and (index - start >= RPC_BATCH or size + length > RPC_BATCH_CHARACTERS):
            yield params[start:index]
            start, size = index, 0
        size += length
    if start < len(params):
        yield params[start:]


class BlockProducer:
    """The chain's block producer for the benchmark: anvil's own mining off, a block every `seconds`
    through `evm_mine` (a chain with a fixed block time and a 30 M gas limit).

    A block every interval whatever the pool holds, as a chain with a block time makes them. (An earlier
    note here blamed anvil for ignoring the settler's key past about 10,000 transactions; the cause was the
    base fee rising through a burst of full blocks past the price the batches were signed at, after which
    anvil drops them: see "Settlement at scale" in docs/benchmarks.md.)
    """

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="block-producer", daemon=True)
        self.blocks = 0

    def __enter__(self) -> BlockProducer:
        chain.web3().provider.make_request("evm_setAutomine", [False])
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=10)
        chain.web3().provider.make_request("evm_setAutomine", [True])

    def _run(self) -> None:
        # A block every interval, empty or not, as a chain with a block time makes them: the base fee
        # falls again after full blocks (mining only when something waits ratchets it up for good, and
        # after a few rounds the seeding keys could no longer pay for gas).
        w3 = chain.web3()
        while not self._stop.wait(self.seconds):
            w3.provider.make_request("evm_mine", [])
            self.blocks += 1


def _mine_pending(w3: Any) -> None:
    """Mine until the node's pool is empty (anvil: a burst's leftovers wait for the next arrival)."""
    while int(w3.provider.make_request("txpool_status", [])["result"]["pending"], 16):
        w3.provider.make_request("evm_mine", [])


def _raw_batches(method: str, params: Sequence[list[Any]]) -> list[Any]:
    """`method` once per params list, as JSON-RPC batches straight to the provider; results in order.

    For what web3's batch refuses (sending raw transactions) and what may be missing (receipts).
    """
    provider: Any = chain.web3().provider
    results: list[Any] = []
    for chunk in _chunks(params):
        responses = provider.make_batch_request([(method, p) for p in chunk])
        if not isinstance(responses, list):
            raise RoundFailed(f"{method} batch refused: {responses}")
        for response in sorted(responses, key=lambda r: int(r["id"])):
            if "error" in response:
                raise RoundFailed(f"{method} refused: {response['error']}")
            results.append(response["result"])
    return results


def calls(address: str, signature: str, returns: Sequence[str], args: Sequence[Sequence[Any]]) -> list[Any]:
    """The read `signature` (e.g. "balanceOf(address)") of `address` for every `a` in `args`, in JSON-RPC
    batches; each result decoded as `returns` (a single value unwrapped)."""
    selector = function_signature_to_4byte_selector(signature)
    types = signature[signature.index("(") + 1 : -1].split(",") if not signature.endswith("()") else []
    to = chain.to_checksum(address)
    answers = _raw_batches(
        "eth_call",
        [[{"to": to, "data": "0x" + (selector + abi_encode(types, list(a))).hex()}, "latest"] for a in args],
    )
    decoded = [abi_decode(list(returns), bytes.fromhex(answer.removeprefix("0x"))) for answer in answers]
    return [values[0] if len(values) == 1 else values for values in decoded]


def send_recorded(
    *, intent: str, signer_kind: WalletKind, target: Contract, writes: list[Write]
) -> list[int]:
    """Record `writes` as outbox rows, sign them with consecutive nonces, send them all, confirm them.

    Returns the rows' ids. Raises RoundFailed if any of them reverts.
    """
    if not writes:
        return []
    w3 = chain.web3()
    wallet = platform_wallet(signer_kind)
    chain_id = chain.chain_id()
    assert target.address is not None
    rows = ChainTransaction.objects.bulk_create(
        [
            ChainTransaction(
                intent=intent,
                idempotency_key=write.key,
                reference=(write.reference or f"{intent} {write.key}")[:200],
                subject_address=write.subject,
                signer=wallet,
                chain_id=chain_id,
                to_address=target.address,
                data=write.data,
                contract=target,
            )
            for write in writes
        ],
        batch_size=1000,
    )
    # Every write of one kind costs about the same: estimate the first, keep headroom for the rest.
    estimate = w3.eth.estimate_gas({"from": wallet.address, "to": target.address, "data": rows[0].data})  # type: ignore[typeddict-item]
    gas = int(estimate * GAS_HEADROOM)
    if len(writes) > 1 and intent == INTENT_BENCH_REGISTER_IDENTITIES:
        gas = int(
            gas
            * Decimal(IDENTITY_BATCH)
            / Decimal(len(chain.decode_call("IdentityRegistry", rows[0].data)["wallets"]))
        )
    gas_price = int(w3.eth.gas_price) * 2  # bursts stay under half a block (below): the base fee never rises
    with transaction.atomic():
        locked = Wallet.objects.select_for_update().get(pk=wallet.pk)
        first = max(
            locked.next_nonce, w3.eth.get_transaction_count(chain.to_checksum(wallet.address), "pending")
        )
        now = timezone.now()
        for offset, row in enumerate(rows):
            signed = signer.sign_recorded_transaction(
                tx_id=row.pk, nonce=first + offset, gas=gas, gas_price=gas_price
            )
            row.status = ChainTxStatus.SENT
            row.nonce = first + offset
            row.gas_limit = gas
            row.tx_hash = "0x" + signed.hash.hex().removeprefix("0x")
            row.raw_tx = "0x" + signed.raw_transaction.hex().removeprefix("0x")
            row.sent_at = now
            row.attempts = 1
        ChainTransaction.objects.bulk_update(
            rows,
            ["status", "nonce", "gas_limit", "tx_hash", "raw_tx", "sent_at", "attempts"],
            batch_size=1000,
        )
        locked.next_nonce = first + len(rows)
        locked.save(update_fields=["next_nonce"])
    # At most half a block's gas per burst, mined before the next: fuller blocks would raise the base
    # fee past the price signed above, and anvil's automine leaves what does not fit in the block it
    # mines on arrival in the pool until another transaction comes.
    per_block = max(1, BLOCK_GAS_TARGET // gas)
    for start in range(0, len(rows), per_block):
        _raw_batches("eth_sendRawTransaction", [[row.raw_tx] for row in rows[start : start + per_block]])
        _mine_pending(w3)
    # One sender's transactions are mined in nonce order: once the last is in, all are.
    w3.eth.wait_for_transaction_receipt(HexBytes(str(rows[-1].tx_hash)), timeout=600, poll_latency=0.1)
    receipts = _raw_batches("eth_getTransactionReceipt", [[row.tx_hash] for row in rows])
    reverted = [
        row
        for row, receipt in zip(rows, receipts, strict=True)
        if not receipt or int(receipt["status"], 16) != 1
    ]
    if reverted:
        raise RoundFailed(
            f"{len(reverted)} of {len(rows)} {intent} writes reverted (first: {reverted[0].idempotency_key})"
        )
    confirmed_at = timezone.now()
    for row, receipt in zip(rows, receipts, strict=True):
        row.status = ChainTxStatus.CONFIRMED
        row.block_number = int(receipt["blockNumber"], 16)
        row.gas_used = int(receipt["gasUsed"], 16)
        row.confirmed_at = confirmed_at
    ChainTransaction.objects.bulk_update(
        rows, ["status", "block_number", "gas_used", "confirmed_at"], batch_size=1000
    )
    return [row.pk for row in rows]


# --- seeding one round ----------------------------------------------------------------------------


@dataclass
class Round:
    """A seeded offering, open, with `n` verified investors each holding an active, escrowed subscription."""

    n: int
    offering: Offering
    staff: User
    issuer_wallet: str
    token: str
    wallets: list[str]  # by subscription, in subscription order
    subscription_ids: list[int]
    hkd_before: list[int]  # each investor's HKD (base units) before funding
    seed_seconds: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)


def wait_until(condition: Callable[[], Any], *, timeout: float, what: str, interval: float = 0.2) -> Any:
    """Poll until `condition()` is truthy; RoundFailed after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            raise RoundFailed(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(interval)


def _open_offering(*, n: int, tag: str) -> tuple[Offering, User, str]:
    """A verified SME's bond of n x UNITS_PER_INVESTOR units: approved, set up by the worker, open."""
    officer, operator = flows.officer(), flows.operator()
    company = flows.verified_company(by=officer, name=f"Bench {tag} Limited")
    units = n * UNITS_PER_INVESTOR
    application = flows.submitted_application(
        company=company, title=f"Bench {tag} notes", units=units, minimum_units=1, face_value=UNIT_PRICE
    )
    application_decide(
        actor=officer,
        application_id=application.pk,
        decision="approve",
        reason="benchmark",
        closes_at=timezone.now() + timedelta(days=7),
        professional_investors_only=True,
        arranger_id=flows.arranger().pk,
    )
    offering = Offering.objects.get(application=application)
    wait_until(
        lambda: Offering.objects.filter(pk=offering.pk, status=OfferingStatus.READY).exists(),
        timeout=120,
        what="the offering's token set-up on chain",
    )
    offering = offering_open(actor=operator, offering_id=offering.pk)
    company.refresh_from_db()
    assert company.wallet is not None
    return offering, operator, company.wallet.address


def _investors(*, n: int, tag: str) -> list[InvestorProfile]:
    """n approved professional investors with custodial wallets (keys made by the signer), in bulk."""
    now = timezone.now()
    year = timezone.localdate() + timedelta(days=365)
    users = User.objects.bulk_create(
        [
            User(
                email=f"bench-{tag}-{i}@example.hk".lower(),  # as the product stores emails: log-in works
                full_name=f"Bench Investor {tag} {i}",
                role=Role.INVESTOR,
                email_confirmed_at=now,
                password=make_password(None),
            )
            for i in range(n)
        ],
        batch_size=1000,
    )
    keys = [signer.new_wallet_key(kind=WalletKind.INVESTOR) for _ in range(n)]
    wallets = Wallet.objects.bulk_create(
        [
            Wallet(
                kind=WalletKind.INVESTOR,
                label=f"Investor {user.full_name}",
                owner=user,
                address=a,
                encrypted_key=k,
            )
            for user, (a, k) in zip(users, keys, strict=True)
        ],
        batch_size=1000,
    )
    return InvestorProfile.objects.bulk_create(
        [
            InvestorProfile(
                user=user,
                investor_type=InvestorType.INDIVIDUAL,
                legal_name=user.full_name,
                country="HK",
                id_document_number=f"B{tag}{i}",
                declared_portfolio_hkd=Decimal("9000000"),
                claims_professional=True,
                is_professional=True,
                pi_valid_until=year,
                kyc_valid_until=year,
                kyc_status=KycStatus.APPROVED,
                wallet=wallet,
            )
            for i, (user, wallet) in enumerate(zip(users, wallets, strict=True))
        ],
        batch_size=1000,
    )


def _register_identities(profiles: list[InvestorProfile], *, tag: str) -> None:
    registry = platform_contract(ContractKind.IDENTITY_REGISTRY)
    valid_until = profiles[0].kyc_valid_until
    assert valid_until is not None
    expiry = int(timezone.make_aware(datetime.combine(valid_until, datetime.min.time())).timestamp())
    writes = []
    for start in range(0, len(profiles), IDENTITY_BATCH):
        chunk = [p.wallet.address for p in profiles[start : start + IDENTITY_BATCH]]  # type: ignore[union-attr]
        n = len(chunk)
        writes.append(
            Write(
                key=f"bench:identities:{tag}:{start}",
                data=chain.encode_call(
                    "IdentityRegistry",
                    "batchRegisterIdentity",
                    chunk,
                    [HONG_KONG] * n,
                    [PROFESSIONAL_INVESTOR_CLASS] * n,
                    [expiry] * n,
                ),
                reference=f"register {n} benchmark identities",
            )
        )
    send_recorded(
        intent=INTENT_BENCH_REGISTER_IDENTITIES,
        signer_kind=WalletKind.REGISTRAR,
        target=registry,
        writes=writes,
    )
    InvestorProfile.objects.filter(pk__in=[p.pk for p in profiles]).update(
        identity_registered_at=timezone.now()
    )


def _mint_hkd(addresses: list[str], *, tag: str) -> None:
    amount = int(HKD_MINTED.scaleb(settings.PAYMENT_TOKEN_DECIMALS))
    writes = [
        Write(
            key=f"bench:faucet:{tag}:{address}",
            data=chain.encode_call("PaymentToken", "mint", address, amount),
            subject=address,
            reference=f"mint test HKD to {address}",
        )
        for address in addresses
    ]
    send_recorded(
        intent=INTENT_MINT_PAYMENT,
        signer_kind=WalletKind.FAUCET,
        target=platform_contract(ContractKind.PAYMENT_TOKEN),
        writes=writes,
    )


def _fund(offering: Offering, profiles: list[InvestorProfile]) -> list[Subscription]:
    """Active subscriptions, each funded into escrow with its investor's authorisation of its amount."""
    now = timezone.now()
    subscriptions = Subscription.objects.bulk_create(
        [
            Subscription(
                offering=offering,
                investor_id=profile.user_id,
                units=UNITS_PER_INVESTOR,
                amount=offering.unit_price * UNITS_PER_INVESTOR,
                authorised_until=now + timedelta(seconds=settings.PAYMENT_AUTHORISATION_SECONDS),
            )
            for profile in profiles
        ],
        batch_size=1000,
    )
    Offering.objects.filter(pk=offering.pk).update(
        units_subscribed=F("units_subscribed") + UNITS_PER_INVESTOR * len(profiles)
    )
    settlement = platform_contract(ContractKind.SETTLEMENT)
    domain = payment_token_domain()
    token = str(offering.token.address)  # type: ignore[union-attr]
    writes = []
    for subscription, profile in zip(subscriptions, profiles, strict=True):
        v, r, s = signer.sign_payment_authorisation(
            purpose=subscription, domain=domain, settlement_address=str(settlement.address)
        )
        wallet = profile.wallet.address  # type: ignore[union-attr]
        valid_before = int(subscription.authorised_until.timestamp())
        writes.append(
            Write(
                key=f"fund:subscription:{subscription.pk}",
                data=chain.encode_call(
                    "Settlement",
                    "fund",
                    token,
                    subscription.pk,
                    wallet,
                    subscription.units,
                    valid_before,
                    v,
                    r,
                    s,
                ),
                subject=wallet,
                reference=f"escrow the payment of subscription {subscription.pk}",
            )
        )
    tx_ids = send_recorded(
        intent=INTENT_FUND_SUBSCRIPTION, signer_kind=WalletKind.SETTLER, target=settlement, writes=writes
    )
    for subscription, tx_id in zip(subscriptions, tx_ids, strict=True):
        subscription.status = SubscriptionStatus.ACTIVE
        subscription.funding_transaction_id = tx_id
    Subscription.objects.bulk_update(subscriptions, ["status", "funding_transaction"], batch_size=1000)
    return subscriptions


def seed_round(*, n: int, tag: str) -> Round:
    """An open offering with n verified investors, each with an active subscription funded into escrow."""
    started = time.perf_counter()
    timings: dict[str, float] = {}
    mark = started

    def lap(name: str) -> None:
        nonlocal mark
        now = time.perf_counter()
        timings[name] = round(now - mark, 2)
        mark = now

    offering, staff, issuer = _open_offering(n=n, tag=tag)
    lap("offering")
    profiles = _investors(n=n, tag=tag)
    lap("investors")
    wallets = [p.wallet.address for p in profiles]  # type: ignore[union-attr]
    _register_identities(profiles, tag=tag)
    lap("identities")
    _mint_hkd(wallets, tag=tag)
    lap("hkd")
    payment = str(platform_contract(ContractKind.PAYMENT_TOKEN).address)
    hkd_before = [int(b) for b in calls(payment, "balanceOf(address)", ["uint256"], [(w,) for w in wallets])]
    subscriptions = _fund(offering, profiles)
    lap("fund")
    # In production the indexer (beat, every few seconds) has read the funding long before the close.
    chain_index_to_head()
    lap("index")
    offering.refresh_from_db()
    return Round(
        n=n,
        offering=offering,
        staff=staff,
        issuer_wallet=issuer,
        token=str(offering.token.address),  # type: ignore[union-attr]
        wallets=wallets,
        subscription_ids=[s.pk for s in subscriptions],
        hkd_before=hkd_before,
        seed_seconds=round(time.perf_counter() - started, 2),
        timings=timings,
    )


# --- the timed part -------------------------------------------------------------------------------


def _settled(offering_id: int, expected: int) -> dict[str, int] | None:
    """The allotments by status once the round has ended (nothing left to settle), else None."""
    status = Offering.objects.filter(pk=offering_id).values_list("status", flat=True).get()
    by_status = {
        row["status"]: row["n"]
        for row in Allotment.objects.filter(offering_id=offering_id).values("status").annotate(n=Count("pk"))
    }
    open_allotments = sum(n for s, n in by_status.items() if s not in TERMINAL_ALLOTMENT_STATES)
    if open_allotments:
        return None
    if status in TERMINAL_OFFERING_STATES:
        return by_status
    # Today a round with a failed allotment stays `closed`; it has ended once every allotment has.
    if sum(by_status.values()) == expected and by_status.get("failed"):
        return by_status
    return None


def close_and_wait(rnd: Round, *, timeout: float) -> tuple[float, dict[str, int]]:
    """Seconds from the staff's close request (the API) until every allotment is settled in the database."""
    from accounts.testing import verified_login

    client = Client(HTTP_HOST="localhost")
    verified_login(client, rnd.staff)  # staff sessions pass two-factor authentication first
    path = f"/api/v1/offerings/{rnd.offering.pk}/close/"
    started = time.perf_counter()
    response = client.post(path)
    if response.status_code not in (200, 202):
        raise RoundFailed(f"POST {path} answered {response.status_code}: {response.content[:500]!r}")
    by_status = wait_until(
        lambda: _settled(rnd.offering.pk, rnd.n), timeout=timeout, what="settlement", interval=0.05
    )
    return time.perf_counter() - started, by_status


def verify_on_chain(rnd: Round) -> dict[str, Any]:
    """Supply equals allotted units, each investor holds its allotment and paid exactly, escrow empty."""
    allotments = dict(
        Allotment.objects.filter(offering=rnd.offering, status="settled").values_list(
            "subscription_id", "units"
        )
    )
    failed = Allotment.objects.filter(offering=rnd.offering).exclude(status="settled").count()
    if failed or len(allotments) != rnd.n:
        raise RoundFailed(f"{len(allotments)} of {rnd.n} allotments settled, {failed} not")
    expected_units = [allotments[s] for s in rnd.subscription_ids]
    price = int(rnd.offering.unit_price.scaleb(settings.PAYMENT_TOKEN_DECIMALS))
    problems: list[str] = []
    supply = int(chain.call("SecurityToken", rnd.token, "totalSupply"))
    if supply != sum(expected_units):
        problems.append(f"totalSupply {supply} != {sum(expected_units)} units allotted")
    held = calls(rnd.token, "balanceOf(address)", ["uint256"], [(w,) for w in rnd.wallets])
    wrong = [w for w, h, u in zip(rnd.wallets, held, expected_units, strict=True) if int(h) != u]
    if wrong:
        problems.append(f"{len(wrong)} investors hold other than their allotment (first {wrong[0]})")
    payment = str(platform_contract(ContractKind.PAYMENT_TOKEN).address)
    after = calls(payment, "balanceOf(address)", ["uint256"], [(w,) for w in rnd.wallets])
    paid = [before - int(a) for before, a in zip(rnd.hkd_before, after, strict=True)]
    unpaid = [w for w, p, u in zip(rnd.wallets, paid, expected_units, strict=True) if p != u * price]
    if unpaid:
        problems.append(f"{len(unpaid)} investors paid other than units x price (first {unpaid[0]})")
    settlement = str(platform_contract(ContractKind.SETTLEMENT).address)
    pairs = [(rnd.token, s) for s in rnd.subscription_ids]
    escrow = calls(settlement, "escrowOf(address,uint256)", ["address", "uint256"], pairs)
    if any(int(amount) for _, amount in escrow):
        problems.append(f"{sum(1 for _, amount in escrow if int(amount))} escrows not empty")
    settled = calls(settlement, "isSettled(address,uint256)", ["bool"], pairs)
    if not all(settled):
        problems.append(f"{sum(1 for done in settled if not done)} subscriptions not settled on chain")
    issuer = int(chain.call("PaymentToken", payment, "balanceOf", rnd.issuer_wallet))
    if issuer != sum(expected_units) * price:
        problems.append(f"the issuer received {issuer}, not {sum(expected_units) * price}")
    if problems:
        raise RoundFailed("; ".join(problems))
    return {"allotments": rnd.n, "units": supply, "issuer_received": issuer}
