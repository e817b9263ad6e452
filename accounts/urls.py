from django.contrib.auth.views import LogoutView
from django.urls import path

from accounts import notification_views, security_views, views

app_name = "accounts"

urlpatterns = [
    path("signup/", views.signup, name="signup"),
    path("check-email/", views.check_email, name="check_email"),
    path("confirm/resend/", views.confirmation_resend, name="confirmation_resend"),
    path("confirm/<str:token>/", views.confirm, name="confirm"),
    path("login/", views.login_page, name="login"),
    path("login/code/", security_views.login_code, name="login_code"),
    path("logout/", LogoutView.as_view(), name="logout"),
    path("language/", views.language_set, name="language"),
    path("profile/", views.profile, name="profile"),
    path("profile/api-keys/", views.api_key_create_page, name="api_key_create"),
    path("profile/api-keys/<int:pk>/revoke/", views.api_key_revoke_page, name="api_key_revoke"),
    # The account's security: name, email, password, two-factor authentication, sessions.
    path("profile/edit/", security_views.profile_edit, name="profile_edit"),
    path("profile/email/", security_views.email_change, name="email_change"),
    path("email/confirm/<str:token>/", security_views.email_change_confirm, name="email_change_confirm"),
    path("password/", security_views.password_change, name="password_change"),
    path("password-reset/", security_views.PasswordResetRequestView.as_view(), name="password_reset"),
    path("password-reset/sent/", security_views.PasswordResetSentView.as_view(), name="password_reset_sent"),
    path(
        "password-reset/<uidb64>/<token>/",
        security_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password-reset/complete/",
        security_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("two-factor/", security_views.two_factor_page, name="two_factor"),
    path("two-factor/setup/", security_views.two_factor_setup, name="two_factor_setup"),
    path("two-factor/backup-codes/", security_views.two_factor_backup_codes, name="two_factor_backup_codes"),
    path("two-factor/disable/", security_views.two_factor_disable, name="two_factor_disable"),
    path("sessions/", security_views.sessions_page, name="sessions"),
    path("sessions/<int:pk>/end/", security_views.session_end, name="session_end"),
    path("sessions/end-others/", security_views.sessions_end_others, name="sessions_end_others"),
]

urlpatterns += [
    path("notifications/", notification_views.notifications_page, name="notifications"),
    path("notifications/bell/", notification_views.bell, name="notifications_bell"),
    path("notifications/read-all/", notification_views.notifications_read_all, name="notifications_read_all"),
    path("notifications/<int:pk>/read/", notification_views.notification_read, name="notification_read"),
]
