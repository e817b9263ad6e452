"""Writes of compliance: investor KYC, company KYB decisions and their on-chain identity."""

from __future__ import annotations

import time
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_countries import countries

from accounts.choices import COMPLIANCE_ROLES, Role
from accounts.models import User
from compliance.audit import audit_record, status_transition
from compliance.cases.choices import CaseKind, Decision, Outcome
from compliance.cases.models import Case
from compliance.cases.services import (
    alert_decide,
    case_close,
    case_escalate,
    case_for,
    case_open,
    case_request_information,
    gate,
)
from compliance.choices import IDENTITY_VALIDITY_DAYS, KYC_TRANSITIONS, InvestorClass, InvestorType, KycStatus
from compliance.models import InvestorProfile
from compliance.pep import NOT_A_PEP, Pep
from compliance.retention import retention_start
from compliance.screening.alerts import screen_new_wallet, screen_submission
from config.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from issuers.choices import COUNTRY_OF_JURISDICTION, KYB_TRANSITIONS, KybStatus
from issuers.models import Company
from issuers.selectors import registration_holders
from tokens import chain
from tokens import services as token_services
from tokens.choices import ChainTxStatus, ContractKind, WalletKind
from tokens.models import ChainTransaction
from tokens.reasons import explain_failure
from tokens.selectors import platform_contract

# Professional-investor thresholds (Cap. 571D): HKD 8m portfolio; corporations also HKD 40m total assets.
PI_PORTFOLIO_THRESHOLD_HKD = Decimal("8000000")

INTENT_REGISTER_IDENTITY = "register_identity"


def _require_compliance(actor: User) -> None:
    if actor.role not in COMPLIANCE_ROLES:
        raise PermissionDenied("Only compliance staff may decide due-diligence cases.")


@transaction.atomic
def investor_kyc_submit(
    *,
    user: User,
    investor_type: str,
    legal_name: str,
    country: str,
    id_document_number: str,
    declared_portfolio_hkd: Decimal,
    pep: Pep = NOT_A_PEP,
) -> InvestorProfile:
    """Create or update an investor's KYC details and send them for review (a politically exposed
    investor gives the function and the source of wealth and of funds: `compliance.pep`)."""
    if user.role != Role.INVESTOR:
        raise PermissionDenied("Only investors submit investor due diligence.")
    errors: dict[str, str] = pep.errors()
    if investor_type not in InvestorType.values:
        errors["investor_type"] = "Choose individual or corporation."
    if not legal_name.strip():
        errors["legal_name"] = "Enter the legal name."
    if country not in countries:
        errors["country"] = "Choose a country."
    if not id_document_number.strip():
        errors["id_document_number"] = "Enter the identity document or registration number."
    if declared_portfolio_hkd < 0:
        errors["declared_portfolio_hkd"] = "The portfolio cannot be negative."
    if errors:
        raise ValidationFailed("Please correct the highlighted fields.", fields=errors)
    profile = InvestorProfile.objects.select_for_update().filter(user=user).first()
    if profile is not None and profile.kyc_status not in (KycStatus.DRAFT, KycStatus.REJECTED):
        raise ValidationFailed(f"Your due diligence is already {profile.get_kyc_status_display().lower()}.")
    details = {
        "investor_type": investor_type,
        "legal_name": legal_name.strip(),
        "country": country,
        "id_document_number": id_document_number.strip(),
        "declared_portfolio_hkd": declared_portfolio_hkd,
        "is_professional": declared_portfolio_hkd >= PI_PORTFOLIO_THRESHOLD_HKD,
        "retain_until": None,  # submitted again: the relationship goes on
        **pep.values(),
    }
    if profile is None:
        profile = InvestorProfile.objects.create(user=user, **details)
    else:
        for name, value in details.items():
            setattr(profile, name, value)
        profile.save()
    status_transition(
        profile, to=KycStatus.SUBMITTED, transitions=KYC_TRANSITIONS, actor=user, field="kyc_status"
    )
    case = case_open(subject=profile, submitted_by=user)
    screen_submission(subject=profile, case=case, actor=user)
    return profile


@transaction.atomic
def investor_kyc_decide(
    *, actor: User, profile: InvestorProfile, approve: bool, reason: str = ""
) -> InvestorProfile:
    """Approve (wallet, on-chain identity) or reject an investor."""
    _require_compliance(actor)
    if not approve and not reason.strip():
        raise ValidationFailed(
            "Say why the investor is rejected.", fields={"reason": "A reason is required."}
        )
    profile = InvestorProfile.objects.select_for_update().get(pk=profile.pk)
    if profile.kyc_status != KycStatus.SUBMITTED:
        raise Conflict(f"This investor's due diligence is {profile.get_kyc_status_display().lower()}.")
    case = case_for(profile, lock=True) or case_open(subject=profile)
    decision = Decision.APPROVE if approve else Decision.REJECT
    if not gate(actor=actor, case=case, decision=decision, reason=reason):
        return profile
    if approve:
        if profile.wallet is None:
            profile.wallet = token_services.wallet_create(
                kind=WalletKind.INVESTOR, label=f"Investor {profile.legal_name}", owner=profile.user
            )
            screen_new_wallet(wallet=profile.wallet, owner=profile, case=case, actor=actor)
        profile.decided_by = actor
        profile.decision_reason = reason
        profile.save(update_fields=["wallet", "decided_by", "decision_reason", "updated_at"])
        status_transition(
            profile,
            to=KycStatus.APPROVED,
            transitions=KYC_TRANSITIONS,
            actor=actor,
            field="kyc_status",
            reason=reason,
        )
        _register_identity(profile)
    else:
        profile.decided_by = actor
        profile.decision_reason = reason
        profile.save(update_fields=["decided_by", "decision_reason", "updated_at"])
        status_transition(
            profile,
            to=KycStatus.REJECTED,
            transitions=KYC_TRANSITIONS,
            actor=actor,
            field="kyc_status",
            reason=reason,
        )
        retention_start(investor=profile)
    case_close(
        case=case, outcome=Outcome.APPROVED if approve else Outcome.REJECTED, actor=actor, reason=reason
    )
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
            "The investor's country has no ISO numeric code.", fields={"country": "Unknown."}
        )
    return int(numeric)


