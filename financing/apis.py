"""Financing endpoints: applications, decisions, offerings, subscriptions."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import FileResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.utils import (
    OpenApiExample,
    extend_schema,
    extend_schema_field,
    extend_schema_serializer,
)
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.choices import COMPLIANCE_ROLES, STAFF_ROLES, Role
from accounts.permissions import has_role
from config import api_fields
from config.api import ListPageInput, StoredFileApi, list_page, page_output
from config.errors import ValidationFailed
from config.schema import RecommendedOutput, decision_responses, refusals, stored_file_responses
from config.text import LONG_TEXT_MAX_LENGTH, NAME_MAX_LENGTH, REASON_MAX_LENGTH, SHORT_TEXT_MAX_LENGTH
from financing import selectors, services
from financing.agreements import AGREEMENTS
from financing.choices import (
    FUNDABLE_PAYMENT_STATUSES,
    Amortization,
    ApplicationStatus,
    BusinessDayConvention,
    Currency,
    DayCount,
    Frequency,
    HolidayCalendar,
    Instrument,
    MarketplaceStatus,
    OfferingStatus,
    OfferingTag,
    PaymentKind,
    PaymentStatus,
    PaymentTiming,
    SubscriptionStatus,
    TransferStatus,
)
from financing.models import Application, Offering, OfferingPayment, Subscription
from financing.portfolio_apis import (
    HoldingIncomeOutput,
    ReceivedPaymentOutput,
    TransactionOutput,
    UpcomingPaymentOutput,
)
from financing.schedules.dates import DAY_COUNT_NAMES
from financing.services import servicing
from financing.trade.apis import TradeDocumentOutput
from tokens.choices import TokenOperationKind
from tokens.indexer.selectors import HISTORY_LABELS, history_entries, wallet_events
from tokens.models import ChainEvent

AMOUNT = {"max_digits": 18, "decimal_places": 2}


class TermsOutput(serializers.Serializer):
    unit_price = serializers.DecimalField(**AMOUNT)
    units = serializers.IntegerField()
    annual_rate = serializers.DecimalField(max_digits=14, decimal_places=12, allow_null=True)
    start_date = serializers.DateField(allow_null=True)
    maturity_date = serializers.DateField(allow_null=True)
    term_months = serializers.IntegerField(allow_null=True)
    frequency = serializers.CharField()
    amortization = serializers.CharField()
    grace_periods = serializers.IntegerField()
    day_count = serializers.CharField()
    business_day_convention = serializers.CharField()
    calendar = serializers.CharField()
    residual_value = serializers.DecimalField(**AMOUNT)
    payment_timing = serializers.CharField()
    share_class = serializers.CharField()
    pre_money_valuation = serializers.DecimalField(**AMOUNT, allow_null=True)
    post_money_valuation = serializers.DecimalField(**AMOUNT, allow_null=True)
    asset_description = serializers.CharField()


class ApplicationOutput(serializers.Serializer):
    id = serializers.IntegerField()
    reference = serializers.CharField(help_text="The application's reference code, e.g. APP-2026-0012.")
    company = serializers.CharField(source="company.legal_name_en")
    instrument = serializers.CharField()
    title = serializers.CharField()
    currency = serializers.CharField()
    target_amount = serializers.DecimalField(**AMOUNT)
    minimum_amount = serializers.DecimalField(**AMOUNT)
    use_of_proceeds = serializers.CharField()
    status = serializers.CharField()
    decision_reason = serializers.CharField()
    terms = TermsOutput()
    trade_documents = TradeDocumentOutput(
        many=True, help_text="The invoices and bills of lading backing a trade-finance application."
    )
    offering_id = serializers.SerializerMethodField()

    def get_offering_id(self, obj: Application) -> int | None:
        offering = getattr(obj, "offering", None)
        return offering.pk if offering else None


@extend_schema_serializer(
    examples=[
        OpenApiExample(
            "A two-year bond",
            request_only=True,
            value={
                "instrument": "bond",
                "title": "Pearl River Robotics 6.5% Notes 2032",
                "currency": "HKD",
                "target_amount": "5000000.00",
                "minimum_amount": "1000000.00",
                "use_of_proceeds": "A second assembly line for warehouse robots.",
                "unit_price": "1000.00",
                "annual_rate": "0.065",
                "frequency": "semiannual",
                "start_date": "2030-03-01",
                "maturity_date": "2032-03-01",
            },
        )
    ]
)
class ApplicationInput(serializers.Serializer):
    """Common fields plus the instrument's terms (decimals as strings; rates as fractions: 0.065 = 6.5%).

    trade (invoice and bill-of-lading financing, paid once at maturity): unit_price (participation),
    annual_rate, start_date, maturity_date (within a year; on or after the latest invoice due date);
    its documents are added at /applications/{id}/trade-documents/.
    bond: unit_price (face value), annual_rate (coupon), start_date (issue), maturity_date, frequency,
    day_count, business_day_convention, calendar. loan: unit_price (participation), annual_rate,
    start_date, term_months or maturity_date, frequency, amortization, grace_periods. lease:
    unit_price, asset_description, start_date, term_months, frequency, residual_value, payment_timing,
    and annual_rate or rental (the implicit rate is then solved). equity: unit_price (price per
    share), share_class, pre_money_valuation.
    """

    COMMON = ("instrument", "title", "currency", "target_amount", "minimum_amount", "use_of_proceeds")

    instrument = serializers.ChoiceField(choices=Instrument.choices)
    title = api_fields.CharField(max_length=NAME_MAX_LENGTH)
    currency = serializers.ChoiceField(choices=Currency.choices, default=Currency.HKD)
    target_amount = api_fields.DecimalField(**AMOUNT)
    minimum_amount = api_fields.DecimalField(**AMOUNT)
    use_of_proceeds = api_fields.CharField(max_length=LONG_TEXT_MAX_LENGTH)
    unit_price = api_fields.DecimalField(**AMOUNT)
    annual_rate = api_fields.NumberTextField(required=False, allow_null=True, allow_blank=True)
    start_date = api_fields.DateField(required=False, allow_null=True)
    maturity_date = api_fields.DateField(required=False, allow_null=True)
    term_months = api_fields.IntegerField(required=False, allow_null=True, min_value=1, max_value=600)
    frequency = serializers.ChoiceField(choices=Frequency.choices, required=False, allow_blank=True)
    amortization = serializers.ChoiceField(choices=Amortization.choices, required=False, allow_blank=True)
    grace_periods = api_fields.IntegerField(required=False, min_value=0, max_value=600)
    day_count = serializers.ChoiceField(choices=DayCount.choices, required=False)
    business_day_convention = serializers.ChoiceField(choices=BusinessDayConvention.choices, required=False)
    calendar = serializers.ChoiceField(choices=HolidayCalendar.choices, required=False)
    residual_value = api_fields.NumberTextField(required=False, allow_null=True, allow_blank=True)
    payment_timing = serializers.ChoiceField(choices=PaymentTiming.choices, required=False)
    rental = api_fields.NumberTextField(required=False, allow_null=True, allow_blank=True)
    share_class = api_fields.CharField(required=False, allow_blank=True, max_length=SHORT_TEXT_MAX_LENGTH)
    pre_money_valuation = api_fields.DecimalField(**AMOUNT, required=False, allow_null=True)
    asset_description = api_fields.CharField(required=False, allow_blank=True, max_length=REASON_MAX_LENGTH)

    def service_kwargs(self) -> dict[str, Any]:
        """The service's arguments: the common fields, and the rest as the instrument's terms."""
        data = dict(self.validated_data)
        common = {name: data.pop(name) for name in self.COMMON}
        return {**common, "terms": data}


ApplicationPageOutput = page_output(ApplicationOutput)


class ApplicationListApi(APIView):
    """List the applications you may see, newest first, a page at a time; SMEs create applications for
    any instrument."""

    @extend_schema(
        operation_id="v1_applications_list",
        parameters=[ListPageInput],
        responses={200: ApplicationPageOutput, **refusals(400)},
    )
    def get(self, request: Request) -> Response:
        return list_page(request, selectors.applications_visible_to(request.user), ApplicationOutput)

    @extend_schema(request=ApplicationInput, responses={201: ApplicationOutput, **refusals(400, 413, 415)})
    def post(self, request: Request) -> Response:
        data = ApplicationInput(data=request.data)
        data.is_valid(raise_exception=True)
        application = services.application_save(user=request.user, **data.service_kwargs())
        return Response(ApplicationOutput(application).data, status=status.HTTP_201_CREATED)


class ApplicationDetailApi(APIView):
    """One application; its SME edits it while it is a draft or changes were requested."""

    @extend_schema(responses={200: ApplicationOutput, **refusals(404)})
    def get(self, request: Request, application_id: int) -> Response:
        application = get_object_or_404(selectors.applications_visible_to(request.user), pk=application_id)
        return Response(ApplicationOutput(application).data)

    @extend_schema(
        request=ApplicationInput, responses={200: ApplicationOutput, **refusals(400, 404, 409, 413, 415)}
    )
    def put(self, request: Request, application_id: int) -> Response:
        get_object_or_404(selectors.applications_visible_to(request.user), pk=application_id)
        data = ApplicationInput(data=request.data)
        data.is_valid(raise_exception=True)
        application = services.application_save(
            user=request.user, application_id=application_id, **data.service_kwargs()
        )
        return Response(ApplicationOutput(application).data)


class ApplicationSubmitApi(APIView):
    """Send the application to compliance."""

    permission_classes = [has_role(Role.SME)]

    @extend_schema(request=None, responses={200: ApplicationOutput, **refusals(400, 404, 409)})
    def post(self, request: Request, application_id: int) -> Response:
        application = services.application_submit(user=request.user, application_id=application_id)
        return Response(ApplicationOutput(application).data)


class ApplicationWithdrawApi(APIView):
    """Take the application back."""

    permission_classes = [has_role(Role.SME)]

    @extend_schema(request=None, responses={200: ApplicationOutput, **refusals(404, 409)})
    def post(self, request: Request, application_id: int) -> Response:
        application = services.application_withdraw(user=request.user, application_id=application_id)
        return Response(ApplicationOutput(application).data)


class ApplicationStartReviewApi(APIView):
    """Compliance takes a submitted application into review."""

    permission_classes = [has_role(*COMPLIANCE_ROLES)]

    @extend_schema(request=None, responses={200: ApplicationOutput, **refusals(404, 409)})
    def post(self, request: Request, application_id: int) -> Response:
        application = services.application_start_review(actor=request.user, application_id=application_id)
        return Response(ApplicationOutput(application).data)


class ApplicationDecisionOutput(ApplicationOutput, RecommendedOutput):
    pass


class ApplicationDecisionApi(APIView):
    """Compliance approves, rejects or requests changes."""

    permission_classes = [has_role(*COMPLIANCE_ROLES)]

    class ApplicationDecisionInput(serializers.Serializer):
        decision = serializers.ChoiceField(choices=["approve", "reject", "request_changes"])
        reason = api_fields.CharField(
            max_length=REASON_MAX_LENGTH, required=False, allow_blank=True, default=""
        )
        closes_at = api_fields.DateTimeField(required=False, allow_null=True, default=None)
        professional_investors_only = serializers.BooleanField(default=True)
        transfer_lockup_until = api_fields.DateTimeField(
            required=False,
            allow_null=True,
            default=None,
            help_text="Applications: transfers between investors are refused before this (on chain).",
        )
        max_holders = api_fields.IntegerField(
            min_value=1,
            max_value=1_000_000,
            required=False,
            allow_null=True,
            default=None,
            help_text="Applications: at most this many investors may hold units (on chain).",
        )
        arranger_id = api_fields.IntegerField(
            min_value=1,
            required=False,
            allow_null=True,
            default=None,
            help_text="Required to approve: an intermediary on the licence register whose licence is in "
            "force today and covers type 1 (dealing in securities) or virtual-asset trading; a licence "
            "limited to professional investors arranges only a professional-investors-only offering.",
        )

    @extend_schema(
        request=ApplicationDecisionInput,
        responses=decision_responses(ApplicationDecisionOutput, 400, 404, 409, 413, 415, 503),
    )
    def post(self, request: Request, application_id: int) -> Response:
        data = self.ApplicationDecisionInput(data=request.data)
        data.is_valid(raise_exception=True)
        application = services.application_decide(
            actor=request.user, application_id=application_id, **data.validated_data
        )
        # Still waiting after approve or reject: four eyes kept it as a recommendation for an approver.
        recommended = application.status in (ApplicationStatus.SUBMITTED, ApplicationStatus.UNDER_REVIEW)
        output = ApplicationDecisionOutput(application, context={"recommended": recommended})
        return Response(output.data, status=202 if recommended else 200)


class ArrangerOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    ce_number = serializers.CharField(help_text="The SFC central entity number.")


class OfferingCancellationOutput(serializers.Serializer):
    at = serializers.DateTimeField(source="cancelled_at")
    reason = serializers.CharField(source="cancellation_reason")
    by = serializers.SerializerMethodField(help_text="Who cancelled: a staff member's name, or the platform.")
    by_role = serializers.SerializerMethodField(help_text="Their role; `platform` when nobody did by hand.")

    def get_by(self, obj: Offering) -> str:
        return obj.cancelled_by.full_name if obj.cancelled_by else settings.PLATFORM_NAME

    def get_by_role(self, obj: Offering) -> str:
        return obj.cancelled_by.role if obj.cancelled_by else "platform"


class OfferingOutput(serializers.Serializer):
    id = serializers.IntegerField()
    reference = serializers.CharField(help_text="The offering's reference code, e.g. GBA-2026-0007.")
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
    transfer_lockup_until = serializers.DateTimeField(
        allow_null=True, help_text="Transfers between investors are refused before this (on chain)."
    )
    max_holders = serializers.IntegerField(
        allow_null=True, help_text="At most this many investors may hold units (on chain); null: no limit."
    )
    arranger = ArrangerOutput(source="application.arranger", allow_null=True)
    subscriptions_paused_reason = serializers.CharField(
        help_text="Why new subscriptions are refused (the arranger's licence lapsed); empty if not."
    )
    closes_at = serializers.DateTimeField()
    token_address = serializers.CharField(source="token.address", allow_null=True)
    instrument = serializers.CharField(source="application.instrument")
    terms = TermsOutput(source="application.terms")
    cancellation = serializers.SerializerMethodField(
        help_text="Who cancelled the offering, why and when; null unless it is cancelled."
    )

    @extend_schema_field(OfferingCancellationOutput(allow_null=True))
    def get_cancellation(self, obj: Offering) -> dict[str, Any] | None:
        return OfferingCancellationOutput(obj).data if obj.status == OfferingStatus.CANCELLED else None


OfferingPageOutput = page_output(OfferingOutput)


class SettlementProgressOutput(serializers.Serializer):
    total = serializers.IntegerField(help_text="Allotments made at close.")
    settled = serializers.IntegerField()
    pending = serializers.IntegerField()
    failed = serializers.IntegerField(help_text="Failed and waiting for staff to retry or write off.")
    written_off = serializers.IntegerField(help_text="Written off by staff; their escrow was refunded.")
    settled_units = serializers.IntegerField(help_text="Units delivered on chain by settled allotments.")


class IssuerProfileOutput(serializers.Serializer):
    name = serializers.CharField(source="legal_name_en")
    name_zh = serializers.CharField(source="legal_name_zh")
    jurisdiction = serializers.CharField()
    industry = serializers.CharField()
    years_trading = serializers.IntegerField(allow_null=True)
    employees = serializers.IntegerField(allow_null=True)
    tags = serializers.SerializerMethodField(
        help_text="green, technology, srdi: what the marketplace filters on."
    )

    def get_tags(self, obj: Any) -> list[str]:
        return selectors.issuer_tags(obj)


class OfferingDocumentOutput(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    title = serializers.CharField()
    version = serializers.IntegerField()
    sha256 = serializers.CharField()
    size = serializers.IntegerField()
    uploaded_at = serializers.DateTimeField()
    url = serializers.SerializerMethodField(help_text="The file; opening it records that you read it.")

    def get_url(self, obj: Any) -> str:
        return reverse("api-offering-document", kwargs={"document_id": obj.pk})


class SubscriptionTermsOutput(serializers.Serializer):
    kind = serializers.CharField()
    title = serializers.CharField()
    version = serializers.CharField()
    sha256 = serializers.CharField(help_text="Of `text` exactly, in the language of the request.")
    text = serializers.CharField()


class OfferingDetailOutput(OfferingOutput):
    chain_id = serializers.IntegerField(source="token.chain_id", allow_null=True)
    raised = serializers.SerializerMethodField(
        help_text="Units subscribed times the unit price (a decimal string): the money committed so far."
    )
    hard_cap = serializers.SerializerMethodField(
        help_text="The subscription cap in money: cap units times the unit price (a decimal string)."
    )
    settlement = serializers.SerializerMethodField()
    issuer = IssuerProfileOutput(source="application.company")
    documents = serializers.SerializerMethodField(
        help_text="The current version of each offering document: open each (its `url`) before subscribing."
    )
    subscription_terms = serializers.SerializerMethodField(
        help_text="The risk disclosure and subscription agreement: send their versions when subscribing."
    )

    @extend_schema_field(OfferingDocumentOutput(many=True))
    def get_documents(self, obj: Offering) -> list[dict[str, Any]]:
        return OfferingDocumentOutput(selectors.current_documents(obj), many=True).data

    @extend_schema_field(SubscriptionTermsOutput(many=True))
    def get_subscription_terms(self, obj: Offering) -> list[dict[str, Any]]:
        return SubscriptionTermsOutput(AGREEMENTS, many=True).data

    @extend_schema_field(serializers.DecimalField(**AMOUNT))
    def get_raised(self, obj: Offering) -> str:
        return f"{obj.unit_price * obj.units_subscribed:.2f}"

    @extend_schema_field(serializers.DecimalField(**AMOUNT))
    def get_hard_cap(self, obj: Offering) -> str:
        return f"{obj.unit_price * obj.subscription_cap_units:.2f}"

    @extend_schema_field(SettlementProgressOutput)
    def get_settlement(self, obj: Offering) -> dict[str, Any]:
        return SettlementProgressOutput(selectors.settlement_progress(obj)).data


class OfferingFilterInput(serializers.Serializer):
    """The marketplace's filters; every one combines with the others (tags: all must apply)."""

    instrument = serializers.ChoiceField(choices=Instrument.choices, required=False)
    currency = serializers.ChoiceField(choices=Currency.choices, required=False)
    tag = serializers.ListField(
        child=serializers.ChoiceField(choices=OfferingTag.choices),
        required=False,
        max_length=len(OfferingTag.values),
        help_text="Repeat for several: ?tag=green&tag=technology (the issuer has every one).",
    )
    search = api_fields.CharField(
        max_length=SHORT_TEXT_MAX_LENGTH,
        required=False,
        default="",
        help_text="Part of a reference code (GBA-2026-0007) or of a title; empty for every offering.",
    )
    status = serializers.ChoiceField(
        choices=MarketplaceStatus.choices,
        required=False,
        help_text="open, closed (allotting or settling), settled (and after), any. Absent: any.",
    )


