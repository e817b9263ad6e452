"""Canonical fields and fingerprints: spelling variants agree, a changed fact does not."""

# Full-width look-alikes are the point of these tests.
# ruff: noqa: RUF001

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from config.errors import ValidationFailed
from financing.trade.fingerprint import encoding, fingerprint, fingerprint_hex
from financing.trade.normalise import (
    canonical,
    canonical_bill_of_lading,
    canonical_invoice,
    identifier,
    name,
    parse_date,
)

INVOICE = {
    "issuer_jurisdiction": "HK",
    "issuer_registration_number": "1234-5678",
    "buyer_name": "Pearl River Trading Co., Ltd.",
    "buyer_registration_number": "",
    "invoice_number": "INV-0042",
    "amount": "HKD 1,234.50",
    "currency": "HKD",
    "issue_date": "1 Mar 2026",
    "due_date": "2026-05-31",
}
INVOICE_VARIANT = {
    "issuer_jurisdiction": " hk ",
    "issuer_registration_number": "１２３４５６７８",
    "buyer_name": "PEARL  RIVER trading company limited",
    "buyer_registration_number": "91440300MA5F00000X",
    "invoice_number": "ＩＮＶ－４２",
    "amount": "１２３４．５",
    "currency": "HK$",
    "issue_date": "01/03/2026",
    "due_date": "31 May 2026",
}
BILL = {
    "carrier": "COSCO Shipping Lines Co., Ltd.",
    "vessel": "M/V Cosco Harmony",
    "port_of_loading": "Shenzhen, Yantian",
    "port_of_discharge": "Rotterdam",
    "bl_number": "COSU 0061234567",
    "issue_date": "2026-03-02",
    "platform": "essdocs",
    "control_reference": "CD-000123",
}
BILL_VARIANT = {
    "carrier": "cosco shipping lines company limited",
    "vessel": "COSCO HARMONY",
    "port_of_loading": "SHENZHEN YANTIAN",
    "port_of_discharge": "ｒｏｔｔｅｒｄａｍ",
    "bl_number": "cosu-61234567",
    "issue_date": "2 March 2026",
    "platform": "WAVE BL",
    "control_reference": "W-9",
}


def test_invoice_canonical_values():
    fields = canonical_invoice(INVOICE)
    assert fields.issuer_registration_number == "12345678"
    assert fields.buyer_name == "pearl river trading"
    assert fields.invoice_number == "INV42"
    assert str(fields.amount) == "1234.50"
    assert (fields.issue_date, fields.due_date) == (date(2026, 3, 1), date(2026, 5, 31))


def test_spelling_variants_of_one_invoice_share_a_fingerprint():
    first, second = canonical_invoice(INVOICE), canonical_invoice(INVOICE_VARIANT)
    assert fingerprint(first) == fingerprint(second)
    assert len(fingerprint(first)) == 32
    assert fingerprint_hex(first) == "0x" + fingerprint(first).hex()
    # The optional buyer registration number is recorded but does not change the fingerprint.
    assert second.buyer_registration_number == "91440300MA5F0X"


def test_spelling_variants_of_one_bill_share_a_fingerprint_across_platforms():
    first, second = canonical_bill_of_lading(BILL), canonical_bill_of_lading(BILL_VARIANT)
    assert (first.platform, second.platform) == ("essdocs", "wave_bl")
    assert fingerprint(first) == fingerprint(second)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("amount", "1,234.51"),
        ("invoice_number", "INV-0043"),
        ("invoice_number", "INV-420"),
        ("issue_date", "2 Mar 2026"),
        ("due_date", "2026-06-01"),
        ("currency", "USD"),
        ("issuer_registration_number", "12345679"),
        ("buyer_name", "Pearl Delta Trading Ltd"),
    ],
)
def test_a_changed_invoice_fact_changes_the_fingerprint(field, value):
    raw = {**INVOICE, field: value}
    if field == "currency":
        raw["amount"] = "1,234.50"
    assert fingerprint(canonical_invoice(raw)) != fingerprint(canonical_invoice(INVOICE))


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("carrier", "Evergreen Marine"),
        ("vessel", "Cosco Harmony II"),
        ("port_of_loading", "Hong Kong"),
        ("port_of_discharge", "Hamburg"),
        ("bl_number", "COSU 0061234568"),
        ("issue_date", "2026-03-03"),
    ],
)
def test_a_changed_bill_fact_changes_the_fingerprint(field, value):
    assert fingerprint(canonical_bill_of_lading({**BILL, field: value})) != fingerprint(
        canonical_bill_of_lading(BILL)
    )


