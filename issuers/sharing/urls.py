from django.urls import path

from issuers.sharing import views

app_name = "sharing"

urlpatterns = [
    path("", views.consents, name="consents"),
    path("<int:pk>/", views.consent_detail, name="consent"),
    path("<int:pk>/revoke/", views.consent_revoke, name="consent_revoke"),
    path("reads/", views.read_log, name="read_log"),
    path("shared/", views.shared_list, name="shared_list"),
    path("shared/<int:pk>/documents/<int:document_id>/", views.shared_document, name="shared_document"),
    path("shared/<int:pk>/<slug:dataset>/", views.shared_dataset, name="shared_dataset"),
]
