"""Choices of data sharing: the datasets an SME may share, why, and how a read was made."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

# The longest a consent may run: its last day is at most this many months after its first.
MAX_PERIOD_MONTHS = 12


class Dataset(models.TextChoices):
    """What a consent can share; the profile includes the company's people (personal records)."""

    PROFILE = "profile", _("Company profile, with directors and owners")
    FINANCIALS = "financials", _("Financial snapshot")
    DOCUMENTS = "documents", _("KYB documents")
    SCHEDULES = "schedules", _("Payment schedules of applications and offerings")


# The datasets that carry personal records: the cross-border transfer check applies to them.
PERSONAL_DATASETS: frozenset[str] = frozenset({Dataset.PROFILE.value})


class Purpose(models.TextChoices):
    """Why the recipient may read the data (the SME adds details in words)."""

    CREDIT_ASSESSMENT = "credit_assessment", _("Credit assessment for a loan or trade finance")
    INVESTMENT_DUE_DILIGENCE = "investment_due_diligence", _("Due diligence before investing")
    MONITORING = "monitoring", _("Monitoring an existing loan or investment")
    OTHER = "other", _("Other (described below)")


class ConsentState(models.TextChoices):
    """Where a consent stands today (computed from its period and revocation, never stored)."""

    SCHEDULED = "scheduled", _("Not started yet")
    LIVE = "live", _("Live")
    EXPIRED = "expired", _("Ended")
    REVOKED = "revoked", _("Revoked")


class ReadChannel(models.TextChoices):
    PAGE = "page", _("Web page")
    API = "api", _("API")
