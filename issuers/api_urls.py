from django.urls import path

from issuers import apis, transfer_apis

urlpatterns = [
    path("company/", apis.MyCompanyApi.as_view(), name="api-my-company"),
    path("company/profile/", apis.MyCompanyProfileApi.as_view(), name="api-my-company-profile"),
    path("company/people/", apis.MyCompanyPeopleApi.as_view(), name="api-my-company-people"),
    path("company/people/<int:person_id>/", apis.MyCompanyPersonApi.as_view(), name="api-my-company-person"),
    path("company/documents/", apis.MyCompanyDocumentsApi.as_view(), name="api-my-company-documents"),
    path(
        "company/documents/<int:document_id>/",
        apis.MyCompanyDocumentApi.as_view(),
        name="api-my-company-document",
    ),
    path("company/submit/", apis.MyCompanySubmitApi.as_view(), name="api-my-company-submit"),
    path("company/cross-border/", transfer_apis.MyCrossBorderApi.as_view(), name="api-my-cross-border"),
    path(
        "company/cross-border/consents/",
        transfer_apis.MyTransferConsentsApi.as_view(),
        name="api-my-transfer-consents",
    ),
    path(
        "company/cross-border/consents/<int:person_id>/",
        transfer_apis.MyTransferConsentApi.as_view(),
        name="api-my-transfer-consent",
    ),
    path(
        "compliance/companies/<int:company_id>/cross-border/",
        transfer_apis.CompanyCrossBorderApi.as_view(),
        name="api-company-cross-border",
    ),
    path(
        "compliance/companies/<int:company_id>/cross-border/assessment/",
        transfer_apis.CompanyAssessmentApi.as_view(),
        name="api-company-cross-border-assessment",
    ),
    path(
        "compliance/companies/<int:company_id>/cross-border/filing/",
        transfer_apis.CompanyFilingApi.as_view(),
        name="api-company-cross-border-filing",
    ),
]
