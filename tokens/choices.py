"""Choices of the chain side: wallets, contracts, outbox transactions."""

from django.db import models


class WalletKind(models.TextChoices):
    """Each platform role signs with its own key; customers' custodial wallets are a separate class."""

    ADMIN = "admin", "Platform admin (deploys; executes approved admin operations)"
    REGISTRAR = "registrar", "Registrar (identities; proposes offerings)"
    SETTLER = "settler", "Settler (escrow, settlement, refunds, payouts)"
    AGENT = "agent", "Token agent (pauses; proposes forced transfers)"
    FAUCET = "faucet", "Test HKD faucet"
    INVESTOR = "investor", "Investor (custodial)"
    ISSUER = "issuer", "Issuer (custodial)"


PLATFORM_WALLET_KINDS = (
    WalletKind.ADMIN,
    WalletKind.REGISTRAR,
    WalletKind.SETTLER,
    WalletKind.AGENT,
    WalletKind.FAUCET,
)
CUSTOMER_WALLET_KINDS = (WalletKind.INVESTOR, WalletKind.ISSUER)


class ContractKind(models.TextChoices):
    IDENTITY_REGISTRY = "identity_registry", "Identity registry"
    PAYMENT_TOKEN = "payment_token", "HKD payment token"
    SETTLEMENT = "settlement", "Settlement"
    DOCUMENT_REGISTRY = "document_registry", "Document registry"
    TIMELOCK = "timelock", "Admin timelock"
    SECURITY_TOKEN = "security_token", "Security token"


PLATFORM_CONTRACT_KINDS = (
    ContractKind.IDENTITY_REGISTRY,
    ContractKind.PAYMENT_TOKEN,
    ContractKind.SETTLEMENT,
    ContractKind.DOCUMENT_REGISTRY,
    ContractKind.TIMELOCK,
)

# The Solidity contract (artifact name) behind each kind.
ARTIFACT_BY_KIND = {
    ContractKind.IDENTITY_REGISTRY: "IdentityRegistry",
    ContractKind.PAYMENT_TOKEN: "PaymentToken",
    ContractKind.SETTLEMENT: "Settlement",
    ContractKind.DOCUMENT_REGISTRY: "DocumentRegistry",
    ContractKind.TIMELOCK: "PlatformTimelock",
    ContractKind.SECURITY_TOKEN: "SecurityToken",
}


class ContractStatus(models.TextChoices):
    DEPLOYING = "deploying", "Deploying"
    DEPLOYED = "deployed", "Deployed"
    FAILED = "failed", "Failed"


class ChainTxStatus(models.TextChoices):
    PENDING = "pending", "Recorded, not yet signed"
    SENT = "sent", "Signed and sent"
    CONFIRMED = "confirmed", "Confirmed"
    FAILED = "failed", "Failed"


CHAIN_TX_TRANSITIONS = {
    ChainTxStatus.PENDING: {ChainTxStatus.SENT, ChainTxStatus.FAILED},
    ChainTxStatus.SENT: {ChainTxStatus.CONFIRMED, ChainTxStatus.FAILED},
    ChainTxStatus.CONFIRMED: set(),
    ChainTxStatus.FAILED: set(),
}
