from django.urls import path

from compliance import apis
from compliance.licences import apis as licence_apis

urlpatterns = [
    path("compliance/queue/", apis.ReviewQueueApi.as_view(), name="api-review-queue"),
    path("kyc/", apis.MyKycApi.as_view(), name="api-my-kyc"),
    path("kyc/<int:profile_id>/decision/", apis.KycDecisionApi.as_view(), name="api-kyc-decision"),
    path("kyc/<int:profile_id>/chain-retry/", apis.KycChainRetryApi.as_view(), name="api-kyc-chain-retry"),
    path("kyb/<int:company_id>/decision/", apis.KybDecisionApi.as_view(), name="api-kyb-decision"),
    path("faucet/", apis.FaucetApi.as_view(), name="api-faucet"),
    path("compliance/screenings/", apis.ScreeningApi.as_view(), name="api-screenings"),
    path("audit/", apis.AuditListApi.as_view(), name="api-audit"),
    path("audit/verify/", apis.AuditVerifyApi.as_view(), name="api-audit-verify"),
    path("compliance/intermediaries/", licence_apis.IntermediaryListApi.as_view(), name="api-intermediaries"),
    path(
        "compliance/intermediaries/<int:intermediary_id>/",
        licence_apis.IntermediaryDetailApi.as_view(),
        name="api-intermediary",
    ),
    path("compliance/licences/", licence_apis.LicenceListApi.as_view(), name="api-licences"),
    path(
        "compliance/licences/<int:licence_id>/", licence_apis.LicenceDetailApi.as_view(), name="api-licence"
    ),
    path(
        "compliance/licences/<int:licence_id>/suspend/",
        licence_apis.LicenceSuspendApi.as_view(),
        name="api-licence-suspend",
    ),
]
