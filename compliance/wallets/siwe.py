"""Sign-In with Ethereum (EIP-4361) messages: made, parsed strictly and their signature recovered.

The PyPI `siwe` package (4.4) pins web3 < 8 and eth-account < 0.14, which would downgrade both, so this
module parses the EIP-4361 ABNF itself, line by line and nothing more lenient: the header (an optional
scheme, the authority), an EIP-55 checksummed address, an optional one-line statement, then the fields
in the standard's order (URI, Version 1, Chain ID, Nonce of 8+ letters and digits, Issued At, and the
optional Expiration Time, Not Before, Request ID, Resources), with no trailing text. Times are RFC 3339
date-times with a zone. The tests sign messages made by the reference implementation (npm `siwe`) to
prove the two agree.

Only EIP-191 `personal_sign` signatures of externally owned accounts are accepted; contract wallets
(EIP-1271) are out of scope: their signature is a contract call, not a key's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from django.utils.translation import gettext
from eth_account import Account
from eth_account.messages import encode_defunct
from eth_keys.exceptions import BadSignature
from eth_keys.exceptions import ValidationError as KeysValidationError
from eth_utils import is_checksum_address, to_checksum_address

HEADER_SUFFIX = " wants you to sign in with your Ethereum account:"

_SCHEME = r"[A-Za-z][A-Za-z0-9+\-.]*"
# RFC 3986 authority: userinfo@host:port, host a name, IPv4 or [IPv6]; no spaces, no slash.
_AUTHORITY = r"[A-Za-z0-9\-._~%!$&'()*+,;=:@\[\]]+"
_HEADER = re.compile(rf"^(?:(?P<scheme>{_SCHEME})://)?(?P<domain>{_AUTHORITY}){re.escape(HEADER_SUFFIX)}$")
_ADDRESS = re.compile(r"^0x[0-9a-fA-F]{40}$")
# EIP-4361: statement = 1*( reserved / unreserved / " " ), one line.
_STATEMENT = re.compile(r"^[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;= ]+$")
_URI = re.compile(rf"^{_SCHEME}:[^\s]*$")
_NONCE = re.compile(r"^[A-Za-z0-9]{8,}$")
_CHAIN_ID = re.compile(r"^[0-9]{1,20}$")
_REQUEST_ID = re.compile(r"^[A-Za-z0-9\-._~%!$&'()*+,;=:@/]*$")
_DATE_TIME = re.compile(
    r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]+)?(?:Z|z|[+-][0-9]{2}:[0-9]{2})$"
)
_SIGNATURE = re.compile(r"^0x[0-9a-fA-F]{130}$")


class SiweError(ValueError):
    """A message or signature that is not what EIP-4361 allows; `field` names the part at fault."""

    def __init__(self, message: str, *, field: str = "message") -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class SiweMessage:
    """The fields of one EIP-4361 message."""

    domain: str
    address: str
    uri: str
    version: str
    chain_id: int
    nonce: str
    issued_at: datetime
    scheme: str = ""
    statement: str = ""
    expiration_time: datetime | None = None
    not_before: datetime | None = None
    request_id: str | None = None
    resources: tuple[str, ...] = field(default=())

    def text(self) -> str:
        """The message as EIP-4361 writes it (what the wallet shows and signs)."""
        header = f"{self.scheme}://{self.domain}" if self.scheme else self.domain
        lines = [header + HEADER_SUFFIX, self.address, ""]
        if self.statement:
            lines += [self.statement, ""]
        else:
            lines.append("")
        lines += [
            f"URI: {self.uri}",
            f"Version: {self.version}",
            f"Chain ID: {self.chain_id}",
            f"Nonce: {self.nonce}",
            f"Issued At: {_iso(self.issued_at)}",
        ]
        if self.expiration_time is not None:
            lines.append(f"Expiration Time: {_iso(self.expiration_time)}")
        if self.not_before is not None:
            lines.append(f"Not Before: {_iso(self.not_before)}")
        if self.request_id is not None:
            lines.append(f"Request ID: {self.request_id}")
        if self.resources:
            lines.append("Resources:")
            lines += [f"- {resource}" for resource in self.resources]
        return "\n".join(lines)


def _iso(moment: datetime) -> str:
    """RFC 3339 in UTC with milliseconds and Z, as JavaScript's toISOString writes it."""
    utc = moment.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def _date_time(value: str, *, what: str) -> datetime:
    if not _DATE_TIME.match(value):
        raise SiweError(gettext("%(what)s is not an RFC 3339 date and time with a zone.") % {"what": what})
    try:
        return datetime.fromisoformat(value.replace("z", "Z"))
    except ValueError:
        raise SiweError(gettext("%(what)s is not a real date and time.") % {"what": what}) from None


