"""Fingerprints of trade documents: keccak256 of a versioned, unambiguous encoding of canonical fields.

Encoding (version 1): the ASCII tag "trade-document/1", then the kind ("invoice" or
"bill_of_lading"), then each fingerprinted field in a fixed order; every part is written as its
UTF-8 length (4 bytes, big-endian) followed by its bytes, so no two field lists encode alike.
Dates are ISO 8601 (YYYY-MM-DD); amounts are the plain decimal in the currency's minor unit
("1234.50").

What is fingerprinted, and what is not:
- Invoice: the issuer's registration number, the buyer's name, the invoice number, the amount,
  the currency, the issue date and the due date. Not the issuer's jurisdiction (the registration
  number already says it: the city of a mainland company does not change which invoice it is) and
  not the buyer's registration number: it is optional, and leaving it out must not make the same
  invoice look new.
- Bill of lading: the carrier, the vessel, the ports of loading and discharge, the B/L number and
  the issue date. Not the eBL platform or its control reference: the same bill on two platforms is
  still one bill, and financing it on both must be refused.
"""

from __future__ import annotations

from typing import Final

from eth_utils import keccak

from financing.trade.normalise import BILL_OF_LADING, INVOICE, BillOfLadingFields, InvoiceFields

VERSION_TAG: Final = b"trade-document/1"

INVOICE_FINGERPRINTED: Final = (
    "issuer_registration_number",
    "buyer_name",
    "invoice_number",
    "amount",
    "currency",
    "issue_date",
    "due_date",
)
BILL_OF_LADING_FINGERPRINTED: Final = (
    "carrier",
    "vessel",
    "port_of_loading",
    "port_of_discharge",
    "bl_number",
    "issue_date",
)


def _part(text: str) -> bytes:
    data = text.encode("utf-8")
    return len(data).to_bytes(4, "big") + data


def encoding(fields: InvoiceFields | BillOfLadingFields) -> bytes:
    """The canonical byte encoding that is hashed."""
    names: tuple[str, ...]
    if isinstance(fields, InvoiceFields):
        kind, names = INVOICE, INVOICE_FINGERPRINTED
    elif isinstance(fields, BillOfLadingFields):
        kind, names = BILL_OF_LADING, BILL_OF_LADING_FINGERPRINTED
    else:  # pragma: no cover - typing forbids it
        raise TypeError(f"not trade document fields: {type(fields).__name__}")
    values = fields.as_strings()
    return _part(VERSION_TAG.decode("ascii")) + _part(kind) + b"".join(_part(values[n]) for n in names)


def fingerprint(fields: InvoiceFields | BillOfLadingFields) -> bytes:
    """The 32-byte fingerprint of a document's canonical fields."""
    return keccak(encoding(fields))


def fingerprint_hex(fields: InvoiceFields | BillOfLadingFields) -> str:
    """The fingerprint as 0x-prefixed lower-case hex (66 characters)."""
    return "0x" + fingerprint(fields).hex()
