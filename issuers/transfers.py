"""Writes of the cross-border transfer record: the SME's separate consents, compliance's impact
assessment and standard contract filing (the rules that read them are in `issuers.residency`)."""

from __future__ import annotations

from datetime import date

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from accounts.choices import COMPLIANCE_ROLES, Role
from accounts.models import User
from compliance.audit import audit_record
from config.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from config.uploads import checked_upload
from issuers.choices import FilingAuthority, PiaConclusion, Residency
from issuers.models import Company, CrossBorderTransfer, Person, TransferConsent
from issuers.residency import TRANSFER_CONSENT_SHA256, TRANSFER_CONSENT_VERSION, mainland_records_need_basis

EARLIEST_DAY = date(2000, 1, 1)


def _day_errors(field: str, day: date | None, *, what: str) -> dict[str, str]:
    if day is None:
        return {field: gettext("Enter the date %(what)s.") % {"what": what}}
    if day > timezone.localdate():
        return {field: gettext("The date %(what)s cannot be in the future.") % {"what": what}}
    if day < EARLIEST_DAY:
        return {field: gettext("Enter a real date.")}
    return {}


def _sme_person(user: User, person_id: int) -> tuple[Company, Person]:
    if user.role != Role.SME:
        raise PermissionDenied(gettext("Only the company's representative records its people's consent."))
    company = Company.objects.select_for_update().filter(representative=user).first()
    if company is None:
        raise ValidationFailed(gettext("Fill in the company details first."))
    person = company.people.filter(pk=person_id).first()
    if person is None:
        raise NotFound(gettext("No such person."))
    return company, person


def _transfer_of(*, user: User, company_id: int) -> CrossBorderTransfer:
    if user.role not in COMPLIANCE_ROLES:
        raise PermissionDenied(gettext("Only compliance records impact assessments and contract filings."))
    company = Company.objects.select_for_update().filter(pk=company_id).first()
    if company is None:
        raise NotFound(gettext("No such company."))
    transfer, _created = CrossBorderTransfer.objects.get_or_create(company=company)
    return transfer


@transaction.atomic
def transfer_consent_record(
    *, user: User, person_id: int, consented_on: date | None, separate_consent: bool
) -> TransferConsent:
    """Record one person's separate consent to their record going to Hong Kong (the current text).

    The tick is its own: never implied by accepting other terms. Only a mainland resident (or someone
    whose residency is not stated) needs one; a second live consent for the same person is refused.
    """
    company, person = _sme_person(user, person_id)
    errors = _day_errors("consented_on", consented_on, what=gettext("the person consented"))
    if not separate_consent:
        errors["separate_consent"] = gettext(
            "Tick the box to confirm the person gave this separate consent themselves."
        )
    if errors:
        raise ValidationFailed(gettext("Please correct the highlighted fields."), fields=errors)
    if not mainland_records_need_basis(person.residency):
        if person.residency == Residency.MAINLAND_OTHER:
            reason = gettext(
                "%(name)s lives on the mainland outside the Greater Bay Area: the GBA standard contract does "
                "not cover their record, so a consent under it would not let it cross."
            )
        else:
            reason = gettext("%(name)s does not live on the mainland: no consent to a transfer is needed.")
        raise ValidationFailed(reason % {"name": person.full_name})
    if person.transfer_consents.filter(withdrawn_at__isnull=True).exists():
        raise Conflict(gettext("%(name)s's consent is already recorded.") % {"name": person.full_name})
    assert consented_on is not None
    consent = TransferConsent.objects.create(
        person=person,
        consented_on=consented_on,
        text_version=TRANSFER_CONSENT_VERSION,
        text_sha256=TRANSFER_CONSENT_SHA256,
        recorded_by=user,
    )
    CrossBorderTransfer.objects.get_or_create(company=company)
    audit_record(
        actor=user,
        action="transfer_consent_recorded",
        obj=consent,
        data={
            "company": company.pk,
            "person": person.pk,
            "consented_on": consented_on.isoformat(),
            "text_version": TRANSFER_CONSENT_VERSION,
            "text_sha256": TRANSFER_CONSENT_SHA256,
        },
    )
    return consent


