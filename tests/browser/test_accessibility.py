"""axe-core on the main pages of each role: no serious or critical finding.

Each role's pages are checked in one test with the data they show in use (a company, an application,
an open offering, an approved investor, a case waiting for review).
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from accounts.models import User
from accounts.tests.factories import PASSWORD as FACTORY_PASSWORD
from tests import flows
from tests.axe import axe_findings, blocking, summary
from tests.browser.site import log_in

pytestmark = pytest.mark.browser


def check(page: Page, paths: list[str]) -> None:
    """Open each page and fail listing every serious or critical finding per page (the journeys keep the
    screenshots; a failure keeps one of the page it failed on)."""
    found: dict[str, str] = {}
    for path in paths:
        response = page.goto(path)
        assert response is not None, path
        assert response.ok, f"{path} answered {response.status}"
        findings = blocking(axe_findings(page))
        if findings:
            found[path] = summary(findings)
    assert not found, "axe-core findings:\n" + "\n".join(f"{path}\n{lines}" for path, lines in found.items())


def logged_in(page: Page, user: User) -> Page:
    log_in(page, user.email, FACTORY_PASSWORD)
    return page


def test_the_public_pages_have_no_serious_accessibility_finding(page: Page, platform) -> None:
    check(
        page,
        [
            "/",
            "/accounts/login/",
            "/accounts/signup/",
            "/verify/",
            "/verify/?fingerprint=0x" + "ab" * 32,
            "/attestations/verify/",
        ],
    )


def test_the_sme_pages_have_no_serious_accessibility_finding(page: Page, platform) -> None:
    officer = flows.officer()
    company = flows.verified_company(by=officer)
    draft = flows.draft_loan(company=company, title="Lantau Components working capital")
    logged_in(page, company.representative)
    check(
        page,
        [
            "/company/",
            "/company/kyb/",
            "/financing/applications/new/",
            f"/financing/applications/{draft.pk}/",
            "/sharing/",
            "/company/cross-border/",
            "/attestations/",
        ],
    )


def test_the_investor_pages_have_no_serious_accessibility_finding(page: Page, platform) -> None:
    officer = flows.officer()
    offering = flows.open_offering(
        company=flows.verified_company(by=officer), by=officer, opener=flows.operator()
    )
    investor = flows.approved_investor(by=officer)
    logged_in(page, investor)
    check(
        page,
        [
            "/financing/investor/",
            "/financing/investor/kyc/",
            "/financing/offerings/",
            f"/financing/offerings/{offering.pk}/",
            "/wallets/",
            "/sharing/shared/",
            "/attestations/",
        ],
    )


def test_the_compliance_pages_have_no_serious_accessibility_finding(page: Page, platform) -> None:
    company = flows.submitted_company(name="Sai Kung Sensors Limited")
    case = flows.open_case_of(company)
    logged_in(page, flows.officer())
    check(
        page,
        [
            "/compliance/",
            f"/compliance/cases/{case.pk}/",
            "/compliance/audit/",
            "/attestations/",
            "/sharing/reads/",
            f"/compliance/companies/{company.pk}/cross-border/",
        ],
    )


def test_the_operator_pages_have_no_serious_accessibility_finding(page: Page, platform) -> None:
    officer = flows.officer()
    operator = flows.operator()
    offering = flows.open_offering(company=flows.verified_company(by=officer), by=officer, opener=operator)
    logged_in(page, operator)
    check(page, ["/financing/offerings/manage/", f"/financing/offerings/{offering.pk}/", "/chain/"])
