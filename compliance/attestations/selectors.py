"""Reads of attestations, limited to what the caller may see."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from accounts.choices import COMPLIANCE_ROLES, STAFF_ROLES
from accounts.models import User
from compliance.choices import KycStatus
from compliance.models import Attestation, InvestorProfile
from compliance.wallets.choices import LinkedWalletStatus
from compliance.wallets.selectors import current_linked_wallets_of


def attestation_wallets(user: User) -> list[str]:
    """The wallets an investor may have attested once due diligence is approved: the custodial wallet,
    then the self-custody wallets linked by signature and registered on chain (the one place that says
    which wallets are the investor's for an attestation).
    """
    profile = InvestorProfile.objects.filter(user=user).select_related("wallet").first()
    if profile is None or profile.kyc_status != KycStatus.APPROVED or profile.wallet is None:
        return []
    linked = current_linked_wallets_of(user).filter(status=LinkedWalletStatus.REGISTERED)
    return [
        str(profile.wallet.address),
        *(str(address) for address in linked.values_list("address", flat=True)),
    ]


def attestations_visible_to(user: User) -> QuerySet[Attestation]:
    """A holder sees the attestations of their company or investor profile; staff see all."""
    found = Attestation.objects.select_related("company", "investor", "revocation_tx")
    if user.role in STAFF_ROLES:
        return found
    return found.filter(Q(company__representative=user) | Q(investor__user=user))


def attestation_for(user: User, attestation_id: int) -> Attestation | None:
    """One attestation the user may see, or None."""
    return attestations_visible_to(user).filter(pk=attestation_id).first()


def may_revoke(user: User) -> bool:
    """Compliance staff revoke attestations (operators only read them)."""
    return user.role in COMPLIANCE_ROLES


def attestation_document(attestation: Attestation) -> dict:
    """The downloadable file: `{domain, types, primaryType, message, signature}`, as signed."""
    typed = attestation.typed_data
    return {
        "domain": typed["domain"],
        "types": typed["types"],
        "primaryType": typed["primaryType"],
        "message": typed["message"],
        "signature": attestation.signature,
    }