class OfferingListApi(APIView):
    """Offerings you may see, filtered like the marketplace, a page at a time (open ones closing soonest
    first when `status=open`, else newest first); `search` finds one by its reference code or title."""

    @extend_schema(
        operation_id="v1_offerings_list",
        parameters=[ListPageInput, OfferingFilterInput],
        responses={200: OfferingPageOutput, **refusals(400)},
    )
    def get(self, request: Request) -> Response:
        filters = OfferingFilterInput(data=request.query_params)
        filters.is_valid(raise_exception=True)
        data = filters.validated_data
        rows = selectors.marketplace_offerings(
            request.user,
            instrument=data.get("instrument", ""),
            currency=data.get("currency", ""),
            tags=data.get("tag", []),
            status=data.get("status", MarketplaceStatus.ANY),
        )
        return list_page(request, selectors.offerings_matching(rows, data["search"]), OfferingOutput)


class OfferingDetailApi(APIView):
    """One offering, with its token's chain, the money raised and how far settlement has gone."""

    @extend_schema(responses={200: OfferingDetailOutput, **refusals(404)})
    def get(self, request: Request, offering_id: int) -> Response:
        offering = get_object_or_404(selectors.offerings_visible_to(request.user), pk=offering_id)
        return Response(OfferingDetailOutput(offering).data)


