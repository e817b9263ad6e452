from django.urls import path

from tokens import views

app_name = "tokens"

urlpatterns = [
    path("", views.chain_status, name="chain_status"),
    path("payment-tokens/", views.payment_tokens, name="payment_tokens"),
    path("payment-tokens/propose/", views.payment_token_propose_view, name="payment_token_propose"),
    path("payment-tokens/<int:pk>/decide/", views.payment_token_decide_view, name="payment_token_decide"),
    path("travel-rule/", views.travel_rule, name="travel_rule"),
]
