"""The applicant's pages: a request for information from compliance, answered with text and documents."""

from django.urls import path

from compliance import views

app_name = "requests"

urlpatterns = [
    path("<int:pk>/", views.information_request, name="detail"),
    path("<int:pk>/documents/", views.information_request_document, name="document_add"),
    path(
        "<int:pk>/documents/<int:document_id>/remove/",
        views.information_request_document_remove,
        name="document_remove",
    ),
]
