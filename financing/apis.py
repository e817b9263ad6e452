"""Financing endpoints: applications, decisions, offerings, subscriptions."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.choices import COMPLIANCE_ROLES, STAFF_ROLES, Role
from accounts.permissions import has_role
from config.errors import ValidationFailed
from financing import selectors, services
from financing.choices import Currency, Frequency
from financing.models import Application, Subscription

AMOUNT = {"max_digits": 18, "decimal_places": 2}


class BondTermsOutput(serializers.Serializer):
    face_value = serializers.DecimalField(**AMOUNT)
    coupon_rate = serializers.DecimalField(max_digits=7, decimal_places=6)
    coupon_frequency = serializers.CharField()
    issue_date = serializers.DateField()
    maturity_date = serializers.DateField()


class ApplicationOutput(serializers.Serializer):
    id = serializers.IntegerField()
    company = serializers.CharField(source="company.legal_name_en")
    instrument = serializers.CharField()
    title = serializers.CharField()
    currency = serializers.CharField()
    target_amount = serializers.DecimalField(**AMOUNT)
    minimum_amount = serializers.DecimalField(**AMOUNT)
    use_of_proceeds = serializers.CharField()
    status = serializers.CharField()
    decision_reason = serializers.CharField()
    bond_terms = BondTermsOutput()
    offering_id = serializers.SerializerMethodField()

    def get_offering_id(self, obj: Application) -> int | None:
        offering = getattr(obj, "offering", None)
        return offering.pk if offering else None


class BondApplicationInput(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    currency = serializers.ChoiceField(choices=Currency.choices, default=Currency.HKD)
    target_amount = serializers.DecimalField(**AMOUNT, min_value=0)
    minimum_amount = serializers.DecimalField(**AMOUNT, min_value=0)
    use_of_proceeds = serializers.CharField()
    face_value = serializers.DecimalField(**AMOUNT, min_value=0)
    coupon_rate = serializers.DecimalField(max_digits=7, decimal_places=6, min_value=0)
    coupon_frequency = serializers.ChoiceField(choices=Frequency.choices)
    issue_date = serializers.DateField()
    maturity_date = serializers.DateField()


class ApplicationListApi(APIView):
    """List the applications you may see; SMEs create bond applications."""

    @extend_schema(responses={200: ApplicationOutput(many=True)})
    def get(self, request: Request) -> Response:
        rows = selectors.applications_visible_to(request.user)
        return Response(ApplicationOutput(rows, many=True).data)

    @extend_schema(request=BondApplicationInput, responses={201: ApplicationOutput})
    def post(self, request: Request) -> Response:
        data = BondApplicationInput(data=request.data)
        data.is_valid(raise_exception=True)
        application = services.bond_application_save(user=request.user, **data.validated_data)
        return Response(ApplicationOutput(application).data, status=status.HTTP_201_CREATED)


class ApplicationDetailApi(APIView):
    """One application; its SME edits it while it is a draft or changes were requested."""

    @extend_schema(responses={200: ApplicationOutput})
    def get(self, request: Request, application_id: int) -> Response:
        application = get_object_or_404(selectors.applications_visible_to(request.user), pk=application_id)
        return Response(ApplicationOutput(application).data)

    @extend_schema(request=BondApplicationInput, responses={200: ApplicationOutput})
    def put(self, request: Request, application_id: int) -> Response:
        application = get_object_or_404(selectors.applications_visible_to(request.user), pk=application_id)
        data = BondApplicationInput(data=request.data)
        data.is_valid(raise_exception=True)
        application = services.bond_application_save(
            user=request.user, application=application, **data.validated_data
        )
        return Response(ApplicationOutput(application).data)


class ApplicationSubmitApi(APIView):
    """Send the application to compliance."""

    permission_classes = [has_role(Role.SME)]

    @extend_schema(request=None, responses={200: ApplicationOutput})
    def post(self, request: Request, application_id: int) -> Response:
        application = services.application_submit(user=request.user, application_id=application_id)
        return Response(ApplicationOutput(application).data)


class ApplicationWithdrawApi(APIView):
    """Take the application back."""

    permission_classes = [has_role(Role.SME)]

    @extend_schema(request=None, responses={200: ApplicationOutput})
    def post(self, request: Request, application_id: int) -> Response:
        application = services.application_withdraw(user=request.user, application_id=application_id)
        return Response(ApplicationOutput(application).data)


class ApplicationDecisionApi(APIView):
    """Compliance approves, rejects or requests changes."""

    permission_classes = [has_role(*COMPLIANCE_ROLES)]

    class ApplicationDecisionInput(serializers.Serializer):
        decision = serializers.ChoiceField(choices=["approve", "reject", "request_changes"])
        reason = serializers.CharField(required=False, allow_blank=True, default="")
        closes_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
        professional_investors_only = serializers.BooleanField(default=True)

    @extend_schema(request=ApplicationDecisionInput, responses={200: ApplicationOutput})
    def post(self, request: Request, application_id: int) -> Response:
        data = self.ApplicationDecisionInput(data=request.data)
        data.is_valid(raise_exception=True)
        application = services.application_decide(
            actor=request.user, application_id=application_id, **data.validated_data
        )
        return Response(ApplicationOutput(application).data)


class OfferingOutput(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField(source="application.title")
    company = serializers.CharField(source="application.company.legal_name_en")
    status = serializers.CharField()
    currency = serializers.CharField()
    unit_price = serializers.DecimalField(**AMOUNT)
    units_offered = serializers.IntegerField()
    minimum_units = serializers.IntegerField()
    subscription_cap_units = serializers.IntegerField()
    units_subscribed = serializers.IntegerField()
    professional_investors_only = serializers.BooleanField()
    closes_at = serializers.DateTimeField()
    token_address = serializers.CharField(source="token.address", allow_null=True)
    terms = BondTermsOutput(source="application.bond_terms")


class OfferingListApi(APIView):
    """Offerings you may see."""

    @extend_schema(responses={200: OfferingOutput(many=True)})
    def get(self, request: Request) -> Response:
        return Response(OfferingOutput(selectors.offerings_visible_to(request.user), many=True).data)


class OfferingDetailApi(APIView):
    """One offering."""

    @extend_schema(responses={200: OfferingOutput})
    def get(self, request: Request, offering_id: int) -> Response:
        offering = get_object_or_404(selectors.offerings_visible_to(request.user), pk=offering_id)
        return Response(OfferingOutput(offering).data)


class OfferingOpenApi(APIView):
    """Staff open a ready offering."""

    permission_classes = [has_role(*STAFF_ROLES)]

    @extend_schema(request=None, responses={200: OfferingOutput})
    def post(self, request: Request, offering_id: int) -> Response:
        return Response(
            OfferingOutput(services.offering_open(actor=request.user, offering_id=offering_id)).data
        )


class OfferingCloseApi(APIView):
    """Staff close an open offering: allotment and settlement follow."""

    permission_classes = [has_role(*STAFF_ROLES)]

    @extend_schema(request=None, responses={200: OfferingOutput})
    def post(self, request: Request, offering_id: int) -> Response:
        return Response(
            OfferingOutput(services.offering_close(actor=request.user, offering_id=offering_id)).data
        )


class AllotmentOutput(serializers.Serializer):
    id = serializers.IntegerField()
    units = serializers.IntegerField()
    amount = serializers.DecimalField(**AMOUNT)
    status = serializers.CharField()
    failure_reason = serializers.CharField()
    tx_hash = serializers.CharField(source="chain_transaction.tx_hash", allow_null=True, default=None)


class SubscriptionOutput(serializers.Serializer):
    id = serializers.IntegerField()
    offering_id = serializers.IntegerField()
    units = serializers.IntegerField()
    amount = serializers.DecimalField(**AMOUNT)
    status = serializers.CharField()
    allotment = serializers.SerializerMethodField()

    @extend_schema_field(AllotmentOutput(allow_null=True))
    def get_allotment(self, obj: Subscription) -> dict[str, object] | None:
        allotment = getattr(obj, "allotment", None)
        return AllotmentOutput(allotment).data if allotment else None


class SubscriptionCreateApi(APIView):
    """An investor subscribes whole units of an open offering."""

    permission_classes = [has_role(Role.INVESTOR)]

    class SubscriptionCreateInput(serializers.Serializer):
        units = serializers.IntegerField(min_value=1, max_value=10**12)

    @extend_schema(request=SubscriptionCreateInput, responses={201: SubscriptionOutput})
    def post(self, request: Request, offering_id: int) -> Response:
        data = self.SubscriptionCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        subscription = services.subscription_create(
            user=request.user, offering_id=offering_id, **data.validated_data
        )
        return Response(SubscriptionOutput(subscription).data, status=status.HTTP_201_CREATED)


class SubscriptionListApi(APIView):
    """Subscriptions you may see, with their allotments."""

    @extend_schema(responses={200: SubscriptionOutput(many=True)})
    def get(self, request: Request) -> Response:
        rows = selectors.subscriptions_visible_to(request.user).select_related("allotment__chain_transaction")
        return Response(SubscriptionOutput(rows, many=True).data)


class SubscriptionWithdrawApi(APIView):
    """Withdraw one's own subscription while the offering is open."""

    permission_classes = [has_role(Role.INVESTOR)]

    @extend_schema(request=None, responses={200: SubscriptionOutput})
    def post(self, request: Request, subscription_id: int) -> Response:
        subscription = services.subscription_withdraw(user=request.user, subscription_id=subscription_id)
        return Response(SubscriptionOutput(subscription).data)


