"""Writes of compliance: investor KYC, company KYB decisions and their on-chain identity."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import partial
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Count, Q, Sum
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy
from django_countries import countries

from accounts.choices import COMPLIANCE_ROLES, Role
from accounts.models import User
from compliance import notices
from compliance.attestations.services import RevocationReason, attestations_revoke_for
from compliance.audit import audit_record, status_transition
from compliance.cases.choices import AlertKind, CaseKind, Decision, Outcome
from compliance.cases.models import Case
from compliance.cases.services import (
    alert_decide,
    alert_raise,
    case_close,
    case_escalate,
    case_for,
    case_open,
    case_request_information,
    gate,
)
from compliance.choices import (
    KYC_EDITABLE,
    KYC_TRANSITIONS,
    InvestorClass,
    InvestorDocumentKind,
    InvestorType,
    KycStatus,
    PiEvidenceType,
)
from compliance.kyc import (
    kyc_missing_items,
    kyc_valid_until,
    pi_assessment,
    pi_threshold,
    threshold_requirement,
)
from compliance.models import InvestorDocument, InvestorPerson, InvestorProfile
from compliance.pep import NOT_A_PEP, Pep
from compliance.retention import retention_start
from compliance.screening.alerts import screen_new_wallet, screen_submission
from compliance.wallets.services import linked_wallets_identity_update, linked_wallets_withdraw
from config.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from config.i18n import day_text, in_language_of
from config.text import megabytes
from config.uploads import checked_upload, store_checked
from issuers.choices import (
    COUNTRY_OF_JURISDICTION,
    DECLARABLE_RESIDENCY_VALUES,
    KYB_TRANSITIONS,
    KybStatus,
    Residency,
    residency_matches_country,
)
from issuers.models import Company
from issuers.people import person_errors, person_store
from issuers.selectors import registration_holders
from issuers.validators import ADULT_AGE, age_on
from tokens import chain
from tokens import services as token_services
from tokens.choices import ChainTxStatus, ContractKind, PaymentCurrency, WalletKind
from tokens.models import ChainTransaction
from tokens.reasons import explain_failure
from tokens.selectors import platform_contract

INTENT_REGISTER_IDENTITY = "register_identity"
INTENT_UPDATE_IDENTITY = "update_identity"
INTENT_REVOKE_INVESTOR_IDENTITY = "revoke_investor_identity"

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


def _require_compliance(actor: User) -> None:
    if actor.role not in COMPLIANCE_ROLES:
        raise PermissionDenied(gettext("Only compliance staff may decide due-diligence cases."))


def _require_investor(user: User) -> None:
    if user.role != Role.INVESTOR:
        raise PermissionDenied(gettext("Only investors submit investor due diligence."))


def _editable_profile(user: User) -> InvestorProfile:
    """The investor's own profile, locked, while it may change (not during a review)."""
    _require_investor(user)
    profile = InvestorProfile.objects.select_for_update().filter(user=user).first()
    if profile is None:
        raise Conflict(gettext("Save your details first."), code="KycProfileMissing")
    if profile.kyc_status not in KYC_EDITABLE:
        raise Conflict(
            gettext("Your due diligence is %(lower)s; it cannot change during the review.")
            % {"lower": profile.get_kyc_status_display().lower()},
            code="KycUnderReview",
        )
    return profile


