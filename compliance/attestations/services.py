"""Issue and revoke attestations. Signing happens only in `tokens.signer` (attestation types only);
a revocation is recorded here and sent to the AttestationRegistry through the outbox."""

from __future__ import annotations

import secrets
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from accounts.choices import COMPLIANCE_ROLES, Role
from accounts.models import User
from compliance.attestations.selectors import attestation_wallets
from compliance.audit import audit_record, status_transition
from compliance.choices import (
    ATTESTATION_PRIMARY_TYPES,
    ATTESTATION_TRANSITIONS,
    AttestationKind,
    AttestationStatus,
    KycStatus,
)
from compliance.models import Attestation, AuditEvent, InvestorProfile
from config.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from issuers.choices import KybStatus
from issuers.models import Company, Document
from tokens import chain, signer
from tokens import services as token_services
from tokens.choices import ContractKind
from tokens.models import ChainTransaction
from tokens.selectors import platform_contract

INTENT_REVOKE_ATTESTATION = "revoke_attestation"
# A company attestation states a past fact (KYB passed on a day); a reader should ask for a fresh one
# after a year, as the platform's own reviews recur.
COMPANY_ATTESTATION_VALIDITY = timedelta(days=365)


class RevocationReason:
    """The short codes recorded on chain (bytes32) for why an attestation was revoked."""

    STAFF = "staff_decision"
    KYB_BLOCKED = "kyb_blocked"
    KYC_REVOKED = "kyc_revoked"
    KYC_BLOCKED = "kyc_blocked"
    PI_LAPSED = "pi_lapsed"


def reason_code(code: str) -> bytes:
    """A reason code as the bytes32 the registry records (ASCII, right-padded with zeros)."""
    raw = code.encode("ascii")
    if len(raw) > 32:
        raise ValueError(f"reason code {code!r} is longer than 32 bytes")
    return raw.ljust(32, b"\0")


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _kyb_passed_on(company: Company) -> date:
    """The day compliance verified the company (its audited status move; its last change if none)."""
    moved = (
        AuditEvent.objects.filter(
            object_type=Company._meta.label_lower,
            object_id=str(company.pk),
            action="kyb_status:" + KybStatus.VERIFIED,
        )
        .order_by("-pk")
        .values_list("occurred_at", flat=True)
        .first()
    )
    return timezone.localdate(moved or company.updated_at)


def _company_message(user: User, now: datetime) -> tuple[Company, dict[str, Any], datetime]:
    if user.role != Role.SME:
        raise PermissionDenied(gettext("Only a company's representative can ask for its KYB attestation."))
    company = Company.objects.select_for_update().filter(representative=user).first()
    if company is None:
        raise Conflict(gettext("Your company has no KYB file yet, so there is nothing to attest."))
    if company.kyb_status != KybStatus.VERIFIED:
        raise Conflict(
            gettext(
                "Your company's KYB is %(status)s, not verified: an attestation states a passed KYB only."
            )
            % {"status": company.get_kyb_status_display().lower()}
        )
    fingerprints = sorted(
        "0x" + sha for sha in Document.objects.filter(company=company).values_list("sha256", flat=True)
    )
    valid_until = now + COMPANY_ATTESTATION_VALIDITY
    message = {
        "uid": "0x" + secrets.token_hex(32),
        "company": company.legal_name_en,
        "registrationNumber": company.registration_number,
        "jurisdiction": company.jurisdiction,
        "kybPassedOn": _kyb_passed_on(company).isoformat(),
        "documentFingerprints": fingerprints,
        "issuedAt": int(now.timestamp()),
        "validUntil": int(valid_until.timestamp()),
    }
    return company, message, valid_until


def _investor_message(
    user: User, now: datetime, wallet: str
) -> tuple[InvestorProfile, dict[str, Any], datetime]:
    if user.role != Role.INVESTOR:
        raise PermissionDenied(gettext("Only an investor can ask for a professional-investor attestation."))
    profile = InvestorProfile.objects.select_for_update().filter(user=user).first()
    today = timezone.localdate(now)
    if profile is None or profile.kyc_status != KycStatus.APPROVED:
        raise Conflict(gettext("Your due diligence is not approved, so there is nothing to attest."))
    if not profile.is_professional or profile.pi_valid_until is None or profile.pi_valid_until <= today:
        raise Conflict(
            gettext(
                "You are not a verified professional investor today (the status was never verified or has "
                "lapsed): send new evidence to compliance first."
            )
        )
    wallets = attestation_wallets(user)
    chosen = wallet or (wallets[0] if wallets else "")
    if chosen.lower() not in {w.lower() for w in wallets}:
        raise ValidationFailed(
            gettext("That wallet is not one of yours."),
            fields={"wallet": gettext("Choose one of your own wallets.")},
        )
    chosen = next(w for w in wallets if w.lower() == chosen.lower())
    valid_until = _start_of(profile.pi_valid_until)
    message = {
        "uid": "0x" + secrets.token_hex(32),
        "wallet": chosen,
        "professionalUntil": profile.pi_valid_until.isoformat(),
        "issuedAt": int(now.timestamp()),
        "validUntil": int(valid_until.timestamp()),
    }
    return profile, message, valid_until


