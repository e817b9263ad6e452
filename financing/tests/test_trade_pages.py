"""Pages of trade finance: the SME adds and removes invoices and bills of lading on a draft, a document
already financed is refused next to the fields with what was typed kept, the officer reads the documents
with the registry's answer, and investors see what backs an offering."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.apps import apps
from django.urls import reverse

from accounts.choices import Role
from accounts.tests.factories import UserFactory
from financing.choices import ApplicationStatus, Instrument, TradeDocumentStatus
from financing.models import Application, TradeDocument
from financing.services import application_save, application_submit
from financing.tests.test_views import verified_company
from financing.trade.fingerprint import fingerprint_hex
from financing.trade.normalise import canonical_invoice
from financing.trade.services import trade_document_add
from issuers.models import Company
from tests import flows

START = date.today() + timedelta(days=10)
MATURITY = START + timedelta(days=120)
DUE = START + timedelta(days=90)
ISSUED = date.today() - timedelta(days=5)

# The tables a refused post must leave as they were.
MODELS = ["financing.TradeDocument", "financing.Application", "compliance.AuditEvent"]


def _counts() -> dict[str, int]:
    return {name: apps.get_model(name).objects.count() for name in MODELS}


def draft_trade(company: Company, *, title: str = "Harbour receivables") -> Application:
    """A HKD 100,000 trade-finance draft of `company`, repaid 120 days after drawdown."""
    return application_save(
        user=company.representative,
        instrument="trade",
        title=title,
        currency="HKD",
        target_amount=Decimal("100000.00"),
        minimum_amount=Decimal("20000.00"),
        use_of_proceeds="Working capital until the buyers pay",
        terms={
            "unit_price": Decimal("1000.00"),
            "annual_rate": "0.08",
            "start_date": START,
            "maturity_date": MATURITY,
        },
    )


def invoice_post(company: Company, **changes: str) -> dict[str, str]:
    """The invoice form as the SME fills it in (day-month-year dates, as the page asks)."""
    data = {
        "issuer_jurisdiction": "HK",
        "issuer_registration_number": company.registration_number,
        "buyer_name": "Pearl River Trading Co., Ltd.",
        "buyer_registration_number": "",
        "invoice_number": "INV-0042",
        "currency": "HKD",
        "amount": "60000.00",
        "issue_date": ISSUED.strftime("%d/%m/%Y"),
        "due_date": DUE.strftime("%d/%m/%Y"),
        **changes,
    }
    return {f"invoice-{name}": value for name, value in data.items()}


BILL_POST = {
    "bl-carrier": "COSCO Shipping Lines Co., Ltd.",
    "bl-vessel": "M/V Cosco Harmony",
    "bl-port_of_loading": "Shenzhen, Yantian",
    "bl-port_of_discharge": "Rotterdam",
    "bl-bl_number": "COSU 0061234567",
    "bl-issue_date": "02/03/2026",
    "bl-value": "40000.00",
    "bl-platform": "essdocs",
    "bl-control_reference": "CD-000123",
}


def _add_url(application: Application, kind: str = "invoice") -> str:
    return reverse("financing:trade_document_add", args=[application.pk, kind])


def _page_url(application: Application) -> str:
    return reverse("financing:trade_documents", args=[application.pk])


# --- choosing trade finance ------------------------------------------------------------------------


def test_saving_a_trade_finance_application_leads_to_the_documents_step(client, db):
    company = verified_company()
    client.force_login(company.representative)

    form = client.get(reverse("financing:application_new"))
    answer = client.post(
        reverse("financing:application_new"),
        {
            "instrument": "trade",
            "title": "Harbour receivables",
            "currency": "HKD",
            "target_amount": "100000",
            "minimum_amount": "20000",
            "use_of_proceeds": "Working capital",
            "trade-unit_price": "1000",
            "trade-annual_rate": "8",
            "trade-start_date": START.strftime("%d/%m/%Y"),
            "trade-maturity_date": MATURITY.strftime("%d/%m/%Y"),
            "trade-business_day_convention": "modified_following",
            "trade-calendar": "HK",
        },
    )

    assert "Trade finance" in form.content.decode()
    application = Application.objects.get(company=company)
    assert application.instrument == Instrument.TRADE
    assert answer.status_code == 302
    assert answer.url == _page_url(application)
    page = client.get(answer.url).content.decode()
    assert "Add the invoice" in page
    assert "Add the bill of lading" in page
    assert "never the bill itself" in page


def test_the_live_preview_shows_one_repayment_of_principal_and_interest_at_maturity(client, db):
    company = verified_company()
    client.force_login(company.representative)

    answer = client.post(
        reverse("financing:schedule_preview"),
        {
            "instrument": "trade",
            "currency": "HKD",
            "target_amount": "100000",
            "trade-unit_price": "1000",
            "trade-annual_rate": "8",
            "trade-start_date": "15/01/2027",
            "trade-maturity_date": "30/06/2027",
            "trade-business_day_convention": "unadjusted",
            "trade-calendar": "HK",
        },
    )

    page = answer.content.decode()
    assert answer.status_code == 200
    assert "Repaid at maturity" in page
    assert "HK$103,638.36" in page  # 100,000 + 8% for 166 days (ACT/365), in one payment
    assert answer.context["schedule"].rows[0].date == date(2027, 6, 30)
    assert len(answer.context["schedule"].rows) == 1


def test_a_trade_finance_term_past_a_year_is_refused_on_the_form_and_nothing_is_saved(client, db):
    company = verified_company()
    client.force_login(company.representative)
    before = _counts()

    answer = client.post(
        reverse("financing:application_new"),
        {
            "instrument": "trade",
            "title": "Harbour receivables",
            "currency": "HKD",
            "target_amount": "100000",
            "minimum_amount": "20000",
            "use_of_proceeds": "Working capital",
            "trade-unit_price": "1000",
            "trade-annual_rate": "8",
            "trade-start_date": START.strftime("%d/%m/%Y"),
            "trade-maturity_date": (START + timedelta(days=400)).strftime("%d/%m/%Y"),
            "trade-business_day_convention": "modified_following",
            "trade-calendar": "HK",
        },
    )

    assert answer.status_code == 400
    assert "maturity_date" in answer.context["forms"].terms["trade"].errors
    assert _counts() == before


# --- adding and removing documents -------------------------------------------------------------------


def test_the_sme_adds_invoices_and_a_bill_of_lading_and_sees_each_fingerprint(client, platform):
    company = flows.verified_company(by=flows.officer())
    application = draft_trade(company)
    client.force_login(company.representative)

    first = client.post(_add_url(application), invoice_post(company))
    second = client.post(
        _add_url(application), invoice_post(company, invoice_number="INV-0043"), HTTP_HX_REQUEST="true"
    )
    bill = client.post(_add_url(application, "bill-of-lading"), BILL_POST, HTTP_HX_REQUEST="true")

    assert first.status_code == 302
    assert second.status_code == 200
    assert bill.status_code == 200
    documents = list(TradeDocument.objects.filter(application=application).order_by("pk"))
    assert [d.kind for d in documents] == ["invoice", "invoice", "bill_of_lading"]
    assert documents[2].face_value == Decimal("40000.00")
    assert documents[2].ebl_platform == "essdocs"
    assert documents[2].control_reference == "CD-000123"
    # htmx: a fresh invoice form keeps who issued it and to whom; the list comes out of band.
    swapped = second.content.decode()
    assert 'id="trade-documents"' in swapped
    assert 'hx-swap-oob="true"' in swapped
    assert 'value="Pearl River Trading Co., Ltd."' in swapped
    assert 'value="INV-0043"' not in swapped
    page = client.get(_page_url(application)).content.decode()
    for document in documents:
        assert document.fingerprint in page  # full, to copy
        assert document.fingerprint[:10] + "…" in page  # short, to read
        assert f"/verify/?fingerprint={document.fingerprint}" in page
    assert page.count("Not yet registered") == 3
    assert "Held on essDOCS CargoDocs, control reference CD-000123" in page
    assert "Face value HK$160,000.00 · raising HK$100,000.00" in page


def test_an_invoice_already_on_another_application_is_refused_beside_the_fields_with_the_input_kept(
    client, platform
):
    company = flows.verified_company(by=flows.officer())
    one, two = draft_trade(company, title="One"), draft_trade(company, title="Two")
    client.force_login(company.representative)
    assert client.post(_add_url(one), invoice_post(company)).status_code == 302
    before = _counts()

    # The same invoice, spelled another way.
    respelled = invoice_post(
        company, buyer_name="PEARL RIVER TRADING COMPANY LIMITED", invoice_number="inv 42", amount="60000"
    )
    answer = client.post(_add_url(two), respelled, HTTP_HX_REQUEST="true")

    assert answer.status_code == 400
    form = answer.context["form"]
    assert "already part of another financing application" in " ".join(form.non_field_errors())
    html = answer.content.decode()
    assert 'value="PEARL RIVER TRADING COMPANY LIMITED"' in html
    assert 'value="inv 42"' in html
    assert "data-swap-refusals" in html  # the page swaps this refused form in place
    assert _counts() == before


def test_an_invoice_financed_by_another_sme_is_refused_naming_when_the_chain_registered_it(client, platform):
    from financing.trade.tests.test_trade_flow import financed, invoice_respelled

    officer, operator = flows.officer(), flows.operator()
    first = flows.verified_company(by=officer, name="Lantau Components Limited")
    offering = financed(officer, operator, first)
    # Only the chain knows (another platform instance, a restored backup): the platform's rows are gone.
    TradeDocument.objects.filter(application=offering.application).update(
        status=TradeDocumentStatus.DISCARDED
    )
    second = flows.verified_company(by=officer, name="Tsing Yi Parts Limited")
    application = draft_trade(second)
    client.force_login(second.representative)
    before = _counts()

    typed = {f"invoice-{name}": value for name, value in invoice_respelled(first).items()}
    typed["invoice-issue_date"] = ISSUED.strftime("%d/%m/%Y")
    typed["invoice-amount"] = "60000"
    typed["invoice-currency"] = "HKD"
    typed["invoice-issuer_jurisdiction"] = "HK"
    answer = client.post(_add_url(application), typed)

    assert answer.status_code == 400
    message = " ".join(answer.context["invoice_form"].non_field_errors())
    assert "already financed: it was registered on chain on" in message
    assert first.legal_name_en not in answer.content.decode()  # never who financed it
    assert _counts() == before


@pytest.mark.parametrize(
    ("field", "bad"),
    [
        ("amount", "\uff16\uff10\uff10\uff10\uff10"),  # full-width digits in a number field
        ("amount", "-5"),
        ("due_date", "31/02/2027"),
        ("issue_date", "\u0661\u0662/\u0660\u0663/\u0662\u0660\u0662\u0666"),
        ("buyer_name", "Evil\u202eTrading"),
        ("invoice_number", "x" * 65),
        ("invoice_number", ""),
    ],
)
def test_bad_invoice_input_gets_a_field_message_and_saves_nothing(client, db, field, bad):
    company = verified_company()
    application = draft_trade(company)
    client.force_login(company.representative)
    before = _counts()

    answer = client.post(_add_url(application), invoice_post(company, **{field: bad}))

    assert answer.status_code == 400
    assert field in answer.context["invoice_form"].errors
    assert _counts() == before


def test_the_service_names_a_wrong_registration_number_beside_its_field(client, db):
    company = verified_company()
    application = draft_trade(company)
    client.force_login(company.representative)
    before = _counts()

    answer = client.post(
        _add_url(application), invoice_post(company, issuer_registration_number="12"), HTTP_HX_REQUEST="true"
    )

    assert answer.status_code == 400
    assert "issuer_registration_number" in answer.context["form"].errors
    assert _counts() == before


def test_a_bill_of_lading_needs_an_approved_platform(client, db):
    company = verified_company()
    application = draft_trade(company)
    client.force_login(company.representative)

    answer = client.post(_add_url(application, "bill-of-lading"), {**BILL_POST, "bl-platform": "fax"})

    assert answer.status_code == 400
    assert "platform" in answer.context["bill_form"].errors
    assert not TradeDocument.objects.exists()


def test_removing_a_document_keeps_the_other_and_is_refused_once_submitted(client, platform):
    company = flows.verified_company(by=flows.officer())
    application = draft_trade(company)
    rep = company.representative
    kept = trade_document_add(
        user=rep,
        application_id=application.pk,
        kind="invoice",
        fields={name.removeprefix("invoice-"): value for name, value in invoice_post(company).items()},
    )
    dropped = trade_document_add(
        user=rep,
        application_id=application.pk,
        kind="invoice",
        fields={
            name.removeprefix("invoice-"): value
            for name, value in invoice_post(company, invoice_number="INV-0099").items()
        },
    )
    client.force_login(rep)

    answer = client.post(
        reverse("financing:trade_document_remove", args=[application.pk, dropped.pk]), HTTP_HX_REQUEST="true"
    )

    assert answer.status_code == 200
    assert list(TradeDocument.objects.filter(application=application)) == [kept]
    assert dropped.fingerprint not in answer.content.decode()
    assert kept.fingerprint in answer.content.decode()

    trade_document_add(
        user=rep,
        application_id=application.pk,
        kind="invoice",
        fields={
            name.removeprefix("invoice-"): value
            for name, value in invoice_post(company, invoice_number="INV-0044", amount="60000").items()
        },
    )
    application_submit(user=rep, application_id=application.pk)
    before = _counts()
    refused = client.post(
        reverse("financing:trade_document_remove", args=[application.pk, kept.pk]), HTTP_HX_REQUEST="true"
    )
    assert refused.status_code == 409
    assert "cannot change" in refused.content.decode()
    assert _counts() == before
    page = client.get(_page_url(application)).content.decode()
    assert 'id="add-invoice"' not in page
    assert ">Remove<" not in page


def test_documents_pages_are_the_smes_own_and_only_for_trade_finance(client, db):
    company = verified_company()
    application = draft_trade(company)
    loan = flows.draft_loan(company=company, title="Loan")
    other = UserFactory(role=Role.SME)
    verified_company(representative=other)

    client.force_login(other)
    assert client.get(_page_url(application)).status_code == 404
    assert client.post(_add_url(application), invoice_post(company)).status_code == 404
    client.force_login(company.representative)
    detail = client.get(reverse("financing:application_detail", args=[application.pk])).content.decode()
    assert "No documents yet: add the invoices or the bill of lading" in detail
    assert _page_url(application) in detail
    assert client.get(_page_url(loan)).status_code == 404
    assert client.post(_add_url(application, "letter-of-credit"), {}).status_code == 404
    assert (
        client.post(reverse("financing:trade_document_remove", args=[application.pk, 999999])).status_code
        == 404
    )


# --- the officer, the offering ------------------------------------------------------------------------


def test_the_officer_reads_the_documents_canonical_fields_and_what_the_registry_says(client, platform):
    company = flows.verified_company(by=flows.officer())
    application = draft_trade(company)
    rep = company.representative
    fields = {
        name.removeprefix("invoice-"): value for name, value in invoice_post(company, amount="100000").items()
    }
    document = trade_document_add(user=rep, application_id=application.pk, kind="invoice", fields=fields)
    application_submit(user=rep, application_id=application.pk)
    officer = UserFactory(role=Role.OFFICER)
    client.force_login(officer)

    answer = client.get(reverse("compliance:application_review", args=[application.pk]), follow=True)

    page = answer.content.decode()
    assert answer.status_code == 200
    assert "Documents financed" in page
    assert document.fingerprint == fingerprint_hex(canonical_invoice(fields))
    assert document.fingerprint in page
    assert "pearl river trading" in page  # canonical: case-folded, company form dropped
    assert "Registry on chain:" in page
    assert "not registered" in page
    assert "Face value HK$100,000.00 · target raise HK$100,000.00" in page


def test_investors_see_what_backs_an_open_offering_registered_on_chain(client, platform):
    from financing.trade.tests.test_trade_flow import financed

    officer, operator = flows.officer(), flows.operator()
    company = flows.verified_company(by=officer)
    offering = financed(officer, operator, company)
    client.force_login(flows.approved_investor(by=officer))

    page = client.get(reverse("financing:offering_detail", args=[offering.pk])).content.decode()

    documents = TradeDocument.objects.filter(application=offering.application)
    assert {d.status for d in documents} == {TradeDocumentStatus.REGISTERED}
    assert "Backed by 2 documents (HK$100,000.00 face value), registered on chain" in page
    for document in documents:
        assert document.fingerprint in page
        assert f"/verify/?fingerprint={document.fingerprint}" in page
    assert "Registered on chain on" in page
    assert offering.application.status == ApplicationStatus.APPROVED
