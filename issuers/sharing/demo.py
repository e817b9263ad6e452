"""The demo's consent: the SME shares all of its data with Ivy Wong (investor@demo.hk)."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from accounts.models import User
from issuers.sharing.models import DataConsent
from issuers.sharing.services import consent_grant


def seed_consent(*, sme: User, recipient: User) -> DataConsent:
    """A live six-month consent of every dataset (all documents), for a credit assessment."""
    today = timezone.localdate()
    return consent_grant(
        user=sme,
        recipient_email=recipient.email,
        datasets=["profile", "financials", "documents", "schedules"],
        all_documents=True,
        purpose="credit_assessment",
        purpose_detail="Trade finance line for the Dongguan assembly line.",
        valid_from=today,
        valid_until=today + timedelta(days=182),
    ).consent