@transaction.atomic
def investor_kyc_save(
    *,
    user: User,
    investor_type: str,
    legal_name: str,
    country: str,
    id_document_number: str,
    declared_portfolio_hkd: Decimal,
    total_assets_hkd: Decimal = Decimal("0"),
    claims_professional: bool = False,
    birth_date: date | None = None,
    residency: str | None = None,
    pep: Pep = NOT_A_PEP,
) -> InvestorProfile:
    """Create or update the investor's KYC details without sending them (documents and people come next).

    A politically exposed investor gives the function and the source of wealth and of funds
    (`compliance.pep`). `residency` (where the investor lives or is established) must agree with the
    country; once given it is kept when a later save leaves it out.
    """
    _require_investor(user)
    errors: dict[str, str] = pep.errors()
    if investor_type not in InvestorType.values:
        errors["investor_type"] = gettext(
            "Choose individual, corporation or partnership, or trust corporation."
        )
    if not legal_name.strip():
        errors["legal_name"] = gettext("Enter the legal name.")
    if country not in countries:
        errors["country"] = gettext("Choose a country.")
    if not id_document_number.strip():
        errors["id_document_number"] = gettext("Enter the identity document or registration number.")
    if residency is not None:
        if residency not in DECLARABLE_RESIDENCY_VALUES:
            errors["residency"] = gettext("Choose where you live or are established.")
        elif "country" not in errors and not residency_matches_country(residency, country):
            errors["residency"] = gettext("This place is not in the country you chose.")
    if declared_portfolio_hkd < 0:
        errors["declared_portfolio_hkd"] = gettext("The portfolio cannot be negative.")
    if total_assets_hkd < 0:
        errors["total_assets_hkd"] = gettext("Total assets cannot be negative.")
    individual = investor_type == InvestorType.INDIVIDUAL
    if individual and birth_date is not None:
        today = timezone.localdate()
        if birth_date >= today or birth_date.year < 1900:
            errors["birth_date"] = gettext("Enter a real date of birth.")
        elif age_on(birth_date, today) < ADULT_AGE:
            errors["birth_date"] = gettext("Investors must be adults (%(ADULT_AGE)s or older).") % {
                "ADULT_AGE": ADULT_AGE
            }
    if errors:
        raise ValidationFailed(gettext("Please correct the highlighted fields."), fields=errors)
    profile = InvestorProfile.objects.select_for_update().filter(user=user).first()
    if profile is not None and profile.kyc_status not in KYC_EDITABLE:
        raise Conflict(
            gettext("Your due diligence is already %(lower)s.")
            % {"lower": profile.get_kyc_status_display().lower()}
        )
    details = {
        "investor_type": investor_type,
        "legal_name": legal_name.strip(),
        "country": country,
        "id_document_number": id_document_number.strip(),
        "declared_portfolio_hkd": declared_portfolio_hkd,
        "total_assets_hkd": total_assets_hkd if investor_type != InvestorType.INDIVIDUAL else Decimal("0"),
        "claims_professional": claims_professional,
        # An individual's date of birth once given is kept when a later save leaves it out.
        "birth_date": (birth_date or (profile.birth_date if profile else None)) if individual else None,
        "residency": residency or (profile.residency if profile else Residency.NOT_STATED),
        **pep.values(),
    }
    if profile is None:
        profile = InvestorProfile.objects.create(user=user, **details)
    else:
        for name, value in details.items():
            setattr(profile, name, value)
        profile.save()
    audit_record(actor=user, action="investor_details_saved", obj=profile)
    return profile


@transaction.atomic
def investor_kyc_submit(*, user: User, **details: Any) -> InvestorProfile:
    """Send the investor's details, people and evidence for review (a new KYC case; renewal likewise).

    With `details` (the fields of `investor_kyc_save`) they are saved first. A PI claim needs the
    declared figure to meet the threshold and PI evidence; the officer verifies it at the decision.
    """
    if details:
        investor_kyc_save(user=user, **details)
    profile = _editable_profile(user)
    missing = kyc_missing_items(profile)
    if missing:
        raise ValidationFailed(
            "Complete your due diligence before submitting: " + "; ".join(missing) + ".",
            code="KycIncomplete",
        )
    if profile.claims_professional and not pi_threshold(profile).met:
        raise ValidationFailed(
            "Professional-investor status needs " + threshold_requirement(profile.investor_type) + ".",
            fields={
                "claims_professional": gettext(
                    "Your declared figures are below the threshold: untick the claim or correct the figures."
                )
            },
        )
    profile.retain_until = None  # submitted again: the relationship goes on
    profile.save(update_fields=["retain_until", "updated_at"])
    InvestorDocument.objects.filter(profile=profile, submitted_at__isnull=True).update(
        submitted_at=timezone.now()
    )
    InvestorDocument.objects.filter(profile=profile).update(retain_until=None)
    InvestorPerson.objects.filter(profile=profile).update(retain_until=None)
    status_transition(
        profile, to=KycStatus.SUBMITTED, transitions=KYC_TRANSITIONS, actor=user, field="kyc_status"
    )
    case = case_open(subject=profile, submitted_by=user)
    screen_submission(subject=profile, case=case, actor=user)
    return profile


