"""An investor whose on-chain set-up fails is not stranded: compliance sees why and retries."""

import pytest

from accounts.choices import Role
from accounts.tests.factories import UserFactory
from compliance import services
from compliance.models import InvestorProfile
from compliance.services import investor_chain_setup_retry, investor_kyc_decide
from config.errors import Conflict
from tests import flows
from tokens import chain as tokens_chain
from tokens.choices import ContractKind, WalletKind
from tokens.selectors import platform_contract, platform_wallet


def test_a_failed_identity_registration_is_explained_and_can_be_retried(platform, chain, monkeypatch):
    officer = UserFactory(role=Role.OFFICER)
    profile = flows.submitted_investor()
    registry = tokens_chain.contract(
        "IdentityRegistry", platform_contract(ContractKind.IDENTITY_REGISTRY).address
    )
    operator = platform_wallet(WalletKind.REGISTRAR).address
    chain.provider.make_request("anvil_impersonateAccount", [operator])
    original_write = services._identity_write

    def register_after_a_clash(profile, *, key):
        # Something else registered the wallet first, so the platform's registration is refused.
        registry.functions.registerIdentity(profile.wallet.address, 344, 1, 2**40).transact(
            {"from": operator}
        )
        return original_write(profile, key=key)

    monkeypatch.setattr(services, "_identity_write", register_after_a_clash)
    investor_kyc_decide(actor=officer, profile=profile, approve=True)
    monkeypatch.undo()
    profile = InvestorProfile.objects.get(pk=profile.pk)
    assert not profile.can_subscribe
    assert "already registered" in profile.chain_setup_error

    registry.functions.revokeIdentity(profile.wallet.address).transact(
        {"from": operator}
    )  # the cause is fixed
    investor_chain_setup_retry(actor=officer, profile_id=profile.pk)

    profile = InvestorProfile.objects.get(pk=profile.pk)
    assert profile.can_subscribe
    assert profile.chain_setup_error == ""
    with pytest.raises(Conflict):
        investor_chain_setup_retry(actor=officer, profile_id=profile.pk)
