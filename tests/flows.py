"""Build the actors of a financing round through the real services (for tests that need the chain)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from accounts.choices import Role
from accounts.models import User
from accounts.tests.factories import UserFactory
from compliance.models import InvestorProfile
from compliance.services import (
    company_kyb_decide,
    demo_fund_investor,
    investor_kyc_decide,
    investor_kyc_submit,
)
from financing.demo import complete_company_onboarding
from financing.models import Offering
from financing.services import application_decide, application_save, application_submit, offering_open
from issuers.models import Company
from issuers.services import company_save, company_submit_for_kyb


def officer() -> User:
    return UserFactory(role=Role.OFFICER)


def operator() -> User:
    return UserFactory(role=Role.OPERATOR)


def verified_company(*, by: User, name: str = "Lantau Components Limited") -> Company:
    """An SME representative with a KYB-verified Hong Kong company."""
    sme = UserFactory(role=Role.SME)
    company = company_save(
        user=sme,
        legal_name_en=name,
        legal_name_zh="",
        jurisdiction="HK",
        registration_number=str(50000000 + sme.pk),
        industry="logistics",
    )
    complete_company_onboarding(sme, director=sme.full_name, owner="Grace Chan")
    company_submit_for_kyb(user=sme)
    return company_kyb_decide(actor=by, company=company, approve=True, reason="ok")


def approved_investor(
    *, by: User, portfolio: Decimal = Decimal("9000000"), funds: Decimal | None = None
) -> User:
    """An investor whose KYC is approved, identity registered and (optionally) funded with test HKD."""
    investor = UserFactory(role=Role.INVESTOR)
    profile = investor_kyc_submit(
        user=investor,
        investor_type="individual",
        legal_name=investor.full_name,
        country="HK",
        id_document_number="X1234567",
        declared_portfolio_hkd=portfolio,
    )
    investor_kyc_decide(actor=by, profile=profile, approve=True, reason="ok")
    if funds:
        demo_fund_investor(actor=investor, amount_hkd=funds)
    return investor


def open_offering(
    *,
    company: Company,
    by: User,
    opener: User,
    units: int = 100,
    minimum_units: int = 20,
    face_value: Decimal = Decimal("1000.00"),
    professional_only: bool = True,
) -> Offering:
    """A bond application of `company`, approved and opened (its token deployed on the test chain)."""
    sme = company.representative
    issue = date.today() + timedelta(days=10)
    application = application_save(
        user=sme,
        instrument="bond",
        title="Lantau 5% Notes",
        currency="HKD",
        target_amount=face_value * units,
        minimum_amount=face_value * minimum_units,
        use_of_proceeds="Working capital",
        terms={
            "unit_price": face_value,
            "annual_rate": "0.05",
            "frequency": "semiannual",
            "start_date": issue,
            "maturity_date": issue.replace(year=issue.year + 2),
        },
    )
    application_submit(user=sme, application_id=application.pk)
    application_decide(
        actor=by,
        application_id=application.pk,
        decision="approve",
        reason="ok",
        closes_at=timezone.now() + timedelta(days=7),
        professional_investors_only=professional_only,
    )
    offering = Offering.objects.get(application=application)
    return offering_open(actor=opener, offering_id=offering.pk)


def profile_of(user: User) -> InvestorProfile:
    return InvestorProfile.objects.select_related("wallet").get(user=user)
