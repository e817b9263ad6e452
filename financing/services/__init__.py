"""Writes of financing, by sub-domain: applications, offerings, token set-up, subscriptions, settlement.

The package re-exports the public services and the chain intents they record.
"""

from financing.allotment import allot_pro_rata
from financing.services.applications import (
    application_decide,
    application_save,
    application_start_review,
    application_submit,
    application_withdraw,
)
from financing.services.common import (
    INTENT_CONFIGURE_SECURITY_TOKEN,
    INTENT_DEPLOY_SECURITY_TOKEN,
    INTENT_FUND_SUBSCRIPTION,
    INTENT_REFUND,
    INTENT_REGISTER_OFFERING,
    INTENT_SETTLE_ALLOTMENT,
    INTENT_SETTLE_BATCH,
    INTENT_TRANSFER_UNITS,
)
from financing.services.documents import offering_document_open, offering_document_upload
from financing.services.offerings import (
    offering_arranger_replace,
    offering_cancel,
    offering_close,
    offering_open,
    offering_subscriptions_pause,
    offerings_close_due,
    offerings_settle_stalled,
)
from financing.services.settlement import (
    allotment_retry,
    allotment_write_off,
    allotments_settled,
    allotments_settlement_failed,
    offering_settle,
    offering_settlement_finish,
)
from financing.services.subscriptions import (
    subscription_create,
    subscription_funded,
    subscription_funding_failed,
    subscription_withdraw,
    subscriptions_refund_failed,
    subscriptions_refunded,
)
from financing.services.token_setup import (
    offering_registered,
    security_token_configured,
    security_token_deployed,
    security_token_failed,
)
from financing.services.transfers import (
    investor_by_reference,
    investor_reference,
    transfer_accept,
    transfer_cancel,
    transfer_create,
    transfer_delivered,
    transfer_delivery_failed,
    transfer_to_own_wallet,
    transfers_expire,
)

__all__ = [
    "INTENT_CONFIGURE_SECURITY_TOKEN",
    "INTENT_DEPLOY_SECURITY_TOKEN",
    "INTENT_FUND_SUBSCRIPTION",
    "INTENT_REFUND",
    "INTENT_REGISTER_OFFERING",
    "INTENT_SETTLE_ALLOTMENT",
    "INTENT_SETTLE_BATCH",
    "INTENT_TRANSFER_UNITS",
    "allot_pro_rata",
    "allotment_retry",
    "allotment_write_off",
    "allotments_settled",
    "allotments_settlement_failed",
    "application_decide",
    "application_save",
    "application_start_review",
    "application_submit",
    "application_withdraw",
    "investor_by_reference",
    "investor_reference",
    "offering_arranger_replace",
    "offering_cancel",
    "offering_close",
    "offering_document_open",
    "offering_document_upload",
    "offering_open",
    "offering_registered",
    "offering_settle",
    "offering_settlement_finish",
    "offering_subscriptions_pause",
    "offerings_close_due",
    "offerings_settle_stalled",
    "security_token_configured",
    "security_token_deployed",
    "security_token_failed",
    "subscription_create",
    "subscription_funded",
    "subscription_funding_failed",
    "subscription_withdraw",
    "subscriptions_refund_failed",
    "subscriptions_refunded",
    "transfer_accept",
    "transfer_cancel",
    "transfer_create",
    "transfer_delivered",
    "transfer_delivery_failed",
    "transfer_to_own_wallet",
    "transfers_expire",
]
