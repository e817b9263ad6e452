from django.urls import path

from compliance import apis

urlpatterns = [
    path("compliance/queue/", apis.ReviewQueueApi.as_view(), name="api-review-queue"),
    path("kyc/", apis.MyKycApi.as_view(), name="api-my-kyc"),
    path("kyc/submit/", apis.MyKycSubmitApi.as_view(), name="api-my-kyc-submit"),
    path("kyc/documents/", apis.MyKycDocumentsApi.as_view(), name="api-my-kyc-documents"),
    path("kyc/documents/<int:document_id>/", apis.MyKycDocumentApi.as_view(), name="api-my-kyc-document"),
    path("kyc/people/", apis.MyKycPeopleApi.as_view(), name="api-my-kyc-people"),
    path("kyc/people/<int:person_id>/", apis.MyKycPersonApi.as_view(), name="api-my-kyc-person"),
    path("kyc/<int:profile_id>/revoke/", apis.KycRevokeApi.as_view(), name="api-kyc-revoke"),
    path("kyc/<int:profile_id>/decision/", apis.KycDecisionApi.as_view(), name="api-kyc-decision"),
    path("kyc/<int:profile_id>/chain-retry/", apis.KycChainRetryApi.as_view(), name="api-kyc-chain-retry"),
    path("kyb/<int:company_id>/decision/", apis.KybDecisionApi.as_view(), name="api-kyb-decision"),
    path("faucet/", apis.FaucetApi.as_view(), name="api-faucet"),
    path("compliance/screenings/", apis.ScreeningApi.as_view(), name="api-screenings"),
    path("audit/", apis.AuditListApi.as_view(), name="api-audit"),
    path("audit/verify/", apis.AuditVerifyApi.as_view(), name="api-audit-verify"),
]
