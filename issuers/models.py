"""SME companies that raise money on the platform."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django_countries.fields import CountryField

from compliance.pep import PepDeclaration
from config.text import NAME_MAX_LENGTH, REASON_MAX_LENGTH, SHORT_TEXT_MAX_LENGTH, visible_text
from issuers.choices import (
    DocumentKind,
    FilingAuthority,
    Industry,
    Jurisdiction,
    KybStatus,
    PiaConclusion,
    RegistrationCheck,
    Residency,
    SrdiTier,
    TransferDirection,
    TrustRole,
)


class Company(models.Model):
    """An SME issuer, represented by one signed-in user."""

    representative = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="company"
    )
    legal_name_en = models.CharField(
        "Legal name (English)", max_length=NAME_MAX_LENGTH, validators=[visible_text]
    )
    legal_name_zh = models.CharField(
        "Legal name (Chinese)", max_length=NAME_MAX_LENGTH, blank=True, validators=[visible_text]
    )
    jurisdiction = models.CharField(max_length=8, choices=Jurisdiction.choices)
    registration_number = models.CharField(max_length=32)
    registration_check = models.CharField(
        max_length=16, choices=RegistrationCheck.choices, default=RegistrationCheck.FORMAT_VALID
    )
    industry = models.CharField(max_length=32, choices=Industry.choices)
    # Recognition and tags that investors filter on.
    srdi_tier = models.CharField("SRDI recognition", max_length=16, choices=SrdiTier.choices, blank=True)
    srdi_batch = models.CharField(
        "SRDI batch", max_length=SHORT_TEXT_MAX_LENGTH, blank=True, validators=[visible_text]
    )
    srdi_authority = models.CharField(
        "SRDI issuing authority", max_length=NAME_MAX_LENGTH, blank=True, validators=[visible_text]
    )
    srdi_valid_from = models.DateField("SRDI valid from", null=True, blank=True)
    srdi_valid_until = models.DateField("SRDI valid until", null=True, blank=True)
    is_green = models.BooleanField("Green", default=False)
    is_technology = models.BooleanField("Technology", default=False)
    # Financial snapshot (latest full year).
    annual_revenue = models.DecimalField(max_digits=18, decimal_places=2, null=True, blank=True)
    revenue_currency = models.CharField(max_length=3, default="HKD")
    employees = models.PositiveIntegerField(null=True, blank=True)
    years_trading = models.PositiveSmallIntegerField(null=True, blank=True)
    # What investors read about the issuer on its offerings' pages.
    founded_year = models.PositiveSmallIntegerField("Year founded", null=True, blank=True)
    description = models.TextField(
        "Short description", max_length=REASON_MAX_LENGTH, blank=True, validators=[visible_text]
    )
    kyb_status = models.CharField(max_length=16, choices=KybStatus.choices, default=KybStatus.DRAFT)
    decision_reason = models.TextField(max_length=REASON_MAX_LENGTH, blank=True, validators=[visible_text])
    wallet = models.OneToOneField(
        "tokens.Wallet", null=True, blank=True, on_delete=models.PROTECT, related_name="company"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "companies"
        indexes = [
            models.Index(fields=["jurisdiction", "registration_number"], name="company_registration_idx")
        ]
        constraints = [
            # Anyone may claim a number (a second claimant goes to compliance as a conflict); only one
            # company per number can be verified.
            models.UniqueConstraint(
                fields=["jurisdiction", "registration_number"],
                condition=Q(kyb_status=KybStatus.VERIFIED),
                name="verified_registration_unique",
            ),
            models.CheckConstraint(condition=Q(kyb_status__in=KybStatus.values), name="kyb_status_valid"),
            models.CheckConstraint(
                condition=~Q(kyb_status=KybStatus.VERIFIED) | Q(wallet__isnull=False),
                name="verified_company_has_wallet",
            ),
            models.CheckConstraint(
                condition=Q(srdi_valid_until__isnull=True)
                | Q(srdi_valid_from__isnull=True)
                | Q(srdi_valid_until__gt=models.F("srdi_valid_from")),
                name="srdi_validity_ordered",
            ),
            models.CheckConstraint(
                condition=Q(annual_revenue__isnull=True) | Q(annual_revenue__gte=0),
                name="revenue_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return self.legal_name_en


class Person(PepDeclaration):
    """A director or ultimate beneficial owner of a company (or both), with their PEP declaration."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="people")
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
    trust_role = models.CharField(
        max_length=16,
        choices=TrustRole.choices,
        blank=True,
        help_text="Trustee or beneficiary of a trust holding shares: a beneficial owner whatever the share.",
    )
    retain_until = models.DateField(
        null=True,
        blank=True,
        help_text="Kept until at least this day, set when the relationship ends (empty while it lasts).",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]
        verbose_name_plural = "people"
        constraints = [
            models.CheckConstraint(
                condition=Q(ownership_percent__gte=0) & Q(ownership_percent__lte=100),
                name="ownership_in_range",
            ),
            models.CheckConstraint(
                condition=Q(is_director=True) | Q(is_beneficial_owner=True), name="person_has_a_role"
            ),
            models.CheckConstraint(
                condition=Q(trust_role="") | Q(is_beneficial_owner=True),
                name="trust_parties_are_beneficial_owners",
            ),
            models.CheckConstraint(
                condition=Q(residency__in=Residency.values), name="person_residency_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.full_name


def document_path(instance: Document, filename: str) -> str:
    """Stored under the company and the file's fingerprint, never the user's file name."""
    return f"companies/{instance.company_id}/{instance.kind}/{instance.sha256}"


class Document(models.Model):
    """A KYB document, stored through Django storage with its SHA-256 fingerprint."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(max_length=32, choices=DocumentKind.choices)
    file = models.FileField(upload_to=document_path, max_length=300)
    original_name = models.CharField(max_length=255, validators=[visible_text])
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    retain_until = models.DateField(
        null=True,
        blank=True,
        help_text="Kept until at least this day, set when the relationship ends (empty while it lasts).",
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["kind", "-uploaded_at"]
        constraints = [
            models.UniqueConstraint(fields=["company", "sha256"], name="document_once_per_company"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.original_name}"


def assessment_path(instance: CrossBorderTransfer, filename: str) -> str:
    """Stored under the company and the file's fingerprint, never the user's file name."""
    return f"companies/{instance.company_id}/impact_assessment/{instance.pia_document_sha256}"


class CrossBorderTransfer(models.Model):
    """The legal basis for a company's people's records to leave the mainland for Hong Kong.

    Three things are needed before any of a mainland resident's record goes to a recipient: the person's
    separate consent (`TransferConsent`), a personal information protection impact assessment recorded
    by compliance, and the GBA standard contract filed with an authority. Earlier versions of the
    assessment and the filing are kept in the audit trail.
    """

    company = models.OneToOneField(Company, on_delete=models.CASCADE, related_name="cross_border_transfer")
    direction = models.CharField(
        max_length=16, choices=TransferDirection.choices, default=TransferDirection.MAINLAND_TO_HONG_KONG
    )
    # The personal information protection impact assessment.
    pia_assessed_on = models.DateField("Impact assessment date", null=True, blank=True)
    pia_conclusion = models.CharField(max_length=16, choices=PiaConclusion.choices, blank=True)
    pia_summary = models.TextField(max_length=REASON_MAX_LENGTH, blank=True, validators=[visible_text])
    pia_reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    pia_document = models.FileField(upload_to=assessment_path, max_length=300, blank=True)
    pia_document_name = models.CharField(max_length=255, blank=True, validators=[visible_text])
    pia_document_sha256 = models.CharField(max_length=64, blank=True)
    pia_document_content_type = models.CharField(max_length=100, blank=True)
    pia_recorded_at = models.DateTimeField(null=True, blank=True)
    # The filing of the standard contract.
    filing_authority = models.CharField(max_length=24, choices=FilingAuthority.choices, blank=True)
    filing_reference = models.CharField(
        max_length=SHORT_TEXT_MAX_LENGTH, blank=True, validators=[visible_text]
    )
    filed_on = models.DateField(null=True, blank=True)
    filing_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    filing_recorded_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(pia_assessed_on__isnull=True, pia_conclusion="", pia_reviewer__isnull=True)
                    | (Q(pia_assessed_on__isnull=False, pia_reviewer__isnull=False) & ~Q(pia_conclusion=""))
                ),
                name="impact_assessment_complete_or_absent",
            ),
            models.CheckConstraint(
                condition=(
                    Q(filing_authority="", filing_reference="", filed_on__isnull=True)
                    | (Q(filed_on__isnull=False) & ~Q(filing_authority="") & ~Q(filing_reference=""))
                ),
                name="contract_filing_complete_or_absent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.company}: {self.get_direction_display()}"

    @property
    def has_acceptable_assessment(self) -> bool:
        return self.pia_assessed_on is not None and self.pia_conclusion == PiaConclusion.RISKS_ACCEPTABLE

    @property
    def has_filed_contract(self) -> bool:
        return self.filed_on is not None and bool(self.filing_reference)


class TransferConsent(models.Model):
    """One person's separate consent to their record going to Hong Kong, as the SME recorded it.

    The consent text's version and SHA-256 fix exactly what the person agreed to; a withdrawn consent
    stays as a row (with when it was withdrawn) and stops the transfer at once.
    """

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="transfer_consents")
    consented_on = models.DateField(help_text="The day the person gave the consent.")
    text_version = models.CharField(max_length=32)
    text_sha256 = models.CharField(max_length=64)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["person"], condition=Q(withdrawn_at__isnull=True), name="one_live_transfer_consent"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person}: consent {self.text_version} of {self.consented_on}"


# Data sharing lives in its own sub-package; importing its models here registers them with the app.
from issuers.sharing.models import DataAccessLog, DataConsent  # noqa: E402

__all__ = [
    "Company",
    "CrossBorderTransfer",
    "DataAccessLog",
    "DataConsent",
    "Document",
    "Person",
    "TransferConsent",
]