class _Lines:
    """The message's lines, read in order; each tagged field at most once, in the standard's order."""

    def __init__(self, text: str) -> None:
        self.lines = text.split("\n")
        self.at = 0

    def next(self, what: str) -> str:
        if self.at >= len(self.lines):
            raise SiweError(gettext("The message ends before %(what)s.") % {"what": what})
        line = self.lines[self.at]
        self.at += 1
        return line

    def tagged(self, tag: str, *, required: bool) -> str | None:
        prefix = f"{tag}: "
        if self.at < len(self.lines) and self.lines[self.at].startswith(prefix):
            return self.next(tag)[len(prefix) :]
        if required:
            raise SiweError(
                gettext("The message has no “%(tag)s” line where EIP-4361 puts it.") % {"tag": tag}
            )
        return None

    def done(self) -> bool:
        return self.at >= len(self.lines)


def parse(text: str) -> SiweMessage:
    """The fields of an EIP-4361 message; SiweError for anything the standard does not allow."""
    if not isinstance(text, str) or not text:
        raise SiweError(gettext("The message is empty."))
    if "\r" in text:
        raise SiweError(
            gettext("The message has carriage returns; EIP-4361 separates lines with a line feed only.")
        )
    lines = _Lines(text)
    header = _HEADER.match(lines.next("the header"))
    if header is None:
        raise SiweError(
            gettext("The first line is not “<domain> wants you to sign in with your Ethereum account:”.")
        )
    address = lines.next("the address")
    if not _ADDRESS.match(address):
        raise SiweError(gettext("The second line is not an Ethereum address."))
    if not is_checksum_address(address):
        raise SiweError(gettext("The address is not written with its EIP-55 checksum (mixed case)."))
    if lines.next("the blank line after the address") != "":
        raise SiweError(gettext("A blank line must follow the address."))
    statement = lines.next("the statement")
    if statement:
        if not _STATEMENT.match(statement):
            raise SiweError(gettext("The statement has characters EIP-4361 does not allow."))
        if lines.next("the blank line after the statement") != "":
            raise SiweError(gettext("A blank line must follow the statement."))
    uri = lines.tagged("URI", required=True)
    assert uri is not None
    if not _URI.match(uri):
        raise SiweError(gettext("The URI is not an absolute URI."))
    version = lines.tagged("Version", required=True)
    if version != "1":
        raise SiweError(gettext("Only version 1 of EIP-4361 exists."))
    chain_id = lines.tagged("Chain ID", required=True)
    assert chain_id is not None
    if not _CHAIN_ID.match(chain_id):
        raise SiweError(gettext("The chain id is not a number."))
    nonce = lines.tagged("Nonce", required=True)
    assert nonce is not None
    if not _NONCE.match(nonce):
        raise SiweError(gettext("The nonce is not 8 or more letters and digits."))
    issued_at = lines.tagged("Issued At", required=True)
    assert issued_at is not None
    expiration = lines.tagged("Expiration Time", required=False)
    not_before = lines.tagged("Not Before", required=False)
    request_id = lines.tagged("Request ID", required=False)
    if request_id is not None and not _REQUEST_ID.match(request_id):
        raise SiweError(gettext("The request id has characters EIP-4361 does not allow."))
    resources: list[str] = []
    if not lines.done():
        if lines.next("the resources") != "Resources:":
            raise SiweError(gettext("The message has a line EIP-4361 does not allow after its fields."))
        while not lines.done():
            line = lines.next("a resource")
            if not line.startswith("- ") or not _URI.match(line[2:]):
                raise SiweError(gettext("Each resource is a line “- <URI>”."))
            resources.append(line[2:])
    return SiweMessage(
        scheme=header["scheme"] or "",
        domain=header["domain"],
        address=address,
        statement=statement,
        uri=uri,
        version=version,
        chain_id=int(chain_id),
        nonce=nonce,
        issued_at=_date_time(issued_at, what="Issued At"),
        expiration_time=_date_time(expiration, what="Expiration Time") if expiration is not None else None,
        not_before=_date_time(not_before, what="Not Before") if not_before is not None else None,
        request_id=request_id,
        resources=tuple(resources),
    )


def check_signature_form(signature: str) -> None:
    """Refuse text that cannot be a 65-byte signature (before anything is looked up)."""
    if not isinstance(signature, str) or not _SIGNATURE.match(signature.strip()):
        raise SiweError(
            gettext("The signature is not 65 bytes of hex (0x and 130 hex digits)."), field="signature"
        )


def recover(text: str, signature: str) -> str:
    """The checksummed address whose key made this EIP-191 `personal_sign` signature of `text`."""
    check_signature_form(signature)
    try:
        recovered: Any = Account.recover_message(encode_defunct(text=text), signature=signature.strip())
    except (BadSignature, KeysValidationError, ValueError):  # r, s or v out of range, no curve point
        raise SiweError(
            gettext("The signature is not a valid Ethereum signature."), field="signature"
        ) from None
    return to_checksum_address(recovered)


def uri_host(uri: str) -> str:
    """The authority (host and port) of a URI, lower case."""
    return (urlsplit(uri).netloc or "").lower()
