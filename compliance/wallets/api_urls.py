from django.urls import path

from compliance.wallets import apis

urlpatterns = [
    path("", apis.WalletListApi.as_view(), name="api-wallets"),
    path("siwe/nonce/", apis.SiweNonceApi.as_view(), name="api-wallet-siwe-nonce"),
    path("link/", apis.WalletLinkApi.as_view(), name="api-wallet-link"),
    path("<int:wallet_id>/unlink/", apis.WalletUnlinkApi.as_view(), name="api-wallet-unlink"),
    path("<int:wallet_id>/receive/", apis.WalletReceiveApi.as_view(), name="api-wallet-receive"),
]
