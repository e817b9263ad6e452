"""Deploy helpers and fixtures for the contract tests: committed artifacts, one platform per module."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from eth_abi import decode as abi_decode
from eth_abi import encode as abi_encode
from eth_account import Account
from eth_account.messages import encode_typed_data
from eth_account.signers.local import LocalAccount
from eth_utils import function_abi_to_4byte_selector, keccak, to_checksum_address
from eth_utils.abi import collapse_if_tuple
from web3 import Web3
from web3.contract import Contract
from web3.exceptions import ContractCustomError, ContractLogicError

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"

# ISO 3166-1 numeric codes and investor classes as the registry stores them.
HK, CN, MO, SG, US = 344, 156, 446, 702, 840
PROFESSIONAL, INSTITUTIONAL, RETAIL, ISSUER = 1, 2, 4, 8
FAR_FUTURE = 4_102_444_800  # 2100-01-01
MAX_UINT = 2**256 - 1
HKD = 1_000_000  # 1 HKDT in base units (6 decimals)
UNIT_PRICE = 100 * HKD  # the platform token's registered price per unit
SETTLE_WINDOW = 30 * 86_400  # the platform token's offering settles within 30 days of deployment
ZERO_ADDRESS = "0x" + "00" * 20

# SecurityToken reason codes (canTransfer / canMint, TransferNotCompliant / MintNotCompliant).
OK, PAUSED, SENDER_NOT_VERIFIED, RECIPIENT_NOT_VERIFIED = 0, 1, 2, 3
SENDER_FROZEN, RECIPIENT_FROZEN, INSUFFICIENT_FREE_BALANCE = 4, 5, 6
COUNTRY_NOT_ALLOWED, INVESTOR_CLASS_REQUIRED, MAX_HOLDERS, MAX_BALANCE, LOCKED_UP = 7, 8, 9, 10, 11


@cache
def artifact(name: str) -> dict[str, Any]:
    """The committed compiled artifact of `name`."""
    return json.loads((ARTIFACTS / f"{name}.json").read_text())


def deploy(w3: Web3, name: str, *args: Any, sender: str) -> Contract:
    """Deploy the artifact `name` from `sender` and return the bound contract."""
    art = artifact(name)
    factory = w3.eth.contract(abi=art["abi"], bytecode=art["bytecode"])
    receipt = w3.eth.wait_for_transaction_receipt(factory.constructor(*args).transact({"from": sender}))
    assert receipt["status"] == 1, f"deploying {name} failed"
    return w3.eth.contract(address=receipt["contractAddress"], abi=art["abi"])


def send(call: Any, sender: str) -> Any:
    """Send a contract call from an unlocked account, wait, and require success."""
    w3 = call.w3
    receipt = w3.eth.wait_for_transaction_receipt(call.transact({"from": sender}))
    assert receipt["status"] == 1
    return receipt


def revert_data(call: Any, sender: str) -> str:
    """The revert data of `call` simulated from `sender` ('' when it would succeed)."""
    try:
        call.call({"from": sender})
    except ContractCustomError as exc:
        data = exc.data
        return data if isinstance(data, str) else str(data)
    except ContractLogicError as exc:
        return str(exc.data or "0x")
    return ""


def error_selector(contract: Contract, error: str) -> str:
    """0x-hex selector of the custom error `error` in the contract's ABI (or an OpenZeppelin one)."""
    for item in contract.abi:
        if item["type"] == "error" and item["name"] == error:
            return "0x" + function_abi_to_4byte_selector(item).hex()
    raise KeyError(f"{error} not in the ABI")


def error_types(contract: Contract, error: str) -> list[str]:
    for item in contract.abi:
        if item["type"] == "error" and item["name"] == error:
            return [i["type"] for i in item["inputs"]]
    raise KeyError(error)


