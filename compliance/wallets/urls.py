from django.urls import path

from compliance.wallets import views

app_name = "wallets"

urlpatterns = [
    path("", views.wallets, name="list"),
    path("challenge/", views.wallet_challenge, name="challenge"),
    path("link/", views.wallet_link, name="link"),
    path("move/", views.wallet_move_units, name="move"),
    path("<int:pk>/unlink/", views.wallet_unlink, name="unlink"),
]
