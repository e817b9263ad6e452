"""Admin of compliance: investor profiles; the audit trail and sanctions screening strictly read-only."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from compliance.models import (
    AnswerDocument,
    Attestation,
    AuditChainHead,
    AuditCheckpoint,
    AuditEvent,
    Case,
    CaseNote,
    ConflictDeclaration,
    InformationRequest,
    Intermediary,
    InvestorDocument,
    InvestorPerson,
    InvestorProfile,
    Licence,
    SanctionsEntry,
    SanctionsList,
    SanctionsName,
    SanctionsWallet,
    Screening,
    ScreeningRun,
)
from compliance.wallets.models import LinkedWallet, SiweNonce
from config.admin import ReadOnlyAdmin


class InvestorPersonInline(admin.TabularInline):
    model = InvestorPerson
    extra = 0
    readonly_fields = ["retain_until", "created_at"]


class InvestorDocumentInline(admin.TabularInline):
    """Evidence files are the investor's; the admin shows them, never edits them."""

    model = InvestorDocument
    extra = 0
    fields = [
        "kind",
        "evidence_type",
        "document_date",
        "original_name",
        "sha256",
        "uploaded_at",
        "submitted_at",
    ]
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(InvestorPerson)
class InvestorPersonAdmin(admin.ModelAdmin):
    list_display = [
        "full_name",
        "profile",
        "nationality",
        "is_director",
        "is_beneficial_owner",
        "ownership_percent",
    ]
    search_fields = ["full_name", "profile__legal_name"]
    raw_id_fields = ["profile"]


@admin.register(InvestorProfile)
class InvestorProfileAdmin(admin.ModelAdmin):
    inlines = [InvestorPersonInline, InvestorDocumentInline]
    list_display = [
        "legal_name",
        "user",
        "investor_type",
        "country",
        "claims_professional",
        "is_professional",
        "pi_valid_until",
        "kyc_valid_until",
        "kyc_status",
        "retain_until",
        "updated_at",
    ]
    list_filter = ["kyc_status", "investor_type", "is_professional"]
    search_fields = ["legal_name", "user__email", "id_document_number"]
    readonly_fields = [
        "kyc_status",
        "is_professional",
        "pi_valid_until",
        "kyc_valid_until",
        "decided_by",
        "decision_reason",
        "wallet",
        "identity_registered_at",
        "retain_until",
        "created_at",
        "updated_at",
    ]
    raw_id_fields = ["user"]


@admin.register(InvestorDocument)
class InvestorDocumentAdmin(ReadOnlyAdmin):
    """Evidence files come from the investor with their fingerprint; the admin never edits them."""

    list_display = ["original_name", "profile", "kind", "evidence_type", "document_date", "uploaded_at"]
    list_filter = ["kind", "evidence_type"]
    search_fields = ["original_name", "sha256", "profile__legal_name"]


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = [
        "pk",
        "occurred_at",
        "actor",
        "action",
        "object_type",
        "object_id",
        "from_status",
        "to_status",
    ]
    list_filter = ["object_type", "action"]
    search_fields = ["object_type", "object_id", "action", "reason", "hash"]
    date_hierarchy = "occurred_at"


@admin.register(AuditChainHead)
class AuditChainHeadAdmin(ReadOnlyAdmin):
    list_display = ["pk", "last_hash"]


@admin.register(AuditCheckpoint)
class AuditCheckpointAdmin(ReadOnlyAdmin):
    list_display = ["last_event_id", "verified_at", "full_verified_at", "broken_at"]


@admin.register(SanctionsList)
class SanctionsListAdmin(ReadOnlyAdmin):
    list_display = ["pk", "source", "name", "imported_at", "entry_count", "alias_count", "wallet_count"]


@admin.register(SanctionsEntry)
class SanctionsEntryAdmin(ReadOnlyAdmin):
    list_display = ["list_id", "name", "entry_type", "program", "sanctions_list"]
    list_filter = ["entry_type", "sanctions_list"]
    search_fields = ["list_id", "name"]