@transaction.atomic
def investor_person_save(
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
    pep: Pep = NOT_A_PEP,
) -> InvestorPerson:
    """Add or edit a director or beneficial owner of a corporate or trust investor (PEP declaration too)."""
    profile = _editable_profile(user)
    if not profile.is_organisation:
        raise ValidationFailed(gettext("Only a corporate or trust investor declares directors and owners."))
    errors = pep.errors() | person_errors(
        full_name=full_name,
        nationality=nationality,
        residency=residency,
        birth_date=birth_date,
        is_director=is_director,
        is_beneficial_owner=is_beneficial_owner,
        ownership_percent=ownership_percent,
        others=profile.people.exclude(pk=person_id) if person_id else profile.people.all(),
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
        **pep.values(),
    }
    person = person_store(profile.people.all(), person_id=person_id, values=values, profile=profile)
    audit_record(actor=user, action="investor_person_saved", obj=person, data={"investor": profile.pk})
    return person


@transaction.atomic
def investor_person_remove(*, user: User, person_id: int) -> None:
    """Remove a director or owner while the profile can change."""
    profile = _editable_profile(user)
    person = profile.people.filter(pk=person_id).first()
    if person is None:
        raise NotFound(gettext("No such person."))
    audit_record(actor=user, action="investor_person_removed", obj=person, data={"investor": profile.pk})
    person.delete()


@transaction.atomic
def investor_document_upload(
    *,
    user: User,
    kind: str,
    upload: UploadedFile,
    evidence_type: str = "",
    document_date: date | None = None,
) -> InvestorDocument:
    """Store a KYC evidence file (PDF, PNG or JPEG) with its fingerprint; PI evidence with type and date."""
    profile = _editable_profile(user)
    errors: dict[str, str] = {}
    if kind not in InvestorDocumentKind.values:
        errors["kind"] = gettext(
            "Choose identity document, proof of address or professional-investor evidence."
        )
    elif kind == InvestorDocumentKind.PI_EVIDENCE:
        if evidence_type not in PiEvidenceType.values:
            errors["evidence_type"] = gettext(
                "Choose what the evidence is (statement, certificate, audited accounts)."
            )
        if document_date is None:
            errors["document_date"] = gettext("Enter the date the document itself carries.")
        elif document_date > timezone.localdate():
            errors["document_date"] = gettext("The document's date cannot be in the future.")
        elif document_date.year < 1900:
            errors["document_date"] = gettext("Enter the date the document itself carries.")
    else:
        evidence_type, document_date = "", None
    if errors:
        raise ValidationFailed(gettext("Please correct the highlighted fields."), fields=errors)
    checked = checked_upload(upload)
    held = profile.documents.aggregate(count=Count("pk"), total=Sum("size"))
    if held["count"] >= settings.DOCUMENT_QUOTA_COUNT:
        raise ValidationFailed(
            gettext("The document limit is reached."),
            fields={
                "file": gettext("Keep at most %(DOCUMENT_QUOTA_COUNT)s documents; remove one first.")
                % {"DOCUMENT_QUOTA_COUNT": settings.DOCUMENT_QUOTA_COUNT}
            },
        )
    if (held["total"] or 0) + checked.size > settings.DOCUMENT_QUOTA_BYTES:
        raise ValidationFailed(
            gettext("The document storage limit is reached."),
            fields={
                "file": gettext("Keep at most %(megabytes)s of documents.")
                % {"megabytes": megabytes(settings.DOCUMENT_QUOTA_BYTES)}
            },
        )
    if profile.documents.filter(sha256=checked.sha256).exists():
        raise ValidationFailed(
            gettext("Already uploaded."), fields={"file": gettext("This exact file is already uploaded.")}
        )
    document = store_checked(
        InvestorDocument(
            profile=profile,
            kind=kind,
            evidence_type=evidence_type,
            document_date=document_date,
            uploaded_by=user,
        ),
        checked,
        upload,
    )
    audit_record(
        actor=user,
        action="investor_document_uploaded",
        obj=document,
        data={"sha256": checked.sha256, "kind": kind, "document_date": document_date},
    )
    return document


@transaction.atomic
def investor_document_remove(*, user: User, document_id: int) -> None:
    """Delete an evidence file not yet submitted (a submitted one stays with its case)."""
    profile = _editable_profile(user)
    document = profile.documents.filter(pk=document_id).first()
    if document is None:
        raise NotFound(gettext("No such document."))
    if document.submitted_at is not None:
        raise Conflict(
            gettext(
                "This document went to compliance with a submission and stays on record; upload a new one."
            ),
            code="DocumentSubmitted",
        )
    audit_record(
        actor=user, action="investor_document_removed", obj=document, data={"sha256": document.sha256}
    )
    stored = document.file.name
    document.delete()
    transaction.on_commit(lambda: document.file.storage.delete(stored))


