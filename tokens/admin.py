"""Admin of the chain side. Never shows a wallet's encrypted key or a transaction's signed bytes."""

from django.contrib import admin

from config.admin import ReadOnlyAdmin
from tokens.models import (
    ChainEvent,
    ChainTransaction,
    ChainTransactionAttempt,
    Contract,
    IndexedBlock,
    IndexerCursor,
    OperatorAlert,
    PaymentLeg,
    PaymentTokenListing,
    ReconciliationCursor,
    TokenHolding,
    TokenOperation,
    Wallet,
)


@admin.register(Wallet)
class WalletAdmin(admin.ModelAdmin):
    list_display = ["address", "kind", "label", "owner", "next_nonce", "created_at"]
    list_filter = ["kind"]
    search_fields = ["address", "label", "owner__email"]
    exclude = ["encrypted_key"]
    readonly_fields = ["address", "kind", "next_nonce", "created_at"]
    raw_id_fields = ["owner"]


@admin.register(Contract)
class ContractAdmin(admin.ModelAdmin):
    list_display = ["label", "kind", "chain_id", "address", "status", "created_at"]
    list_filter = ["kind", "status", "chain_id"]
    search_fields = ["label", "address"]
    readonly_fields = ["kind", "chain_id", "address", "status", "created_at", "updated_at"]


class ReplacedSignatureInline(admin.TabularInline):
    """Earlier signatures of a row, replaced at a higher fee (same nonce); one of them may be mined."""

    model = ChainTransactionAttempt
    fields = ["tx_hash", "gas_price", "sent_at", "replaced_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False


@admin.register(ChainTransaction)
class ChainTransactionAdmin(admin.ModelAdmin):
    list_display = [
        "pk",
        "intent",
        "reference",
        "status",
        "nonce",
        "tx_hash",
        "block_number",
        "attempts",
        "updated_at",
    ]
    list_filter = ["status", "intent"]
    search_fields = ["idempotency_key", "reference", "tx_hash", "to_address", "replaced__tx_hash"]
    exclude = ["raw_tx"]
    inlines = [ReplacedSignatureInline]
    readonly_fields = [
        "intent",
        "idempotency_key",
        "reference",
        "signer",
        "chain_id",
        "to_address",
        "data",
        "value_wei",
        "contract",
        "status",
        "nonce",
        "gas_limit",
        "gas_price",
        "tx_hash",
        "attempts",
        "error",
        "block_number",
        "gas_used",
        "created_at",
        "updated_at",
        "sent_at",
        "confirmed_at",
    ]

    def has_add_permission(self, request) -> bool:  # type: ignore[no-untyped-def]
        return False  # writes go through the outbox, never by hand


@admin.register(ChainTransactionAttempt)
class ChainTransactionAttemptAdmin(admin.ModelAdmin):
    list_display = ["tx_hash", "chain_transaction", "gas_price", "sent_at", "replaced_at"]
    search_fields = ["tx_hash", "chain_transaction__tx_hash"]
    exclude = ["raw_tx"]
    readonly_fields = ["chain_transaction", "tx_hash", "gas_price", "sent_at", "replaced_at"]

    def has_add_permission(self, request) -> bool:  # type: ignore[no-untyped-def]
        return False  # recorded by the outbox when it replaces a signature

    def has_delete_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False


@admin.register(OperatorAlert)
class OperatorAlertAdmin(admin.ModelAdmin):
    list_display = ["created_at", "kind", "tx_hash", "block_number", "acknowledged_at"]
    list_filter = ["kind"]
    search_fields = ["tx_hash", "message"]
    readonly_fields = ["kind", "message", "key", "tx_hash", "log_index", "block_number", "created_at"]


@admin.register(ReconciliationCursor)
class ReconciliationCursorAdmin(admin.ModelAdmin):
    list_display = ["chain_id", "last_block", "updated_at"]
    readonly_fields = ["chain_id", "last_block", "updated_at"]


@admin.register(IndexerCursor)
class IndexerCursorAdmin(ReadOnlyAdmin):
    list_display = ["stream", "chain_id", "block_number", "head_number", "block_hash", "updated_at"]


@admin.register(IndexedBlock)
class IndexedBlockAdmin(ReadOnlyAdmin):
    list_display = ["number", "hash", "cursor"]


@admin.register(ChainEvent)
class ChainEventAdmin(ReadOnlyAdmin):
    list_display = [
        "block_number",
        "log_index",
        "name",
        "kind",
        "token_address",
        "from_address",
        "to_address",
    ]
    list_filter = ["name", "kind"]
    search_fields = ["tx_hash", "from_address", "to_address", "token_address"]


@admin.register(TokenHolding)
class TokenHoldingAdmin(ReadOnlyAdmin):
    list_display = ["wallet", "token_address", "units", "frozen", "frozen_units", "block_number"]
    search_fields = ["wallet", "token_address"]


@admin.register(PaymentTokenListing)
class PaymentTokenListingAdmin(ReadOnlyAdmin):
    list_display = ["currency", "symbol", "contract", "status", "proposed_by", "decided_by", "decided_at"]
    list_filter = ["currency", "status", "chain_id"]
    list_select_related = ["contract", "proposed_by", "decided_by"]


@admin.register(PaymentLeg)
class PaymentLegAdmin(ReadOnlyAdmin):
    list_display = [
        "created_at",
        "kind",
        "currency",
        "amount",
        "full_details",
        "originator_name",
        "beneficiary_name",
    ]
    list_filter = ["kind", "currency", "full_details"]
    search_fields = [
        "originator_name",
        "beneficiary_name",
        "originator_wallet",
        "beneficiary_wallet",
        "subject",
    ]


@admin.register(TokenOperation)
class TokenOperationAdmin(ReadOnlyAdmin):
    """Read only: operations are requested and decided on the token operations page (four eyes, audited)."""

    list_display = [
        "pk",
        "kind",
        "status",
        "token",
        "wallet",
        "amount",
        "requested_by",
        "approved_by",
        "created_at",
    ]
    list_filter = ["kind", "status"]
    search_fields = ["wallet", "counterparty", "reason", "legal_reference"]
    list_select_related = ["token", "requested_by", "approved_by"]