class OfferingOpenApi(APIView):
    """Staff open a ready offering."""

    permission_classes = [has_role(*STAFF_ROLES)]

    @extend_schema(request=None, responses={200: OfferingOutput, **refusals(404, 409)})
    def post(self, request: Request, offering_id: int) -> Response:
        return Response(
            OfferingOutput(services.offering_open(actor=request.user, offering_id=offering_id)).data
        )


class OfferingCloseApi(APIView):
    """Staff close an open offering. The answer is at once (202): the offering is allotting (or cancelled
    below the soft cap); allotment and settlement run in the background, so poll the offering until its
    status is settled or partly_failed."""

    permission_classes = [has_role(*STAFF_ROLES)]

    @extend_schema(request=None, responses={202: OfferingOutput, **refusals(404, 409, 503)})
    def post(self, request: Request, offering_id: int) -> Response:
        return Response(
            OfferingOutput(services.offering_close(actor=request.user, offering_id=offering_id)).data,
            status=status.HTTP_202_ACCEPTED,
        )


class OfferingCancelApi(APIView):
    """Staff call off an offering that has not closed; open subscriptions are cancelled."""

    permission_classes = [has_role(*STAFF_ROLES)]

    class OfferingCancelInput(serializers.Serializer):
        reason = api_fields.CharField(
            max_length=REASON_MAX_LENGTH,
            help_text="Why the offering is called off: the issuer and every subscribed investor read it.",
        )

    @extend_schema(
        request=OfferingCancelInput, responses={200: OfferingOutput, **refusals(400, 404, 409, 413, 415)}
    )
    def post(self, request: Request, offering_id: int) -> Response:
        data = self.OfferingCancelInput(data=request.data)
        data.is_valid(raise_exception=True)
        offering = services.offering_cancel(
            actor=request.user, offering_id=offering_id, **data.validated_data
        )
        return Response(OfferingOutput(offering).data)


