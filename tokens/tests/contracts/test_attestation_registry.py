"""AttestationRegistry: the published attester address and revocations by EIP-712 digest."""

from __future__ import annotations

import pytest
from eth_utils import keccak
from web3 import Web3
from web3.exceptions import ContractCustomError
from web3.logs import DISCARD

from tokens.tests.contracts.conftest import ZERO_ADDRESS, artifact, assert_reverts, deploy, now, send

REASON = b"kyb_blocked".ljust(32, b"\0")


@pytest.fixture
def registry(chain: Web3):
    admin, attester, outsider, successor = chain.eth.accounts[:4]
    contract = deploy(chain, "AttestationRegistry", admin, attester, sender=admin)
    return contract, admin, attester, outsider, successor


def test_the_registry_publishes_its_attester_and_gives_it_the_attester_role(registry):
    contract, admin, attester, _, _ = registry
    role = contract.functions.ATTESTER_ROLE().call()
    assert role == keccak(text="ATTESTER_ROLE")
    assert contract.functions.attester().call() == attester
    assert contract.functions.hasRole(role, attester).call()
    assert not contract.functions.hasRole(role, admin).call()
    assert contract.functions.hasRole(b"\0" * 32, admin).call()


def test_an_attestation_is_revoked_once_with_its_reason_time_and_revoker(registry, chain):
    contract, _, attester, _, _ = registry
    digest = keccak(text="an attestation")
    assert not contract.functions.isRevoked(digest).call()
    assert contract.functions.revokedAt(digest).call() == 0
    receipt = send(contract.functions.revoke(digest, REASON), attester)
    (event,) = contract.events.AttestationRevoked().process_receipt(receipt, errors=DISCARD)
    assert (event.args.digest, event.args.reason, event.args.revoker) == (digest, REASON, attester)
    assert contract.functions.isRevoked(digest).call()
    assert contract.functions.revokedAt(digest).call() == now(chain)
    assert contract.functions.revocationOf(digest).call() == [REASON, attester, now(chain)]
    assert_reverts(contract.functions.revoke(digest, REASON), attester, "AlreadyRevoked", digest)
    assert not contract.functions.isRevoked(keccak(text="another")).call()


def test_only_the_attester_revokes_and_never_the_zero_digest(registry):
    contract, admin, attester, outsider, _ = registry
    digest = keccak(text="x")
    assert_reverts(contract.functions.revoke(digest, REASON), outsider, "AccessControlUnauthorizedAccount")
    assert_reverts(contract.functions.revoke(digest, REASON), admin, "AccessControlUnauthorizedAccount")
    assert_reverts(contract.functions.revoke(b"\0" * 32, REASON), attester, "InvalidDigest")
    assert not contract.functions.isRevoked(digest).call()


def test_the_admin_rotates_the_attester_and_the_old_key_loses_its_power(registry):
    contract, admin, attester, outsider, successor = registry
    assert_reverts(contract.functions.setAttester(successor), outsider, "AccessControlUnauthorizedAccount")
    assert_reverts(contract.functions.setAttester(ZERO_ADDRESS), admin, "InvalidAttester")
    receipt = send(contract.functions.setAttester(successor), admin)
    (event,) = contract.events.AttesterChanged().process_receipt(receipt, errors=DISCARD)
    assert (event.args.previous, event.args.current) == (attester, successor)
    assert contract.functions.attester().call() == successor
    digest = keccak(text="y")
    assert_reverts(contract.functions.revoke(digest, REASON), attester, "AccessControlUnauthorizedAccount")
    send(contract.functions.revoke(digest, REASON), successor)
    assert contract.functions.isRevoked(digest).call()


def test_a_registry_without_an_attester_is_refused(chain):
    admin = chain.eth.accounts[0]
    built = artifact("AttestationRegistry")
    factory = chain.eth.contract(abi=built["abi"], bytecode=built["bytecode"])
    with pytest.raises(ContractCustomError) as refused:
        factory.constructor(admin, ZERO_ADDRESS).transact({"from": admin})
    assert keccak(text="InvalidAttester()")[:4].hex() in str(refused.value.data)
