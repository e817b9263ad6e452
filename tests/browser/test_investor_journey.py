"""A professional investor, new to the site, goes from sign-up to a settled holding, in each of the
product's languages: KYC with evidence, an officer's approval, test stablecoins, a subscription, staff
closing the round after a confirmation, and settlement on chain by a real Celery worker."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, timedelta

import pytest
from playwright.sync_api import Locator, Page, expect

from accounts.choices import Role
from compliance.models import InvestorProfile
from financing.choices import OfferingStatus, SubscriptionStatus
from financing.models import Allotment, Offering, Subscription
from tests import flows
from tests.browser.site import (
    Words,
    button,
    choice,
    field,
    file_field,
    fill_date,
    language_of,
    log_in,
    sign_up,
    staff,
    submit,
    upload_pdf,
)
from tests.conftest import wait_for
from tokens import chain
from tokens.selectors import payment_token

pytestmark = pytest.mark.browser

# (Django's language code, the browser's language that chooses it): Hong Kong browsers get
# Traditional Chinese, mainland browsers Simplified Chinese.
LANGUAGES = [("en", "en-GB"), ("zh-hant", "zh-HK"), ("zh-hans", "zh-CN")]
UNITS = 30
SETTLEMENT_SECONDS = 90
SETTLED = (OfferingStatus.SETTLED, OfferingStatus.SERVICING)


@pytest.fixture
def open_round(platform) -> Offering:
    """A verified SME's 100-unit HKD bond, approved and open (set up before the worker takes the chain)."""
    officer = flows.officer()
    company = flows.verified_company(by=officer, name="Pearl River Robotics Limited")
    return flows.open_offering(company=company, by=officer, opener=flows.operator())


def reload_until(page: Page, locator: Locator, *, what: str, timeout: float = SETTLEMENT_SECONDS) -> None:
    """Reload the page until `locator` shows: what a person does while the chain catches up."""

    def shown() -> bool:
        page.reload()
        return locator.count() > 0 and locator.first.is_visible()

    wait_for(shown, timeout=timeout, what=what)


def fill_in_kyc(page: Page, words: Words, shot: Callable[[Page, str], object]) -> None:
    """Details, identity, address and professional-investor evidence, then submit for review."""
    page.get_by_role("link", name=words("Start your due diligence")).click()
    expect(page).to_have_url(re.compile(r"/financing/investor/kyc/"))
    details = page.locator("form").filter(has=button(page, "Save details", words))
    details.get_by_role("radio", name=words.pattern("Individual")).check()
    field(details, "Legal name", words).fill("Chan Tai Man")
    field(details, "Country of residence or incorporation", words).select_option("HK")
    choice(details, "Where you live or are established", words).select_option("HK")
    fill_date(field(details, "Date of birth", words), date(1980, 1, 15))
    field(details, "Identity document number", words).fill("K1234567")
    field(details, "Portfolio (HKD)", words).fill("9000000")
    field(details, "I claim professional-investor status (Cap. 571D) and upload the evidence", words).check()
    button(details, "Save details", words).click()

    evidence_date = date.today() - timedelta(days=20)
    for kind, title in (
        ("identity", "Identity card of Chan Tai Man"),
        ("address", "Utility bill of Chan Tai Man"),
        ("pi_evidence", "Custodian statement of Chan Tai Man"),
    ):
        upload = page.locator("form").filter(has=button(page, "Upload", words))
        choice(upload, "Document", words).select_option(kind)
        if kind == "pi_evidence":
            choice(upload, "Evidence type", words).select_option("statement")
            fill_date(field(upload, "Document date", words), evidence_date)
        upload_pdf(file_field(upload, "File", words), title)
        button(upload, "Upload", words).click()
        expect(page.get_by_role("link", name=re.compile(title.lower().replace(" ", "-")))).to_be_visible()
    shot(page, "kyc-evidence")
    submit(page, button(page, "Submit for KYC review", words))
    expect(page.get_by_text(words("Awaiting review by compliance."))).to_be_visible()
    shot(page, "kyc-submitted")


def officer_approves_kyc(page: Page, investor: str, words: Words) -> None:
    """The officer opens the investor's case from the queue and approves it."""
    log_in(page, "oscar.officer@platform.hk", words=words)
    page.goto("/compliance/")
    page.get_by_role("row").filter(has_text=investor).first.get_by_role(
        "link", name=re.compile(r"^#\d+")
    ).click()
    form = page.locator("#decision form")
    form.get_by_role("radio", name=words("Approve"), exact=True).check()
    field(form, "Reason, or the question for the applicant", words).fill(
        "Identity, address and PI evidence seen"
    )
    with page.expect_navigation():
        submit(page, button(form, "Record decision", words))
    expect(page.get_by_role("status").first).to_be_visible()


