from django.urls import path

from issuers import transfer_views, views

app_name = "issuers"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("details/", views.company_edit, name="company_edit"),
    path("kyb/", views.company_kyb, name="company_kyb"),
    path("kyb/profile/", views.company_profile, name="company_profile"),
    path("kyb/people/", views.person_add, name="person_add"),
    path("kyb/people/<int:pk>/remove/", views.person_remove, name="person_remove"),
    path("kyb/documents/", views.document_upload, name="document_upload"),
    path("kyb/documents/<int:pk>/remove/", views.document_remove, name="document_remove"),
    path("documents/<int:pk>/", views.document_download, name="document_download"),
    path("submit/", views.company_submit, name="company_submit"),
    path("cross-border/", transfer_views.consents, name="cross_border"),
    path("cross-border/<int:pk>/withdraw/", transfer_views.consent_withdraw, name="cross_border_withdraw"),
]
