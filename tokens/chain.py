"""The one chain-client module: web3 connection, artifacts, encoding, reads. Every RPC call has a timeout."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

import requests
import urllib3
from django.conf import settings
from eth_abi import decode as abi_decode
from eth_typing import ChecksumAddress
from eth_utils import function_abi_to_4byte_selector, to_checksum_address
from web3 import Web3
from web3.exceptions import ContractCustomError, ContractLogicError, Web3RPCError

from config.errors import ServiceUnavailable

# What a node that is down, unreachable or cut off mid-answer raises through web3's HTTP provider
# (requests wraps most urllib3 errors, not all). Nothing wider: a missing artifact or a bad URL is a bug.
RPC_TRANSPORT_ERRORS = (
    requests.exceptions.ConnectionError,
    requests.exceptions.Timeout,
    requests.exceptions.ChunkedEncodingError,
    urllib3.exceptions.HTTPError,
)

ARTIFACTS_DIR = Path(__file__).resolve().parent / "artifacts"


class ChainUnavailable(ServiceUnavailable):
    """The node did not answer (timeout, connection refused): transient, nothing was changed."""

    default_message = "The chain is not answering right now, so nothing was changed. Please try again soon."


@lru_cache(maxsize=8)
def _web3_for(url: str, timeout: int) -> Web3:
    return Web3(Web3.HTTPProvider(url, request_kwargs={"timeout": timeout}))


def to_checksum(address: str) -> ChecksumAddress:
    """The EIP-55 form of an address."""
    return to_checksum_address(address)


def web3() -> Web3:
    """The client for CHAIN_RPC_URL, with CHAIN_RPC_TIMEOUT on every call."""
    return _web3_for(settings.CHAIN_RPC_URL, settings.CHAIN_RPC_TIMEOUT)


@lru_cache(maxsize=8)
def _chain_id_for(url: str) -> int:
    try:
        return int(web3().eth.chain_id)
    except RPC_TRANSPORT_ERRORS as exc:
        raise ChainUnavailable() from exc


def chain_id() -> int:
    """The configured chain's id (asked once per URL)."""
    return _chain_id_for(settings.CHAIN_RPC_URL)


@lru_cache(maxsize=32)
def artifact(name: str) -> dict[str, Any]:
    """The compiled artifact (abi, bytecode) of a contract from tokens/artifacts."""
    path = ARTIFACTS_DIR / f"{name}.json"
    return json.loads(path.read_text())


def contract(name: str, address: str | None = None) -> Any:
    """A web3 contract object for the artifact `name` at `address` (or undeployed)."""
    data = artifact(name)
    if address is None:
        return web3().eth.contract(abi=data["abi"], bytecode=data["bytecode"])
    return web3().eth.contract(address=to_checksum_address(address), abi=data["abi"])


def encode_deploy(name: str, *args: Any) -> str:
    """Creation code plus encoded constructor arguments, as 0x-hex."""
    built = contract(name).constructor(*args)
    return str(built.data_in_transaction)


def encode_call(name: str, function: str, *args: Any) -> str:
    """Calldata for `function(*args)` of artifact `name`, as 0x-hex."""
    return str(contract(name).encode_abi(function, args=list(args)))


def decode_call(name: str, data: str | bytes) -> dict[str, Any]:
    """The arguments of calldata for artifact `name`, by parameter name."""
    _, arguments = contract(name).decode_function_input(data)
    return dict(arguments)


def decode_function_name(name: str, data: str | bytes) -> str:
    """The name of the function of artifact `name` that calldata `data` calls."""
    function, _ = contract(name).decode_function_input(data)
    return str(function.fn_name)


@lru_cache(maxsize=1)
def _error_selectors() -> dict[bytes, tuple[str, list[str]]]:
    """Custom error selectors of every artifact: selector -> (name, argument types)."""
    selectors: dict[bytes, tuple[str, list[str]]] = {}
    for path in ARTIFACTS_DIR.glob("*.json"):
        for item in json.loads(path.read_text())["abi"]:
            if item.get("type") == "error":
                selector = function_abi_to_4byte_selector(item)
                selectors[selector] = (item["name"], [arg["type"] for arg in item.get("inputs", [])])
    return selectors


def describe_revert(exc: Exception) -> str:
    """A revert as `ErrorName(args)` (custom errors decoded from every artifact) or its message."""
    data = getattr(exc, "data", None)
    if isinstance(exc, ContractCustomError | ContractLogicError | Web3RPCError) and isinstance(data, str):
        raw = bytes.fromhex(data.removeprefix("0x"))
        known = _error_selectors().get(raw[:4])
        if known:
            name, types = known
            try:
                values = abi_decode(types, raw[4:])
            except Exception:
                values = ()
            return f"{name}({', '.join(str(value) for value in values)})"
    message = getattr(exc, "message", None) or str(exc)
    return str(message)


def call(name: str, address: str, function: str, *args: Any) -> Any:
    """A read-only call; connection trouble is raised as ChainUnavailable."""
    bound = getattr(contract(name, address).functions, function)(*args)
    try:
        return bound.call()
    except RPC_TRANSPORT_ERRORS as exc:
        raise ChainUnavailable() from exc


def block_number() -> int:
    """The chain head's number; connection trouble is raised as ChainUnavailable."""
    try:
        return int(web3().eth.block_number)
    except RPC_TRANSPORT_ERRORS as exc:
        raise ChainUnavailable() from exc
