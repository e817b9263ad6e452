from django.urls import path

from compliance.attestations import views

app_name = "attestations"

urlpatterns = [
    path("", views.attestation_list, name="list"),
    path("issue/", views.attestation_issue, name="issue"),
    path("verify/", views.attestation_verify_page, name="verify"),
    path("<int:pk>/download/", views.attestation_download, name="download"),
    path("<int:pk>/revoke/", views.attestation_revoke, name="revoke"),
]
