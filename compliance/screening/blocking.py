"""What deciding a sanctions alert does: clear (not the same party) or confirm (block the party on chain).

Clear: the screened name is another person or entity; the reason is recorded on the alert and the
party's open cases are scored again (`case_close` does that for every alert).

Confirm: a true match. The party is blocked:
- a company under KYB review is rejected (its KYB case closed as rejected); a verified company moves to
  `blocked`: its open applications are rejected and its offerings take no more subscriptions;
- an investor under KYC review is rejected; an approved investor moves to `blocked` (no subscription);
- a company or investor in any other state keeps it, and no approval can follow
  (`alerts.approval_refusal` refuses any party with a confirmed match);
- its wallet is frozen on chain: the identity is revoked in the IdentityRegistry (registrar key, at
  once), so no token can be minted or transferred to or from it, and on every security token where
  the wallet holds units `setAddressFrozen(wallet, true)` is proposed to the platform timelock (the
  tokens' agent), executed by the admin key after the delay.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction

from accounts.models import User
from compliance.attestations.services import RevocationReason, attestations_revoke_for
from compliance.audit import audit_record, status_transition
from compliance.cases.choices import AlertKind, Decision, Outcome
from compliance.cases.models import Case
from compliance.cases.services import case_close, on_alert_decided
from compliance.choices import KYC_TRANSITIONS, KycStatus
from compliance.models import InvestorProfile
from compliance.retention import retention_start
from compliance.wallets.services import linked_wallets_withdraw
from issuers.choices import KYB_TRANSITIONS, KybStatus
from issuers.models import Company
from tokens import chain
from tokens import services as token_services
from tokens.choices import ContractKind, ContractStatus
from tokens.models import ChainTransaction, Contract, Wallet
from tokens.selectors import platform_contract

logger = logging.getLogger(__name__)

# What the applicant reads: the match itself stays with compliance (the case, the audit trail).
APPLICANT_REASON = "Compliance cannot approve this due diligence. Contact the platform."

INTENT_REVOKE_IDENTITY = "sanctions_revoke_identity"
INTENT_FREEZE_WALLET = "sanctions_freeze_wallet"


@on_alert_decided(AlertKind.SCREENING_MATCH)
@on_alert_decided(AlertKind.WALLET_MATCH)
def sanctions_alert_decided(case: Case, decision: str, actor: User) -> None:
    """Clear: recorded (the party's cases are scored again on closing). Confirm: block the party."""
    hit = case.detail.get("hit", {})
    data = {"party_ref": case.detail.get("party_ref", ""), "list_id": hit.get("list_id", "")}
    if decision == Decision.CLEAR:
        audit_record(actor=actor, action="sanctions_match_cleared", obj=case, data=data)
        return
    reason = f"Confirmed sanctions match (alert #{case.pk}): {case.summary}"
    audit_record(actor=actor, action="sanctions_match_confirmed", obj=case, data=data)
    if case.company_id is not None:
        company_block(company_id=case.company_id, actor=actor, reason=reason, alert=case)
    elif case.investor_id is not None:
        investor_block(investor_id=case.investor_id, actor=actor, reason=reason, alert=case)


@transaction.atomic
def company_block(*, company_id: int, actor: User, reason: str, alert: Case) -> Company:
    """A confirmed match on a company, its director or owner, or its wallet: reject or block it."""
    from financing.choices import APPLICATION_TRANSITIONS, ApplicationStatus
    from financing.models import Application

    company = Company.objects.select_for_update(of=("self",)).select_related("wallet").get(pk=company_id)
    if company.kyb_status == KybStatus.SUBMITTED:
        company.decision_reason = APPLICANT_REASON
        company.save(update_fields=["decision_reason", "updated_at"])
        status_transition(
            company,
            to=KybStatus.REJECTED,
            transitions=KYB_TRANSITIONS,
            actor=actor,
            field="kyb_status",
            reason=reason,
        )
        case_close(subject=company, outcome=Outcome.REJECTED, actor=actor, reason=reason)
        retention_start(company=company)
    elif company.kyb_status == KybStatus.VERIFIED:
        status_transition(
            company, to=KybStatus.BLOCKED, transitions=KYB_TRANSITIONS, actor=actor, field="kyb_status",
            reason=reason,
        )  # fmt: skip
        attestations_revoke_for(
            company=company, reason=reason, code=RevocationReason.KYB_BLOCKED, actor=actor
        )
        open_applications = Application.objects.select_for_update().filter(
            company=company,
            status__in=[
                ApplicationStatus.SUBMITTED,
                ApplicationStatus.UNDER_REVIEW,
                ApplicationStatus.CHANGES_REQUESTED,
            ],
        )
        for application in open_applications:
            status_transition(
                application,
                to=ApplicationStatus.REJECTED,
                transitions=APPLICATION_TRANSITIONS,
                actor=actor,
                reason=reason,
            )
            case_close(subject=application, outcome=Outcome.REJECTED, actor=actor, reason=reason)
    if company.wallet is not None:
        wallet_freeze(wallet=company.wallet, alert=alert)
    return company


@transaction.atomic
def investor_block(*, investor_id: int, actor: User, reason: str, alert: Case) -> InvestorProfile:
    """A confirmed match on an investor (or its wallet): reject its KYC under review, or block it."""
    profile = (
        InvestorProfile.objects.select_for_update(of=("self",)).select_related("wallet").get(pk=investor_id)
    )
    if profile.kyc_status == KycStatus.SUBMITTED:
        profile.decided_by = actor
        profile.decision_reason = APPLICANT_REASON
        profile.save(update_fields=["decided_by", "decision_reason", "updated_at"])
        status_transition(
            profile,
            to=KycStatus.REJECTED,
            transitions=KYC_TRANSITIONS,
            actor=actor,
            field="kyc_status",
            reason=reason,
        )
        case_close(subject=profile, outcome=Outcome.REJECTED, actor=actor, reason=reason)
        retention_start(investor=profile)
    elif profile.kyc_status == KycStatus.APPROVED:
        status_transition(
            profile, to=KycStatus.BLOCKED, transitions=KYC_TRANSITIONS, actor=actor, field="kyc_status",
            reason=reason,
        )  # fmt: skip
        attestations_revoke_for(
            investor=profile, reason=reason, code=RevocationReason.KYC_BLOCKED, actor=actor
        )
    linked_wallets_withdraw(profile=profile, actor=actor, reason=reason)
    if profile.wallet is not None:
        wallet_freeze(wallet=profile.wallet, alert=alert)
    return profile


def wallet_freeze(*, wallet: Wallet, alert: Case) -> list[ChainTransaction]:
    """Revoke the wallet's identity (at once) and propose freezing it on every token it holds.

    What the wallet holds is read from the chain: the registry's identity, each security token's balance.
    """
    address = chain.to_checksum(wallet.address)
    recorded = []
    registry = platform_contract(ContractKind.IDENTITY_REGISTRY)
    _, _, expiry = chain.call("IdentityRegistry", str(registry.address), "identityOf", address)
    if expiry:
        recorded.append(
            token_services.contract_call(
                target=registry,
                function="revokeIdentity",
                args=[address],
                intent=INTENT_REVOKE_IDENTITY,
                key=f"sanctions:revoke:{address}:{expiry}",
                reference=f"revoke the identity of {address} (confirmed sanctions match, alert {alert.pk})",
                subject_address=address,
            )
        )
    tokens = Contract.objects.filter(
        kind=ContractKind.SECURITY_TOKEN, status=ContractStatus.DEPLOYED, chain_id=chain.chain_id()
    ).exclude(address="")
    for token in tokens.order_by("pk"):
        held = chain.call("SecurityToken", str(token.address), "balanceOf", address)
        if not held or chain.call("SecurityToken", str(token.address), "isFrozen", address):
            continue
        recorded.append(
            token_services.admin_operation_propose(
                target=token,
                function="setAddressFrozen",
                args=[address, True],
                key=f"sanctions:freeze:{token.address}:{address}",
                reference=f"freeze {address} on {token.label} (confirmed sanctions match, alert {alert.pk})",
                subject_address=address,
            )
        )
    audit_record(
        actor=None,
        action="sanctions_wallet_frozen",
        obj=alert,
        data={"wallet": address, "transactions": [tx.pk for tx in recorded]},
    )
    return recorded


def wallet_frozen(tx: ChainTransaction, receipt: dict[str, Any]) -> None:
    """The chain applied a revocation or a freeze: the chain state is the result."""
    logger.info("sanctions: %s confirmed in block %s", tx.reference, receipt.get("blockNumber"))


def wallet_freeze_failed(tx: ChainTransaction) -> None:
    """The chain refused a revocation or a freeze: operators must act (the party stays blocked here)."""
    logger.error("sanctions: %s failed: %s", tx.reference, tx.error)
