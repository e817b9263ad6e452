from django.urls import path

from financing import views

app_name = "financing"

urlpatterns = [
    path("investor/", views.investor_dashboard, name="investor_dashboard"),
]
