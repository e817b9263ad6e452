"""Gas benchmark of the chain contracts against a plain OpenZeppelin ERC-20, on a private anvil.

Run: `.venv/bin/python bench/gas.py`. Writes the "Gas" section of docs/benchmarks.md and prints one
JSON object with every figure as its last line.
"""

from __future__ import annotations

import json
import sys
import textwrap
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from eth_account import Account  # noqa: E402
from web3 import Web3  # noqa: E402
from web3.contract import Contract  # noqa: E402

from bench.sections import write_section  # noqa: E402
from tokens.anvil import Anvil  # noqa: E402
from tokens.tests.contracts.conftest import sign_authorization  # noqa: E402

ARTIFACTS = ROOT / "tokens" / "artifacts"

HK, CN, MO = 344, 156, 446
PROFESSIONAL = 1
FAR_FUTURE = 4_102_444_800  # 2100-01-01
PAYMENT_PER_UNIT = 1_000_000  # 1 HKDT (6 decimals) per unit
UNITS = 100  # units per subscription
# The compliant mint to a new holder before the issue-9 gas work: it may not get worse.
MINT_NEW_HOLDER_BEFORE = 65_051


def artifact(name: str) -> dict[str, Any]:
    return json.loads((ARTIFACTS / f"{name}.json").read_text())


def deploy(w3: Web3, name: str, *args: Any, sender: str) -> Contract:
    art = artifact(name)
    factory = w3.eth.contract(abi=art["abi"], bytecode=art["bytecode"])
    receipt = send(w3, factory.constructor(*args), sender)
    return w3.eth.contract(address=receipt["contractAddress"], abi=art["abi"])


def send(w3: Web3, call: Any, sender: str) -> Any:
    tx_hash = call.transact({"from": sender})
    receipt = w3.eth.wait_for_transaction_receipt(tx_hash, timeout=60)
    if receipt["status"] != 1:
        raise RuntimeError(f"transaction reverted: {call}")
    return receipt


def gas(w3: Web3, call: Any, sender: str) -> int:
    return int(send(w3, call, sender)["gasUsed"])


def fresh_addresses(count: int) -> list[str]:
    return [Account.create().address for _ in range(count)]


def register(w3: Web3, registry: Contract, wallets: list[str], admin: str) -> None:
    for start in range(0, len(wallets), 100):
        chunk = wallets[start : start + 100]
        n = len(chunk)
        send(
            w3,
            registry.functions.batchRegisterIdentity(chunk, [HK] * n, [PROFESSIONAL] * n, [FAR_FUTURE] * n),
            admin,
        )


