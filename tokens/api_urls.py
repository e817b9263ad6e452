from django.urls import path

from tokens import apis

urlpatterns = [
    path("chain/status/", apis.ChainStatusApi.as_view(), name="api-chain-status"),
]
