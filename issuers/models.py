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
    Industry,
    Jurisdiction,
    KybStatus,
    RegistrationCheck,
    SrdiTier,
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


# Data sharing lives in its own sub-package; importing its models here registers them with the app.
from issuers.sharing.models import DataAccessLog, DataConsent  # noqa: E402

__all__ = ["Company", "DataAccessLog", "DataConsent", "Document", "Person"]
