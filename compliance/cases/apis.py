"""The case API: the queue, a case with the evidence beside it, decisions under four eyes, assignment,
notes, alerts, declared conflicts, and the applicant's side of requests for information.

Everything goes through `compliance.cases.services` and `compliance.services.case_decide`, the same
services the case pages call, so four eyes hold alike for pages, sessions and API keys.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import TooManyFilesSent
from django.db.models import QuerySet
from django.http import FileResponse
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.choices import COMPLIANCE_ROLES, Role
from accounts.models import User
from accounts.permissions import has_role
from compliance.apis import AuditEntryOutput
from compliance.cases import evidence, selectors, services
from compliance.cases.choices import (
    FINAL_DECISIONS,
    AlertKind,
    CaseKind,
    CaseStatus,
    Decision,
    InformationRequestStatus,
    Outcome,
    RiskLevel,
)
from compliance.cases.models import AnswerDocument, Case, CaseNote, ConflictDeclaration, InformationRequest
from compliance.models import InvestorProfile
from compliance.services import REQUEST_CHANGES, case_decide
from config import api_fields
from config.api import (
    PAGE_MAX_OFFSET,
    ListPageInput,
    StoredFileApi,
    limit_offset_page,
    list_page,
    page_output,
)
from config.errors import NotFound, ValidationFailed
from config.middleware import accepts_uploads
from config.schema import RecommendedOutput, decision_responses, refusals, stored_file_responses
from config.text import NAME_MAX_LENGTH, REASON_MAX_LENGTH, SHORT_TEXT_MAX_LENGTH
from issuers.models import Company

CASES_API_MAX_LIMIT = 200
# What a reviewer may send: the cases' decisions, and for an application also sending it back for changes.
DECISION_CHOICES = [*Decision.values, REQUEST_CHANGES]
# The answer to a final decision kept as a recommendation for an approver: accepted, not yet decided.
RECOMMENDED_STATUS = status.HTTP_202_ACCEPTED


# --- What the API answers -------------------------------------------------------------------------


class CaseUserOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="full_name")


class CaseSubjectOutput(serializers.Serializer):
    type = serializers.ChoiceField(choices=["company", "investor", "application"])
    id = serializers.IntegerField()
    label = serializers.CharField(help_text="The company's or investor's name, the application's title.")


class CaseRiskOutput(serializers.Serializer):
    score = serializers.IntegerField()
    level = serializers.ChoiceField(choices=RiskLevel.choices)


class CaseRiskFactorOutput(serializers.Serializer):
    code = serializers.CharField()
    points = serializers.IntegerField()
    text = serializers.CharField()
    needs_approver = serializers.BooleanField()


class CaseRiskDetailOutput(CaseRiskOutput):
    factors = CaseRiskFactorOutput(many=True, help_text="Why the case scores what it scores.")


class CaseRecommendationOutput(serializers.Serializer):
    by = CaseUserOutput(allow_null=True)
    decision = serializers.ChoiceField(choices=Decision.choices)
    reason = serializers.CharField()
    at = serializers.DateTimeField(allow_null=True)


class CaseOutput(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=CaseKind.choices)
    alert_kind = serializers.ChoiceField(
        choices=[("", "Not an alert"), *AlertKind.choices], help_text="Alerts only."
    )
    summary = serializers.CharField(help_text="What an alert is about (empty for other cases).")
    subject = CaseSubjectOutput(allow_null=True, help_text="What the case is about.")
    parent_id = serializers.IntegerField(allow_null=True, help_text="The case an alert was raised under.")
    status = serializers.ChoiceField(choices=CaseStatus.choices)
    outcome = serializers.ChoiceField(choices=[("", "Not decided yet"), *Outcome.choices])
    risk = CaseRiskOutput()
    needs_approver = serializers.BooleanField(
        help_text="Decided only by an approver, on another person's recommendation."
    )
    escalated = serializers.BooleanField()
    opened_at = serializers.DateTimeField()
    age_days = serializers.IntegerField(help_text="Whole days since the case was opened.")
    assignee = CaseUserOutput(allow_null=True)
    recommendation = CaseRecommendationOutput(allow_null=True)
    decided_by = CaseUserOutput(allow_null=True)
    decision_reason = serializers.CharField()
    decided_at = serializers.DateTimeField(allow_null=True)


CasePageOutput = page_output(CaseOutput)


class CaseCheckOutput(serializers.Serializer):
    name = serializers.CharField()
    status = serializers.ChoiceField(
        choices=[evidence.CheckStatus.PASSED, evidence.CheckStatus.ATTENTION, evidence.CheckStatus.FAILED]
    )
    text = serializers.CharField()
    details = serializers.ListField(child=serializers.CharField())


class CaseDocumentOutput(serializers.Serializer):
    kind = serializers.CharField()
    name = serializers.CharField()
    content_type = serializers.CharField()
    size = serializers.IntegerField()
    sha256 = serializers.CharField()
    url = serializers.CharField(help_text="Where the document opens inline.")
    uploaded_at = serializers.DateTimeField(allow_null=True)
    date = serializers.DateField(allow_null=True, help_text="The evidence's own date, where it has one.")


class AnswerDocumentOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="original_name")
    content_type = serializers.CharField()
    size = serializers.IntegerField()
    sha256 = serializers.CharField()
    uploaded_at = serializers.DateTimeField()
    url = serializers.SerializerMethodField(help_text="Where the file opens inline.")

    def get_url(self, document: AnswerDocument) -> str:
        return reverse("api-answer-document", args=[document.pk])


class CaseNoteOutput(serializers.Serializer):
    id = serializers.IntegerField()
    author = CaseUserOutput()
    text = serializers.CharField()
    created_at = serializers.DateTimeField()


class CaseInformationRequestOutput(serializers.Serializer):
    id = serializers.IntegerField()
    question = serializers.CharField()
    asked_by = CaseUserOutput()
    asked_at = serializers.DateTimeField()
    status = serializers.ChoiceField(choices=InformationRequestStatus.choices)
    answer = serializers.CharField()
    answered_by = CaseUserOutput(allow_null=True)
    answered_at = serializers.DateTimeField(allow_null=True)
    documents = AnswerDocumentOutput(many=True)


class CaseDetailOutput(CaseOutput):
    risk = CaseRiskDetailOutput()
    decisions = serializers.ListField(
        child=serializers.ChoiceField(choices=DECISION_CHOICES),
        help_text="The decisions this kind of case takes (a reason is required for all but approve).",
    )
    checks = CaseCheckOutput(many=True, help_text="The automatic checks' results.")
    documents = CaseDocumentOutput(many=True, help_text="The evidence documents.")
    notes = CaseNoteOutput(many=True, help_text="Internal notes, oldest first (never shown to applicants).")
    information_requests = CaseInformationRequestOutput(many=True, help_text="Questions and answers.")
    children = CaseOutput(many=True, help_text="Alerts raised under this case.")
    history = AuditEntryOutput(
        many=True, help_text="The audit trail of the case and its subject, newest first."
    )


class CaseDecisionOutput(CaseDetailOutput, RecommendedOutput):
    pass


class ConflictOutput(serializers.Serializer):
    id = serializers.IntegerField()
    company_id = serializers.IntegerField(allow_null=True)
    investor_id = serializers.IntegerField(allow_null=True)
    reason = serializers.CharField()
    declared_at = serializers.DateTimeField()


class MyInformationRequestOutput(serializers.Serializer):
    id = serializers.IntegerField()
    about = serializers.CharField(help_text="What the question is about: your company, application or KYC.")
    question = serializers.CharField()
    asked_at = serializers.DateTimeField()
    status = serializers.ChoiceField(choices=InformationRequestStatus.choices)
    answer = serializers.CharField()
    answered_at = serializers.DateTimeField(allow_null=True)
    documents = AnswerDocumentOutput(many=True)


def _subject(case: Case) -> dict[str, Any] | None:
    if case.application is not None:
        return {"type": "application", "id": case.application.pk, "label": case.application.title}
    if case.investor is not None:
        return {"type": "investor", "id": case.investor.pk, "label": case.investor.legal_name}
    if case.company is not None:
        return {"type": "company", "id": case.company.pk, "label": case.company.legal_name_en}
    return None


def case_data(case: Case) -> dict[str, Any]:
    """A case as the queue lists it."""
    recommendation = None
    if case.recommendation:
        recommendation = {
            "by": case.recommended_by,
            "decision": case.recommendation,
            "reason": case.recommendation_reason,
            "at": case.recommended_at,
        }
    return {
        "id": case.pk,
        "kind": case.kind,
        "alert_kind": case.alert_kind,
        "summary": case.summary,
        "subject": _subject(case),
        "parent_id": case.parent_id,
        "status": case.status,
        "outcome": case.outcome,
        "risk": {"score": case.risk_score, "level": case.risk_level, "factors": case.risk_factors},
        "needs_approver": case.needs_approver,
        "escalated": case.escalated,
        "opened_at": case.opened_at,
        "age_days": (timezone.now() - case.opened_at).days,
        "assignee": case.assignee,
        "recommendation": recommendation,
        "decided_by": case.decided_by,
        "decision_reason": case.decision_reason,
        "decided_at": case.decided_at,
    }


def case_detail_data(viewer: User, case: Case) -> dict[str, Any]:
    """A case with everything beside the decision."""
    children = case.children.select_related(
        "company", "investor", "application", "assignee", "recommended_by", "decided_by"
    )
    return {
        **case_data(case),
        "decisions": [
            *FINAL_DECISIONS[case.kind],
            Decision.REQUEST_INFO,
            Decision.ESCALATE,
            *([REQUEST_CHANGES] if case.kind == CaseKind.APPLICATION else []),
        ],
        "checks": [check.as_dict() for check in evidence.case_checks(case)],
        "documents": evidence.case_documents(case),
        "notes": case.notes.all(),
        "information_requests": case.information_requests.select_related("asked_by", "answered_by"),
        "children": [case_data(child) for child in children],
        "history": selectors.case_history(viewer, case),
    }


def _detail(viewer: User, case_id: int) -> Case:
    case = selectors.case_detail(viewer, case_id)
    if case is None:
        raise NotFound("No such case.")
    return case


# --- The queue --------------------------------------------------------------------------------------


class QueueFilterInput(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=[*CaseStatus.values, "all"],
        required=False,
        default="",
        help_text="A status; empty for every open case (the default); `all` for closed ones too.",
    )
    risk = serializers.ChoiceField(choices=RiskLevel.values, required=False, default="")
    older_than_days = api_fields.IntegerField(
        min_value=0, max_value=36500, required=False, allow_null=True, default=None
    )
    assignee = api_fields.CharField(
        max_length=12,
        required=False,
        default="",
        help_text="`me`, `none` (unassigned) or a reviewer's user id.",
    )
    search = api_fields.CharField(
        max_length=SHORT_TEXT_MAX_LENGTH,
        required=False,
        default="",
        help_text="Part of a company's or investor's name, an application's title or reference "
        "(APP-2026-0012, GBA-2026-0007) or an alert's summary.",
    )
    limit = api_fields.IntegerField(min_value=1, max_value=CASES_API_MAX_LIMIT, required=False, default=50)
    offset = api_fields.IntegerField(min_value=0, max_value=PAGE_MAX_OFFSET, required=False, default=0)

    def validate_assignee(self, value: str) -> str:
        if value in ("", "me", "none") or (value.isascii() and value.isdigit()):
            return value
        raise serializers.ValidationError("Give `me`, `none` or a user id.")

    def case_filter(self) -> selectors.CaseFilter:
        return selectors.CaseFilter.of(self.validated_data)


class CaseFilterInput(QueueFilterInput):
    kind = serializers.ChoiceField(choices=CaseKind.values, required=False, default="")


class AlertFilterInput(QueueFilterInput):
    alert_kind = serializers.ChoiceField(choices=AlertKind.values, required=False, default="")


def _page(request: Request, cases: QuerySet[Case], query: QueueFilterInput) -> Response:
    page = limit_offset_page(
        request,
        cases.select_related("decided_by"),
        limit=query.validated_data["limit"],
        offset=query.validated_data["offset"],
        results=lambda rows: [case_data(case) for case in rows],
    )
    return Response(CasePageOutput(page).data)


class CaseListApi(APIView):
    """The review queue (compliance): KYB, KYC, application and alert cases, oldest first, filtered."""

    permission_classes = [has_role(*COMPLIANCE_ROLES)]

    @extend_schema(
        operation_id="v1_compliance_cases_list",
        parameters=[CaseFilterInput],
        responses={200: CasePageOutput, **refusals(400)},
    )
    def get(self, request: Request) -> Response:
        query = CaseFilterInput(data=request.query_params)
        query.is_valid(raise_exception=True)
        return _page(request, selectors.cases_queue(request.user, query.case_filter()), query)


class AlertListApi(APIView):
    """Alert cases (compliance): screening hits, expiring or stale evidence, lapsed licences."""

    permission_classes = [has_role(*COMPLIANCE_ROLES)]

    @extend_schema(
        operation_id="v1_compliance_alerts_list",
        parameters=[AlertFilterInput],
        responses={200: CasePageOutput, **refusals(400)},
    )
    def get(self, request: Request) -> Response:
        query = AlertFilterInput(data=request.query_params)
        query.is_valid(raise_exception=True)
        alerts = selectors.alerts_queue(
            request.user, query.case_filter(), alert_kind=query.validated_data["alert_kind"]
        )
        return _page(request, alerts, query)


class CaseDetailApi(APIView):
    """One case with its risk factors, checks, documents, notes, questions, alerts and history."""

    permission_classes = [has_role(*COMPLIANCE_ROLES)]

    @extend_schema(responses={200: CaseDetailOutput, **refusals(404)})
    def get(self, request: Request, case_id: int) -> Response:
        case = _detail(request.user, case_id)
        return Response(CaseDetailOutput(case_detail_data(request.user, case)).data)


# --- Writes -----------------------------------------------------------------------------------------


class CaseDecisionApi(APIView):
    """Decide a case: approve / reject (clear / confirm an alert), request information, or escalate.

    Four eyes: a case that needs an approver keeps the first reviewer's final decision as a
    recommendation (answered with 202 and `"recommended": true`); a different approver then decides
    it (200). Nobody decides a case they submitted, recommended or are connected to (403).
    """

    permission_classes = [has_role(*COMPLIANCE_ROLES)]

    class CaseDecisionInput(serializers.Serializer):
        decision = serializers.ChoiceField(
            choices=DECISION_CHOICES, help_text="`request_changes` sends an application back to the SME."
        )
        reason = api_fields.CharField(
            max_length=REASON_MAX_LENGTH,
            required=False,
            allow_blank=True,
            default="",
            help_text="Required for every decision but approve; the question, to request information.",
        )
        closes_at = api_fields.DateTimeField(
            required=False, allow_null=True, default=None, help_text="Applications: when the offering closes."
        )
        professional_investors_only = serializers.BooleanField(
            required=False, default=True, help_text="Applications: offer to professional investors only."
        )
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
            help_text="Applications, required to approve: an intermediary on the licence register whose "
            "licence is in force today and covers type 1 (dealing in securities) or virtual-asset trading.",
        )

    @extend_schema(
        request=CaseDecisionInput,
        responses=decision_responses(CaseDecisionOutput, 400, 404, 409, 413, 415, 503),
    )
    def post(self, request: Request, case_id: int) -> Response:
        data = self.CaseDecisionInput(data=request.data)
        data.is_valid(raise_exception=True)
        decision = data.validated_data["decision"]
        case = case_decide(actor=request.user, case_id=case_id, **data.validated_data)
        recommended = decision in FINAL_DECISIONS[case.kind] and case.is_open
        case = _detail(request.user, case.pk)
        output = CaseDecisionOutput(
            case_detail_data(request.user, case), context={"recommended": recommended}
        )
        return Response(output.data, status=RECOMMENDED_STATUS if recommended else status.HTTP_200_OK)


class CaseAssignApi(APIView):
    """Give a case to a reviewer, or back to the pool with `null`."""

    permission_classes = [has_role(*COMPLIANCE_ROLES)]

    class CaseAssignInput(serializers.Serializer):
        assignee = api_fields.IntegerField(min_value=1, allow_null=True, help_text="A reviewer's user id.")

    @extend_schema(request=CaseAssignInput, responses={200: CaseOutput, **refusals(400, 404, 409, 413, 415)})
    def post(self, request: Request, case_id: int) -> Response:
        data = self.CaseAssignInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.case_assign(actor=request.user, case_id=case_id, assignee_id=data.validated_data["assignee"])
        return Response(CaseOutput(case_data(_detail(request.user, case_id))).data)


class CaseNoteApi(APIView):
    """Add an internal note to a case (staff only; never shown to the applicant)."""

    permission_classes = [has_role(*COMPLIANCE_ROLES)]

    class CaseNoteInput(serializers.Serializer):
        text = api_fields.CharField(max_length=REASON_MAX_LENGTH)

    @extend_schema(request=CaseNoteInput, responses={201: CaseNoteOutput, **refusals(400, 404, 413, 415)})
    def post(self, request: Request, case_id: int) -> Response:
        data = self.CaseNoteInput(data=request.data)
        data.is_valid(raise_exception=True)
        note: CaseNote = services.case_note_add(
            actor=request.user, case_id=case_id, text=data.validated_data["text"]
        )
        return Response(CaseNoteOutput(note).data, status=status.HTTP_201_CREATED)


class ConflictDeclareApi(APIView):
    """A reviewer declares a connection to a company or an investor: they may then not act on its cases."""

    permission_classes = [has_role(*COMPLIANCE_ROLES)]

    class ConflictInput(serializers.Serializer):
        company = api_fields.IntegerField(min_value=1, required=False, allow_null=True, default=None)
        investor = api_fields.IntegerField(min_value=1, required=False, allow_null=True, default=None)
        reason = api_fields.CharField(max_length=NAME_MAX_LENGTH, help_text="What the connection is.")

        def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
            if (attrs["company"] is None) == (attrs["investor"] is None):
                raise serializers.ValidationError({"company": ["Name one company or one investor."]})
            return attrs

    @extend_schema(request=ConflictInput, responses={201: ConflictOutput, **refusals(400, 413, 415)})
    def post(self, request: Request) -> Response:
        data = self.ConflictInput(data=request.data)
        data.is_valid(raise_exception=True)
        party: dict[str, Any] = {}
        if company_id := data.validated_data["company"]:
            party["company"] = Company.objects.filter(pk=company_id).first()
            if party["company"] is None:
                raise ValidationFailed("No such company.", fields={"company": "No such company."})
        else:
            party["investor"] = InvestorProfile.objects.filter(pk=data.validated_data["investor"]).first()
            if party["investor"] is None:
                raise ValidationFailed("No such investor.", fields={"investor": "No such investor."})
        declaration: ConflictDeclaration = services.conflict_declare(
            user=request.user, reason=data.validated_data["reason"], **party
        )
        return Response(ConflictOutput(declaration).data, status=status.HTTP_201_CREATED)


# --- The applicant's side ---------------------------------------------------------------------------


def _request_data(request: InformationRequest) -> dict[str, Any]:
    case = request.case
    if case.kind == CaseKind.APPLICATION and case.application is not None:
        about = f"Application: {case.application.title}"
    elif case.kind == CaseKind.KYC:
        about = "Your investor due diligence (KYC)"
    elif case.kind == CaseKind.KYB:
        about = "Your company's verification (KYB)"
    else:
        about = case.summary or case.get_alert_kind_display()
    return {
        "id": request.pk,
        "about": about,
        "question": request.question,
        "asked_at": request.asked_at,
        "status": request.status,
        "answer": request.answer,
        "answered_at": request.answered_at,
        "documents": request.documents.all(),
    }


class MyInformationRequestsApi(APIView):
    """The questions compliance sent you (an SME's representative or an investor), newest first."""

    permission_classes = [has_role(Role.SME, Role.INVESTOR)]

    @extend_schema(
        operation_id="v1_information_requests_list",
        parameters=[ListPageInput],
        responses={200: page_output(MyInformationRequestOutput), **refusals(400)},
    )
    def get(self, request: Request) -> Response:
        return list_page(
            request,
            selectors.requests_for(request.user),
            MyInformationRequestOutput,
            results=lambda rows: [_request_data(r) for r in rows],
        )


@accepts_uploads
class InformationRequestAnswerApi(APIView):
    """Answer a question (multipart: `answer` text and up to five `documents`, PDF, PNG or JPEG).

    The case goes back to the review queue. The whole request body, files included, may be at most
    one document's size limit plus 64 KB: send larger evidence as separate, smaller files.
    """

    permission_classes = [has_role(Role.SME, Role.INVESTOR)]
    parser_classes = [MultiPartParser]

    class InformationAnswerInput(serializers.Serializer):
        answer = api_fields.CharField(max_length=REASON_MAX_LENGTH)
        documents = serializers.ListField(
            child=serializers.FileField(),
            required=False,
            default=list,
            max_length=services.ANSWER_DOCUMENTS_MAX,
        )

    @extend_schema(
        request=InformationAnswerInput,
        responses={200: MyInformationRequestOutput, **refusals(400, 404, 409, 413, 415)},
    )
    def post(self, request: Request, request_id: int) -> Response:
        # Someone else's question is not found, whatever the body says.
        if selectors.request_for(request.user, request_id) is None:
            raise NotFound("No such request for information.")
        try:
            body = request.data
        except TooManyFilesSent as exc:
            raise ValidationFailed(
                "Too many files.",
                fields={"documents": f"Attach at most {services.ANSWER_DOCUMENTS_MAX} files to an answer."},
            ) from exc
        data = self.InformationAnswerInput(data=body)
        data.is_valid(raise_exception=True)
        answered = services.case_answer_with_documents(
            user=request.user,
            request_id=request_id,
            answer=data.validated_data["answer"],
            uploads=data.validated_data["documents"],
        )
        answered = selectors.requests_for(request.user).get(pk=answered.pk)
        return Response(MyInformationRequestOutput(_request_data(answered)).data)


@accepts_uploads
class InformationRequestDocumentApi(APIView):
    """Attach one file (multipart `file`: PDF, PNG or JPEG) to your answer before sending it.

    For evidence too large to send in one answer: each file may use the whole upload limit. The
    answer (`.../answer/`) then goes with every file attached so far, up to five in all.
    """

    permission_classes = [has_role(Role.SME, Role.INVESTOR)]
    parser_classes = [MultiPartParser]

    class AnswerDocumentInput(serializers.Serializer):
        file = serializers.FileField()

    @extend_schema(
        request=AnswerDocumentInput,
        responses={201: AnswerDocumentOutput, **refusals(400, 404, 409, 413, 415)},
    )
    def post(self, request: Request, request_id: int) -> Response:
        if selectors.request_for(request.user, request_id) is None:
            raise NotFound("No such request for information.")
        data = self.AnswerDocumentInput(data=request.data)
        data.is_valid(raise_exception=True)
        document = services.answer_document_add(
            user=request.user, request_id=request_id, upload=data.validated_data["file"]
        )
        return Response(AnswerDocumentOutput(document).data, status=status.HTTP_201_CREATED)


class AnswerDocumentApi(StoredFileApi):
    """A file attached to an answer, inline: to compliance staff and to the applicant who was asked."""

    permission_classes = [has_role(Role.SME, Role.INVESTOR, *COMPLIANCE_ROLES)]

    @extend_schema(responses=stored_file_responses())
    def get(self, request: Request, answer_document_id: int) -> FileResponse:
        document = selectors.answer_documents_visible_to(request.user).filter(pk=answer_document_id).first()
        if document is None:
            raise NotFound("No such document.")
        return FileResponse(
            document.file.open("rb"),
            as_attachment=False,
            filename=document.original_name,
            content_type=document.content_type,
        )

    @extend_schema(responses={204: None, **refusals(404, 409)})
    def delete(self, request: Request, answer_document_id: int) -> Response:
        """The applicant takes a file back off an answer not yet sent."""
        services.answer_document_remove(user=request.user, document_id=answer_document_id)
        return Response(status=status.HTTP_204_NO_CONTENT)
