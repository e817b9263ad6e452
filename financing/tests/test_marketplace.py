"""The marketplace's filters (page and API) and the offering page: issuer profile, yield, token contract."""

from __future__ import annotations

import re
from decimal import Decimal

from django.urls import reverse

from accounts.choices import Role
from accounts.tests.factories import UserFactory
from financing.choices import OfferingStatus
from financing.models import Offering
from financing.tests.test_views import offering_of, verified_company
from issuers.tests.factories import CompanyFactory
from tokens.choices import ContractKind, ContractStatus
from tokens.models import Contract


def _market():
    """Offerings that differ in one thing each from a plain open HKD bond of an untagged company."""
    plain = offering_of()
    green_loan = offering_of(verified_company(is_green=True), instrument="loan")
    tech_usd = offering_of(verified_company(is_technology=True, srdi_tier="provincial"))
    Offering.objects.filter(pk=tech_usd.pk).update(currency="USD")
    green_tech_lease = offering_of(verified_company(is_green=True, is_technology=True), instrument="lease")
    settled_green = offering_of(verified_company(is_green=True), status=OfferingStatus.SETTLED)
    offering_of(status=OfferingStatus.READY)  # never shown to investors
    return plain, green_loan, tech_usd, green_tech_lease, settled_green


def _shown(client, query: dict | str) -> set[int]:
    page = client.get(reverse("financing:offering_list"), query)
    assert page.status_code == 200
    return {o.pk for o in page.context["offerings"]}


def _api(client, query: str) -> set[int]:
    answer = client.get(f"/api/v1/offerings/?{query}")
    assert answer.status_code == 200, answer.content
    return {row["id"] for row in answer.json()["results"]}


def test_marketplace_filters_combine_in_the_query_string_on_the_page_and_the_api(client, db):
    plain, green_loan, tech_usd, green_tech_lease, settled_green = _market()
    client.force_login(UserFactory(role=Role.INVESTOR))
    open_ones = {plain.pk, green_loan.pk, tech_usd.pk, green_tech_lease.pk}

    assert _shown(client, {}) == open_ones  # open by default
    assert _shown(client, {"tag": "green"}) == {green_loan.pk, green_tech_lease.pk}
    assert _shown(client, {"tag": ["green", "technology"]}) == {green_tech_lease.pk}
    assert _shown(client, {"tag": "srdi"}) == {tech_usd.pk}
    assert _shown(client, {"currency": "USD"}) == {tech_usd.pk}
    assert _shown(client, {"instrument": "loan"}) == {green_loan.pk}
    assert _shown(client, {"tag": "green", "status": "settled"}) == {settled_green.pk}
    assert _shown(client, {"tag": "green", "status": "any"}) == {
        green_loan.pk,
        green_tech_lease.pk,
        settled_green.pk,
    }
    assert _shown(client, {"instrument": "equity"}) == set()
    assert _shown(client, {"instrument": "nonsense", "currency": "XXX"}) == open_ones  # ignored, not a 500

    assert _api(client, "status=open") == open_ones
    assert _api(client, "tag=green&tag=technology&status=open") == {green_tech_lease.pk}
    assert _api(client, "currency=USD&instrument=bond") == {tech_usd.pk}
    assert _api(client, "tag=green") == {green_loan.pk, green_tech_lease.pk, settled_green.pk}  # any status
    refused = client.get("/api/v1/offerings/?tag=blue")
    assert refused.status_code == 400
    assert "tag" in refused.json()


