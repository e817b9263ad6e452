from django.urls import include, path

from compliance import views

app_name = "compliance"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("companies/<int:pk>/", views.kyb_review, name="kyb_review"),
    path("investors/<int:pk>/", views.kyc_review, name="kyc_review"),
    path("investors/<int:pk>/chain-retry/", views.kyc_chain_retry, name="kyc_chain_retry"),
    path("applications/<int:pk>/", views.application_review, name="application_review"),
    path("applications/<int:pk>/review/", views.application_start_review, name="application_start_review"),
    path("audit/", views.audit, name="audit"),
    path("audit/verify/", views.audit_verify, name="audit_verify"),
    path("audit/export.csv", views.audit_export, name="audit_export"),
    path("licences/", include("compliance.licences.urls")),
]
