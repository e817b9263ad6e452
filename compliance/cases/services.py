"""Writes of review cases: open on submission, raise alerts, route by risk, four eyes, assign, note, ask.

The kinds' own decision services (`company_kyb_decide`, `investor_kyc_decide`, `application_decide`,
`alert_decide`) call `gate` first: it refuses whoever may not decide the case (not compliance staff,
the submitter, anyone connected to the party, the recommender), and for a case that needs an
approver it records the first reviewer's decision as a recommendation instead of applying it. Only
when `gate` says so does the service apply the decision and `case_close` the case, so the pages and
the API (which both call these services) keep the same four eyes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext

from accounts.choices import COMPLIANCE_ROLES, Role
from accounts.models import User
from compliance.audit import audit_record, status_transition
from compliance.cases import risk
from compliance.cases.choices import (
    CASE_TRANSITIONS,
    FINAL_DECISIONS,
    OPEN_STATUSES,
    OUTCOME_OF,
    AlertKind,
    CaseKind,
    CaseStatus,
    Decision,
    InformationRequestStatus,
    Outcome,
)
from compliance.cases.models import AnswerDocument, Case, CaseNote, ConflictDeclaration, InformationRequest
from config.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from config.uploads import checked_upload, store_checked


def _kind_and_party(subject: models.Model) -> tuple[str, dict[str, models.Model]]:
    label = subject._meta.label_lower
    if label == "issuers.company":
        return CaseKind.KYB, {"company": subject}
    if label == "compliance.investorprofile":
        return CaseKind.KYC, {"investor": subject}
    if label == "financing.application":
        return CaseKind.APPLICATION, {"application": subject, "company": subject.company}  # type: ignore[attr-defined]
    raise TypeError(f"No review case for {label}.")


def _submitter(subject: models.Model) -> User | None:
    label = subject._meta.label_lower
    if label == "issuers.company":
        return subject.representative  # type: ignore[attr-defined]
    if label == "compliance.investorprofile":
        return subject.user  # type: ignore[attr-defined]
    return subject.company.representative  # type: ignore[attr-defined]


def _reassess(case: Case) -> Case:
    found = risk.assess(case)
    case.risk_score = min(found.score, 1000)
    case.risk_level = found.level
    case.risk_factors = found.factors_data()
    case.needs_approver = case.escalated or found.needs_approver
    Case.objects.filter(pk=case.pk).update(
        risk_score=case.risk_score,
        risk_level=case.risk_level,
        risk_factors=case.risk_factors,
        needs_approver=case.needs_approver,
        updated_at=timezone.now(),
    )
    return case


def case_reassess_party(*, company: Any = None, investor: Any = None) -> None:
    """Score again every open case about a party (after a screening result or an alert decision)."""
    cases = Case.objects.filter(status__in=OPEN_STATUSES).exclude(kind=CaseKind.ALERT)
    if company is not None:
        cases = cases.filter(company=company)
    elif investor is not None:
        cases = cases.filter(investor=investor)
    else:
        return
    for case in cases.select_related("company", "investor", "application__company"):
        _reassess(case)


@transaction.atomic
def case_open(*, subject: models.Model, submitted_by: User | None = None) -> Case:
    """The open case for a submitted company, investor or application: created (and scored) if none is."""
    kind, party = _kind_and_party(subject)
    lookup = {"kind": kind, ("application" if kind == CaseKind.APPLICATION else next(iter(party))): subject}
    case = Case.objects.select_for_update().filter(status__in=OPEN_STATUSES, **lookup).first()
    if case is not None:
        return case
    case = Case.objects.create(
        kind=kind, opened_at=timezone.now(), submitted_by=submitted_by or _submitter(subject), **party
    )
    _reassess(case)
    audit_record(
        actor=case.submitted_by,
        action="case_opened",
        obj=case,
        data={"kind": kind, "risk_score": case.risk_score, "risk_level": case.risk_level},
    )
    return case


def case_for(subject: models.Model, *, lock: bool = False) -> Case | None:
    """The subject's open case, if it has one."""
    kind, party = _kind_and_party(subject)
    field = "application" if kind == CaseKind.APPLICATION else next(iter(party))
    cases = Case.objects.filter(kind=kind, status__in=OPEN_STATUSES, **{field: subject})
    return (cases.select_for_update() if lock else cases).first()