def test_invoice_and_bill_encodings_cannot_collide():
    invoice, bill = encoding(canonical_invoice(INVOICE)), encoding(canonical_bill_of_lading(BILL))
    assert invoice.startswith(b"\x00\x00\x00\x10trade-document/1\x00\x00\x00\x07invoice")
    assert bill.startswith(b"\x00\x00\x00\x10trade-document/1\x00\x00\x00\x0ebill_of_lading")


def test_length_prefixes_keep_field_boundaries():
    # "ab" + "c" and "a" + "bc" would concatenate alike without the prefixes.
    one = canonical_bill_of_lading({**BILL, "carrier": "ab", "vessel": "c harmony"})
    two = canonical_bill_of_lading({**BILL, "carrier": "ab c", "vessel": "harmony"})
    assert fingerprint(one) != fingerprint(two)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-03-01", date(2026, 3, 1)),
        ("2026/3/1", date(2026, 3, 1)),
        ("2026年3月1日", date(2026, 3, 1)),
        ("01/03/2026", date(2026, 3, 1)),
        ("1.3.2026", date(2026, 3, 1)),
        ("1 Mar 2026", date(2026, 3, 1)),
        ("1st March 2026", date(2026, 3, 1)),
        ("March 1, 2026", date(2026, 3, 1)),
        ("２０２６－０３－０１", date(2026, 3, 1)),
        ("29/02/2028", date(2028, 2, 29)),
    ],
)
def test_date_forms(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("03/15/2026", "month/day/year"),
        ("1/3/26", "four digits"),
        ("31/02/2026", "does not exist"),
        ("29/02/2026", "does not exist"),
        ("next tuesday", "such as"),
        ("1 Smarch 2026", "such as"),
        ("2026-03-01T10:00", "such as"),
        ("1850-01-01", "between"),
    ],
)
def test_bad_or_ambiguous_dates_are_refused(text, reason):
    with pytest.raises(ValueError, match=reason):
        parse_date(text)


@pytest.mark.parametrize(
    ("amount", "currency", "expected"),
    [
        ("1,234.50", "HKD", "1234.50"),
        ("1234.5", "HKD", "1234.50"),
        ("HKD 1,234.50", "HKD", "1234.50"),
        ("HK$1,234.50", "HKD", "1234.50"),
        ("1,234.50 HKD", "HKD", "1234.50"),
        ("１，２３４．５０", "HKD", "1234.50"),
        ("RMB 88", "CNY", "88.00"),
        ("1000000", "USD", "1000000.00"),
    ],
)
def test_amount_forms(amount, currency, expected):
    fields = canonical_invoice({**INVOICE, "amount": amount, "currency": currency})
    assert str(fields.amount) == expected


