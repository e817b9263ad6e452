"""Admin of compliance: investor profiles, and the audit trail strictly read-only."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from compliance.models import AuditChainHead, AuditCheckpoint, AuditEvent, InvestorProfile


@admin.register(InvestorProfile)
class InvestorProfileAdmin(admin.ModelAdmin):
    list_display = [
        "legal_name",
        "user",
        "investor_type",
        "country",
        "is_professional",
        "kyc_status",
        "retain_until",
        "updated_at",
    ]
    list_filter = ["kyc_status", "investor_type", "is_professional"]
    search_fields = ["legal_name", "user__email", "id_document_number"]
    readonly_fields = [
        "kyc_status",
        "decided_by",
        "decision_reason",
        "wallet",
        "identity_registered_at",
        "retain_until",
        "created_at",
        "updated_at",
    ]
    raw_id_fields = ["user"]


class ReadOnlyAdmin(admin.ModelAdmin):
    """Nobody adds, changes or deletes rows here, not even a superuser."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


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
