from django.urls import include, path

from compliance import views
from issuers import transfer_views

app_name = "compliance"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("cases/<int:pk>/", views.case_page, name="case"),
    path("cases/<int:pk>/notes/", views.case_note, name="case_note"),
    path("cases/<int:pk>/assign/", views.case_assignment, name="case_assign"),
    path("documents/company/<int:pk>/", views.company_document, name="company_document"),
    path("documents/answers/<int:pk>/", views.answer_document, name="answer_document"),
    path("companies/<int:pk>/", views.kyb_review, name="kyb_review"),
    path("companies/<int:pk>/cross-border/", transfer_views.review, name="cross_border"),
    path(
        "companies/<int:pk>/cross-border/assessment/",
        transfer_views.assessment,
        name="cross_border_assessment",
    ),
    path(
        "companies/<int:pk>/cross-border/assessment/report/",
        transfer_views.assessment_document,
        name="cross_border_assessment_document",
    ),
    path("companies/<int:pk>/cross-border/filing/", transfer_views.filing, name="cross_border_filing"),
    path("investors/<int:pk>/", views.kyc_review, name="kyc_review"),
    path("investors/<int:pk>/chain-retry/", views.kyc_chain_retry, name="kyc_chain_retry"),
    path("investors/<int:pk>/revoke/", views.kyc_revoke, name="kyc_revoke"),
    path("investor-documents/<int:pk>/", views.investor_document, name="investor_document"),
    path("applications/<int:pk>/", views.application_review, name="application_review"),
    path("applications/<int:pk>/review/", views.application_start_review, name="application_start_review"),
    path("audit/", views.audit, name="audit"),
    path("audit/verify/", views.audit_verify, name="audit_verify"),
    path("audit/export.csv", views.audit_export, name="audit_export"),
    path("licences/", include("compliance.licences.urls")),
]
