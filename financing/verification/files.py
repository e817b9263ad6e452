"""A trade document's data file read into the fields a person would type (no database, no chain).

Two formats:
- JSON: one object whose keys are the field names the verification form uses (`INVOICE_FIELDS` or
  `BILL_OF_LADING_FIELDS`), values as text (numbers are read as written, never through a float);
  an optional `"kind"` says which document it is and must agree with the kind chosen.
- UBL 2.1 Invoice XML (invoices only), parsed with defusedxml (no entities, no DTD, no network):
  cbc:ID, cbc:IssueDate, cbc:DueDate (else the first cac:PaymentMeans/cbc:PaymentDueDate), the
  supplier's PartyLegalEntity/CompanyID (its schemeID, or the legal entity's or postal address's
  country, gives the jurisdiction), the customer's registration name (else party name) and
  CompanyID, and LegalMonetaryTotal/PayableAmount with its currencyID.

A file is recognised by its first bytes, not its name. Anything wrong is a `ValidationFailed` naming
the `file` field; the fields read are then checked by `financing.trade.normalise` like typed ones.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext

from config.errors import ValidationFailed
from config.text import megabytes
from financing.trade.normalise import BILL_OF_LADING, BILL_OF_LADING_FIELDS, INVOICE, INVOICE_FIELDS
from issuers.choices import Jurisdiction

UBL_INVOICE = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
CAC = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
_NS = {"cbc": CBC, "cac": CAC}

FIELDS_OF_KIND = {INVOICE: INVOICE_FIELDS, BILL_OF_LADING: BILL_OF_LADING_FIELDS}
# Country codes that name a jurisdiction by themselves (a mainland city needs the city: CN-SZ...).
_COUNTRY_JURISDICTIONS = {"HK": Jurisdiction.HONG_KONG.value, "MO": Jurisdiction.MACAO.value}


def _refuse(message: str) -> ValidationFailed:
    return ValidationFailed(gettext("The data file could not be used."), fields={"file": message})


def _read(upload: UploadedFile) -> bytes:
    limit = settings.VERIFY_FILE_MAX_BYTES
    if (upload.size or 0) > limit:
        raise _refuse(gettext("Data files may be at most %(size)s.") % {"size": megabytes(limit)})
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise _refuse(gettext("Data files may be at most %(size)s.") % {"size": megabytes(limit)})
    if not data.strip():
        raise _refuse(gettext("The file is empty."))
    return data


def fields_from_file(*, kind: str, upload: UploadedFile) -> dict[str, str]:
    """The document fields a data file holds, for a document of `kind` (invoice or bill_of_lading)."""
    data = _read(upload).lstrip(b"\xef\xbb\xbf \t\r\n")
    if data.startswith((b"{", b"[")):
        return fields_from_json(kind=kind, data=data)
    if data.startswith(b"<"):
        if kind != INVOICE:
            raise _refuse(
                gettext(
                    "XML files are read for invoices only (UBL 2.1); use a JSON file for a bill of lading."
                )
            )
        return fields_from_ubl(data)
    raise _refuse(gettext("Upload a JSON file or, for an invoice, a UBL 2.1 Invoice XML file."))


def fields_from_json(*, kind: str, data: bytes) -> dict[str, str]:
    """The fields of a JSON data file: one object, the form's field names as keys, text values."""
    try:
        # Numbers stay as written ("1234.50", not a float); a duplicate key would hide a value.
        parsed = json.loads(
            data.decode("utf-8"),
            parse_float=str,
            parse_int=str,
            parse_constant=_no_constant,
            object_pairs_hook=_unique_keys,
        )
    except (UnicodeDecodeError, ValueError) as exc:
        raise _refuse(
            gettext("The file is not valid JSON (UTF-8): %(problem)s") % {"problem": _short(exc)}
        ) from None
    if not isinstance(parsed, dict):
        raise _refuse(gettext("The JSON file must hold one object with the document's fields."))
    stated = parsed.pop("kind", None)
    if stated is not None and stated != kind:
        raise _refuse(
            gettext("The file says it is a %(stated)s, but you chose %(chosen)s.")
            % {"stated": str(stated)[:40], "chosen": kind}
        )
    names = FIELDS_OF_KIND[kind]
    unknown = sorted(key for key in parsed if key not in names)
    if unknown:
        raise _refuse(
            gettext("Unknown field(s) %(unknown)s. The fields are: %(names)s.")
            % {"unknown": ", ".join(name[:40] for name in unknown[:5]), "names": ", ".join(names)}
        )
    wrong = sorted(key for key, value in parsed.items() if not isinstance(value, str))
    if wrong:
        raise _refuse(gettext("Write these fields as text: %(names)s.") % {"names": ", ".join(wrong)})
    return dict(parsed)


