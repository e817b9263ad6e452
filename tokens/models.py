"""Wallets, deployed contracts and the chain transaction outbox."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from config.text import REASON_MAX_LENGTH, SHORT_TEXT_MAX_LENGTH, visible_text
from tokens.choices import (
    AMOUNT_OPERATIONS,
    LIVE_LISTING_STATUSES,
    OPEN_OPERATION_STATUSES,
    PLATFORM_WALLET_KINDS,
    SINGLE_PLATFORM_CONTRACT_KINDS,
    ChainTxStatus,
    ContractKind,
    ContractStatus,
    LegalBasis,
    ListingStatus,
    PaymentCurrency,
    PaymentLegKind,
    TokenOperationKind,
    TokenOperationStatus,
    WalletKind,
)


class Wallet(models.Model):
    """A key pair held by the platform (one per platform role, one per customer); only the signer uses it."""

    address = models.CharField(max_length=42, unique=True)
    kind = models.CharField(max_length=16, choices=WalletKind.choices)
    label = models.CharField(max_length=200)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="wallets"
    )
    encrypted_key = models.TextField(editable=False)
    # The next nonce this wallet will sign with; allocated under a row lock (select_for_update).
    next_nonce = models.PositiveBigIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=WalletKind.values), name="wallet_kind_valid"),
            models.UniqueConstraint(
                fields=["kind"],
                condition=Q(kind__in=PLATFORM_WALLET_KINDS),
                name="one_wallet_per_platform_role",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.label} ({self.address})"

    def __repr__(self) -> str:
        return f"<Wallet {self.pk} {self.kind} {self.address}>"


class Contract(models.Model):
    """A contract the platform deployed (or is deploying) on the configured chain, or a stablecoin it
    lists (a payment token issued by someone else is recorded deployed, at its address)."""

    kind = models.CharField(max_length=32, choices=ContractKind.choices)
    chain_id = models.PositiveBigIntegerField()
    label = models.CharField(max_length=200)
    # NULL until deployed, so that the (chain_id, address) uniqueness ignores undeployed rows.
    address = models.CharField(max_length=42, null=True, blank=True)  # noqa: DJ001
    status = models.CharField(max_length=16, choices=ContractStatus.choices, default=ContractStatus.DEPLOYING)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["chain_id", "address"], name="contract_address_unique"),
            models.UniqueConstraint(
                fields=["chain_id", "kind"],
                condition=Q(kind__in=SINGLE_PLATFORM_CONTRACT_KINDS) & ~Q(status=ContractStatus.FAILED),
                name="one_live_platform_contract_per_kind",
            ),
            models.CheckConstraint(
                condition=~Q(status=ContractStatus.DEPLOYED) | Q(address__isnull=False),
                name="deployed_contract_has_address",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.label} ({self.address or self.get_status_display()})"


class ChainTransaction(models.Model):
    """One intended chain write: recorded with the business change, then signed, sent and confirmed."""

    intent = models.CharField(max_length=64)
    idempotency_key = models.CharField(max_length=200, unique=True)
    reference = models.CharField(max_length=200, blank=True, help_text="What this write is for, for people.")
    subject_address = models.CharField(
        max_length=42, blank=True, db_index=True, help_text="The wallet this write concerns."
    )
    signer = models.ForeignKey(Wallet, on_delete=models.PROTECT, related_name="transactions")
    chain_id = models.PositiveBigIntegerField()
    to_address = models.CharField(max_length=42, blank=True, help_text="Empty for a deployment.")
    data = models.TextField(help_text="Calldata (or creation code) as 0x-hex.")
    value_wei = models.DecimalField(max_digits=78, decimal_places=0, default=0)
    contract = models.ForeignKey(
        Contract, null=True, blank=True, on_delete=models.PROTECT, related_name="transactions"
    )
    status = models.CharField(max_length=16, choices=ChainTxStatus.choices, default=ChainTxStatus.PENDING)
    nonce = models.PositiveBigIntegerField(null=True, blank=True)
    gas_limit = models.PositiveBigIntegerField(null=True, blank=True)
    gas_price = models.DecimalField(
        max_digits=78, decimal_places=0, null=True, blank=True, help_text="Wei per gas of the signature."
    )
    tx_hash = models.CharField(max_length=66, null=True, blank=True, unique=True)
    raw_tx = models.TextField(blank=True, editable=False)
    not_before = models.DateTimeField(
        null=True, blank=True, help_text="Not sent before this time (an admin operation's timelock delay)."
    )
    attempts = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    block_number = models.PositiveBigIntegerField(null=True, blank=True)
    gas_used = models.PositiveBigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["pk"]
        indexes = [models.Index(fields=["status", "updated_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=ChainTxStatus.values), name="chain_tx_status_valid"
            ),
            # A row that failed before it was mined gives its nonce up: a gap filler may take it.
            models.UniqueConstraint(
                fields=["signer", "nonce"],
                condition=Q(nonce__isnull=False) & ~Q(status=ChainTxStatus.FAILED),
                name="chain_tx_live_nonce_unique",
            ),
            models.CheckConstraint(
                condition=Q(status=ChainTxStatus.PENDING)
                | Q(status=ChainTxStatus.FAILED)
                | (Q(tx_hash__isnull=False) & Q(nonce__isnull=False)),
                name="sent_chain_tx_has_hash_and_nonce",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.intent} #{self.pk} ({self.status})"


class ChainTransactionAttempt(models.Model):
    """An earlier signature of an outbox row, replaced at a higher fee (same nonce): it may still be mined."""

    chain_transaction = models.ForeignKey(ChainTransaction, on_delete=models.CASCADE, related_name="replaced")
    tx_hash = models.CharField(max_length=66, unique=True)
    raw_tx = models.TextField(editable=False)
    gas_price = models.DecimalField(max_digits=78, decimal_places=0, null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    replaced_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.tx_hash} (replaced, #{self.chain_transaction_id})"


class OperatorAlert(models.Model):
    """Something operators must look at: money that moved on chain without a recorded intent, or a
    difference between the chain and the books (`key` names the difference, so it is raised once)."""

    kind = models.CharField(max_length=32)
    message = models.TextField()
    key = models.CharField(max_length=300, null=True, blank=True, unique=True)
    tx_hash = models.CharField(max_length=66, blank=True)
    log_index = models.PositiveIntegerField(null=True, blank=True)
    block_number = models.PositiveBigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-pk"]
        constraints = [
            models.UniqueConstraint(fields=["tx_hash", "log_index"], name="one_alert_per_chain_event"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.tx_hash}#{self.log_index}"


class ReconciliationCursor(models.Model):
    """How far (block number) the money-movement reconciliation has read the chain."""

    chain_id = models.PositiveBigIntegerField(unique=True)
    last_block = models.PositiveBigIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"chain {self.chain_id} reconciled to block {self.last_block}"


class IndexerCursor(models.Model):
    """How far one indexed stream has read the chain: the last block read, by number AND hash.

    Moved only by a conditional update from the (number, hash) a run started at, in the transaction that
    writes the events it read, so two runs never both apply a range and a restart resumes where the last
    commit left off. `head_number` is the chain head the last run saw (to tell a reader it is catching up).
    """

    stream = models.CharField(max_length=64, unique=True)
    chain_id = models.PositiveBigIntegerField()
    block_number = models.BigIntegerField(default=-1, help_text="-1 until the first block is read.")
    block_hash = models.CharField(max_length=66, blank=True)
    head_number = models.BigIntegerField(default=-1)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.stream} at block {self.block_number}"


class IndexedBlock(models.Model):
    """A recent block the indexer read (number, hash): where to find the common ancestor after a re-org."""

    cursor = models.ForeignKey(IndexerCursor, on_delete=models.CASCADE, related_name="blocks")
    number = models.BigIntegerField()
    hash = models.CharField(max_length=66)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["cursor", "number"], name="indexed_block_once")]

    def __str__(self) -> str:
        return f"block {self.number} {self.hash}"


class ChainEvent(models.Model):
    """One event of a platform contract as the indexer read it, stored once (transaction hash + log index).

    `from_address`/`to_address` are the wallets it concerns (a transfer's sender and receiver; the
    investor of a settlement, refund or funding; the wallet of a freeze or identity event); `units` are
    security-token units, `money` and `refund` payment-token base units; `kind` is what the event is in a
    wallet's transaction history (blank when another event of the same transaction says it already).
    """

    chain_id = models.PositiveBigIntegerField()
    contract_address = models.CharField(max_length=42)
    name = models.CharField(max_length=40)
    kind = models.CharField(max_length=32, blank=True)
    token_address = models.CharField(max_length=42, blank=True)
    from_address = models.CharField(max_length=42, blank=True)
    to_address = models.CharField(max_length=42, blank=True)
    units = models.DecimalField(max_digits=78, decimal_places=0, null=True, blank=True)
    money = models.DecimalField(max_digits=78, decimal_places=0, null=True, blank=True)
    refund = models.DecimalField(max_digits=78, decimal_places=0, null=True, blank=True)
    subscription_id = models.DecimalField(max_digits=78, decimal_places=0, null=True, blank=True)
    args = models.JSONField(default=dict)
    tx_hash = models.CharField(max_length=66)
    log_index = models.PositiveIntegerField()
    block_number = models.PositiveBigIntegerField()
    block_hash = models.CharField(max_length=66)

    class Meta:
        ordering = ["block_number", "log_index"]
        constraints = [
            models.UniqueConstraint(fields=["chain_id", "tx_hash", "log_index"], name="chain_event_once"),
        ]
        indexes = [
            models.Index(fields=["chain_id", "block_number"], name="chain_event_block"),
            models.Index(fields=["to_address", "block_number"], name="chain_event_to"),
            models.Index(fields=["from_address", "block_number"], name="chain_event_from"),
            models.Index(fields=["name", "token_address"], name="chain_event_name_token"),
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.tx_hash}#{self.log_index}"


class TokenHolding(models.Model):
    """Units of one security token one wallet holds, as the indexer summed the token's Transfer events.

    An index of the chain, not the register: the token contract's balances are the register of holders;
    reconciliation checks this table against the books and alerts on a difference.
    """

    chain_id = models.PositiveBigIntegerField()
    token_address = models.CharField(max_length=42)
    wallet = models.CharField(max_length=42)
    units = models.PositiveBigIntegerField(default=0)
    frozen = models.BooleanField(default=False, help_text="The whole wallet is frozen on this token.")
    frozen_units = models.PositiveBigIntegerField(default=0)
    block_number = models.PositiveBigIntegerField(help_text="The block of the last event that changed it.")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["chain_id", "token_address", "wallet"], name="one_holding_per_wallet"
            ),
        ]
        indexes = [models.Index(fields=["wallet"], name="token_holding_wallet")]

    def __str__(self) -> str:
        return f"{self.wallet} holds {self.units} of {self.token_address}"


class PaymentTokenListing(models.Model):
    """A stablecoin accepted for one currency on one chain: proposed by one staff member, approved by
    another, then allowed on the Settlement contract (through the timelock); one live listing per
    currency, so every offering in that currency settles and is serviced in the same token."""

    currency = models.CharField(max_length=3, choices=PaymentCurrency.choices)
    chain_id = models.PositiveBigIntegerField()
    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="listings")
    name = models.CharField(max_length=100, help_text="The token's name as the chain reports it.")
    symbol = models.CharField(max_length=20, help_text="The token's symbol as the chain reports it.")
    status = models.CharField(max_length=16, choices=ListingStatus.choices, default=ListingStatus.PROPOSED)
    note = models.TextField(
        blank=True, help_text="Why it is proposed (issuer, licence, reserve attestation)."
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decision_reason = models.TextField(blank=True)
    chain_transaction = models.ForeignKey(
        ChainTransaction, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["currency", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=ListingStatus.values), name="listing_status_valid"),
            models.CheckConstraint(
                condition=Q(currency__in=PaymentCurrency.values), name="listing_currency_valid"
            ),
            models.UniqueConstraint(
                fields=["chain_id", "currency"],
                condition=Q(status__in=LIVE_LISTING_STATUSES),
                name="one_live_listing_per_currency",
            ),
            models.UniqueConstraint(
                fields=["contract"],
                condition=Q(status__in=LIVE_LISTING_STATUSES),
                name="one_live_listing_per_token",
            ),
            # Four eyes: whoever proposed a listing does not decide it.
            models.CheckConstraint(
                condition=Q(decided_by__isnull=True) | ~Q(decided_by=models.F("proposed_by")),
                name="listing_decided_by_another",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.symbol} for {self.currency} ({self.get_status_display()})"


class PaymentLeg(models.Model):
    """One payment on chain as the travel rule records it: who paid whom, how much, in which transaction.

    From the threshold (HKD 8,000 or its equivalent) both sides carry full details (name, wallet,
    customer reference, address or registration number, institution); below it, names and wallets.
    """

    kind = models.CharField(max_length=32, choices=PaymentLegKind.choices)
    chain_transaction = models.ForeignKey(
        ChainTransaction, on_delete=models.PROTECT, related_name="payment_legs"
    )
    subject = models.CharField(max_length=100, help_text="What the leg pays, e.g. financing.subscription:12.")
    currency = models.CharField(max_length=3, choices=PaymentCurrency.choices)
    amount = models.DecimalField(max_digits=24, decimal_places=6)
    amount_hkd = models.DecimalField(
        max_digits=24,
        decimal_places=2,
        help_text="The HKD equivalent at the reference rate, for the threshold.",
    )
    full_details = models.BooleanField(help_text="At or above the travel-rule threshold.")
    originator_name = models.CharField(max_length=200)
    originator_wallet = models.CharField(max_length=42)
    originator_reference = models.CharField(max_length=64, blank=True)
    originator_identifier = models.CharField(max_length=300, blank=True)
    originator_institution = models.CharField(max_length=200, blank=True)
    beneficiary_name = models.CharField(max_length=200)
    beneficiary_wallet = models.CharField(max_length=42)
    beneficiary_reference = models.CharField(max_length=64, blank=True)
    beneficiary_identifier = models.CharField(max_length=300, blank=True)
    beneficiary_institution = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-pk"]
        constraints = [
            models.UniqueConstraint(fields=["chain_transaction", "kind", "subject"], name="payment_leg_once"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_leg_amount_positive"),
            models.CheckConstraint(
                condition=Q(full_details=False)
                | (
                    ~Q(originator_reference="")
                    & ~Q(originator_identifier="")
                    & ~Q(originator_institution="")
                    & ~Q(beneficiary_reference="")
                    & ~Q(beneficiary_identifier="")
                    & ~Q(beneficiary_institution="")
                ),
                name="payment_leg_full_details_complete",
            ),
        ]
        indexes = [models.Index(fields=["created_at"], name="payment_leg_created")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.currency} {self.amount} ({self.subject})"


class TokenOperation(models.Model):
    """A staff action on a security token or a wallet on it: requested, approved by a second person where
    the custody rules ask for it, carried out through the outbox, and shown to the investor concerned.

    `wallet` is the wallet acted on (the lost one of a recovery), `counterparty` the receiving wallet of a
    forced transfer or the replacement of a recovery; `token` is empty for a recovery (it covers every
    token the lost wallet holds, listed in `details`).
    """

    kind = models.CharField(max_length=20, choices=TokenOperationKind.choices)
    status = models.CharField(
        max_length=16, choices=TokenOperationStatus.choices, default=TokenOperationStatus.REQUESTED
    )
    token = models.ForeignKey(
        Contract, null=True, blank=True, on_delete=models.PROTECT, related_name="operations"
    )
    wallet = models.CharField(max_length=42, blank=True, db_index=True)
    counterparty = models.CharField(max_length=42, blank=True)
    investor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="token_operations",
        help_text="The investor whose wallet this concerns (empty for a pause or resume).",
    )
    amount = models.PositiveBigIntegerField(null=True, blank=True, help_text="Units (0 decimals).")
    reason = models.TextField(max_length=REASON_MAX_LENGTH, validators=[visible_text])
    legal_basis = models.CharField(max_length=32, choices=LegalBasis.choices, blank=True)
    legal_reference = models.CharField(
        max_length=SHORT_TEXT_MAX_LENGTH,
        blank=True,
        validators=[visible_text],
        help_text="The order's or direction's reference (case number, letter reference).",
    )
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    rejection_reason = models.TextField(max_length=REASON_MAX_LENGTH, blank=True, validators=[visible_text])
    details = models.JSONField(default=dict, blank=True, help_text="A recovery's plan (tokens, identity).")
    transactions = models.ManyToManyField(ChainTransaction, blank=True, related_name="token_operations")
    error = models.TextField(blank=True, help_text="Why the chain refused it, in plain words.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    executed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=TokenOperationKind.values), name="token_operation_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=TokenOperationStatus.values), name="token_operation_status_valid"
            ),
            # Four eyes: the approver is never the requester.
            models.CheckConstraint(
                condition=Q(approved_by__isnull=True) | ~Q(approved_by=models.F("requested_by")),
                name="token_operation_approver_not_requester",
            ),
            models.CheckConstraint(
                condition=~Q(kind__in=sorted(AMOUNT_OPERATIONS)) | Q(amount__gt=0),
                name="token_operation_amount_given",
            ),
            models.CheckConstraint(
                condition=~Q(kind=TokenOperationKind.FORCED_TRANSFER)
                | (~Q(legal_basis="") & ~Q(legal_reference="") & ~Q(counterparty="")),
                name="forced_transfer_has_legal_basis",
            ),
            models.CheckConstraint(
                condition=Q(kind=TokenOperationKind.RECOVERY) | Q(token__isnull=False),
                name="token_operation_names_token",
            ),
            # One operation at a time on a wallet of a token (or on the token itself: pause, resume).
            models.UniqueConstraint(
                fields=["token", "wallet"],
                condition=Q(status__in=list(OPEN_OPERATION_STATUSES)) & Q(token__isnull=False),
                name="one_open_operation_per_token_wallet",
            ),
            models.UniqueConstraint(
                fields=["wallet"],
                condition=Q(status__in=list(OPEN_OPERATION_STATUSES)) & Q(kind=TokenOperationKind.RECOVERY),
                name="one_open_recovery_per_wallet",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk} ({self.get_status_display()})"