def test_the_filtered_page_keeps_its_filters_when_htmx_swaps_the_results_and_across_pages(client, db):
    company = verified_company(is_green=True)
    for _ in range(13):
        offering_of(company)
    offering_of()
    client.force_login(UserFactory(role=Role.INVESTOR))

    page = client.get(reverse("financing:offering_list"), {"tag": "green"})
    html = page.content.decode()
    assert 'hx-push-url="true"' in html
    assert re.search(r'name="tag" value="green"[^>]*checked', html)
    assert not re.search(r'name="tag" value="technology"[^>]*checked', html)
    assert "tag=green&amp;page=2" in html  # the next page keeps the filter
    assert page.context["offerings"].paginator.count == 13

    partial = client.get(reverse("financing:offering_list"), {"tag": "green"}, headers={"HX-Request": "true"})
    assert partial.status_code == 200
    assert b"<html" not in partial.content
    assert b"13 offerings found" in partial.content
    empty = client.get(reverse("financing:offering_list"), {"instrument": "equity"})
    assert b"No offering matches these filters" in empty.content


def test_the_offering_page_shows_the_issuer_the_yield_with_its_day_count_and_the_token_contract(
    client, db, settings
):
    company = verified_company(
        is_green=True,
        legal_name_en="Lantau Components Limited",
        industry="robotics",
        years_trading=9,
        founded_year=2015,
        description="Makes precision gearboxes for warehouse robots.",
    )
    offering = offering_of(company)
    address = "0x" + "ab" * 20
    offering.token = Contract.objects.create(
        kind=ContractKind.SECURITY_TOKEN,
        chain_id=137,
        label="token",
        address=address,
        status=ContractStatus.DEPLOYED,
    )
    offering.save()
    settings.CHAIN_EXPLORER_ADDRESS_URL = "https://polygonscan.com/address/{address}"
    client.force_login(UserFactory(role=Role.INVESTOR))

    html = client.get(reverse("financing:offering_detail", args=[offering.pk])).content.decode()

    for shown in (
        "Lantau Components Limited",
        "Robotics and automation",
        "9 years",
        "2015",
        "Makes precision gearboxes for warehouse robots.",
        "Green",
        "<dt>Coupon</dt><dd><strong>5%</strong>",
        "ACT/365 Fixed: the actual days elapsed over a year of 365 days",
        "Polygon PoS",
        "chain id 137",
        address,
        f'href="https://polygonscan.com/address/{address}"',
        'data-copy="#token-address"',
    ):
        assert shown in html, shown

    settings.CHAIN_EXPLORER_ADDRESS_URL = ""
    html = client.get(reverse("financing:offering_detail", args=[offering.pk])).content.decode()
    assert "polygonscan" not in html
    assert "no public explorer" in html


def test_a_lease_shows_its_rent_yield_and_equity_says_dividends_are_not_promised(client, db):
    lease = offering_of(instrument="lease")
    equity = offering_of(instrument="equity")
    client.force_login(UserFactory(role=Role.INVESTOR))

    lease_page = client.get(reverse("financing:offering_detail", args=[lease.pk]))
    equity_page = client.get(reverse("financing:offering_detail", args=[equity.pk]))

    lease_yield = lease_page.context["offer_yield"]
    assert str(lease_yield.label) == "Rent yield"
    # 60 monthly rentals at 7.2% on HK$100,000: about HK$1,989.59 a month, 23.9% of the asset a year.
    assert Decimal("0.23") < lease_yield.rate < Decimal("0.25")
    assert "Rent yield" in lease_page.content.decode()
    assert equity_page.context["offer_yield"].rate is None
    assert "none is promised" in equity_page.content.decode()


def test_the_sme_gives_the_year_founded_and_a_short_description_and_a_future_year_is_refused(client, db):
    company = CompanyFactory()
    client.force_login(company.representative)
    profile = {"employees": "12", "years_trading": "3", "annual_revenue": "100000.00"}

    refused = client.post(reverse("issuers:company_profile"), {**profile, "founded_year": "2999"})
    company.refresh_from_db()
    assert (company.founded_year, company.employees) == (None, None)  # nothing saved
    saved = client.post(
        reverse("issuers:company_profile"),
        {**profile, "founded_year": "2021", "description": "  Cold-chain logistics in Foshan.  "},
    )

    assert refused.status_code == 400
    assert saved.status_code == 302
    company.refresh_from_db()
    assert (company.founded_year, company.description) == (2021, "Cold-chain logistics in Foshan.")
