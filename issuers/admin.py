"""Admin of issuers: companies, their people and KYB documents (KYB status moves only through compliance)."""

from django.contrib import admin

from config.admin import ReadOnlyAdmin
from issuers.models import Company, CrossBorderTransfer, Document, Person, TransferConsent
from issuers.sharing.models import DataAccessLog, DataConsent


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


@admin.register(CrossBorderTransfer)
class CrossBorderTransferAdmin(ReadOnlyAdmin):
    """The impact assessment and standard-contract filing of a company's cross-border personal data."""

    list_display = [
        "company",
        "direction",
        "pia_conclusion",
        "pia_assessed_on",
        "filing_reference",
        "filed_on",
    ]
    list_select_related = ["company"]
    search_fields = ["company__legal_name_en", "filing_reference"]


@admin.register(TransferConsent)
class TransferConsentAdmin(ReadOnlyAdmin):
    """A person's separate consent to a cross-border transfer, recorded with the text's fingerprint."""

    list_display = ["person", "consented_on", "text_version", "recorded_at", "withdrawn_at"]
    list_select_related = ["person"]


@admin.register(DataConsent)
class DataConsentAdmin(ReadOnlyAdmin):
    """Consents to share company data: granted and revoked by the company only."""

    list_display = ["company", "recipient", "purpose", "valid_from", "valid_until", "revoked_at"]
    list_select_related = ["company", "recipient"]
    search_fields = ["company__legal_name_en", "recipient__email"]


@admin.register(DataAccessLog)
class DataAccessLogAdmin(ReadOnlyAdmin):
    """Every shared read, as the company sees it."""

    list_display = ["read_at", "company", "reader", "dataset", "object_label", "via", "people_withheld"]
    list_filter = ["dataset", "via"]
    list_select_related = ["company", "reader"]
