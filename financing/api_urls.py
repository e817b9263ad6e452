from django.urls import path

from financing import apis, portfolio_apis
from financing.trade import apis as trade_apis

urlpatterns = [
    path("transfers/", apis.TransferListApi.as_view(), name="api-transfers"),
    path("transfers/<int:transfer_id>/accept/", apis.TransferAcceptApi.as_view(), name="api-transfer-accept"),
    path("transfers/<int:transfer_id>/cancel/", apis.TransferCancelApi.as_view(), name="api-transfer-cancel"),
    path(
        "allotments/<int:allotment_id>/retry/",
        apis.AllotmentRetryApi.as_view(),
        name="api-allotment-retry",
    ),
    path(
        "allotments/<int:allotment_id>/write-off/",
        apis.AllotmentWriteOffApi.as_view(),
        name="api-allotment-write-off",
    ),
    path("applications/", apis.ApplicationListApi.as_view(), name="api-applications"),
    path("applications/<int:application_id>/", apis.ApplicationDetailApi.as_view(), name="api-application"),
    path(
        "applications/<int:application_id>/trade-documents/",
        trade_apis.TradeDocumentListApi.as_view(),
        name="api-trade-documents",
    ),
    path(
        "trade-documents/<int:document_id>/",
        trade_apis.TradeDocumentDetailApi.as_view(),
        name="api-trade-document",
    ),
    path(
        "applications/<int:application_id>/submit/",
        apis.ApplicationSubmitApi.as_view(),
        name="api-application-submit",
    ),
    path(
        "applications/<int:application_id>/withdraw/",
        apis.ApplicationWithdrawApi.as_view(),
        name="api-application-withdraw",
    ),
    path(
        "applications/<int:application_id>/review/",
        apis.ApplicationStartReviewApi.as_view(),
        name="api-application-review",
    ),
    path(
        "applications/<int:application_id>/decision/",
        apis.ApplicationDecisionApi.as_view(),
        name="api-application-decision",
    ),
    path("offerings/", apis.OfferingListApi.as_view(), name="api-offerings"),
    path("offerings/<int:offering_id>/", apis.OfferingDetailApi.as_view(), name="api-offering"),
    path(
        "offerings/<int:offering_id>/allotments/",
        apis.OfferingAllotmentListApi.as_view(),
        name="api-offering-allotments",
    ),
    path("offerings/<int:offering_id>/open/", apis.OfferingOpenApi.as_view(), name="api-offering-open"),
    path("offerings/<int:offering_id>/close/", apis.OfferingCloseApi.as_view(), name="api-offering-close"),
    path("offerings/<int:offering_id>/cancel/", apis.OfferingCancelApi.as_view(), name="api-offering-cancel"),
    path(
        "offerings/<int:offering_id>/arranger/",
        apis.OfferingArrangerApi.as_view(),
        name="api-offering-arranger",
    ),
    path(
        "offerings/<int:offering_id>/subscriptions/",
        apis.SubscriptionCreateApi.as_view(),
        name="api-offering-subscribe",
    ),
    path(
        "offerings/<int:offering_id>/payments/",
        apis.OfferingPaymentListApi.as_view(),
        name="api-offering-payments",
    ),
    path(
        "offerings/<int:offering_id>/dividends/",
        apis.OfferingDividendApi.as_view(),
        name="api-offering-dividends",
    ),
    path(
        "offering-payments/<int:payment_id>/fund/",
        apis.OfferingPaymentFundApi.as_view(),
        name="api-offering-payment-fund",
    ),
    path("portfolio/", apis.PortfolioApi.as_view(), name="api-portfolio"),
    path("portfolio/history/", apis.PortfolioHistoryApi.as_view(), name="api-portfolio-history"),
    path(
        "portfolio/transactions/",
        portfolio_apis.PortfolioTransactionsApi.as_view(),
        name="api-portfolio-transactions",
    ),
    path("schedules/preview/", apis.SchedulePreviewApi.as_view(), name="api-schedule-preview"),
    path("subscriptions/", apis.SubscriptionListApi.as_view(), name="api-subscriptions"),
    path(
        "offering-documents/<int:document_id>/",
        apis.OfferingDocumentApi.as_view(),
        name="api-offering-document",
    ),
    path(
        "subscriptions/<int:subscription_id>/withdraw/",
        apis.SubscriptionWithdrawApi.as_view(),
        name="api-subscription-withdraw",
    ),
]