@pytest.mark.parametrize(
    ("changes", "field", "reason"),
    [
        ({"amount": "1.234,50"}, "amount", "1,234.50"),
        ({"amount": "12,34.50"}, "amount", "1,234.50"),
        ({"amount": "1234.505"}, "amount", "at most 2 decimal places"),
        ({"amount": "0"}, "amount", "more than zero"),
        ({"amount": "-5"}, "amount", "more than zero"),
        ({"amount": "1e5"}, "amount", "1,234.50"),
        ({"amount": "NaN"}, "amount", "1,234.50"),
        ({"amount": "9" * 16}, "amount", "too large"),
        ({"amount": "USD 10"}, "amount", "written in USD"),
        ({"currency": "EUR"}, "currency", "CNY, HKD, MOP, USD"),
        ({"issuer_registration_number": "1234"}, "issuer_registration_number", "8 digits"),
        ({"issuer_jurisdiction": "XX"}, "issuer_jurisdiction", "jurisdiction"),
        ({"invoice_number": " -- "}, "invoice_number", "letters or digits"),
        ({"invoice_number": ""}, "invoice_number", "required"),
        ({"buyer_name": " ., "}, "buyer_name", "letters"),
        ({"due_date": "2026-02-01"}, "due_date", "before the issue date"),
        ({"due_date": "05/31/2026"}, "due_date", "month/day/year"),
        ({"invoice_number": "x" * 201}, "invoice_number", "At most 200"),
        ({"invoice_number": "A\x00B"}, "invoice_number", "not allowed"),
        ({"invoice_number": 42}, "invoice_number", "Enter text"),
    ],
)
def test_bad_invoice_fields_are_named(changes, field, reason):
    with pytest.raises(ValidationFailed) as caught:
        canonical_invoice({**INVOICE, **changes})
    assert list(caught.value.fields) == [field]
    assert reason in caught.value.fields[field][0]


def test_every_bad_field_is_reported_at_once():
    with pytest.raises(ValidationFailed) as caught:
        canonical_bill_of_lading({"platform": "TradeLens", "issue_date": "13/13/2026"})
    assert set(caught.value.fields) == {
        "carrier",
        "vessel",
        "port_of_loading",
        "port_of_discharge",
        "bl_number",
        "issue_date",
        "platform",
        "control_reference",
    }
    assert "approved" in caught.value.fields["platform"][0]


def test_mainland_issuer_registration_is_checked_by_its_rule():
    fields = canonical_invoice(
        {**INVOICE, "issuer_jurisdiction": "CN-SZ", "issuer_registration_number": "9144 0300 MA5F 0000 0X"}
    )
    assert fields.issuer_registration_number == "91440300MA5F00000X"
    same_in_another_city = canonical_invoice(
        {**INVOICE, "issuer_jurisdiction": "CN-GZ", "issuer_registration_number": "91440300MA5F00000X"}
    )
    assert fingerprint(fields) == fingerprint(same_in_another_city)


def test_unknown_kind_is_refused():
    with pytest.raises(ValidationFailed) as caught:
        canonical("cheque", {})
    assert "kind" in caught.value.fields


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Acme Ltd.", "acme"),
        ("ACME LIMITED", "acme"),
        ("Acme Co., Ltd", "acme"),
        ("香港 貿易 有限公司", "香港貿易"),
        ("深圳市前海贸易股份有限公司", "深圳市前海贸易"),
        ("Limited", "limited"),
        ("Ｓｈｅｎｚｈｅｎ　Ｗｉｄｇｅｔｓ", "shenzhen widgets"),
    ],
)
def test_names(raw, expected):
    assert name(raw) == expected


def test_vessel_prefix_is_dropped_only_for_vessels():
    assert name("M/V Ever Given", vessel=True) == name("MV EVER GIVEN", vessel=True) == "ever given"
    assert name("MV Holdings") == "mv holdings"


# --- properties ---------------------------------------------------------------------------------

_FULL_WIDTH = {chr(c): chr(c + 0xFEE0) for c in range(0x21, 0x7F)}


def _respell(text: str, draw) -> str:  # type: ignore[no-untyped-def]
    out = []
    for char in text:
        choice = draw(st.integers(0, 3))
        if choice == 1:
            char = char.swapcase()
        elif choice == 2:
            char = _FULL_WIDTH.get(char, char)
        out.append(char)
    return "".join(out)