class OfferingArrangerApi(APIView):
    """Compliance names a new arranger for an offering not yet closed; paused subscriptions resume."""

    permission_classes = [has_role(*COMPLIANCE_ROLES)]

    class OfferingArrangerInput(serializers.Serializer):
        arranger_id = api_fields.IntegerField(
            min_value=1, help_text="An intermediary on the licence register whose licence suits the offering."
        )
        reason = api_fields.CharField(max_length=REASON_MAX_LENGTH)

    @extend_schema(
        request=OfferingArrangerInput, responses={200: OfferingOutput, **refusals(400, 404, 409, 413, 415)}
    )
    def post(self, request: Request, offering_id: int) -> Response:
        data = self.OfferingArrangerInput(data=request.data)
        data.is_valid(raise_exception=True)
        offering = services.offering_arranger_replace(
            actor=request.user, offering_id=offering_id, **data.validated_data
        )
        return Response(OfferingOutput(offering).data)


class AllotmentOutput(serializers.Serializer):
    id = serializers.IntegerField()
    units = serializers.IntegerField()
    amount = serializers.DecimalField(**AMOUNT)
    status = serializers.CharField(
        help_text="pending (settling), settled, failed (the escrow waits for a retry or a write-off), or "
        "written_off (the escrow was refunded)."
    )
    failure_reason = serializers.CharField(help_text="Why the settlement failed, in words; empty if not.")
    write_off_reason = serializers.CharField(help_text="Why staff wrote it off; empty if not written off.")
    tx_hash = serializers.CharField(source="chain_transaction.tx_hash", allow_null=True, default=None)


class OfferingAllotmentOutput(AllotmentOutput):
    subscription_id = serializers.IntegerField()
    investor = serializers.CharField(source="subscription.investor.full_name")


OfferingAllotmentPageOutput = page_output(OfferingAllotmentOutput)


