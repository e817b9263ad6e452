"""Choices of the chain side: wallets, contracts, outbox transactions."""

from django.db import models


class WalletKind(models.TextChoices):
    PLATFORM = "platform", "Platform operator"
    INVESTOR = "investor", "Investor (custodial)"
    ISSUER = "issuer", "Issuer (custodial)"


class ContractKind(models.TextChoices):
    IDENTITY_REGISTRY = "identity_registry", "Identity registry"
    PAYMENT_TOKEN = "payment_token", "HKD payment token"
    SETTLEMENT = "settlement", "Settlement"
    DOCUMENT_REGISTRY = "document_registry", "Document registry"
    SECURITY_TOKEN = "security_token", "Security token"


PLATFORM_CONTRACT_KINDS = (
    ContractKind.IDENTITY_REGISTRY,
    ContractKind.PAYMENT_TOKEN,
    ContractKind.SETTLEMENT,
    ContractKind.DOCUMENT_REGISTRY,
)

# The Solidity contract (artifact name) behind each kind.
ARTIFACT_BY_KIND = {
    ContractKind.IDENTITY_REGISTRY: "IdentityRegistry",
    ContractKind.PAYMENT_TOKEN: "PaymentToken",
    ContractKind.SETTLEMENT: "Settlement",
    ContractKind.DOCUMENT_REGISTRY: "DocumentRegistry",
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
