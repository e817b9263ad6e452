from django.urls import path

from tokens import views

app_name = "tokens"

urlpatterns = [
    path("", views.chain_status, name="chain_status"),
    path("operations/", views.token_operations, name="operations"),
    path("operations/<int:pk>/approve/", views.token_operation_approve, name="operation_approve"),
    path("operations/<int:pk>/reject/", views.token_operation_reject, name="operation_reject"),
]
