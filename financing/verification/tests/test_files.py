"""A document's data file is read into the fields a person would type: JSON and UBL 2.1 invoices."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from config.errors import ValidationFailed
from financing.trade.fingerprint import fingerprint
from financing.trade.normalise import canonical_invoice
from financing.verification.files import example_file, fields_from_file

UBL = """<?xml version="1.0" encoding="UTF-8"?>
<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
         xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
         xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">
  <cbc:UBLVersionID>2.1</cbc:UBLVersionID>
  <cbc:ID>INV-2026-0042</cbc:ID>
  <cbc:IssueDate>2026-03-01</cbc:IssueDate>
  <cbc:DueDate>2026-05-30</cbc:DueDate>
  <cbc:InvoiceTypeCode>380</cbc:InvoiceTypeCode>
  <cbc:DocumentCurrencyCode>HKD</cbc:DocumentCurrencyCode>
  <cac:AccountingSupplierParty><cac:Party>
    <cac:PartyName><cbc:Name>Lantau Components Limited</cbc:Name></cac:PartyName>
    <cac:PostalAddress><cac:Country><cbc:IdentificationCode>HK</cbc:IdentificationCode></cac:Country></cac:PostalAddress>
    <cac:PartyLegalEntity><cbc:RegistrationName>Lantau Components Limited</cbc:RegistrationName>
      <cbc:CompanyID>12345678</cbc:CompanyID></cac:PartyLegalEntity>
  </cac:Party></cac:AccountingSupplierParty>
  <cac:AccountingCustomerParty><cac:Party>
    <cac:PartyName><cbc:Name>PEARL RIVER TRADING CO LTD</cbc:Name></cac:PartyName>
    <cac:PartyLegalEntity><cbc:RegistrationName>Pearl River Trading Co., Ltd.</cbc:RegistrationName>
      <cbc:CompanyID>91440300MA5EXAMPLE</cbc:CompanyID></cac:PartyLegalEntity>
  </cac:Party></cac:AccountingCustomerParty>
  <cac:LegalMonetaryTotal>
    <cbc:LineExtensionAmount currencyID="HKD">125000.00</cbc:LineExtensionAmount>
    <cbc:PayableAmount currencyID="HKD">125000.00</cbc:PayableAmount>
  </cac:LegalMonetaryTotal>
</Invoice>
"""


def _file(content: str | bytes, name: str = "invoice.json") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content.encode() if isinstance(content, str) else content)


def _refusal(kind: str, content: str | bytes) -> str:
    with pytest.raises(ValidationFailed) as refused:
        fields_from_file(kind=kind, upload=_file(content))
    return " ".join(refused.value.fields["file"])


def test_a_ubl_invoice_gives_the_same_fingerprint_as_its_json_file():
    from_xml = fields_from_file(kind="invoice", upload=_file(UBL, "invoice.xml"))
    from_json = fields_from_file(kind="invoice", upload=_file(json.dumps(example_file("invoice"))))
    assert from_xml["issuer_jurisdiction"] == "HK"
    assert from_xml["buyer_name"] == "Pearl River Trading Co., Ltd."
    assert (from_xml["amount"], from_xml["currency"]) == ("125000.00", "HKD")
    assert fingerprint(canonical_invoice(from_xml)) == fingerprint(canonical_invoice(from_json))


def test_json_numbers_are_read_as_written_never_through_a_float():
    text = json.dumps({**example_file("invoice"), "amount": "x"}).replace('"x"', "125000.50")
    assert fields_from_file(kind="invoice", upload=_file(text))["amount"] == "125000.50"
    digits = "0.1000000000000000055511151231257827"
    assert (
        fields_from_file(kind="invoice", upload=_file(text.replace("125000.50", digits)))["amount"] == digits
    )


@pytest.mark.parametrize(
    ("kind", "content", "message"),
    [
        ("invoice", "", "empty"),
        ("invoice", "{not json", "not valid JSON"),
        ("invoice", "[1, 2]", "one object"),
        ("invoice", '{"invoice_no": "1"}', "Unknown field"),
        ("invoice", '{"invoice_number": "1", "invoice_number": "2"}', "appears twice"),
        ("invoice", '{"kind": "bill_of_lading"}', "you chose"),
        ("invoice", '{"amount": NaN}', "not valid JSON"),
        ("invoice", "plain text", "Upload a JSON file"),
        ("invoice", b"\xff\xfe{", "Upload a JSON file"),
        ("bill_of_lading", UBL, "invoices only"),
        ("invoice", "<Invoice><unclosed></Invoice>", "well-formed"),
        ("invoice", '<?xml version="1.0"?><Order xmlns="urn:x"/>', "not a UBL 2.1 Invoice"),
        (
            "invoice",
            '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>',
            "DTD or entities",
        ),
    ],
)
def test_a_bad_file_is_refused_with_a_message_naming_the_problem(kind, content, message):
    assert message in _refusal(kind, content)


def test_a_file_over_the_size_limit_is_refused(settings):
    settings.VERIFY_FILE_MAX_BYTES = 1024
    assert "at most" in _refusal("invoice", "{" + " " * 2000 + "}")


def test_the_example_files_are_valid_documents():
    from financing.trade.normalise import canonical

    for kind in ("invoice", "bill_of_lading"):
        fields = fields_from_file(kind=kind, upload=_file(json.dumps(example_file(kind))))
        canonical(kind, fields)
