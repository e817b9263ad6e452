"""Choices of compliance: KYC states, investor types and classes."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class KycStatus(models.TextChoices):
    DRAFT = "draft", _("Not submitted")
    SUBMITTED = "submitted", _("Awaiting review")
    APPROVED = "approved", _("Verified")
    REJECTED = "rejected", _("Rejected")
    REVOKED = "revoked", _("Revoked")
    BLOCKED = "blocked", _("Blocked (confirmed sanctions match)")


# An approved investor renews by submitting again (new evidence, a new case); a revoked one likewise.
KYC_TRANSITIONS = {
    KycStatus.DRAFT: {KycStatus.SUBMITTED},
    KycStatus.SUBMITTED: {KycStatus.APPROVED, KycStatus.REJECTED},
    KycStatus.REJECTED: {KycStatus.SUBMITTED},
    KycStatus.APPROVED: {KycStatus.SUBMITTED, KycStatus.REVOKED, KycStatus.BLOCKED},
    KycStatus.REVOKED: {KycStatus.SUBMITTED},
    # An investor on whom a sanctions match is confirmed is blocked for good.
    KycStatus.BLOCKED: set(),
}

# The investor may edit details, people and evidence in these states (not while a review runs).
KYC_EDITABLE = (KycStatus.DRAFT, KycStatus.REJECTED, KycStatus.APPROVED, KycStatus.REVOKED)


class InvestorType(models.TextChoices):
    INDIVIDUAL = "individual", _("Individual")
    CORPORATE = "corporate", _("Corporation or partnership")
    TRUST = "trust", _("Trust corporation")


class InvestorDocumentKind(models.TextChoices):
    IDENTITY = "identity", _("Identity document")
    ADDRESS = "address", _("Proof of address")
    PI_EVIDENCE = "pi_evidence", _("Professional-investor evidence")


class PiEvidenceType(models.TextChoices):
    """What proves the portfolio or total assets (Cap. 571D s.3-5), and how long its date holds."""

    STATEMENT = "statement", _("Custodian or bank statement")
    AUDITOR_CERTIFICATE = "auditor_certificate", _("Auditor's or accountant's certificate")
    AUDITED_ACCOUNTS = "audited_accounts", _("Audited financial statements")
    OTHER = "other", _("Other")


# Months after its own date that a piece of PI evidence still counts (SFC guidance: a statement or
# certificate within 12 months, the latest audited accounts within 16 months).
PI_EVIDENCE_MONTHS = {
    PiEvidenceType.STATEMENT: 12,
    PiEvidenceType.AUDITOR_CERTIFICATE: 12,
    PiEvidenceType.AUDITED_ACCOUNTS: 16,
    PiEvidenceType.OTHER: 12,
}


class InvestorClass(models.IntegerChoices):
    """Bits of the on-chain identity registry's investor class mask."""

    PROFESSIONAL = 1, _("Professional investor")
    INSTITUTIONAL = 2, _("Institutional")
    RETAIL = 4, _("Retail")
    ISSUER = 8, _("Issuer")


# How long an approval (and the on-chain identity) holds before the investor is verified again.
KYC_VALIDITY_MONTHS = 12


class AttestationKind(models.TextChoices):
    """What a signed attestation states (its EIP-712 primary type is the value's CamelCase twin)."""

    COMPANY_VERIFIED = "company_verified", _("Company verified (KYB)")
    PROFESSIONAL_INVESTOR = "professional_investor", _("Professional investor")


# The EIP-712 primary type of each kind.
ATTESTATION_PRIMARY_TYPES = {
    AttestationKind.COMPANY_VERIFIED: "CompanyVerified",
    AttestationKind.PROFESSIONAL_INVESTOR: "ProfessionalInvestor",
}


class AttestationStatus(models.TextChoices):
    ACTIVE = "active", _("Valid")
    REVOKED = "revoked", _("Revoked")


ATTESTATION_TRANSITIONS = {
    AttestationStatus.ACTIVE: {AttestationStatus.REVOKED},
    AttestationStatus.REVOKED: set(),
}
