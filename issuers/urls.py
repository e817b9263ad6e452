from django.urls import path

from issuers import views

app_name = "issuers"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("profile/", views.company_edit, name="company_edit"),
    path("submit/", views.company_submit, name="company_submit"),
]
