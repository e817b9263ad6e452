"""The public verification API answers from the chain, for anyone, within the rate limits."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from financing.verification import selectors
from tokens.choices import ContractKind, WalletKind
from tokens.selectors import platform_contract, platform_wallet

from .conftest import example, fingerprint_of, register, registry_write
from .test_files import UBL

VARIANT = {
    "issuer_jurisdiction": "hk",
    "issuer_registration_number": "".join(chr(ord(digit) + 0xFEE0) for digit in "12345678"),  # full width
    "buyer_name": "PEARL RIVER TRADING COMPANY LIMITED",
    "buyer_registration_number": "91440300 ma5example",
    "invoice_number": "inv 2026 42",
    "amount": "HKD 125000",
    "currency": "hkd",
    "issue_date": "01/03/2026",
    "due_date": "30 May 2026",
}


def _post(client: Client, body: dict, **extra) -> object:
    return client.post("/api/v1/verify/", json.dumps(body), content_type="application/json", **extra)


@pytest.fixture
def chain_reads(monkeypatch):
    """Counts the chain reads of registrations (each still goes to the real chain)."""
    calls: list[bytes] = []
    real = selectors.registration_of

    def counted(fingerprint):
        calls.append(fingerprint)
        return real(fingerprint)

    monkeypatch.setattr(selectors, "registration_of", counted)
    return calls


def test_a_registered_invoice_answers_registered_with_its_time_status_and_registrar_from_the_chain(
    registered_invoice, chain
):
    answer = _post(Client(), {"kind": "invoice", **example()})

    assert answer.status_code == 200
    body = answer.json()
    block = chain.eth.get_block(registered_invoice.block_number)
    assert body["registered"] is True
    assert body["status"] == "financed"
    assert datetime.fromisoformat(body["registered_at"]) == datetime.fromtimestamp(block.timestamp, tz=UTC)
    assert body["registered_at"].endswith("+08:00")  # shown in Hong Kong time, with its offset
    assert body["registrant"] == platform_wallet(WalletKind.REGISTRAR).address
    assert body["registrant_is_platform"] is True
    assert body["chain"]["contract_address"] == platform_contract(ContractKind.DOCUMENT_REGISTRY).address
    assert body["chain"]["id"] == 31337
    assert body["fingerprint"] == "0x" + fingerprint_of("invoice", example()).hex()
    assert body["kind"] == "invoice"
    assert "registered for financing here" in body["detail"]


def test_spelling_variants_of_the_same_invoice_give_the_same_answer(registered_invoice):
    client = Client()
    first = _post(client, {"kind": "invoice", **example()}).json()
    second = _post(client, {"kind": "invoice", **VARIANT}).json()
    assert second["registered"] is True
    assert (second["fingerprint"], second["registered_at"]) == (first["fingerprint"], first["registered_at"])


def test_an_unknown_document_is_not_registered_and_says_so_plainly(platform):
    body = _post(Client(), {"kind": "invoice", **example(), "invoice_number": "INV-2026-0043"}).json()
    assert body["registered"] is False
    assert body["detail"] == "No financing of this document is registered here."
    assert "this platform only" in body["scope"]
    assert (body["status"], body["registered_at"], body["registrant"]) == (None, None, None)


def test_a_released_and_a_withdrawn_document_answer_their_status(platform):
    invoice, bill = example("invoice"), example("bill_of_lading")
    register("invoice", invoice)
    register("bill_of_lading", bill, reference=8)
    registry_write("releaseDocument", fingerprint_of("invoice", invoice), key="release")
    registry_write("withdrawDocument", fingerprint_of("bill_of_lading", bill), key="withdraw")

    client = Client()
    released = _post(client, {"kind": "invoice", **invoice}).json()
    withdrawn = _post(client, {"kind": "bill_of_lading", **bill}).json()
    assert (released["registered"], released["status"]) == (True, "released")
    assert "repaid and released" in released["detail"]
    assert (withdrawn["registered"], withdrawn["status"]) == (True, "withdrawn")


def test_a_fingerprint_is_looked_up_and_the_answer_names_its_kind_from_the_chain(registered_invoice):
    fingerprint = "0x" + fingerprint_of("invoice", example()).hex()
    body = Client().get(f"/api/v1/verify/{fingerprint}/").json()
    assert (body["registered"], body["kind"], body["fields_read"]) == (True, "invoice", {})
    unknown = Client().get(f"/api/v1/verify/0x{'ab' * 32}/").json()
    assert unknown["registered"] is False


def test_a_ubl_invoice_and_a_json_data_file_are_read_from_multipart(registered_invoice):
    client = Client()
    for name, content in [("invoice.xml", UBL), ("invoice.json", json.dumps(example_with_kind()))]:
        answer = client.post(
            "/api/v1/verify/", {"kind": "invoice", "file": SimpleUploadedFile(name, content.encode())}
        )
        assert answer.status_code == 200, answer.content
        assert answer.json()["registered"] is True, name


def example_with_kind() -> dict[str, str]:
    return {"kind": "invoice", **example()}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kind": "invoice", **example(), "due_date": "03/15/2026"}, "due_date"),
        ({"kind": "invoice", **example(), "amount": "12.345"}, "amount"),
        ({"kind": "invoice", **example(), "invoice_number": ""}, "invoice_number"),
        ({"kind": "invoice", **example(), "carrier": "Orient"}, "carrier"),
        ({"kind": "receipt", **example()}, "kind"),
        ({"kind": "bill_of_lading", **example("bill_of_lading"), "platform": "fax"}, "platform"),
    ],
)
def test_bad_fields_are_a_400_naming_the_field_and_read_nothing(platform, chain_reads, body, field):
    answer = _post(Client(), body)
    assert answer.status_code == 400
    assert answer.json()[field]
    assert chain_reads == []


def test_a_bad_file_or_fingerprint_is_a_400_with_a_message(platform, chain_reads):
    client = Client()
    bad_file = client.post(
        "/api/v1/verify/", {"kind": "invoice", "file": SimpleUploadedFile("x.json", b"{broken")}
    )
    assert bad_file.status_code == 400
    assert "not valid JSON" in bad_file.json()["file"][0]
    missing = client.post("/api/v1/verify/", {"kind": "invoice"})
    assert (missing.status_code, list(missing.json())) == (400, ["file"])
    bad_fingerprint = client.get("/api/v1/verify/0x1234/")
    assert bad_fingerprint.status_code == 400
    assert bad_fingerprint.json()["fingerprint"]
    assert chain_reads == []


def test_the_request_past_the_rate_is_refused_with_retry_after_and_reads_nothing(
    platform, settings, chain_reads
):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "verify": "3/minute"}
    client = Client()
    answers = [_post(client, {"kind": "invoice", **example()}) for _ in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert int(answers[-1]["Retry-After"]) >= 1
    assert "Try again in" in answers[-1].json()["detail"]
    assert len(chain_reads) == 3
    # Another address still gets its answers.
    assert _post(client, {"kind": "invoice", **example()}, REMOTE_ADDR="198.51.100.4").status_code == 200


def test_guessing_many_documents_is_limited_but_asking_again_is_not(platform, settings, chain_reads):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "verify-documents": "2/hour"}
    client = Client()
    guesses = [{"kind": "invoice", **example(), "amount": f"{amount}.00"} for amount in (100, 200, 300)]
    assert [_post(client, guess).status_code for guess in guesses] == [200, 200, 429]
    assert _post(client, guesses[0]).status_code == 200
    assert len(chain_reads) == 3


def test_the_chain_down_is_a_503_and_nothing_else(platform, settings):
    settings.CHAIN_RPC_URL = "http://127.0.0.1:9"  # nothing listens there
    answer = _post(Client(), {"kind": "invoice", **example()})
    assert answer.status_code == 503
    assert set(answer.json()) == {"detail", "code"}


def test_a_signed_in_user_without_a_csrf_token_is_answered_too(registered_invoice):
    from accounts.tests.factories import UserFactory

    client = Client(enforce_csrf_checks=True)
    client.force_login(UserFactory())
    assert _post(client, {"kind": "invoice", **example()}).status_code == 200
