from django.urls import path

from compliance.attestations import apis

urlpatterns = [
    path("attestations/", apis.AttestationListApi.as_view(), name="api-attestations"),
    path("attestations/verify/", apis.AttestationVerifyApi.as_view(), name="api-attestation-verify"),
    path("attestations/issuer/", apis.AttestationIssuerApi.as_view(), name="api-attestation-issuer"),
    path(
        "attestations/<int:attestation_id>/download/",
        apis.AttestationDownloadApi.as_view(),
        name="api-attestation-download",
    ),
    path(
        "attestations/<int:attestation_id>/revoke/",
        apis.AttestationRevokeApi.as_view(),
        name="api-attestation-revoke",
    ),
]
