"""Writes of data sharing: grant and revoke a consent, and the one gate every shared read goes through."""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.choices import NotificationKind, Role
from accounts.models import User
from accounts.notifications import notify
from compliance.audit import audit_record
from compliance.choices import KycStatus
from config.errors import ApplicationError, Conflict, NotFound, PermissionDenied, ValidationFailed
from config.i18n import day_text
from issuers.models import Company, Document, Person
from issuers.residency import personal_data_transfer_check, withheld_personal_records
from issuers.sharing.choices import (
    MAX_PERIOD_MONTHS,
    PERSONAL_DATASETS,
    ConsentState,
    Dataset,
    Purpose,
)
from issuers.sharing.models import DataAccessLog, DataConsent


def long_day(value: date) -> str:
    """A day as people write it, in the reader's language (5 December 2026, 2026年12月5日)."""
    return day_text(value, "long")


def add_months(start: date, months: int) -> date:
    """The same day `months` later (the month's last day when it has no such day)."""
    month = start.month - 1 + months
    year, month = start.year + month // 12, month % 12 + 1
    if year > date.max.year:  # a start in the last year a calendar holds
        return date.max
    return start.replace(year=year, month=month, day=min(start.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class PersonalRecords:
    """Which of the company's people may go to a recipient now: `reason` is '' when all may; otherwise it
    says why, and `withheld` names the people held back (None: all of them)."""

    reason: str = ""
    withheld: frozenset[int] | None = frozenset()

    def shareable(self, people: list[Person]) -> list[Person]:
        if self.withheld is None:
            return []
        return [person for person in people if person.pk not in self.withheld]


def personal_records_for(*, company: Company, recipient: User) -> PersonalRecords:
    """Ask the cross-border rules (`issuers.residency`, owned there) whether the company's personal records
    may go to `recipient`, afresh each time so that a change of rule or of legal basis bites at once."""
    try:
        personal_data_transfer_check(company=company, recipient=recipient)
    except ApplicationError as exc:
        held = frozenset(
            record.person.pk for record in withheld_personal_records(company=company, recipient=recipient)
        )
        return PersonalRecords(exc.message, held or None)
    return PersonalRecords()


@dataclass(frozen=True)
class ConsentGranted:
    """A new consent, and why some or all of its personal records are withheld ('' when all are shared)."""

    consent: DataConsent
    people_withheld: str = ""


def _recipient(email: str) -> User | None:
    return (
        User.objects.filter(
            email__iexact=email.strip(),
            role=Role.INVESTOR,
            is_active=True,
            investor__kyc_status=KycStatus.APPROVED,
        )
        .select_related("investor")
        .first()
    )


def _grant_errors(
    *,
    datasets: Sequence[str],
    document_ids: Sequence[int],
    all_documents: bool,
    purpose: str,
    purpose_detail: str,
    valid_from: date,
    valid_until: date,
) -> dict[str, str]:
    errors: dict[str, str] = {}
    unknown = [name for name in datasets if name not in Dataset.values]
    if unknown or not datasets:
        errors["datasets"] = gettext("Choose at least one kind of data to share.")
    elif (document_ids or all_documents) and Dataset.DOCUMENTS not in datasets:
        errors["datasets"] = gettext("Tick the KYB documents to share the documents you chose.")
    elif Dataset.DOCUMENTS in datasets and not (document_ids or all_documents):
        errors["document_ids"] = gettext("Choose the documents to share, or share all of them.")
    if purpose not in Purpose.values:
        errors["purpose"] = gettext("Choose why the data is shared.")
    elif purpose == Purpose.OTHER and not purpose_detail.strip():
        errors["purpose_detail"] = gettext("Say in a few words why the data is shared.")
    today = timezone.localdate()
    latest = add_months(valid_from, MAX_PERIOD_MONTHS)
    if valid_from < today:
        errors["valid_from"] = gettext("The period cannot start in the past; start today or later.")
    if valid_until < valid_from:
        errors["valid_until"] = gettext("The last day must be on or after the first day.")
    elif valid_until > latest:
        errors["valid_until"] = gettext(
            "A consent lasts at most %(months)s months: the last day can be %(latest)s at the latest."
        ) % {"months": MAX_PERIOD_MONTHS, "latest": long_day(latest)}
    return errors


@transaction.atomic
def consent_grant(
    *,
    user: User,
    recipient_email: str,
    datasets: Sequence[str],
    purpose: str,
    valid_from: date,
    valid_until: date,
    purpose_detail: str = "",
    document_ids: Sequence[int] = (),
    all_documents: bool = False,
) -> ConsentGranted:
    """The SME's representative lets one verified investor read chosen datasets of the company, for a
    purpose, from `valid_from` to `valid_until` (both included, at most 12 months). The recipient is
    told. When the personal records may not cross to the recipient, the consent is still granted and
    they are withheld at every read, with the reason."""
    if user.role != Role.SME:
        raise PermissionDenied(gettext("Only an SME's representative shares its company's data."))
    company = Company.objects.filter(representative=user).first()
    if company is None:
        raise ValidationFailed(gettext("Fill in the company details first."))
    errors = _grant_errors(
        datasets=datasets,
        document_ids=document_ids,
        all_documents=all_documents,
        purpose=purpose,
        purpose_detail=purpose_detail,
        valid_from=valid_from,
        valid_until=valid_until,
    )
    recipient = _recipient(recipient_email)
    if recipient is None:
        errors["recipient_email"] = gettext(
            "No verified investor has this email address: ask the lender or investor for the address "
            "of their account on the platform."
        )
    chosen = list(company.documents.filter(pk__in=set(document_ids)))
    if not all_documents and len(chosen) != len(set(document_ids)):
        errors["document_ids"] = gettext("Choose documents of your own company.")
    if errors:
        raise ValidationFailed(gettext("The consent was not granted; see the marked fields."), fields=errors)
    assert recipient is not None
    consent = DataConsent.objects.create(
        company=company,
        granted_by=user,
        recipient=recipient,
        **{f"share_{dataset.value}": dataset.value in datasets for dataset in Dataset},
        all_documents=all_documents,
        purpose=purpose,
        purpose_detail=purpose_detail.strip(),
        valid_from=valid_from,
        valid_until=valid_until,
    )
    if not all_documents:
        consent.documents.set(chosen)
    withheld = ""
    if PERSONAL_DATASETS.intersection(datasets):
        withheld = personal_records_for(company=company, recipient=recipient).reason
    audit_record(
        actor=user,
        action="consent_granted",
        obj=consent,
        data={
            "company": company.pk,
            "recipient": recipient.email,
            "datasets": consent.datasets,
            "documents": "all" if all_documents else sorted(document.pk for document in chosen),
            "purpose": purpose,
            "valid_from": valid_from.isoformat(),
            "valid_until": valid_until.isoformat(),
            "people_withheld": withheld,
        },
    )
    notify(
        recipient,
        kind=NotificationKind.CONSENT_GRANTED,
        title=_("%(company)s shared data with you"),
        body=_("You may read it from %(start)s to %(end)s, for: %(purpose)s."),
        link=reverse("sharing:shared_list"),
        params={
            "company": company.legal_name_en,
            "start": long_day(valid_from),
            "end": long_day(valid_until),
            "purpose": consent.get_purpose_display(),
        },
    )
    return ConsentGranted(consent, withheld)


@transaction.atomic
def consent_revoke(*, user: User, consent_id: int) -> DataConsent:
    """Withdraw a consent at once: the recipient's next read is refused. The recipient is told."""
    if user.role != Role.SME:
        raise PermissionDenied(gettext("Only an SME's representative revokes its company's consents."))
    consent = (
        DataConsent.objects.select_for_update(of=("self",))
        .select_related("company", "recipient")
        .filter(pk=consent_id, company__representative=user)
        .first()
    )
    if consent is None:
        raise NotFound(gettext("No such consent."))
    state = consent.state
    if state == ConsentState.REVOKED:
        raise Conflict(gettext("This consent is already revoked."))
    if state == ConsentState.EXPIRED:
        raise Conflict(
            gettext("This consent already ended on %(day)s; nothing is shared under it.")
            % {"day": long_day(consent.valid_until)}
        )
    consent.revoked_at = timezone.now()
    consent.revoked_by = user
    consent.save(update_fields=["revoked_at", "revoked_by"])
    audit_record(
        actor=user, action="consent_revoked", obj=consent, data={"recipient": consent.recipient.email}
    )
    notify(
        consent.recipient,
        kind=NotificationKind.CONSENT_REVOKED,
        title=_("%(company)s stopped sharing data with you"),
        body=_("The consent granted on %(granted)s is revoked; its data is no longer available to you."),
        link=reverse("sharing:shared_list"),
        params={"company": consent.company.legal_name_en, "granted": long_day(consent.created_at.date())},
    )
    return consent


# ---- the gate ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class SharedSchedule:
    """One application of the company with its payment schedule (None for shares or unusable terms)."""

    application: Any
    schedule: Any


@dataclass(frozen=True)
class SharedData:
    """What one shared read returns: the dataset asked for, and nothing else."""

    consent: DataConsent
    company: Company
    dataset: str
    people: list[Person] = field(default_factory=list)
    people_withheld: str = ""
    documents: list[Document] = field(default_factory=list)
    document: Document | None = None
    schedules: list[SharedSchedule] = field(default_factory=list)


NO_CONSENT = _("No company has shared this data with you.")


def _refusal(consent: DataConsent, dataset: str) -> str:
    """Why `consent` does not let its recipient read `dataset` today ('' when it does)."""
    state = consent.state
    company = consent.company.legal_name_en
    if state == ConsentState.REVOKED:
        assert consent.revoked_at is not None
        return gettext(
            "%(company)s revoked this consent on %(day)s; its data is no longer shared with you."
        ) % {
            "company": company,
            "day": long_day(timezone.localtime(consent.revoked_at).date()),
        }
    if state == ConsentState.SCHEDULED:
        return gettext("This consent starts on %(day)s; nothing is shared before then.") % {
            "day": long_day(consent.valid_from)
        }
    if state == ConsentState.EXPIRED:
        return gettext(
            "This consent ended on %(day)s; ask %(company)s for a new one if you still need the data."
        ) % {"day": long_day(consent.valid_until), "company": company}
    if not consent.grants(dataset):
        return gettext("This consent does not include the %(dataset)s.") % {
            "dataset": str(Dataset(dataset).label).lower()
        }
    return ""


def _shared_documents(consent: DataConsent) -> Any:
    documents = consent.company.documents if consent.all_documents else consent.documents
    return documents.order_by("kind", "-uploaded_at", "pk")


def _schedules(company: Company) -> list[SharedSchedule]:
    from financing.choices import ApplicationStatus
    from financing.selectors import application_schedule

    applications = (
        company.applications.exclude(status__in=(ApplicationStatus.DRAFT, ApplicationStatus.WITHDRAWN))
        .select_related("terms")
        .order_by("-created_at", "-pk")
    )
    return [SharedSchedule(application, application_schedule(application)) for application in applications]


@transaction.atomic
def shared_dataset(
    *,
    viewer: User,
    consent_id: int,
    dataset: str,
    via: str,
    client_address: str = "",
    document_id: int | None = None,
) -> SharedData:
    """The one gate of shared data: `viewer` reads `dataset` (or one document of it) under a consent.

    Refused (403, with the reason, nothing read and nothing logged) unless the consent names the viewer,
    is live today, has not been revoked and includes the dataset. The consent row is read afresh and
    locked, so a revocation committed before this read refuses it. Each read writes one log row. The
    profile's people are personal records: the cross-border check runs at every read, and the people it
    refuses are withheld with its reason (the rest of the profile, and the others, are still shared).
    """
    if dataset not in Dataset.values:
        raise NotFound(gettext("No such dataset."))
    consent = (
        DataConsent.objects.select_for_update(of=("self",))
        .select_related("company")
        .filter(pk=consent_id, recipient=viewer)
        .first()
    )
    if consent is None or viewer.role != Role.INVESTOR:
        raise PermissionDenied(str(NO_CONSENT), code="NoConsent")
    refusal = _refusal(consent, dataset)
    if refusal:
        raise PermissionDenied(refusal, code="NoLiveConsent")
    company = consent.company
    shared: dict[str, Any] = {}
    label = ""
    if dataset == Dataset.PROFILE:
        records = personal_records_for(company=company, recipient=viewer)
        shared = {
            "people": records.shareable(list(company.people.order_by("pk"))),
            "people_withheld": records.reason,
        }
    elif dataset == Dataset.DOCUMENTS and document_id is not None:
        document = _shared_documents(consent).filter(pk=document_id).first()
        if document is None:
            raise PermissionDenied(gettext("This document is not shared with you under this consent."))
        shared = {"document": document}
        label = document.original_name
    elif dataset == Dataset.DOCUMENTS:
        shared = {"documents": list(_shared_documents(consent))}
    elif dataset == Dataset.SCHEDULES:
        shared = {"schedules": _schedules(company)}
    data = SharedData(consent=consent, company=company, dataset=dataset, **shared)
    DataAccessLog.objects.create(
        consent=consent,
        company=company,
        reader=viewer,
        dataset=dataset,
        document=data.document,
        object_label=label[:200],
        via=via,
        client_address=client_address or None,
        people_withheld=bool(data.people_withheld),
    )
    return data
