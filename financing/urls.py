from django.urls import path

from financing import document_views, issuer_views, portfolio_views, views

app_name = "financing"

urlpatterns = [
    path("applications/new/", views.application_new, name="application_new"),
    path("applications/preview/", views.schedule_preview, name="schedule_preview"),
    path("applications/<int:pk>/", views.application_detail, name="application_detail"),
    path("applications/<int:pk>/edit/", views.application_edit, name="application_edit"),
    path("applications/<int:pk>/submit/", views.application_submit, name="application_submit"),
    path("applications/<int:pk>/withdraw/", views.application_withdraw, name="application_withdraw"),
    path("investor/", views.investor_dashboard, name="investor_dashboard"),
    path("investor/kyc/", views.investor_kyc, name="investor_kyc"),
    path("investor/kyc/submit/", views.investor_kyc_send, name="investor_kyc_submit"),
    path("investor/kyc/people/", views.investor_person_add, name="investor_person_add"),
    path("investor/kyc/people/<int:pk>/remove/", views.investor_person_remove, name="investor_person_remove"),
    path("investor/kyc/documents/", views.investor_document_upload, name="investor_document_upload"),
    path(
        "investor/kyc/documents/<int:pk>/remove/",
        views.investor_document_remove,
        name="investor_document_remove",
    ),
    path("investor/kyc/documents/<int:pk>/", views.investor_document_download, name="investor_document"),
    path("investor/faucet/", views.investor_faucet, name="investor_faucet"),
    path(
        "investor/transactions/",
        portfolio_views.investor_transactions_page,
        name="investor_transactions",
    ),
    path("investor/holdings/<int:pk>/transfer/", views.holding_transfer, name="holding_transfer"),
    path("transfers/", views.transfers, name="transfers"),
    path("transfers/<int:pk>/accept/", views.transfer_accept, name="transfer_accept"),
    path("transfers/<int:pk>/cancel/", views.transfer_cancel, name="transfer_cancel"),
    path("offerings/", views.offering_list, name="offering_list"),
    path("offerings/manage/", views.offering_manage, name="offering_manage"),
    path("offerings/<int:pk>/", views.offering_detail, name="offering_detail"),
    path("offerings/<int:pk>/subscribe/", views.offering_subscribe, name="offering_subscribe"),
    path("offerings/<int:pk>/open/", views.offering_open, name="offering_open"),
    path("offerings/<int:pk>/cancel/", views.offering_cancel, name="offering_cancel"),
    path("offerings/<int:pk>/close/", views.offering_close, name="offering_close"),
    path("offerings/<int:pk>/progress/", views.offering_progress, name="offering_progress"),
    path("offerings/<int:pk>/dashboard/", issuer_views.offering_dashboard, name="offering_dashboard"),
    path("offerings/<int:pk>/register.csv", issuer_views.offering_register_csv, name="offering_register_csv"),
    path("offerings/<int:pk>/calendar.csv", issuer_views.offering_calendar_csv, name="offering_calendar_csv"),
    path("offerings/<int:pk>/dividends/", views.dividend_declare, name="dividend_declare"),
    path("payments/<int:pk>/fund/", views.payment_fund, name="payment_fund"),
    path("subscriptions/<int:pk>/withdraw/", views.subscription_withdraw, name="subscription_withdraw"),
    path("allotments/<int:pk>/retry/", views.allotment_retry, name="allotment_retry"),
    path("allotments/<int:pk>/write-off/", views.allotment_write_off, name="allotment_write_off"),
    path(
        "allotments/<int:pk>/confirmation.pdf",
        document_views.allotment_confirmation_pdf,
        name="allotment_confirmation_pdf",
    ),
    path(
        "allotments/<int:pk>/contract-note.pdf",
        document_views.allotment_contract_note_pdf,
        name="allotment_contract_note_pdf",
    ),
    path(
        "investor/statements/<slug:kind>.<slug:fmt>",
        document_views.investor_statement,
        name="investor_statement",
    ),
    path(
        "applications/<int:pk>/schedule.<slug:fmt>",
        document_views.application_schedule_document,
        name="application_schedule_document",
    ),
    path(
        "offerings/<int:pk>/schedule.<slug:fmt>",
        document_views.offering_schedule_document,
        name="offering_schedule_document",
    ),
]
