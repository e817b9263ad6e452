"""Choices of the chain side: wallets, contracts, outbox transactions."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class WalletKind(models.TextChoices):
    """Each platform role signs with its own key; customers' custodial wallets are a separate class."""

    ADMIN = "admin", _("Platform admin (deploys; executes approved admin operations)")
    REGISTRAR = "registrar", _("Registrar (identities; proposes offerings)")
    SETTLER = "settler", _("Settler (escrow, settlement, refunds, payouts)")
    AGENT = "agent", _("Token agent (pauses; proposes forced transfers)")
    FAUCET = "faucet", _("Test stablecoin faucet")
    ATTESTER = "attester", _("Attester (signs attestations; revokes them on chain)")
    INVESTOR = "investor", _("Investor (custodial)")
    ISSUER = "issuer", _("Issuer (custodial)")


PLATFORM_WALLET_KINDS = (
    WalletKind.ADMIN,
    WalletKind.REGISTRAR,
    WalletKind.SETTLER,
    WalletKind.AGENT,
    WalletKind.FAUCET,
    WalletKind.ATTESTER,
)
CUSTOMER_WALLET_KINDS = (WalletKind.INVESTOR, WalletKind.ISSUER)


class ContractKind(models.TextChoices):
    IDENTITY_REGISTRY = "identity_registry", _("Identity registry")
    PAYMENT_TOKEN = "payment_token", _("Payment token")
    SETTLEMENT = "settlement", _("Settlement")
    DOCUMENT_REGISTRY = "document_registry", _("Document registry")
    TIMELOCK = "timelock", _("Admin timelock")
    SECURITY_TOKEN = "security_token", _("Security token")
    ATTESTATION_REGISTRY = "attestation_registry", _("Attestation registry")


PLATFORM_CONTRACT_KINDS = (
    ContractKind.IDENTITY_REGISTRY,
    ContractKind.PAYMENT_TOKEN,
    ContractKind.SETTLEMENT,
    ContractKind.DOCUMENT_REGISTRY,
    ContractKind.TIMELOCK,
    ContractKind.ATTESTATION_REGISTRY,
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
    ContractKind.ATTESTATION_REGISTRY: "AttestationRegistry",
}


class ContractStatus(models.TextChoices):
    DEPLOYING = "deploying", _("Deploying")
    DEPLOYED = "deployed", _("Deployed")
    FAILED = "failed", _("Failed")


class ChainTxStatus(models.TextChoices):
    PENDING = "pending", _("Recorded, not yet signed")
    SENT = "sent", _("Signed and sent")
    CONFIRMED = "confirmed", _("Confirmed")
    FAILED = "failed", _("Failed")


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

    HKD = "HKD", _("Hong Kong dollar")
    CNY = "CNY", _("Renminbi (offshore, CNH)")
    MOP = "MOP", _("Macao pataca")
    USD = "USD", _("US dollar")


# The test stablecoin bootstrap and the demo deploy per currency: (name, symbol).
TEST_STABLECOINS = {
    PaymentCurrency.HKD: ("HKD Stablecoin (test)", "HKDT"),
    PaymentCurrency.CNY: ("CNH Stablecoin (test)", "CNHT"),
    PaymentCurrency.MOP: ("MOP Stablecoin (test)", "MOPT"),
    PaymentCurrency.USD: ("USD Stablecoin (test)", "USDT"),
}


class ListingStatus(models.TextChoices):
    """Where a stablecoin stands on the allowlist."""

    PROPOSED = "proposed", _("Waiting for a second approval")
    ALLOWING = "allowing", _("Approved, being allowed on chain")
    ACTIVE = "active", _("Accepted")
    REJECTED = "rejected", _("Rejected")
    FAILED = "failed", _("Refused on chain")


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

    SUBSCRIPTION_FUNDING = "subscription_funding", _("Subscription paid into escrow")
    SETTLEMENT = "settlement", _("Settlement payment to the issuer")
    REFUND = "refund", _("Refund to the investor")
    DISTRIBUTION = "distribution", _("Distribution to a holder")
    DISTRIBUTION_FUNDING = "distribution_funding", _("Distribution funded by the issuer")
    TRANSFER = "transfer", _("Payment between investors")


class TokenOperationKind(models.TextChoices):
    """What staff may do to a security token or a wallet on it (the token's agent and pauser powers)."""

    FREEZE = "freeze", _("Freeze wallet")
    UNFREEZE = "unfreeze", _("Unfreeze wallet")
    PARTIAL_FREEZE = "partial_freeze", _("Freeze some units")
    PARTIAL_UNFREEZE = "partial_unfreeze", _("Release frozen units")
    PAUSE = "pause", _("Pause token")
    RESUME = "resume", _("Resume token")
    RECOVERY = "recovery", _("Recover lost wallet")
    FORCED_TRANSFER = "forced_transfer", _("Forced transfer")


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

    COURT_ORDER = "court_order", _("Court order")
    REGULATOR_DIRECTION = "regulator_direction", _("Direction of a regulator (e.g. the SFC)")
    ERROR_CORRECTION = "error_correction", _("Correction of an error by the platform")
    INSOLVENCY = "insolvency", _("Instruction of a liquidator, trustee in bankruptcy or receiver")
    SUCCESSION = "succession", _("Succession (grant of probate or letters of administration)")


class TokenOperationStatus(models.TextChoices):
    REQUESTED = "requested", _("Awaiting a second approval")
    APPROVED = "approved", _("Approved")
    SUBMITTED = "submitted", _("Sent to the chain")
    EXECUTED = "executed", _("Done on chain")
    REJECTED = "rejected", _("Rejected")
    FAILED = "failed", _("Failed on chain")


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
