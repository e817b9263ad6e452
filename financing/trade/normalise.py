"""Canonical fields of a trade document: the same invoice or bill of lading, however it is spelled.

Pure functions (no database). Each `canonical_*` takes the fields as typed (a mapping of strings)
and returns a frozen dataclass of canonical values, or raises `ValidationFailed` whose `fields`
name every field that is wrong and why.

Rules:
- Text is Unicode NFKC (full-width letters, digits and punctuation become ASCII), case-folded,
  with runs of spaces collapsed.
- Identifiers (invoice, B/L and registration numbers, control references) keep letters and digits
  only, and each run of digits loses its leading zeros: "INV-0042" == "inv 42" == the
  same in full-width characters.
- Names (buyer, carrier, vessel, ports) drop punctuation and a trailing company form ("Ltd",
  "Limited", "Co., Ltd.", "有限公司", ...); a vessel also drops a leading "MV" / "M/V".
- Dates: "2026-03-01", "2026/03/01", "2026年3月1日", "01/03/2026" (day first: the Hong Kong and
  mainland order), "1 Mar 2026", "1 March 2026", "March 1, 2026". A slash date whose second number
  cannot be a month ("03/15/2026") is refused, never guessed; two-digit years are refused.
- Amounts: "1,234.50", "1234.5", "HKD 1,234.50", "HK$1,234.50", full-width digits. The result is a
  Decimal in the currency's minor unit; more decimals than the currency has are refused, not rounded.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Final

from django.utils.translation import gettext

from config.errors import ValidationFailed
from financing.schedules.money import MINOR_UNITS, minor_unit
from financing.trade.platforms import EblPlatform
from issuers.choices import Jurisdiction
from issuers.validators import InvalidRegistrationNumber, normalise_registration_number

INVOICE: Final = "invoice"
BILL_OF_LADING: Final = "bill_of_lading"

# Longest text accepted for any one field (as typed).
FIELD_MAX_LENGTH: Final = 200
# An amount has at most this many digits before the decimal point (a trillion and more is a typo).
AMOUNT_MAX_INTEGER_DIGITS: Final = 15
EARLIEST_YEAR: Final = 1990
LATEST_YEAR: Final = 2100

INVOICE_FIELDS: Final = (
    "issuer_jurisdiction",
    "issuer_registration_number",
    "buyer_name",
    "buyer_registration_number",
    "invoice_number",
    "amount",
    "currency",
    "issue_date",
    "due_date",
)
INVOICE_OPTIONAL: Final = frozenset({"buyer_registration_number"})
BILL_OF_LADING_FIELDS: Final = (
    "carrier",
    "vessel",
    "port_of_loading",
    "port_of_discharge",
    "bl_number",
    "issue_date",
    "platform",
    "control_reference",
)


@dataclass(frozen=True)
class InvoiceFields:
    """An invoice's canonical fields. `buyer_registration_number` is "" when not given."""

    issuer_jurisdiction: str
    issuer_registration_number: str
    buyer_name: str
    buyer_registration_number: str
    invoice_number: str
    amount: Decimal
    currency: str
    issue_date: date
    due_date: date

    kind = INVOICE

    def as_strings(self) -> dict[str, str]:
        """The canonical values as text (for JSON and storage)."""
        return _as_strings(self, INVOICE_FIELDS)


@dataclass(frozen=True)
class BillOfLadingFields:
    """A bill of lading's canonical fields; `platform` and `control_reference` say where it lives."""

    carrier: str
    vessel: str
    port_of_loading: str
    port_of_discharge: str
    bl_number: str
    issue_date: date
    platform: str
    control_reference: str

    kind = BILL_OF_LADING

    def as_strings(self) -> dict[str, str]:
        """The canonical values as text (for JSON and storage)."""
        return _as_strings(self, BILL_OF_LADING_FIELDS)


def _as_strings(fields: object, names: tuple[str, ...]) -> dict[str, str]:
    out = {}
    for name in names:
        value = getattr(fields, name)
        out[name] = value.isoformat() if isinstance(value, date) else str(value)
    return out


# --- text ---------------------------------------------------------------------------------------

_SPACES = re.compile(r"\s+")


def _text(raw: str) -> str:
    """NFKC, case-folded, spaces collapsed and trimmed."""
    return _SPACES.sub(" ", unicodedata.normalize("NFKC", raw).casefold()).strip()


def _is_punctuation(char: str) -> bool:
    return unicodedata.category(char)[0] in "PSZ" or char.isspace()


