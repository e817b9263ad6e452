"""Random sequences of registry, agent, transfer, escrow, settlement and distribution actions keep invariants.

After every step: the balances add up to the total supply, the holder count is right, frozen amounts
are covered by balances and never spent, tokens reach unverified, ineligible or frozen wallets only
through agent paths, canTransfer/canMint predict exactly what the token does. On the money side: the
escrows add up to the Settlement's HKDT minus undistributed funding, every escrow, distribution and
settled flag is what the model says, no investor ever loses more than the amounts they authorised for
subscriptions that settled (each settlement delivers the minted units to its investor), and no
subscription settles twice or payout id pays twice.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)

from .conftest import (
    CN,
    FAR_FUTURE,
    HK,
    HKD,
    INSTITUTIONAL,
    PROFESSIONAL,
    RETAIL,
    SG,
    UNIT_PRICE,
    ZERO_ADDRESS,
    Platform,
    attempt,
    send,
    views,
)

START = 10**9 * HKD  # every wallet's and the issuer's HKDT at the start of an example
MAX_HOLDERS, MAX_BALANCE = 4, 500
ELIGIBLE_CLASSES, ELIGIBLE_COUNTRIES = PROFESSIONAL | INSTITUTIONAL, {HK, CN}
IDENTITIES = [
    (HK, PROFESSIONAL),
    (HK, PROFESSIONAL),
    (CN, PROFESSIONAL | INSTITUTIONAL),
    (SG, RETAIL),
    (HK, RETAIL),
]
INITIAL = {
    0: (HK, PROFESSIONAL),
    1: (HK, PROFESSIONAL),
    2: (CN, PROFESSIONAL | INSTITUTIONAL),
    3: (SG, RETAIL),
}
WALLET_NAMES = ("alice", "bob", "carol", "dave", "spare", "outsider")
SUBSCRIPTIONS, DISTRIBUTIONS, PAYOUTS = range(6), range(3), range(4)

OUTCOMES: Counter[str] = Counter()

wallet_index = st.integers(0, 5)


def note_outcome(outcome: str) -> None:
    """Count outcomes so the test can prove it exercised both successes and refusals."""
    OUTCOMES[outcome] += 1
    event(outcome)


amounts = st.integers(0, 40)


class TokenMachine(RuleBasedStateMachine):
    """One example: a fresh chain snapshot of the module's platform, reverted at teardown."""

    platform: Platform

    def __init__(self) -> None:
        super().__init__()
        p = self.platform
        self.w3 = p.w3
        self.snapshot = self.w3.provider.make_request("evm_snapshot", [])["result"]  # type: ignore[arg-type]
        self.wallets = [p.alice, p.bob, p.carol, p.dave, p.spare, p.outsider]
        self.identity: dict[int, tuple[int, int] | None] = {i: INITIAL.get(i) for i in range(6)}
        self.frozen_flag = dict.fromkeys(range(6), False)
        self.escrows: dict[int, tuple[int, int]] = {}  # subscription -> (wallet, amount)
        self.settled: set[int] = set()
        self.used_authorizations: set[tuple[int, int, int]] = set()  # (wallet, subscription, units)
        self.authorised_settled = dict.fromkeys(range(6), 0)  # amounts authorised for settled subscriptions
        self.cash = dict.fromkeys(range(6), START)
        self.issuer_cash = START
        self.distributions: dict[int, int] = {}  # distribution -> remaining
        self.paid: set[int] = set()

    def teardown(self) -> None:
        self.w3.provider.make_request("evm_revert", [self.snapshot])  # type: ignore[arg-type]

    @initialize(first=st.integers(1, 50), second=st.integers(1, 50), coupon=st.integers(1, 500))
    def open_business(self, first: int, second: int, coupon: int) -> None:
        """Every example starts with one settled subscription, two funded ones, a funded distribution
        and one compliant transfer (rules are drawn from a random subset per example, so settle, payout
        or transfer would otherwise rarely meet one, and a run could end without a single successful
        settlement or transfer: the subset depends on a digest of this class's source)."""
        self.fund(subscription=2, i=1, units=1, tamper=False)
        self.settle(funded=False, raw=2, units=1)
        self.fund(subscription=0, i=0, units=first, tamper=False)
        self.fund(subscription=1, i=2, units=second, tamper=False)
        self.fund_distribution(distribution=0, amount=coupon)
        self.transfer(a=0, b=1, amount=1)  # alice to bob: both eligible holders, well under the caps

    # ------------------------------------------------------------ helpers

    def read(self) -> dict[str, Any]:
        p = self.platform
        t, pay, settlement = p.token, p.payment, p.settlement
        calls: list[Any] = [
            (t, "totalSupply", ()),
            (t, "numHolders", ()),
            (pay, "balanceOf", (p.issuer,)),
            (pay, "balanceOf", (settlement.address,)),
        ]
        for fn in ("balanceOf", "frozenTokens", "isFrozen"):
            calls += [(t, fn, (w,)) for w in self.wallets]
        calls += [(pay, "balanceOf", (w,)) for w in self.wallets]
        calls += [(settlement, "escrowOf", (t.address, n)) for n in SUBSCRIPTIONS]
        calls += [(settlement, "distributionOf", (n,)) for n in DISTRIBUTIONS]
        v = views(self.w3, calls)
        escrows_at, distributions_at = 28, 28 + len(SUBSCRIPTIONS)
        return {
            "supply": v[0],
            "holders": v[1],
            "issuer_cash": v[2],
            "settlement_cash": v[3],
            "balance": v[4:10],
            "frozen": v[10:16],
            "flag": v[16:22],
            "cash": v[22:28],
            "escrows": v[escrows_at:distributions_at],
            "distributions": v[distributions_at:],
        }

    def verified(self, i: int) -> bool:
        return self.identity[i] is not None

    def eligible(self, i: int) -> bool:
        ident = self.identity[i]
        return ident is not None and ident[0] in ELIGIBLE_COUNTRIES and bool(ident[1] & ELIGIBLE_CLASSES)

    def free(self, state: dict[str, Any], i: int) -> int:
        return int(state["balance"][i] - state["frozen"][i])

    def after_user_path(self, before: dict[str, Any], after: dict[str, Any]) -> None:
        """Tokens reached only verified, eligible, unfrozen wallets, within the caps; nothing frozen moved."""
        for i in range(6):
            if after["balance"][i] > before["balance"][i]:
                assert self.eligible(i), f"wallet {i} received tokens while unverified or ineligible"
                assert not self.frozen_flag[i], f"frozen wallet {i} received tokens"
                assert after["balance"][i] <= MAX_BALANCE
            assert after["frozen"][i] == before["frozen"][i]
        assert after["holders"] <= max(MAX_HOLDERS, before["holders"])

    # ------------------------------------------------------------ registry

    @rule(i=wallet_index, identity=st.sampled_from(IDENTITIES))
    def register(self, i: int, identity: tuple[int, int]) -> None:
        p = self.platform
        if self.identity[i] is None:
            send(p.registry.functions.registerIdentity(self.wallets[i], *identity, FAR_FUTURE), p.admin)
        else:
            send(p.registry.functions.updateIdentity(self.wallets[i], *identity, FAR_FUTURE), p.admin)
        self.identity[i] = identity

    @rule(i=wallet_index)
    def revoke(self, i: int) -> None:
        p = self.platform
        ok = attempt(self.w3, p.registry, "revokeIdentity", self.wallets[i], sender=p.admin)
        note_outcome(f"revokeIdentity: {'ok' if ok else 'refused'}")
        assert ok == (self.identity[i] is not None)
        self.identity[i] = None

    # ------------------------------------------------------------ agent actions

    @rule(i=wallet_index, frozen=st.booleans())
    def freeze_wallet(self, i: int, frozen: bool) -> None:
        send(self.platform.token.functions.setAddressFrozen(self.wallets[i], frozen), self.platform.agent)
        self.frozen_flag[i] = frozen

    @rule(i=wallet_index, amount=amounts, freeze=st.booleans())
    def partial_freeze(self, i: int, amount: int, freeze: bool) -> None:
        p, before = self.platform, self.read()
        fn = "partialFreeze" if freeze else "partialUnfreeze"
        ok = attempt(self.w3, p.token, fn, self.wallets[i], amount, sender=p.agent)
        note_outcome(f"{fn}: {'ok' if ok else 'refused'}")
        after = self.read()
        if freeze:
            assert ok == (amount <= self.free(before, i))
        else:
            assert ok == (amount <= before["frozen"][i])
        change = (amount if freeze else -amount) if ok else 0
        assert after["frozen"][i] == before["frozen"][i] + change
        assert after["balance"] == before["balance"]

    @rule(a=wallet_index, b=wallet_index, amount=amounts)
    def forced_transfer(self, a: int, b: int, amount: int) -> None:
        p, before = self.platform, self.read()
        ok = attempt(
            self.w3, p.token, "agentTransfer", self.wallets[a], self.wallets[b], amount, sender=p.agent
        )
        note_outcome(f"forcedTransfer: {'ok' if ok else 'refused'}")
        after = self.read()
        assert ok == (self.verified(b) and amount <= self.free(before, a))
        assert after["frozen"] == before["frozen"]
        if ok and a != b:
            assert after["balance"][a] == before["balance"][a] - amount
            assert after["balance"][b] == before["balance"][b] + amount

    @rule(lost=wallet_index, new=wallet_index, register_first=st.booleans())
    def recover(self, lost: int, new: int, register_first: bool) -> None:
        p = self.platform
        ident = self.identity[lost]
        if register_first and ident is not None and self.identity[new] is None:
            # the real flow: register the replacement as the same investor, then recover
            send(p.registry.functions.registerIdentity(self.wallets[new], *ident, FAR_FUTURE), p.admin)
            self.identity[new] = ident
        before = self.read()
        ok = attempt(
            self.w3, p.token, "walletRecovery", self.wallets[lost], self.wallets[new], sender=p.agent
        )
        note_outcome(f"recoveryAddress: {'ok' if ok else 'refused'}")
        after = self.read()
        empty = before["balance"][new] == 0 and before["frozen"][new] == 0 and not before["flag"][new]
        same = lost != new and self.identity[lost] is not None and self.identity[lost] == self.identity[new]
        assert ok == (self.verified(new) and same and empty)
        if ok:
            assert (after["balance"][new], after["frozen"][new]) == (
                before["balance"][lost],
                before["frozen"][lost],
            )
            assert (after["balance"][lost], after["frozen"][lost]) == (0, 0)
            assert after["holders"] == before["holders"]
            self.frozen_flag[new], self.frozen_flag[lost] = self.frozen_flag[lost], False

    @rule(i=wallet_index, amount=amounts)
    def redeem(self, i: int, amount: int) -> None:
        p, before = self.platform, self.read()
        ok = attempt(self.w3, p.token, "redeemTokens", self.wallets[i], amount, sender=p.agent)
        note_outcome(f"redeem: {'ok' if ok else 'refused'}")
        after = self.read()
        assert ok == (amount <= self.free(before, i))
        assert after["frozen"] == before["frozen"]

    # ------------------------------------------------------------ user paths

    @rule(i=wallet_index, amount=st.integers(0, 200))
    def mint(self, i: int, amount: int) -> None:
        p, before = self.platform, self.read()
        (code,) = views(self.w3, [(p.token, "canMint", (self.wallets[i], amount))])
        ok = attempt(self.w3, p.token, "mint", self.wallets[i], amount, sender=p.agent)
        note_outcome(f"mint: {'ok' if ok else 'refused'}")
        assert ok == (code == 0)
        self.after_user_path(before, self.read())

    @rule(a=wallet_index, b=wallet_index, amount=amounts)
    def transfer(self, a: int, b: int, amount: int) -> None:
        p, before = self.platform, self.read()
        (code,) = views(self.w3, [(p.token, "canTransfer", (self.wallets[a], self.wallets[b], amount))])
        ok = attempt(self.w3, p.token, "transfer", self.wallets[b], amount, sender=self.wallets[a])
        note_outcome(f"transfer: {'ok' if ok else 'refused'}")
        assert ok == (code == 0), (
            f"canTransfer said {code} but the transfer {'succeeded' if ok else 'failed'}"
        )
        after = self.read()
        if ok:
            assert self.verified(a)
            assert not self.frozen_flag[a]
            assert amount <= self.free(before, a)
        self.after_user_path(before, after)

    # ------------------------------------------------------------ escrow and settlement

    @rule(
        subscription=st.sampled_from(SUBSCRIPTIONS),
        i=wallet_index,
        units=st.integers(1, 50),
        tamper=st.booleans(),
    )
    def fund(self, subscription: int, i: int, units: int, tamper: bool) -> None:
        """The investor signs `units`; a tampered call asks for one unit more than signed."""
        p = self.platform
        deadline, v, r, s = p.subscription_authorization(WALLET_NAMES[i], subscription, units)
        submitted = units + 1 if tamper else units
        ok = attempt(
            self.w3,
            p.settlement,
            "fund",
            p.token.address,
            subscription,
            self.wallets[i],
            submitted,
            deadline,
            v,
            r,
            s,
            sender=p.settler,
        )
        note_outcome(f"fund: {'ok' if ok else 'refused'}")
        fresh = (i, subscription, units) not in self.used_authorizations
        assert ok == (
            not tamper and fresh and subscription not in self.escrows and subscription not in self.settled
        )
        if ok:
            self.used_authorizations.add((i, subscription, units))
            self.escrows[subscription] = (i, units * UNIT_PRICE)
            self.cash[i] -= units * UNIT_PRICE

    def pick(self, funded: bool, subscription: int) -> int:
        """A funded subscription if asked and one exists (random ids rarely hit one), else `subscription`."""
        return (
            sorted(self.escrows)[subscription % len(self.escrows)]
            if funded and self.escrows
            else subscription
        )

    @rule(funded=st.booleans(), raw=st.sampled_from(SUBSCRIPTIONS), units=st.integers(1, 60))
    def settle(self, funded: bool, raw: int, units: int) -> None:
        p, before, subscription = self.platform, self.read(), self.pick(funded, raw)
        escrow = self.escrows.get(subscription)
        code = None
        if escrow is not None:
            (code,) = views(self.w3, [(p.token, "canMint", (self.wallets[escrow[0]], units))])
        ok = attempt(self.w3, p.settlement, "settle", p.token.address, subscription, units, sender=p.settler)
        note_outcome(f"settle: {'ok' if ok else 'refused'}")
        assert ok == (escrow is not None and units * UNIT_PRICE <= escrow[1] and code == 0)
        after = self.read()
        self.after_user_path(before, after)
        if ok:
            assert escrow is not None
            self.record_settled(subscription, units)
            assert after["balance"][escrow[0]] == before["balance"][escrow[0]] + units
        assert after["supply"] == before["supply"] + (units if ok else 0)

    @rule(
        funded=st.booleans(),
        raw_first=st.sampled_from(SUBSCRIPTIONS),
        raw_second=st.sampled_from(SUBSCRIPTIONS),
        units=st.integers(1, 30),
    )
    def settle_batch(self, funded: bool, raw_first: int, raw_second: int, units: int) -> None:
        """Two subscriptions at once: all or nothing (a duplicate id settles nothing)."""
        p, before = self.platform, self.read()
        first, second = self.pick(funded, raw_first), self.pick(funded, raw_second)
        items = [(first, units), (second, units)]
        ok = attempt(self.w3, p.settlement, "settleBatch", p.token.address, items, sender=p.settler)
        note_outcome(f"settleBatch: {'ok' if ok else 'refused'}")
        after = self.read()
        self.after_user_path(before, after)
        if ok:
            assert first != second
            for subscription in (first, second):
                escrow = self.escrows.get(subscription)
                assert escrow is not None
                assert units * UNIT_PRICE <= escrow[1]
                self.record_settled(subscription, units)
            assert after["supply"] == before["supply"] + 2 * units
        else:
            assert after == before

    def record_settled(self, subscription: int, units: int) -> None:
        i, amount = self.escrows.pop(subscription)
        payment = units * UNIT_PRICE
        self.settled.add(subscription)
        self.authorised_settled[i] += amount
        self.cash[i] += amount - payment
        self.issuer_cash += payment

    @rule(funded=st.booleans(), raw=st.sampled_from(SUBSCRIPTIONS), by_settler=st.booleans())
    def refund(self, funded: bool, raw: int, by_settler: bool) -> None:
        p, subscription = self.platform, self.pick(funded, raw)
        sender = p.settler if by_settler else p.outsider
        ok = attempt(self.w3, p.settlement, "refund", p.token.address, subscription, sender=sender)
        note_outcome(f"refund: {'ok' if ok else 'refused'}")
        # before the settle-by deadline only the settler may refund
        assert ok == (by_settler and subscription in self.escrows)
        if ok:
            i, amount = self.escrows.pop(subscription)
            self.cash[i] += amount

    # ------------------------------------------------------------ distributions

    @rule(distribution=st.sampled_from(DISTRIBUTIONS), amount=st.integers(1, 500))
    def fund_distribution(self, distribution: int, amount: int) -> None:
        p = self.platform
        authorization = p.distribution_authorization(distribution, amount * HKD)
        ok = attempt(
            self.w3,
            p.settlement,
            "fundDistribution",
            p.token.address,
            distribution,
            amount * HKD,
            *authorization,
            sender=p.settler,
        )
        note_outcome(f"fundDistribution: {'ok' if ok else 'refused'}")
        assert ok == (distribution not in self.distributions)
        if ok:
            self.distributions[distribution] = amount * HKD
            self.issuer_cash -= amount * HKD

    @rule(
        payout=st.sampled_from(PAYOUTS),
        distribution=st.sampled_from(DISTRIBUTIONS),
        a=wallet_index,
        b=wallet_index,
        amount=st.integers(1, 50),
    )
    def payout(self, payout: int, distribution: int, a: int, b: int, amount: int) -> None:
        p, before = self.platform, self.read()
        holders, paid = [self.wallets[a], self.wallets[b]], [amount * HKD, HKD]
        ok = attempt(self.w3, p.settlement, "payout", payout, distribution, holders, paid, sender=p.settler)
        note_outcome(f"payout: {'ok' if ok else 'refused'}")
        assert ok == (
            payout not in self.paid
            and distribution in self.distributions
            and before["balance"][a] > 0
            and before["balance"][b] > 0
            and sum(paid) <= self.distributions[distribution]
        )
        if ok:
            self.paid.add(payout)
            self.distributions[distribution] -= sum(paid)
            self.cash[a] += amount * HKD
            self.cash[b] += HKD

    @rule(distribution=st.sampled_from(DISTRIBUTIONS))
    def close_distribution(self, distribution: int) -> None:
        p = self.platform
        ok = attempt(self.w3, p.settlement, "closeDistribution", distribution, sender=p.settler)
        note_outcome(f"closeDistribution: {'ok' if ok else 'refused'}")
        assert ok == (distribution in self.distributions)
        if ok:
            self.issuer_cash += self.distributions[distribution]
            self.distributions[distribution] = 0

    # ------------------------------------------------------------ invariants

    @invariant()
    def books_balance(self) -> None:
        now = self.read()
        assert sum(now["balance"]) == now["supply"]
        assert now["holders"] == sum(1 for b in now["balance"] if b)
        for i in range(6):
            assert now["frozen"][i] <= now["balance"][i]
            assert now["flag"][i] == self.frozen_flag[i]
        p = self.platform
        flags = views(
            self.w3,
            [(p.settlement, "isSettled", (p.token.address, n)) for n in SUBSCRIPTIONS]
            + [(p.settlement, "isPaid", (n,)) for n in PAYOUTS],
        )
        assert {n for n in SUBSCRIPTIONS if flags[n]} == self.settled
        assert {n for n in PAYOUTS if flags[len(SUBSCRIPTIONS) + n]} == self.paid

    @invariant()
    def money_is_where_its_owners_agreed(self) -> None:
        now, p = self.read(), self.platform
        assert now["escrows"] == [
            [self.wallets[self.escrows[n][0]], self.escrows[n][1]] if n in self.escrows else [ZERO_ADDRESS, 0]
            for n in SUBSCRIPTIONS
        ]
        assert now["distributions"] == [
            [p.token.address, self.distributions[n]] if n in self.distributions else [ZERO_ADDRESS, 0]
            for n in DISTRIBUTIONS
        ]
        undistributed = sum(self.distributions.values())
        assert sum(e[1] for e in now["escrows"]) == now["settlement_cash"] - undistributed
        assert now["issuer_cash"] == self.issuer_cash
        for i in range(6):
            assert now["cash"][i] == self.cash[i]
            escrowed = sum(amount for wallet, amount in self.escrows.values() if wallet == i)
            # what left the wallet and is not held for it in escrow went only to settled subscriptions
            assert START - now["cash"][i] - escrowed <= self.authorised_settled[i]


