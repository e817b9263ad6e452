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
from tests.browser.site import button, choice, field, file_field, fill_date, sign_up, submit, upload_pdf

pytestmark = pytest.mark.browser

EMAIL = "cfo@lantau-robotics.hk"


def onboard_company(page: Page, shot) -> None:
    """From the new SME's dashboard: company details, profile, one director and owner, three documents,
    then the file goes to compliance."""
    page.get_by_role("link", name="Create company profile").click()
    field(page, "Legal name (English)").fill("Lantau Robotics Limited")
    field(page, "Place of registration").select_option("HK")
    field(page, "Registration number").fill("41234567")
    field(page, "Industry").select_option("robotics")
    shot(page, "company-details")
    button(page, "Save profile").click()
    expect(page).to_have_url(re.compile(r"/company/kyb/"))

    profile = page.locator("form", has=button(page, "Save profile"))
    field(profile, "Annual revenue (HKD)").fill("24000000")
    field(profile, "Employees").fill("52")
    field(profile, "Years trading").fill("7")
    field(profile, "Technology company").check()
    button(profile, "Save profile").click()

    person = page.locator("form", has=button(page, "Add person"))
    field(person, "Full name").fill("Mei Lau")
    field(person, "Nationality").select_option("HK")
    fill_date(field(person, "Date of birth"), date(1980, 5, 17))
    field(person, "Director").check()
    field(person, "Ultimate beneficial owner").check()
    field(person, "Ownership (%)").fill("60")
    button(person, "Add person").click()
    expect(page.get_by_role("cell", name=re.compile("^Mei Lau"))).to_be_visible()

    for kind, title in (
        ("business_registration", "Business registration of Lantau Robotics"),
        ("financial_statements", "Financial statements of Lantau Robotics"),
        ("articles", "Articles of association of Lantau Robotics"),
    ):
        documents = page.locator("form", has=button(page, "Upload"))
        choice(documents, "Document").select_option(kind)
        upload_pdf(file_field(documents, "File"), title)
        button(documents, "Upload").click()
        expect(page.get_by_role("link", name=re.compile(title.lower().replace(" ", "-")))).to_be_visible()
    shot(page, "kyb-file-complete")
    submit(page, button(page, "Submit for KYB review"))
    expect(page.get_by_text("Your company is awaiting KYB review by compliance.")).to_be_visible()
    shot(page, "kyb-submitted")


def apply_for_a_bond(page: Page, shot) -> None:
    """From the dashboard of a verified company: a three-year bond, previewed live, saved and submitted."""
    page.get_by_role("link", name=re.compile(r"^(Apply for financing|New application)")).first.click()
    expect(page).to_have_url(re.compile(r"/financing/applications/new/"))
    page.get_by_role("radio", name=re.compile(r"^Bond")).check()
    field(page, "Title").fill("Lantau Robotics 6% Notes")
    field(page, "Currency").select_option("HKD")
    field(page, "Target raise").fill("100000")
    field(page, "Minimum raise").fill("20000")
    field(page, "Use of proceeds").fill("A second assembly line in Tsuen Wan")
    terms = page.get_by_role("group", name="Bond terms")
    field(terms, "Face value per unit").fill("1000")
    field(terms, "Coupon").fill("6")
    field(terms, "Coupons paid").select_option("semiannual")
    issue = date.today() + timedelta(days=30)
    fill_date(field(terms, "Issue date"), issue)
    fill_date(field(terms, "Maturity date"), issue.replace(year=issue.year + 3))
    # The live preview works the schedule out as the terms are typed.
    preview = page.get_by_role("complementary", name="Live preview")
    expect(preview).to_contain_text("6 payments")
    expect(preview).to_contain_text("HK$100,000.00")
    shot(page, "application-preview")
    button(page, "Save draft").click()
    expect(page).to_have_url(re.compile(r"/financing/applications/\d+/$"))
    submit(page, button(page, "Submit to compliance"))
    expect(
        page.get_by_text(re.compile("(Submitted|Under review|with compliance)", re.I)).first
    ).to_be_visible()
    shot(page, "application-submitted")


def test_a_new_sme_signs_up_completes_kyb_and_submits_an_application(page: Page, shot, platform) -> None:
    sign_up(page, role="SME representative", full_name="Mei Lau", email=EMAIL)
    expect(page.get_by_role("heading", name=re.compile("Welcome, Mei Lau"))).to_be_visible()
    shot(page, "dashboard-new")

    onboard_company(page, shot)
    company = Company.objects.get(representative__email=EMAIL)
    assert company.kyb_status == KybStatus.SUBMITTED
    assert company.people.count() == 1
    assert company.documents.count() == 3

    # Compliance verifies the company (the officer's own journey is test_officer_journey.py).
    company_kyb_decide(actor=flows.officer(), company=company, approve=True, reason="Documents verified")
    page.goto("/company/")
    shot(page, "dashboard-verified")

    apply_for_a_bond(page, shot)
    application = Application.objects.get(company=company)
    assert application.status == ApplicationStatus.SUBMITTED
    assert application.title == "Lantau Robotics 6% Notes"
    assert application.target_amount == 100000