@admin.register(SanctionsName)
class SanctionsNameAdmin(ReadOnlyAdmin):
    list_display = ["name", "is_alias", "tokens", "entry"]
    search_fields = ["name", "tokens"]
    list_select_related = ["entry"]


@admin.register(SanctionsWallet)
class SanctionsWalletAdmin(ReadOnlyAdmin):
    list_display = ["address", "currency", "entry", "sanctions_list"]
    search_fields = ["address_key"]
    list_select_related = ["entry", "sanctions_list"]


@admin.register(ScreeningRun)
class ScreeningRunAdmin(ReadOnlyAdmin):
    list_display = ["pk", "sanctions_list", "status", "done", "total", "hits", "started_at", "finished_at"]
    list_filter = ["status"]


@admin.register(Screening)
class ScreeningAdmin(ReadOnlyAdmin):
    list_display = ["pk", "created_at", "actor", "subject", "name", "wallet_address", "decision", "run"]
    list_filter = ["decision", "subject"]
    search_fields = ["name", "wallet_address", "party_ref"]


# Cases change only through their services (four eyes): the admin shows them, never edits them.
@admin.register(Case)
class CaseAdmin(ReadOnlyAdmin):
    list_display = [
        "pk",
        "kind",
        "alert_kind",
        "status",
        "outcome",
        "risk_level",
        "risk_score",
        "assignee",
        "opened_at",
    ]
    list_filter = ["kind", "status", "risk_level", "alert_kind"]
    search_fields = ["summary", "company__legal_name_en", "investor__legal_name", "application__title"]
    list_select_related = ["assignee"]


@admin.register(CaseNote)
class CaseNoteAdmin(ReadOnlyAdmin):
    list_display = ["pk", "case", "author", "created_at"]


@admin.register(InformationRequest)
class InformationRequestAdmin(ReadOnlyAdmin):
    list_display = ["pk", "case", "status", "asked_by", "asked_at", "answered_at"]
    list_filter = ["status"]


@admin.register(AnswerDocument)
class AnswerDocumentAdmin(ReadOnlyAdmin):
    list_display = ["pk", "request", "original_name", "content_type", "size", "uploaded_at"]


@admin.register(ConflictDeclaration)
class ConflictDeclarationAdmin(ReadOnlyAdmin):
    list_display = ["pk", "user", "company", "investor", "reason", "declared_at"]


# The licence register is kept on its own pages (audited); the admin only reads it.
@admin.register(Intermediary)
class IntermediaryAdmin(ReadOnlyAdmin):
    list_display = ["name", "ce_number", "roles", "updated_at"]
    search_fields = ["name", "ce_number"]


@admin.register(Licence)
class LicenceAdmin(ReadOnlyAdmin):
    list_display = ["intermediary", "kind", "activities", "pi_only", "valid_from", "valid_until"]
    list_filter = ["kind", "pi_only", "suspension"]


@admin.register(Attestation)
class AttestationAdmin(ReadOnlyAdmin):
    """Signed statements: issued and revoked only through their services (the signature covers them)."""

    list_display = ["kind", "company", "investor", "status", "issued_at", "valid_until", "revoked_at"]
    list_filter = ["kind", "status"]
    list_select_related = ["company", "investor"]
    search_fields = ["digest", "company__legal_name_en", "investor__legal_name"]


@admin.register(LinkedWallet)
class LinkedWalletAdmin(ReadOnlyAdmin):
    """Self-custody wallets proven by signature; linked, registered and unlinked through their services."""

    list_display = ["address", "investor", "status", "registered_at", "unlinked_at"]
    list_filter = ["status"]
    list_select_related = ["investor"]
    search_fields = ["address", "investor__legal_name"]


@admin.register(SiweNonce)
class SiweNonceAdmin(ReadOnlyAdmin):
    """Sign-in nonces, stored only as hashes; each used once."""

    list_display = ["user", "address", "issued_at", "expires_at", "used_at"]
    list_select_related = ["user"]