def attestation_issue(*, user: User, kind: str, wallet: str = "") -> Attestation:
    """Sign and store an attestation of `kind` for the requesting holder, if the fact holds today.

    Refused (nothing stored) when it does not: the company's KYB is not verified, the investor's
    professional status lapsed, the wallet is not the investor's.
    """
    if kind not in AttestationKind.values:
        raise ValidationFailed(
            gettext("Unknown kind of attestation."), fields={"kind": gettext("Choose a kind of attestation.")}
        )
    registry = platform_contract(ContractKind.ATTESTATION_REGISTRY)
    domain = signer.attestation_domain(chain_id=chain.chain_id(), registry_address=str(registry.address))
    return _issue(user=user, kind=AttestationKind(kind), wallet=wallet, domain=domain)


@transaction.atomic
def _issue(*, user: User, kind: AttestationKind, wallet: str, domain: dict[str, Any]) -> Attestation:
    now = timezone.now().replace(microsecond=0)
    primary = ATTESTATION_PRIMARY_TYPES[kind]
    subject: dict[str, Any]
    if kind == AttestationKind.COMPANY_VERIFIED:
        company, message, valid_until = _company_message(user, now)
        subject = {"company": company}
    else:
        profile, message, valid_until = _investor_message(user, now, wallet)
        subject = {"investor": profile}
    typed_data = {
        "types": signer.attestation_types(primary),
        "primaryType": primary,
        "domain": domain,
        "message": message,
    }
    signature = signer.sign_attestation(typed_data)
    attestation = Attestation.objects.create(
        kind=kind,
        requested_by=user,
        typed_data=typed_data,
        signature=signature,
        digest="0x" + signer.attestation_digest(typed_data).hex(),
        signer=signer.attester_address(),
        issued_at=now,
        valid_until=valid_until,
        **subject,
    )
    audit_record(
        actor=user,
        action="attestation_issued",
        obj=attestation,
        data={"kind": kind.value, "digest": attestation.digest},
    )
    return attestation


def _revoke(attestation: Attestation, *, actor: User | None, reason: str, code: str) -> Attestation:
    """Mark one active attestation revoked and record its revocation on chain (sent after commit)."""
    now = timezone.now()
    status_transition(
        attestation,
        to=AttestationStatus.REVOKED,
        transitions=ATTESTATION_TRANSITIONS,
        actor=actor,
        reason=reason,
        data={"code": code, "digest": attestation.digest},
        extra={"revoked_at": now, "revoked_by": actor, "revocation_reason": reason},
    )
    tx = token_services.contract_call(
        target=platform_contract(ContractKind.ATTESTATION_REGISTRY),
        function="revoke",
        args=[bytes.fromhex(attestation.digest.removeprefix("0x")), reason_code(code)],
        intent=INTENT_REVOKE_ATTESTATION,
        key=f"attestation:{attestation.pk}:revoke",
        reference=f"revoke attestation {attestation.pk} ({code})",
    )
    Attestation.objects.filter(pk=attestation.pk).update(revocation_tx=tx)
    attestation.revocation_tx = tx
    return attestation


@transaction.atomic
def attestation_revoke(*, actor: User, attestation_id: int, reason: str) -> Attestation:
    """Compliance revokes one attestation with a reason; the revocation is recorded on chain."""
    if actor.role not in COMPLIANCE_ROLES:
        raise PermissionDenied(gettext("Only compliance staff can revoke an attestation."))
    if not reason.strip():
        raise ValidationFailed(
            gettext("Say why the attestation is revoked."),
            fields={"reason": gettext("A reason is required.")},
        )
    attestation = Attestation.objects.select_for_update().filter(pk=attestation_id).first()
    if attestation is None:
        raise NotFound(gettext("No such attestation."))
    if attestation.status != AttestationStatus.ACTIVE:
        raise Conflict(gettext("This attestation is already revoked."))
    return _revoke(attestation, actor=actor, reason=reason, code=RevocationReason.STAFF)


def attestations_revoke_for(
    *,
    company: Company | None = None,
    investor: InvestorProfile | None = None,
    reason: str,
    code: str,
    actor: User | None = None,
) -> list[Attestation]:
    """Revoke every active attestation of a company or an investor whose fact stopped holding (called by
    the decision services, in their transaction)."""
    found = Attestation.objects.select_for_update().filter(status=AttestationStatus.ACTIVE)
    if company is not None:
        found = found.filter(company=company)
    elif investor is not None:
        found = found.filter(investor=investor)
    else:
        raise ValueError("Name a company or an investor.")
    return [_revoke(a, actor=actor, reason=reason, code=code) for a in found.order_by("pk")]


def attestation_revoked_on_chain(tx: ChainTransaction, receipt: dict[str, Any]) -> None:
    """The registry recorded the revocation."""
    Attestation.objects.filter(revocation_tx=tx).update(revoked_on_chain_at=timezone.now())


def attestation_revocation_failed(tx: ChainTransaction) -> None:
    """The chain refused the revocation (already revoked there, or a role missing): audited for staff."""
    for attestation in Attestation.objects.filter(revocation_tx=tx):
        audit_record(
            actor=None,
            action="attestation_revocation_failed",
            obj=attestation,
            data={"error": tx.error, "tx": tx.pk},
        )
