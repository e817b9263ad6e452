"""Registering documents on the test chain's DocumentRegistry through the outbox, as the platform does."""

from __future__ import annotations

import pytest
from django.db import transaction

from financing.trade.fingerprint import fingerprint
from financing.trade.normalise import canonical
from financing.trade.registry import CHAIN_KIND
from financing.verification.files import example_file
from tokens import chain, outbox
from tokens.choices import ChainTxStatus, ContractKind, WalletKind
from tokens.models import ChainTransaction
from tokens.selectors import platform_contract

INTENT = "verification_test.document"
outbox.register_intent(
    INTENT,
    signer=WalletKind.REGISTRAR,
    targets=(ContractKind.DOCUMENT_REGISTRY,),
    functions=(
        "registerDocument(bytes32,bytes32,uint256)",
        "releaseDocument(bytes32)",
        "withdrawDocument(bytes32)",
    ),
    confirmed=lambda row, receipt: None,
)


def example(kind: str = "invoice") -> dict[str, str]:
    """The example data file's fields (without its `kind`)."""
    return {name: value for name, value in example_file(kind).items() if name != "kind"}


def fingerprint_of(kind: str, fields: dict[str, str]) -> bytes:
    return fingerprint(canonical(kind, fields))


def registry_write(function: str, *args: object, key: str) -> ChainTransaction:
    """Send one DocumentRegistry call signed by the registrar key; returns its confirmed outbox row."""
    registry = platform_contract(ContractKind.DOCUMENT_REGISTRY)
    with transaction.atomic():
        row = outbox.chain_transaction_enqueue(
            intent=INTENT,
            idempotency_key=key,
            data=chain.encode_call("DocumentRegistry", function, *args),
            to_address=registry.address,
            contract=registry,
        )
    row.refresh_from_db()
    assert row.status == ChainTxStatus.CONFIRMED, row.status
    return row


def register(kind: str, fields: dict[str, str], *, reference: int = 7) -> ChainTransaction:
    """Register a document's fingerprint as financed, as approving its application does."""
    fp = fingerprint_of(kind, fields)
    return registry_write("registerDocument", fp, CHAIN_KIND[kind], reference, key=f"register:{fp.hex()}")


@pytest.fixture
def registered_invoice(platform):
    """The example invoice registered as financed; returns its outbox row."""
    return register("invoice", example("invoice"))
