"""Build the actors of a financing round through the real services (for tests that need the chain)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.choices import Role
from accounts.models import User
from accounts.tests.factories import UserFactory
from compliance.cases.choices import AlertKind
from compliance.cases.models import AnswerDocument, Case, InformationRequest
from compliance.cases.services import (
    alert_raise,
    answer_document_add,
    applicant_of,
    case_for,
    case_request_information,
)
from compliance.models import Intermediary, InvestorProfile
from compliance.services import (
    company_kyb_decide,
    demo_fund_investor,
    investor_kyc_decide,
    investor_kyc_submit,
)
from compliance.tests.factories import licensed_arranger
from financing.agreements import accepted_versions
from financing.choices import TransferStatus
from financing.demo import complete_company_onboarding, complete_investor_evidence
from financing.models import Allotment, Application, Offering, OfferingDocument, Subscription, Transfer
from financing.services import (
    application_decide,
    application_save,
    application_submit,
    offering_close,
    offering_open,
    subscription_create,
)
from issuers.models import Company
from issuers.services import company_save, company_submit_for_kyb


def officer() -> User:
    return UserFactory(role=Role.OFFICER)


def operator() -> User:
    return UserFactory(role=Role.OPERATOR)


def draft_company(*, name: str) -> Company:
    """A new SME representative with a saved, still editable Hong Kong company."""
    sme = UserFactory(role=Role.SME)
    return company_save(
        user=sme,
        legal_name_en=name,
        legal_name_zh="",
        jurisdiction="HK",
        registration_number=str(50000000 + sme.pk),
        industry="logistics",
    )


def submitted_company(*, name: str) -> Company:
    """A complete company profile sent for KYB, waiting for compliance."""
    sme = draft_company(name=name).representative
    complete_company_onboarding(sme, director=sme.full_name, owner="Grace Chan")
    return company_submit_for_kyb(user=sme)


def verified_company(*, by: User, name: str = "Lantau Components Limited") -> Company:
    """An SME representative with a KYB-verified Hong Kong company."""
    company = submitted_company(name=name)
    return company_kyb_decide(actor=by, company=company, approve=True, reason="ok")


def submitted_investor(
    *, portfolio: Decimal = Decimal("9000000"), evidence_date: date | None = None
) -> InvestorProfile:
    """An investor whose due diligence (identity, address, PI evidence from HKD 8m) awaits compliance."""
    investor = UserFactory(role=Role.INVESTOR)
    complete_investor_evidence(
        investor, legal_name=investor.full_name, portfolio=portfolio, evidence_date=evidence_date
    )
    return investor_kyc_submit(user=investor)


def corporate_investor_draft(*, name: str = "Kowloon Family Office Limited") -> InvestorProfile:
    """A corporate investor with details, documents and a director saved, not yet submitted."""
    investor = UserFactory(role=Role.INVESTOR)
    return complete_investor_evidence(
        investor,
        legal_name=name,
        portfolio=Decimal("2000000"),
        investor_type="corporate",
        total_assets=Decimal("45000000"),
    )


def approved_investor(
    *,
    by: User,
    portfolio: Decimal = Decimal("9000000"),
    funds: Decimal | None = None,
    currency: str = "HKD",
) -> User:
    """An investor whose KYC is approved, identity registered and (optionally) funded with the test
    stablecoin of `currency`."""
    profile = submitted_investor(portfolio=portfolio)
    investor_kyc_decide(actor=by, profile=profile, approve=True, reason="ok")
    if funds:
        demo_fund_investor(actor=profile.user, amount_hkd=funds, currency=currency)
    return profile.user


def arranger() -> Intermediary:
    """The test platform's arranger: on the register with a valid, unconditioned type 1 licence."""
    found = Intermediary.objects.filter(ce_number="BHS001").first()
    return found or licensed_arranger(
        intermediary__name="Bay Harbour Securities Limited", intermediary__ce_number="BHS001"
    )


