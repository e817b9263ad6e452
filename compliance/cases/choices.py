"""Choices of review cases: kinds, states, decisions, risk levels and alert kinds."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CaseKind(models.TextChoices):
    KYB = "kyb", _("Company (KYB)")
    KYC = "kyc", _("Investor (KYC)")
    APPLICATION = "application", _("Application")
    ALERT = "alert", _("Alert")


class CaseStatus(models.TextChoices):
    OPEN = "open", _("Open")
    INFO_REQUESTED = "info_requested", _("Information requested")
    AWAITING_APPROVER = "awaiting_approver", _("Awaiting approver")
    CLOSED = "closed", _("Closed")


CASE_TRANSITIONS = {
    CaseStatus.OPEN: {CaseStatus.INFO_REQUESTED, CaseStatus.AWAITING_APPROVER, CaseStatus.CLOSED},
    CaseStatus.INFO_REQUESTED: {CaseStatus.OPEN, CaseStatus.CLOSED},
    CaseStatus.AWAITING_APPROVER: {CaseStatus.OPEN, CaseStatus.INFO_REQUESTED, CaseStatus.CLOSED},
    CaseStatus.CLOSED: set(),
}

OPEN_STATUSES = (CaseStatus.OPEN, CaseStatus.INFO_REQUESTED, CaseStatus.AWAITING_APPROVER)


class Decision(models.TextChoices):
    """What a reviewer may do with a case. Alerts are cleared or confirmed; the rest approved or rejected."""

    APPROVE = "approve", _("Approve")
    REJECT = "reject", _("Reject")
    CLEAR = "clear", _("Clear (not a match)")
    CONFIRM = "confirm", _("Confirm")
    REQUEST_INFO = "request_info", _("Request information")
    ESCALATE = "escalate", _("Escalate to an approver")


# Decisions that end a case, per kind; the others (request information, escalate) move it along.
FINAL_DECISIONS = {
    "kyb": (Decision.APPROVE, Decision.REJECT),
    "kyc": (Decision.APPROVE, Decision.REJECT),
    "application": (Decision.APPROVE, Decision.REJECT),
    "alert": (Decision.CLEAR, Decision.CONFIRM),
}


class Outcome(models.TextChoices):
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    CLEARED = "cleared", _("Cleared")
    CONFIRMED = "confirmed", _("Confirmed")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    CHANGES_REQUESTED = "changes_requested", _("Changes requested")


OUTCOME_OF = {
    Decision.APPROVE: Outcome.APPROVED,
    Decision.REJECT: Outcome.REJECTED,
    Decision.CLEAR: Outcome.CLEARED,
    Decision.CONFIRM: Outcome.CONFIRMED,
}


class RiskLevel(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")


class AlertKind(models.TextChoices):
    SCREENING_MATCH = "screening_match", _("Possible sanctions match")
    WALLET_MATCH = "wallet_match", _("Wallet on a sanctions list")
    PEP_REVIEW = "pep_review", _("Politically exposed person: yearly review")
    EVIDENCE_EXPIRING = "evidence_expiring", _("Evidence expiring")
    EVIDENCE_STALE = "evidence_stale", _("Evidence expired")
    LICENCE_LAPSED = "licence_lapsed", _("Arranger's licence lapsed")


class InformationRequestStatus(models.TextChoices):
    OPEN = "open", _("Waiting for the applicant")
    ANSWERED = "answered", _("Answered")
