from django.urls import path

from issuers.sharing import apis

urlpatterns = [
    path("consents/", apis.ConsentListApi.as_view(), name="api-consents"),
    path("consents/<int:consent_id>/revoke/", apis.ConsentRevokeApi.as_view(), name="api-consent-revoke"),
    path("consents/<int:consent_id>/reads/", apis.ConsentReadsApi.as_view(), name="api-consent-reads"),
    path(
        "shared/<int:consent_id>/documents/<int:document_id>/",
        apis.SharedDocumentApi.as_view(),
        name="api-shared-document",
    ),
    path(
        "shared/<int:consent_id>/<slug:dataset>/", apis.SharedDatasetApi.as_view(), name="api-shared-dataset"
    ),
]