@transaction.atomic
def investor_kyc_decide(
    *, actor: User, profile: InvestorProfile, approve: bool, reason: str = ""
) -> InvestorProfile:
    """Approve (wallet, on-chain identity, PI status if its evidence holds today) or reject an investor.

    A PI claim is verified here: `is_professional` becomes true only when the declared figure meets
    the threshold and the evidence is in date today; `pi_valid_until` is then the earlier of the
    evidence's stale day and the approval's end (`kyc_valid_until`, 12 months).
    """
    _require_compliance(actor)
    if not approve and not reason.strip():
        raise ValidationFailed(
            gettext("Say why the investor is rejected."), fields={"reason": gettext("A reason is required.")}
        )
    profile = InvestorProfile.objects.select_for_update().get(pk=profile.pk)
    if profile.kyc_status != KycStatus.SUBMITTED:
        raise Conflict(
            gettext("This investor's due diligence is %(lower)s.")
            % {"lower": profile.get_kyc_status_display().lower()}
        )
    case = case_for(profile, lock=True) or case_open(subject=profile)
    decision = Decision.APPROVE if approve else Decision.REJECT
    if not gate(actor=actor, case=case, decision=decision, reason=reason):
        return profile
    profile.decided_by = actor
    profile.decision_reason = reason
    if approve:
        today = timezone.localdate()
        found = pi_assessment(profile, on=today)
        if profile.wallet is None:
            profile.wallet = token_services.wallet_create(
                kind=WalletKind.INVESTOR, label=f"Investor {profile.legal_name}", owner=profile.user
            )
            screen_new_wallet(wallet=profile.wallet, owner=profile, case=case, actor=actor)
        profile.kyc_valid_until = kyc_valid_until(today)
        profile.pi_valid_until = found.valid_until(today)
        profile.is_professional = profile.pi_valid_until is not None
        profile.save(
            update_fields=[
                "wallet",
                "decided_by",
                "decision_reason",
                "kyc_valid_until",
                "pi_valid_until",
                "is_professional",
                "updated_at",
            ]
        )
        status_transition(
            profile,
            to=KycStatus.APPROVED,
            transitions=KYC_TRANSITIONS,
            actor=actor,
            field="kyc_status",
            reason=reason,
            data={
                "professional_investor": profile.is_professional,
                "pi_valid_until": profile.pi_valid_until,
                "kyc_valid_until": profile.kyc_valid_until,
            },
        )
        _identity_write(profile, key=f"case:{case.pk}")
    else:
        profile.save(update_fields=["decided_by", "decision_reason", "updated_at"])
        status_transition(
            profile,
            to=KycStatus.REJECTED,
            transitions=KYC_TRANSITIONS,
            actor=actor,
            field="kyc_status",
            reason=reason,
        )
        if profile.identity_registered_at is None:  # a refused renewal keeps the earlier approval on record
            retention_start(investor=profile)
    case_close(
        case=case, outcome=Outcome.APPROVED if approve else Outcome.REJECTED, actor=actor, reason=reason
    )
    notices.kyc_decided(profile, outcome="approved" if approve else "rejected", reason=reason)
    return profile


