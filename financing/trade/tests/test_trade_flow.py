"""Trade finance on the real chain: documents registered before the offering opens, double financing
refused across two SMEs under spelling variants (read from the chain), released on repayment,
withdrawn on cancellation; every refusal changes nothing."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.conf import settings
from django.utils import timezone

from accounts.models import User
from config.errors import Conflict, ValidationFailed
from financing.agreements import accepted_versions
from financing.choices import (
    ApplicationStatus,
    OfferingStatus,
    PaymentKind,
    PaymentStatus,
    TradeDocumentStatus,
)
from financing.models import Application, Offering, OfferingPayment, TradeDocument
from financing.services import (
    application_decide,
    application_save,
    application_submit,
    offering_cancel,
    offering_close,
    offering_open,
    subscription_create,
)
from financing.services.servicing import payment_fund, servicing_run
from financing.trade.fingerprint import fingerprint_hex
from financing.trade.normalise import canonical_bill_of_lading, canonical_invoice
from financing.trade.registry import ChainDocumentStatus, registration_of
from financing.trade.services import trade_document_add, trade_document_remove, trade_document_replace
from issuers.models import Company
from tests import flows
from tests.chain_guard import chain_calls_outside_transactions
from tokens import services as token_services

# Full-width look-alikes are the point of the variants.
# ruff: noqa: RUF001

NOTICE = timedelta(days=settings.SERVICING_FUNDING_NOTICE_DAYS)
START = date.today() + timedelta(days=10)
MATURITY = START + timedelta(days=120)


def invoice(company: Company, **changes: str) -> dict[str, str]:
    return {
        "issuer_jurisdiction": "HK",
        "issuer_registration_number": company.registration_number,
        "buyer_name": "Pearl River Trading Co., Ltd.",
        "buyer_registration_number": "",
        "invoice_number": "INV-0042",
        "amount": "HKD 60,000.00",
        "currency": "HKD",
        "issue_date": (date.today() - timedelta(days=5)).isoformat(),
        "due_date": (START + timedelta(days=90)).strftime("%d/%m/%Y"),
        **changes,
    }


def invoice_respelled(company: Company) -> dict[str, str]:
    """The same invoice as `invoice(company)`, typed differently."""
    number = company.registration_number
    due = START + timedelta(days=90)
    return {
        "issuer_jurisdiction": "hk",
        "issuer_registration_number": f"{number[:4]}-{number[4:]}",
        "buyer_name": "PEARL RIVER TRADING COMPANY LIMITED",
        "buyer_registration_number": "",
        "invoice_number": "ｉｎｖ ４２",
        "amount": "６００００",
        "currency": "HK$",
        "issue_date": f"{(date.today() - timedelta(days=5)).day} "
        f"{(date.today() - timedelta(days=5)).strftime('%B %Y')}",
        "due_date": due.isoformat(),
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
BILL_RESPELLED = {
    "carrier": "cosco shipping lines limited",
    "vessel": "COSCO  HARMONY",
    "port_of_loading": "SHENZHEN YANTIAN",
    "port_of_discharge": "ＲＯＴＴＥＲＤＡＭ",
    "bl_number": "cosu-61234567",
    "issue_date": "2 March 2026",
    "platform": "WAVE BL",  # the same bill on another platform is still the same bill
    "control_reference": "W-77",
}


def draft_trade(
    company: Company, *, target: Decimal = Decimal("100000.00"), title: str = "Receivables"
) -> Application:
    return application_save(
        user=company.representative,
        instrument="trade",
        title=title,
        currency="HKD",
        target_amount=target,
        minimum_amount=Decimal("20000.00"),
        use_of_proceeds="Working capital against shipped goods",
        terms={
            "unit_price": Decimal("1000.00"),
            "annual_rate": "0.08",
            "start_date": START,
            "maturity_date": MATURITY,
        },
    )


def approve(application: Application, officer: User) -> Offering:
    application_decide(
        actor=officer,
        application_id=application.pk,
        decision="approve",
        reason="ok",
        closes_at=timezone.now() + timedelta(days=7),
        professional_investors_only=True,
        arranger_id=flows.arranger().pk,
    )
    return Offering.objects.select_related("application").get(application=application)


def _fp_invoice(company: Company) -> str:
    return fingerprint_hex(canonical_invoice(invoice(company)))


def _fp_bill() -> str:
    return fingerprint_hex(canonical_bill_of_lading(BILL))


def _state(*applications: Application) -> list[Any]:
    return [
        [
            *sorted(TradeDocument.objects.filter(application=a).values_list("pk", "status", "fingerprint")),
            Application.objects.get(pk=a.pk).status,
        ]
        for a in applications
    ]


def financed(officer: User, operator: User, company: Company) -> Offering:
    """SME 1's invoice and bill of lading, submitted, approved, registered on chain and opened."""
    application = draft_trade(company)
    trade_document_add(
        user=company.representative, application_id=application.pk, kind="invoice", fields=invoice(company)
    )
    trade_document_add(
        user=company.representative,
        application_id=application.pk,
        kind="bill_of_lading",
        fields=BILL,
        value="40,000",
    )
    application_submit(user=company.representative, application_id=application.pk)
    offering = approve(application, officer)
    offering.refresh_from_db()
    assert offering.status == OfferingStatus.READY
    assert set(TradeDocument.objects.filter(application=application).values_list("status", flat=True)) == {
        TradeDocumentStatus.REGISTERED
    }
    return offering_open(actor=operator, offering_id=offering.pk)


