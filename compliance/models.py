"""Investor KYC profiles and the tamper-evident audit log."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django_countries.fields import CountryField

from compliance.choices import InvestorType, KycStatus
from compliance.pep import PepDeclaration
from config.text import NAME_MAX_LENGTH, REASON_MAX_LENGTH, SHORT_TEXT_MAX_LENGTH, visible_text


class InvestorProfile(PepDeclaration):
    """An investor's due-diligence record (with its PEP declaration), custodial wallet and on-chain identity
    state."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="investor")
    investor_type = models.CharField(max_length=16, choices=InvestorType.choices)
    legal_name = models.CharField(max_length=NAME_MAX_LENGTH, validators=[visible_text])
    country = CountryField(help_text="Country of residence or incorporation.")
    id_document_number = models.CharField(
        max_length=SHORT_TEXT_MAX_LENGTH,
        validators=[visible_text],
        help_text="Passport, HKID or registration number.",
    )
    declared_portfolio_hkd = models.DecimalField(
        max_digits=18, decimal_places=2, help_text="Portfolio (or total assets for a corporation) in HKD."
    )
    is_professional = models.BooleanField(default=False)
    kyc_status = models.CharField(max_length=16, choices=KycStatus.choices, default=KycStatus.DRAFT)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decision_reason = models.TextField(max_length=REASON_MAX_LENGTH, blank=True, validators=[visible_text])
    wallet = models.OneToOneField(
        "tokens.Wallet", null=True, blank=True, on_delete=models.PROTECT, related_name="investor_profile"
    )
    identity_registered_at = models.DateTimeField(null=True, blank=True)
    chain_setup_error = models.TextField(
        blank=True, help_text="Why registering the identity failed, in plain words."
    )
    retain_until = models.DateField(
        null=True,
        blank=True,
        help_text="Kept until at least this day, set when the relationship ends (empty while it lasts).",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(kyc_status__in=KycStatus.values), name="kyc_status_valid"),
            models.CheckConstraint(condition=Q(declared_portfolio_hkd__gte=0), name="portfolio_not_negative"),
            models.CheckConstraint(
                condition=~Q(kyc_status=KycStatus.APPROVED) | Q(wallet__isnull=False),
                name="approved_investor_has_wallet",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.legal_name} ({self.get_kyc_status_display()})"

    @property
    def can_subscribe(self) -> bool:
        """Verified and registered on chain (each subscription's payment is authorised on its own)."""
        return self.kyc_status == KycStatus.APPROVED and self.identity_registered_at is not None


class AuditEvent(models.Model):
    """One append-only entry of the audit trail; each entry's keyed hash covers the previous one's."""

    occurred_at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField(max_length=64)
    object_type = models.CharField(max_length=64)
    object_id = models.CharField(max_length=64)
    from_status = models.CharField(max_length=32, blank=True)
    to_status = models.CharField(max_length=32, blank=True)
    reason = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)
    previous_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)
    key_id = models.CharField(max_length=16, help_text="Which AUDIT_HMAC_KEY signed this entry.")

    class Meta:
        ordering = ["pk"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.object_type}:{self.object_id} {self.action}"


class AuditChainHead(models.Model):
    """A single row locked while appending, so entries chain in one order under concurrency."""

    last_hash = models.CharField(max_length=64)

    def __str__(self) -> str:
        return self.last_hash


class AuditCheckpoint(models.Model):
    """A single row: how far the trail was last verified, so each check starts there, not at genesis."""

    last_event_id = models.PositiveBigIntegerField(default=0, help_text="0: nothing verified yet.")
    last_hash = models.CharField(max_length=64)
    verified_at = models.DateTimeField(null=True, blank=True)
    full_verified_at = models.DateTimeField(
        null=True, blank=True, help_text="When the whole trail, from the first entry, was last verified."
    )
    broken_at = models.PositiveBigIntegerField(
        null=True, blank=True, help_text="The first entry the last verification found altered."
    )

    def __str__(self) -> str:
        return f"verified through entry {self.last_event_id}"


from compliance.cases.models import (  # noqa: E402  (the case models belong to this app)
    AnswerDocument,
    Case,
    CaseNote,
    ConflictDeclaration,
    InformationRequest,
)
from compliance.licences.models import Intermediary, Licence  # noqa: E402  (part of this app)
from compliance.screening.models import (  # noqa: E402  (the screening models belong to this app)
    SanctionsEntry,
    SanctionsList,
    SanctionsName,
    SanctionsWallet,
    Screening,
    ScreeningRun,
)

__all__ = [
    "AnswerDocument",
    "AuditChainHead",
    "AuditCheckpoint",
    "AuditEvent",
    "Case",
    "CaseNote",
    "ConflictDeclaration",
    "InformationRequest",
    "Intermediary",
    "InvestorProfile",
    "Licence",
    "SanctionsEntry",
    "SanctionsList",
    "SanctionsName",
    "SanctionsWallet",
    "Screening",
    "ScreeningRun",
]
