"""Reads of compliance, limited to what the caller may see."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from accounts.choices import COMPLIANCE_ROLES
from accounts.models import User
from compliance.audit_text import DECISION_STATUSES, RECORD_ACTIONS, Sentence, audit_sentence
from compliance.choices import KycStatus
from compliance.models import AuditCheckpoint, AuditEvent, InvestorProfile
from config.i18n import day_text


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


AUDIT_KINDS = {
    "decision": gettext_lazy("Decisions (approved, rejected, verified, changes requested)"),
    "status": gettext_lazy("Every status change"),
    "record": gettext_lazy("Records created, edited or removed"),
    "platform": gettext_lazy("Done by the platform (chain, schedules)"),
}


@dataclass(frozen=True)
class AuditFilter:
    """What a reader narrows the audit trail to; every field optional."""

    actor: str = ""
    object_type: str = ""
    object_id: str = ""
    kind: str = ""
    date_from: date | None = None
    date_to: date | None = None

    @classmethod
    def of(cls, data: Mapping[str, Any]) -> AuditFilter:
        """The filter a page form's or API input's cleaned data describes."""
        return cls(
            actor=(data.get("actor") or "").strip(),
            object_type=data.get("object_type") or "",
            object_id=str(data.get("object_id") or ""),
            kind=data.get("kind") or "",
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
        )


def audit_events(
    *, object_type: str | None = None, object_id: str | None = None, where: AuditFilter | None = None
) -> QuerySet[AuditEvent]:
    """The audit trail, newest first, optionally for one object or narrowed by a filter."""
    where = where or AuditFilter(object_type=object_type or "", object_id=object_id or "")
    events = AuditEvent.objects.select_related("actor").order_by("-pk")
    if where.object_type:
        events = events.filter(object_type=where.object_type)
    if where.object_id:
        events = events.filter(object_id=where.object_id)
    if where.actor:
        events = events.filter(
            Q(actor__full_name__icontains=where.actor) | Q(actor__email__icontains=where.actor)
        )
    if where.kind == "decision":
        events = events.filter(action__contains=":", to_status__in=DECISION_STATUSES)
    elif where.kind == "status":
        events = events.filter(action__contains=":")
    elif where.kind == "record":
        events = events.filter(action__in=RECORD_ACTIONS)
    elif where.kind == "platform":
        events = events.filter(actor__isnull=True)
    if where.date_from:
        events = events.filter(occurred_at__gte=_day_start(where.date_from))
    if where.date_to:
        events = events.filter(occurred_at__lt=_day_start(where.date_to + timedelta(days=1)))
    return events


def _day_start(day: date) -> datetime:
    """Midnight of `day` in the platform's time zone, so a date range means the days a reader sees."""
    return timezone.make_aware(datetime.combine(day, time.min))


@dataclass(frozen=True)
class AuditEntry:
    """One entry as a reader sees it: the row, its sentence, and a link if the viewer may open the object."""

    event: AuditEvent
    sentence: Sentence
    url: str | None


def _object_labels(viewer: User, events: list[AuditEvent]) -> dict[tuple[str, str], tuple[str, str | None]]:
    """(object_type, object_id) -> (label, url) for the objects the viewer may open: one query per type."""
    from financing.models import Allotment, Subscription
    from financing.selectors import applications_visible_to, offerings_visible_to
    from issuers.models import Company, Document, Person

    ids: dict[str, set[int]] = {}
    for event in events:
        if event.object_id.isdigit():
            ids.setdefault(event.object_type, set()).add(int(event.object_id))
        if str(event.data.get("company", "")).isdigit():
            ids.setdefault("issuers.company", set()).add(int(event.data["company"]))
    reviewer = viewer.role in COMPLIANCE_ROLES
    found: dict[tuple[str, str], tuple[str, str | None]] = {}

    def put(object_type: str, pk: int, label: str, url: str | None) -> None:
        found[(object_type, str(pk))] = (label, url)

    if pks := ids.get("financing.application"):
        for pk, title in applications_visible_to(viewer).filter(pk__in=pks).values_list("pk", "title"):
            name = "compliance:application_review" if reviewer else "financing:application_detail"
            put("financing.application", pk, title, reverse(name, args=[pk]))
    if pks := ids.get("financing.offering"):
        for pk, title in (
            offerings_visible_to(viewer).filter(pk__in=pks).values_list("pk", "application__title")
        ):
            put("financing.offering", pk, title, reverse("financing:offering_detail", args=[pk]))
    sold: tuple[tuple[type[Subscription] | type[Allotment], str], ...] = (
        (Subscription, "financing.subscription"),
        (Allotment, "financing.allotment"),
    )
    for model, object_type in sold:
        if pks := ids.get(object_type):
            visible = offerings_visible_to(viewer).values("pk")
            rows = model.objects.filter(pk__in=pks, offering__in=visible)
            for pk, offering_id, title in rows.values_list(
                "pk", "offering_id", "offering__application__title"
            ):
                put(object_type, pk, title, reverse("financing:offering_detail", args=[offering_id]))
    owners: dict[tuple[str, str], int] = {}  # a person's or document's company, for the link
    kyb: tuple[tuple[type[Person] | type[Document], str, str], ...] = (
        (Person, "issuers.person", "full_name"),
        (Document, "issuers.document", "original_name"),
    )
    for kyb_model, object_type, field in kyb:
        if pks := ids.get(object_type):
            for pk, company_id, label in kyb_model.objects.filter(pk__in=pks).values_list(
                "pk", "company_id", field
            ):
                owners[(object_type, str(pk))] = company_id
                ids.setdefault("issuers.company", set()).add(company_id)
                put(object_type, pk, label, None)
    if pks := ids.get("issuers.company"):
        for pk, name in Company.objects.filter(pk__in=pks).values_list("pk", "legal_name_en"):
            put(
                "issuers.company", pk, name, reverse("compliance:kyb_review", args=[pk]) if reviewer else None
            )
    if pks := ids.get("compliance.investorprofile"):
        for pk, name in InvestorProfile.objects.filter(pk__in=pks).values_list("pk", "legal_name"):
            url = reverse("compliance:kyc_review", args=[pk]) if reviewer else None
            put("compliance.investorprofile", pk, name, url)
    if (pks := ids.get("compliance.case")) and reviewer:
        from compliance.cases.models import Case

        cases = Case.objects.filter(pk__in=pks).select_related("company", "investor", "application")
        for case in cases:
            put("compliance.case", case.pk, case_label(case), reverse("compliance:case", args=[case.pk]))
    for key, company_id in owners.items():  # shown on their company's review page
        found[key] = (found[key][0], found.get(("issuers.company", str(company_id)), ("", None))[1])
    return found


