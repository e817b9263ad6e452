"""Account endpoints: CSRF token, sign up and confirm, log in, log out, who am I, API keys."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import logout
from django.middleware.csrf import get_token
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.authentication import ApiKeyAuthentication
from accounts.choices import SELF_SIGNUP_ROLES
from accounts.models import ApiKey
from accounts.selectors import api_keys_of
from accounts.services import (
    api_key_create,
    api_key_revoke,
    user_confirmation_resend,
    user_email_confirm,
    user_login,
    user_signup,
)
from config import api_fields
from config.api import ListPageInput, list_page, page_output
from config.schema import refusals
from config.text import NAME_MAX_LENGTH, SHORT_TEXT_MAX_LENGTH

SIGNUP_ANSWER = (
    "Thank you. We sent an email to this address: follow its link to confirm the address and log in."
)
RESEND_ANSWER = "If this address has an account waiting for confirmation, we sent it a new link."


class AnonymousApi(APIView):
    """An endpoint for visitors that demands the CSRF token, as the pages do.

    DRF checks CSRF only for signed-in sessions, which would leave log-in and sign-up open to forms
    posted from other sites.
    """

    permission_classes = [AllowAny]

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        SessionAuthentication().enforce_csrf(request)


class UserOutput(serializers.Serializer):
    id = serializers.IntegerField()
    email = serializers.EmailField()
    full_name = serializers.CharField()
    role = serializers.CharField()


class MessageOutput(serializers.Serializer):
    detail = serializers.CharField()


class CsrfTokenApi(APIView):
    """Set the CSRF cookie and return its token, to send back as the X-CSRFToken header."""

    authentication_classes: list[type] = []
    permission_classes = [AllowAny]

    class CsrfOutput(serializers.Serializer):
        csrf_token = serializers.CharField()

    @extend_schema(responses={200: CsrfOutput, **refusals()})
    def get(self, request: Request) -> Response:
        return Response({"csrf_token": get_token(request._request)})


class SignupApi(AnonymousApi):
    """Start an SME or investor sign-up: the same 202 whether or not the address has an account."""

    class SignupInput(serializers.Serializer):
        email = serializers.EmailField()
        password = serializers.CharField(write_only=True)
        full_name = api_fields.CharField(max_length=NAME_MAX_LENGTH)
        role = serializers.ChoiceField(choices=[role.value for role in SELF_SIGNUP_ROLES])

    @extend_schema(request=SignupInput, responses={202: MessageOutput, **refusals(400, 413, 415)})
    def post(self, request: Request) -> Response:
        data = self.SignupInput(data=request.data)
        data.is_valid(raise_exception=True)
        user_signup(**data.validated_data, site_url=request.build_absolute_uri("/"))
        return Response({"detail": SIGNUP_ANSWER}, status=status.HTTP_202_ACCEPTED)


class ConfirmApi(AnonymousApi):
    """Confirm the email address with the token from the emailed link, and start a session."""

    class ConfirmInput(serializers.Serializer):
        token = api_fields.CharField(max_length=500)

    @extend_schema(request=ConfirmInput, responses={200: UserOutput, **refusals(400, 413, 415)})
    def post(self, request: Request) -> Response:
        data = self.ConfirmInput(data=request.data)
        data.is_valid(raise_exception=True)
        user = user_email_confirm(request=request._request, token=data.validated_data["token"])
        return Response(UserOutput(user).data)


class ConfirmationResendApi(AnonymousApi):
    """Ask for a new confirmation link: the same 202 whatever the address."""

    class ResendInput(serializers.Serializer):
        email = serializers.EmailField()

    @extend_schema(request=ResendInput, responses={202: MessageOutput, **refusals(400, 413, 415)})
    def post(self, request: Request) -> Response:
        data = self.ResendInput(data=request.data)
        data.is_valid(raise_exception=True)
        user_confirmation_resend(email=data.validated_data["email"], site_url=request.build_absolute_uri("/"))
        return Response({"detail": RESEND_ANSWER}, status=status.HTTP_202_ACCEPTED)


class LoginApi(AnonymousApi):
    """Start a session with email and password; guesses are limited per account and per address.

    An account with two-factor authentication, and every staff account, sends the current code of its
    authenticator app (or a backup code) as `otp_code` in the same request: without it the answer is
    400 (`OtpRequired`), and a staff account without an authenticator gets 403
    (`TwoFactorSetupRequired`: set one up on the website first). API keys need no code.
    """

    class LoginInput(serializers.Serializer):
        email = serializers.EmailField()
        password = serializers.CharField(write_only=True)
        otp_code = api_fields.CharField(
            max_length=32,
            required=False,
            write_only=True,
            help_text="The code of your authenticator app, or a backup code, when two-factor is on.",
        )

    @extend_schema(request=LoginInput, responses={200: UserOutput, **refusals(400, 403, 413, 415, 429)})
    def post(self, request: Request) -> Response:
        data = self.LoginInput(data=request.data)
        data.is_valid(raise_exception=True)
        user = user_login(
            request=request._request,
            email=data.validated_data["email"],
            password=data.validated_data["password"],
            otp_code=data.validated_data.get("otp_code"),
            one_step=True,
        )
        return Response(UserOutput(user).data)


class LogoutApi(APIView):
    """End the session."""

    @extend_schema(request=None, responses={204: None, **refusals()})
    def post(self, request: Request) -> Response:
        logout(request._request)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeApi(APIView):
    """The signed-in user."""

    @extend_schema(responses={200: UserOutput, **refusals()})
    def get(self, request: Request) -> Response:
        return Response(UserOutput(request.user).data)


class ApiKeyOutput(serializers.Serializer):
    """A key as it may be shown again: its prefix, never its secret."""

    id = serializers.IntegerField()
    name = serializers.CharField()
    prefix = serializers.CharField(source="display_prefix", help_text="The key's public first part.")
    created_at = serializers.DateTimeField()
    expires_at = serializers.DateTimeField(allow_null=True)
    last_used_at = serializers.DateTimeField(allow_null=True, help_text="Updated at most once a minute.")
    revoked_at = serializers.DateTimeField(allow_null=True)


class ApiKeyCreatedOutput(ApiKeyOutput):
    key = serializers.CharField(help_text="The whole key. Shown this once: the platform keeps only its hash.")


def _acting_key(request: Request) -> ApiKey | None:
    return request.auth if isinstance(request.successful_authenticator, ApiKeyAuthentication) else None


class ApiKeyListApi(APIView):
    """Your API keys (list), or a new one (create: a signed-in session only, the key shown once)."""

    class ApiKeyInput(serializers.Serializer):
        name = api_fields.CharField(max_length=SHORT_TEXT_MAX_LENGTH)
        expires_in_days = api_fields.IntegerField(
            required=False,
            min_value=1,
            help_text="Days until the key expires; default and most: the platform's maximum.",
        )

    @extend_schema(
        operation_id="v1_auth_keys_list",
        parameters=[ListPageInput],
        responses={200: page_output(ApiKeyOutput), **refusals(400)},
    )
    def get(self, request: Request) -> Response:
        return list_page(request, api_keys_of(request.user), ApiKeyOutput)

    @extend_schema(request=ApiKeyInput, responses={201: ApiKeyCreatedOutput, **refusals(400, 409, 413, 415)})
    def post(self, request: Request) -> Response:
        data = self.ApiKeyInput(data=request.data)
        data.is_valid(raise_exception=True)
        created = api_key_create(user=request.user, **data.validated_data, acting_key=_acting_key(request))
        body = {**ApiKeyOutput(created.api_key).data, "key": created.key}
        return Response(body, status=status.HTTP_201_CREATED)


class ApiKeyRevokeApi(APIView):
    """Revoke one of your API keys, at once; someone else's key answers 404."""

    @extend_schema(request=None, responses={200: ApiKeyOutput, **refusals(404, 409)})
    def post(self, request: Request, key_id: int) -> Response:
        return Response(ApiKeyOutput(api_key_revoke(user=request.user, key_id=key_id)).data)
