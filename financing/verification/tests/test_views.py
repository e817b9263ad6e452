"""The public verification page: no log-in, three ways to ask, the chain's answer in plain words."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tokens.choices import WalletKind
from tokens.selectors import platform_wallet

from .conftest import example, fingerprint_of
from .test_api import VARIANT
from .test_files import UBL

URL = "/verify/"


def _fields(kind: str = "invoice", **changes: str) -> dict[str, str]:
    return {"mode": "fields", "kind": kind, **example(kind), **changes}


def test_the_page_opens_without_log_in_and_is_linked_from_every_page(db):
    page = Client().get(URL)
    assert page.status_code == 200
    text = page.content.decode()
    assert "Verify a trade document" in text
    assert 'name="invoice_number"' in text
    assert 'href="/verify/"' in Client().get("/accounts/login/").content.decode()
    bill = Client().get(URL, {"kind": "bill_of_lading"}).content.decode()
    assert 'name="bl_number"' in bill
    assert 'name="invoice_number"' not in bill


def test_a_registered_invoice_shows_when_by_whom_and_its_status(registered_invoice, chain):
    page = Client().post(URL, _fields(**{**VARIANT, "issuer_jurisdiction": "HK"}))
    text = page.content.decode()
    assert page.status_code == 200
    assert "Registered for financing on this platform" in text
    assert "Financed" in text
    assert "(HKT, UTC+0800)" in text
    assert platform_wallet(WalletKind.REGISTRAR).address in text
    assert "This platform's registrar key" in text
    assert "0x" + fingerprint_of("invoice", example()).hex() in text
    assert "Local development chain (anvil)" in text


def test_an_unknown_document_says_no_financing_is_registered_here(platform):
    text = Client().post(URL, _fields(invoice_number="INV-9")).content.decode()
    assert "No financing of this document is registered here." in text
    assert "this platform only" in text


def test_the_answer_never_shows_more_than_the_visitor_typed(registered_invoice, settings):
    settings.CHAIN_EXPLORER_ADDRESS_URL = "https://explorer.example/address/{address}"
    fingerprint = "0x" + fingerprint_of("invoice", example()).hex()
    text = Client().get(URL, {"fingerprint": fingerprint}).content.decode()
    assert "Registered for financing on this platform" in text
    answer = text.split('id="answer"')[1].split("</section>")[0]
    assert "Pearl River" not in answer
    assert "125" not in answer.replace(fingerprint, "").replace(
        platform_wallet(WalletKind.REGISTRAR).address, ""
    )
    assert f"https://explorer.example/address/{platform_wallet(WalletKind.REGISTRAR).address}" in text


def test_data_files_json_and_ubl_work_on_the_page(registered_invoice):
    client = Client()
    for name, content in [("i.xml", UBL), ("i.json", json.dumps(example()))]:
        page = client.post(
            URL, {"mode": "file", "kind": "invoice", "file": SimpleUploadedFile(name, content.encode())}
        )
        assert page.status_code == 200
        assert "Registered for financing on this platform" in page.content.decode(), name


def test_the_example_file_downloads_and_verifies(platform):
    download = Client().get("/verify/example/invoice.json")
    assert download["Content-Disposition"] == 'attachment; filename="invoice-example.json"'
    page = Client().post(
        URL, {"mode": "file", "kind": "invoice", "file": SimpleUploadedFile("x.json", download.content)}
    )
    assert "No financing of this document is registered here." in page.content.decode()
    assert Client().get("/verify/example/receipt.json").status_code == 404


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (_fields(due_date="03/15/2026"), "month/day/year"),
        (_fields(amount="-5"), "more than zero"),
        (_fields(invoice_number=""), "This field is required."),
        ({"mode": "file", "kind": "invoice"}, "This field is required."),
    ],
)
def test_bad_input_is_a_400_with_the_reason_in_plain_words(platform, data, message):
    page = Client().post(URL, data)
    assert page.status_code == 400
    assert message in page.content.decode()


def test_a_bad_file_names_the_fields_it_lacks(platform):
    content = json.dumps({**example(), "due_date": "03/15/2026"}).encode()
    upload = SimpleUploadedFile("i.json", content)
    page = Client().post(URL, {"mode": "file", "kind": "invoice", "file": upload})
    assert page.status_code == 400
    assert "due_date: This looks like month/day/year" in page.content.decode()


def test_a_bad_fingerprint_is_a_400(platform):
    page = Client().get(URL, {"fingerprint": "0xnot-hex"})
    assert page.status_code == 400
    assert "64 hexadecimal digits" in page.content.decode()


def test_the_page_past_the_rate_answers_the_friendly_page(platform, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "verify": "2/minute"}
    client = Client()
    answers = [client.post(URL, _fields()) for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 429]
    assert "Please wait a moment" in answers[-1].content.decode()
    assert int(answers[-1]["Retry-After"]) >= 1
    assert client.get(URL).status_code == 200  # the blank page is not a lookup


def test_the_chain_down_is_a_clear_503_page(platform, settings):
    settings.CHAIN_RPC_URL = "http://127.0.0.1:9"
    page = Client().post(URL, _fields())
    assert page.status_code == 503
    assert "Verification is not available right now" in page.content.decode()


def test_an_sme_financed_invoice_answers_registered_without_naming_the_sme_or_the_amount(platform):
    from financing.trade.tests.test_trade_flow import financed, invoice_respelled
    from tests import flows

    officer, operator = flows.officer(), flows.operator()
    company = flows.verified_company(by=officer, name="Lantau Components Limited")
    financed(officer, operator, company)
    typed = {**invoice_respelled(company), "issuer_jurisdiction": "HK", "amount": "60,000"}

    page = Client().post(URL, {"mode": "fields", "kind": "invoice", **typed})
    text = page.content.decode()
    assert "Registered for financing on this platform" in text
    assert "Financed" in text
    assert "Lantau" not in text
    api = Client().get(f"/api/v1/verify/{page.context['answer'].fingerprint}/").json()
    assert (api["registered"], api["status"], api["fields_read"]) == (True, "financed", {})
    assert "Lantau" not in json.dumps(api)
