"""How long personal records are kept: AMLO (Cap. 615) asks for five years or more after a relationship ends.

A record's `retain_until` stays empty while the relationship goes on; the end of a relationship (a
rejected KYC or KYB decision) starts the clock, and a new submission stops it again. Nothing is deleted
automatically: `manage.py retention_due` lists what is past its date for a person to review.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

from compliance.models import InvestorDocument, InvestorPerson, InvestorProfile
from issuers.models import Company, Document, Person


def retention_end(ended_on: date) -> date:
    """The day a record may go: RETENTION_YEARS after the relationship ended (29 February -> 28th)."""
    years = settings.RETENTION_YEARS
    try:
        return ended_on.replace(year=ended_on.year + years)
    except ValueError:
        return ended_on.replace(year=ended_on.year + years, day=28)


@transaction.atomic
def retention_start(
    *, investor: InvestorProfile | None = None, company: Company | None = None, ended_on: date | None = None
) -> date:
    """A relationship ended: keep the investor's profile, or the company's people and documents, so long."""
    until = retention_end(ended_on or timezone.localdate())
    if investor is not None:
        InvestorProfile.objects.filter(pk=investor.pk).update(retain_until=until)
        InvestorPerson.objects.filter(profile=investor).update(retain_until=until)
        InvestorDocument.objects.filter(profile=investor).update(retain_until=until)
        investor.retain_until = until
    if company is not None:
        Person.objects.filter(company=company).update(retain_until=until)
        Document.objects.filter(company=company).update(retain_until=until)
    return until


@transaction.atomic
def retention_clear(*, company: Company) -> None:
    """The company came back (submitted again): its people and documents are kept as long as it stays."""
    Person.objects.filter(company=company).update(retain_until=None)
    Document.objects.filter(company=company).update(retain_until=None)


@dataclass(frozen=True)
class RetentionDue:
    """A personal record past its retention date."""

    kind: str
    pk: int
    name: str
    retain_until: date


def records_past_retention(*, today: date | None = None) -> list[RetentionDue]:
    """Every investor profile, person and document whose retention date has passed, oldest date first."""
    today = today or timezone.localdate()
    sources: tuple[tuple[type[models.Model], str, str], ...] = (
        (InvestorProfile, "investor profile", "legal_name"),
        (Person, "person", "full_name"),
        (Document, "document", "original_name"),
    )
    due = [
        RetentionDue(kind, pk, name, until)
        for model, kind, name_field in sources
        for pk, name, until in model._default_manager.filter(retain_until__lt=today).values_list(
            "pk", name_field, "retain_until"
        )
    ]
    return sorted(due, key=lambda record: (record.retain_until, record.kind, record.pk))
