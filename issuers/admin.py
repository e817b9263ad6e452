"""Admin of issuers: companies (KYB status moves only through compliance decisions)."""

from django.contrib import admin

from issuers.models import Company


@admin.register(Company)
class CompanyAdmin(admin.ModelAdmin):
    list_display = [
        "legal_name_en",
        "jurisdiction",
        "registration_number",
        "kyb_status",
        "representative",
        "updated_at",
    ]
    list_filter = ["kyb_status", "jurisdiction"]
    search_fields = ["legal_name_en", "legal_name_zh", "registration_number", "representative__email"]
    readonly_fields = ["kyb_status", "decision_reason", "wallet", "created_at", "updated_at"]
    raw_id_fields = ["representative"]