@transaction.atomic
def investor_kyc_revoke(*, actor: User, profile_id: int, reason: str) -> InvestorProfile:
    """Withdraw an approval: subscriptions are refused and the identity is removed from the chain."""
    _require_compliance(actor)
    if not reason.strip():
        raise ValidationFailed(
            gettext("Say why the approval is revoked."), fields={"reason": gettext("A reason is required.")}
        )
    profile = (
        InvestorProfile.objects.select_for_update(of=("self",))
        .select_related("wallet")
        .filter(pk=profile_id)
        .first()
    )
    if profile is None:
        raise NotFound(gettext("No such investor."))
    if profile.kyc_status != KycStatus.APPROVED:
        raise Conflict(
            gettext("Only an approved investor can be revoked; this one is %(lower)s.")
            % {"lower": profile.get_kyc_status_display().lower()}
        )
    registered = profile.identity_registered_at is not None
    profile.is_professional = False
    profile.pi_valid_until = None
    profile.identity_registered_at = None
    profile.decided_by = actor
    profile.decision_reason = reason
    profile.save(
        update_fields=[
            "is_professional",
            "pi_valid_until",
            "identity_registered_at",
            "decided_by",
            "decision_reason",
            "updated_at",
        ]
    )
    status_transition(
        profile,
        to=KycStatus.REVOKED,
        transitions=KYC_TRANSITIONS,
        actor=actor,
        field="kyc_status",
        reason=reason,
    )
    attestations_revoke_for(investor=profile, reason=reason, code=RevocationReason.KYC_REVOKED, actor=actor)
    linked_wallets_withdraw(profile=profile, actor=actor, reason=reason)
    if registered and profile.wallet is not None:
        token_services.contract_call(
            target=platform_contract(ContractKind.IDENTITY_REGISTRY),
            function="revokeIdentity",
            args=[profile.wallet.address],
            intent=INTENT_REVOKE_INVESTOR_IDENTITY,
            key=f"identity:investor:{profile.pk}:revoke:{timezone.now().timestamp():.0f}",
            reference=f"revoke identity of investor {profile.pk}",
            subject_address=profile.wallet.address,
        )
    notices.kyc_decided(profile, outcome="revoked", reason=reason)
    return profile


def _investor_classes(profile: InvestorProfile) -> int:
    classes = int(InvestorClass.PROFESSIONAL if profile.is_professional else InvestorClass.RETAIL)
    if profile.investor_type == InvestorType.CORPORATE:
        classes |= InvestorClass.INSTITUTIONAL
    return classes


def _country_numeric(code: str) -> int:
    numeric = countries.numeric(code)
    if numeric is None:
        raise ValidationFailed(
            gettext("The investor's country has no ISO numeric code."),
            fields={"country": gettext("Unknown.")},
        )
    return int(numeric)


def _identity_expiry(profile: InvestorProfile) -> int:
    """The on-chain expiry: the start (Hong Kong time) of the day the approval lapses."""
    assert profile.kyc_valid_until is not None
    moment = timezone.make_aware(datetime.combine(profile.kyc_valid_until, datetime.min.time()))
    return int(moment.timestamp())


def _identity_write(profile: InvestorProfile, *, key: str) -> ChainTransaction:
    """Put the investor's identity on chain as it stands: registered the first time, updated after."""
    assert profile.wallet is not None
    update = profile.identity_registered_at is not None
    identity = [_country_numeric(profile.country.code), _investor_classes(profile), _identity_expiry(profile)]
    if update:  # the investor's linked self-custody wallets carry the same identity
        linked_wallets_identity_update(profile=profile, identity=identity, key=key)
    return token_services.contract_call(
        target=platform_contract(ContractKind.IDENTITY_REGISTRY),
        function="updateIdentity" if update else "registerIdentity",
        args=[profile.wallet.address, *identity],
        intent=INTENT_UPDATE_IDENTITY if update else INTENT_REGISTER_IDENTITY,
        key=f"identity:investor:{profile.pk}:{profile.wallet.address}:{key}",
        reference=f"{'update' if update else 'register'} identity of investor {profile.pk}",
        subject_address=profile.wallet.address,
    )


def investor_identity_registered(tx: ChainTransaction, receipt: dict[str, Any]) -> None:
    """The registry confirmed the investor's identity."""
    wallet = chain.decode_call("IdentityRegistry", tx.data)["wallet"]
    InvestorProfile.objects.filter(wallet__address=wallet).update(identity_registered_at=timezone.now())


def investor_identity_changed(tx: ChainTransaction, receipt: dict[str, Any]) -> None:
    """The registry applied an update or a revocation; the profile already says what it should be."""


def investor_chain_setup_failed(tx: ChainTransaction) -> None:
    """The chain refused the identity registration: keep why, for compliance to act on."""
    InvestorProfile.objects.filter(wallet__address=tx.subject_address).update(
        chain_setup_error=explain_failure(tx.error), updated_at=timezone.now()
    )


