"""The notifications API: your notifications a page at a time, mark one read, mark all read."""

from __future__ import annotations

from typing import cast

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import Notification, User
from accounts.notifications import (
    notification_mark_read,
    notifications_mark_all_read,
    notifications_of,
    unread_count,
)
from config.api import ListPageInput, list_page, page_output
from config.schema import refusals


class NotificationOutput(serializers.ModelSerializer):
    """One notification: what happened, where to see it, and whether it was read."""

    class Meta:
        model = Notification
        fields = ["id", "kind", "title", "body", "link", "created_at", "read_at"]


class NotificationsInput(ListPageInput):
    unread = serializers.BooleanField(required=False, default=False, help_text="Only the unread ones.")


class NotificationsReadAllOutput(serializers.Serializer):
    marked = serializers.IntegerField(help_text="How many notifications were unread and are now read.")
    unread = serializers.IntegerField(help_text="Unread notifications left (0).")


def _user(request: Request) -> User:
    return cast(User, request.user)


class NotificationListApi(APIView):
    """Your notifications, newest first (`unread=true`: only the unread ones); nobody else's."""

    @extend_schema(
        operation_id="v1_notifications_list",
        parameters=[NotificationsInput],
        responses={200: page_output(NotificationOutput), **refusals(400)},
    )
    def get(self, request: Request) -> Response:
        query = NotificationsInput(data=request.query_params)
        query.is_valid(raise_exception=True)
        rows = notifications_of(_user(request))
        if query.validated_data["unread"]:
            rows = rows.filter(read_at__isnull=True)
        response = list_page(request, rows, NotificationOutput)
        response["X-Unread-Count"] = str(unread_count(_user(request)))
        return response


class NotificationReadApi(APIView):
    """Mark one of your notifications read (again is harmless); someone else's answers 404."""

    @extend_schema(request=None, responses={200: NotificationOutput, **refusals(404)})
    def post(self, request: Request, notification_id: int) -> Response:
        notification = notification_mark_read(user=_user(request), notification_id=notification_id)
        return Response(NotificationOutput(notification).data)


class NotificationsReadAllApi(APIView):
    """Mark every one of your notifications read."""

    @extend_schema(request=None, responses={200: NotificationsReadAllOutput, **refusals()})
    def post(self, request: Request) -> Response:
        marked = notifications_mark_all_read(user=_user(request))
        return Response({"marked": marked, "unread": 0})
