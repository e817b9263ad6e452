from django.urls import path

from issuers import apis

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
]
