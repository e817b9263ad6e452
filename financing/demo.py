"""Seed data for the embedded demo: one user per role, a verified SME with an open bond offering."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from accounts.choices import Role
from accounts.models import User
from accounts.services import staff_user_create, user_signup
from compliance.models import InvestorProfile
from compliance.services import (
    company_kyb_decide,
    demo_fund_investor,
    investor_kyc_decide,
    investor_kyc_submit,
)
from financing.choices import OfferingStatus
from financing.models import Offering
from financing.services import application_decide, application_submit, bond_application_save, offering_open
from issuers.services import company_save, company_submit_for_kyb

DEMO_PASSWORD = "demo-pass-2026"


@dataclass(frozen=True)
class DemoUser:
    email: str
    name: str
    role: Role


DEMO_USERS = (
    DemoUser("operator@demo.hk", "Olivia Operator", Role.OPERATOR),
    DemoUser("officer@demo.hk", "Oscar Officer", Role.OFFICER),
    DemoUser("approver@demo.hk", "Ada Approver", Role.APPROVER),
    DemoUser("sme@demo.hk", "Sam Chan", Role.SME),
    DemoUser("investor@demo.hk", "Ivy Wong", Role.INVESTOR),
    DemoUser("investor2@demo.hk", "Ivan Lee", Role.INVESTOR),
)


def seed_demo() -> list[DemoUser]:
    """Create the demo users and the open demo offering (skipped when already there)."""
    if User.objects.filter(email=DEMO_USERS[0].email).exists():
        return list(DEMO_USERS)
    users: dict[str, User] = {}
    for demo in DEMO_USERS:
        if demo.role in (Role.SME, Role.INVESTOR):
            users[demo.email] = user_signup(
                email=demo.email, password=DEMO_PASSWORD, full_name=demo.name, role=demo.role
            )
        else:
            users[demo.email] = staff_user_create(
                email=demo.email, password=DEMO_PASSWORD, full_name=demo.name, role=demo.role
            )
    officer = users["officer@demo.hk"]
    sme = users["sme@demo.hk"]
    company = company_save(
        user=sme,
        legal_name_en="Pearl River Robotics Limited",
        legal_name_zh="珠江機械人有限公司",
        jurisdiction="HK",
        registration_number="12345678",
        industry="Industrial automation",
    )
    company_submit_for_kyb(user=sme)
    company_kyb_decide(actor=officer, company=company, approve=True, reason="Documents verified.")
    issue = date.today() + timedelta(days=30)
    application = bond_application_save(
        user=sme,
        title="Pearl River Robotics 6.5% Notes 2029",
        currency="HKD",
        target_amount=Decimal("5000000.00"),
        minimum_amount=Decimal("1000000.00"),
        use_of_proceeds="A second assembly line in Dongguan for warehouse robots.",
        face_value=Decimal("1000.00"),
        coupon_rate=Decimal("0.065"),
        coupon_frequency="semiannual",
        issue_date=issue,
        maturity_date=issue.replace(year=issue.year + 3),
    )
    application_submit(user=sme, application_id=application.pk)
    application_decide(
        actor=officer,
        application_id=application.pk,
        decision="approve",
        reason="Meets the bond programme rules.",
        closes_at=timezone.now() + timedelta(days=21),
    )
    offering = Offering.objects.get(application=application)
    if offering.status == OfferingStatus.READY:
        offering_open(actor=users["operator@demo.hk"], offering_id=offering.pk)
    for email, name, portfolio in (
        ("investor@demo.hk", "Ivy Wong", Decimal("12000000")),
        ("investor2@demo.hk", "Ivan Lee", Decimal("9500000")),
    ):
        investor = users[email]
        investor_kyc_submit(
            user=investor,
            investor_type="individual",
            legal_name=name,
            country="HK",
            id_document_number="A123456(7)",
            declared_portfolio_hkd=portfolio,
        )
        profile = InvestorProfile.objects.get(user=investor)
        investor_kyc_decide(
            actor=officer, profile=profile, approve=True, reason="Professional investor evidence seen."
        )
        demo_fund_investor(actor=investor, amount_hkd=Decimal("2000000"))
    return list(DEMO_USERS)
