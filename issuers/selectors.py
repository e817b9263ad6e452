"""Reads of issuers, limited to what the caller may see."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q, QuerySet, Sum
from django.db.models.functions import Coalesce

from accounts.models import User
from issuers.choices import KybStatus
from issuers.models import Company


def company_of(user: User) -> Company | None:
    """The SME representative's own company, if any."""
    return Company.objects.filter(representative=user).select_related("wallet").first()


def companies_awaiting_kyb() -> QuerySet[Company]:
    """Companies submitted for KYB, oldest first (the compliance queue)."""
    return Company.objects.filter(kyb_status=KybStatus.SUBMITTED).order_by("updated_at")


def company_for_review(company_id: int) -> Company | None:
    """Any company, for compliance staff reviewing it."""
    return Company.objects.filter(pk=company_id).select_related("representative", "wallet").first()


@dataclass(frozen=True)
class IssuerOverview:
    """What the SME dashboard shows: the company, its applications and offerings, the wallet's HKD."""

    company: Company | None
    applications: list
    offerings: list
    wallet_balance: Decimal | None
    chain_unavailable: bool


def issuer_overview(user: User) -> IssuerOverview:
    """The SME's own company, applications, offerings (with settled units) and wallet balance from chain."""
    from financing.choices import AllotmentStatus
    from financing.selectors import applications_visible_to, offerings_visible_to
    from tokens.selectors import payment_balance_or_none

    company = company_of(user)
    settled = Q(allotments__status=AllotmentStatus.SETTLED)
    offerings = offerings_visible_to(user).annotate(
        settled_units=Coalesce(Sum("allotments__units", filter=settled), 0)
    )
    balance = payment_balance_or_none(company.wallet.address) if company and company.wallet else None
    return IssuerOverview(
        company=company,
        applications=list(applications_visible_to(user).select_related("offering")),
        offerings=list(offerings.order_by("-created_at")),
        wallet_balance=balance,
        chain_unavailable=bool(company and company.wallet and balance is None),
    )