@transaction.atomic
def alert_raise(
    *,
    kind: str,
    key: str,
    summary: str,
    detail: dict[str, Any] | None = None,
    company: Any = None,
    investor: Any = None,
    application: Any = None,
    parent: Case | None = None,
) -> Case:
    """Open an alert case once per key (while it is open); the party's other cases are scored again."""
    if kind not in AlertKind.values:
        raise ValueError(f"Unknown alert kind {kind!r}.")
    existing = Case.objects.filter(kind=CaseKind.ALERT, alert_key=key, status__in=OPEN_STATUSES).first()
    if existing is not None:
        return existing
    if application is not None and company is None:
        company = application.company
    case = Case.objects.create(
        kind=CaseKind.ALERT,
        alert_kind=kind,
        alert_key=key,
        summary=summary[:300],
        detail=detail or {},
        company=company,
        investor=investor,
        application=application,
        parent=parent,
        opened_at=timezone.now(),
    )
    _reassess(case)
    audit_record(actor=None, action="alert_raised", obj=case, data={"alert_kind": kind, "summary": summary})
    case_reassess_party(company=company, investor=investor)
    return case


# What confirming or clearing each kind of alert does besides closing it (registered by the app that
# owns the alert: the sanctions block, the evidence expiry, the licence check).
AlertEffect = Callable[[Case, str, User], None]
ALERT_EFFECTS: dict[str, AlertEffect] = {}


def on_alert_decided(kind: str) -> Callable[[AlertEffect], AlertEffect]:
    def register(effect: AlertEffect) -> AlertEffect:
        ALERT_EFFECTS[kind] = effect
        return effect

    return register


def _connected(actor: User, case: Case) -> str:
    """Why the actor may not decide the case, or '' when nothing connects them."""
    if case.submitted_by_id == actor.pk:
        return gettext("You submitted this case.")
    company = case.company  # an application's case carries its company too
    if company is not None:
        if company.representative_id == actor.pk:
            return gettext("You represent this company.")
        if ConflictDeclaration.objects.filter(user=actor, company=company).exists():
            return gettext("You declared a connection to this company.")
        from compliance.screening.normalise import name_tokens

        mine = sorted(name_tokens(actor.full_name or ""))
        if mine and any(sorted(name_tokens(p.full_name)) == mine for p in company.people.all()):
            return gettext("You share a name with a director or owner of this company.")
    if case.investor_id:
        assert case.investor is not None
        if case.investor.user_id == actor.pk:
            return gettext("This is your own due diligence.")
        if ConflictDeclaration.objects.filter(user=actor, investor=case.investor).exists():
            return gettext("You declared a connection to this investor.")
    return ""


def may_act(actor: User, case: Case) -> None:
    if actor.role not in COMPLIANCE_ROLES:
        raise PermissionDenied(gettext("Only compliance staff may act on review cases."))
    if not case.is_open:
        raise Conflict(
            gettext("Case #%(pk)s is closed (%(lower)s).")
            % {"pk": case.pk, "lower": case.get_outcome_display().lower()}
        )
    if why := _connected(actor, case):
        raise PermissionDenied(
            gettext("%(why)s Another reviewer must act on case #%(pk)s.") % {"why": why, "pk": case.pk}
        )


def _locked(case_id: int) -> Case:
    case = (
        Case.objects.select_for_update(of=("self",))
        .select_related("company", "investor", "application__company")
        .filter(pk=case_id)
        .first()
    )
    if case is None:
        raise NotFound(gettext("No such case."))
    return case


