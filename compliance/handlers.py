"""Who signs each compliance chain write, what it may call, and which service applies the result."""

from compliance import services
from tokens import outbox
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
        services.INTENT_REVOKE_IDENTITY,
        signer=WalletKind.REGISTRAR,
        targets=(ContractKind.IDENTITY_REGISTRY,),
        functions=("revokeIdentity(address)",),
        confirmed=services.investor_identity_changed,
        failed=services.investor_chain_setup_failed,
    )
