"""SME companies that raise money on the platform."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from issuers.choices import Jurisdiction, KybStatus


class Company(models.Model):
    """An SME issuer, represented by one signed-in user."""

    representative = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="company"
    )
    legal_name_en = models.CharField("Legal name (English)", max_length=200)
    legal_name_zh = models.CharField("Legal name (Chinese)", max_length=200, blank=True)
    jurisdiction = models.CharField(max_length=8, choices=Jurisdiction.choices)
    registration_number = models.CharField(max_length=32)
    industry = models.CharField(max_length=100)
    kyb_status = models.CharField(max_length=16, choices=KybStatus.choices, default=KybStatus.DRAFT)
    decision_reason = models.TextField(blank=True)
    wallet = models.OneToOneField(
        "tokens.Wallet", null=True, blank=True, on_delete=models.PROTECT, related_name="company"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "companies"
        constraints = [
            models.UniqueConstraint(
                fields=["jurisdiction", "registration_number"], name="company_registration_unique"
            ),
            models.CheckConstraint(condition=Q(kyb_status__in=KybStatus.values), name="kyb_status_valid"),
            models.CheckConstraint(
                condition=~Q(kyb_status=KybStatus.VERIFIED) | Q(wallet__isnull=False),
                name="verified_company_has_wallet",
            ),
        ]

    def __str__(self) -> str:
        return self.legal_name_en
