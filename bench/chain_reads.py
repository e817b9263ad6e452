"""Chain reads through the chain client against web3's defaults, on a private anvil.

Run: `make bench-chain-reads` (or `.venv/bin/python bench/chain_reads.py`). Deploys the baseline
ERC-20, then times READS `balanceOf` calls two ways, each the median of ROUNDS rounds:
- web3 defaults (what `tokens/chain.py` did before): a new Contract object per read (the ABI parsed
  each time) and web3's stock validation middleware (it asks `eth_chainId` around every `eth_call`);
- `tokens.chain.call` (Contract objects cached, the chain id asked once per endpoint).
Both read through the SecurityToken ABI (81 entries, the largest the product reads; `balanceOf` is the
ERC-20 function), so the per-read cost of building a Contract object is the product's. Counts the
JSON-RPC requests by method at the provider, writes the "Chain reads" section of docs/benchmarks.md
and prints one JSON object as its last line.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from django.conf import settings  # noqa: E402
from web3 import Web3  # noqa: E402

from bench.sections import write_section  # noqa: E402
from tokens.anvil import Anvil  # noqa: E402

SECTION = "Chain reads"
READS = 1_000
ROUNDS = 3
TIMEOUT = 10


def count_requests(w3: Web3) -> Counter[str]:
    """Counts every JSON-RPC request `w3`'s provider sends, by method (from now on)."""
    counts: Counter[str] = Counter()
    provider: Any = w3.provider
    send = provider.make_request

    def counted(method: str, params: Any) -> Any:
        counts[str(method)] += 1
        return send(method, params)

    provider.make_request = counted
    return counts


def deploy_baseline(w3: Web3) -> tuple[str, list[str]]:
    data = json.loads((ROOT / "tokens" / "artifacts" / "BaselineERC20.json").read_text())
    admin = w3.eth.accounts[0]
    factory = w3.eth.contract(abi=data["abi"], bytecode=data["bytecode"])
    receipt = w3.eth.wait_for_transaction_receipt(factory.constructor(admin).transact({"from": admin}))
    token = w3.eth.contract(address=receipt["contractAddress"], abi=data["abi"])
    holders = list(w3.eth.accounts[1:6])
    for holder in holders:
        w3.eth.wait_for_transaction_receipt(token.functions.mint(holder, 10**6).transact({"from": admin}))
    return str(receipt["contractAddress"]), holders


def timed(read: Any, holders: list[str]) -> float:
    start = time.perf_counter()
    for i in range(READS):
        read(holders[i % len(holders)])
    return time.perf_counter() - start


def measure(url: str) -> dict[str, Any]:
    from tokens import chain

    settings.configure(CHAIN_RPC_URL=url, CHAIN_RPC_TIMEOUT=TIMEOUT)
    plain = Web3(Web3.HTTPProvider(url, request_kwargs={"timeout": TIMEOUT}))
    # Wrapped before the first request: web3 composes the provider's request function once.
    stock_counts = count_requests(plain)
    client_counts = count_requests(chain.web3())
    address, holders = deploy_baseline(plain)
    abi = chain.artifact("SecurityToken")["abi"]

    def stock_read(holder: str) -> Any:
        built = plain.eth.contract(address=Web3.to_checksum_address(address), abi=abi)
        return built.functions.balanceOf(holder).call()

    def client_read(holder: str) -> Any:
        return chain.call("SecurityToken", address, "balanceOf", holder)

    assert stock_read(holders[0]) == client_read(holders[0]) == 10**6
    stock_counts.clear()
    client_counts.clear()
    stock = [timed(stock_read, holders) for _ in range(ROUNDS)]
    client = [timed(client_read, holders) for _ in range(ROUNDS)]
    return {
        "reads": READS,
        "stock_seconds": round(statistics.median(stock), 3),
        "client_seconds": round(statistics.median(client), 3),
        "stock_requests_per_read": {m: n / (READS * ROUNDS) for m, n in sorted(stock_counts.items())},
        "client_requests_per_read": {m: n / (READS * ROUNDS) for m, n in sorted(client_counts.items())},
    }


def section(result: dict[str, Any]) -> str:
    def per_read(counts: dict[str, float]) -> str:
        return ", ".join(f"{n:g} `{m}`" for m, n in counts.items())

    stock, client = result["stock_seconds"], result["client_seconds"]
    return "\n".join(
        [
            f"## {SECTION}",
            "",
            f"Measured by `bench/chain_reads.py` (`make bench-chain-reads`) on a private anvil, one process, "
            f"Python {sys.version.split()[0]}: {READS:,} `balanceOf` reads through the SecurityToken ABI "
            f"(81 entries), median of {ROUNDS} rounds; JSON-RPC requests counted at the provider.",
            "",
            "| Path | 1,000 reads | Per read | Requests per read |",
            "| --- | ---: | ---: | --- |",
            f"| web3 defaults: new Contract per read, stock validation middleware (the client before) "
            f"| {stock:.2f} s | {stock:.2f} ms | {per_read(result['stock_requests_per_read'])} |",
            f"| `tokens.chain.call`: Contract cached, chain id cached per endpoint "
            f"| {client:.2f} s | {client:.2f} ms | {per_read(result['client_requests_per_read'])} |",
            "",
            f"Speed-up: {stock / client:.1f}x.",
        ]
    )


def main() -> None:
    with Anvil() as node:
        result = measure(node.url)
    write_section(SECTION, section(result))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
