"""Consents to share an SME's data with a named investor, and the log of every shared read."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from config.text import NAME_MAX_LENGTH, REASON_MAX_LENGTH, visible_text
from issuers.sharing.choices import ConsentState, Dataset, Purpose, ReadChannel


class DataConsent(models.Model):
    """An SME's consent that one recipient may read chosen datasets, for a purpose, within a period."""

    company = models.ForeignKey("issuers.Company", on_delete=models.PROTECT, related_name="consents")
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="consents_received"
    )
    share_profile = models.BooleanField(_("Company profile, with directors and owners"), default=False)
    share_financials = models.BooleanField(_("Financial snapshot"), default=False)
    share_documents = models.BooleanField(_("KYB documents"), default=False)
    share_schedules = models.BooleanField(_("Payment schedules"), default=False)
    all_documents = models.BooleanField(
        default=False, help_text="Every KYB document of the company, including those uploaded later."
    )
    documents = models.ManyToManyField("issuers.Document", blank=True, related_name="consents")
    purpose = models.CharField(max_length=32, choices=Purpose.choices)
    purpose_detail = models.TextField(max_length=REASON_MAX_LENGTH, blank=True, validators=[visible_text])
    valid_from = models.DateField(help_text="The first day the recipient may read (Hong Kong time).")
    valid_until = models.DateField(help_text="The last day the recipient may read (Hong Kong time).")
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["recipient", "-created_at"], name="consent_recipient_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__gte=F("valid_from")), name="consent_period_ordered"
            ),
            models.CheckConstraint(
                condition=Q(share_profile=True)
                | Q(share_financials=True)
                | Q(share_documents=True)
                | Q(share_schedules=True),
                name="consent_shares_a_dataset",
            ),
            models.CheckConstraint(
                condition=Q(revoked_at__isnull=True, revoked_by__isnull=True)
                | Q(revoked_at__isnull=False, revoked_by__isnull=False),
                name="consent_revocation_complete",
            ),
            models.CheckConstraint(
                condition=Q(all_documents=False) | Q(share_documents=True),
                name="consent_all_documents_needs_documents",
            ),
        ]

    def __str__(self) -> str:
        return f"Consent #{self.pk}"

    @property
    def datasets(self) -> list[str]:
        """The datasets granted, in the order of `Dataset`."""
        return [dataset.value for dataset in Dataset if getattr(self, f"share_{dataset.value}")]

    def dataset_labels(self) -> list[str]:
        return [str(Dataset(dataset).label) for dataset in self.datasets]

    def grants(self, dataset: str) -> bool:
        return dataset in self.datasets

    def state_on(self, today: date) -> ConsentState:
        """Revoked, not started, ended or live on `today`."""
        if self.revoked_at is not None:
            return ConsentState.REVOKED
        if today < self.valid_from:
            return ConsentState.SCHEDULED
        if today > self.valid_until:
            return ConsentState.EXPIRED
        return ConsentState.LIVE

    @property
    def state(self) -> ConsentState:
        return self.state_on(timezone.localdate())


class DataAccessLog(models.Model):
    """One read of shared data (a dataset, or one document), written in the request that read it."""

    consent = models.ForeignKey(DataConsent, on_delete=models.PROTECT, related_name="reads")
    company = models.ForeignKey("issuers.Company", on_delete=models.PROTECT, related_name="+")
    reader = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    dataset = models.CharField(max_length=16, choices=Dataset.choices)
    document = models.ForeignKey(
        "issuers.Document", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    object_label = models.CharField(
        max_length=NAME_MAX_LENGTH, blank=True, help_text="What was read, kept if the object is removed."
    )
    via = models.CharField(max_length=8, choices=ReadChannel.choices)
    client_address = models.GenericIPAddressField(null=True, blank=True)
    people_withheld = models.BooleanField(
        default=False, help_text="The personal records were withheld at this read (cross-border rule)."
    )
    read_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-read_at", "-pk"]
        indexes = [
            models.Index(fields=["company", "-read_at"], name="read_company_idx"),
            models.Index(fields=["consent", "-read_at"], name="read_consent_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(dataset__in=Dataset.values), name="read_dataset_valid"),
        ]

    def __str__(self) -> str:
        return f"Read #{self.pk} of {self.dataset}"
