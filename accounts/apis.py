"""Account endpoints: sign up, log in, log out, who am I."""

from __future__ import annotations

from django.contrib.auth import authenticate, login, logout
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from accounts.choices import SELF_SIGNUP_ROLES
from accounts.services import user_signup
from config.errors import ValidationFailed
from config.schema import refusals


class UserOutput(serializers.Serializer):
    id = serializers.IntegerField()
    email = serializers.EmailField()
    full_name = serializers.CharField()
    role = serializers.CharField()


class SignupApi(APIView):
    """Create an SME or investor account and start a session."""

    permission_classes = [AllowAny]

    class SignupInput(serializers.Serializer):
        email = serializers.EmailField()
        password = serializers.CharField(write_only=True)
        full_name = serializers.CharField(max_length=200)
        role = serializers.ChoiceField(choices=[role.value for role in SELF_SIGNUP_ROLES])

    @extend_schema(request=SignupInput, responses={201: UserOutput, **refusals(400, 409, 413, 415)})
    def post(self, request: Request) -> Response:
        data = self.SignupInput(data=request.data)
        data.is_valid(raise_exception=True)
        user = user_signup(**data.validated_data)
        login(request._request, user, backend="django.contrib.auth.backends.ModelBackend")
        return Response(UserOutput(user).data, status=status.HTTP_201_CREATED)


class LoginApi(APIView):
    """Start a session with email and password (rate-limited per client address)."""

    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "login"

    class LoginInput(serializers.Serializer):
        email = serializers.EmailField()
        password = serializers.CharField(write_only=True)

    @extend_schema(request=LoginInput, responses={200: UserOutput, **refusals(400, 413, 415, 429)})
    def post(self, request: Request) -> Response:
        data = self.LoginInput(data=request.data)
        data.is_valid(raise_exception=True)
        user = authenticate(
            request._request,
            username=data.validated_data["email"].strip().lower(),
            password=data.validated_data["password"],
        )
        if user is None:
            raise ValidationFailed(
                "Email or password is wrong.", fields={"password": "Email or password is wrong."}
            )
        login(request._request, user)
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