def identifier(raw: str) -> str:
    """Letters and digits only, upper case, without leading zeros in runs of digits."""
    text = re.sub(
        r"\d+", lambda m: m.group(0).lstrip("0") or "0", unicodedata.normalize("NFKC", raw), flags=re.ASCII
    )
    return "".join(c for c in text.upper() if not _is_punctuation(c))


# Company forms dropped from the end of a name (already case-folded, punctuation as spaces).
_COMPANY_FORMS: Final = (
    "limited",
    "ltd",
    "company",
    "co",
    "incorporated",
    "inc",
    "corporation",
    "corp",
    "llc",
    "plc",
    "pte",
    "gmbh",
    "ag",
    "sa",
    "bv",
    "股份有限公司",
    "有限责任公司",
    "有限責任公司",
    "有限公司",
)
_VESSEL_PREFIX = re.compile(r"^(?:m ?v|m ?s|mt)\s+")


def name(raw: str, *, vessel: bool = False) -> str:
    """A company, ship or port name: punctuation as spaces, trailing company forms dropped (a name
    that is only a company form stays)."""
    text = _text("".join(" " if _is_punctuation(c) else c for c in unicodedata.normalize("NFKC", raw)))
    if vessel:
        text = _VESSEL_PREFIX.sub("", text)
    changed = True
    while changed:
        changed = False
        for form in _COMPANY_FORMS:
            if text == form:
                break
            if text.endswith(" " + form) or (not form.isascii() and text.endswith(form)):
                text = text[: -len(form)].strip()
                changed = True
                break
    # CJK names are written without spaces: "香港 貿易" and "香港貿易" are one name.
    return re.sub(r"(?<=[^\x00-\x7f]) (?=[^\x00-\x7f])", "", text)


# --- dates --------------------------------------------------------------------------------------

_MONTHS: Final = {
    "jan": 1, "january": 1, "feb": 2, "february": 2, "mar": 3, "march": 3, "apr": 4, "april": 4,
    "may": 5, "jun": 6, "june": 6, "jul": 7, "july": 7, "aug": 8, "august": 8, "sep": 9, "sept": 9,
    "september": 9, "oct": 10, "october": 10, "nov": 11, "november": 11, "dec": 12, "december": 12,
}  # fmt: skip
_ISO = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$", re.ASCII)
_CJK_DATE = re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?$")
_DAY_FIRST = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{2,4})$", re.ASCII)
_DAY_MONTH_NAME = re.compile(r"^(\d{1,2}) ([a-z]+) (\d{2,4})$", re.ASCII)
_MONTH_NAME_DAY = re.compile(r"^([a-z]+) (\d{1,2}) (\d{2,4})$", re.ASCII)


class _FieldError(ValueError):
    pass


def parse_date(raw: str) -> date:
    """A calendar date from the forms the module docstring lists; `_FieldError` otherwise."""
    text = re.sub(r"(\d)(?:st|nd|rd|th)\b", r"\1", _text(raw))
    text = re.sub(r"\s*([-/.年月日])\s*", r"\1", text)
    text = re.sub(r"\s*,\s*", " ", text)
    parts: tuple[str, str, str] | None = None
    if m := _ISO.match(text) or _CJK_DATE.match(text):
        parts = (m.group(1), m.group(2), m.group(3))
    elif m := _DAY_FIRST.match(text):
        day, month, year = m.group(1), m.group(2), m.group(3)
        if int(month) > 12 and int(day) <= 12:
            raise _FieldError(
                gettext("This looks like month/day/year. Write the day first (DD/MM/YYYY) or use YYYY-MM-DD.")
            )
        parts = (year, month, day)
    elif (m := _DAY_MONTH_NAME.match(text)) and m.group(2) in _MONTHS:
        parts = (m.group(3), str(_MONTHS[m.group(2)]), m.group(1))
    elif (m := _MONTH_NAME_DAY.match(text)) and m.group(1) in _MONTHS:
        parts = (m.group(3), str(_MONTHS[m.group(1)]), m.group(2))
    if parts is None:
        raise _FieldError(gettext("Enter a date such as 2026-03-01, 01/03/2026 or 1 Mar 2026."))
    year, month, day = parts
    if len(year) != 4:
        raise _FieldError(gettext("Write the year with four digits."))
    if not EARLIEST_YEAR <= int(year) <= LATEST_YEAR:
        raise _FieldError(
            gettext("Enter a year between %(first)s and %(last)s.")
            % {"first": EARLIEST_YEAR, "last": LATEST_YEAR}
        )
    try:
        return date(int(year), int(month), int(day))
    except ValueError:
        raise _FieldError(gettext("That day does not exist in the calendar.")) from None


# --- money --------------------------------------------------------------------------------------