def test_the_same_invoice_and_bill_are_refused_for_a_second_sme_read_from_the_chain(
    platform, monkeypatch
) -> None:
    officer, operator = flows.officer(), flows.operator()
    first = flows.verified_company(by=officer, name="Lantau Components Limited")
    second = flows.verified_company(by=officer, name="Tsing Yi Traders Limited")
    with chain_calls_outside_transactions():
        offering = financed(officer, operator, first)
    assert offering.status == OfferingStatus.OPEN
    on_chain = registration_of(_fp_invoice(first))
    assert on_chain is not None
    assert (on_chain.status, on_chain.kind, on_chain.reference_id) == (
        ChainDocumentStatus.FINANCED,
        "invoice",
        offering.application_id,
    )
    assert registration_of(_fp_bill()).status == ChainDocumentStatus.FINANCED  # type: ignore[union-attr]
    assert registration_of("0x" + "ab" * 32) is None  # never registered
    when = timezone.localtime(on_chain.registered_at).strftime("%-d %b %Y")

    # The platform's own rows are gone (another platform, a restored backup): only the chain knows.
    TradeDocument.objects.filter(application=offering.application).update(
        status=TradeDocumentStatus.DISCARDED
    )
    application = draft_trade(second, title="Second receivables")
    before = _state(application)
    with chain_calls_outside_transactions():
        with pytest.raises(ValidationFailed) as refused:
            trade_document_add(
                user=second.representative,
                application_id=application.pk,
                kind="invoice",
                fields=invoice_respelled(first),
            )
        assert refused.value.code == "AlreadyFinanced"
        assert "already financed" in refused.value.message
        assert when in refused.value.message
        assert first.legal_name_en not in refused.value.message
        with pytest.raises(ValidationFailed) as refused_bill:
            trade_document_add(
                user=second.representative,
                application_id=application.pk,
                kind="bill_of_lading",
                fields=BILL_RESPELLED,
                value="40000",
            )
        assert when in refused_bill.value.message
        assert "bill of lading" in refused_bill.value.message
    assert _state(application) == before

    # A fresh database row for SME 2 (as if the add had slipped through): submitting reads the chain.
    TradeDocument.objects.create(
        application=application,
        kind="bill_of_lading",
        raw_fields=BILL_RESPELLED,
        canonical_fields=canonical_bill_of_lading(BILL_RESPELLED).as_strings(),
        fingerprint=fingerprint_hex(canonical_bill_of_lading(BILL_RESPELLED)),
        face_value=Decimal("100000.00"),
        currency="HKD",
    )
    before = _state(application)
    with chain_calls_outside_transactions(), pytest.raises(ValidationFailed) as at_submit:
        application_submit(user=second.representative, application_id=application.pk)
    assert when in at_submit.value.fields["documents"][0]
    assert _state(application) == before
    assert Application.objects.get(pk=application.pk).status == ApplicationStatus.DRAFT

    # Both checked the chain before either registered (a race): the contract itself refuses the second.
    monkeypatch.setattr("financing.services.applications.trade_documents_chain_check", lambda _id: None)
    application_submit(user=second.representative, application_id=application.pk)
    second_offering = approve(application, officer)
    document = TradeDocument.objects.get(application=application)
    assert document.status == TradeDocumentStatus.REFUSED
    assert "already registered for another financing" in document.refusal_reason
    second_offering.refresh_from_db()
    assert second_offering.status == OfferingStatus.PREPARING  # never ready: it may not open
    with pytest.raises(Conflict, match="already financed elsewhere"):
        offering_open(actor=operator, offering_id=second_offering.pk)
    # The chain still names the first financing.
    assert registration_of(_fp_bill()).reference_id == offering.application_id  # type: ignore[union-attr]


