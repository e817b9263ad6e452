from django.urls import path

from tokens import apis

urlpatterns = [
    path("chain/status/", apis.ChainStatusApi.as_view(), name="api-chain-status"),
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
