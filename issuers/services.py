"""Writes of issuers: the company profile and its submission for KYB."""

from __future__ import annotations

from django.db import transaction

from accounts.choices import Role
from accounts.models import User
from compliance.audit import audit_record, status_transition
from config.errors import PermissionDenied, ValidationFailed
from issuers.choices import KYB_TRANSITIONS, Jurisdiction, KybStatus
from issuers.models import Company

EDITABLE_KYB_STATUSES = (KybStatus.DRAFT, KybStatus.REJECTED)


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
    """Create or update the SME representative's company profile while it is editable."""
    if user.role != Role.SME:
        raise PermissionDenied("Only SME representatives keep a company profile.")
    details = {
        "legal_name_en": legal_name_en.strip(),
        "legal_name_zh": legal_name_zh.strip(),
        "jurisdiction": jurisdiction,
        "registration_number": registration_number.strip().upper(),
        "industry": industry.strip(),
    }
    errors: dict[str, str] = {}
    if not details["legal_name_en"]:
        errors["legal_name_en"] = "Enter the company's English legal name."
    if jurisdiction not in Jurisdiction.values:
        errors["jurisdiction"] = "Choose Hong Kong, Macao or one of the nine Guangdong cities."
    if not details["registration_number"]:
        errors["registration_number"] = "Enter the registration number."
    if not details["industry"]:
        errors["industry"] = "Enter the industry."
    company = Company.objects.select_for_update().filter(representative=user).first()
    clash = Company.objects.filter(
        jurisdiction=jurisdiction, registration_number=details["registration_number"]
    ).exclude(representative=user)
    if details["registration_number"] and clash.exists():
        errors["registration_number"] = "Another account already registered this company."
    if errors:
        raise ValidationFailed("Please correct the highlighted fields.", fields=errors)
    if company is None:
        company = Company.objects.create(representative=user, **details)
        audit_record(actor=user, action="company_created", obj=company)
        return company
    if company.kyb_status not in EDITABLE_KYB_STATUSES:
        raise ValidationFailed(
            f"The profile is {company.get_kyb_status_display().lower()} and can no longer change."
        )
    for name, value in details.items():
        setattr(company, name, value)
    company.save()
    audit_record(actor=user, action="company_updated", obj=company)
    return company


@transaction.atomic
def company_submit_for_kyb(*, user: User) -> Company:
    """Send the company profile to compliance for KYB review."""
    company = Company.objects.select_for_update().filter(representative=user).first()
    if company is None:
        raise ValidationFailed("Fill in the company profile first.")
    status_transition(
        company, to=KybStatus.SUBMITTED, transitions=KYB_TRANSITIONS, actor=user, field="kyb_status"
    )
    return company
