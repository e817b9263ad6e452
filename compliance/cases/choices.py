"""Choices of review cases: kinds, states, decisions, risk levels and alert kinds."""

from django.db import models


class CaseKind(models.TextChoices):
    KYB = "kyb", "Company (KYB)"
    KYC = "kyc", "Investor (KYC)"
    APPLICATION = "application", "Application"
    ALERT = "alert", "Alert"


class CaseStatus(models.TextChoices):
    OPEN = "open", "Open"
    INFO_REQUESTED = "info_requested", "Information requested"
    AWAITING_APPROVER = "awaiting_approver", "Awaiting approver"
    CLOSED = "closed", "Closed"


CASE_TRANSITIONS = {
    CaseStatus.OPEN: {CaseStatus.INFO_REQUESTED, CaseStatus.AWAITING_APPROVER, CaseStatus.CLOSED},
    CaseStatus.INFO_REQUESTED: {CaseStatus.OPEN, CaseStatus.CLOSED},
    CaseStatus.AWAITING_APPROVER: {CaseStatus.OPEN, CaseStatus.INFO_REQUESTED, CaseStatus.CLOSED},
    CaseStatus.CLOSED: set(),
}

OPEN_STATUSES = (CaseStatus.OPEN, CaseStatus.INFO_REQUESTED, CaseStatus.AWAITING_APPROVER)


class Decision(models.TextChoices):
    """What a reviewer may do with a case. Alerts are cleared or confirmed; the rest approved or rejected."""

    APPROVE = "approve", "Approve"
    REJECT = "reject", "Reject"
    CLEAR = "clear", "Clear (not a match)"
    CONFIRM = "confirm", "Confirm"
    REQUEST_INFO = "request_info", "Request information"
    ESCALATE = "escalate", "Escalate to an approver"


# Decisions that end a case, per kind; the others (request information, escalate) move it along.
FINAL_DECISIONS = {
    "kyb": (Decision.APPROVE, Decision.REJECT),
    "kyc": (Decision.APPROVE, Decision.REJECT),
    "application": (Decision.APPROVE, Decision.REJECT),
    "alert": (Decision.CLEAR, Decision.CONFIRM),
}


class Outcome(models.TextChoices):
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"
    CLEARED = "cleared", "Cleared"
    CONFIRMED = "confirmed", "Confirmed"
    WITHDRAWN = "withdrawn", "Withdrawn"
    CHANGES_REQUESTED = "changes_requested", "Changes requested"


OUTCOME_OF = {
    Decision.APPROVE: Outcome.APPROVED,
    Decision.REJECT: Outcome.REJECTED,
    Decision.CLEAR: Outcome.CLEARED,
    Decision.CONFIRM: Outcome.CONFIRMED,
}


class RiskLevel(models.TextChoices):
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"


class AlertKind(models.TextChoices):
    SCREENING_MATCH = "screening_match", "Possible sanctions match"
    WALLET_MATCH = "wallet_match", "Wallet on a sanctions list"
    PEP_REVIEW = "pep_review", "Politically exposed person: yearly review"
    EVIDENCE_EXPIRING = "evidence_expiring", "Evidence expiring"
    EVIDENCE_STALE = "evidence_stale", "Evidence expired"
    LICENCE_LAPSED = "licence_lapsed", "Arranger's licence lapsed"


class InformationRequestStatus(models.TextChoices):
    OPEN = "open", "Waiting for the applicant"
    ANSWERED = "answered", "Answered"