def _open_sanctions_alert(case: Case) -> bool:
    company = case.company  # an application's case carries its company too
    party: dict[str, Any] = {"company": company} if company is not None else {"investor": case.investor}
    return Case.objects.filter(
        kind=CaseKind.ALERT,
        alert_kind__in=[AlertKind.SCREENING_MATCH, AlertKind.WALLET_MATCH],
        status__in=OPEN_STATUSES,
        **party,
    ).exists()


def gate(*, actor: User, case: Case, decision: str, reason: str = "") -> bool:
    """Four eyes for a final decision: True to apply it now, False when it was kept as a recommendation.

    Call inside the deciding transaction with the case locked (`case_for(subject, lock=True)`).
    """
    may_act(actor, case)
    if case.status == CaseStatus.INFO_REQUESTED:
        raise Conflict(gettext("The applicant has not answered the request for information yet."))
    if decision == Decision.APPROVE and case.kind != CaseKind.ALERT and _open_sanctions_alert(case):
        raise Conflict(
            gettext("A possible sanctions match on this party is open: clear or confirm it first.")
        )
    if decision == Decision.APPROVE:
        from compliance.screening.alerts import approval_refusal  # screening imports the case services

        if why := approval_refusal(case):
            raise Conflict(why)
    _reassess(case)
    if not case.needs_approver:
        return True
    if case.status != CaseStatus.AWAITING_APPROVER:
        status_transition(
            case,
            to=CaseStatus.AWAITING_APPROVER,
            transitions=CASE_TRANSITIONS,
            actor=actor,
            reason=reason,
            data={"recommendation": decision, "risk_level": case.risk_level},
            extra={
                "recommended_by": actor,
                "recommendation": decision,
                "recommendation_reason": reason,
                "recommended_at": timezone.now(),
            },
        )
        return False
    if why := awaiting_approver_refusal(actor, case):
        raise PermissionDenied(why)
    return True


def awaiting_approver_refusal(actor: User, case: Case) -> str:
    """Why `actor` may not take the decision on a case awaiting an approver ('' when they may)."""
    if case.recommended_by_id == actor.pk:
        return gettext("You made the recommendation on this case; a different approver must decide.")
    if actor.role != Role.APPROVER:
        return gettext(
            "An approver decides case #%(pk)s because %(approver_reason)s, on the "
            "recommendation already made."
        ) % {"pk": case.pk, "approver_reason": case.approver_reason}
    return ""


def case_close(
    *,
    subject: models.Model | None = None,
    case: Case | None = None,
    outcome: str,
    actor: User | None,
    reason: str = "",
) -> Case | None:
    """Close the subject's (or the given) open case with its outcome; scores the party's other cases again."""
    case = case or (case_for(subject, lock=True) if subject is not None else None)
    if case is None or not case.is_open:
        return case
    final = outcome in (Outcome.APPROVED, Outcome.REJECTED, Outcome.CLEARED, Outcome.CONFIRMED)
    status_transition(
        case,
        to=CaseStatus.CLOSED,
        transitions=CASE_TRANSITIONS,
        actor=actor,
        reason=reason,
        data={"outcome": outcome},
        extra={
            "outcome": outcome,
            "decided_by": actor if final else None,
            "decision_reason": reason,
            "decided_at": timezone.now(),
        },
    )
    InformationRequest.objects.filter(case=case, status=InformationRequestStatus.OPEN).delete()
    if case.kind == CaseKind.ALERT:
        case_reassess_party(company=case.company, investor=case.investor)
    return case


def _reason_required(decision: str, reason: str) -> None:
    if decision != Decision.APPROVE and not reason.strip():
        raise ValidationFailed(
            gettext("Say why."), fields={"reason": gettext("A reason is required for this decision.")}
        )