def measure(w3: Web3) -> dict[str, Any]:
    admin, minter, holder_a, holder_b, settler = w3.eth.accounts[:5]

    # Baseline: plain OpenZeppelin ERC-20 (owner-only mint), compiled with the same settings.
    base = deploy(w3, "BaselineERC20", admin, sender=admin)
    send(w3, base.functions.mint(holder_a, 10**6), admin)  # first mint from zero supply: not measured
    base_new, base_other = fresh_addresses(2)
    baseline = {
        "mint_new_holder": gas(w3, base.functions.mint(base_new, 1_000), admin),
        "transfer_new_holder": gas(w3, base.functions.transfer(base_other, 10), holder_a),
        "transfer_existing_holder": gas(w3, base.functions.transfer(base_other, 10), holder_a),
    }

    # The platform: registry, payment token, settlement, one security token with every rule on.
    registry = deploy(w3, "IdentityRegistry", admin, sender=admin)
    payment = deploy(w3, "PaymentToken", "HKD Stablecoin (test)", "HKDT", admin, sender=admin)
    settlement = deploy(w3, "Settlement", admin, sender=admin)
    send(w3, settlement.functions.grantRole(settlement.functions.SETTLER_ROLE().call(), settler), admin)

    def security_token(name: str, symbol: str) -> Contract:
        return deploy(
            w3,
            "SecurityToken",
            name,
            symbol,
            registry.address,
            admin,
            admin,
            admin,
            settlement.address,
            sender=admin,
        )

    token = security_token("GBA Bond 2029", "GBA29")
    send(w3, token.functions.grantRole(token.functions.MINTER_ROLE().call(), minter), admin)
    send(w3, token.functions.setTransferRules(PROFESSIONAL, 100_000, 10**12, 1), admin)
    send(w3, token.functions.setAllowedCountries([HK, CN, MO], True), admin)
    plain = security_token("GBA Note", "GBAN")
    send(w3, plain.functions.grantRole(plain.functions.MINTER_ROLE().call(), minter), admin)

    issuer = Account.create()
    new_wallets = fresh_addresses(6)
    sizes = (("one", 3), ("ten", 10), ("full", 100), ("cut", 100))
    keys = {group: [Account.create() for _ in range(n)] for group, n in sizes}
    everyone = [k.address for group in keys.values() for k in group]
    register(w3, registry, [holder_a, holder_b, issuer.address, *new_wallets, *everyone], admin)

    figures: dict[str, int] = {}
    for label, tok in (("", token), ("_no_rules", plain)):
        send(w3, tok.functions.mint(holder_a, 10**6), minter)  # first mint: not measured
        send(w3, tok.functions.mint(holder_b, 1), minter)
        w_mint, w_new = new_wallets[:2] if not label else new_wallets[2:4]
        figures[f"mint_new_holder{label}"] = gas(w3, tok.functions.mint(w_mint, 1_000), minter)
        figures[f"transfer_new_holder{label}"] = gas(w3, tok.functions.transfer(w_new, 10), holder_a)
        figures[f"transfer_existing_holder{label}"] = gas(w3, tok.functions.transfer(w_new, 10), holder_a)

    # Subscriptions: each investor authorises exactly UNITS x price into escrow. The "full" investors hold
    # exactly that much HKDT, so none is left after funding (the payout row to holders new to HKDT).
    send(w3, settlement.functions.setPaymentTokenAllowed(payment.address, True), admin)
    deadline = int(w3.eth.get_block("latest")["timestamp"]) + 30 * 86_400
    send(
        w3,
        settlement.functions.registerOffering(
            token.address, issuer.address, payment.address, PAYMENT_PER_UNIT, deadline
        ),
        admin,
    )
    amount = UNITS * PAYMENT_PER_UNIT
    for group, investors in keys.items():
        for investor in investors:
            send(w3, payment.functions.mint(investor.address, amount if group == "full" else 10**12), admin)
    send(w3, payment.functions.mint(issuer.address, 10**15), admin)
    next_id = iter(range(1, 10**6))
    ids: dict[str, list[int]] = {}
    fund_gas: dict[str, list[int]] = {}
    for group, investors in keys.items():
        ids[group], fund_gas[group] = [], []
        for investor in investors:
            subscription_id = next(next_id)
            nonce = settlement.functions.authorizationNonce(token.address, subscription_id, UNITS).call()
            v, r, s = sign_authorization(payment, investor, settlement.address, amount, nonce, deadline)
            call = settlement.functions.fund(
                token.address, subscription_id, investor.address, UNITS, deadline, v, r, s
            )
            fund_gas[group].append(gas(w3, call, settler))
            ids[group].append(subscription_id)
    # Typical: the investor keeps some HKDT and the Settlement already holds some.
    figures["fund_one"] = sum(fund_gas["ten"]) // len(fund_gas["ten"])

    # The first id of each 256-id bitmap word pays for a fresh storage slot; later ids reuse it.
    first, second, third = ids["one"]
    figures["settle_one_first_in_bitmap_word"] = gas(
        w3, settlement.functions.settle(token.address, first, UNITS), settler
    )
    figures["settle_one"] = gas(w3, settlement.functions.settle(token.address, second, UNITS), settler)
    figures["refund_one"] = gas(w3, settlement.functions.refund(token.address, third), settler)

    def settle_batch(group: str, units: int) -> int:
        items = [(subscription_id, units) for subscription_id in ids[group]]
        return gas(w3, settlement.functions.settleBatch(token.address, items), settler)

    figures["settle_batch_10_per_allotment"] = settle_batch("ten", UNITS) // 10
    batch_100_total = settle_batch("full", UNITS)
    figures["settle_batch_100_total"] = batch_100_total
    figures["settle_batch_100_per_allotment"] = batch_100_total // 100
    # Pro-rata cut: 80 of the 100 units allotted, 20 units' worth refunded to each investor.
    figures["settle_batch_100_cut_per_allotment"] = settle_batch("cut", UNITS * 4 // 5) // 100

    # Distributions: the issuer escrows a coupon by its own authorisation, then it is paid to 100 holders.
    per_holder = 12_345_678
    coupon = 2 * 100 * per_holder
    nonce = settlement.functions.distributionNonce(token.address, 1, coupon).call()
    v, r, s = sign_authorization(payment, issuer, settlement.address, coupon, nonce, deadline)
    figures["fund_distribution"] = gas(
        w3, settlement.functions.fundDistribution(token.address, 1, coupon, deadline, v, r, s), settler
    )
    amounts = [per_holder] * 100
    holders_with_cash = [k.address for k in keys["cut"]]  # refunded HKDT at settlement
    holders_without_cash = [k.address for k in keys["full"]]  # paid exactly their allotment
    figures["payout_100_per_holder_existing"] = (
        gas(w3, settlement.functions.payout(1, 1, holders_with_cash, amounts), settler) // 100
    )
    figures["payout_100_per_holder_new"] = (
        gas(w3, settlement.functions.payout(2, 1, holders_without_cash, amounts), settler) // 100
    )
    return {"baseline": baseline, "figures": figures}


ROWS = (
    # (label, figure key, baseline key or None)
    ("Mint to a new holder", "mint_new_holder", "mint_new_holder"),
    ("Transfer to a new holder", "transfer_new_holder", "transfer_new_holder"),
    ("Transfer to an existing holder", "transfer_existing_holder", "transfer_existing_holder"),
    ("Mint to a new holder (no rules set)", "mint_new_holder_no_rules", "mint_new_holder"),
    ("Transfer to a new holder (no rules set)", "transfer_new_holder_no_rules", "transfer_new_holder"),
    (
        "Transfer to an existing holder (no rules set)",
        "transfer_existing_holder_no_rules",
        "transfer_existing_holder",
    ),
    ("Fund one subscription into escrow (`fund`, EIP-3009)", "fund_one", None),
    ("Settle one subscription (`settle`)", "settle_one", "mint_new_holder"),
    (
        "Settle one subscription, first id of a 256-id bitmap word",
        "settle_one_first_in_bitmap_word",
        "mint_new_holder",
    ),
    ("Settle, per allotment, batch of 10", "settle_batch_10_per_allotment", "mint_new_holder"),
    ("Settle, per allotment, batch of 100", "settle_batch_100_per_allotment", "mint_new_holder"),
    (
        "Settle, per allotment, batch of 100, each cut pro rata (refund)",
        "settle_batch_100_cut_per_allotment",
        "mint_new_holder",
    ),
    ("Refund one escrow (`refund`)", "refund_one", None),
    ("Fund a distribution (`fundDistribution`, EIP-3009)", "fund_distribution", None),
    ("Payout, per holder, batch of 100 (holders already hold HKDT)", "payout_100_per_holder_existing", None),
    ("Payout, per holder, batch of 100 (holders new to HKDT)", "payout_100_per_holder_new", None),
)


# Where the gas goes, for the doc (rewrapped at 100 columns).
NOTES = (
    (
        "Where the compliance overhead goes (transfer to a new holder): the registry call costs 2,600 "
        "(cold contract) + 4,200 (two cold identity slots) + ~300 (the call and `identitiesOfTransfer`, "
        "the first selector the registry's dispatcher compares: named for that, as `identitiesForTransfer` "
        "was the second, 30 gas dearer); the config slot (rules, pause, holder "
        "count, inline countries) 2,100 to read + 2,900 to write the new holder count (a transfer between "
        "existing holders never writes it); the branch-free check ~600; and the function dispatch: solc's "
        "via-IR pipeline compares selectors one by one in ascending order (solc issue #12688). `transfer` "
        "(0xa9059cbb) was the 34th of the token's selectors (about 750 gas before its first line ran); "
        "fourteen rarely used functions, called only by the contract tests, now have names whose "
        "selectors sort after it (`setTransferRules`, `transferRules`, `numHolders`, "
        "`transferableBalanceOf`, `allowsCountry`, `allowedCountrySet`, `redeemTokens`, `partialFreeze`, "
        "`partialUnfreeze`, `agentTransfer`, `walletRecovery`, `suspendTransfers`, `resumeTransfers`, "
        "`isPaused`) and AGENT_ROLE and COMPLIANCE_ROLE have no getter, so it is the 18th (about 400 "
        "gas, against about 240 for the baseline's 11th). Legacy codegen (binary-search dispatch) was "
        "measured: 200 gas cheaper per transfer, 300 dearer per settled allotment, and it no longer "
        "compiles the token (stack too deep), so it is not used."
    ),
    (
        "Settlement escrows subscription money at `fund`: the investor's EIP-3009 signature (ecrecover "
        "3,000), a fresh authorisation-nonce slot and a fresh escrow slot (22,100 each), two HKDT balance "
        "writes. `settleBatch` does every item's checks and effects first (escrow slot read and zeroed: "
        "2,100 + 2,900, 4,800 refunded; settled bits kept per 256-id word in memory and written once per "
        "word; the Settled event, 2,899), then one `mintAllotments` call on the token for the whole batch "
        "(one role check, one registry call for every identity, config and supply read and written once; "
        "per allotment the new holder slot, 22,100, its identity slot, 2,100, and the Transfer event, "
        "1,756), then the refunds of cuts, then one issuer transfer. A pro-rata cut adds an HKDT transfer "
        "to the investor: the investor's cold balance slot (2,100 + 2,900), its Transfer event (1,756), "
        "the call and the HKD token's own dispatch and bookkeeping, about 8,500 in all; the HKD "
        "stablecoin is a third-party ERC-20 in production, so that part cannot be batched; for the cut "
        "row to reach 0.75x, the rest of an allotment would have to lose about another 500 gas. A single "
        "`settle` also pays for the cold Settlement, offering, token and payment-token accounts, which "
        "batching spreads. A payout checks each holder's security-token balance (a cold slot, 2,100, plus "
        "the call) before paying it from the distribution's escrow."
    ),
)


def summarise(result: dict[str, Any]) -> dict[str, Any]:
    baseline, figures = result["baseline"], result["figures"]
    ratios = {}
    for _, key, base_key in ROWS:
        if base_key:
            ratios[key] = round(figures[key] / baseline[base_key], 3)

    def within(key: str, base_key: str, bound: str) -> bool:
        """Exactly (not by the rounded ratio): gas <= bound x baseline."""
        return Decimal(figures[key]) <= Decimal(bound) * baseline[base_key]

    targets = {
        # Issue 9 item 8. The settlement figure of the issue (0.86x) is the full-allotment batch row; the
        # pro-rata cut row is held to the same bound here.
        "transfer_existing_holder_ratio_max": 1.3,
        "transfer_existing_holder_ratio": ratios["transfer_existing_holder"],
        "transfer_existing_holder_met": within("transfer_existing_holder", "transfer_existing_holder", "1.3"),
        "transfer_new_holder_ratio_max": 1.27,
        "transfer_new_holder_ratio": ratios["transfer_new_holder"],
        "transfer_new_holder_met": within("transfer_new_holder", "transfer_new_holder", "1.27"),
        "mint_new_holder_gas_max": MINT_NEW_HOLDER_BEFORE,
        "mint_new_holder_gas": figures["mint_new_holder"],
        "mint_new_holder_met": figures["mint_new_holder"] <= MINT_NEW_HOLDER_BEFORE,
        "settle_batch_100_per_allotment_ratio_max": 0.75,
        "settle_batch_100_per_allotment_ratio": ratios["settle_batch_100_per_allotment"],
        "settle_batch_100_per_allotment_met": within(
            "settle_batch_100_per_allotment", "mint_new_holder", "0.75"
        ),
        "settle_batch_100_cut_per_allotment_ratio_max": 0.75,
        "settle_batch_100_cut_per_allotment_ratio": ratios["settle_batch_100_cut_per_allotment"],
        "settle_batch_100_cut_per_allotment_met": within(
            "settle_batch_100_cut_per_allotment", "mint_new_holder", "0.75"
        ),
    }
    return {"baseline": baseline, "figures": figures, "ratios": ratios, "targets": targets}


def markdown(summary: dict[str, Any], compiler: dict[str, Any]) -> str:
    baseline, figures, ratios = summary["baseline"], summary["figures"], summary["ratios"]
    settings = compiler["settings"]
    lines = [
        "## Gas",
        "",
        "Measured by `bench/gas.py` on a private anvil (chain id 31337, default hardfork): gas used per",
        "transaction from receipts; batch figures are the transaction's gas divided by the batch size.",
        f"Compiler: solc {compiler['version'].split('+')[0]}, "
        f"optimizer runs {settings['optimizer']['runs']}, "
        f"viaIR {str(settings['viaIR']).lower()}, evmVersion {settings['evmVersion']}.",
        "Baseline: a plain OpenZeppelin 5 ERC-20 with an owner-only mint, same compiler settings, measured",
        "in the same run (mints are not the first mint from zero supply).",
        "The security token has every rule on (professional investors only, allowed countries HK/CN/MO,",
        'max holders, max balance, a past lock-up) unless marked "no rules set". Settlement rows mint to',
        "holders new to the security token; the issuer already holds HKDT.",
        "",
        *[line for note in NOTES for line in (*textwrap.wrap(note, 100), "")],
        "| Figure | Gas | Baseline | Ratio |",
        "| --- | ---: | ---: | ---: |",
    ]
    for label, key, base_key in ROWS:
        base = f"{baseline[base_key]:,}" if base_key else "-"
        ratio = f"{ratios[key]:.2f}x" if base_key else "-"
        lines.append(f"| {label} | {figures[key]:,} | {base} | {ratio} |")
    t = summary["targets"]

    def met(key: str, gas: int | None = None, bound: float | None = None) -> str:
        if t[f"{key}_met"]:
            return "met"
        if gas is None or bound is None:
            return "NOT met"
        return f"NOT met: {gas - int(bound):,} gas over"

    existing = met(
        "transfer_existing_holder",
        figures["transfer_existing_holder"],
        1.3 * baseline["transfer_existing_holder"],
    )
    cut = met(
        "settle_batch_100_cut_per_allotment",
        figures["settle_batch_100_cut_per_allotment"],
        0.75 * baseline["mint_new_holder"],
    )

    lines += [
        "",
        "Targets (issue 9, item 8):",
        "",
        f"- Compliant transfer to an existing holder <= 1.3x the baseline's: "
        f"{t['transfer_existing_holder_ratio']:.3f}x ({existing}).",
        f"- Compliant transfer to a new holder <= 1.27x the baseline's: "
        f"{t['transfer_new_holder_ratio']:.3f}x ({met('transfer_new_holder')}).",
        f"- Mint to a new holder not worse than before ({t['mint_new_holder_gas_max']:,} gas): "
        f"{t['mint_new_holder_gas']:,} ({met('mint_new_holder')}).",
        "- Settlement per allotment in a batch of 100, full allotment (the issue's figure, 0.86x when "
        "it was filed) <= 0.75x the baseline mint to a new holder: "
        f"{t['settle_batch_100_per_allotment_ratio']:.3f}x ({met('settle_batch_100_per_allotment')}).",
        f"- The same with every allotment cut pro rata (a refund each) <= 0.75x: "
        f"{t['settle_batch_100_cut_per_allotment_ratio']:.3f}x ({cut}).",
        "",
        "For scale: an ERC-3643 (T-REX) transfer costs about 156k gas.",
        "",
    ]
    return "\n".join(lines)


def main() -> int:
    started = time.monotonic()
    with Anvil() as node:
        w3 = Web3(Web3.HTTPProvider(node.url, request_kwargs={"timeout": 60}))
        result = measure(w3)
    summary = summarise(result)
    compiler = artifact("SecurityToken")["compiler"]
    section = markdown(summary, compiler)
    write_section("Gas", section)
    print(section)
    summary["seconds"] = round(time.monotonic() - started, 1)
    print(json.dumps(summary, sort_keys=True))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