def test_the_same_sme_cannot_add_one_invoice_twice_and_a_pending_application_holds_it(platform) -> None:
    officer = flows.officer()
    company = flows.verified_company(by=officer)
    one, two = draft_trade(company, title="One"), draft_trade(company, title="Two")
    rep = company.representative
    trade_document_add(user=rep, application_id=one.pk, kind="invoice", fields=invoice(company))
    before = _state(one, two)
    with pytest.raises(ValidationFailed, match="already on this application"):
        trade_document_add(user=rep, application_id=one.pk, kind="invoice", fields=invoice_respelled(company))
    with pytest.raises(ValidationFailed, match="already part of another financing application"):
        trade_document_add(user=rep, application_id=two.pk, kind="invoice", fields=invoice_respelled(company))
    # Field errors name the field; an invoice the company did not issue is refused.
    with pytest.raises(ValidationFailed) as bad:
        trade_document_add(
            user=rep, application_id=two.pk, kind="invoice", fields=invoice(company, due_date="03/31/2026")
        )
    assert "month/day/year" in bad.value.fields["due_date"][0]
    with pytest.raises(ValidationFailed) as foreign:
        trade_document_add(
            user=rep,
            application_id=two.pk,
            kind="invoice",
            fields=invoice(company, issuer_registration_number="12345678"),
        )
    assert "issuer_registration_number" in foreign.value.fields
    with pytest.raises(ValidationFailed) as currency:
        trade_document_add(
            user=rep,
            application_id=two.pk,
            kind="invoice",
            fields=invoice(company, currency="USD", amount="5"),
        )
    assert "currency" in currency.value.fields
    assert _state(one, two) == before
    # Removed from the first, it may go on the second; replacing keeps one row.
    trade_document_remove(user=rep, document_id=TradeDocument.objects.get(application=one).pk)
    added = trade_document_add(
        user=rep, application_id=two.pk, kind="invoice", fields=invoice_respelled(company)
    )
    replaced = trade_document_replace(
        user=rep, document_id=added.pk, fields=invoice(company, amount="100,000", invoice_number="INV-43")
    )
    assert replaced.pk == added.pk
    assert replaced.face_value == Decimal("100000.00")
    assert replaced.canonical_fields["invoice_number"] == "INV43"


