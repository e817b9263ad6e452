"""Documents out, read back as their users would: PDFs parsed with pypdf, CSVs with the csv module.

A settled round gives the allotment documents and the statements (figures to the cent, units, dates);
an application gives its schedule; only the owner and staff get them, and a bad period is refused on the
form with nothing downloaded."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from pypdf import PdfReader

from config.pdf import PdfDocument, PdfTable, render_pdf
from financing.models import Allotment
from financing.selectors import application_schedule
from tests import flows
from tokens.indexer.stream import chain_index_to_head


def _pdf_text(content: bytes) -> str:
    assert content.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(content))
    return "\n".join(page.extract_text() for page in reader.pages)


def _csv(response) -> list[dict[str, str]]:
    text = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(text)))


@pytest.fixture
def round_(platform):
    officer, _operator, offering, first, second = flows.settled_round()
    chain_index_to_head()
    return officer, offering, first, second


@pytest.mark.journey
def test_the_investor_downloads_a_confirmation_and_a_contract_note_with_the_round_figures(
    round_, client
) -> None:
    officer, offering, first, second = round_
    mine = Allotment.objects.select_related("chain_transaction").get(subscription__investor=first)
    theirs = Allotment.objects.get(subscription__investor=second)
    client.force_login(first)

    dashboard = client.get(reverse("financing:investor_dashboard")).content.decode()
    confirmation_url = reverse("financing:allotment_confirmation_pdf", args=[mine.pk])
    note_url = reverse("financing:allotment_contract_note_pdf", args=[mine.pk])
    assert confirmation_url in dashboard
    assert note_url in dashboard

    response = client.get(confirmation_url)
    assert response["Content-Type"] == "application/pdf"
    text = _pdf_text(response.content)
    assert "Subscription confirmation" in text
    assert f"SC-{mine.pk:06d}" in text
    assert "Lantau 5% Notes" in text
    assert "Units subscribed" in text
    assert "90,000.00" in text  # 90 units asked and paid into escrow
    assert "60,000.00" in text  # 60 allotted (pro rata) and paid to the issuer
    assert "30,000.00" in text  # the rest refunded
    assert timezone.localtime(mine.settled_at).strftime("%Y-%m-%d") in text
    assert mine.chain_transaction.tx_hash in text
    assert "Page 1 of 1" in text

    text = _pdf_text(client.get(note_url).content)
    assert "Contract note" in text
    assert "Total consideration" in text
    assert "1,000.00" in text  # the unit price
    assert offering.token.address in text

    assert client.get(reverse("financing:allotment_contract_note_pdf", args=[theirs.pk])).status_code == 404
    client.force_login(officer)
    assert client.get(reverse("financing:allotment_confirmation_pdf", args=[theirs.pk])).status_code == 200


@pytest.mark.journey
def test_statements_for_a_period_list_the_units_and_amounts_and_an_earlier_period_is_empty(
    round_, client
) -> None:
    _officer, offering, first, _second = round_
    client.force_login(first)
    today = timezone.localdate()
    period = {"date_from": (today - timedelta(days=30)).isoformat(), "date_to": today.isoformat()}

    page = client.get(reverse("financing:investor_transactions")).content.decode()
    assert reverse("financing:investor_statement", args=["holdings", "pdf"]) in page

    holdings = _csv(client.get(reverse("financing:investor_statement", args=["holdings", "csv"]), period))
    assert len(holdings) == 1
    line = holdings[0]
    assert (line["offering"], line["currency"], line["token"]) == (
        "Lantau 5% Notes",
        "HKD",
        offering.token.address,
    )
    assert (line["units_at_start"], line["units_in"], line["units_out"], line["units_at_end"]) == (
        "0",
        "60",
        "0",
        "60",
    )
    assert (line["unit_price"], line["nominal_value_at_end"]) == ("1000.00", "60000.00")

    text = _pdf_text(
        client.get(reverse("financing:investor_statement", args=["holdings", "pdf"]), period).content
    )
    assert "Holdings statement" in text
    assert "HKD 60,000.00" in text
    assert f"{period['date_from']} to {period['date_to']}" in text

    rows = _csv(client.get(reverse("financing:investor_statement", args=["transactions", "csv"]), period))
    requested = [r for r in rows if r["type"] == "Subscription requested"]
    assert [(r["units"], r["amount"], r["currency"]) for r in requested] == [("90", "90000.00", "HKD")]
    settled = [r for r in rows if r["type"].startswith("Settled")]
    assert [(r["units"], r["amount"]) for r in settled] == [("60", "60000.00")]
    assert settled[0]["transaction_hash"].startswith("0x")
    text = _pdf_text(
        client.get(reverse("financing:investor_statement", args=["transactions", "pdf"]), period).content
    )
    assert "Transactions statement" in text
    assert "HKD 90,000.00" in text

    earlier = {"date_from": "2020-01-01", "date_to": "2020-12-31"}
    assert _csv(client.get(reverse("financing:investor_statement", args=["holdings", "csv"]), earlier)) == []
    text = _pdf_text(
        client.get(reverse("financing:investor_statement", args=["transactions", "pdf"]), earlier).content
    )
    assert "No transactions in this period." in text


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("period", "message"),
    [
        ({"date_from": "2026-03-01", "date_to": "2026-02-01"}, "on or after the start"),
        ({"date_from": "2026-01-01", "date_to": "2999-01-01"}, "today at the latest"),
        ({"date_from": "yesterday", "date_to": "2026-01-01"}, "Enter a valid date"),
        ({"date_from": "2026-01-01"}, "This field is required"),
        ({"date_from": "1990-01-01", "date_to": "2026-01-01"}, "at most ten years"),
    ],
)
def test_a_bad_period_is_refused_on_the_form_and_nothing_is_downloaded(client, period, message) -> None:
    from accounts.choices import Role
    from accounts.tests.factories import UserFactory

    client.force_login(UserFactory(role=Role.INVESTOR))
    response = client.get(reverse("financing:investor_statement", args=["holdings", "pdf"]), period)
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    assert message in response.content.decode()


@pytest.mark.django_db
def test_an_unknown_statement_or_format_is_not_found(client) -> None:
    from accounts.choices import Role
    from accounts.tests.factories import UserFactory

    client.force_login(UserFactory(role=Role.INVESTOR))
    assert client.get("/financing/investor/statements/holdings.xlsx").status_code == 404
    assert client.get("/financing/investor/statements/secrets.pdf").status_code == 404


@pytest.mark.django_db
def test_the_application_schedule_as_csv_and_pdf_matches_the_page_to_the_cent(client) -> None:
    officer = flows.officer()
    company = flows.verified_company(by=officer)
    application = flows.submitted_application(company=company)
    schedule = application_schedule(application)
    assert schedule is not None
    client.force_login(company.representative)
    page = client.get(reverse("financing:application_detail", args=[application.pk])).content.decode()
    assert reverse("financing:application_schedule_document", args=[application.pk, "pdf"]) in page

    rows = _csv(client.get(reverse("financing:application_schedule_document", args=[application.pk, "csv"])))
    assert len(rows) == len(schedule.rows) == 4  # two years of semi-annual coupons
    assert [(r["date"], r["interest"], r["principal"]) for r in rows] == [
        (row.date.isoformat(), f"{row.interest:.2f}", f"{row.principal:.2f}") for row in schedule.rows
    ]
    assert rows[-1]["principal"] == "100000.00"
    assert {r["currency"] for r in rows} == {"HKD"}

    text = _pdf_text(
        client.get(reverse("financing:application_schedule_document", args=[application.pk, "pdf"])).content
    )
    assert "Payment schedule" in text
    assert f"{schedule.totals.interest:,.2f}" in text
    assert f"{schedule.totals.payment:,.2f}" in text
    assert schedule.rows[0].date.isoformat() in text

    client.force_login(flows.officer())
    assert (
        client.get(
            reverse("financing:application_schedule_document", args=[application.pk, "csv"])
        ).status_code
        == 200
    )
    other = flows.verified_company(by=officer, name="Tai Po Textiles Limited")
    client.force_login(other.representative)
    assert (
        client.get(
            reverse("financing:application_schedule_document", args=[application.pk, "pdf"])
        ).status_code
        == 404
    )


def test_a_pdf_in_chinese_shows_chinese_in_both_scripts() -> None:
    for language, title, name in (
        ("zh-hant", "持有量報表", "林愛達"),
        ("zh-hans", "持有量报表", "林爱达"),
    ):
        with translation.override(language):
            content = render_pdf(
                PdfDocument(
                    title=title,
                    reference="HS-000001",
                    details=[("Investor", name)],
                    tables=[PdfTable(heading=title, columns=["Units"], rows=[["60"]], numeric=(0,))],
                )
            )
        text = _pdf_text(content)
        assert title in text
        assert name in text


def test_a_long_table_runs_over_pages_each_numbered_with_the_total() -> None:
    content = render_pdf(
        PdfDocument(
            title="Transactions statement",
            reference="TX-1",
            tables=[
                PdfTable(heading="Rows", columns=["Date", "Amount"], rows=[["2026-01-01", "1.00"]] * 150)
            ],
        )
    )
    reader = PdfReader(io.BytesIO(content))
    assert len(reader.pages) >= 3
    total = len(reader.pages)
    for number, page in enumerate(reader.pages, start=1):
        text = page.extract_text()
        assert f"Page {number} of {total}" in text
        assert "Date" in text  # the header repeats on every page
