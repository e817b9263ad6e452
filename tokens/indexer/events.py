"""Which events the indexer reads, and how one raw log becomes a `ChainEvent` row.

Decoded here with eth-abi from the committed artifacts' ABIs (no web3 Contract object per log): the
indexed arguments from the topics, the others from the data.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import Any

from eth_abi import decode as abi_decode
from eth_utils import event_abi_to_log_topic
from web3 import Web3

from tokens import chain
from tokens.models import ChainEvent

ZERO_ADDRESS = "0x0000000000000000000000000000000000000000"

# Per artifact, the events read. The security token's balances come from Transfer (mint and burn
# included); its freezes from the three freeze events; an agent's forced transfer and a lost wallet's
# recovery are Transfers too, named by the ForcedTransfer / RecoverySuccess event of their transaction.
# The payment token is not read as a stream: its per-holder transfers of a distribution payout are
# taken from that payout's receipt.
EVENTS_BY_ARTIFACT: dict[str, tuple[str, ...]] = {
    "SecurityToken": (
        "Transfer",
        "AddressFrozen",
        "TokensFrozen",
        "TokensUnfrozen",
        "ForcedTransfer",
        "RecoverySuccess",
    ),
    "Settlement": (
        "Funded",
        "Settled",
        "Refunded",
        "DistributionFunded",
        "DistributionPaid",
        "DistributionClosed",
    ),
    "IdentityRegistry": ("IdentityRegistered", "IdentityUpdated", "IdentityRevoked"),
}
PAYMENT_TRANSFER = "PaymentTransfer"  # a payment-token Transfer out of Settlement, read from a receipt


@dataclass(frozen=True)
class EventSpec:
    """One event's decoding: its name and its indexed and data arguments (name, ABI type)."""

    artifact: str
    name: str
    indexed: tuple[tuple[str, str], ...]
    data: tuple[tuple[str, str], ...]


def _spec(artifact: str, item: dict[str, Any]) -> EventSpec:
    inputs = item["inputs"]
    return EventSpec(
        artifact=artifact,
        name=item["name"],
        indexed=tuple((arg["name"], arg["type"]) for arg in inputs if arg["indexed"]),
        data=tuple((arg["name"], arg["type"]) for arg in inputs if not arg["indexed"]),
    )


@lru_cache(maxsize=1)
def specs() -> dict[bytes, EventSpec]:
    """topic0 -> the event it announces, for every event the indexer reads."""
    found: dict[bytes, EventSpec] = {}
    for artifact, names in EVENTS_BY_ARTIFACT.items():
        for item in chain.artifact(artifact)["abi"]:
            if item.get("type") == "event" and item["name"] in names:
                found[event_abi_to_log_topic(item)] = _spec(artifact, item)
    return found


@lru_cache(maxsize=1)
def payment_transfer_spec() -> tuple[bytes, EventSpec]:
    """The payment token's Transfer: its topic0 and decoding."""
    for item in chain.artifact("PaymentToken")["abi"]:
        if item.get("type") == "event" and item["name"] == "Transfer":
            return event_abi_to_log_topic(item), _spec("PaymentToken", item)
    raise LookupError("PaymentToken has no Transfer event")  # pragma: no cover - the artifact is committed


def topic_hexes() -> list[str]:
    """The topic0 filter of the indexer's eth_getLogs."""
    return ["0x" + topic.hex() for topic in specs()]


def _plain(value: Any, abi_type: str) -> Any:
    if abi_type == "address":
        return chain.to_checksum(value)
    if isinstance(value, bytes):
        return "0x" + value.hex()
    return value


def decode(spec: EventSpec, log: Any) -> dict[str, Any]:
    """The event's arguments by name (addresses checksummed, integers as int)."""
    topics = log["topics"]
    values: dict[str, Any] = {}
    for (name, abi_type), topic in zip(spec.indexed, topics[1:], strict=True):
        values[name] = _plain(abi_decode([abi_type], bytes(topic))[0], abi_type)
    if spec.data:
        decoded = abi_decode([t for _, t in spec.data], bytes(log["data"]))
        for (name, abi_type), value in zip(spec.data, decoded, strict=True):
            values[name] = _plain(value, abi_type)
    return values


