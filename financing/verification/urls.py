"""The public verification page (no log-in) and its example data files."""

from django.urls import path

from financing.verification import views

app_name = "verification"

urlpatterns = [
    path("", views.verify, name="verify"),
    path("example/<str:kind>.json", views.example, name="example"),
]