def test_submit_needs_documents_worth_the_raise_and_maturity_after_the_due_date(platform) -> None:
    officer = flows.officer()
    company = flows.verified_company(by=officer)
    application = draft_trade(company)
    with pytest.raises(ValidationFailed) as empty:
        application_submit(user=company.representative, application_id=application.pk)
    assert "documents" in empty.value.fields
    trade_document_add(
        user=company.representative, application_id=application.pk, kind="invoice", fields=invoice(company)
    )
    with pytest.raises(ValidationFailed) as short:
        application_submit(user=company.representative, application_id=application.pk)
    assert "HKD 60,000.00" in short.value.fields["target_amount"][0]
    late = invoice(company, invoice_number="INV-77", due_date=(MATURITY + timedelta(days=3)).isoformat())
    trade_document_add(
        user=company.representative, application_id=application.pk, kind="invoice", fields=late
    )
    with pytest.raises(ValidationFailed) as due:
        application_submit(user=company.representative, application_id=application.pk)
    assert "maturity_date" in due.value.fields
    assert Application.objects.get(pk=application.pk).status == ApplicationStatus.DRAFT


def test_cancelling_the_offering_withdraws_the_documents_and_they_may_be_financed_again(platform) -> None:
    officer, operator = flows.officer(), flows.operator()
    company = flows.verified_company(by=officer)
    offering = financed(officer, operator, company)
    with chain_calls_outside_transactions():
        offering_cancel(actor=operator, offering_id=offering.pk, reason="The buyer disputed the invoice")
    statuses = set(
        TradeDocument.objects.filter(application=offering.application).values_list("status", flat=True)
    )
    assert statuses == {TradeDocumentStatus.WITHDRAWN}
    assert registration_of(_fp_invoice(company)).status == ChainDocumentStatus.WITHDRAWN  # type: ignore[union-attr]
    assert registration_of(_fp_bill()).status == ChainDocumentStatus.WITHDRAWN  # type: ignore[union-attr]
    again = draft_trade(company, title="Again")
    trade_document_add(
        user=company.representative,
        application_id=again.pk,
        kind="invoice",
        fields=invoice_respelled(company),
    )


def test_the_buyers_repayment_releases_the_documents_on_chain(platform) -> None:
    officer, operator = flows.officer(), flows.operator()
    company = flows.verified_company(by=officer)
    offering = financed(officer, operator, company)
    investor = flows.approved_investor(by=officer, funds=Decimal("200000"))
    subscription_create(user=investor, offering_id=offering.pk, units=100, **accepted_versions())
    offering_close(actor=operator, offering_id=offering.pk)
    offering.refresh_from_db()
    assert offering.status == OfferingStatus.SETTLED
    (payment,) = OfferingPayment.objects.filter(offering=offering)
    # One payment at maturity: principal and interest, like a bullet loan.
    assert payment.kind == PaymentKind.INSTALMENT
    assert payment.principal == Decimal("100000.00")
    assert Decimal("2000") < payment.interest < Decimal("3000")  # 8% a year for about 120 days
    assert payment.amount == payment.principal + payment.interest
    wallet = company.wallet
    assert wallet is not None
    token_services.payment_token_mint(
        to_address=wallet.address, amount_base_units=int(payment.amount * 10**6), key="test:trade:buyer-paid"
    )
    servicing_run(today=payment.due_date - NOTICE)
    payment_fund(
        actor=company.representative,
        payment_id=payment.pk,
        amount=payment.amount,
        today=payment.due_date - NOTICE,
    )
    assert (
        TradeDocument.objects.filter(
            application=offering.application, status=TradeDocumentStatus.REGISTERED
        ).count()
        == 2
    )
    servicing_run(today=payment.due_date)
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.CLOSED
    statuses: dict[str, list[Any]] = defaultdict(list)
    for document in TradeDocument.objects.filter(application=offering.application):
        statuses[document.status].append(document.released_at)
    assert list(statuses) == [TradeDocumentStatus.RELEASED]
    assert all(statuses[TradeDocumentStatus.RELEASED])
    assert registration_of(_fp_invoice(company)).status == ChainDocumentStatus.RELEASED  # type: ignore[union-attr]
    assert registration_of(_fp_bill()).status == ChainDocumentStatus.RELEASED  # type: ignore[union-attr]
    # A repaid invoice is never financed again.
    again = draft_trade(company, title="Again")
    with pytest.raises(ValidationFailed, match="already"):
        trade_document_add(
            user=company.representative, application_id=again.pk, kind="invoice", fields=invoice(company)
        )