@transaction.atomic
def alert_decide(*, actor: User, case_id: int, decision: str, reason: str) -> Case:
    """Clear (not a match, not stale ...) or confirm an alert with a reason; four eyes where its risk asks."""
    case = _locked(case_id)
    if case.kind != CaseKind.ALERT:
        raise NotFound(gettext("No such alert."))
    if decision not in FINAL_DECISIONS[CaseKind.ALERT]:
        raise ValidationFailed(
            gettext("Clear or confirm the alert."), fields={"decision": gettext("Choose clear or confirm.")}
        )
    _reason_required(decision, reason)
    if not gate(actor=actor, case=case, decision=decision, reason=reason):
        return case
    if effect := ALERT_EFFECTS.get(case.alert_kind):
        effect(case, decision, actor)
    case_close(case=case, outcome=OUTCOME_OF[Decision(decision)], actor=actor, reason=reason)
    return case


@transaction.atomic
def case_escalate(*, actor: User, case_id: int, reason: str) -> Case:
    """Send a case to an approver whatever its score; the escalating reviewer cannot then decide it."""
    case = _locked(case_id)
    may_act(actor, case)
    _reason_required(Decision.ESCALATE, reason)
    if case.status != CaseStatus.OPEN:
        raise Conflict(
            gettext("Case #%(pk)s is %(lower)s; only an open case is escalated.")
            % {"pk": case.pk, "lower": case.get_status_display().lower()}
        )
    status_transition(
        case,
        to=CaseStatus.AWAITING_APPROVER,
        transitions=CASE_TRANSITIONS,
        actor=actor,
        reason=reason,
        data={"recommendation": Decision.ESCALATE},
        extra={
            "escalated": True,
            "needs_approver": True,
            "recommended_by": actor,
            "recommendation": Decision.ESCALATE,
            "recommendation_reason": reason,
            "recommended_at": timezone.now(),
        },
    )
    return case


@transaction.atomic
def case_request_information(*, actor: User, case_id: int, question: str) -> InformationRequest:
    """Ask the applicant something; the case waits for the answer, then returns to the queue."""
    case = _locked(case_id)
    may_act(actor, case)
    if not question.strip():
        raise ValidationFailed(
            gettext("Say what the applicant should provide."),
            fields={"reason": gettext("Write the question.")},
        )
    if case.kind == CaseKind.ALERT and case.company_id is None and case.investor_id is None:
        raise Conflict(gettext("This alert has no applicant to ask."))
    if case.status == CaseStatus.INFO_REQUESTED:
        raise Conflict(gettext("A request for information is already waiting for the applicant."))
    status_transition(
        case,
        to=CaseStatus.INFO_REQUESTED,
        transitions=CASE_TRANSITIONS,
        actor=actor,
        reason=question,
        extra={
            "recommended_by": None,
            "recommendation": "",
            "recommendation_reason": "",
            "recommended_at": None,
        },
    )
    request = InformationRequest.objects.create(case=case, asked_by=actor, question=question.strip())
    audit_record(actor=actor, action="information_requested", obj=case, reason=question.strip())
    from compliance import notices  # notices import the cases' models

    notices.information_requested(request, applicant_of(case))
    return request


def applicant_of(case: Case) -> User | None:
    """Who answers the case's requests for information: the company's representative or the investor."""
    company = case.company  # an application's case carries its company too
    if company is not None:
        return company.representative
    if case.investor is not None:
        return case.investor.user
    return None


@transaction.atomic
def case_answer_information(*, user: User, request_id: int, answer: str) -> InformationRequest:
    """The applicant answers a request; the case goes back to the queue (documents: `answer_document_add`)."""
    request = (
        InformationRequest.objects.select_for_update(of=("self",))
        .select_related("case__company", "case__investor", "case__application__company")
        .filter(pk=request_id)
        .first()
    )
    if request is None or applicant_of(request.case) != user:
        raise NotFound(gettext("No such request for information."))
    if request.status != InformationRequestStatus.OPEN:
        raise Conflict(gettext("This request was already answered."))
    if not answer.strip():
        raise ValidationFailed(
            gettext("Write your answer."), fields={"answer": gettext("Write your answer.")}
        )
    request.answer = answer.strip()
    request.answered_by = user
    request.answered_at = timezone.now()
    request.status = InformationRequestStatus.ANSWERED
    request.save(update_fields=["answer", "answered_by", "answered_at", "status"])
    case = _locked(request.case_id)
    status_transition(
        case, to=CaseStatus.OPEN, transitions=CASE_TRANSITIONS, actor=user, reason=answer.strip()
    )
    audit_record(actor=user, action="information_answered", obj=case)
    return request


