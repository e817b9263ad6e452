"""The one chain-client module: web3 connection, artifacts, encoding, reads. Every RPC call has a timeout.

Nothing is asked or built twice in a process: one web3 client per endpoint, the chain id asked once per
endpoint (web3's validation middleware is fed that cached id instead of asking `eth_chainId` around
every call), and one Contract object (its ABI parsed once) per client, artifact and address.
`clear_caches()` forgets all of it (a test or the demo switching nodes).
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

import requests
import urllib3
from django.conf import settings
from django.utils.translation import gettext_lazy
from eth_abi import decode as abi_decode
from eth_typing import ChecksumAddress
from eth_utils import function_abi_to_4byte_selector, to_checksum_address
from web3 import Web3
from web3.exceptions import ContractCustomError, ContractLogicError, Web3RPCError
from web3.middleware import FormattingMiddlewareBuilder
from web3.middleware.validation import (
    METHODS_TO_VALIDATE,
    async_build_method_validators,
    build_method_validators,
)
from web3.types import RPCEndpoint

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

    default_message = gettext_lazy(
        "The chain is not answering right now, so nothing was changed. Please try again soon."
    )


def _validators_with_known_chain_id(w3: Web3, method: RPCEndpoint) -> Any:
    """web3's own validators, fed the endpoint's cached chain id rather than a fresh `eth_chainId`.

    Kept as web3 has them: a transaction or call that declares a `chainId` other than the node's is
    refused before it is sent (`eth_call`, `eth_estimateGas`, `eth_sendTransaction`,
    `eth_createAccessList`), and a block whose extraData is longer than 32 bytes (a proof-of-authority
    chain) is refused. Only the per-call question to the node is gone: its chain id does not change
    while its endpoint stays the same. Signed transactions carry their chain id themselves (EIP-155),
    and the node refuses a wrong one.
    """
    if method not in METHODS_TO_VALIDATE:
        return build_method_validators(w3, method)  # asks the node nothing for these methods
    known = SimpleNamespace(eth=SimpleNamespace(chain_id=_node_chain_id(str(w3.provider.endpoint_uri))))  # type: ignore[attr-defined]
    return build_method_validators(cast(Web3, known), method)


# The product has no async client; web3 insists on an async builder too, so its own stands there.
CachedChainIdValidation = FormattingMiddlewareBuilder.build(
    sync_formatters_builder=_validators_with_known_chain_id,
    async_formatters_builder=async_build_method_validators,
)


@lru_cache(maxsize=8)
def _web3_for(url: str, timeout: int) -> Web3:
    client = Web3(Web3.HTTPProvider(url, request_kwargs={"timeout": timeout}))
    client.middleware_onion.replace("validation", CachedChainIdValidation)
    return client


def to_checksum(address: str) -> ChecksumAddress:
    """The EIP-55 form of an address."""
    return to_checksum_address(address)


def web3() -> Web3:
    """The client for CHAIN_RPC_URL, with CHAIN_RPC_TIMEOUT on every call."""
    return _web3_for(settings.CHAIN_RPC_URL, settings.CHAIN_RPC_TIMEOUT)


@lru_cache(maxsize=8)
def _node_chain_id(url: str) -> int:
    """The chain id of the node at `url`, asked once per process (keyed by endpoint, never by "current").

    Transport errors pass through untouched (the middleware raises them where web3 would have).
    """
    return int(_web3_for(url, settings.CHAIN_RPC_TIMEOUT).eth.chain_id)


def _chain_id_for(url: str) -> int:
    try:
        return _node_chain_id(url)
    except RPC_TRANSPORT_ERRORS as exc:
        raise ChainUnavailable() from exc


def chain_id() -> int:
    """The configured chain's id (asked once per URL)."""
    return _chain_id_for(settings.CHAIN_RPC_URL)


@lru_cache(maxsize=8)
def _node_block_gas_limit(url: str) -> int:
    return int(_web3_for(url, settings.CHAIN_RPC_TIMEOUT).eth.get_block("latest")["gasLimit"])


def block_gas_limit() -> int:
    """The gas one block of the configured chain holds (its head's limit, asked once per URL)."""
    try:
        return _node_block_gas_limit(settings.CHAIN_RPC_URL)
    except RPC_TRANSPORT_ERRORS as exc:
        raise ChainUnavailable() from exc


@lru_cache(maxsize=32)
def artifact(name: str) -> dict[str, Any]:
    """The compiled artifact (abi, bytecode) of a contract from tokens/artifacts."""
    path = ARTIFACTS_DIR / f"{name}.json"
    return json.loads(path.read_text())


@lru_cache(maxsize=512)
def _contract_for(client: Web3, name: str, address: ChecksumAddress | None) -> Any:
    data = artifact(name)
    if address is None:
        return client.eth.contract(abi=data["abi"], bytecode=data["bytecode"])
    return client.eth.contract(address=address, abi=data["abi"])


def contract(name: str, address: str | None = None) -> Any:
    """The web3 contract object for the artifact `name` at `address` (or undeployed).

    Built once per client, artifact and address (building one parses the whole ABI); callers only
    bind functions on it (`.functions.f(...)` returns a new object each time), never change it.
    """
    return _contract_for(web3(), name, None if address is None else to_checksum_address(address))


def clear_caches() -> None:
    """Forget every client, chain id, contract object and artifact (after switching nodes or artifacts)."""
    for cached in (
        _contract_for,
        _node_chain_id,
        _node_block_gas_limit,
        _web3_for,
        artifact,
        _error_selectors,
    ):
        cached.cache_clear()


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


def call_many(calls: list[tuple[str, str, str, tuple[Any, ...]]]) -> list[Any]:
    """Several read-only calls `(artifact, address, function, args)` in one JSON-RPC batch (one round
    trip); connection trouble is raised as ChainUnavailable."""
    if not calls:
        return []
    bound = [
        getattr(contract(name, address).functions, function)(*args) for name, address, function, args in calls
    ]
    try:
        with web3().batch_requests() as batch:
            for item in bound:
                batch.add(item)
            return list(batch.execute())
    except RPC_TRANSPORT_ERRORS as exc:
        raise ChainUnavailable() from exc


def block_number() -> int:
    """The chain head's number; connection trouble is raised as ChainUnavailable."""
    try:
        return int(web3().eth.block_number)
    except RPC_TRANSPORT_ERRORS as exc:
        raise ChainUnavailable() from exc