def assert_reverts(call: Any, sender: str, error: str, *args: Any, contract: Contract | None = None) -> None:
    """Require `call` to revert with the custom error `error(*args)`, and to revert when really mined too."""
    target = (
        contract
        if contract is not None
        else call.w3.eth.contract(address=call.address, abi=call.contract_abi)
    )
    data = revert_data(call, sender)
    selector = error_selector(target, error)
    assert data.startswith(selector), f"expected {error}, got revert data {data!r}"
    if args:
        decoded = abi_decode(error_types(target, error), bytes.fromhex(data[10:]))
        expected = tuple(a.lower() if isinstance(a, str) else a for a in args)
        assert tuple(decoded) == expected, f"{error} args {decoded} != {args}"
    # Mine the failing transaction (fixed gas skips estimation) so "nothing changed" is about a real revert.
    w3 = call.w3
    receipt = w3.eth.wait_for_transaction_receipt(call.transact({"from": sender, "gas": 2_000_000}))
    assert receipt["status"] == 0


_FUNCTION_ABIS: dict[tuple[str, str, int], tuple[bytes, list[str], list[str]]] = {}


def _function_abi(contract: Contract, name: str, arity: int) -> tuple[bytes, list[str], list[str]]:
    key = (contract.address, name, arity)
    if key not in _FUNCTION_ABIS:
        for item in contract.abi:
            if item["type"] == "function" and item["name"] == name and len(item["inputs"]) == arity:
                _FUNCTION_ABIS[key] = (
                    function_abi_to_4byte_selector(item),
                    [collapse_if_tuple(i) for i in item["inputs"]],
                    [collapse_if_tuple(o) for o in item["outputs"]],
                )
                break
        else:
            raise KeyError(name)
    return _FUNCTION_ABIS[key]


def encode_call(contract: Contract, name: str, args: tuple[Any, ...]) -> dict[str, str]:
    """{to, data} for calling `name(*args)` on `contract`, without web3's per-call overhead."""
    selector, inputs, _ = _function_abi(contract, name, len(args))
    return {"to": contract.address, "data": "0x" + (selector + abi_encode(inputs, list(args))).hex()}


def _decode_view(contract: Contract, name: str, arity: int, result: str) -> Any:
    _, _, outputs = _function_abi(contract, name, arity)
    values = [
        to_checksum_address(v) if kind == "address" else v
        for kind, v in zip(outputs, abi_decode(outputs, bytes.fromhex(result[2:])), strict=True)
    ]
    return values[0] if len(values) == 1 else list(values)


def attempt(w3: Web3, contract: Contract, name: str, *args: Any, sender: str) -> bool:
    """Mine `name(*args)` from `sender` with fixed gas (so refusals are mined too); True when it succeeded."""
    tx = {**encode_call(contract, name, args), "from": sender, "gas": hex(3_000_000)}
    tx_hash = w3.provider.make_request("eth_sendTransaction", [tx])["result"]  # type: ignore[arg-type]
    for _ in range(1_000):  # automine answers within milliseconds
        receipt = w3.provider.make_request("eth_getTransactionReceipt", [tx_hash])["result"]  # type: ignore[arg-type]
        if receipt is not None:
            return bool(int(receipt["status"], 16) == 1)
        time.sleep(0.002)
    raise TimeoutError(f"no receipt for {tx_hash}")


def views(w3: Web3, calls: list[tuple[Contract, str, tuple[Any, ...]]]) -> list[Any]:
    """Many view calls in one JSON-RPC batch (web3's per-call overhead made the suite slow)."""
    requests = [("eth_call", [encode_call(c, name, args), "latest"]) for c, name, args in calls]
    responses = w3.provider.make_batch_request(requests)  # type: ignore[arg-type, attr-defined]
    assert isinstance(responses, list), responses
    by_id = sorted(responses, key=lambda r: r["id"])
    return [
        _decode_view(c, name, len(args), r["result"]) for (c, name, args), r in zip(calls, by_id, strict=True)
    ]


def now(w3: Web3) -> int:
    """The latest block's timestamp."""
    return int(w3.eth.get_block("latest")["timestamp"])


def advance_time(w3: Web3, seconds: int) -> None:
    """Move the chain clock forward and mine a block."""
    w3.provider.make_request("evm_increaseTime", [seconds])  # type: ignore[arg-type]
    w3.provider.make_request("evm_mine", [])  # type: ignore[arg-type]


