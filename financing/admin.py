"""Admin of financing. Statuses are read-only here: only the services move them (and audit the move)."""

from django.contrib import admin

from config.admin import ReadOnlyAdmin
from financing.models import (
    Allotment,
    Application,
    Offering,
    OfferingCloseRetry,
    OfferingDocument,
    OfferingDocumentOpen,
    OfferingPayment,
    PaymentHolder,
    Subscription,
    SubscriptionAcceptance,
    Terms,
    TradeDocument,
    Transfer,
    UnitRedemption,
)


class TermsInline(admin.StackedInline):
    model = Terms
    extra = 0
    can_delete = False


@admin.register(Application)
class ApplicationAdmin(admin.ModelAdmin):
    list_display = ["reference", "title", "company", "instrument", "currency", "target_amount", "status"]
    list_filter = ["status", "instrument", "currency"]
    search_fields = ["reference", "title", "company__legal_name_en"]
    readonly_fields = ["status", "decision_reason", "reviewed_by", "submitted_at", "created_at", "updated_at"]
    raw_id_fields = ["company"]
    inlines = [TermsInline]


@admin.register(Terms)
class TermsAdmin(admin.ModelAdmin):
    list_display = ["application", "unit_price", "annual_rate", "frequency", "start_date", "maturity_date"]
    raw_id_fields = ["application"]


@admin.register(Offering)
class OfferingAdmin(admin.ModelAdmin):
    list_display = ["__str__", "status", "unit_price", "units_offered", "units_subscribed", "closes_at"]
    list_filter = ["status", "professional_investors_only"]
    search_fields = ["reference", "application__title"]
    readonly_fields = [
        "status",
        "cancelled_by",
        "cancellation_reason",
        "cancelled_at",
        "units_subscribed",
        "token",
        "opened_at",
        "closed_at",
        "created_at",
        "updated_at",
    ]
    raw_id_fields = ["application"]


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    list_display = ["pk", "offering", "investor", "units", "amount", "status", "created_at"]
    list_filter = ["status"]
    search_fields = ["investor__email", "offering__application__title"]
    readonly_fields = ["status", "created_at", "updated_at"]
    raw_id_fields = ["offering", "investor"]


@admin.register(Allotment)
class AllotmentAdmin(admin.ModelAdmin):
    list_display = ["pk", "offering", "subscription", "units", "amount", "status", "settled_at"]
    list_filter = ["status"]
    readonly_fields = [
        "status",
        "failure_reason",
        "chain_transaction",
        "settled_at",
        "created_at",
        "updated_at",
    ]
    raw_id_fields = ["offering", "subscription"]


@admin.register(OfferingCloseRetry)
class OfferingCloseRetryAdmin(admin.ModelAdmin):
    list_display = ["offering", "attempts", "last_failed_at", "next_attempt_at"]
    readonly_fields = ["offering", "attempts", "last_failed_at", "last_error"]


@admin.register(OfferingPayment)
class OfferingPaymentAdmin(ReadOnlyAdmin):
    """The payment calendar: the servicing services move it (funding, record date, payouts)."""

    list_display = ["offering", "sequence", "kind", "due_date", "amount", "currency", "status"]
    list_filter = ["status", "kind", "currency"]
    list_select_related = ["offering__application"]


@admin.register(PaymentHolder)
class PaymentHolderAdmin(ReadOnlyAdmin):
    list_display = ["payment", "wallet", "units", "amount_base_units"]
    search_fields = ["wallet"]
    list_select_related = ["payment__offering__application"]


@admin.register(UnitRedemption)
class UnitRedemptionAdmin(ReadOnlyAdmin):
    list_display = ["offering", "wallet", "units", "redeemed_at"]
    search_fields = ["wallet"]
    list_select_related = ["offering__application"]


@admin.register(Transfer)
class TransferAdmin(ReadOnlyAdmin):
    """Transfers between investors: both parties' decisions, made on their pages."""

    list_display = ["pk", "offering", "seller", "buyer", "units", "price", "status", "created_at"]
    list_filter = ["status"]
    list_select_related = ["offering__application", "seller", "buyer"]


@admin.register(OfferingDocument)
class OfferingDocumentAdmin(ReadOnlyAdmin):
    """Documents investors relied on: attached through the offering page, never edited."""

    list_display = ["title", "offering", "kind", "version", "sha256", "uploaded_by", "uploaded_at"]
    list_filter = ["kind"]
    search_fields = ["title", "offering__application__title", "sha256"]


@admin.register(SubscriptionAcceptance)
class SubscriptionAcceptanceAdmin(ReadOnlyAdmin):
    """What each investor accepted and read when subscribing (versions, fingerprints, times)."""

    list_display = ["subscription", "kind", "title", "version", "sha256", "language", "accepted_at"]
    list_filter = ["kind", "version"]
    search_fields = ["subscription__investor__email", "sha256"]


@admin.register(OfferingDocumentOpen)
class OfferingDocumentOpenAdmin(ReadOnlyAdmin):
    """When each investor first opened each document version (what a subscription requires)."""

    list_display = ["document", "investor", "opened_at"]
    list_select_related = ["document", "investor"]
    search_fields = ["investor__email", "document__title"]


@admin.register(TradeDocument)
class TradeDocumentAdmin(ReadOnlyAdmin):
    """Financed invoices and bills of lading: their fingerprints are on chain, so never edited here."""

    list_display = ["fingerprint", "kind", "application", "face_value", "currency", "status", "registered_at"]
    list_filter = ["kind", "status"]
    list_select_related = ["application"]
    search_fields = ["fingerprint", "application__title"]
