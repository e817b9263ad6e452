"""Reads of compliance, limited to what the caller may see."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from accounts.models import User
from compliance.choices import KycStatus
from compliance.models import AuditCheckpoint, AuditEvent, InvestorProfile


def investor_profile_of(user: User) -> InvestorProfile | None:
    """The investor's own due-diligence record."""
    return InvestorProfile.objects.filter(user=user).select_related("wallet").first()


def investors_awaiting_kyc() -> QuerySet[InvestorProfile]:
    """Investors waiting for a KYC decision, oldest first."""
    return (
        InvestorProfile.objects.filter(kyc_status=KycStatus.SUBMITTED)
        .select_related("user")
        .order_by("updated_at")
    )


def audit_events(*, object_type: str | None = None, object_id: str | None = None) -> QuerySet[AuditEvent]:
    """The audit trail, newest first, optionally for one object."""
    events = AuditEvent.objects.select_related("actor").order_by("-pk")
    if object_type:
        events = events.filter(object_type=object_type)
    if object_id:
        events = events.filter(object_id=object_id)
    return events


@dataclass(frozen=True)
class AuditStatus:
    """What the last verification of the audit trail found, read without walking the trail again."""

    checkpoint: AuditCheckpoint | None
    unverified: int

    @property
    def intact(self) -> bool | None:
        """Whether the last verification found the trail intact (None before the first one)."""
        if self.checkpoint is None or self.checkpoint.verified_at is None:
            return None
        return self.checkpoint.broken_at is None

    @property
    def broken_at(self) -> int | None:
        """The first altered entry the last verification found (None when it found none)."""
        return self.checkpoint.broken_at if self.checkpoint else None


def audit_status() -> AuditStatus:
    """The verification checkpoint and how many entries were written after it."""
    checkpoint = AuditCheckpoint.objects.filter(pk=1).first()
    after = checkpoint.last_event_id if checkpoint else 0
    return AuditStatus(checkpoint=checkpoint, unverified=AuditEvent.objects.filter(pk__gt=after).count())


def investor_profile_for_review(profile_id: int) -> InvestorProfile | None:
    """Any investor's due-diligence record, for compliance staff."""
    found = InvestorProfile.objects.filter(pk=profile_id).select_related("user", "wallet", "decided_by")
    return found.first()


@dataclass(frozen=True)
class ReviewQueue:
    """The compliance queue: companies awaiting KYB, investors awaiting KYC, applications awaiting review."""

    companies: list
    investors: list
    applications: list
    stuck_investors: list


def review_queue() -> ReviewQueue:
    """Everything waiting for a compliance decision, oldest first in each section."""
    from financing.selectors import applications_awaiting_review
    from issuers.selectors import companies_awaiting_kyb

    return ReviewQueue(
        companies=list(companies_awaiting_kyb().select_related("representative")),
        investors=list(investors_awaiting_kyc()),
        applications=list(applications_awaiting_review()),
        stuck_investors=list(InvestorProfile.objects.exclude(chain_setup_error="").order_by("updated_at")),
    )