def _register_identity(profile: InvestorProfile, attempt: str = "") -> ChainTransaction:
    assert profile.wallet is not None
    expiry = int((timezone.now() + timedelta(days=IDENTITY_VALIDITY_DAYS)).timestamp())
    return token_services.contract_call(
        target=platform_contract(ContractKind.IDENTITY_REGISTRY),
        function="registerIdentity",
        args=[
            profile.wallet.address,
            _country_numeric(profile.country.code),
            _investor_classes(profile),
            expiry,
        ],
        intent=INTENT_REGISTER_IDENTITY,
        key=f"identity:investor:{profile.pk}:{profile.wallet.address}{attempt}",
        reference=f"register identity of investor {profile.pk}",
        subject_address=profile.wallet.address,
    )


def investor_identity_registered(tx: ChainTransaction, receipt: dict[str, Any]) -> None:
    """The registry confirmed the investor's identity."""
    wallet = chain.decode_call("IdentityRegistry", tx.data)["wallet"]
    InvestorProfile.objects.filter(wallet__address=wallet).update(identity_registered_at=timezone.now())


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
        raise NotFound("No such investor.")
    if profile.kyc_status != KycStatus.APPROVED or profile.wallet is None:
        raise Conflict("Only an approved investor's on-chain set-up can be retried.")
    pending = ChainTransaction.objects.filter(
        subject_address=profile.wallet.address,
        intent=INTENT_REGISTER_IDENTITY,
        status__in=[ChainTxStatus.PENDING, ChainTxStatus.SENT],
    )
    if pending.exists():
        raise Conflict("The on-chain set-up is still in progress; wait for it to finish.")
    if profile.identity_registered_at:
        raise Conflict("The investor's identity is already on chain.")
    _register_identity(profile, f":retry:{timezone.now().timestamp():.0f}")
    profile.chain_setup_error = ""
    profile.save(update_fields=["chain_setup_error", "updated_at"])
    audit_record(actor=actor, action="investor_chain_setup_retried", obj=profile)
    return profile


@transaction.atomic
def company_kyb_decide(*, actor: User, company: Company, approve: bool, reason: str = "") -> Company:
    """Verify (with a custodial wallet to receive proceeds) or reject a company."""
    _require_compliance(actor)
    if not approve and not reason.strip():
        raise ValidationFailed("Say why the company is rejected.", fields={"reason": "A reason is required."})
    company = Company.objects.select_for_update().get(pk=company.pk)
    if company.kyb_status != KybStatus.SUBMITTED:
        raise Conflict(
            f"This company is {company.get_kyb_status_display().lower()}; it cannot be decided now."
        )
    verified = registration_holders(company).filter(kyb_status=KybStatus.VERIFIED).first()
    if approve and verified is not None:
        raise Conflict(
            f"{verified.legal_name_en} is already verified with this registration number; only one company "
            "per number can be verified. Reject this claim, or investigate the verified one first."
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
        raise NotFound("No such case.")
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
            "Choose approve, reject, request information or escalate.",
            fields={"decision": "Unknown decision."},
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


def demo_fund_investor(*, actor: User, amount_hkd: Decimal) -> ChainTransaction:
    """Mint test HKD to the investor's own wallet (only where the demo faucet is switched on)."""
    if not settings.DEMO_FAUCET:
        raise PermissionDenied("The test HKD faucet is switched off on this platform.")
    profile = InvestorProfile.objects.filter(user=actor, kyc_status=KycStatus.APPROVED).first()
    if profile is None or profile.wallet is None:
        raise ValidationFailed("Your wallet is created when your due diligence is approved.")
    if not Decimal("0") < amount_hkd <= Decimal("100000000"):
        raise ValidationFailed("Choose an amount up to HKD 100,000,000.", fields={"amount": "Out of range."})
    base_units = int(amount_hkd.scaleb(settings.PAYMENT_TOKEN_DECIMALS))
    with transaction.atomic():
        audit_record(actor=actor, action="demo_faucet", obj=profile, data={"amount_hkd": str(amount_hkd)})
        return token_services.payment_token_mint(
            to_address=profile.wallet.address,
            amount_base_units=base_units,
            key=f"faucet:{profile.wallet.address}:{time.time_ns()}",
        )
