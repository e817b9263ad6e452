from django.urls import path

from compliance.licences import views

app_name = "licences"

urlpatterns = [
    path("", views.register, name="register"),
    path("intermediaries/new/", views.intermediary_edit, name="intermediary_new"),
    path("intermediaries/<int:pk>/", views.intermediary_edit, name="intermediary_edit"),
    path("new/", views.licence_edit, name="licence_new"),
    path("<int:pk>/", views.licence_edit, name="licence_edit"),
    path("<int:pk>/suspend/", views.licence_suspend, name="licence_suspend"),
    path("offerings/<int:pk>/arranger/", views.offering_arranger, name="offering_arranger"),
]