class OfferingAllotmentListApi(APIView):
    """Staff and the offering's SME: its allotments and how each settled, oldest first, a page at a time."""

    permission_classes = [has_role(Role.SME, *STAFF_ROLES)]

    @extend_schema(
        operation_id="v1_offerings_allotments_list",
        parameters=[ListPageInput],
        responses={200: OfferingAllotmentPageOutput, **refusals(400, 404)},
    )
    def get(self, request: Request, offering_id: int) -> Response:
        offering = get_object_or_404(selectors.offerings_visible_to(request.user), pk=offering_id)
        rows = selectors.allotments_visible_to(request.user).filter(offering=offering).order_by("pk")
        return list_page(request, rows, OfferingAllotmentOutput)


class AllotmentRetryApi(APIView):
    """Staff queue a failed settlement again once its cause is fixed (the token's rules are checked first)."""

    permission_classes = [has_role(*STAFF_ROLES)]

    @extend_schema(request=None, responses={200: OfferingAllotmentOutput, **refusals(404, 409, 503)})
    def post(self, request: Request, allotment_id: int) -> Response:
        allotment = services.allotment_retry(actor=request.user, allotment_id=allotment_id)
        return Response(OfferingAllotmentOutput(selectors.allotment_of(allotment.pk)).data)


class AllotmentWriteOffApi(APIView):
    """Staff write off a failed allotment with a reason: the investor's escrow is refunded (cannot be undone),
    the subscription is released, and the offering completes when nothing else is outstanding."""

    permission_classes = [has_role(*STAFF_ROLES)]

    class AllotmentWriteOffInput(serializers.Serializer):
        reason = api_fields.CharField(
            max_length=REASON_MAX_LENGTH, help_text="Why; the investor and the audit trail see it."
        )

    @extend_schema(
        request=AllotmentWriteOffInput,
        responses={200: OfferingAllotmentOutput, **refusals(400, 404, 409, 413, 415, 503)},
    )
    def post(self, request: Request, allotment_id: int) -> Response:
        data = self.AllotmentWriteOffInput(data=request.data)
        data.is_valid(raise_exception=True)
        allotment = services.allotment_write_off(
            actor=request.user, allotment_id=allotment_id, **data.validated_data
        )
        return Response(OfferingAllotmentOutput(selectors.allotment_of(allotment.pk)).data)


class OfferingDocumentApi(StoredFileApi):
    """One offering document, inline, to those who may see its offering; an investor's opening is recorded
    (every current document must be opened before subscribing)."""

    @extend_schema(responses=stored_file_responses())
    def get(self, request: Request, document_id: int) -> FileResponse:
        document = services.offering_document_open(user=request.user, document_id=document_id)
        return FileResponse(
            document.file.open("rb"),
            as_attachment=False,
            filename=document.original_name,
            content_type=document.content_type,
        )


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
        units = api_fields.IntegerField(min_value=1, max_value=10**12)
        risk_disclosure_version = api_fields.CharField(
            max_length=SHORT_TEXT_MAX_LENGTH,
            help_text="The version of the risk disclosure you accept (the offering's `subscription_terms`).",
        )
        agreement_version = api_fields.CharField(
            max_length=SHORT_TEXT_MAX_LENGTH,
            help_text="The subscription agreement's version you accept (open every current document first).",
        )

    @extend_schema(
        request=SubscriptionCreateInput,
        responses={201: SubscriptionOutput, **refusals(400, 404, 409, 413, 415, 503)},
    )
    def post(self, request: Request, offering_id: int) -> Response:
        data = self.SubscriptionCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        subscription = services.subscription_create(
            user=request.user, offering_id=offering_id, **data.validated_data
        )
        return Response(SubscriptionOutput(subscription).data, status=status.HTTP_201_CREATED)


SubscriptionPageOutput = page_output(SubscriptionOutput)


class SubscriptionListApi(APIView):
    """Subscriptions you may see, with their allotments, newest first, a page at a time."""

    @extend_schema(
        operation_id="v1_subscriptions_list",
        parameters=[ListPageInput],
        responses={200: SubscriptionPageOutput, **refusals(400)},
    )
    def get(self, request: Request) -> Response:
        rows = selectors.subscriptions_visible_to(request.user).select_related("allotment__chain_transaction")
        return list_page(request, rows, SubscriptionOutput)


class HoldingNoticeOutput(serializers.Serializer):
    kind = serializers.ChoiceField(choices=TokenOperationKind.choices, help_text="The staff token operation.")
    what = serializers.CharField(help_text="What happened to the holding, in words.")
    why = serializers.CharField(help_text="The reason staff recorded (and a forced transfer's legal basis).")
    at = serializers.DateTimeField(help_text="When it was done (or approved, while under way).")
    in_progress = serializers.BooleanField(help_text="Sent to the chain, waiting for the safety delay.")
    tx_hash = serializers.CharField(allow_null=True, help_text="The last confirmed transaction of it.")


class HoldingOutput(serializers.Serializer):
    offering_id = serializers.IntegerField(source="offering.pk")
    title = serializers.CharField(source="offering.application.title")
    token_address = serializers.CharField(source="offering.token.address", allow_null=True)
    wallet_address = serializers.CharField()
    units = serializers.IntegerField(
        help_text="Units the wallet holds on chain, as the event indexer read the token's transfers "
        "(see `index.as_of_block`)."
    )
    recorded_units = serializers.IntegerField(
        help_text="Units the platform's books give: settled allotments."
    )
    frozen = serializers.BooleanField(help_text="The wallet is frozen on this token.")
    frozen_units = serializers.IntegerField(help_text="Units frozen on chain (not transferable).")
    payment_late = serializers.BooleanField(
        help_text="A payment of this offering is late: the issuer has not funded it (in arrears)."
    )
    unit_price = serializers.DecimalField(source="offering.unit_price", **AMOUNT)
    currency = serializers.CharField(source="offering.currency")
    value = serializers.DecimalField(**AMOUNT, help_text="Units times the unit price.")
    notices = HoldingNoticeOutput(
        many=True,
        help_text="Staff actions on this holding (freeze, pause, recovery, forced transfer), newest first.",
    )