def subscribe(page: Page, words: Words, offering: Offering, shot: Callable[[Page, str], object]) -> None:
    """From the marketplace, open the offering and subscribe UNITS units."""
    page.get_by_role("link", name=words("Browse open offerings")).first.click()
    page.get_by_role("link", name=offering.application.title).first.click()
    expect(page).to_have_url(re.compile(rf"/financing/offerings/{offering.pk}/"))
    form = page.locator("form").filter(has=button(page, "Review subscription", words))
    field(form, "Units", words).fill(str(UNITS))
    shot(page, "subscribe")
    submit(page, button(form, "Review subscription", words))
    # The review step: open each of the offering's documents, accept the terms, confirm.
    expect(page.get_by_role("heading", name=words("Review your subscription"))).to_be_visible()
    shot(page, "subscription-review")
    for document in page.get_by_role("region", name=words("Read first")).get_by_role("link").all():
        with page.expect_popup() as opened:
            document.click()
        opened.value.close()
    terms = page.locator("form").filter(has=page.get_by_role("checkbox"))
    for box in terms.get_by_role("checkbox").all():
        box.check()
    submit(page, terms.locator("[type=submit]"))
    expect(page.get_by_role("status").first).to_be_visible()


def staff_close(page: Page, offering: Offering, words: Words) -> str | None:
    """The operator closes the round from the offerings list, answering the confirmation."""
    log_in(page, "olivia.operator@platform.hk", words=words)
    page.goto("/financing/offerings/manage/")
    row = page.get_by_role("row").filter(has_text=offering.application.title)
    with page.expect_navigation():
        asked = submit(page, row.get_by_role("button", name=words("Close"), exact=True))
    expect(page.get_by_role("status").first).to_be_visible()
    return asked


@pytest.mark.parametrize(("language", "browser_locale"), LANGUAGES, ids=[code for code, _ in LANGUAGES])
def test_an_investor_goes_from_sign_up_to_a_settled_holding(
    language: str,
    browser_locale: str,
    open_round: Offering,
    celery_worker_process,
    new_context,
    shot,
) -> None:
    words = Words(language)
    staff(Role.OFFICER, "oscar.officer@platform.hk")
    staff(Role.OPERATOR, "olivia.operator@platform.hk")
    email = f"chan.{language}@investor.hk"
    page = new_context(locale=browser_locale).new_page()

    sign_up(page, role="Investor", full_name="Chan Tai Man", email=email, words=words)
    assert language_of(page).lower() == language, f"the browser asked for {browser_locale}"
    shot(page, "portfolio-new")

    fill_in_kyc(page, words, shot)
    profile = InvestorProfile.objects.get(user__email=email)
    # Staff work in the same language: a Hong Kong officer's browser asks for Traditional Chinese too.
    officer_approves_kyc(new_context(locale=browser_locale).new_page(), "Chan Tai Man", words)
    # Approval registers the investor's identity on chain (the worker sends it); then they may subscribe.
    page.goto("/financing/investor/")
    reload_until(
        page, page.get_by_role("link", name=words("Browse open offerings")), what="identity on chain"
    )

    faucet = page.locator("form").filter(has=button(page, "Get test stablecoin", words))
    field(faucet, "Amount", words).fill("50000")
    button(faucet, "Get test stablecoin", words).click()
    wallet = chain.to_checksum(InvestorProfile.objects.get(pk=profile.pk).wallet.address)
    hkd = payment_token("HKD").address
    wait_for(
        lambda: int(chain.call("PaymentToken", hkd, "balanceOf", wallet)) == 50_000 * 10**6,
        timeout=SETTLEMENT_SECONDS,
        what="test HKD minted",
    )
    shot(page, "portfolio-approved")

    subscribe(page, words, open_round, shot)
    subscription = Subscription.objects.get(investor=profile.user, offering=open_round)
    wait_for(
        lambda: Subscription.objects.get(pk=subscription.pk).status == SubscriptionStatus.ACTIVE,
        timeout=SETTLEMENT_SECONDS,
        what="the payment in escrow",
    )
    page.reload()
    expect(page.get_by_role("button", name=words("Withdraw subscription"))).to_be_visible()
    shot(page, "subscribed")

    operator_page = new_context(locale=browser_locale).new_page()
    asked = staff_close(operator_page, open_round, words)
    assert asked is not None, "closing asks first"
    assert open_round.application.title in asked, asked
    wait_for(
        lambda: Offering.objects.get(pk=open_round.pk).status in SETTLED,
        timeout=SETTLEMENT_SECONDS,
        what="settlement on chain",
    )
    operator_page.goto(f"/financing/offerings/{open_round.pk}/")
    settled = operator_page.get_by_role("progressbar", name=words("Allotments settled"))
    expect(settled).to_have_attribute("aria-valuenow", "1")
    expect(settled).to_have_attribute("aria-valuemax", "1")
    shot(operator_page, "staff-settled")

    page.goto("/financing/investor/")
    holdings = page.get_by_role("table").filter(
        has=page.get_by_role("columnheader", name=words("Units held (on chain)"))
    )
    held = holdings.get_by_role("row").filter(has_text=open_round.application.title)
    reload_until(
        page, held.get_by_role("cell", name=str(UNITS), exact=True), what="the holding on the portfolio"
    )
    shot(page, "portfolio-settled")
    allotment = Allotment.objects.get(subscription=subscription)
    assert allotment.units == UNITS
    token = Offering.objects.select_related("token").get(pk=open_round.pk).token
    assert int(chain.call("SecurityToken", token.address, "balanceOf", wallet)) == UNITS