@transaction.atomic
def investor_chain_setup_retry(*, actor: User, profile_id: int) -> InvestorProfile:
    """Send the identity registration of an approved investor again after it failed."""
    _require_compliance(actor)
    profile = (
        InvestorProfile.objects.select_for_update(of=("self",))
        .select_related("wallet")
        .filter(pk=profile_id)
        .first()
    )
    if profile is None:
        raise NotFound(gettext("No such investor."))
    if profile.kyc_status != KycStatus.APPROVED or profile.wallet is None:
        raise Conflict(gettext("Only an approved investor's on-chain set-up can be retried."))
    pending = ChainTransaction.objects.filter(
        subject_address=profile.wallet.address,
        intent=INTENT_REGISTER_IDENTITY,
        status__in=[ChainTxStatus.PENDING, ChainTxStatus.SENT],
    )
    if pending.exists():
        raise Conflict(gettext("The on-chain set-up is still in progress; wait for it to finish."))
    if profile.identity_registered_at:
        raise Conflict(gettext("The investor's identity is already on chain."))
    _identity_write(profile, key=f"retry:{timezone.now().timestamp():.0f}")
    profile.chain_setup_error = ""
    profile.save(update_fields=["chain_setup_error", "updated_at"])
    audit_record(actor=actor, action="investor_chain_setup_retried", obj=profile)
    return profile


def _investor_email(
    profile: InvestorProfile, *, subject: Callable[[], str], template: str, context: dict[str, Any]
) -> None:
    """Email the investor, in their language, once the transaction commits (a mail outage never undoes it).

    `subject` is called with the investor's language active.
    """
    with in_language_of(profile.user):
        title = subject()
        body = render_to_string(template, {"profile": profile, "platform": settings.PLATFORM_NAME, **context})
    transaction.on_commit(partial(send_mail, title, body, None, [profile.user.email]), robust=True)


def _lapse_subject(label: StrOrPromise, day: date) -> str:
    return gettext("Your %(what)s lapses on %(day)s") % {"what": label, "day": day_text(day)}


def _evidence_alert(profile: InvestorProfile, *, kind: str, what: str, day: date, summary: str) -> bool:
    """Raise the alert for (investor, what, day) once; True when it is new."""
    key = f"{kind}:investor:{profile.pk}:{what}:{day.isoformat()}"
    if Case.objects.filter(kind=CaseKind.ALERT, alert_key=key).exists():
        return False
    alert_raise(
        kind=kind,
        key=key,
        summary=summary,
        detail={"investor": profile.pk, "what": what, "date": day.isoformat()},
        investor=profile,
    )
    return True


@transaction.atomic
def investor_pi_lapse(*, profile_id: int, today: date | None = None) -> InvestorProfile:
    """The PI evidence went stale: retail from now on, the PI bit cleared on chain, an alert, an email.

    The identity stays registered (the investor may still hold and buy retail products until the
    approval itself lapses); PI-only tokens refuse transfers and mints to the wallet from then on.
    """
    today = today or timezone.localdate()
    profile = (
        InvestorProfile.objects.select_for_update(of=("self",))
        .select_related("wallet", "user")
        .get(pk=profile_id)
    )
    if not profile.is_professional or profile.pi_valid_until is None or profile.pi_valid_until > today:
        return profile
    lapsed_on = profile.pi_valid_until
    profile.is_professional = False
    profile.save(update_fields=["is_professional", "updated_at"])
    attestations_revoke_for(
        investor=profile,
        reason=f"Professional-investor evidence expired on {lapsed_on.isoformat()}",
        code=RevocationReason.PI_LAPSED,
    )
    audit_record(
        actor=None,
        action="investor_pi_lapsed",
        obj=profile,
        data={"pi_valid_until": lapsed_on},
    )
    if profile.kyc_status == KycStatus.APPROVED and profile.identity_registered_at and profile.wallet:
        _identity_write(profile, key=f"pi-lapse:{lapsed_on.isoformat()}")
    if _evidence_alert(
        profile,
        kind=AlertKind.EVIDENCE_STALE,
        what="pi",
        day=lapsed_on,
        summary=f"{profile.legal_name}: professional-investor evidence expired on {lapsed_on:%d %b %Y}",
    ):
        _investor_email(
            profile,
            subject=lambda: gettext("Your professional-investor evidence has expired"),
            template="compliance/email/pi_expired.txt",
            context={"day": lapsed_on},
        )
    return profile


