"""Compliance staff review what SMEs sent: an officer verifies a company's KYB file, recommends a large
application, and an approver (four eyes) approves it, which creates the offering."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from accounts.choices import Role
from compliance.cases.choices import CaseStatus
from compliance.cases.models import Case
from financing.choices import ApplicationStatus
from financing.models import Application, Offering
from issuers.choices import KybStatus
from tests import flows
from tests.browser.site import Words, button, field, language_of, log_in, staff, submit

pytestmark = pytest.mark.browser

# (Django's language code, the browser's language that chooses it), as in the investor's journey.
LANGUAGES = [("en", "en-GB"), ("zh-hant", "zh-HK"), ("zh-hans", "zh-CN")]


def open_case_of(page: Page, subject: str) -> None:
    """From the review queue, open the case whose subject is `subject`."""
    page.goto("/compliance/")
    row = page.get_by_role("row").filter(has_text=subject).first
    row.get_by_role("link", name=re.compile(r"^#\d+")).click()
    expect(page).to_have_url(re.compile(r"/compliance/cases/\d+/"))


def decide(
    page: Page, decision: str, reason: str, words: Words, *, arranger: int | None = None
) -> str | None:
    """Take `decision` in the case's decision form, confirming the dialog; returns what the dialog asked."""
    form = page.locator("#decision form").filter(has=button(page, "Record decision", words))
    form.get_by_role("radio", name=words(decision), exact=True).check()
    field(form, "Reason, or the question for the applicant", words).fill(reason)
    if arranger:
        field(form, "Arranger", words).select_option(str(arranger))
    with page.expect_navigation():  # the decision is posted, then the case page comes back
        asked = submit(page, button(form, "Record decision", words))
    expect(page.get_by_role("status").or_(page.get_by_role("alert")).first).to_be_visible()
    return asked


@pytest.mark.parametrize(("language", "browser_locale"), LANGUAGES, ids=[code for code, _ in LANGUAGES])
def test_an_officer_verifies_kyb_and_an_approver_takes_the_four_eyes_decision_on_an_application(
    language: str, browser_locale: str, new_context, shot, platform
) -> None:
    words = Words(language)
    page = new_context(locale=browser_locale).new_page()
    officer = staff(Role.OFFICER, "oscar.officer@platform.hk")
    staff(Role.APPROVER, "amy.approver@platform.hk")
    company = flows.submitted_company(name="Sai Kung Sensors Limited")
    verified = flows.verified_company(by=flows.officer(), name="Tsuen Wan Textiles Limited")
    # HKD 20 million: above the amount one officer may approve alone.
    application = flows.submitted_application(
        company=verified, title="Tsuen Wan Textiles 5% Notes", units=200, face_value=Decimal("100000")
    )
    arranger = flows.arranger()

    log_in(page, officer.email, words=words)
    assert language_of(page).lower() == language, f"the browser asked for {browser_locale}"
    expect(page.get_by_role("heading", name=words("Review queue"))).to_be_visible()
    shot(page, "officer-queue")

    open_case_of(page, "Sai Kung Sensors Limited")
    expect(page.get_by_role("heading", name=re.compile("Sai Kung Sensors Limited"))).to_be_visible()
    shot(page, "kyb-case")
    asked = decide(page, "Approve", "Registration, owners and documents verified", words)
    assert asked is not None, "recording a decision asks first"
    assert "Sai Kung Sensors Limited" in asked, asked
    company.refresh_from_db()
    assert company.kyb_status == KybStatus.VERIFIED
    shot(page, "kyb-approved")

    open_case_of(page, "Tsuen Wan Textiles 5% Notes")
    shot(page, "application-case")
    asked = decide(page, "Approve", "Meets the programme rules", words, arranger=arranger.pk)
    assert asked is not None, "recording a decision asks first"
    assert "Tsuen Wan Textiles 5% Notes" in asked, asked
    expect(page.get_by_text(words("Awaiting an approver."))).to_be_visible()
    shot(page, "application-recommended")
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED
    assert Case.objects.get(application=application).status == CaseStatus.AWAITING_APPROVER
    assert not Offering.objects.filter(application=application).exists()

    approver_page = new_context(locale=browser_locale).new_page()
    log_in(approver_page, "amy.approver@platform.hk", words=words)
    open_case_of(approver_page, "Tsuen Wan Textiles 5% Notes")
    expect(approver_page.get_by_text(re.compile("Oscar Officer")).first).to_be_visible()
    decide(approver_page, "Approve", "Agree: within the programme's limits", words, arranger=arranger.pk)
    shot(approver_page, "application-approved")

    application = Application.objects.get(pk=application.pk)
    assert application.status == ApplicationStatus.APPROVED
    assert Offering.objects.filter(application=application).exists()
