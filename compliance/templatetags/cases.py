"""Template helpers of review cases: ages, badge colours and the applicant's requests for information."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django import template
from django.utils import timezone
from django.utils.timesince import timesince
from django.utils.translation import gettext

from compliance.cases.choices import CaseStatus, InformationRequestStatus, Outcome, RiskLevel
from compliance.cases.selectors import requests_about

register = template.Library()

# Answered requests listed in the box; the rest stay readable at their own address and in the API.
ANSWERED_SHOWN = 10

RISK_TONES = {RiskLevel.LOW: "success", RiskLevel.MEDIUM: "warning", RiskLevel.HIGH: "danger"}
CASE_TONES = {
    CaseStatus.OPEN: "accent",
    CaseStatus.INFO_REQUESTED: "warning",
    CaseStatus.AWAITING_APPROVER: "info",
    Outcome.APPROVED: "success",
    Outcome.CLEARED: "success",
    Outcome.REJECTED: "danger",
    Outcome.CONFIRMED: "danger",
}


@register.filter
def age(moment: datetime | None) -> str:
    """How long ago, in its largest unit only: "3 days", "5 hours"."""
    if moment is None:
        return "—"
    if (timezone.now() - moment).total_seconds() < 60:
        return "under a minute"
    return timesince(moment, depth=1)


@register.filter
def risk_tone(level: object) -> str:
    return RISK_TONES.get(str(level), "neutral")  # type: ignore[call-overload]


@register.filter
def case_tone(value: object) -> str:
    """The badge colour of a case's state, or of a closed case's outcome."""
    return CASE_TONES.get(str(value), "neutral")  # type: ignore[call-overload]


@register.inclusion_tag("compliance/_information_requests.html", takes_context=True)
def information_requests(
    context: dict[str, Any], company: Any = None, application: Any = None, investor: Any = None
) -> dict[str, Any]:
    """The applicant's requests for information, optionally about one subject: every one still waiting
    for an answer, then the newest answered ones (at most ANSWERED_SHOWN, with how many there are)."""
    user = context["request"].user
    found = requests_about(user, company=company, application=application, investor=investor)
    waiting = list(found.filter(status=InformationRequestStatus.OPEN))
    answered = found.exclude(status=InformationRequestStatus.OPEN)
    shown = list(answered[:ANSWERED_SHOWN])
    count = len(shown) if len(shown) < ANSWERED_SHOWN else answered.count()
    return {"waiting": waiting, "answered": shown, "answered_count": count}


@register.filter
def decision_label(value: object) -> str:
    """A recorded decision (a recommendation) in words: "approve" -> "approve", "request_info" -> ..."""
    from compliance.cases.choices import Decision

    try:
        return str(Decision(str(value)).label).lower()
    except ValueError:
        return str(value)


@register.filter
def concerning(case: Any) -> str:
    """What a request for information is about, as the applicant reads it (never an alert's internals)."""
    from compliance.cases.choices import CaseKind

    if case.kind == CaseKind.APPLICATION and case.application is not None:
        return gettext("Your application “%(title)s”") % {"title": case.application.title}
    if case.kind == CaseKind.KYC:
        return gettext("Your investor due diligence")
    if case.kind == CaseKind.KYB:
        return gettext("Your company's KYB review")
    return "A compliance check on your account"