@transaction.atomic
def investor_evidence_remind(*, profile_id: int, today: date | None = None) -> bool:
    """Alert compliance and remind the investor that their PI status or approval lapses soon (once a date)."""
    today = today or timezone.localdate()
    profile = InvestorProfile.objects.select_related("user").get(pk=profile_id)
    horizon = today + timedelta(days=settings.KYC_EVIDENCE_REMINDER_DAYS)
    sent = False
    for what, day, label in (
        (
            "pi",
            profile.pi_valid_until if profile.is_professional else None,
            gettext_lazy("professional-investor status"),
        ),
        ("kyc", profile.kyc_valid_until, gettext_lazy("due-diligence approval")),
    ):
        if day is None or not today < day <= horizon or profile.kyc_status != KycStatus.APPROVED:
            continue
        if _evidence_alert(
            profile,
            kind=AlertKind.EVIDENCE_EXPIRING,
            what=what,
            day=day,
            summary=f"{profile.legal_name}: {label} lapses on {day:%d %b %Y}",
        ):
            _investor_email(
                profile,
                subject=partial(_lapse_subject, label, day),
                template="compliance/email/evidence_expiring.txt",
                context={"day": day, "label": label},
            )
            sent = True
    return sent


def kyc_evidence_sweep(*, today: date | None = None) -> dict[str, int]:
    """Daily: lapse stale PI statuses, raise stale alerts for lapsed approvals, remind before either.

    Each investor is handled in its own transaction, so one failure does not hold back the rest.
    """
    today = today or timezone.localdate()
    counts = {"lapsed": 0, "reminded": 0, "kyc_lapsed": 0}
    for pk in InvestorProfile.objects.filter(is_professional=True, pi_valid_until__lte=today).values_list(
        "pk", flat=True
    ):
        investor_pi_lapse(profile_id=pk, today=today)
        counts["lapsed"] += 1
    for profile in InvestorProfile.objects.filter(kyc_status=KycStatus.APPROVED, kyc_valid_until__lte=today):
        with transaction.atomic():
            counts["kyc_lapsed"] += _evidence_alert(
                profile,
                kind=AlertKind.EVIDENCE_STALE,
                what="kyc",
                day=profile.kyc_valid_until,  # type: ignore[arg-type]
                summary=f"{profile.legal_name}: due-diligence approval lapsed on "
                f"{profile.kyc_valid_until:%d %b %Y}; the on-chain identity has expired",
            )
    horizon = today + timedelta(days=settings.KYC_EVIDENCE_REMINDER_DAYS)
    soon = InvestorProfile.objects.filter(kyc_status=KycStatus.APPROVED).filter(
        Q(is_professional=True, pi_valid_until__gt=today, pi_valid_until__lte=horizon)
        | Q(kyc_valid_until__gt=today, kyc_valid_until__lte=horizon)
    )
    for pk in soon.values_list("pk", flat=True):
        counts["reminded"] += investor_evidence_remind(profile_id=pk, today=today)
    return counts


@transaction.atomic
def company_kyb_decide(*, actor: User, company: Company, approve: bool, reason: str = "") -> Company:
    """Verify (with a custodial wallet to receive proceeds) or reject a company."""
    _require_compliance(actor)
    if not approve and not reason.strip():
        raise ValidationFailed(
            gettext("Say why the company is rejected."), fields={"reason": gettext("A reason is required.")}
        )
    company = Company.objects.select_for_update().get(pk=company.pk)
    if company.kyb_status != KybStatus.SUBMITTED:
        raise Conflict(
            gettext("This company is %(lower)s; it cannot be decided now.")
            % {"lower": company.get_kyb_status_display().lower()}
        )
    verified = registration_holders(company).filter(kyb_status=KybStatus.VERIFIED).first()
    if approve and verified is not None:
        raise Conflict(
            gettext(
                "%(legal_name_en)s is already verified with this registration number; "
                "only one company per number can be verified. Reject this claim, or "
                "investigate the verified one first."
            )
            % {"legal_name_en": verified.legal_name_en}
        )
    case = case_for(company, lock=True) or case_open(subject=company)
    if not gate(
        actor=actor, case=case, decision=Decision.APPROVE if approve else Decision.REJECT, reason=reason
    ):
        return company
    if approve and company.wallet is None:
        company.wallet = token_services.wallet_create(
            kind=WalletKind.ISSUER, label=f"Issuer {company.legal_name_en}", owner=company.representative
        )
        screen_new_wallet(wallet=company.wallet, owner=company, case=case, actor=actor)
    company.decision_reason = reason
    company.save(update_fields=["wallet", "decision_reason", "updated_at"])
    status_transition(
        company,
        to=KybStatus.VERIFIED if approve else KybStatus.REJECTED,
        transitions=KYB_TRANSITIONS,
        actor=actor,
        field="kyb_status",
        reason=reason,
        data={"country": COUNTRY_OF_JURISDICTION[company.jurisdiction]},
    )
    if not approve:
        retention_start(company=company)
    case_close(
        case=case, outcome=Outcome.APPROVED if approve else Outcome.REJECTED, actor=actor, reason=reason
    )
    notices.kyb_decided(company, approved=approve, reason=reason)
    return company


