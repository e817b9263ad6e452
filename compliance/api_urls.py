from django.urls import include, path

from compliance import apis
from compliance.cases import apis as case_apis
from compliance.licences import apis as licence_apis

urlpatterns = [
    path("wallets/", include("compliance.wallets.api_urls")),
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
    path("compliance/cases/", case_apis.CaseListApi.as_view(), name="api-cases"),
    path("compliance/cases/<int:case_id>/", case_apis.CaseDetailApi.as_view(), name="api-case"),
    path(
        "compliance/cases/<int:case_id>/decision/",
        case_apis.CaseDecisionApi.as_view(),
        name="api-case-decision",
    ),
    path("compliance/cases/<int:case_id>/assign/", case_apis.CaseAssignApi.as_view(), name="api-case-assign"),
    path("compliance/cases/<int:case_id>/notes/", case_apis.CaseNoteApi.as_view(), name="api-case-notes"),
    path("compliance/alerts/", case_apis.AlertListApi.as_view(), name="api-alerts"),
    path("compliance/conflicts/", case_apis.ConflictDeclareApi.as_view(), name="api-conflicts"),
    path(
        "information-requests/",
        case_apis.MyInformationRequestsApi.as_view(),
        name="api-information-requests",
    ),
    path(
        "information-requests/<int:request_id>/answer/",
        case_apis.InformationRequestAnswerApi.as_view(),
        name="api-information-request-answer",
    ),
    path(
        "information-requests/<int:request_id>/documents/",
        case_apis.InformationRequestDocumentApi.as_view(),
        name="api-information-request-documents",
    ),
    path(
        "information-requests/documents/<int:answer_document_id>/",
        case_apis.AnswerDocumentApi.as_view(),
        name="api-answer-document",
    ),
    path("", include("compliance.attestations.api_urls")),
]