_CURRENCY_ALIASES: Final = {
    "HKD": "HKD", "HK$": "HKD", "HKD$": "HKD",
    "CNY": "CNY", "RMB": "CNY", "CN¥": "CNY", "¥": "CNY", "元": "CNY", "人民币": "CNY", "人民幣": "CNY",
    "MOP": "MOP", "MOP$": "MOP",
    "USD": "USD", "US$": "USD",
}  # fmt: skip
_PLAIN_AMOUNT = re.compile(r"^\d+(?:\.\d+)?$", re.ASCII)
_GROUPED_AMOUNT = re.compile(r"^\d{1,3}(?:,\d{3})+(?:\.\d+)?$", re.ASCII)


def parse_currency(raw: str) -> str:
    """An ISO currency code the platform handles, from its code or a common symbol."""
    code = _CURRENCY_ALIASES.get(unicodedata.normalize("NFKC", raw).strip().upper().replace(" ", ""))
    if code is None or code not in MINOR_UNITS:
        raise _FieldError(
            gettext("Choose one of the currencies %(codes)s.") % {"codes": ", ".join(sorted(MINOR_UNITS))}
        )
    return code


def parse_amount(raw: str, currency: str | None) -> tuple[Decimal, str | None]:
    """The amount in `currency`'s minor unit, and the currency written with it (if any)."""
    text = unicodedata.normalize("NFKC", raw).strip().upper().replace(" ", "")
    written: str | None = None
    for alias in sorted(_CURRENCY_ALIASES, key=len, reverse=True):
        if text.startswith(alias):
            written, text = _CURRENCY_ALIASES[alias], text[len(alias) :]
            break
        if text.endswith(alias):
            written, text = _CURRENCY_ALIASES[alias], text[: -len(alias)]
            break
    text = text.strip()
    if text.startswith("-"):
        raise _FieldError(gettext("The amount must be more than zero."))
    if _GROUPED_AMOUNT.match(text):
        text = text.replace(",", "")
    elif not _PLAIN_AMOUNT.match(text):
        raise _FieldError(gettext("Enter an amount such as 1,234.50 (a point before the cents)."))
    if len(text.split(".")[0].lstrip("0")) > AMOUNT_MAX_INTEGER_DIGITS:
        raise _FieldError(gettext("That amount is too large."))
    try:
        amount = Decimal(text)
    except InvalidOperation:  # pragma: no cover - the patterns above admit only numbers
        raise _FieldError(gettext("Enter an amount such as 1,234.50.")) from None
    if amount <= 0:
        raise _FieldError(gettext("The amount must be more than zero."))
    code = currency or written
    if code is not None:
        unit = minor_unit(code)
        if amount != amount.quantize(unit):
            raise _FieldError(
                gettext("%(currency)s amounts have at most %(places)s decimal places.")
                % {"currency": code, "places": MINOR_UNITS[code]}
            )
        amount = amount.quantize(unit)
    return amount, written


# --- the documents ------------------------------------------------------------------------------


class _Collector:
    """Reads fields from the raw mapping and gathers one message per bad field."""

    def __init__(self, raw: Mapping[str, object]) -> None:
        self.raw = raw
        self.errors: dict[str, str] = {}

    def text(self, field: str, *, required: bool = True) -> str:
        value = self.raw.get(field)
        if value is None:
            value = ""
        if not isinstance(value, str):
            self.errors[field] = gettext("Enter text.")
            return ""
        if len(value) > FIELD_MAX_LENGTH:
            self.errors[field] = gettext("At most %(n)s characters.") % {"n": FIELD_MAX_LENGTH}
            return ""
        if "\x00" in value:
            self.errors[field] = gettext("This field contains a character that is not allowed.")
            return ""
        if required and not value.strip():
            self.errors[field] = gettext("This field is required.")
        return value

    def run(self, field: str, parse, raw: str):  # type: ignore[no-untyped-def]
        if field in self.errors or not raw.strip():
            return None
        try:
            return parse(raw)
        except _FieldError as exc:
            self.errors[field] = str(exc)
            return None

    def require(self, field: str, value: str, message: str) -> str:
        if field not in self.errors and self.raw.get(field, "") and not value:
            self.errors[field] = message
        return value

    def done(self) -> None:
        if self.errors:
            raise ValidationFailed(gettext("Some fields of the document need attention."), fields=self.errors)


def _registration(jurisdiction: str, raw: str) -> str:
    try:
        return normalise_registration_number(jurisdiction, unicodedata.normalize("NFKC", raw)).value
    except InvalidRegistrationNumber as exc:
        raise _FieldError(gettext(str(exc))) from None


