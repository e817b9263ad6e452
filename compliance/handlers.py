"""Who signs each compliance chain write, what it may call, and which service applies the result."""

from compliance import services
from compliance.attestations import services as attestation_services
from compliance.screening import blocking
from compliance.wallets import services as wallet_services
from tokens import outbox
from tokens import services as token_services
from tokens.choices import ContractKind, WalletKind


def register() -> None:
    outbox.register_intent(
        services.INTENT_REGISTER_IDENTITY,
        signer=WalletKind.REGISTRAR,
        targets=(ContractKind.IDENTITY_REGISTRY,),
        functions=("registerIdentity(address,uint16,uint8,uint64)",),
        confirmed=services.investor_identity_registered,
        failed=services.investor_chain_setup_failed,
    )
    outbox.register_intent(
        services.INTENT_UPDATE_IDENTITY,
        signer=WalletKind.REGISTRAR,
        targets=(ContractKind.IDENTITY_REGISTRY,),
        functions=("updateIdentity(address,uint16,uint8,uint64)",),
        confirmed=services.investor_identity_changed,
        failed=services.investor_chain_setup_failed,
    )
    outbox.register_intent(
        services.INTENT_REVOKE_INVESTOR_IDENTITY,
        signer=WalletKind.REGISTRAR,
        targets=(ContractKind.IDENTITY_REGISTRY,),
        functions=("revokeIdentity(address)",),
        confirmed=services.investor_identity_changed,
        failed=services.investor_chain_setup_failed,
    )
    # Self-custody wallets linked by Sign-In with Ethereum: registered and revoked like the custodial one.
    outbox.register_intent(
        wallet_services.INTENT_LINK_WALLET,
        signer=WalletKind.REGISTRAR,
        targets=(ContractKind.IDENTITY_REGISTRY,),
        functions=("registerIdentity(address,uint16,uint8,uint64)",),
        confirmed=wallet_services.linked_wallet_registered,
        failed=wallet_services.linked_wallet_registration_failed,
    )
    outbox.register_intent(
        wallet_services.INTENT_UNLINK_WALLET,
        signer=WalletKind.REGISTRAR,
        targets=(ContractKind.IDENTITY_REGISTRY,),
        functions=("revokeIdentity(address)",),
        confirmed=wallet_services.linked_wallet_revoked,
        failed=wallet_services.linked_wallet_revoke_failed,
    )
    # A confirmed sanctions match: the registrar revokes the wallet's identity at once; freezing it on
    # each token it holds is the tokens' agent's power, held by the timelock (admin key executes).
    outbox.register_intent(
        blocking.INTENT_REVOKE_IDENTITY,
        signer=WalletKind.REGISTRAR,
        targets=(ContractKind.IDENTITY_REGISTRY,),
        functions=("revokeIdentity(address)",),
        confirmed=blocking.wallet_frozen,
        failed=blocking.wallet_freeze_failed,
    )
    token_services.register_admin_operation(
        target=ContractKind.SECURITY_TOKEN,
        function="setAddressFrozen",
        intent=blocking.INTENT_FREEZE_WALLET,
        confirmed=blocking.wallet_frozen,
        failed=blocking.wallet_freeze_failed,
    )
    # A revoked attestation is recorded in the AttestationRegistry by the attester key that signed it.
    outbox.register_intent(
        attestation_services.INTENT_REVOKE_ATTESTATION,
        signer=WalletKind.ATTESTER,
        targets=(ContractKind.ATTESTATION_REGISTRY,),
        functions=("revoke(bytes32,bytes32)",),
        confirmed=attestation_services.attestation_revoked_on_chain,
        failed=attestation_services.attestation_revocation_failed,
    )
