"""Admin of issuers: companies, their people and KYB documents (KYB status moves only through compliance)."""

from django.contrib import admin

from issuers.models import Company, Document, Person


class PersonInline(admin.TabularInline):
    model = Person
    extra = 0
    readonly_fields = ["retain_until"]


class DocumentInline(admin.TabularInline):
    model = Document
    extra = 0
    fields = [
        "kind",
        "original_name",
        "content_type",
        "size",
        "sha256",
        "uploaded_by",
        "uploaded_at",
        "retain_until",
    ]
    readonly_fields = fields
    can_delete = False


@admin.register(Company)
class CompanyAdmin(admin.ModelAdmin):
    list_display = [
        "legal_name_en",
        "jurisdiction",
        "registration_number",
        "industry",
        "kyb_status",
        "representative",
        "updated_at",
    ]
    list_filter = ["kyb_status", "jurisdiction", "industry", "srdi_tier"]
    search_fields = ["legal_name_en", "legal_name_zh", "registration_number", "representative__email"]
    readonly_fields = [
        "kyb_status",
        "registration_check",
        "decision_reason",
        "wallet",
        "created_at",
        "updated_at",
    ]
    raw_id_fields = ["representative"]
    inlines = [PersonInline, DocumentInline]


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = [
        "full_name",
        "company",
        "nationality",
        "is_director",
        "is_beneficial_owner",
        "ownership_percent",
        "retain_until",
    ]
    list_filter = ["is_director", "is_beneficial_owner"]
    search_fields = ["full_name", "company__legal_name_en"]
    raw_id_fields = ["company"]
    readonly_fields = ["retain_until"]


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    list_display = ["original_name", "kind", "company", "size", "sha256", "uploaded_at", "retain_until"]
    list_filter = ["kind"]
    search_fields = ["original_name", "sha256", "company__legal_name_en"]
    readonly_fields = [
        "company",
        "kind",
        "file",
        "original_name",
        "content_type",
        "size",
        "sha256",
        "uploaded_by",
        "uploaded_at",
        "retain_until",
    ]
