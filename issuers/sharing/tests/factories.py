"""A company with something to share, verified investors, and consents granted through the service."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.core.files.base import ContentFile
from django.utils import timezone

from accounts.choices import Role
from accounts.models import User
from accounts.tests.factories import UserFactory
from compliance.choices import KycStatus
from compliance.models import InvestorProfile
from financing.choices import ApplicationStatus
from financing.tests.test_views import bond_application
from issuers.models import Company, Document, Person
from issuers.sharing.models import DataConsent
from issuers.sharing.services import consent_grant
from issuers.tests.factories import CompanyFactory
from tokens.choices import WalletKind
from tokens.services import wallet_create

PDF = b"%PDF-1.4\n1 0 obj << >> endobj\n%%EOF\n"


def document_of(company: Company, *, kind: str, name: str) -> Document:
    content = PDF + name.encode()
    document = Document(
        company=company,
        kind=kind,
        original_name=name,
        content_type="application/pdf",
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        uploaded_by=company.representative,
    )
    document.file.save(document.sha256, ContentFile(content), save=False)
    document.save()
    return document


def verified_investor(*, name: str = "Pearl River Lending Limited") -> User:
    """An investor (a corporate lender) whose KYC compliance approved."""
    user = UserFactory(role=Role.INVESTOR)
    InvestorProfile.objects.create(
        user=user,
        investor_type="corporate",
        legal_name=name,
        country="HK",
        id_document_number=f"CR{user.pk:07d}",
        kyc_status=KycStatus.APPROVED,
        kyc_valid_until=date.today() + timedelta(days=365),
        wallet=wallet_create(kind=WalletKind.INVESTOR, label="investor", owner=user),
    )
    return user


@dataclass
class Sharing:
    """An SME's company with people, two documents and a submitted bond, and a verified lender."""

    company: Company
    sme: User
    lender: User
    registration: Document
    accounts: Document


def sharing_world() -> Sharing:
    company = CompanyFactory(
        legal_name_en="Lantau Sensors Limited",
        annual_revenue=Decimal("12345678.00"),
        employees=41,
        years_trading=6,
        description="Makes pressure sensors for ports.",
    )
    Person.objects.create(
        company=company,
        full_name="Chan Tai Man",
        nationality="HK",
        residency="HK",
        birth_date=date(1975, 3, 1),
        is_director=True,
        is_beneficial_owner=True,
        ownership_percent=Decimal("60"),
    )
    registration = document_of(company, kind="business_registration", name="br-certificate.pdf")
    accounts = document_of(company, kind="financial_statements", name="accounts-2025.pdf")
    bond_application(company, ApplicationStatus.SUBMITTED)
    return Sharing(company, company.representative, verified_investor(), registration, accounts)


def grant(
    world: Sharing,
    *,
    datasets: tuple[str, ...] = ("profile", "financials", "documents", "schedules"),
    recipient: User | None = None,
    documents: tuple[Document, ...] = (),
    all_documents: bool = True,
    days: int = 90,
) -> DataConsent:
    """A consent from today for `days` days, granted through the service."""
    today = timezone.localdate()
    return consent_grant(
        user=world.sme,
        recipient_email=(recipient or world.lender).email,
        datasets=list(datasets),
        purpose="credit_assessment",
        valid_from=today,
        valid_until=today + timedelta(days=days),
        document_ids=[document.pk for document in documents],
        all_documents=all_documents and "documents" in datasets and not documents,
    ).consent