# An application may also go back to the SME to change its terms and submit again (no four eyes needed).
REQUEST_CHANGES = "request_changes"


def case_decide(*, actor: User, case_id: int, decision: str, reason: str = "", **options: Any) -> Case:
    """Any decision on any case, as the queue and the API take it; the kind's own service applies it.

    Approve / reject (clear / confirm for alerts) go through four eyes (`cases.services.gate`);
    request information and escalate move the case along. `options` are the application's
    (`closes_at`, `professional_investors_only`, ...).
    """
    case = Case.objects.select_related("company", "investor", "application").filter(pk=case_id).first()
    if case is None:
        raise NotFound(gettext("No such case."))
    if decision == Decision.REQUEST_INFO:
        case_request_information(actor=actor, case_id=case_id, question=reason)
    elif decision == Decision.ESCALATE:
        case_escalate(actor=actor, case_id=case_id, reason=reason)
    elif case.kind == CaseKind.ALERT:
        alert_decide(actor=actor, case_id=case_id, decision=decision, reason=reason)
    elif decision not in (Decision.APPROVE, Decision.REJECT) and not (
        case.kind == CaseKind.APPLICATION and decision == REQUEST_CHANGES
    ):
        raise ValidationFailed(
            gettext("Choose approve, reject, request information or escalate."),
            fields={"decision": gettext("Unknown decision.")},
        )
    elif case.kind == CaseKind.KYB:
        assert case.company is not None
        company_kyb_decide(
            actor=actor, company=case.company, approve=decision == Decision.APPROVE, reason=reason
        )
    elif case.kind == CaseKind.KYC:
        assert case.investor is not None
        investor_kyc_decide(
            actor=actor, profile=case.investor, approve=decision == Decision.APPROVE, reason=reason
        )
    else:
        from financing.services import application_decide

        assert case.application_id is not None
        application_decide(
            actor=actor, application_id=case.application_id, decision=decision, reason=reason, **options
        )
    case.refresh_from_db()
    return case


def demo_fund_investor(*, actor: User, amount_hkd: Decimal, currency: str = "HKD") -> ChainTransaction:
    """Mint the test stablecoin of `currency` (HKD unless named; `amount_hkd` is in that currency) to the
    investor's own wallet (only where the demo faucet is switched on)."""
    if not settings.DEMO_FAUCET:
        raise PermissionDenied(gettext("The test stablecoin faucet is switched off on this platform."))
    profile = InvestorProfile.objects.filter(user=actor, kyc_status=KycStatus.APPROVED).first()
    if profile is None or profile.wallet is None:
        raise ValidationFailed(gettext("Your wallet is created when your due diligence is approved."))
    if currency not in PaymentCurrency.values:
        raise ValidationFailed(
            gettext("Choose HKD, CNY, MOP or USD."),
            fields={"currency": gettext("Choose HKD, CNY, MOP or USD.")},
        )
    if not Decimal("0") < amount_hkd <= Decimal("100000000"):
        raise ValidationFailed(
            gettext("Choose an amount up to %(currency)s 100,000,000.") % {"currency": currency},
            fields={"amount": gettext("Out of range.")},
        )
    base_units = int(amount_hkd.scaleb(settings.PAYMENT_TOKEN_DECIMALS))
    with transaction.atomic():
        data = (
            {"amount_hkd": str(amount_hkd)}
            if currency == "HKD"
            else {"amount": str(amount_hkd), "currency": currency}
        )
        audit_record(actor=actor, action="demo_faucet", obj=profile, data=data)
        return token_services.payment_token_mint(
            to_address=profile.wallet.address,
            amount_base_units=base_units,
            key=f"faucet:{currency}:{profile.wallet.address}:{time.time_ns()}",
            currency=currency,
        )
