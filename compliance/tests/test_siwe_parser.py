"""The EIP-4361 parser: every part of the ABNF read exactly, anything else refused with its reason."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from eth_account import Account
from eth_account.messages import encode_defunct

from compliance.wallets import siwe

KEY = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d"
ADDRESS = Account.from_key(KEY).address  # 0x70997970C51812dc3A010C7d01b50e0d17dc79C8

FULL = (
    "https://example.com:8443 wants you to sign in with your Ethereum account:\n"
    f"{ADDRESS}\n"
    "\n"
    "Link this wallet to my account.\n"
    "\n"
    "URI: https://example.com:8443/wallets/\n"
    "Version: 1\n"
    "Chain ID: 31337\n"
    "Nonce: 32891756abcDEF\n"
    "Issued At: 2026-11-30T10:00:00.123Z\n"
    "Expiration Time: 2026-11-30T10:10:00+08:00\n"
    "Not Before: 2026-11-30T09:59:00Z\n"
    "Request ID: req-42\n"
    "Resources:\n"
    "- ipfs://bafybeiemxf5abjwjbikoz4mc3a3dla6ual3jsgpdr4cjr3oz3evfyavhwq/\n"
    "- https://example.com/my-web2-claim.json"
)
MINIMAL = (
    "example.com wants you to sign in with your Ethereum account:\n"
    f"{ADDRESS}\n"
    "\n"
    "\n"
    "URI: https://example.com\n"
    "Version: 1\n"
    "Chain ID: 1\n"
    "Nonce: abcdefgh\n"
    "Issued At: 2026-11-30T10:00:00Z"
)


def test_every_field_of_a_full_message_is_read():
    message = siwe.parse(FULL)

    assert (message.scheme, message.domain) == ("https", "example.com:8443")
    assert message.address == ADDRESS
    assert message.statement == "Link this wallet to my account."
    assert (message.uri, message.version, message.chain_id) == (
        "https://example.com:8443/wallets/",
        "1",
        31337,
    )
    assert message.nonce == "32891756abcDEF"
    assert message.issued_at == datetime(2026, 11, 30, 10, 0, 0, 123000, tzinfo=UTC)
    assert message.expiration_time == datetime(2026, 11, 30, 2, 10, tzinfo=UTC)
    assert message.not_before == datetime(2026, 11, 30, 9, 59, tzinfo=UTC)
    assert message.request_id == "req-42"
    assert message.resources == (
        "ipfs://bafybeiemxf5abjwjbikoz4mc3a3dla6ual3jsgpdr4cjr3oz3evfyavhwq/",
        "https://example.com/my-web2-claim.json",
    )
    assert siwe.uri_host(message.uri) == "example.com:8443"


def test_a_message_without_statement_or_optional_fields_is_read_and_written_back_the_same():
    message = siwe.parse(MINIMAL)

    assert (message.scheme, message.statement, message.expiration_time, message.resources) == (
        "",
        "",
        None,
        (),
    )
    assert message.text().replace(".000Z", "Z") == MINIMAL


def test_a_written_message_is_read_back_to_the_same_fields():
    written = siwe.SiweMessage(
        domain="localhost:8000",
        address=ADDRESS,
        statement="Link this wallet",
        uri="http://localhost:8000",
        version="1",
        chain_id=31337,
        nonce="Zx81abcdQ",
        issued_at=datetime(2026, 11, 30, 10, 0, 0, 500000, tzinfo=UTC),
        expiration_time=datetime(2026, 11, 30, 10, 10, tzinfo=UTC),
    )

    assert siwe.parse(written.text()) == written


def _replace(old: str, new: str, text: str = FULL) -> str:
    assert old in text
    return text.replace(old, new, 1)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "empty"),
        (FULL.replace("\n", "\r\n"), "carriage returns"),
        (_replace(" wants you to sign in", " wants you to log in"), "first line"),
        (_replace("https://example.com:8443 wants", "example.com/path wants"), "first line"),
        (_replace("https://example.com:8443 wants", "exa mple.com wants"), "first line"),
        (_replace(ADDRESS, ADDRESS.lower()), "checksum"),
        (_replace(ADDRESS, ADDRESS[:-1]), "not an Ethereum address"),
        (_replace(f"{ADDRESS}\n\n", f"{ADDRESS}\n"), "blank line must follow the address"),
        (_replace("my account.\n\n", "my account.\n"), "blank line must follow the statement"),
        (_replace("Link this wallet to my account.", "Link ünicode"), "statement has characters"),
        (_replace("URI: https://example.com:8443/wallets/\n", ""), "“URI” line"),
        (_replace("URI: https://example.com:8443/wallets/", "URI: not a uri"), "not an absolute URI"),
        (_replace("Version: 1", "Version: 2"), "version 1"),
        (_replace("Version: 1\nChain ID: 31337", "Chain ID: 31337\nVersion: 1"), "“Version” line"),
        (_replace("Chain ID: 31337", "Chain ID: 0x7a69"), "chain id is not a number"),
        (_replace("Nonce: 32891756abcDEF", "Nonce: short"), "8 or more letters and digits"),
        (_replace("Nonce: 32891756abcDEF", "Nonce: 32891756-abcDEF"), "8 or more letters and digits"),
        (_replace("Issued At: 2026-11-30T10:00:00.123Z", "Issued At: 2026-11-30 10:00"), "RFC 3339"),
        (_replace("Issued At: 2026-11-30T10:00:00.123Z", "Issued At: 2026-11-30T10:00:00"), "RFC 3339"),
        (
            _replace("Issued At: 2026-11-30T10:00:00.123Z", "Issued At: 2026-02-30T10:00:00Z"),
            "not a real date",
        ),
        (_replace("Expiration Time: 2026-11-30T10:10:00+08:00", "Expiration Time: soon"), "RFC 3339"),
        (_replace("Request ID: req-42", "Request ID: req 42"), "request id"),
        (
            _replace(
                "Not Before: 2026-11-30T09:59:00Z\nRequest ID: req-42",
                "Request ID: req-42\nNot Before: 2026-11-30T09:59:00Z",
            ),
            "line EIP-4361 does not allow",
        ),
        (_replace("- https://example.com/my-web2-claim.json", "* https://example.com/x"), "“- <URI>”"),
        (FULL + "\n", "“- <URI>”"),
        (MINIMAL + "\n", "line EIP-4361 does not allow"),
        (MINIMAL + "\nSomething: else", "line EIP-4361 does not allow"),
        ("\n".join(MINIMAL.split("\n")[:5]), "“Version” line"),
        ("\n".join(MINIMAL.split("\n")[:2]), "ends before"),
    ],
)
def test_anything_the_standard_does_not_allow_is_refused_with_its_reason(text, reason):
    with pytest.raises(siwe.SiweError, match=reason) as refused:
        siwe.parse(text)
    assert refused.value.field == "message"


def test_the_signature_recovers_the_signing_address_and_nothing_else():
    signature = Account.sign_message(encode_defunct(text=MINIMAL), private_key=KEY).signature.hex()
    signature = "0x" + signature.removeprefix("0x")

    assert siwe.recover(MINIMAL, signature) == ADDRESS
    assert siwe.recover(MINIMAL + " ", signature) != ADDRESS  # another text: another signer


@pytest.mark.parametrize(
    "signature",
    ["", "0x", "0x1234", "0x" + "zz" * 65, "0x" + "00" * 65, "0x" + "ff" * 65, "0x" + "11" * 64 + "63", None],
)
def test_a_malformed_signature_is_refused_on_the_signature_field(signature):
    with pytest.raises(siwe.SiweError) as refused:
        siwe.recover(MINIMAL, signature)
    assert refused.value.field == "signature"
