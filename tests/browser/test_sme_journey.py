"""An SME representative, new to the site, signs up and gets an application in front of compliance."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import Page, expect

from compliance.services import company_kyb_decide
from financing.choices import ApplicationStatus
from financing.models import Application
from issuers.choices import KybStatus
from issuers.models import Company
from tests import flows
from tests.browser.site import (
    Words,
    button,
    choice,
    field,
    file_field,
    fill_date,
    language_of,
    sign_up,
    submit,
    upload_pdf,
)

pytestmark = pytest.mark.browser

# (Django's language code, the browser's language that chooses it), as in the investor's journey.
LANGUAGES = [("en", "en-GB"), ("zh-hant", "zh-HK"), ("zh-hans", "zh-CN")]
# What the application page says once it is with compliance, in any of its states.
SUBMITTED = ("Submitted", "Under review")


def onboard_company(page: Page, shot, words: Words) -> None:
    """From the new SME's dashboard: company details, profile, one director and owner, three documents,
    then the file goes to compliance."""
    page.get_by_role("link", name=words("Create company profile")).click()
    field(page, "Legal name (English)", words).fill("Lantau Robotics Limited")
    field(page, "Place of registration", words).select_option("HK")
    field(page, "Registration number", words).fill("41234567")
    field(page, "Industry", words).select_option("robotics")
    shot(page, "company-details")
    button(page, "Save profile", words).click()
    expect(page).to_have_url(re.compile(r"/company/kyb/"))

    # The KYB file is one flow: profile, people, documents, then review and submit.
    profile = page.locator("form#kyb-step-form")
    field(profile, "Annual revenue (HKD)", words).fill("24000000")
    field(profile, "Employees", words).fill("52")
    field(profile, "Years trading", words).fill("7")
    field(profile, "Technology company", words).check()
    button(profile, "Save and continue", words).click()
    expect(page).to_have_url(re.compile(r"step=people"))

    person = page.locator("form", has=button(page, "Add person", words))
    field(person, "Full name", words).fill("Mei Lau")
    field(person, "Nationality", words).select_option("HK")
    choice(person, "Lives in", words).select_option("HK")
    fill_date(field(person, "Date of birth", words), date(1980, 5, 17))
    field(person, "Director", words).check()
    field(person, "Ultimate beneficial owner", words).check()
    field(person, "Ownership (%)", words).fill("60")
    button(person, "Add person", words).click()
    expect(page.get_by_role("cell", name=re.compile("^Mei Lau"))).to_be_visible()
    button(page, "Continue to documents", words).click()
    expect(page).to_have_url(re.compile(r"step=documents"))

    for kind, title in (
        ("business_registration", "Business registration of Lantau Robotics"),
        ("financial_statements", "Financial statements of Lantau Robotics"),
        ("articles", "Articles of association of Lantau Robotics"),
    ):
        documents = page.locator("form", has=button(page, "Upload", words))
        choice(documents, "Document", words).select_option(kind)
        upload_pdf(file_field(documents, "File", words), title)
        button(documents, "Upload", words).click()
        expect(page.get_by_role("link", name=re.compile(title.lower().replace(" ", "-")))).to_be_visible()
    button(page, "Continue to review", words).click()
    expect(page).to_have_url(re.compile(r"step=review"))
    shot(page, "kyb-file-complete")
    submit(page, button(page, "Submit for KYB review", words))
    expect(page.get_by_text(words("Your company is awaiting KYB review by compliance."))).to_be_visible()
    shot(page, "kyb-submitted")


def apply_for_a_bond(page: Page, shot, words: Words) -> None:
    """From the dashboard of a verified company: a three-year bond, previewed live, saved and submitted."""
    page.get_by_role(
        "link",
        name=re.compile(
            f"^({re.escape(words('Apply for financing'))}|{re.escape(words('New application'))})"
        ),
    ).first.click()
    expect(page).to_have_url(re.compile(r"/financing/applications/new/"))
    page.get_by_role("radio", name=re.compile(f"^{re.escape(words('Bond'))}")).check()
    field(page, "Title", words).fill("Lantau Robotics 6% Notes")
    field(page, "Currency", words).select_option("HKD")
    field(page, "Target raise", words).fill("100000")
    field(page, "Minimum raise", words).fill("20000")
    field(page, "Use of proceeds", words).fill("A second assembly line in Tsuen Wan")
    terms = page.get_by_role("group", name=words("Bond terms"))
    field(terms, "Face value per unit", words).fill("1000")
    field(terms, "Coupon", words).fill("6")
    field(terms, "Coupons paid", words).select_option("semiannual")
    issue = date.today() + timedelta(days=30)
    fill_date(field(terms, "Issue date", words), issue)
    fill_date(field(terms, "Maturity date", words), issue.replace(year=issue.year + 3))
    # The live preview works the schedule out as the terms are typed.
    preview = page.get_by_role("complementary", name=words("Live preview"))
    expect(preview).to_contain_text("100,000.00")
    shot(page, "application-preview")
    button(page, "Save draft", words).click()
    expect(page).to_have_url(re.compile(r"/financing/applications/\d+/$"))
    submit(page, button(page, "Submit to compliance", words))
    expect(
        page.get_by_text(re.compile("|".join(re.escape(words(text)) for text in SUBMITTED), re.I)).first
    ).to_be_visible()
    shot(page, "application-submitted")


@pytest.mark.parametrize(("language", "browser_locale"), LANGUAGES, ids=[code for code, _ in LANGUAGES])
def test_a_new_sme_signs_up_completes_kyb_and_submits_an_application(
    language: str, browser_locale: str, new_context, shot, platform
) -> None:
    words = Words(language)
    email = f"cfo.{language}@lantau-robotics.hk"
    page = new_context(locale=browser_locale).new_page()
    sign_up(page, role="SME representative", full_name="Mei Lau", email=email, words=words)
    assert language_of(page).lower() == language, f"the browser asked for {browser_locale}"
    expect(page.get_by_role("heading", name=re.compile("Mei Lau"))).to_be_visible()
    shot(page, "dashboard-new")

    onboard_company(page, shot, words)
    company = Company.objects.get(representative__email=email)
    assert company.kyb_status == KybStatus.SUBMITTED
    assert company.people.count() == 1
    assert company.documents.count() == 3

    # Compliance verifies the company (the officer's own journey is test_officer_journey.py).
    company_kyb_decide(actor=flows.officer(), company=company, approve=True, reason="Documents verified")
    page.goto("/company/")
    shot(page, "dashboard-verified")

    apply_for_a_bond(page, shot, words)
    application = Application.objects.get(company=company)
    assert application.status == ApplicationStatus.SUBMITTED
    assert application.title == "Lantau Robotics 6% Notes"
    assert application.target_amount == 100000
