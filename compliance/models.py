"""Investor KYC profiles and the tamper-evident audit log."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django_countries.fields import CountryField

from compliance.choices import (
    AttestationKind,
    AttestationStatus,
    InvestorDocumentKind,
    InvestorType,
    KycStatus,
    PiEvidenceType,
)
from compliance.pep import PepDeclaration
from config.i18n import day_text
from config.text import NAME_MAX_LENGTH, REASON_MAX_LENGTH, SHORT_TEXT_MAX_LENGTH, visible_text
from issuers.choices import Residency


class InvestorProfile(PepDeclaration):
    """An investor's due-diligence record (with its PEP declaration), custodial wallet and on-chain identity
    state."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="investor")
    investor_type = models.CharField(max_length=16, choices=InvestorType.choices)
    legal_name = models.CharField(max_length=NAME_MAX_LENGTH, validators=[visible_text])
    country = CountryField(help_text="Country of residence or incorporation.")
    residency = models.CharField(
        max_length=16,
        choices=Residency.choices,
        default=Residency.NOT_STATED,
        help_text="Where the investor lives or is established: where shared personal records would go.",
    )
    birth_date = models.DateField(
        null=True, blank=True, help_text="An individual's date of birth (it narrows sanctions screening)."
    )
    id_document_number = models.CharField(
        max_length=SHORT_TEXT_MAX_LENGTH,
        validators=[visible_text],
        help_text="Passport, HKID or registration number.",
    )
    declared_portfolio_hkd = models.DecimalField(
        max_digits=18, decimal_places=2, default=0, help_text="Portfolio of securities and cash in HKD."
    )
    total_assets_hkd = models.DecimalField(
        max_digits=18,
        decimal_places=2,
        default=0,
        help_text="Total assets in HKD (corporations, partnerships and trust corporations).",
    )
    claims_professional = models.BooleanField(
        default=False, help_text="The investor claims professional-investor status (Cap. 571D)."
    )
    is_professional = models.BooleanField(
        default=False,
        help_text="Verified by compliance on evidence still in date; cleared when it goes stale.",
    )
    pi_valid_until = models.DateField(
        null=True, blank=True, help_text="The day the verified professional-investor status lapses."
    )
    kyc_valid_until = models.DateField(
        null=True, blank=True, help_text="The day the approval (and the on-chain identity) lapses."
    )
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
            models.CheckConstraint(condition=Q(total_assets_hkd__gte=0), name="total_assets_not_negative"),
            models.CheckConstraint(
                condition=Q(is_professional=False) | Q(pi_valid_until__isnull=False),
                name="verified_professional_has_expiry",
            ),
            models.CheckConstraint(
                condition=~Q(kyc_status=KycStatus.APPROVED) | Q(wallet__isnull=False),
                name="approved_investor_has_wallet",
            ),
            models.CheckConstraint(
                condition=Q(residency__in=Residency.values), name="investor_residency_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.legal_name} ({self.get_kyc_status_display()})"

    @property
    def can_subscribe(self) -> bool:
        """Verified, in date and registered on chain (each subscription's payment is authorised alone)."""
        from django.utils import timezone

        return (
            self.kyc_status == KycStatus.APPROVED
            and self.identity_registered_at is not None
            and (self.kyc_valid_until is None or self.kyc_valid_until > timezone.localdate())
        )

    @property
    def professional_status(self) -> str:
        """Professional-investor status in words: claimed, verified until a day, or lapsed."""
        from django.utils import timezone

        if self.is_professional and self.pi_valid_until is not None:
            return gettext("Professional investor until %(pi_valid_until)s") % {
                "pi_valid_until": day_text(self.pi_valid_until)
            }
        if not self.claims_professional:
            return gettext("Retail investor")
        if self.pi_valid_until is not None and self.pi_valid_until <= timezone.localdate():
            return gettext("Retail: professional-investor evidence expired on %(pi_valid_until)s") % {
                "pi_valid_until": day_text(self.pi_valid_until)
            }
        if self.kyc_status in (KycStatus.DRAFT, KycStatus.SUBMITTED):
            return gettext("Professional investor (claimed, not yet verified)")
        return gettext("Retail: professional-investor claim not verified")

    @property
    def is_organisation(self) -> bool:
        return self.investor_type != InvestorType.INDIVIDUAL


class InvestorPerson(PepDeclaration):
    """A director or beneficial owner of a corporate or trust investor, screened as a child check."""

    profile = models.ForeignKey(InvestorProfile, on_delete=models.CASCADE, related_name="people")
    full_name = models.CharField(max_length=NAME_MAX_LENGTH, validators=[visible_text])
    nationality = CountryField()
    residency = models.CharField(
        max_length=16,
        choices=Residency.choices,
        default=Residency.NOT_STATED,
        help_text="Where the person lives: it decides whether their record may cross the border.",
    )
    birth_date = models.DateField()
    is_director = models.BooleanField(default=False)
    is_beneficial_owner = models.BooleanField(default=False)
    ownership_percent = models.DecimalField(
        max_digits=5, decimal_places=2, default=0, help_text="Shares or control held, 0 to 100."
    )
    retain_until = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ownership_percent__gte=0) & Q(ownership_percent__lte=100),
                name="investor_person_ownership_in_range",
            ),
            models.CheckConstraint(
                condition=Q(is_director=True) | Q(is_beneficial_owner=True), name="investor_person_has_a_role"
            ),
            models.CheckConstraint(
                condition=Q(residency__in=Residency.values), name="investor_person_residency_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.full_name


def investor_document_path(instance: InvestorDocument, filename: str) -> str:
    """Stored under the investor and the file's fingerprint, never the user's file name."""
    return f"investors/{instance.profile_id}/{instance.kind}/{instance.sha256}"


class InvestorDocument(models.Model):
    """A KYC evidence file: identity, proof of address or professional-investor evidence with its date."""

    profile = models.ForeignKey(InvestorProfile, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(max_length=16, choices=InvestorDocumentKind.choices)
    evidence_type = models.CharField(
        max_length=24, choices=PiEvidenceType.choices, blank=True, help_text="PI evidence only."
    )
    document_date = models.DateField(
        null=True, blank=True, help_text="The document's own date (a statement's date); PI evidence only."
    )
    file = models.FileField(upload_to=investor_document_path, max_length=300)
    original_name = models.CharField(max_length=255, validators=[visible_text])
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(
        null=True, blank=True, help_text="When it went to compliance with a submission; fixed from then on."
    )
    retain_until = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["kind", "-uploaded_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["profile", "sha256"], name="investor_document_once_per_profile"),
            models.CheckConstraint(
                condition=Q(kind=InvestorDocumentKind.PI_EVIDENCE)
                | (Q(evidence_type="") & Q(document_date__isnull=True)),
                name="only_pi_evidence_has_type_and_date",
            ),
            models.CheckConstraint(
                condition=~Q(kind=InvestorDocumentKind.PI_EVIDENCE)
                | (~Q(evidence_type="") & Q(document_date__isnull=False)),
                name="pi_evidence_has_type_and_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.original_name}"

    @property
    def is_submitted(self) -> bool:
        return self.submitted_at is not None


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
from compliance.wallets.models import LinkedWallet, SiweNonce  # noqa: E402  (part of this app)

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
    "InvestorDocument",
    "InvestorPerson",
    "InvestorProfile",
    "Licence",
    "LinkedWallet",
    "SanctionsEntry",
    "SanctionsList",
    "SanctionsName",
    "SanctionsWallet",
    "Screening",
    "ScreeningRun",
    "SiweNonce",
]


class Attestation(models.Model):
    """A signed EIP-712 statement the platform issued to a holder (a verified company, a professional
    investor): the typed data and signature exactly as downloaded, its digest, and its revocation."""

    kind = models.CharField(max_length=32, choices=AttestationKind.choices)
    company = models.ForeignKey(
        "issuers.Company", null=True, blank=True, on_delete=models.PROTECT, related_name="attestations"
    )
    investor = models.ForeignKey(
        InvestorProfile, null=True, blank=True, on_delete=models.PROTECT, related_name="attestations"
    )
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    typed_data = models.JSONField(help_text="The EIP-712 domain, types, primary type and message signed.")
    signature = models.CharField(max_length=132, help_text="The attester key's signature, 0x + r s v.")
    digest = models.CharField(max_length=66, unique=True, help_text="The EIP-712 digest, 0x-hex.")
    signer = models.CharField(max_length=42, help_text="The attester address that signed it.")
    issued_at = models.DateTimeField()
    valid_until = models.DateTimeField()
    status = models.CharField(
        max_length=16, choices=AttestationStatus.choices, default=AttestationStatus.ACTIVE
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    revocation_reason = models.TextField(max_length=REASON_MAX_LENGTH, blank=True)
    revocation_tx = models.ForeignKey(
        "tokens.ChainTransaction", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    revoked_on_chain_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-issued_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=AttestationKind.values), name="attestation_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=AttestationStatus.values), name="attestation_status_valid"
            ),
            models.CheckConstraint(
                condition=(
                    Q(kind=AttestationKind.COMPANY_VERIFIED, company__isnull=False, investor__isnull=True)
                    | Q(
                        kind=AttestationKind.PROFESSIONAL_INVESTOR,
                        investor__isnull=False,
                        company__isnull=True,
                    )
                ),
                name="attestation_subject_matches_kind",
            ),
            models.CheckConstraint(
                condition=~Q(status=AttestationStatus.REVOKED) | Q(revoked_at__isnull=False),
                name="revoked_attestation_has_time",
            ),
            models.CheckConstraint(
                condition=Q(valid_until__gt=models.F("issued_at")), name="attestation_ends_later"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.digest[:10]} ({self.get_status_display()})"
