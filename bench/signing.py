"""Signing one settlement transaction: pure-Python secp256k1 against the native backend (coincurve).

Run: `make bench-signing` (or `.venv/bin/python bench/signing.py`). No node and no database: it times
the signer's whole per-transaction path as `tokens.signer.LocalKeyBackend` runs it (decrypt the key
with Fernet, derive the account, sign a legacy transaction whose calldata is a `settleBatch` of
SETTLEMENT_BATCH_SIZE legs), SIGNATURES times per round, median of ROUNDS rounds, once with eth-keys'
pure-Python backend and once with coincurve (what eth-keys picks when it is installed). Checks that
both produce the same bytes, writes the "Signing" section of docs/benchmarks.md and prints one JSON
object as its last line.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from eth_keys.backends import get_backend  # noqa: E402

from bench.sections import write_section  # noqa: E402
from tokens import chain  # noqa: E402
from tokens.choices import WalletKind  # noqa: E402
from tokens.models import Wallet  # noqa: E402
from tokens.signer import LocalKeyBackend  # noqa: E402

SECTION = "Signing"
SIGNATURES = 200
ROUNDS = 3
# eth-keys resolves a key's backend from ECC_BACKEND_CLASS (else coincurve when importable) when used.
BACKENDS = {
    "pure Python": "eth_keys.backends.NativeECCBackend",
    "coincurve": "eth_keys.backends.CoinCurveECCBackend",
}


def settlement_transaction(legs: int) -> dict[str, Any]:
    """A settleBatch of `legs` legs, as the outbox signs it (legacy gas price, EIP-155 chain id)."""
    token = "0x" + "22" * 20
    data = chain.encode_call("Settlement", "settleBatch", token, [(i + 1, 10 + i) for i in range(legs)])
    return {
        "to": "0x" + "33" * 20,
        "data": data,
        "value": 0,
        "nonce": 7,
        "gas": 60_000 * legs,
        "gasPrice": 2 * 10**9,
        "chainId": 31337,
    }


def timed(backend: LocalKeyBackend, wallet: Wallet, transaction: dict[str, Any]) -> float:
    """CPU seconds per signature (process time: the machine may be busy with other work)."""
    start = time.process_time()
    for nonce in range(SIGNATURES):
        backend.sign_transaction(wallet, {**transaction, "nonce": nonce})
    return (time.process_time() - start) / SIGNATURES


def measure() -> dict[str, Any]:
    backend = LocalKeyBackend()
    address, encrypted = backend.create(kind=WalletKind.SETTLER)
    wallet = Wallet(address=address, kind=WalletKind.SETTLER, label="bench", encrypted_key=encrypted)
    transaction = settlement_transaction(settings.SETTLEMENT_BATCH_SIZE)
    default_backend = type(get_backend()).__name__
    per_backend: dict[str, float] = {}
    signed: dict[str, bytes] = {}
    try:
        for name, path in BACKENDS.items():
            os.environ["ECC_BACKEND_CLASS"] = path
            signed[name] = bytes(backend.sign_transaction(wallet, transaction).raw_transaction)
            per_backend[name] = statistics.median(timed(backend, wallet, transaction) for _ in range(ROUNDS))
    finally:
        os.environ.pop("ECC_BACKEND_CLASS", None)
    assert len(set(signed.values())) == 1, "the backends signed different bytes"
    slow, fast = per_backend.values()
    return {
        "legs": settings.SETTLEMENT_BATCH_SIZE,
        "calldata_bytes": (len(transaction["data"]) - 2) // 2,
        "signatures": SIGNATURES,
        "default_backend": default_backend,
        "pure_python_ms": round(slow * 1000, 3),
        "coincurve_ms": round(fast * 1000, 3),
        "speedup": round(slow / fast, 1),
    }


def section(result: dict[str, Any]) -> str:
    return "\n".join(
        [
            f"## {SECTION}",
            "",
            f"Measured by `bench/signing.py` (`make bench-signing`), one process, Python "
            f"{sys.version.split()[0]}, no node: the signer's per-transaction path (Fernet-decrypt the key, "
            f"derive the account, sign) for a `settleBatch` of {result['legs']} legs "
            f"({result['calldata_bytes']:,} bytes of calldata), {result['signatures']} signatures per round, "
            f"median of {ROUNDS} rounds, in CPU time of the process.",
            "",
            "| secp256k1 backend | Per transaction |",
            "| --- | ---: |",
            f"| pure Python (eth-keys' own, before) | {result['pure_python_ms']:.2f} ms |",
            f"| coincurve (native; eth-keys' default once installed) | {result['coincurve_ms']:.2f} ms |",
            "",
            f"Speed-up: {result['speedup']:.1f}x. The installed default is `{result['default_backend']}` "
            "(`tokens/tests/test_signer.py::test_signing_uses_the_native_secp256k1_backend`).",
        ]
    )


def main() -> None:
    result = measure()
    write_section(SECTION, section(result))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
