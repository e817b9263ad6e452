"""Reads of issuers, limited to what the caller may see."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from accounts.choices import COMPLIANCE_ROLES, Role
from accounts.models import User
from compliance.pep import edd_missing
from issuers.choices import DocumentKind, KybStatus, Residency
from issuers.models import Company, Document
from issuers.ownership import ownership_rule


def company_of(user: User) -> Company | None:
    """The SME representative's own company, if any."""
    return Company.objects.filter(representative=user).select_related("wallet").first()


def registration_holders(company: Company) -> QuerySet[Company]:
    """Other companies that claim the same registration number in the same jurisdiction."""
    return (
        Company.objects.filter(
            jurisdiction=company.jurisdiction, registration_number=company.registration_number
        )
        .exclude(pk=company.pk)
        .select_related("representative")
        .order_by("pk")
    )


def companies_awaiting_kyb() -> QuerySet[Company]:
    """The KYB queue, oldest first; `registration_conflict` when another company claims the same number."""
    others = Company.objects.filter(
        jurisdiction=OuterRef("jurisdiction"), registration_number=OuterRef("registration_number")
    ).exclude(pk=OuterRef("pk"))
    return (
        Company.objects.filter(kyb_status=KybStatus.SUBMITTED)
        .annotate(registration_conflict=Exists(others))
        .order_by("updated_at")
    )


def company_missing_items(company: Company) -> list[str]:
    """What still stops the company from submitting for KYB, in plain words (empty when complete)."""
    missing: list[str] = []
    if company.annual_revenue is None or company.employees is None or company.years_trading is None:
        missing.append("the financial snapshot (revenue, employees, years trading)")
    people = list(company.people.all())
    if not any(person.is_director for person in people):
        missing.append("at least one director")
    if not any(person.is_beneficial_owner for person in people):
        missing.append("the ultimate beneficial owners")
    rule = ownership_rule(company.jurisdiction)
    for person in people:
        if not person.is_beneficial_owner and rule.requires(person.ownership_percent, person.trust_role):
            missing.append(
                f"{person.full_name} marked as a beneficial owner (holds {person.ownership_percent}%; "
                f"in {company.get_jurisdiction_display()} anyone with {rule.description} counts)"
            )
    missing += edd_missing((person.full_name, person) for person in people)
    missing += [
        _("where %(name)s lives (residency)") % {"name": person.full_name}
        for person in people
        if person.residency == Residency.NOT_STATED
    ]
    present = {document.kind for document in company.documents.all()}  # prefetched by lists
    for kind in DocumentKind:
        if kind.value not in present:
            missing.append(f"the {kind.label.lower()}")
    return missing


KYB_STEP_NAMES = ("profile", "people", "documents", "review")


@dataclass(frozen=True)
class KybStep:
    """One step of the KYB flow: its name in the address, its title, and whether its part is complete."""

    name: str
    label: str
    done: bool


def kyb_steps(company: Company) -> list[KybStep]:
    """The KYB flow's steps after the company's details, each marked done when its part is complete."""
    people = list(company.people.all())
    present = {document.kind for document in company.documents.all()}
    return [
        KybStep(
            "profile",
            _("Profile"),
            None not in (company.annual_revenue, company.employees, company.years_trading),
        ),
        KybStep(
            "people",
            _("People"),
            any(p.is_director for p in people) and any(p.is_beneficial_owner for p in people),
        ),
        KybStep("documents", _("Documents"), all(kind.value in present for kind in DocumentKind)),
        KybStep(
            "review",
            _("Review and submit"),
            company.kyb_status in (KybStatus.SUBMITTED, KybStatus.VERIFIED),
        ),
    ]


def kyb_first_open_step(steps: list[KybStep]) -> str:
    """Where the flow opens: the first step not yet complete (the review once all parts are)."""
    return next((step.name for step in steps if not step.done), "review")


def company_for_review(company_id: int) -> Company | None:
    """A company with its people and documents, for compliance review."""
    return (
        Company.objects.select_related("representative", "wallet")
        .prefetch_related("people", "documents")
        .filter(pk=company_id)
        .first()
    )


@dataclass(frozen=True)
class IssuerOverview:
    """Everything the SME dashboard shows: company, applications, offerings, wallet HKD. The two lists
    are query sets (newest first) the page shows a page at a time; `any_open` (an offering is taking
    subscriptions or has closed since) and `any_settled` are about all of the company's offerings."""

    company: Company | None
    applications: Any
    offerings: Any
    wallet_balance: Decimal | None
    chain_unavailable: bool
    # The wallet's balance in each listed stablecoin, by currency (proceeds arrive in the offering's own).
    wallet_balances: dict[str, Decimal] | None = None
    missing: list[str] = field(default_factory=list)
    any_open: bool = False
    any_settled: bool = False


def issuer_overview(user: User) -> IssuerOverview:
    """The SME representative's dashboard data; the wallet balance is read from the chain."""
    from financing.choices import AllotmentStatus, OfferingStatus
    from financing.selectors import applications_visible_to, offerings_visible_to
    from tokens.selectors import payment_balances_or_none

    company = company_of(user)
    has_wallet = company is not None and company.wallet is not None
    balances = payment_balances_or_none(company.wallet.address) if has_wallet else None  # type: ignore[union-attr]
    balance = balances.get("HKD") if balances is not None else None
    offerings = offerings_visible_to(user)
    # Both flags in one query, whatever the number of offerings. Opened: open now or closed since
    # (whatever the settlement states are called), i.e. neither still before opening nor cancelled.
    not_opened = (OfferingStatus.PREPARING, OfferingStatus.READY, OfferingStatus.CANCELLED)
    flags = offerings.aggregate(
        any_open=Count("pk", filter=~Q(status__in=not_opened)),
        any_settled=Count("pk", filter=Q(status=OfferingStatus.SETTLED)),
    )
    return IssuerOverview(
        company=company,
        applications=applications_visible_to(user).select_related("offering"),
        offerings=offerings.annotate(
            settled_units=Coalesce(
                Sum("allotments__units", filter=Q(allotments__status=AllotmentStatus.SETTLED)), 0
            )
        ).order_by("-created_at", "-pk"),
        any_open=flags["any_open"] > 0,
        any_settled=flags["any_settled"] > 0,
        wallet_balance=balance,
        wallet_balances=balances,
        chain_unavailable=has_wallet and balances is None,
        missing=(
            company_missing_items(company)
            if company is not None and company.kyb_status in (KybStatus.DRAFT, KybStatus.REJECTED)
            else []
        ),
    )


def documents_visible_to(user: User) -> QuerySet[Document]:
    """Documents of the SME's own company; compliance staff see every company's."""
    if user.role == Role.SME:
        return Document.objects.filter(company__representative=user)
    if user.role in COMPLIANCE_ROLES:
        return Document.objects.all()
    return Document.objects.none()
