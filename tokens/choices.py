"""Choices of the chain side: wallets, contracts, outbox transactions."""

from django.db import models


class WalletKind(models.TextChoices):
    """Each platform role signs with its own key; customers' custodial wallets are a separate class."""

    ADMIN = "admin", "Platform admin (deploys; executes approved admin operations)"
    REGISTRAR = "registrar", "Registrar (identities; proposes offerings)"
    SETTLER = "settler", "Settler (escrow, settlement, refunds, payouts)"
    AGENT = "agent", "Token agent (pauses; proposes forced transfers)"
    FAUCET = "faucet", "Test stablecoin faucet"
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
    PAYMENT_TOKEN = "payment_token", "Payment token"
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
# One live contract per chain of each of these; payment tokens are one per currency (the allowlist).
SINGLE_PLATFORM_CONTRACT_KINDS = tuple(k for k in PLATFORM_CONTRACT_KINDS if k != ContractKind.PAYMENT_TOKEN)

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


class PaymentCurrency(models.TextChoices):
    """The currencies an application may raise in, each settled in its own listed stablecoin.

    A CNY application raises renminbi offshore: it settles in a CNH (offshore renminbi) stablecoin,
    the only renminbi a Hong Kong platform can hold and pay; the code stays the application's (CNY).
    """

    HKD = "HKD", "Hong Kong dollar"
    CNY = "CNY", "Renminbi (offshore, CNH)"
    MOP = "MOP", "Macao pataca"
    USD = "USD", "US dollar"


# The test stablecoin bootstrap and the demo deploy per currency: (name, symbol).
TEST_STABLECOINS = {
    PaymentCurrency.HKD: ("HKD Stablecoin (test)", "HKDT"),
    PaymentCurrency.CNY: ("CNH Stablecoin (test)", "CNHT"),
    PaymentCurrency.MOP: ("MOP Stablecoin (test)", "MOPT"),
    PaymentCurrency.USD: ("USD Stablecoin (test)", "USDT"),
}


class ListingStatus(models.TextChoices):
    """Where a stablecoin stands on the allowlist."""

    PROPOSED = "proposed", "Waiting for a second approval"
    ALLOWING = "allowing", "Approved, being allowed on chain"
    ACTIVE = "active", "Accepted"
    REJECTED = "rejected", "Rejected"
    FAILED = "failed", "Refused on chain"


LISTING_TRANSITIONS = {
    ListingStatus.PROPOSED: {ListingStatus.ALLOWING, ListingStatus.REJECTED},
    ListingStatus.ALLOWING: {ListingStatus.ACTIVE, ListingStatus.FAILED},
    ListingStatus.ACTIVE: set(),
    ListingStatus.REJECTED: set(),
    ListingStatus.FAILED: set(),
}
# A listing in one of these holds its currency's one place: a second one is refused.
LIVE_LISTING_STATUSES = (ListingStatus.PROPOSED, ListingStatus.ALLOWING, ListingStatus.ACTIVE)


class PaymentLegKind(models.TextChoices):
    """What a payment leg recorded for the travel rule was."""

    SUBSCRIPTION_FUNDING = "subscription_funding", "Subscription paid into escrow"
    SETTLEMENT = "settlement", "Settlement payment to the issuer"
    REFUND = "refund", "Refund to the investor"
    DISTRIBUTION = "distribution", "Distribution to a holder"
    DISTRIBUTION_FUNDING = "distribution_funding", "Distribution funded by the issuer"
    TRANSFER = "transfer", "Payment between investors"


class TokenOperationKind(models.TextChoices):
    """What staff may do to a security token or a wallet on it (the token's agent and pauser powers)."""

    FREEZE = "freeze", "Freeze wallet"
    UNFREEZE = "unfreeze", "Unfreeze wallet"
    PARTIAL_FREEZE = "partial_freeze", "Freeze some units"
    PARTIAL_UNFREEZE = "partial_unfreeze", "Release frozen units"
    PAUSE = "pause", "Pause token"
    RESUME = "resume", "Resume token"
    RECOVERY = "recovery", "Recover lost wallet"
    FORCED_TRANSFER = "forced_transfer", "Forced transfer"


# A pause is an emergency brake: it moves nobody's property and one operator applies it at once.
# Everything else moves or locks an investor's units, or lifts a brake someone pulled: four eyes.
IMMEDIATE_OPERATIONS = frozenset({TokenOperationKind.PAUSE})
# Kinds that name one wallet (all but pause and resume); kinds that need a number of units.
WALLET_OPERATIONS = frozenset(set(TokenOperationKind) - {TokenOperationKind.PAUSE, TokenOperationKind.RESUME})
AMOUNT_OPERATIONS = frozenset(
    {
        TokenOperationKind.PARTIAL_FREEZE,
        TokenOperationKind.PARTIAL_UNFREEZE,
        TokenOperationKind.FORCED_TRANSFER,
    }
)


class LegalBasis(models.TextChoices):
    """Why a forced transfer may take units without their holder's consent."""

    COURT_ORDER = "court_order", "Court order"
    REGULATOR_DIRECTION = "regulator_direction", "Direction of a regulator (e.g. the SFC)"
    ERROR_CORRECTION = "error_correction", "Correction of an error by the platform"
    INSOLVENCY = "insolvency", "Instruction of a liquidator, trustee in bankruptcy or receiver"
    SUCCESSION = "succession", "Succession (grant of probate or letters of administration)"


class TokenOperationStatus(models.TextChoices):
    REQUESTED = "requested", "Awaiting a second approval"
    APPROVED = "approved", "Approved"
    SUBMITTED = "submitted", "Sent to the chain"
    EXECUTED = "executed", "Done on chain"
    REJECTED = "rejected", "Rejected"
    FAILED = "failed", "Failed on chain"


TOKEN_OPERATION_TRANSITIONS = {
    TokenOperationStatus.REQUESTED: {
        TokenOperationStatus.APPROVED,
        TokenOperationStatus.REJECTED,
        TokenOperationStatus.SUBMITTED,  # a pause: no second approval
    },
    TokenOperationStatus.APPROVED: {TokenOperationStatus.SUBMITTED, TokenOperationStatus.FAILED},
    TokenOperationStatus.SUBMITTED: {TokenOperationStatus.EXECUTED, TokenOperationStatus.FAILED},
    TokenOperationStatus.EXECUTED: set(),
    TokenOperationStatus.REJECTED: set(),
    TokenOperationStatus.FAILED: set(),
}
OPEN_OPERATION_STATUSES = (
    TokenOperationStatus.REQUESTED,
    TokenOperationStatus.APPROVED,
    TokenOperationStatus.SUBMITTED,
)
