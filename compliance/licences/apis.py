"""The licence register's endpoints: intermediaries and licences (staff read; compliance writes)."""

from __future__ import annotations

from typing import Any

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.choices import COMPLIANCE_ROLES, STAFF_ROLES
from compliance.licences import selectors, services
from compliance.licences.choices import (
    IntermediaryRole,
    LicenceKind,
    LicenceState,
    RegulatedActivity,
    Suspension,
)
from compliance.licences.models import Licence
from config import api_fields
from config.api import ListPageInput, list_page, page_output
from config.schema import refusals
from config.text import NAME_MAX_LENGTH, REASON_MAX_LENGTH


class StaffReadComplianceWrite(BasePermission):
    """Every staff role reads the register; officers and approvers change it."""

    message = "This endpoint is not available to your role."

    def has_permission(self, request: Request, view: APIView) -> bool:
        user = request.user
        if not (user and user.is_authenticated):
            return False
        roles = STAFF_ROLES if request.method in SAFE_METHODS else COMPLIANCE_ROLES
        return getattr(user, "role", None) in roles


class LicenceOutput(serializers.Serializer):
    id = serializers.IntegerField()
    intermediary_id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=LicenceKind.choices)
    activities = serializers.ListField(
        child=serializers.IntegerField(), help_text="Regulated activity types covered (1, 4, 6, 9)."
    )
    conditions = serializers.CharField()
    pi_only = serializers.BooleanField(help_text="Limited to professional investors.")
    valid_from = serializers.DateField()
    valid_until = serializers.DateField(allow_null=True, help_text="Null: open-ended.")
    suspension = serializers.CharField(help_text="`suspended`, `revoked`, or empty.")
    suspended_at = serializers.DateTimeField(allow_null=True)
    suspension_reason = serializers.CharField()
    state = serializers.SerializerMethodField()
    state_text = serializers.SerializerMethodField()

    @extend_schema_field(serializers.ChoiceField(choices=LicenceState.values, help_text="Its state today."))
    def get_state(self, licence: Licence) -> str:
        return selectors.licence_status(licence).state

    @extend_schema_field(serializers.CharField(help_text="The state in words, e.g. 'lapses in 12 days'."))
    def get_state_text(self, licence: Licence) -> str:
        return selectors.licence_status(licence).text


class IntermediaryOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    ce_number = serializers.CharField(help_text="The SFC central entity number.")
    roles = serializers.ListField(child=serializers.ChoiceField(choices=IntermediaryRole.values))
    licences = LicenceOutput(many=True)


class IntermediaryInput(serializers.Serializer):
    name = api_fields.CharField(max_length=NAME_MAX_LENGTH)
    ce_number = api_fields.CharField(max_length=8, help_text="Three letters and three letters or digits.")
    roles = serializers.ListField(child=serializers.ChoiceField(choices=IntermediaryRole.values))


class IntermediaryListApi(APIView):
    """The register's intermediaries with their licences (staff); officers and approvers add one."""

    permission_classes = [StaffReadComplianceWrite]

    @extend_schema(
        operation_id="v1_compliance_intermediaries_list",
        parameters=[ListPageInput],
        responses={200: page_output(IntermediaryOutput), **refusals(400)},
    )
    def get(self, request: Request) -> Response:
        return list_page(request, selectors.intermediaries(), IntermediaryOutput)

    @extend_schema(request=IntermediaryInput, responses={201: IntermediaryOutput, **refusals(400, 413, 415)})
    def post(self, request: Request) -> Response:
        data = IntermediaryInput(data=request.data)
        data.is_valid(raise_exception=True)
        intermediary = services.intermediary_create(actor=request.user, **data.validated_data)
        return Response(IntermediaryOutput(intermediary).data, status=201)