ANSWER_DOCUMENTS_MAX = 5


@transaction.atomic
def answer_document_add(*, user: User, request_id: int, upload: UploadedFile) -> AnswerDocument:
    """Attach a file (PDF, PNG or JPEG) to the applicant's answer, while the request is open."""
    request = (
        InformationRequest.objects.select_for_update(of=("self",))
        .select_related("case__company", "case__investor")
        .filter(pk=request_id)
        .first()
    )
    if request is None or applicant_of(request.case) != user:
        raise NotFound(gettext("No such request for information."))
    if request.status != InformationRequestStatus.OPEN:
        raise Conflict(gettext("This request was already answered; documents can no longer be added to it."))
    if request.documents.count() >= ANSWER_DOCUMENTS_MAX:
        raise ValidationFailed(
            gettext("Too many files."),
            fields={
                "documents": gettext("Attach at most %(ANSWER_DOCUMENTS_MAX)s files to an answer.")
                % {"ANSWER_DOCUMENTS_MAX": ANSWER_DOCUMENTS_MAX}
            },
        )
    checked = checked_upload(upload, field="documents")
    if request.documents.filter(sha256=checked.sha256).exists():
        raise ValidationFailed(
            gettext("Already attached."),
            fields={"documents": gettext("This exact file is already attached.")},
        )
    document = store_checked(
        AnswerDocument(
            request=request,
            uploaded_by=user,
        ),
        checked,
        upload,
    )
    audit_record(
        actor=user, action="answer_document_added", obj=request.case, data={"sha256": checked.sha256}
    )
    return document


@transaction.atomic
def answer_document_remove(*, user: User, document_id: int) -> None:
    """Take a file back off the applicant's answer before it is sent (the stored file goes too)."""
    document = (
        AnswerDocument.objects.select_for_update(of=("self",))
        .select_related("request__case__company", "request__case__investor")
        .filter(pk=document_id)
        .first()
    )
    if document is None or applicant_of(document.request.case) != user:
        raise NotFound(gettext("No such document."))
    if document.request.status != InformationRequestStatus.OPEN:
        raise Conflict(gettext("This answer was sent; its documents stay with the case."))
    audit_record(
        actor=user,
        action="answer_document_removed",
        obj=document.request.case,
        data={"sha256": document.sha256, "name": document.original_name},
    )
    stored = document.file.name
    storage = document.file.storage
    document.delete()
    transaction.on_commit(lambda: storage.delete(stored))


@transaction.atomic
def case_assign(*, actor: User, case_id: int, assignee_id: int | None) -> Case:
    """Give a case to a reviewer (or take it back to the pool); anyone on the team may reassign."""
    case = _locked(case_id)
    if actor.role not in COMPLIANCE_ROLES:
        raise PermissionDenied(gettext("Only compliance staff may assign review cases."))
    if not case.is_open:
        raise Conflict(gettext("Case #%(pk)s is closed.") % {"pk": case.pk})
    assignee = None
    if assignee_id is not None:
        assignee = User.objects.filter(pk=assignee_id, role__in=COMPLIANCE_ROLES, is_active=True).first()
        if assignee is None:
            raise ValidationFailed(
                gettext("Choose a compliance officer or approver."),
                fields={"assignee": gettext("Not a reviewer.")},
            )
        if why := _connected(assignee, case):
            raise ValidationFailed(
                gettext("%(full_name)s may not review this case.") % {"full_name": assignee.full_name},
                fields={"assignee": why.replace("You", "They")},
            )
    Case.objects.filter(pk=case.pk).update(assignee=assignee, updated_at=timezone.now())
    case.assignee = assignee
    audit_record(
        actor=actor,
        action="case_assigned",
        obj=case,
        data={"assignee": assignee.full_name if assignee else ""},
    )
    return case