EIP712_DOMAIN = [
    {"name": "name", "type": "string"},
    {"name": "version", "type": "string"},
    {"name": "chainId", "type": "uint256"},
    {"name": "verifyingContract", "type": "address"},
]
AUTHORIZATION_FIELDS = [
    {"name": "from", "type": "address"},
    {"name": "to", "type": "address"},
    {"name": "value", "type": "uint256"},
    {"name": "validAfter", "type": "uint256"},
    {"name": "validBefore", "type": "uint256"},
    {"name": "nonce", "type": "bytes32"},
]
TYPED_FIELDS = {
    "Permit": [
        {"name": "owner", "type": "address"},
        {"name": "spender", "type": "address"},
        {"name": "value", "type": "uint256"},
        {"name": "nonce", "type": "uint256"},
        {"name": "deadline", "type": "uint256"},
    ],
    "TransferWithAuthorization": AUTHORIZATION_FIELDS,
    "ReceiveWithAuthorization": AUTHORIZATION_FIELDS,
    "CancelAuthorization": [
        {"name": "authorizer", "type": "address"},
        {"name": "nonce", "type": "bytes32"},
    ],
}


def sign_typed(
    payment: Contract, signer: LocalAccount, primary: str, message: dict[str, Any]
) -> tuple[int, bytes, bytes]:
    """(v, r, s) of `signer`'s EIP-712 signature of `message` in the payment token's domain."""
    data = {
        "types": {"EIP712Domain": EIP712_DOMAIN, primary: TYPED_FIELDS[primary]},
        "primaryType": primary,
        "domain": {
            "name": "HKD Stablecoin (test)",
            "version": "1",
            "chainId": payment.w3.eth.chain_id,
            "verifyingContract": payment.address,
        },
        "message": message,
    }
    signed = signer.sign_message(encode_typed_data(full_message=data))
    return signed.v, signed.r.to_bytes(32, "big"), signed.s.to_bytes(32, "big")


def sign_authorization(
    payment: Contract,
    signer: LocalAccount,
    to: str,
    value: int,
    nonce: bytes,
    valid_before: int,
    valid_after: int = 0,
    primary: str = "ReceiveWithAuthorization",
) -> tuple[int, bytes, bytes]:
    """An EIP-3009 authorisation by `signer` to move `value` to `to`."""
    message = {
        "from": signer.address,
        "to": to,
        "value": value,
        "validAfter": valid_after,
        "validBefore": valid_before,
        "nonce": nonce,
    }
    return sign_typed(payment, signer, primary, message)


def local_key(name: str) -> LocalAccount:
    """A fixed test key per name, so failures reproduce."""
    return Account.from_key(keccak(text=f"contract tests: {name}"))


def authorization_nonce(settlement: Contract, token: str, subscription_id: int, units: int) -> bytes:
    """Settlement.authorizationNonce computed locally (a test proves they agree)."""
    return keccak(
        abi_encode(
            ["address", "address", "uint256", "uint256"], [settlement.address, token, subscription_id, units]
        )
    )


def distribution_nonce(settlement: Contract, token: str, distribution_id: int, amount: int) -> bytes:
    """Settlement.distributionNonce computed locally (a test proves they agree)."""
    return keccak(
        abi_encode(
            ["address", "string", "address", "uint256", "uint256"],
            [settlement.address, "distribution", token, distribution_id, amount],
        )
    )


