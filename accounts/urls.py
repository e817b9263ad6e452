from django.contrib.auth.views import LogoutView
from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("signup/", views.signup, name="signup"),
    path("check-email/", views.check_email, name="check_email"),
    path("confirm/resend/", views.confirmation_resend, name="confirmation_resend"),
    path("confirm/<str:token>/", views.confirm, name="confirm"),
    path("login/", views.login_page, name="login"),
    path("logout/", LogoutView.as_view(), name="logout"),
    path("language/", views.language_set, name="language"),
    path("profile/", views.profile, name="profile"),
    path("profile/api-keys/", views.api_key_create_page, name="api_key_create"),
    path("profile/api-keys/<int:pk>/revoke/", views.api_key_revoke_page, name="api_key_revoke"),
]