def _jurisdiction(raw: str) -> str:
    value = unicodedata.normalize("NFKC", raw).strip().upper()
    if value not in Jurisdiction.values:
        raise _FieldError(gettext("Choose the jurisdiction where the issuer is registered."))
    return value


def canonical_invoice(raw: Mapping[str, object]) -> InvoiceFields:
    """The canonical fields of an invoice typed as `raw`; `ValidationFailed` names each bad field."""
    c = _Collector(raw)
    texts = {f: c.text(f, required=f not in INVOICE_OPTIONAL) for f in INVOICE_FIELDS}
    jurisdiction = c.run("issuer_jurisdiction", _jurisdiction, texts["issuer_jurisdiction"])
    registration = (
        c.run(
            "issuer_registration_number",
            lambda v: _registration(jurisdiction, v),
            texts["issuer_registration_number"],
        )
        if jurisdiction
        else None
    )
    buyer = c.require("buyer_name", name(texts["buyer_name"]), gettext("Enter the buyer's name in letters."))
    buyer_number = c.require(
        "buyer_registration_number",
        identifier(texts["buyer_registration_number"]),
        gettext("A registration number has letters or digits."),
    )
    number = c.require(
        "invoice_number",
        identifier(texts["invoice_number"]),
        gettext("An invoice number has letters or digits."),
    )
    currency = c.run("currency", parse_currency, texts["currency"])
    parsed = c.run(
        "amount",
        lambda v: parse_amount(v, currency),
        texts["amount"] if currency or "currency" not in c.errors else "",
    )
    if parsed is not None and parsed[1] is not None and currency is not None and parsed[1] != currency:
        c.errors["amount"] = gettext(
            "The amount is written in %(written)s but the invoice currency is %(currency)s."
        ) % {
            "written": parsed[1],
            "currency": currency,
        }
    issued = c.run("issue_date", parse_date, texts["issue_date"])
    due = c.run("due_date", parse_date, texts["due_date"])
    if issued and due and due < issued:
        c.errors["due_date"] = gettext("The due date cannot be before the issue date.")
    c.done()
    # done() raised when any of these is missing.
    assert jurisdiction and registration and currency and parsed  # noqa: PT018
    assert issued and due  # noqa: PT018
    return InvoiceFields(
        issuer_jurisdiction=jurisdiction,
        issuer_registration_number=registration,
        buyer_name=buyer,
        buyer_registration_number=buyer_number,
        invoice_number=number,
        amount=parsed[0],
        currency=currency,
        issue_date=issued,
        due_date=due,
    )


def _platform(raw: str) -> str:
    value = _text(raw).replace(" ", "_")
    for choice, label in EblPlatform.choices:
        if value in {choice, _text(str(label)).replace(" ", "_")}:
            return str(choice)
    raise _FieldError(gettext("Choose one of the approved electronic bill of lading platforms."))


def canonical_bill_of_lading(raw: Mapping[str, object]) -> BillOfLadingFields:
    """The canonical fields of a bill of lading typed as `raw`; `ValidationFailed` names each bad field."""
    c = _Collector(raw)
    texts = {f: c.text(f) for f in BILL_OF_LADING_FIELDS}
    letters = gettext("Enter a name in letters.")
    carrier = c.require("carrier", name(texts["carrier"]), letters)
    vessel = c.require("vessel", name(texts["vessel"], vessel=True), letters)
    loading = c.require("port_of_loading", name(texts["port_of_loading"]), letters)
    discharge = c.require("port_of_discharge", name(texts["port_of_discharge"]), letters)
    number = c.require(
        "bl_number", identifier(texts["bl_number"]), gettext("A bill of lading number has letters or digits.")
    )
    issued = c.run("issue_date", parse_date, texts["issue_date"])
    platform = c.run("platform", _platform, texts["platform"])
    control = c.require(
        "control_reference",
        identifier(texts["control_reference"]),
        gettext("A control reference has letters or digits."),
    )
    c.done()
    assert issued  # done() raised otherwise
    assert platform
    return BillOfLadingFields(
        carrier=carrier,
        vessel=vessel,
        port_of_loading=loading,
        port_of_discharge=discharge,
        bl_number=number,
        issue_date=issued,
        platform=platform,
        control_reference=control,
    )


def canonical(kind: str, raw: Mapping[str, object]) -> InvoiceFields | BillOfLadingFields:
    """The canonical fields of a document of `kind` (invoice or bill_of_lading)."""
    if kind == INVOICE:
        return canonical_invoice(raw)
    if kind == BILL_OF_LADING:
        return canonical_bill_of_lading(raw)
    raise ValidationFailed(
        gettext("Choose the kind of document."), fields={"kind": gettext("Choose invoice or bill of lading.")}
    )
