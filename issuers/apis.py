"""Issuer endpoints: the SME's own company profile and its KYB submission."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.choices import Role
from accounts.permissions import has_role
from config.errors import NotFound
from issuers import selectors, services
from issuers.choices import Jurisdiction


class CompanyOutput(serializers.Serializer):
    id = serializers.IntegerField()
    legal_name_en = serializers.CharField()
    legal_name_zh = serializers.CharField()
    jurisdiction = serializers.CharField()
    registration_number = serializers.CharField()
    industry = serializers.CharField()
    kyb_status = serializers.CharField()
    decision_reason = serializers.CharField()
    wallet_address = serializers.CharField(source="wallet.address", allow_null=True, default=None)


class MyCompanyApi(APIView):
    """The signed-in SME representative's company."""

    permission_classes = [has_role(Role.SME)]

    class MyCompanyInput(serializers.Serializer):
        legal_name_en = serializers.CharField(max_length=200)
        legal_name_zh = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
        jurisdiction = serializers.ChoiceField(choices=Jurisdiction.values)
        registration_number = serializers.CharField(max_length=32)
        industry = serializers.CharField(max_length=100)

    @extend_schema(responses={200: CompanyOutput})
    def get(self, request: Request) -> Response:
        company = selectors.company_of(request.user)
        if company is None:
            raise NotFound("You have not created a company profile yet.")
        return Response(CompanyOutput(company).data)

    @extend_schema(request=MyCompanyInput, responses={200: CompanyOutput})
    def put(self, request: Request) -> Response:
        data = self.MyCompanyInput(data=request.data)
        data.is_valid(raise_exception=True)
        company = services.company_save(user=request.user, **data.validated_data)
        return Response(CompanyOutput(company).data)


class MyCompanySubmitApi(APIView):
    """Send the company profile for KYB review."""

    permission_classes = [has_role(Role.SME)]

    @extend_schema(request=None, responses={200: CompanyOutput})
    def post(self, request: Request) -> Response:
        return Response(CompanyOutput(services.company_submit_for_kyb(user=request.user)).data)
