from django.urls import path

from issuers import apis

urlpatterns = [
    path("company/", apis.MyCompanyApi.as_view(), name="api-my-company"),
    path("company/submit/", apis.MyCompanySubmitApi.as_view(), name="api-my-company-submit"),
]