class _DuplicateKey(ValueError):
    pass


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise _DuplicateKey(f"the field {key[:40]!r} appears twice")
        out[key] = value
    return out


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a value")


def _short(exc: Exception) -> str:
    return str(exc)[:120]


def _text(element: Element | None) -> str:
    return (element.text or "").strip() if element is not None else ""


def _jurisdiction(supplier: Element | None) -> str:
    if supplier is None:
        return ""
    company_id = supplier.find("cac:Party/cac:PartyLegalEntity/cbc:CompanyID", _NS)
    scheme = (company_id.get("schemeID") or "").strip().upper() if company_id is not None else ""
    if scheme in Jurisdiction.values:
        return scheme
    for path in (
        "cac:Party/cac:PartyLegalEntity/cac:RegistrationAddress/cac:Country/cbc:IdentificationCode",
        "cac:Party/cac:PostalAddress/cac:Country/cbc:IdentificationCode",
    ):
        code = _text(supplier.find(path, _NS)).upper()
        if code in _COUNTRY_JURISDICTIONS:
            return _COUNTRY_JURISDICTIONS[code]
        if code in Jurisdiction.values:
            return code
    return ""


def fields_from_ubl(data: bytes) -> dict[str, str]:
    """The invoice fields of a UBL 2.1 Invoice document."""
    try:
        root = fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException:
        raise _refuse(gettext("The XML file declares a DTD or entities, which are not accepted.")) from None
    except ParseError as exc:
        raise _refuse(
            gettext("The file is not well-formed XML: %(problem)s") % {"problem": _short(exc)}
        ) from None
    if root.tag != f"{{{UBL_INVOICE}}}Invoice":
        raise _refuse(gettext("The XML file is not a UBL 2.1 Invoice (its root element must be Invoice)."))
    supplier = root.find("cac:AccountingSupplierParty", _NS)
    customer = root.find("cac:AccountingCustomerParty/cac:Party", _NS)
    payable = root.find("cac:LegalMonetaryTotal/cbc:PayableAmount", _NS)
    due = _text(root.find("cbc:DueDate", _NS)) or _text(root.find("cac:PaymentMeans/cbc:PaymentDueDate", _NS))
    buyer = ""
    if customer is not None:
        buyer = _text(customer.find("cac:PartyLegalEntity/cbc:RegistrationName", _NS)) or _text(
            customer.find("cac:PartyName/cbc:Name", _NS)
        )
    fields = {
        "issuer_jurisdiction": _jurisdiction(supplier),
        "issuer_registration_number": _text(
            supplier.find("cac:Party/cac:PartyLegalEntity/cbc:CompanyID", _NS)
            if supplier is not None
            else None
        ),
        "buyer_name": buyer,
        "buyer_registration_number": _text(customer.find("cac:PartyLegalEntity/cbc:CompanyID", _NS))
        if customer is not None
        else "",
        "invoice_number": _text(root.find("cbc:ID", _NS)),
        "amount": _text(payable),
        "currency": (payable.get("currencyID") or "").strip() if payable is not None else "",
        "issue_date": _text(root.find("cbc:IssueDate", _NS)),
        "due_date": due,
    }
    if not fields["currency"]:
        fields["currency"] = _text(root.find("cbc:DocumentCurrencyCode", _NS))
    return fields


def example_file(kind: str) -> Mapping[str, str]:
    """The example data file offered for download on the verification page."""
    if kind == INVOICE:
        return {
            "kind": INVOICE,
            "issuer_jurisdiction": "HK",
            "issuer_registration_number": "12345678",
            "buyer_name": "Pearl River Trading Co., Ltd.",
            "buyer_registration_number": "91440300MA5EXAMPLE",
            "invoice_number": "INV-2026-0042",
            "amount": "125,000.00",
            "currency": "HKD",
            "issue_date": "2026-03-01",
            "due_date": "2026-05-30",
        }
    return {
        "kind": BILL_OF_LADING,
        "carrier": "Orient Container Lines",
        "vessel": "MV Harbour Star",
        "port_of_loading": "Shenzhen Yantian",
        "port_of_discharge": "Rotterdam",
        "bl_number": "OCLU1234567",
        "issue_date": "2026-03-05",
        "platform": "essdocs",
        "control_reference": "CD-000123",
    }
