from django.urls import path

from accounts import apis, notification_apis

urlpatterns = [
    path("auth/csrf/", apis.CsrfTokenApi.as_view(), name="api-csrf"),
    path("auth/signup/", apis.SignupApi.as_view(), name="api-signup"),
    path("auth/confirm/", apis.ConfirmApi.as_view(), name="api-confirm"),
    path("auth/confirm/resend/", apis.ConfirmationResendApi.as_view(), name="api-confirmation-resend"),
    path("auth/login/", apis.LoginApi.as_view(), name="api-login"),
    path("auth/logout/", apis.LogoutApi.as_view(), name="api-logout"),
    path("auth/me/", apis.MeApi.as_view(), name="api-me"),
    path("auth/keys/", apis.ApiKeyListApi.as_view(), name="api-keys"),
    path("auth/keys/<int:key_id>/revoke/", apis.ApiKeyRevokeApi.as_view(), name="api-key-revoke"),
]

urlpatterns += [
    path("notifications/", notification_apis.NotificationListApi.as_view(), name="api-notifications"),
    path(
        "notifications/read-all/",
        notification_apis.NotificationsReadAllApi.as_view(),
        name="api-notifications-read-all",
    ),
    path(
        "notifications/<int:notification_id>/read/",
        notification_apis.NotificationReadApi.as_view(),
        name="api-notification-read",
    ),
]