@dataclass
class Platform:
    """One deployed platform: registry, payment token, settlement, a security token and named wallets.

    `admin` stands for the platform timelock (Settlement's registrar, the token's admin and agent);
    `settler` holds SETTLER_ROLE only. Investors, issuer, payer, outsider and spare are local keys
    (`keys`) that sign authorisations and send through the node's impersonation.
    """

    w3: Web3
    registry: Contract
    payment: Contract
    settlement: Contract
    token: Contract
    documents: Contract
    admin: str
    agent: str
    settler: str
    alice: str
    bob: str
    carol: str
    dave: str
    outsider: str
    issuer: str
    payer: str
    spare: str
    keys: dict[str, LocalAccount]

    @property
    def investors(self) -> list[str]:
        return [self.alice, self.bob, self.carol, self.dave]

    def role(self, contract: Contract, name: str) -> bytes:
        """A role's id: the contract's getter where it has one, else keccak256 of the name.

        SecurityToken keeps AGENT_ROLE and COMPLIANCE_ROLE internal (getters lengthen a transfer's dispatch).
        """
        if any(item.get("name") == name for item in contract.abi):
            return bytes(getattr(contract.functions, name)().call())
        return bytes(Web3.keccak(text=name))

    def new_token(
        self,
        name: str = "GBA Note",
        symbol: str = "GBAN",
        settlement: str | None = None,
        compliance: str | None = None,
        pauser: str | None = None,
    ) -> Contract:
        return deploy(
            self.w3,
            "SecurityToken",
            name,
            symbol,
            self.registry.address,
            self.admin,
            self.admin if compliance is None else compliance,
            self.admin if pauser is None else pauser,
            self.settlement.address if settlement is None else settlement,
            sender=self.admin,
        )

    def subscription_authorization(
        self,
        who: str,
        subscription_id: int,
        units: int,
        *,
        token: Contract | None = None,
        value: int | None = None,
        price: int = UNIT_PRICE,
        valid_before: int | None = None,
    ) -> tuple[int, int, bytes, bytes]:
        """(validBefore, v, r, s): `who`'s authorisation of units x price into escrow (or of `value`)."""
        tok = self.token if token is None else token
        deadline = now(self.w3) + 3_600 if valid_before is None else valid_before
        nonce = authorization_nonce(self.settlement, tok.address, subscription_id, units)
        amount = units * price if value is None else value
        v, r, s = sign_authorization(
            self.payment, self.keys[who], self.settlement.address, amount, nonce, deadline
        )
        return deadline, v, r, s

    def fund_call(
        self, who: str, subscription_id: int, units: int, *, token: Contract | None = None, **kw: Any
    ) -> Any:
        """Settlement.fund of `who`'s subscription with `who`'s own authorisation of exactly its amount."""
        tok = self.token if token is None else token
        authorization = self.subscription_authorization(who, subscription_id, units, token=tok, **kw)
        return self.settlement.functions.fund(
            tok.address, subscription_id, getattr(self, who), units, *authorization
        )

    def distribution_authorization(
        self, distribution_id: int, amount: int, *, signer: str = "issuer", token: Contract | None = None
    ) -> tuple[int, int, bytes, bytes]:
        """(validBefore, v, r, s): `signer`'s authorisation of `amount` into the distribution's escrow."""
        tok = self.token if token is None else token
        deadline = now(self.w3) + 3_600
        nonce = distribution_nonce(self.settlement, tok.address, distribution_id, amount)
        v, r, s = sign_authorization(
            self.payment, self.keys[signer], self.settlement.address, amount, nonce, deadline
        )
        return deadline, v, r, s

    def escrow(self, subscription_id: int, token: Contract | None = None) -> list[Any]:
        tok = self.token if token is None else token
        return list(self.settlement.functions.escrowOf(tok.address, subscription_id).call())

    def state(self, token: Contract | None = None, wallets: list[str] | None = None) -> dict[str, Any]:
        """Everything a refusal must leave unchanged (the Settlement's own HKDT included)."""
        tok = token if token is not None else self.token
        who = (
            wallets
            if wallets is not None
            else [
                *self.investors,
                self.outsider,
                self.issuer,
                self.payer,
                self.spare,
                self.settler,
                self.settlement.address,
            ]
        )
        calls: list[tuple[Contract, str, tuple[Any, ...]]] = [
            (tok, "totalSupply", ()),
            (tok, "numHolders", ()),
            (self.payment, "totalSupply", ()),
        ]
        for fn in ("balanceOf", "frozenTokens", "isFrozen"):
            calls += [(tok, fn, (w,)) for w in who]
        calls += [(self.payment, "balanceOf", (w,)) for w in who]
        values = views(self.w3, calls)
        n = len(who)
        return {
            "supply": values[0],
            "holders": values[1],
            "cash_supply": values[2],
            "balances": values[3 : 3 + n],
            "frozen": values[3 + n : 3 + 2 * n],
            "flags": values[3 + 2 * n : 3 + 3 * n],
            "cash": values[3 + 3 * n :],
        }