def case_label(case: Any) -> str:
    """A case as the audit trail names it: its kind and what it is about."""
    if case.application is not None:
        about = case.application.title
    elif case.investor is not None:
        about = case.investor.legal_name
    elif case.company is not None:
        about = case.company.legal_name_en
    else:
        about = ""
    kind = case.get_alert_kind_display() if case.alert_kind else case.get_kind_display()
    return f"{kind}: {about}" if about else kind


def audit_entries(viewer: User, events: Iterable[AuditEvent]) -> list[AuditEntry]:
    """Entries in words with links: the objects are read once per type, however many entries there are."""
    events = list(events)
    labels = _object_labels(viewer, events)
    entries = []
    for event in events:
        label, url = labels.get((event.object_type, event.object_id), ("", None))
        if url is None and event.object_type in ("issuers.person", "issuers.document"):
            # Removed since: the company it belonged to, when the entry names it, still has a page.
            _, url = labels.get(("issuers.company", str(event.data.get("company", ""))), ("", None))
        sentence = audit_sentence(
            actor=event.actor.full_name if event.actor else "",
            action=event.action,
            object_type=event.object_type,
            object_id=event.object_id,
            from_status=event.from_status,
            to_status=event.to_status,
            reason=event.reason,
            data=event.data,
            label=label,
        )
        entries.append(AuditEntry(event=event, sentence=sentence, url=url))
    return entries


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


def investors_with_failed_chain_setup() -> QuerySet[InvestorProfile]:
    """Approved investors whose identity registration the chain refused, oldest first."""
    return InvestorProfile.objects.exclude(chain_setup_error="").order_by("updated_at", "pk")


def review_queue() -> ReviewQueue:
    """Everything waiting for a compliance decision, oldest first in each section."""
    from financing.selectors import applications_awaiting_review
    from issuers.selectors import companies_awaiting_kyb

    # Each row's people, documents and wallet are read once per section, not once per row.
    return ReviewQueue(
        companies=list(
            companies_awaiting_kyb()
            .select_related("representative", "wallet")
            .prefetch_related("people", "documents")
        ),
        investors=list(
            investors_awaiting_kyc().select_related("wallet").prefetch_related("people", "documents")
        ),
        applications=list(applications_awaiting_review().select_related("offering")),
        stuck_investors=list(
            investors_with_failed_chain_setup()
            .select_related("wallet")
            .prefetch_related("people", "documents")
        ),
    )


def subscription_refusal(profile: InvestorProfile | None, *, professional_only: bool) -> str:
    """Why the investor may not subscribe now ('' when they may), in words they can act on."""
    if profile is None or profile.kyc_status in (KycStatus.DRAFT, KycStatus.SUBMITTED, KycStatus.REJECTED):
        return gettext("Your due diligence must be approved and your wallet registered before you subscribe.")
    if profile.kyc_status == KycStatus.BLOCKED:
        return gettext(
            "Your account is suspended by compliance: your due diligence is no "
            "longer approved, so you cannot subscribe. Contact the platform."
        )
    if profile.kyc_status == KycStatus.REVOKED:
        return (
            "Compliance revoked your due-diligence approval"
            + (f" ({profile.decision_reason})" if profile.decision_reason else "")
            + "; submit your due diligence again to subscribe."
        )
    today = timezone.localdate()
    if profile.kyc_valid_until is not None and profile.kyc_valid_until <= today:
        return gettext(
            "Your due-diligence approval expired on %(kyc_valid_until)s; upload "
            "new evidence and submit it again."
        ) % {"kyc_valid_until": day_text(profile.kyc_valid_until)}
    if not profile.can_subscribe:
        return gettext("Your due diligence must be approved and your wallet registered before you subscribe.")
    if professional_only and not profile.is_professional:
        if profile.claims_professional and profile.pi_valid_until is not None:
            return gettext(
                "Your professional-investor evidence expired on %(pi_valid_until)s; "
                "upload new evidence and submit your due diligence again."
            ) % {"pi_valid_until": day_text(profile.pi_valid_until)}
        return gettext("This offering is for professional investors only.")
    return ""