class SchedulePreviewInput(serializers.Serializer):
    """The terms as JSON; decimals are strings. Validation is the schedule module's (all errors at once)."""

    instrument = serializers.ChoiceField(choices=["equity", "loan", "bond", "lease"])
    currency = serializers.ChoiceField(choices=Currency.choices)
    principal = serializers.CharField()
    annual_rate = serializers.CharField(required=False, allow_null=True)
    start_date = serializers.CharField(required=False, allow_null=True)
    maturity_date = serializers.CharField(required=False, allow_null=True)
    term_months = serializers.IntegerField(required=False, allow_null=True)
    frequency = serializers.ChoiceField(choices=Frequency.choices, required=False, allow_null=True)
    amortization = serializers.ChoiceField(
        choices=["annuity", "equal_principal", "bullet"], required=False, allow_null=True
    )
    grace_periods = serializers.IntegerField(required=False, allow_null=True)
    day_count = serializers.ChoiceField(choices=["act_365f", "act_360", "thirty_360"], required=False)
    business_day_convention = serializers.ChoiceField(
        choices=["following", "modified_following", "unadjusted"], required=False
    )
    calendar = serializers.ChoiceField(choices=["HK", "none"], required=False)
    residual_value = serializers.CharField(required=False, allow_null=True)
    payment_timing = serializers.ChoiceField(choices=["advance", "arrears"], required=False)


class ScheduleRowOutput(serializers.Serializer):
    period = serializers.IntegerField()
    date = serializers.DateField()
    principal = serializers.CharField()
    interest = serializers.CharField()
    payment = serializers.CharField()
    outstanding = serializers.CharField()


class ScheduleTotalsOutput(serializers.Serializer):
    principal = serializers.CharField()
    interest = serializers.CharField()
    payment = serializers.CharField()


class ScheduleOutput(serializers.Serializer):
    rows = ScheduleRowOutput(many=True)
    totals = ScheduleTotalsOutput()


class SchedulePreviewApi(APIView):
    """The cash-flow schedule of any instrument's terms, row by row, with totals."""

    @extend_schema(request=SchedulePreviewInput, responses={200: ScheduleOutput})
    def post(self, request: Request) -> Response:
        if not isinstance(request.data, dict):
            raise ValidationFailed("Send the terms as a JSON object.")
        return Response(selectors.schedule_preview(request.data))
