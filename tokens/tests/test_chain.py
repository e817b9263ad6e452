"""The chain client asks the node only what it must: one request per read, the chain id once per endpoint."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from web3 import Web3
from web3.exceptions import Web3ValidationError

from tokens import chain as chain_client


@pytest.fixture
def client(chain: Web3, anvil_url: str, settings) -> Iterator[Web3]:
    """The chain client on the test chain, with fresh caches (`chain` rolls the node back)."""
    settings.CHAIN_RPC_URL = anvil_url
    chain_client.clear_caches()
    yield chain_client.web3()
    chain_client.clear_caches()


@pytest.fixture
def token(chain: Web3) -> tuple[str, str]:
    """A baseline ERC-20 deployed by the test (not through the client) and one holder with 1,000 units."""
    data = chain_client.artifact("BaselineERC20")
    admin, holder = chain.eth.accounts[:2]
    factory = chain.eth.contract(abi=data["abi"], bytecode=data["bytecode"])
    receipt = chain.eth.wait_for_transaction_receipt(factory.constructor(admin).transact({"from": admin}))
    deployed = chain.eth.contract(address=receipt["contractAddress"], abi=data["abi"])
    chain.eth.wait_for_transaction_receipt(deployed.functions.mint(holder, 1_000).transact({"from": admin}))
    return str(receipt["contractAddress"]), str(holder)


def count_requests(client: Web3) -> Counter[str]:
    """Counts every JSON-RPC request the client's provider sends, by method.

    Wrapped before the client's first request: web3 composes the provider's request function once.
    """
    counts: Counter[str] = Counter()
    provider: Any = client.provider
    send = provider.make_request

    def counted(method: str, params: Any) -> Any:
        counts[str(method)] += 1
        return send(method, params)

    provider.make_request = counted
    return counts


def _reads(address: str, holder: str, n: int) -> None:
    for _ in range(n):
        assert chain_client.call("SecurityToken", address, "balanceOf", holder) == 1_000


def test_ten_reads_are_ten_requests_plus_a_constant_and_the_chain_id_is_asked_once(client, token):
    address, holder = token
    counts = count_requests(client)

    _reads(address, holder, 1)
    first = sum(counts.values())
    _reads(address, holder, 10)
    after_ten = sum(counts.values())
    _reads(address, holder, 20)

    assert counts["eth_chainId"] == 1  # for the first call only, then cached for the endpoint
    assert after_ten - first == 10  # one eth_call per read, nothing else
    assert counts == Counter({"eth_call": 31, "eth_chainId": 1})
    assert chain_client.chain_id() == 31337
    assert counts["eth_chainId"] == 1


def test_a_call_declaring_another_chain_id_is_still_refused_before_it_is_sent(client, token):
    address, holder = token
    counts = count_requests(client)
    data = chain_client.encode_call("SecurityToken", "balanceOf", holder)

    with pytest.raises(Web3ValidationError, match="declared chain ID 1"):
        client.eth.call({"to": Web3.to_checksum_address(address), "data": data, "chainId": 1})  # type: ignore[typeddict-item]

    assert counts["eth_call"] == 0
    assert client.eth.call({"to": Web3.to_checksum_address(address), "data": data, "chainId": 31337})  # type: ignore[typeddict-item]


def test_contract_objects_are_built_once_per_client_artifact_and_address(client, token):
    address, _ = token

    same = chain_client.contract("SecurityToken", address)
    assert chain_client.contract("SecurityToken", address.lower()) is same
    assert chain_client.contract("PaymentToken", address) is not same
    assert chain_client.contract("SecurityToken") is chain_client.contract("SecurityToken")

    chain_client.clear_caches()  # a new node or new artifacts: nothing stale is kept
    assert chain_client.contract("SecurityToken", address) is not same


def test_the_chain_id_is_kept_per_endpoint_not_per_process(client, settings):
    assert chain_client.chain_id() == 31337
    settings.CHAIN_RPC_URL = "http://127.0.0.1:9"  # nothing listens on the discard port

    with pytest.raises(chain_client.ChainUnavailable):
        chain_client.chain_id()  # asked of the new endpoint, not answered from the old one's cache


def test_a_node_that_is_down_raises_its_transport_error_from_a_call_as_before(client, token, settings):
    """The outbox retries on transport errors: the cached validation must not turn them into anything else."""
    address, holder = token
    settings.CHAIN_RPC_URL = "http://127.0.0.1:9"
    data = chain_client.encode_call("SecurityToken", "balanceOf", holder)

    with pytest.raises(requests.exceptions.ConnectionError):
        chain_client.web3().eth.call({"to": Web3.to_checksum_address(address), "data": data})
    with pytest.raises(chain_client.ChainUnavailable):
        chain_client.call("SecurityToken", address, "balanceOf", holder)
