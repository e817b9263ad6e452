"""Review cases, their notes, requests for information (with the applicant's answers) and conflicts."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from compliance.cases.choices import (
    OPEN_STATUSES,
    AlertKind,
    CaseKind,
    CaseStatus,
    InformationRequestStatus,
    Outcome,
    RiskLevel,
)
from config.text import NAME_MAX_LENGTH, REASON_MAX_LENGTH, visible_text

SUBJECT_FIELDS = ("company", "investor", "application")


class Case(models.Model):
    """One thing compliance must decide: a company, an investor, an application or an alert about one."""

    kind = models.CharField(max_length=16, choices=CaseKind.choices)
    status = models.CharField(max_length=20, choices=CaseStatus.choices, default=CaseStatus.OPEN)
    outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True)
    company = models.ForeignKey(
        "issuers.Company", null=True, blank=True, on_delete=models.PROTECT, related_name="cases"
    )
    investor = models.ForeignKey(
        "compliance.InvestorProfile", null=True, blank=True, on_delete=models.PROTECT, related_name="cases"
    )
    application = models.ForeignKey(
        "financing.Application", null=True, blank=True, on_delete=models.PROTECT, related_name="cases"
    )
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        help_text="The case an alert was raised under (a company's KYB for a director's screening hit).",
    )
    alert_kind = models.CharField(max_length=24, choices=AlertKind.choices, blank=True)
    alert_key = models.CharField(
        max_length=200, blank=True, help_text="What the alert is about, so the same alert is raised once."
    )
    summary = models.CharField(max_length=300, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    risk_score = models.PositiveSmallIntegerField(default=0)
    risk_level = models.CharField(max_length=8, choices=RiskLevel.choices, default=RiskLevel.LOW)
    risk_factors = models.JSONField(default=list, blank=True)
    needs_approver = models.BooleanField(
        default=False, help_text="Decided only by an approver, on another person's recommendation."
    )
    escalated = models.BooleanField(default=False)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recommended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recommendation = models.CharField(max_length=16, blank=True)
    recommendation_reason = models.TextField(max_length=REASON_MAX_LENGTH, blank=True)
    recommended_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decision_reason = models.TextField(max_length=REASON_MAX_LENGTH, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    opened_at = models.DateTimeField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["opened_at", "pk"]
        indexes = [models.Index(fields=["status", "kind"], name="case_status_kind_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=CaseKind.values), name="case_kind_valid"),
            models.CheckConstraint(condition=Q(status__in=CaseStatus.values), name="case_status_valid"),
            models.CheckConstraint(
                condition=(
                    Q(
                        kind=CaseKind.KYB,
                        company__isnull=False,
                        investor__isnull=True,
                        application__isnull=True,
                    )
                    | Q(
                        kind=CaseKind.KYC,
                        investor__isnull=False,
                        company__isnull=True,
                        application__isnull=True,
                    )
                    | Q(kind=CaseKind.APPLICATION, application__isnull=False, investor__isnull=True)
                    | Q(kind=CaseKind.ALERT, alert_kind__gt="")
                ),
                name="case_subject_matches_kind",
            ),
            # A subject has at most one open case of each kind; an alert is raised once while open.
            models.UniqueConstraint(
                fields=["kind", "company"],
                condition=Q(kind=CaseKind.KYB, status__in=OPEN_STATUSES),
                name="one_open_kyb_case",
            ),
            models.UniqueConstraint(
                fields=["kind", "investor"],
                condition=Q(kind=CaseKind.KYC, status__in=OPEN_STATUSES),
                name="one_open_kyc_case",
            ),
            models.UniqueConstraint(
                fields=["kind", "application"],
                condition=Q(kind=CaseKind.APPLICATION, status__in=OPEN_STATUSES),
                name="one_open_application_case",
            ),
            models.UniqueConstraint(
                fields=["alert_key"],
                condition=Q(kind=CaseKind.ALERT, status__in=OPEN_STATUSES),
                name="one_open_alert_per_key",
            ),
        ]

    def __str__(self) -> str:
        return f"Case #{self.pk} ({self.get_kind_display()})"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def approver_reason(self) -> str:
        """Why an approver decides this case, in words: its risk, an escalation, or the rule that asks."""
        if self.risk_level != RiskLevel.LOW:
            return f"it is {self.get_risk_level_display().lower()} risk"
        if self.escalated:
            return "it was escalated"
        rules = [f["text"] for f in self.risk_factors if f.get("needs_approver")]
        return f"of a rule: {rules[0][0].lower()}{rules[0][1:]}" if rules else "of the platform's rules"

    @property
    def subject(self) -> models.Model | None:
        """The company, investor or application the case is about (an alert may name any of them)."""
        return self.application or self.investor or self.company


class CaseNote(models.Model):
    """An internal note on a case: staff only, never shown to the applicant."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(max_length=REASON_MAX_LENGTH, validators=[visible_text])
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"Note on case #{self.case_id}"


class InformationRequest(models.Model):
    """A question compliance sent to the applicant, and the applicant's answer."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="information_requests")
    asked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    question = models.TextField(max_length=REASON_MAX_LENGTH, validators=[visible_text])
    asked_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(
        max_length=16, choices=InformationRequestStatus.choices, default=InformationRequestStatus.OPEN
    )
    answer = models.TextField(max_length=REASON_MAX_LENGTH, blank=True, validators=[visible_text])
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["asked_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"],
                condition=Q(status=InformationRequestStatus.OPEN),
                name="one_open_information_request_per_case",
            )
        ]

    def __str__(self) -> str:
        return f"Request for information on case #{self.case_id}"


def answer_document_path(instance: AnswerDocument, filename: str) -> str:
    """Stored under the case and the file's fingerprint, never the user's file name."""
    return f"cases/{instance.request.case_id}/{instance.sha256}"


class AnswerDocument(models.Model):
    """A file the applicant attached to an answer (PDF, PNG or JPEG)."""

    request = models.ForeignKey(InformationRequest, on_delete=models.CASCADE, related_name="documents")
    file = models.FileField(upload_to=answer_document_path, max_length=300)
    original_name = models.CharField(max_length=255, validators=[visible_text])
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.original_name


class ConflictDeclaration(models.Model):
    """A reviewer's declared connection to a company or investor: they may not decide its cases."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="conflicts")
    company = models.ForeignKey(
        "issuers.Company", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    investor = models.ForeignKey(
        "compliance.InvestorProfile", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    reason = models.CharField(max_length=NAME_MAX_LENGTH, validators=[visible_text])
    declared_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(company__isnull=False, investor__isnull=True)
                | Q(company__isnull=True, investor__isnull=False),
                name="conflict_names_one_party",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} connected to {self.company or self.investor}"