def test_random_action_sequences_keep_the_invariants(platform: Platform) -> None:
    p = platform
    send(p.token.functions.setTransferRules(ELIGIBLE_CLASSES, MAX_HOLDERS, MAX_BALANCE, 0), p.admin)
    send(p.token.functions.setAllowedCountries(sorted(ELIGIBLE_COUNTRIES), True), p.admin)
    for wallet in (p.alice, p.bob, p.carol, p.dave, p.spare, p.outsider, p.issuer):
        send(p.payment.functions.mint(wallet, START), p.admin)
    for holder in (p.alice, p.bob, p.carol):  # every example starts with three holders
        send(p.token.functions.mint(holder, 100), p.agent)
    TokenMachine.platform = p
    run_state_machine_as_test(
        TokenMachine,
        settings=settings(
            max_examples=30,
            stateful_step_count=25,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )
    # not vacuous: compliant and refused transfers, funded, settled, refunded and refused escrows, payouts
    for outcome in (
        "transfer: ok",
        "transfer: refused",
        "mint: ok",
        "redeem: ok",
        "fund: ok",
        "fund: refused",
        "settle: ok",
        "settle: refused",
        "refund: ok",
        "payout: ok",
        "payout: refused",
        "closeDistribution: ok",
    ):
        assert OUTCOMES[outcome], str(dict(OUTCOMES))


# ---------------------------------------------------------------- DocumentRegistry financing status

NONE, FINANCED, RELEASED, WITHDRAWN = 0, 1, 2, 3
DOCUMENT_OUTCOMES: Counter[str] = Counter()
KIND = b"INVOICE".ljust(32, b"\0")


class DocumentMachine(RuleBasedStateMachine):
    """Random register / release / withdraw by the registrar or an outsider on a few fingerprints: a
    fingerprint is financed once until withdrawn, a release is final, only the registrar moves anything,
    and `documentOf` / `isRegistered` always say what the model says."""

    platform: Platform

    def __init__(self) -> None:
        super().__init__()
        p = self.platform
        self.w3 = p.w3
        self.snapshot = self.w3.provider.make_request("evm_snapshot", [])["result"]  # type: ignore[arg-type]
        self.fingerprints = [bytes([i + 1]) * 32 for i in range(3)]
        self.model: dict[int, tuple[int, int]] = dict.fromkeys(range(3), (NONE, 0))  # status, reference

    def teardown(self) -> None:
        self.w3.provider.make_request("evm_revert", [self.snapshot])  # type: ignore[arg-type]

    def _sender(self, registrar: bool) -> str:
        return self.platform.admin if registrar else self.platform.outsider

    @rule(i=st.integers(0, 2), reference=st.integers(1, 9), registrar=st.booleans())
    def register(self, i: int, reference: int, registrar: bool) -> None:
        ok = attempt(
            self.w3, self.platform.documents, "registerDocument", self.fingerprints[i], KIND, reference,
            sender=self._sender(registrar),
        )  # fmt: skip
        expected = registrar and self.model[i][0] in (NONE, WITHDRAWN)
        assert ok == expected
        if ok:
            self.model[i] = (FINANCED, reference)
        DOCUMENT_OUTCOMES[f"register: {'ok' if ok else 'refused'}"] += 1

    @rule(i=st.integers(0, 2), release=st.booleans(), registrar=st.booleans())
    def end(self, i: int, release: bool, registrar: bool) -> None:
        name = "releaseDocument" if release else "withdrawDocument"
        ok = attempt(
            self.w3, self.platform.documents, name, self.fingerprints[i], sender=self._sender(registrar)
        )
        assert ok == (registrar and self.model[i][0] == FINANCED)
        if ok:
            self.model[i] = (RELEASED if release else WITHDRAWN, self.model[i][1])
        DOCUMENT_OUTCOMES[f"{name}: {'ok' if ok else 'refused'}"] += 1

    @invariant()
    def chain_matches_the_model(self) -> None:
        documents = self.platform.documents
        for i, fingerprint in enumerate(self.fingerprints):
            _, reference, _, _, status = documents.functions.documentOf(fingerprint).call()
            assert (status, reference) == self.model[i]
            assert documents.functions.isRegistered(fingerprint).call() == (status in (FINANCED, RELEASED))


def test_random_document_registry_actions_keep_each_document_financed_once(platform: Platform) -> None:
    DocumentMachine.platform = platform
    run_state_machine_as_test(
        DocumentMachine,
        settings=settings(
            max_examples=20,
            stateful_step_count=20,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )
    # not vacuous: each move both happened and was refused
    for outcome in (
        "register: ok",
        "register: refused",
        "releaseDocument: ok",
        "releaseDocument: refused",
        "withdrawDocument: ok",
        "withdrawDocument: refused",
    ):
        assert DOCUMENT_OUTCOMES[outcome] > 0, (outcome, DOCUMENT_OUTCOMES)