def submitted_application(
    *,
    company: Company,
    title: str = "Lantau 5% Notes",
    units: int = 100,
    minimum_units: int = 20,
    face_value: Decimal = Decimal("1000.00"),
    currency: str = "HKD",
) -> Application:
    """A two-year bond application of `company` (verified) in `currency`, sent to compliance."""
    issue = date.today() + timedelta(days=10)
    application = application_save(
        user=company.representative,
        instrument="bond",
        title=title,
        currency=currency,
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
    return application_submit(user=company.representative, application_id=application.pk)


def open_offering(
    *,
    company: Company,
    by: User,
    opener: User,
    units: int = 100,
    minimum_units: int = 20,
    face_value: Decimal = Decimal("1000.00"),
    professional_only: bool = True,
    arranged_by: Intermediary | None = None,
    currency: str = "HKD",
) -> Offering:
    """A bond application of `company` in `currency`, approved (with a licensed arranger) and opened (its
    token deployed on the test chain, the offering registered with the currency's stablecoin)."""
    application = submitted_application(
        company=company, units=units, minimum_units=minimum_units, face_value=face_value, currency=currency
    )
    application_decide(
        actor=by,
        application_id=application.pk,
        decision="approve",
        reason="ok",
        closes_at=timezone.now() + timedelta(days=7),
        professional_investors_only=professional_only,
        arranger_id=(arranged_by or arranger()).pk,
    )
    offering = Offering.objects.get(application=application)
    return offering_open(actor=opener, offering_id=offering.pk)


def draft_loan(*, company: Company, title: str) -> Application:
    """A HKD 200,000 working-capital loan application of `company`, saved as a draft."""
    return application_save(
        user=company.representative,
        instrument="loan",
        title=title,
        currency="HKD",
        target_amount=Decimal("200000.00"),
        minimum_amount=Decimal("50000.00"),
        use_of_proceeds="Inventory",
        terms={
            "unit_price": Decimal("1000.00"),
            "annual_rate": "0.07",
            "frequency": "monthly",
            "start_date": date.today() + timedelta(days=30),
            "term_months": 12,
            "amortization": "annuity",
        },
    )


def profile_of(user: User) -> InvestorProfile:
    return InvestorProfile.objects.select_related("wallet").get(user=user)


@dataclass
class Tenant:
    """One SME with its verified company, an open offering and a draft, and one investor subscribed to it."""

    sme: User
    company: Company
    offering: Offering
    draft: Application
    investor: User
    subscription: Subscription


@dataclass
class World:
    """Every role's user and two tenants: "own" objects belong to `own`, someone else's to `other`.

    The SME and investor roles act as `own`'s users; a submitted company and a submitted KYC wait for
    compliance, so decisions reach their real code paths; `other`'s offering is closed and settled.
    """

    users: dict[str, User | None]
    own: Tenant
    other: Tenant
    pending_company: Company
    pending_profile: InvestorProfile
    allotment: Allotment


def _tenant(*, name: str, officer: User, operator: User) -> Tenant:
    company = verified_company(by=officer, name=name)
    offering = open_offering(company=company, by=officer, opener=operator)
    draft = draft_loan(company=company, title=f"{name} working capital")
    investor = approved_investor(by=officer, funds=Decimal("100000"))
    subscription = subscription_create(
        user=investor, offering_id=offering.pk, units=20, **accepted_versions()
    )
    return Tenant(company.representative, company, offering, draft, investor, subscription)


def world() -> World:
    """Two tenants on the platform (needs the `platform` fixture), staff, and work waiting for compliance."""
    officer_user, operator_user = officer(), operator()
    own = _tenant(name="Lantau Components Limited", officer=officer_user, operator=operator_user)
    other = _tenant(name="Tsing Yi Precision Limited", officer=officer_user, operator=operator_user)
    pending_company = submitted_company(name="Sai Kung Sensors Limited")
    pending_profile = submitted_investor()
    users: dict[str, User | None] = {
        "anonymous": None,
        "sme": own.sme,
        "investor": own.investor,
        "officer": officer_user,
        "approver": UserFactory(role=Role.APPROVER),
        "operator": operator_user,
    }
    offering_close(actor=operator_user, offering_id=other.offering.pk)
    allotment = Allotment.objects.get(subscription=other.subscription)
    return World(users, own, other, pending_company, pending_profile, allotment)


def open_case_of(subject: Company | InvestorProfile | Application) -> Case:
    """The open review case of a submitted company, investor or application."""
    case = case_for(subject)
    assert case is not None, f"{subject} has no open case"
    return case


PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def information_request(*, company: Company, by: User) -> InformationRequest:
    """An open question to the company's representative, on an evidence alert about the company."""
    alert = alert_raise(
        kind=AlertKind.EVIDENCE_EXPIRING,
        key=f"flows:evidence:{company.pk}",
        summary=f"Business registration certificate of {company.legal_name_en} expiring",
        company=company,
    )
    return case_request_information(
        actor=by, case_id=alert.pk, question="Send the renewed business registration certificate."
    )


def answer_document(request: InformationRequest, *, content: bytes = PDF) -> AnswerDocument:
    """A PDF the applicant attached to their (not yet sent) answer."""
    applicant = applicant_of(request.case)
    assert applicant is not None
    upload = SimpleUploadedFile("certificate.pdf", content, content_type="application/pdf")
    return answer_document_add(user=applicant, request_id=request.pk, upload=upload)


def settled_round() -> tuple[User, User, Offering, User, User]:
    """A bond of 100 units oversubscribed by two investors (90 and 60 asked, 60 and 40 allotted), closed
    and settled in-process: (officer, operator, offering, first investor, second investor)."""
    officer_ = officer()
    operator_ = operator()
    company = verified_company(by=officer_)
    offering = open_offering(company=company, by=officer_, opener=operator_, units=100, minimum_units=20)
    first = approved_investor(by=officer_, funds=Decimal("200000"))
    second = approved_investor(by=officer_, funds=Decimal("200000"))
    subscription_create(user=first, offering_id=offering.pk, units=90, **accepted_versions())
    subscription_create(user=second, offering_id=offering.pk, units=60, **accepted_versions())
    offering_close(actor=operator_, offering_id=offering.pk)
    offering = Offering.objects.select_related("token").get(pk=offering.pk)
    return officer_, operator_, offering, first, second


def waiting_sale(offering: Offering, *, seller: User, buyer: User) -> Transfer:
    """A sale of one unit waiting for its buyer, recorded only (nothing is signed before acceptance)."""
    return Transfer.objects.create(
        offering=offering,
        seller=seller,
        buyer=buyer,
        seller_wallet="0x" + "1" * 40,
        buyer_wallet="0x" + "2" * 40,
        units=1,
        price=Decimal("1"),
        status=TransferStatus.AWAITING_BUYER,
        expires_at=timezone.now() + timedelta(days=1),
    )


def offering_document(offering: Offering, *, kind: str = "term_sheet") -> OfferingDocument:
    """A term sheet of `offering` (any status), as its SME attached it while the offering was open."""
    version = OfferingDocument.objects.filter(offering=offering, kind=kind).count() + 1
    document = OfferingDocument(
        offering=offering,
        kind=kind,
        title=f"Term sheet of {offering.application.title}",
        version=version,
        original_name="term-sheet.pdf",
        content_type="application/pdf",
        size=len(PDF),
        sha256=hashlib.sha256(PDF).hexdigest(),
        uploaded_by=offering.application.company.representative,
    )
    document.file.save(document.sha256, ContentFile(PDF), save=False)
    document.save()
    return document
