from django.urls import path

from tokens import apis

urlpatterns = [
    path("chain/status/", apis.ChainStatusApi.as_view(), name="api-chain-status"),
    path("payment-tokens/", apis.PaymentTokenListApi.as_view(), name="api-payment-tokens"),
    path(
        "payment-tokens/<int:listing_id>/decision/",
        apis.PaymentTokenDecisionApi.as_view(),
        name="api-payment-token-decision",
    ),
    path("compliance/payment-legs/", apis.PaymentLegListApi.as_view(), name="api-payment-legs"),
    path("token-operations/", apis.TokenOperationListApi.as_view(), name="api-token-operations"),
    path(
        "token-operations/<int:operation_id>/approve/",
        apis.TokenOperationApproveApi.as_view(),
        name="api-token-operation-approve",
    ),
    path(
        "token-operations/<int:operation_id>/reject/",
        apis.TokenOperationRejectApi.as_view(),
        name="api-token-operation-reject",
    ),
]