class HistoryEntryOutput(serializers.Serializer):
    kind = serializers.ChoiceField(
        choices=sorted(HISTORY_LABELS), help_text="What happened, from the wallet's side."
    )
    label = serializers.CharField()
    token_address = serializers.CharField(help_text="The security token concerned; empty when none.")
    units = serializers.IntegerField(allow_null=True, help_text="Security-token units (whole units).")
    money_base_units = serializers.IntegerField(
        allow_null=True,
        help_text="Payment-token base units (6 decimals, the offering's currency) moved.",
    )
    refund_base_units = serializers.IntegerField(
        allow_null=True, help_text="At settlement, the base units refunded to the investor."
    )
    tx_hash = serializers.CharField()
    block_number = serializers.IntegerField()
    log_index = serializers.IntegerField()


class IndexFreshnessOutput(serializers.Serializer):
    as_of_block = serializers.IntegerField(
        source="block", allow_null=True, help_text="The last block the event indexer has read."
    )
    head_block = serializers.IntegerField(
        source="head", allow_null=True, help_text="The chain head the indexer last saw."
    )
    catching_up = serializers.BooleanField(
        help_text="The index is behind the chain (or has not run lately): holdings may change."
    )


class PortfolioSubscriptionOutput(serializers.Serializer):
    id = serializers.IntegerField()
    offering_id = serializers.IntegerField()
    reference = serializers.CharField(source="offering.reference", help_text="The offering's reference code.")
    title = serializers.CharField(source="offering.application.title")
    status = serializers.CharField()
    units = serializers.IntegerField()
    amount = serializers.DecimalField(**AMOUNT)
    funding_tx_hash = serializers.CharField(
        source="funding_transaction.tx_hash", allow_null=True, default=None
    )
    allotment = serializers.SerializerMethodField()

    @extend_schema_field(AllotmentOutput(allow_null=True))
    def get_allotment(self, obj: Subscription) -> dict[str, object] | None:
        allotment = getattr(obj, "allotment", None)
        return AllotmentOutput(allotment).data if allotment else None


class CurrencyBalanceOutput(serializers.Serializer):
    currency = serializers.CharField(help_text="HKD, CNY (the CNH stablecoin), MOP or USD.")
    amount = serializers.DecimalField(max_digits=30, decimal_places=6)


class CashOutput(serializers.Serializer):
    wallet_address = serializers.CharField(allow_null=True)
    hkd_balance = serializers.DecimalField(
        **AMOUNT, allow_null=True, help_text="The HKD stablecoin balance on chain; null when unreadable."
    )
    balances = CurrencyBalanceOutput(
        many=True, allow_null=True, help_text="The balance in each listed stablecoin; null when unreadable."
    )


class PortfolioOutput(serializers.Serializer):
    holdings = HoldingOutput(many=True)
    subscriptions = PortfolioSubscriptionOutput(many=True)
    cash = CashOutput()
    index = IndexFreshnessOutput(allow_null=True, help_text="How fresh the holdings and history are.")
    history = HistoryEntryOutput(
        many=True, help_text="The wallet's newest chain events (at most 20), newest first."
    )
    history_next = serializers.CharField(
        allow_null=True, help_text="The history API's page after these entries; null when there is none."
    )
    transactions = TransactionOutput(
        many=True,
        help_text="The newest entries of the investor's transactions (subscriptions and chain events), "
        "as `/api/v1/portfolio/transactions/` answers them.",
    )
    transactions_next = serializers.CharField(
        allow_null=True, help_text="The transactions API's page after these; null when there is none."
    )
    income = HoldingIncomeOutput(
        many=True, help_text="Per holding: invested, payments received to date, yield to date, upcoming."
    )
    payments_received = ReceivedPaymentOutput(
        many=True, help_text="The newest payments received (at most 20)."
    )
    payments_due = UpcomingPaymentOutput(
        many=True, help_text="Payments due on the investor's holdings, soonest first, with their share."
    )
    chain_unavailable = serializers.BooleanField(help_text="Some chain figure could not be read.")


# What the portfolio lists: subscriptions still in play (funding, in escrow) and those allotted.
PORTFOLIO_SUBSCRIPTION_STATUSES = (
    SubscriptionStatus.FUNDING,
    SubscriptionStatus.ACTIVE,
    SubscriptionStatus.ALLOTTED,
    SubscriptionStatus.RELEASED,
)


class PortfolioApi(APIView):
    """The logged-in investor's holdings, transaction history, live and allotted subscriptions, and cash.

    Holdings and history come from the event indexer (the chain's events read into the database: no
    chain call per holding), with how fresh they are; the balance in each currency's stablecoin is read
    from the chain (one batched request). Another
    investor's holdings are never visible.
    """

    permission_classes = [has_role(Role.INVESTOR)]

    @extend_schema(responses={200: PortfolioOutput, **refusals()})
    def get(self, request: Request) -> Response:
        overview = selectors.investor_overview(request.user)
        profile = overview.profile
        wallet = getattr(profile, "wallet", None) if profile is not None else None
        address = wallet.address if wallet is not None else None
        holdings = [
            {
                "offering": holding.offering,
                "wallet_address": address,
                "units": holding.units,
                "recorded_units": holding.recorded_units,
                "frozen": holding.frozen,
                "frozen_units": holding.frozen_units,
                "payment_late": holding.payment_late,
                "value": holding.offering.unit_price * holding.units,
                "notices": holding.notices,
            }
            for holding in overview.holdings
        ]
        subscriptions = [s for s in overview.subscriptions if s.status in PORTFOLIO_SUBSCRIPTION_STATUSES]
        more = reverse("api-portfolio-history") + f"?offset={len(overview.history)}"
        body = {
            "holdings": holdings,
            "subscriptions": subscriptions,
            "cash": {
                "wallet_address": address,
                "hkd_balance": overview.balance,
                "balances": None
                if overview.balances is None
                else [{"currency": c, "amount": a} for c, a in overview.balances.items()],
            },
            "index": overview.freshness,
            "history": overview.history,
            "history_next": request.build_absolute_uri(more) if overview.history_more else None,
            "transactions": overview.transactions,
            "income": overview.payments.holdings,
            "payments_received": overview.payments.received,
            "payments_due": overview.payments.upcoming,
            "transactions_next": request.build_absolute_uri(
                reverse("api-portfolio-transactions") + f"?offset={len(overview.transactions)}"
            )
            if overview.transactions_more
            else None,
            "chain_unavailable": overview.chain_unavailable,
        }
        return Response(PortfolioOutput(body).data)