def hex_of(value: Any) -> str:
    """A hash (HexBytes, bytes or str) as 0x-hex."""
    return str(Web3.to_hex(value))


def _json(values: dict[str, Any]) -> dict[str, Any]:
    return {k: str(v) if isinstance(v, int) and not isinstance(v, bool) else v for k, v in values.items()}


def _kind(spec: EventSpec, values: dict[str, Any], names_in_tx: set[str]) -> str:
    """What the event is in a wallet's history ("" when another event of its transaction says it)."""
    name = spec.name
    if name == "Transfer":
        if values["from"] == ZERO_ADDRESS:
            return "" if "Settled" in names_in_tx else "minted"
        if values["to"] == ZERO_ADDRESS:
            return "redeemed"
        if "RecoverySuccess" in names_in_tx:
            return "recovery"
        return "forced_transfer" if "ForcedTransfer" in names_in_tx else "transfer"
    if name in ("ForcedTransfer", "RecoverySuccess"):
        return ""  # the Transfer of the same transaction is the history entry
    if name == "AddressFrozen":
        return "frozen" if values["frozen"] else "unfrozen"
    return {
        "TokensFrozen": "units_frozen",
        "TokensUnfrozen": "units_unfrozen",
        "Funded": "subscription_funded",
        "Settled": "settled",
        "Refunded": "refunded",
        "DistributionFunded": "distribution_funded",
        "IdentityRegistered": "identity_registered",
        "IdentityUpdated": "identity_updated",
        "IdentityRevoked": "identity_revoked",
        PAYMENT_TRANSFER: "distribution_paid",
    }.get(name, "")


def _number(value: Any) -> Decimal | None:
    return None if value is None else Decimal(int(value))


def event_row(
    *, chain_id: int, spec: EventSpec, log: Any, names_in_tx: set[str], name: str | None = None
) -> ChainEvent:
    """The `ChainEvent` for one log (not saved)."""
    values = decode(spec, log)
    address = chain.to_checksum(log["address"])
    name = name or spec.name
    token = ""
    sender = receiver = ""
    units = money = refund = None
    if spec.artifact == "SecurityToken":
        token = address
        if name == "Transfer":
            sender, receiver, units = values["from"], values["to"], values["value"]
        elif name == "ForcedTransfer":
            sender, receiver, units = values["from"], values["to"], values["amount"]
        elif name == "RecoverySuccess":
            sender, receiver = values["lost"], values["replacement"]
        else:
            receiver = values["wallet"]
            units = values.get("amount")
    elif name == PAYMENT_TRANSFER:
        sender, receiver, money = values["from"], values["to"], values["value"]
    elif spec.artifact == "Settlement":
        token = values.get("token", "")
        if name == "Funded":
            sender, units, money = values["investor"], values["units"], values["amount"]
        elif name == "Settled":
            sender, receiver = values["issuer"], values["investor"]
            units, money, refund = values["units"], values["payment"], values["refund"]
        elif name == "Refunded":
            receiver, money = values["investor"], values["amount"]
        elif name == "DistributionFunded":
            sender, money = values["issuer"], values["amount"]
        else:
            money = values.get("total", values.get("returned"))
    else:
        receiver = values["wallet"]
    kind_spec = spec if name == spec.name else EventSpec(spec.artifact, name, spec.indexed, spec.data)
    return ChainEvent(
        chain_id=chain_id,
        contract_address=address,
        name=name,
        kind=_kind(kind_spec, values, names_in_tx),
        token_address=token,
        from_address=sender,
        to_address=receiver,
        units=_number(units),
        money=_number(money),
        refund=_number(refund),
        subscription_id=_number(values.get("subscriptionId")),
        args=_json(values),
        tx_hash=hex_of(log["transactionHash"]),
        log_index=int(log["logIndex"]),
        block_number=int(log["blockNumber"]),
        block_hash=hex_of(log["blockHash"]),
    )


def names_by_tx(logs: Iterable[Any]) -> dict[str, set[str]]:
    """The names of the read events in each transaction (a mint inside a settlement is the settlement)."""
    table = specs()
    found: dict[str, set[str]] = {}
    for log in logs:
        found.setdefault(hex_of(log["transactionHash"]), set()).add(table[bytes(log["topics"][0])].name)
    return found