class IntermediaryDetailApi(APIView):
    """One intermediary (staff); officers and approvers change its name, CE number or roles."""

    permission_classes = [StaffReadComplianceWrite]

    @extend_schema(responses={200: IntermediaryOutput, **refusals(404)})
    def get(self, request: Request, intermediary_id: int) -> Response:
        return Response(
            IntermediaryOutput(get_object_or_404(selectors.intermediaries(), pk=intermediary_id)).data
        )

    @extend_schema(
        request=IntermediaryInput(partial=True),
        responses={200: IntermediaryOutput, **refusals(400, 404, 409, 413, 415)},
    )
    def patch(self, request: Request, intermediary_id: int) -> Response:
        data = IntermediaryInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        services.intermediary_update(
            actor=request.user, intermediary_id=intermediary_id, **data.validated_data
        )
        return Response(IntermediaryOutput(selectors.intermediaries().get(pk=intermediary_id)).data)


class LicenceFieldsInput(serializers.Serializer):
    kind = serializers.ChoiceField(choices=LicenceKind.choices)
    activities = serializers.ListField(
        child=serializers.ChoiceField(choices=RegulatedActivity.values),
        required=False,
        default=list,
        help_text="Regulated activity types (1, 4, 6, 9); may be empty for a VATP licence.",
    )
    conditions = api_fields.CharField(
        max_length=REASON_MAX_LENGTH, required=False, allow_blank=True, default=""
    )
    pi_only = serializers.BooleanField(required=False, default=False)
    valid_from = api_fields.DateField()
    valid_until = api_fields.DateField(required=False, allow_null=True, default=None)


class LicenceInput(LicenceFieldsInput):
    intermediary_id = api_fields.IntegerField(min_value=1)


class LicenceListApi(APIView):
    """Every licence on the register with its state today (staff); officers and approvers record one."""

    permission_classes = [StaffReadComplianceWrite]

    @extend_schema(
        operation_id="v1_compliance_licences_list",
        parameters=[ListPageInput],
        responses={200: page_output(LicenceOutput), **refusals(400)},
    )
    def get(self, request: Request) -> Response:
        return list_page(request, selectors.licences(), LicenceOutput)

    @extend_schema(request=LicenceInput, responses={201: LicenceOutput, **refusals(400, 413, 415)})
    def post(self, request: Request) -> Response:
        data = LicenceInput(data=request.data)
        data.is_valid(raise_exception=True)
        licence = services.licence_create(actor=request.user, **data.validated_data)
        return Response(LicenceOutput(licence).data, status=201)


class LicenceDetailApi(APIView):
    """One licence (staff); officers and approvers change it (e.g. a renewal's new end date)."""

    permission_classes = [StaffReadComplianceWrite]

    @extend_schema(responses={200: LicenceOutput, **refusals(404)})
    def get(self, request: Request, licence_id: int) -> Response:
        return Response(LicenceOutput(get_object_or_404(selectors.licences(), pk=licence_id)).data)

    @extend_schema(
        request=LicenceFieldsInput(partial=True),
        responses={200: LicenceOutput, **refusals(400, 404, 413, 415)},
    )
    def patch(self, request: Request, licence_id: int) -> Response:
        data = LicenceFieldsInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        given: dict[str, Any] = dict(data.validated_data)  # partial: only the fields sent
        licence = services.licence_update(actor=request.user, licence_id=licence_id, **given)
        return Response(LicenceOutput(licence).data)


class LicenceSuspendInput(serializers.Serializer):
    suspension = serializers.ChoiceField(choices=Suspension.values)
    reason = api_fields.CharField(max_length=REASON_MAX_LENGTH)


class LicenceSuspendApi(APIView):
    """Record that the SFC suspended or revoked a licence (officers and approvers), with the reason."""

    permission_classes = [StaffReadComplianceWrite]

    @extend_schema(
        request=LicenceSuspendInput, responses={200: LicenceOutput, **refusals(400, 404, 409, 413, 415)}
    )
    def post(self, request: Request, licence_id: int) -> Response:
        data = LicenceSuspendInput(data=request.data)
        data.is_valid(raise_exception=True)
        licence = services.licence_suspend(actor=request.user, licence_id=licence_id, **data.validated_data)
        return Response(LicenceOutput(licence).data)