@st.composite
def invoice_number_variants(draw):  # type: ignore[no-untyped-def]
    parts = draw(
        st.lists(st.from_regex(r"[A-Za-z]{1,4}|[1-9][0-9]{0,5}", fullmatch=True), min_size=1, max_size=4)
    )
    spelled = []
    for part in parts:
        if part.isdigit():
            part = "0" * draw(st.integers(0, 3)) + part
        spelled.append(_respell(part, draw))
    separators = st.sampled_from(["", "-", " ", "/", ".", "－", "  ", "_"])
    joined = ""
    for index, part in enumerate(spelled):
        separator = draw(separators)
        # Two numbers written together are one number: their zeros are not leading.
        if not separator and index + 1 < len(parts) and parts[index].isdigit() and parts[index + 1].isdigit():
            separator = "-"
        joined += part + separator
    return "-".join(parts), draw(separators) + joined


@settings(max_examples=200, deadline=None)
@given(invoice_number_variants())
def test_any_spelling_of_an_invoice_number_gives_the_same_fingerprint(variant):
    plain, spelled = variant
    assert identifier(spelled) == identifier(plain)
    first = canonical_invoice({**INVOICE, "invoice_number": plain})
    second = canonical_invoice({**INVOICE, "invoice_number": spelled})
    assert fingerprint(first) == fingerprint(second)


@st.composite
def buyer_variants(draw):  # type: ignore[no-untyped-def]
    words = draw(st.lists(st.from_regex(r"[a-z]{2,8}", fullmatch=True), min_size=1, max_size=3))
    suffix = draw(st.sampled_from(["", " Ltd", " Ltd.", " Limited", " Co., Ltd.", " Company Limited"]))
    spaces = st.sampled_from([" ", "  ", "\u3000", " , "])
    spelled = (
        draw(spaces).join(_respell(w, draw) for w in words) + suffix + draw(st.sampled_from(["", " ", "."]))
    )
    return " ".join(words), spelled


@settings(max_examples=200, deadline=None)
@given(buyer_variants())
def test_any_spelling_of_a_buyer_gives_the_same_fingerprint(variant):
    plain, spelled = variant
    first = canonical_invoice({**INVOICE, "buyer_name": plain})
    second = canonical_invoice({**INVOICE, "buyer_name": spelled})
    assert fingerprint(first) == fingerprint(second)


@settings(max_examples=200, deadline=None)
@given(
    st.decimals(min_value=Decimal("0.01"), max_value=Decimal("999999999.99"), places=2),
    st.sampled_from(["{:,}", "{}", "HKD {:,}", "HK${}", "{:,} HKD"]),
    st.booleans(),
)
def test_any_spelling_of_an_amount_gives_the_same_amount(amount, template, full_width):
    text = template.format(amount)
    if full_width:
        text = "".join(_FULL_WIDTH.get(c, c) for c in text)
    assert canonical_invoice({**INVOICE, "amount": text}).amount == amount


@settings(max_examples=200, deadline=None)
@given(
    st.decimals(min_value=Decimal("0.01"), max_value=Decimal("999999999.99"), places=2), st.integers(1, 99)
)
def test_a_different_amount_gives_a_different_fingerprint(amount, cents):
    one = canonical_invoice({**INVOICE, "amount": str(amount)})
    other = canonical_invoice({**INVOICE, "amount": str(amount + Decimal(cents) / 100)})
    assert fingerprint(one) != fingerprint(other)


@settings(max_examples=200, deadline=None)
@given(st.dates(min_value=date(1990, 1, 1), max_value=date(2100, 12, 31)), st.integers(1, 400))
def test_every_date_form_reads_the_same_day_and_other_days_differ(day, shift):
    forms = [
        day.isoformat(),
        day.strftime("%d/%m/%Y"),
        f"{day.day} {day.strftime('%b %Y')}",
        f"{day.strftime('%B')} {day.day}, {day.year}",
        f"{day.year}年{day.month}月{day.day}日",
        "".join(_FULL_WIDTH.get(c, c) for c in day.isoformat()),
    ]
    assert {parse_date(form) for form in forms} == {day}
    other = day.fromordinal(day.toordinal() + shift)
    if other.year <= 2100:
        base = canonical_bill_of_lading({**BILL, "issue_date": day.isoformat()})
        moved = canonical_bill_of_lading({**BILL, "issue_date": other.isoformat()})
        assert fingerprint(base) != fingerprint(moved)
