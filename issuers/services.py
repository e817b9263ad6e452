"""Writes of issuers: the company profile, its people and documents, and the KYB submission."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import gettext

from accounts.choices import Role
from accounts.models import User
from compliance.audit import audit_record, status_transition
from compliance.cases.services import case_open
from compliance.pep import NOT_A_PEP, Pep
from compliance.retention import retention_clear
from compliance.screening.alerts import screen_submission
from config.errors import NotFound, PermissionDenied, ValidationFailed
from config.text import megabytes
from config.uploads import checked_upload, store_checked
from issuers.choices import (
    KYB_TRANSITIONS,
    DocumentKind,
    Industry,
    Jurisdiction,
    KybStatus,
    SrdiTier,
    TrustRole,
)
from issuers.models import Company, Document, Person
from issuers.people import person_errors, person_store
from issuers.selectors import company_missing_items
from issuers.validators import InvalidRegistrationNumber, normalise_registration_number

EDITABLE_KYB_STATUSES = (KybStatus.DRAFT, KybStatus.REJECTED)
# What a file must start with to be accepted, by content type (the extension alone proves nothing).


def _editable_company(user: User) -> Company:
    if user.role != Role.SME:
        raise PermissionDenied(gettext("Only SME representatives keep a company profile."))
    company = Company.objects.select_for_update().filter(representative=user).first()
    if company is None:
        raise ValidationFailed(gettext("Fill in the company details first."))
    if company.kyb_status not in EDITABLE_KYB_STATUSES:
        raise ValidationFailed(
            gettext("The profile is %(lower)s and can no longer change.")
            % {"lower": company.get_kyb_status_display().lower()}
        )
    return company


@transaction.atomic
def company_save(
    *,
    user: User,
    legal_name_en: str,
    legal_name_zh: str,
    jurisdiction: str,
    registration_number: str,
    industry: str,
) -> Company:
    """Create or update the company's identity (step 1 of onboarding) while it is editable.

    A registration number another company already claims is accepted: compliance sees the conflict in
    the review, and only one company per number can be verified.
    """
    if user.role != Role.SME:
        raise PermissionDenied(gettext("Only SME representatives keep a company profile."))
    errors: dict[str, str] = {}
    details = {
        "legal_name_en": legal_name_en.strip(),
        "legal_name_zh": legal_name_zh.strip(),
        "jurisdiction": jurisdiction,
        "industry": industry,
    }
    if not details["legal_name_en"]:
        errors["legal_name_en"] = gettext("Enter the company's English legal name.")
    if jurisdiction not in Jurisdiction.values:
        errors["jurisdiction"] = gettext("Choose Hong Kong, Macao or one of the nine Guangdong cities.")
    else:
        try:
            number = normalise_registration_number(jurisdiction, registration_number)
            details["registration_number"] = number.value
            details["registration_check"] = number.check
        except InvalidRegistrationNumber as exc:
            errors["registration_number"] = str(exc)
    if industry not in Industry.values:
        errors["industry"] = gettext("Choose the industry.")
    company = Company.objects.select_for_update().filter(representative=user).first()
    if errors:
        raise ValidationFailed(gettext("Please correct the highlighted fields."), fields=errors)
    if company is None:
        company = Company.objects.create(representative=user, **details)
        audit_record(actor=user, action="company_created", obj=company)
        return company
    company = _editable_company(user)
    for name, value in details.items():
        setattr(company, name, value)
    company.save()
    audit_record(actor=user, action="company_updated", obj=company)
    return company


@transaction.atomic
def company_profile_save(
    *,
    user: User,
    srdi_tier: str = "",
    srdi_batch: str = "",
    srdi_authority: str = "",
    srdi_valid_from: date | None = None,
    srdi_valid_until: date | None = None,
    is_green: bool = False,
    is_technology: bool = False,
    annual_revenue: Decimal | None = None,
    employees: int | None = None,
    years_trading: int | None = None,
    founded_year: int | None = None,
    description: str = "",
) -> Company:
    """Save recognition, tags and the financial snapshot (step 2 of onboarding)."""
    company = _editable_company(user)
    errors: dict[str, str] = {}
    if srdi_tier not in SrdiTier.values:
        errors["srdi_tier"] = gettext("Choose a recognition tier.")
    elif srdi_tier:
        if not srdi_authority.strip():
            errors["srdi_authority"] = gettext("Enter the authority that granted the recognition.")
        if srdi_valid_from is None:
            errors["srdi_valid_from"] = gettext("Enter when the recognition took effect.")
        if srdi_valid_until is None:
            errors["srdi_valid_until"] = gettext(
                "Enter when the recognition expires (usually after 3 years)."
            )
        elif srdi_valid_from and srdi_valid_until <= srdi_valid_from:
            errors["srdi_valid_until"] = gettext("The expiry must come after the start.")
    if annual_revenue is not None and (
        annual_revenue < 0 or annual_revenue != annual_revenue.quantize(Decimal("0.01"))
    ):
        errors["annual_revenue"] = gettext(
            "Enter the revenue in HKD, not negative, at most two decimal places."
        )
    if employees is not None and not 0 <= employees <= 1_000_000:
        errors["employees"] = gettext("Enter the number of employees.")
    if years_trading is not None and not 0 <= years_trading <= 300:
        errors["years_trading"] = gettext("Enter whole years since the company started trading.")
    if founded_year is not None and not 1800 <= founded_year <= timezone.localdate().year:
        errors["founded_year"] = gettext(
            "Enter the year the company was founded (four digits, not in the future)."
        )
    if errors:
        raise ValidationFailed(gettext("Please correct the highlighted fields."), fields=errors)
    has_srdi = bool(srdi_tier)
    company.srdi_tier = srdi_tier
    company.srdi_batch = srdi_batch.strip() if has_srdi else ""
    company.srdi_authority = srdi_authority.strip() if has_srdi else ""
    company.srdi_valid_from = srdi_valid_from if has_srdi else None
    company.srdi_valid_until = srdi_valid_until if has_srdi else None
    company.is_green = is_green
    company.is_technology = is_technology
    company.annual_revenue = annual_revenue
    company.employees = employees
    company.years_trading = years_trading
    company.founded_year = founded_year
    company.description = description.strip()
    company.save()
    audit_record(actor=user, action="company_profile_updated", obj=company)
    return company


@transaction.atomic
def person_save(
    *,
    user: User,
    person_id: int | None = None,
    full_name: str,
    nationality: str,
    residency: str,
    birth_date: date,
    is_director: bool,
    is_beneficial_owner: bool,
    ownership_percent: Decimal,
    trust_role: str = "",
    pep: Pep = NOT_A_PEP,
) -> Person:
    """Add or edit a director or beneficial owner; declared ownership never sums past 100%.

    A politically exposed person (or a PEP's family member or close associate) gives the function and
    the enhanced due diligence: source of wealth and of funds (`compliance.pep`).
    """
    company = _editable_company(user)  # the company row lock serialises concurrent edits of its people
    errors = pep.errors() | person_errors(
        full_name=full_name,
        nationality=nationality,
        residency=residency,
        birth_date=birth_date,
        is_director=is_director,
        is_beneficial_owner=is_beneficial_owner,
        ownership_percent=ownership_percent,
        others=company.people.exclude(pk=person_id) if person_id else company.people.all(),
    )
    if (
        is_beneficial_owner
        and ownership_percent == 0
        and not trust_role
        and "ownership_percent" not in errors
    ):
        errors["ownership_percent"] = gettext(
            "A beneficial owner holds more than 0% (or is a trustee or beneficiary)."
        )
    if trust_role and trust_role not in TrustRole.values:
        errors["trust_role"] = gettext("Choose trustee, beneficiary, or none.")
    elif trust_role and not is_beneficial_owner:
        errors["is_beneficial_owner"] = gettext(
            "Every trustee and beneficiary of a trust holding shares is a beneficial owner."
        )
    if errors:
        raise ValidationFailed(gettext("Please correct the highlighted fields."), fields=errors)
    values = {
        "full_name": full_name.strip(),
        "nationality": nationality,
        "residency": residency,
        "birth_date": birth_date,
        "is_director": is_director,
        "is_beneficial_owner": is_beneficial_owner,
        "ownership_percent": ownership_percent,
        "trust_role": trust_role,
        **pep.values(),
    }
    person = person_store(company.people.all(), person_id=person_id, values=values, company=company)
    audit_record(actor=user, action="person_saved", obj=person, data={"company": company.pk})
    return person


@transaction.atomic
def person_remove(*, user: User, person_id: int) -> None:
    """Remove a director or owner from a company that can still change."""
    company = _editable_company(user)
    person = company.people.filter(pk=person_id).first()
    if person is None:
        raise NotFound(gettext("No such person."))
    audit_record(actor=user, action="person_removed", obj=person, data={"company": company.pk})
    person.delete()


@transaction.atomic
def document_upload(*, user: User, kind: str, upload: UploadedFile) -> Document:
    """Store a KYB document (PDF, PNG or JPEG) with its SHA-256 fingerprint, within the company's quota."""
    company = _editable_company(user)  # the company row lock keeps concurrent uploads within the quota
    if kind not in DocumentKind.values:
        raise ValidationFailed(
            gettext("Choose the document type."), fields={"kind": gettext("Unknown document type.")}
        )
    checked = checked_upload(upload)
    size = checked.size
    held = company.documents.aggregate(count=Count("pk"), total=Sum("size"))
    if held["count"] >= settings.DOCUMENT_QUOTA_COUNT:
        raise ValidationFailed(
            gettext("The document limit is reached."),
            fields={
                "file": gettext(
                    "A company may keep at most %(DOCUMENT_QUOTA_COUNT)s documents; remove "
                    "one before uploading another."
                )
                % {"DOCUMENT_QUOTA_COUNT": settings.DOCUMENT_QUOTA_COUNT}
            },
        )
    after = (held["total"] or 0) + size
    if after > settings.DOCUMENT_QUOTA_BYTES:
        quota = megabytes(settings.DOCUMENT_QUOTA_BYTES)
        raise ValidationFailed(
            gettext("The document storage limit is reached."),
            fields={
                "file": gettext(
                    "A company may keep at most %(quota)s of documents; with this file it "
                    "would hold %(megabytes)s. Remove one first."
                )
                % {"quota": quota, "megabytes": megabytes(after)}
            },
        )
    sha256 = checked.sha256
    if company.documents.filter(sha256=sha256).exists():
        raise ValidationFailed(
            gettext("Already uploaded."), fields={"file": gettext("This exact file is already uploaded.")}
        )
    document = store_checked(
        Document(
            company=company,
            kind=kind,
            uploaded_by=user,
        ),
        checked,
        upload,
    )
    audit_record(actor=user, action="document_uploaded", obj=document, data={"sha256": sha256, "kind": kind})
    return document


@transaction.atomic
def document_remove(*, user: User, document_id: int) -> None:
    """Delete an uploaded document while the profile can still change."""
    company = _editable_company(user)
    document = company.documents.filter(pk=document_id).first()
    if document is None:
        raise NotFound(gettext("No such document."))
    audit_record(actor=user, action="document_removed", obj=document, data={"sha256": document.sha256})
    stored = document.file.name
    document.delete()
    transaction.on_commit(lambda: document.file.storage.delete(stored))


@transaction.atomic
def company_submit_for_kyb(*, user: User) -> Company:
    """Send a complete company profile to compliance for KYB review."""
    company = Company.objects.select_for_update().filter(representative=user).first()
    if company is None:
        raise ValidationFailed(gettext("Fill in the company profile first."))
    missing = company_missing_items(company)
    if missing:
        raise ValidationFailed("Complete the profile before submitting: " + "; ".join(missing) + ".")
    status_transition(
        company, to=KybStatus.SUBMITTED, transitions=KYB_TRANSITIONS, actor=user, field="kyb_status"
    )
    retention_clear(company=company)
    case = case_open(subject=company, submitted_by=user)
    screen_submission(subject=company, case=case, actor=user)
    return company
