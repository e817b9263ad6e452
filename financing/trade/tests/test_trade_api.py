"""The SME's trade-document API: add, list, correct, remove on a draft; field errors are 400s that change
nothing; a document already financed on chain is refused naming when; documents show on the application."""

from __future__ import annotations

import json

from django.test import Client

from financing.choices import TradeDocumentStatus
from financing.models import Application, TradeDocument
from financing.trade.tests.test_trade_flow import BILL, BILL_RESPELLED, draft_trade, financed, invoice
from tests import flows


def _post(client: Client, url: str, body: object) -> tuple[int, dict]:
    response = client.post(url, json.dumps(body), content_type="application/json")
    return response.status_code, response.json() if response.content else {}


def test_an_sme_adds_lists_corrects_and_removes_trade_documents(platform) -> None:
    officer = flows.officer()
    company = flows.verified_company(by=officer)
    application = draft_trade(company)
    client = Client()
    client.force_login(company.representative)
    url = f"/api/v1/applications/{application.pk}/trade-documents/"

    status, body = _post(client, url, {"kind": "invoice", **invoice(company)})
    assert status == 201, body
    assert body["status"] == TradeDocumentStatus.DRAFT
    assert body["canonical_fields"]["invoice_number"] == "INV42"
    assert len(body["fingerprint"]) == 66
    status, bill = _post(client, url, {"kind": "bill_of_lading", **BILL, "value": "HKD 40,000"})
    assert status == 201, bill
    assert (bill["ebl_platform"], bill["face_value"]) == ("essdocs", "40000.00")

    listed = client.get(url).json()
    assert listed["count"] == 2
    detail = client.get(f"/api/v1/applications/{application.pk}/").json()
    assert [d["kind"] for d in detail["trade_documents"]] == ["invoice", "bill_of_lading"]

    # Field errors: a 400 naming the field, nothing changed.
    before = list(TradeDocument.objects.values_list("pk", "fingerprint", "face_value"))
    status, refused = _post(client, url, {"kind": "invoice", **invoice(company, due_date="05/31/2026")})
    assert status == 400
    assert "month/day/year" in refused["due_date"][0]
    status, refused = _post(client, url, {"kind": "bill_of_lading", **BILL_RESPELLED, "value": "1"})
    assert status == 400
    assert "already on this application" in refused["detail"]
    status, refused = _post(client, url, {"kind": "cheque"})
    assert status == 400
    assert "kind" in refused
    response = client.put(
        f"/api/v1/trade-documents/{bill['id']}/",
        json.dumps({**BILL, "value": "forty thousand"}),
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "value" in response.json()
    assert list(TradeDocument.objects.values_list("pk", "fingerprint", "face_value")) == before

    response = client.put(
        f"/api/v1/trade-documents/{bill['id']}/",
        json.dumps({**BILL, "bl_number": "COSU 0061234999", "value": "45000"}),
        content_type="application/json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["face_value"] == "45000.00"
    assert client.delete(f"/api/v1/trade-documents/{bill['id']}/").status_code == 204
    assert client.get(url).json()["count"] == 1


def test_the_api_refuses_a_document_financed_on_chain_and_staff_read_documents_once_submitted(
    platform,
) -> None:
    officer, operator = flows.officer(), flows.operator()
    first = flows.verified_company(by=officer, name="Lantau Components Limited")
    second = flows.verified_company(by=officer, name="Tsing Yi Traders Limited")
    offering = financed(officer, operator, first)
    TradeDocument.objects.filter(application=offering.application).update(
        status=TradeDocumentStatus.DISCARDED
    )
    application = draft_trade(second)
    client = Client()
    client.force_login(second.representative)
    status, refused = _post(
        client,
        f"/api/v1/applications/{application.pk}/trade-documents/",
        {"kind": "bill_of_lading", **BILL_RESPELLED, "value": "40000"},
    )
    assert status == 400
    assert refused["code"] == "AlreadyFinanced"
    assert "registered on chain on" in refused["detail"]
    assert not TradeDocument.objects.filter(application=application).exists()

    staff = Client()
    staff.force_login(officer)
    documents = staff.get(f"/api/v1/applications/{offering.application_id}/trade-documents/").json()
    assert documents["count"] == 2
    assert all(d["registration_tx_hash"] for d in documents["results"])
    assert all(d["registered_at"] for d in documents["results"])
    # An application still in draft is the SME's alone.
    assert staff.get(f"/api/v1/applications/{application.pk}/trade-documents/").status_code == 404
    assert Application.objects.get(pk=application.pk).status == "draft"
