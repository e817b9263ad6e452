from django.urls import path

from tokens import views

app_name = "tokens"

urlpatterns = [
    path("", views.chain_status, name="chain_status"),
    path("payment-tokens/", views.payment_tokens, name="payment_tokens"),
    path("payment-tokens/propose/", views.payment_token_propose_view, name="payment_token_propose"),
    path("payment-tokens/<int:pk>/decide/", views.payment_token_decide_view, name="payment_token_decide"),
    path("travel-rule/", views.travel_rule, name="travel_rule"),
    path("operations/", views.token_operations, name="operations"),
    path("operations/<int:pk>/approve/", views.token_operation_approve, name="operation_approve"),
    path("operations/<int:pk>/reject/", views.token_operation_reject, name="operation_reject"),
]