class PortfolioHistoryApi(APIView):
    """The logged-in investor's wallet history from the event indexer (subscriptions funded, settlements,
    refunds, distributions, transfers, freezes, identity changes), newest first, a page at a time."""

    permission_classes = [has_role(Role.INVESTOR)]

    @extend_schema(
        parameters=[ListPageInput], responses={200: page_output(HistoryEntryOutput), **refusals(400)}
    )
    def get(self, request: Request) -> Response:
        address = selectors.investor_wallet_address(request.user)
        rows = wallet_events(address) if address else ChainEvent.objects.none()
        return list_page(
            request, rows, HistoryEntryOutput, results=lambda chunk: history_entries(str(address), chunk)
        )


class SubscriptionWithdrawApi(APIView):
    """Withdraw one's own subscription while the offering is open."""

    permission_classes = [has_role(Role.INVESTOR)]

    @extend_schema(request=None, responses={200: SubscriptionOutput, **refusals(404, 409)})
    def post(self, request: Request, subscription_id: int) -> Response:
        subscription = services.subscription_withdraw(user=request.user, subscription_id=subscription_id)
        return Response(SubscriptionOutput(subscription).data)


class SchedulePreviewInput(serializers.Serializer):
    """The terms as JSON; decimals are strings. Validation is the schedule module's (all errors at once)."""

    instrument = serializers.ChoiceField(choices=Instrument.choices)
    currency = serializers.ChoiceField(choices=Currency.choices)
    principal = api_fields.NumberTextField()
    annual_rate = api_fields.NumberTextField(required=False, allow_null=True)
    start_date = api_fields.DateField(required=False, allow_null=True)
    maturity_date = api_fields.DateField(required=False, allow_null=True)
    term_months = api_fields.IntegerField(required=False, allow_null=True)
    frequency = serializers.ChoiceField(choices=Frequency.choices, required=False, allow_null=True)
    amortization = serializers.ChoiceField(
        choices=["annuity", "equal_principal", "bullet"], required=False, allow_null=True
    )
    grace_periods = api_fields.IntegerField(required=False, allow_null=True)
    day_count = api_fields.CharField(
        max_length=32,
        required=False,
        help_text="Bonds: a market name (ACT/365F, ACT/365 Fixed, ACT/360, 30/360, 30E/360; case and spaces "
        "do not matter) or a code (act_365f, act_360, thirty_360, thirty_e_360). Default ACT/365F.",
    )
    business_day_convention = serializers.ChoiceField(
        choices=["following", "modified_following", "unadjusted"], required=False
    )
    calendar = serializers.ChoiceField(choices=["HK", "none"], required=False)
    residual_value = api_fields.NumberTextField(required=False, allow_null=True)
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


class SchedulePreviewOutput(ScheduleOutput):
    day_count = serializers.ChoiceField(
        choices=list(DAY_COUNT_NAMES), help_text="The day count the schedule accrued by, as a code."
    )
    day_count_name = serializers.ChoiceField(
        choices=list(DAY_COUNT_NAMES.values()), help_text="The same day count by its market name."
    )


class SchedulePreviewApi(APIView):
    """The cash-flow schedule of any instrument's terms, row by row, with totals."""

    @extend_schema(
        request=SchedulePreviewInput, responses={200: SchedulePreviewOutput, **refusals(400, 413, 415)}
    )
    def post(self, request: Request) -> Response:
        if not isinstance(request.data, dict):
            raise ValidationFailed("Send the terms as a JSON object.")
        return Response(selectors.schedule_preview(request.data))


# --- servicing: payment calendar, funding, dividends -------------------------------------------------


class OfferingPaymentOutput(serializers.Serializer):
    id = serializers.IntegerField()
    offering_id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=PaymentKind.choices)
    sequence = serializers.IntegerField()
    due_date = serializers.DateField()
    record_date = serializers.DateField()
    currency = serializers.CharField()
    amount = serializers.DecimalField(**AMOUNT, help_text="The scheduled total for all units, to the cent.")
    principal = serializers.DecimalField(**AMOUNT)
    interest = serializers.DecimalField(**AMOUNT)
    units = serializers.IntegerField(help_text="Units the payment is paid on.")
    per_unit = serializers.DecimalField(
        max_digits=24, decimal_places=6, help_text="The total per unit (6 places, rounded down)."
    )
    status = serializers.ChoiceField(choices=PaymentStatus.choices)
    amount_due = serializers.SerializerMethodField(
        help_text="What funding it takes today: the amount plus default interest when late; null once funded."
    )
    default_interest = serializers.DecimalField(**AMOUNT)
    funded_amount = serializers.DecimalField(**AMOUNT, allow_null=True)
    failure_reason = serializers.CharField()
    funding_tx_hash = serializers.CharField(
        source="funding_transaction.tx_hash", allow_null=True, default=None
    )
    funded_at = serializers.DateTimeField(allow_null=True)
    paid_at = serializers.DateTimeField(allow_null=True)

    @extend_schema_field(serializers.DecimalField(**AMOUNT, allow_null=True))
    def get_amount_due(self, obj: OfferingPayment) -> str | None:
        if obj.status not in FUNDABLE_PAYMENT_STATUSES:
            return None
        return f"{servicing.amount_due(obj):.2f}"


OfferingPaymentPageOutput = page_output(OfferingPaymentOutput)


class OfferingPaymentListApi(APIView):
    """The offering's payment calendar (its SME and staff), in due-date order, a page at a time."""

    permission_classes = [has_role(Role.SME, *STAFF_ROLES)]

    @extend_schema(
        operation_id="v1_offerings_payments_list",
        parameters=[ListPageInput],
        responses={200: OfferingPaymentPageOutput, **refusals(400, 404)},
    )
    def get(self, request: Request, offering_id: int) -> Response:
        offering = get_object_or_404(selectors.offerings_visible_to(request.user), pk=offering_id)
        rows = selectors.payments_visible_to(request.user).filter(offering=offering).order_by("sequence")
        return list_page(request, rows, OfferingPaymentOutput)


class PaymentFundInput(serializers.Serializer):
    amount = api_fields.DecimalField(
        **AMOUNT, help_text="Exactly the amount due (see `amount_due`): a different amount is refused."
    )