def case_take(*, actor: User, case: Case) -> None:
    """The reviewer who starts work on an unassigned case takes it."""
    if case.assignee_id is None and case.is_open:
        Case.objects.filter(pk=case.pk, assignee__isnull=True).update(
            assignee=actor, updated_at=timezone.now()
        )
        case.assignee = actor


@transaction.atomic
def case_note_add(*, actor: User, case_id: int, text: str) -> CaseNote:
    """An internal note (staff only)."""
    case = _locked(case_id)
    if actor.role not in COMPLIANCE_ROLES:
        raise PermissionDenied(gettext("Only compliance staff may write case notes."))
    if not text.strip():
        raise ValidationFailed(gettext("Write the note."), fields={"text": gettext("Write the note.")})
    note = CaseNote.objects.create(case=case, author=actor, text=text.strip())
    audit_record(actor=actor, action="case_note_added", obj=case)
    return note


@transaction.atomic
def conflict_declare(
    *, user: User, reason: str, company: Any = None, investor: Any = None
) -> ConflictDeclaration:
    """A reviewer declares a connection to a party; they then cannot act on its cases."""
    if user.role not in COMPLIANCE_ROLES:
        raise PermissionDenied(gettext("Only reviewers declare conflicts."))
    if (company is None) == (investor is None):
        raise ValidationFailed(gettext("Name one company or one investor."))
    if not reason.strip():
        raise ValidationFailed(
            gettext("Say what the connection is."), fields={"reason": gettext("Required.")}
        )
    declaration = ConflictDeclaration.objects.create(
        user=user, company=company, investor=investor, reason=reason.strip()
    )
    audit_record(actor=user, action="conflict_declared", obj=declaration, reason=reason.strip())
    return declaration


@transaction.atomic
def case_answer_with_documents(
    *, user: User, request_id: int, answer: str, uploads: list[UploadedFile]
) -> InformationRequest:
    """The applicant's whole answer at once: its files, then the text (the case goes back to the queue).

    Every file is checked before any is kept: one bad file (type, size, name, the same file twice, too
    many) refuses the whole answer and nothing is stored.
    """
    from compliance.cases.selectors import request_for

    request = request_for(user, request_id)
    if request is None:
        raise NotFound(gettext("No such request for information."))
    if request.status != InformationRequestStatus.OPEN:
        raise Conflict(gettext("This request was already answered."))
    attached = set(request.documents.values_list("sha256", flat=True))  # added one by one before
    errors: dict[str, str] = {}
    if not answer.strip():
        errors["answer"] = gettext("Write your answer.")
    if len(attached) + len(uploads) > ANSWER_DOCUMENTS_MAX:
        errors["documents"] = gettext("Attach at most %(ANSWER_DOCUMENTS_MAX)s files to an answer.") % {
            "ANSWER_DOCUMENTS_MAX": ANSWER_DOCUMENTS_MAX
        }
    if errors:
        raise ValidationFailed(gettext("Please correct the highlighted fields."), fields=errors)
    fingerprints = [checked_upload(upload, field="documents").sha256 for upload in uploads]
    if len(set(fingerprints)) != len(fingerprints) or attached & set(fingerprints):
        raise ValidationFailed(
            gettext("The same file twice."), fields={"documents": gettext("The same file is attached twice.")}
        )
    for upload in uploads:
        answer_document_add(user=user, request_id=request_id, upload=upload)
    return case_answer_information(user=user, request_id=request_id, answer=answer)