def deploy_platform(w3: Web3) -> Platform:
    admin, agent, settler = w3.eth.accounts[:3]
    keys = {
        name: local_key(name)
        for name in ("alice", "bob", "carol", "dave", "outsider", "issuer", "payer", "spare")
    }
    for key in keys.values():
        w3.provider.make_request("anvil_impersonateAccount", [key.address])  # type: ignore[arg-type]
        w3.provider.make_request("anvil_setBalance", [key.address, hex(10**20)])  # type: ignore[arg-type]
    alice, bob, carol, dave, outsider, issuer, payer, spare = (k.address for k in keys.values())
    registry = deploy(w3, "IdentityRegistry", admin, sender=admin)
    payment = deploy(w3, "PaymentToken", "HKD Stablecoin (test)", "HKDT", admin, sender=admin)
    settlement = deploy(w3, "Settlement", admin, sender=admin)
    token = deploy(
        w3,
        "SecurityToken",
        "GBA Green Bond 2029",
        "GBA29",
        registry.address,
        admin,
        admin,
        admin,
        settlement.address,
        sender=admin,
    )
    documents = deploy(w3, "DocumentRegistry", admin, sender=admin)
    send(token.functions.grantRole(Web3.keccak(text="AGENT_ROLE"), agent), admin)
    send(settlement.functions.grantRole(settlement.functions.SETTLER_ROLE().call(), settler), admin)
    send(settlement.functions.setPaymentTokenAllowed(payment.address, True), admin)
    send(
        settlement.functions.registerOffering(
            token.address, issuer, payment.address, UNIT_PRICE, now(w3) + SETTLE_WINDOW
        ),
        admin,
    )
    wallets = [alice, bob, carol, dave, issuer, payer]
    classes = [PROFESSIONAL, PROFESSIONAL, INSTITUTIONAL | PROFESSIONAL, RETAIL, ISSUER, ISSUER]
    countries = [HK, HK, CN, SG, HK, HK]
    send(registry.functions.batchRegisterIdentity(wallets, countries, classes, [FAR_FUTURE] * 6), admin)
    return Platform(
        w3,
        registry,
        payment,
        settlement,
        token,
        documents,
        admin,
        agent,
        settler,
        alice,
        bob,
        carol,
        dave,
        outsider,
        issuer,
        payer,
        spare,
        keys,
    )


def light_client(w3: Web3) -> Web3:
    """A client on the same node without per-call validation (it asks eth_chainId twice per call)."""
    client = Web3(Web3.HTTPProvider(w3.provider.endpoint_uri, request_kwargs={"timeout": 30}))  # type: ignore[attr-defined]
    client.middleware_onion.remove("validation")
    client.middleware_onion.remove("ens_name_to_address")
    return client


@pytest.fixture(scope="module")
def deployed(w3: Web3) -> Iterator[Platform]:
    """The platform, deployed once per test module and removed after it."""
    snapshot = w3.provider.make_request("evm_snapshot", [])["result"]  # type: ignore[arg-type]
    try:
        yield deploy_platform(light_client(w3))
    finally:
        w3.provider.make_request("evm_revert", [snapshot])  # type: ignore[arg-type]


@pytest.fixture
def platform(deployed: Platform, chain: Web3) -> Platform:
    """The deployed platform, with every chain change of the test rolled back afterwards."""
    return deployed


@pytest.fixture
def unchanged(platform: Platform) -> Callable[..., Any]:
    """`with unchanged(): ...` asserts that the block leaves balances, supply and freezes as they were."""
    from contextlib import contextmanager

    @contextmanager
    def check(token: Contract | None = None) -> Iterator[None]:
        before = platform.state(token)
        yield
        assert platform.state(token) == before

    return check