@transaction.atomic
def transfer_consent_withdraw(*, user: User, person_id: int) -> TransferConsent:
    """Record that a person withdrew their consent: from now on their record is withheld."""
    company, person = _sme_person(user, person_id)
    consent = person.transfer_consents.filter(withdrawn_at__isnull=True).first()
    if consent is None:
        raise Conflict(gettext("%(name)s has no consent to withdraw.") % {"name": person.full_name})
    consent.withdrawn_at = timezone.now()
    consent.save(update_fields=["withdrawn_at"])
    audit_record(
        actor=user,
        action="transfer_consent_withdrawn",
        obj=consent,
        data={"company": company.pk, "person": person.pk},
    )
    return consent


@transaction.atomic
def transfer_assessment_record(
    *,
    user: User,
    company_id: int,
    assessed_on: date | None,
    conclusion: str,
    summary: str = "",
    document: UploadedFile | None = None,
) -> CrossBorderTransfer:
    """Record the personal information protection impact assessment (a compliance officer, who reviewed it).

    A newer assessment replaces the one shown; the earlier one stays in the audit trail.
    """
    transfer = _transfer_of(user=user, company_id=company_id)
    errors = _day_errors("assessed_on", assessed_on, what=gettext("of the assessment"))
    if conclusion not in PiaConclusion.values:
        errors["conclusion"] = gettext("Choose the assessment's conclusion.")
    checked = None
    if document is not None:
        try:
            checked = checked_upload(document, field="document")
        except ValidationFailed as refused:
            errors |= {name: messages[0] for name, messages in refused.fields.items()}
    if errors:
        raise ValidationFailed(gettext("Please correct the highlighted fields."), fields=errors)
    assert assessed_on is not None
    transfer.pia_assessed_on = assessed_on
    transfer.pia_conclusion = conclusion
    transfer.pia_summary = summary.strip()
    transfer.pia_reviewer = user
    transfer.pia_recorded_at = timezone.now()
    if checked is not None and document is not None:
        transfer.pia_document_sha256 = checked.sha256
        transfer.pia_document_name = checked.name
        transfer.pia_document_content_type = checked.content_type
        transfer.pia_document.save(checked.sha256, document, save=False)
    else:
        transfer.pia_document = None
        transfer.pia_document_sha256 = ""
        transfer.pia_document_name = ""
        transfer.pia_document_content_type = ""
    transfer.save()
    audit_record(
        actor=user,
        action="transfer_assessment_recorded",
        obj=transfer,
        data={
            "company": transfer.company_id,
            "assessed_on": assessed_on.isoformat(),
            "conclusion": conclusion,
            "document_sha256": transfer.pia_document_sha256,
        },
    )
    return transfer


@transaction.atomic
def transfer_filing_record(
    *, user: User, company_id: int, authority: str, reference: str, filed_on: date | None
) -> CrossBorderTransfer:
    """Record the filing of the GBA standard contract: with which authority, its reference and day."""
    transfer = _transfer_of(user=user, company_id=company_id)
    errors = _day_errors("filed_on", filed_on, what=gettext("of the filing"))
    if authority not in FilingAuthority.values:
        errors["authority"] = gettext("Choose the authority the contract was filed with.")
    reference = reference.strip()
    if not reference:
        errors["reference"] = gettext("Enter the filing reference the authority gave.")
    if errors:
        raise ValidationFailed(gettext("Please correct the highlighted fields."), fields=errors)
    assert filed_on is not None
    transfer.filing_authority = authority
    transfer.filing_reference = reference
    transfer.filed_on = filed_on
    transfer.filing_recorded_by = user
    transfer.filing_recorded_at = timezone.now()
    transfer.save()
    audit_record(
        actor=user,
        action="transfer_filing_recorded",
        obj=transfer,
        data={
            "company": transfer.company_id,
            "authority": authority,
            "reference": reference,
            "filed_on": filed_on.isoformat(),
        },
    )
    return transfer
