"""Reads of review cases: the queue with its filters, a case with everything beside the decision."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from accounts.choices import COMPLIANCE_ROLES
from accounts.models import User
from compliance.cases.choices import OPEN_STATUSES, CaseKind, CaseStatus, InformationRequestStatus
from compliance.cases.models import AnswerDocument, Case, InformationRequest


@dataclass(frozen=True)
class CaseFilter:
    """What a reviewer narrows the queue to; every field optional (open cases by default)."""

    kind: str = ""
    status: str = ""  # a CaseStatus, "" for every open case, "all" for closed ones too
    risk: str = ""
    older_than_days: int | None = None
    assignee: str = ""  # "me", "none" or a user id
    search: str = ""

    @classmethod
    def of(cls, data: Mapping[str, Any]) -> CaseFilter:
        return cls(
            kind=data.get("kind") or "",
            status=data.get("status") or "",
            risk=data.get("risk") or "",
            older_than_days=data.get("older_than_days"),
            assignee=str(data.get("assignee") or ""),
            search=(data.get("search") or "").strip(),
        )


def cases_queue(viewer: User, where: CaseFilter | None = None) -> QuerySet[Case]:
    """Cases for compliance staff, oldest first (the longest waiting on top)."""
    where = where or CaseFilter()
    if viewer.role not in COMPLIANCE_ROLES:
        return Case.objects.none()
    cases = Case.objects.select_related(
        "company", "investor", "application__company", "assignee", "recommended_by", "submitted_by"
    )
    if where.status == "all":
        pass
    elif where.status:
        cases = cases.filter(status=where.status)
    else:
        cases = cases.filter(status__in=OPEN_STATUSES)
    if where.kind:
        cases = cases.filter(kind=where.kind)
    if where.risk:
        cases = cases.filter(risk_level=where.risk)
    if where.older_than_days:
        cases = cases.filter(opened_at__lte=timezone.now() - timedelta(days=where.older_than_days))
    if where.assignee == "me":
        cases = cases.filter(assignee=viewer)
    elif where.assignee == "none":
        cases = cases.filter(assignee__isnull=True)
    elif where.assignee.isdigit():
        cases = cases.filter(assignee_id=int(where.assignee))
    if where.search:
        term = where.search
        cases = cases.filter(
            Q(company__legal_name_en__icontains=term)
            | Q(investor__legal_name__icontains=term)
            | Q(application__title__icontains=term)
            | Q(application__reference__icontains=term)
            | Q(application__offering__reference__icontains=term)
            | Q(summary__icontains=term)
        )
    return cases.order_by("opened_at", "pk")


def awaiting_approver(viewer: User) -> QuerySet[Case]:
    """Cases an approver can decide now: recommended by someone else."""
    return cases_queue(viewer, CaseFilter(status=CaseStatus.AWAITING_APPROVER)).exclude(recommended_by=viewer)


def reviewers() -> QuerySet[User]:
    """Who a case can be assigned to."""
    return User.objects.filter(role__in=COMPLIANCE_ROLES, is_active=True).order_by("full_name")


def case_detail(viewer: User, case_id: int) -> Case | None:
    """One case with its notes, requests and children, for staff."""
    return (
        cases_queue(viewer, CaseFilter(status="all"))
        .prefetch_related("notes__author", "information_requests__documents", "children")
        .filter(pk=case_id)
        .first()
    )


def open_requests_for(user: User) -> QuerySet[InformationRequest]:
    """Requests for information waiting for this applicant (an SME's representative or an investor)."""
    return (
        InformationRequest.objects.filter(status=InformationRequestStatus.OPEN)
        .filter(
            Q(case__company__representative=user)
            | Q(case__application__company__representative=user)
            | Q(case__investor__user=user)
        )
        .select_related("case", "case__application")
        .order_by("asked_at")
    )


def requests_for(user: User) -> QuerySet[InformationRequest]:
    """Every request for information sent to this applicant, newest first (answered ones too)."""
    return (
        InformationRequest.objects.filter(
            Q(case__company__representative=user)
            | Q(case__application__company__representative=user)
            | Q(case__investor__user=user)
        )
        .select_related("case", "case__application")
        .prefetch_related("documents")
        .order_by("-asked_at")
    )


def queue_counts(viewer: User, where: CaseFilter | None = None) -> dict[str, int]:
    """How many cases of each kind the filter finds, whatever kind it names (the queue's tabs)."""
    where = replace(where or CaseFilter(), kind="")
    rows = cases_queue(viewer, where).order_by().values_list("kind").annotate(n=Count("pk"))
    return dict(rows)


HISTORY_LENGTH = 100


def case_history(viewer: User, case: Case) -> list[Any]:
    """The audit trail of the case and of what it is about, in words, newest first."""
    from compliance.models import AuditEvent
    from compliance.selectors import audit_entries

    about = Q(object_type="compliance.case", object_id=str(case.pk))
    for object_type, object_id in (
        ("issuers.company", case.company_id if case.kind != CaseKind.APPLICATION else None),
        ("compliance.investorprofile", case.investor_id),
        ("financing.application", case.application_id),
    ):
        if object_id is not None:
            about |= Q(object_type=object_type, object_id=str(object_id))
    events = AuditEvent.objects.filter(about).select_related("actor").order_by("-pk")[:HISTORY_LENGTH]
    return audit_entries(viewer, events)


def requests_about(
    user: User, *, company: Any = None, application: Any = None, investor: Any = None
) -> QuerySet[InformationRequest]:
    """The applicant's requests (newest first), narrowed to one company's (not its applications'),
    one application's or one investor's cases when named."""
    found = requests_for(user)
    if application is not None:
        found = found.filter(case__application=application)
    elif company is not None:
        found = found.filter(case__company=company, case__application__isnull=True)
    elif investor is not None:
        found = found.filter(case__investor=investor)
    return found


def request_for(user: User, request_id: int) -> InformationRequest | None:
    """One request for information sent to this applicant (answered or not)."""
    return (
        requests_for(user)
        .select_related("case__company", "case__investor", "asked_by")
        .filter(pk=request_id)
        .first()
    )


def cases_about(viewer: User, subject: Any) -> QuerySet[Case]:
    """Every case (closed ones too) about a company, an investor or an application, newest first."""
    field = {
        "issuers.company": "company",
        "compliance.investorprofile": "investor",
        "financing.application": "application",
    }[subject._meta.label_lower]
    return (
        cases_queue(viewer, CaseFilter(status="all")).filter(**{field: subject}).order_by("-opened_at", "-pk")
    )


def alerts_queue(viewer: User, where: CaseFilter | None = None, alert_kind: str = "") -> QuerySet[Case]:
    """The alert cases of the queue (screening hits, expiring evidence, lapsed licences ...), by kind."""
    alerts = cases_queue(viewer, replace(where or CaseFilter(), kind=CaseKind.ALERT))
    return alerts.filter(alert_kind=alert_kind) if alert_kind else alerts


def answer_documents_visible_to(user: User) -> QuerySet[AnswerDocument]:
    """Files attached to answers: compliance staff see them all, an applicant those of their own requests."""
    documents = AnswerDocument.objects.select_related("request")
    if user.role in COMPLIANCE_ROLES:
        return documents
    return documents.filter(request__in=requests_for(user).values("pk"))
