"""The public verification API (no authentication)."""

from django.urls import path

from financing.verification import apis

urlpatterns = [
    path("verify/", apis.VerifyApi.as_view(), name="api-verify"),
    path("verify/<str:fingerprint>/", apis.VerifyFingerprintApi.as_view(), name="api-verify-fingerprint"),
]