class OfferingPaymentFundApi(APIView):
    """The issuer funds one payment from its company's wallet: the wallet authorises exactly the amount
    due for the Settlement contract, which pays the holders at the record date on the due date."""

    permission_classes = [has_role(Role.SME)]

    @extend_schema(
        request=PaymentFundInput,
        responses={200: OfferingPaymentOutput, **refusals(400, 403, 404, 409, 413, 415, 503)},
    )
    def post(self, request: Request, payment_id: int) -> Response:
        data = PaymentFundInput(data=request.data)
        data.is_valid(raise_exception=True)
        payment = servicing.payment_fund(actor=request.user, payment_id=payment_id, **data.validated_data)
        return Response(
            OfferingPaymentOutput(selectors.payments_visible_to(request.user).get(pk=payment.pk)).data
        )


class DividendInput(serializers.Serializer):
    amount = api_fields.DecimalField(
        **AMOUNT, help_text="The dividend's total for all shares, in the offering's currency."
    )
    record_date = api_fields.DateField(help_text="Holders at this date are paid, pro rata to their shares.")
    payment_date = api_fields.DateField(help_text="The day it is paid (on or after the record date).")


class OfferingDividendApi(APIView):
    """The SME declares a dividend on its settled equity offering; it is then funded like any payment."""

    permission_classes = [has_role(Role.SME)]

    @extend_schema(
        request=DividendInput,
        responses={201: OfferingPaymentOutput, **refusals(400, 403, 404, 409, 413, 415)},
    )
    def post(self, request: Request, offering_id: int) -> Response:
        data = DividendInput(data=request.data)
        data.is_valid(raise_exception=True)
        payment = servicing.dividend_declare(
            actor=request.user, offering_id=offering_id, **data.validated_data
        )
        return Response(
            OfferingPaymentOutput(selectors.payments_visible_to(request.user).get(pk=payment.pk)).data,
            status=status.HTTP_201_CREATED,
        )


class TransferOutput(serializers.Serializer):
    id = serializers.IntegerField()
    offering_id = serializers.IntegerField(source="offering.pk")
    reference = serializers.CharField(source="offering.reference", help_text="The offering's reference code.")
    title = serializers.CharField(source="offering.application.title")
    status = serializers.ChoiceField(choices=TransferStatus.choices)
    status_label = serializers.CharField(source="get_status_display")
    units = serializers.IntegerField()
    price = serializers.DecimalField(**AMOUNT, help_text="Paid by the buyer for all the units; 0: a gift.")
    currency = serializers.CharField(source="offering.currency")
    seller = serializers.CharField(source="seller.full_name")
    buyer = serializers.CharField(source="buyer.full_name")
    seller_wallet = serializers.CharField()
    buyer_wallet = serializers.CharField()
    expires_at = serializers.DateTimeField(help_text="A sale not accepted by then expires.")
    failure_reason = serializers.CharField(
        help_text="Why the chain refused it, in plain words; empty if not."
    )
    tx_hash = serializers.CharField(source="chain_transaction.tx_hash", allow_null=True, default=None)
    created_at = serializers.DateTimeField()
    completed_at = serializers.DateTimeField(allow_null=True)


TransferPageOutput = page_output(TransferOutput)


class TransferListApi(APIView):
    """Transfers between investors (yours, on either side; all for staff), newest first; and making one."""

    def get_permissions(self) -> list[Any]:
        if self.request.method == "POST":  # only investors make transfers
            return [has_role(Role.INVESTOR)()]
        return super().get_permissions()

    class TransferCreateInput(serializers.Serializer):
        offering_id = api_fields.IntegerField(min_value=1, help_text="The holding's offering.")
        units = api_fields.IntegerField(min_value=1, max_value=10**12)
        recipient_reference = api_fields.CharField(
            max_length=SHORT_TEXT_MAX_LENGTH,
            help_text="The other investor's reference (shown on their portfolio, e.g. INV-12-3F9A0C7D21). "
            "Emails are not accepted, so nobody can find out who is registered.",
        )
        price = api_fields.DecimalField(
            max_digits=18,
            decimal_places=2,
            min_value=0,
            required=False,
            default=None,
            allow_null=True,
            help_text="What the buyer pays for all the units, in the offering's currency; empty or 0: "
            "a gift, sent at once. A sale waits for the buyer to accept.",
        )

    @extend_schema(
        operation_id="v1_transfers_list",
        parameters=[ListPageInput],
        responses={200: TransferPageOutput, **refusals(400)},
    )
    def get(self, request: Request) -> Response:
        return list_page(request, selectors.transfers_visible_to(request.user), TransferOutput)

    @extend_schema(
        operation_id="v1_transfers_create",
        request=TransferCreateInput,
        responses={201: TransferOutput, **refusals(400, 403, 404, 409, 413, 415, 503)},
    )
    def post(self, request: Request) -> Response:
        data = self.TransferCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        transfer = services.transfer_create(user=request.user, **data.validated_data)
        transfer = selectors.transfers_visible_to(request.user).get(pk=transfer.pk)
        return Response(TransferOutput(transfer).data, status=status.HTTP_201_CREATED)


class TransferAcceptApi(APIView):
    """The buyer accepts a sale: the units and the price move on chain together, once."""

    permission_classes = [has_role(Role.INVESTOR)]

    @extend_schema(request=None, responses={200: TransferOutput, **refusals(403, 404, 409, 503)})
    def post(self, request: Request, transfer_id: int) -> Response:
        services.transfer_accept(user=request.user, transfer_id=transfer_id)
        return Response(TransferOutput(selectors.transfers_visible_to(request.user).get(pk=transfer_id)).data)


class TransferCancelApi(APIView):
    """Either party calls off a sale before the buyer accepts it."""

    permission_classes = [has_role(Role.INVESTOR)]

    @extend_schema(request=None, responses={200: TransferOutput, **refusals(404, 409)})
    def post(self, request: Request, transfer_id: int) -> Response:
        services.transfer_cancel(user=request.user, transfer_id=transfer_id)
        return Response(TransferOutput(selectors.transfers_visible_to(request.user).get(pk=transfer_id)).data)
