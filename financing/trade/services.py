"""Trade documents of a trade-finance application: entered while a draft, registered on chain at approval,
released on repayment, withdrawn when the financing never happens.

Double financing is refused three times over: when a document is added (the database's live
fingerprints and the chain), when the application is submitted and approved (the chain again, read
outside any database transaction), and by the DocumentRegistry contract itself, which reverts a second
registration (someone else got there first: the document is marked refused and the offering cannot open).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext

from accounts.choices import Role
from accounts.models import User
from compliance.audit import audit_record, status_transition
from config.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from config.i18n import moment_text
from financing.choices import (
    EDITABLE_APPLICATION_STATUSES,
    LIVE_TRADE_DOCUMENT_STATUSES,
    TRADE_DOCUMENT_TRANSITIONS,
    Instrument,
    OfferingStatus,
    TradeDocumentKind,
    TradeDocumentStatus,
)
from financing.models import Application, Offering, TradeDocument
from financing.schedules.money import MINOR_UNITS
from financing.trade.fingerprint import fingerprint_hex
from financing.trade.normalise import (
    BillOfLadingFields,
    InvoiceFields,
    _FieldError,
    canonical,
    parse_amount,
)
from financing.trade.registry import CHAIN_KIND, Registration, registrations_of
from tokens import services as token_services
from tokens.choices import ContractKind
from tokens.models import ChainTransaction
from tokens.selectors import platform_contract

INTENT_REGISTER_DOCUMENT = "register_trade_document"
INTENT_RELEASE_DOCUMENT = "release_trade_document"
INTENT_WITHDRAW_DOCUMENT = "withdraw_trade_document"

# The most documents one application may carry (a portfolio of invoices, not a ledger).
MAX_DOCUMENTS = 50


# --- reasons ----------------------------------------------------------------------------------------


def _kind_word(kind: str) -> str:
    return gettext("invoice") if kind == TradeDocumentKind.INVOICE else gettext("bill of lading")


def registered_reason(kind: str, registration: Registration) -> str:
    """Why a document registered on chain cannot be financed again, naming when (never by whom)."""
    return gettext(
        "This %(kind)s is already financed: it was registered on chain on %(when)s (%(zone)s), so it "
        "cannot back another financing."
    ) % {
        "kind": _kind_word(kind),
        "when": moment_text(registration.registered_at),
        "zone": timezone.get_current_timezone_name(),
    }


def _held_reason(kind: str) -> str:
    return gettext(
        "This %(kind)s is already part of another financing application on the platform, so it cannot "
        "back this one."
    ) % {"kind": _kind_word(kind)}


def _own_held_reason(kind: str) -> str:
    return gettext("This %(kind)s is already on this application.") % {"kind": _kind_word(kind)}


# --- checks -----------------------------------------------------------------------------------------


def chain_refusals(documents: list[tuple[str, str]]) -> dict[str, str]:
    """For (kind, fingerprint) pairs, the reason each fingerprint the chain holds may not be financed.

    Reads the chain (one round trip): call it outside any database transaction.
    """
    if not documents:
        return {}
    found = registrations_of([fp for _, fp in documents])
    return {
        fp: registered_reason(kind, registration)
        for (kind, fp), registration in zip(documents, found, strict=True)
        if registration is not None and registration.blocks_financing
    }


def _db_refusal(application: Application, kind: str, fp: str, *, exclude_pk: int | None = None) -> str:
    holders = TradeDocument.objects.filter(fingerprint=fp, status__in=LIVE_TRADE_DOCUMENT_STATUSES)
    if exclude_pk is not None:
        holders = holders.exclude(pk=exclude_pk)
    holder = holders.values_list("application_id", flat=True).first()
    if holder is None:
        return ""
    return _own_held_reason(kind) if holder == application.pk else _held_reason(kind)


def _canonical(kind: str, fields: Mapping[str, Any]) -> InvoiceFields | BillOfLadingFields:
    if kind not in TradeDocumentKind.values:
        raise ValidationFailed(
            gettext("Choose the kind of document."),
            fields={"kind": gettext("Choose invoice or bill of lading.")},
        )
    return canonical(kind, fields)


def _value(
    kind: str, parsed: InvoiceFields | BillOfLadingFields, application: Application, value: Any
) -> Decimal:
    """The document's face value in the application's currency (an invoice's amount; a bill's goods value)."""
    if isinstance(parsed, InvoiceFields):
        if parsed.currency != application.currency:
            raise ValidationFailed(
                gettext("This application raises %(currency)s: add invoices in %(currency)s.")
                % {"currency": application.currency},
                fields={"currency": gettext("Use %(currency)s.") % {"currency": application.currency}},
            )
        return parsed.amount
    if not str(value or "").strip():
        raise ValidationFailed(
            gettext("Enter the value of the goods the bill covers."),
            fields={"value": gettext("This field is required.")},
        )
    try:
        amount, written = parse_amount(str(value or ""), application.currency)
    except _FieldError as exc:
        raise ValidationFailed(
            gettext("Enter the value of the goods the bill covers."), fields={"value": str(exc)}
        ) from None
    except InvalidOperation:  # pragma: no cover - parse_amount admits only numbers
        raise ValidationFailed(gettext("Enter the value of the goods the bill covers.")) from None
    if written is not None and written != application.currency:
        raise ValidationFailed(
            gettext("This application raises %(currency)s.") % {"currency": application.currency},
            fields={"value": gettext("Give the value in %(currency)s.") % {"currency": application.currency}},
        )
    return amount


def _issuer_check(parsed: InvoiceFields | BillOfLadingFields, application: Application) -> None:
    """An invoice financed here is one the applying company issued."""
    if not isinstance(parsed, InvoiceFields):
        return
    company = application.company
    if parsed.issuer_registration_number != company.registration_number.upper():
        raise ValidationFailed(
            gettext("Only invoices your company issued can be financed."),
            fields={
                "issuer_registration_number": gettext(
                    "This is not your company's registration number (%(number)s)."
                )
                % {"number": company.registration_number}
            },
        )


def _own_trade_application(user: User, application_id: int, *, lock: bool) -> Application:
    if user.role != Role.SME:
        raise PermissionDenied(gettext("Only the SME's representative adds trade documents."))
    found = Application.objects.select_related("company").filter(
        pk=application_id, company__representative=user
    )
    application = (found.select_for_update(of=("self",)) if lock else found).first()
    if application is None:
        raise NotFound(gettext("No such application."))
    if application.instrument != Instrument.TRADE:
        raise Conflict(gettext("Only a trade-finance application is backed by invoices or bills of lading."))
    if application.status not in EDITABLE_APPLICATION_STATUSES:
        raise Conflict(
            gettext("The application is %(lower)s; its documents cannot change.")
            % {"lower": application.get_status_display().lower()}
        )
    return application


def _prepare(
    *,
    user: User,
    application_id: int,
    kind: str,
    fields: Mapping[str, Any],
    value: Any,
    exclude_pk: int | None,
) -> tuple[Application, InvoiceFields | BillOfLadingFields, str, Decimal]:
    """Validate a document (no lock, no write) and read the chain for its fingerprint."""
    application = _own_trade_application(user, application_id, lock=False)
    parsed = _canonical(kind, fields)
    fp = fingerprint_hex(parsed)
    refusal = _db_refusal(application, kind, fp, exclude_pk=exclude_pk) or chain_refusals([(kind, fp)]).get(
        fp, ""
    )
    if refusal:
        raise ValidationFailed(refusal, fields={"fingerprint": refusal}, code="AlreadyFinanced")
    _issuer_check(parsed, application)
    amount = _value(kind, parsed, application, value)
    return application, parsed, fp, amount


def _columns(
    kind: str, parsed: InvoiceFields | BillOfLadingFields, fields: Mapping[str, Any], fp: str
) -> dict[str, Any]:
    raw = {name: str(fields.get(name) or "") for name in parsed.as_strings()}
    return {
        "kind": kind,
        "raw_fields": raw,
        "canonical_fields": parsed.as_strings(),
        "fingerprint": fp,
        "due_date": parsed.due_date if isinstance(parsed, InvoiceFields) else None,
        "ebl_platform": parsed.platform if isinstance(parsed, BillOfLadingFields) else "",
        "control_reference": str(fields.get("control_reference") or "").strip()[:120]
        if isinstance(parsed, BillOfLadingFields)
        else "",
    }


def _save(write: Any, kind: str) -> TradeDocument:
    try:
        with transaction.atomic():
            return write()
    except IntegrityError as exc:
        if "trade_document_fingerprint_live_unique" not in str(exc):
            raise
        reason = _held_reason(kind)
        raise ValidationFailed(reason, fields={"fingerprint": reason}, code="AlreadyFinanced") from None


# --- SME: documents while the application is a draft ------------------------------------------------


def trade_document_add(
    *, user: User, application_id: int, kind: str, fields: Mapping[str, Any], value: Any = None
) -> TradeDocument:
    """Add an invoice or bill of lading to the SME's draft trade-finance application.

    `fields`: the document's fields as typed (see `financing.trade.normalise`); `value`: for a bill of
    lading, the value of the goods it covers in the application's currency (an invoice's is its amount).
    Refused, with nothing changed, when a field is wrong, when the document is already on an
    application here, or when the chain says it is already financed (naming when it was registered).
    """
    application, parsed, fp, amount = _prepare(
        user=user, application_id=application_id, kind=kind, fields=fields, value=value, exclude_pk=None
    )

    def write() -> TradeDocument:
        locked = _own_trade_application(user, application.pk, lock=True)
        if TradeDocument.objects.filter(application=locked).count() >= MAX_DOCUMENTS:
            raise Conflict(gettext("An application carries at most %(n)s documents.") % {"n": MAX_DOCUMENTS})
        document = TradeDocument.objects.create(
            application=locked,
            face_value=amount,
            currency=locked.currency,
            **_columns(kind, parsed, fields, fp),
        )
        audit_record(
            actor=user,
            action="trade_document_added",
            obj=document,
            to_status=document.status,
            data={"application": locked.pk, "kind": kind, "fingerprint": fp},
        )
        return document

    return _save(write, kind)


def _own_document(user: User, document_id: int) -> TradeDocument:
    document = (
        TradeDocument.objects.filter(pk=document_id, application__company__representative=user)
        .only("pk", "application_id", "kind")
        .first()
    )
    if document is None or user.role != Role.SME:
        raise NotFound(gettext("No such document."))
    return document


def trade_document_replace(
    *, user: User, document_id: int, fields: Mapping[str, Any], value: Any = None
) -> TradeDocument:
    """Correct a document of a draft application (same kind); the same refusals as adding it."""
    document = _own_document(user, document_id)
    application, parsed, fp, amount = _prepare(
        user=user,
        application_id=document.application_id,
        kind=document.kind,
        fields=fields,
        value=value,
        exclude_pk=document.pk,
    )

    def write() -> TradeDocument:
        _own_trade_application(user, application.pk, lock=True)
        locked = TradeDocument.objects.select_for_update().get(pk=document.pk)
        for name, column in _columns(locked.kind, parsed, fields, fp).items():
            setattr(locked, name, column)
        locked.face_value = amount
        locked.save()
        audit_record(actor=user, action="trade_document_replaced", obj=locked, data={"fingerprint": fp})
        return locked

    return _save(write, document.kind)


@transaction.atomic
def trade_document_remove(*, user: User, document_id: int) -> None:
    """Take a document off a draft application."""
    document = _own_document(user, document_id)
    _own_trade_application(user, document.application_id, lock=True)
    audit_record(
        actor=user,
        action="trade_document_removed",
        obj=document.application,
        data={"document": document.pk, "kind": document.kind},
    )
    TradeDocument.objects.filter(pk=document.pk).delete()


# --- the application's life -------------------------------------------------------------------------


def trade_terms_errors(application: Application) -> dict[str, list[str]]:
    """What stops a trade-finance application from going to compliance (empty: nothing).

    At least one document; the amount raised at most the documents' face values together; maturity on
    or after the latest invoice due date.
    """
    documents = list(TradeDocument.objects.filter(application=application))
    errors: dict[str, list[str]] = {}
    if not documents:
        errors["documents"] = [gettext("Add the invoices or the bill of lading that back this financing.")]
        return errors
    total = sum((d.face_value for d in documents if d.currency == application.currency), Decimal(0))
    if application.target_amount > total:
        errors["target_amount"] = [
            gettext("The amount raised cannot exceed the documents' value: %(currency)s %(total)s together.")
            % {"currency": application.currency, "total": f"{total:,.{MINOR_UNITS[application.currency]}f}"}
        ]
    latest_due = max((d.due_date for d in documents if d.due_date), default=None)
    maturity = application.terms.maturity_date
    if latest_due and maturity and maturity < latest_due:
        errors["maturity_date"] = [
            gettext("Maturity must be on or after the latest invoice due date (%(day)s).")
            % {"day": latest_due.isoformat()}
        ]
    return errors


def trade_documents_chain_check(application_id: int) -> None:
    """Refuse (nothing changed) when the chain holds any document of the application as financed.

    Reads the chain: call it before, not inside, the transaction that submits or approves.
    """
    documents = list(
        TradeDocument.objects.filter(
            application_id=application_id, status=TradeDocumentStatus.DRAFT
        ).values_list("pk", "kind", "fingerprint")
    )
    refusals = chain_refusals([(kind, fp) for _, kind, fp in documents])
    if refusals:
        messages = list(dict.fromkeys(refusals.values()))
        raise ValidationFailed(
            messages[0] if len(messages) == 1 else gettext("Some documents are already financed."),
            fields={"documents": messages},
            code="AlreadyFinanced",
        )


def trade_documents_check_submittable(application: Application) -> None:
    """In the submit transaction: the terms against the documents, and no fingerprint held elsewhere."""
    errors = trade_terms_errors(application)
    for document in TradeDocument.objects.filter(application=application, status=TradeDocumentStatus.DRAFT):
        refusal = _db_refusal(application, document.kind, document.fingerprint, exclude_pk=document.pk)
        if refusal:
            errors.setdefault("documents", []).append(refusal)
    if errors:
        raise ValidationFailed(gettext("The trade documents need attention."), fields=errors)


def trade_documents_register(application: Application) -> list[TradeDocument]:
    """At approval (in the caller's transaction): record each document's registration on chain."""
    registry = platform_contract(ContractKind.DOCUMENT_REGISTRY)
    documents = list(
        TradeDocument.objects.select_for_update().filter(
            application=application, status=TradeDocumentStatus.DRAFT
        )
    )
    for document in documents:
        tx = token_services.contract_call(
            target=registry,
            function="registerDocument",
            args=[bytes.fromhex(document.fingerprint[2:]), CHAIN_KIND[document.kind], application.pk],
            intent=INTENT_REGISTER_DOCUMENT,
            key=f"trade:register:{document.pk}",
            reference=f"register {document.get_kind_display()} {document.pk} of application {application.pk}",
            subject_address=registry.address or "",
        )
        status_transition(
            document,
            to=TradeDocumentStatus.REGISTERING,
            transitions=TRADE_DOCUMENT_TRANSITIONS,
            actor=None,
            extra={"registration_transaction": tx},
        )
    return documents


def trade_documents_discard(application: Application, *, actor: User | None) -> None:
    """The application was rejected or withdrawn: its draft documents are free again."""
    documents = list(
        TradeDocument.objects.select_for_update().filter(
            application=application, status=TradeDocumentStatus.DRAFT
        )
    )
    for document in documents:
        status_transition(
            document, to=TradeDocumentStatus.DISCARDED, transitions=TRADE_DOCUMENT_TRANSITIONS, actor=actor
        )


def trade_documents_confirmed(application: Application) -> bool:
    """Whether every document of the application is registered on chain (True when it has none)."""
    return not (
        TradeDocument.objects.filter(application=application)
        .exclude(status=TradeDocumentStatus.REGISTERED)
        .exists()
    )


def trade_opening_refusal(application: Application) -> str:
    """Why the offering of a trade-finance application may not open yet ("" when it may)."""
    if application.instrument != Instrument.TRADE:
        return ""
    statuses = set(TradeDocument.objects.filter(application=application).values_list("status", flat=True))
    if TradeDocumentStatus.REFUSED in statuses:
        return gettext(
            "A document of this application was already financed elsewhere (the chain refused its "
            "registration), so the offering cannot open."
        )
    if not statuses or statuses != {TradeDocumentStatus.REGISTERED}:
        return gettext("The offering opens once every trade document is registered on chain.")
    return ""


def _document_for(tx: ChainTransaction, column: str) -> TradeDocument | None:
    return (
        TradeDocument.objects.select_for_update().select_related("application").filter(**{column: tx}).first()
    )


def _offering_of(application: Application) -> Offering | None:
    return Offering.objects.select_for_update().filter(application=application).first()


def _offering_ready_if_complete(application: Application) -> None:
    """The last document confirmed after the offering's own set-up: it is ready to open."""
    from financing.services.common import INTENT_REGISTER_OFFERING, offering_move
    from tokens.choices import ChainTxStatus

    offering = _offering_of(application)
    if (
        offering is None
        or offering.status != OfferingStatus.PREPARING
        or not trade_documents_confirmed(application)
    ):
        return
    token = offering.token.address if offering.token is not None else ""
    set_up = ChainTransaction.objects.filter(
        intent=INTENT_REGISTER_OFFERING, subject_address=token, status=ChainTxStatus.CONFIRMED
    ).exists()
    if token and set_up:
        offering_move(offering, OfferingStatus.READY, actor=None)


def trade_document_registered(tx: ChainTransaction, receipt: dict[str, Any]) -> None:
    """The chain registered a document: it is financed; the offering may become ready."""
    document = _document_for(tx, "registration_transaction")
    if document is None or document.status != TradeDocumentStatus.REGISTERING:
        return
    status_transition(
        document,
        to=TradeDocumentStatus.REGISTERED,
        transitions=TRADE_DOCUMENT_TRANSITIONS,
        actor=None,
        extra={"registered_at": timezone.now()},
    )
    offering = _offering_of(document.application)
    if offering is not None and offering.status == OfferingStatus.CANCELLED:
        _withdraw(document)  # cancelled while the registration was in flight: give the document back
        return
    _offering_ready_if_complete(document.application)


def trade_document_registration_failed(tx: ChainTransaction) -> None:
    """The chain refused the registration (another financing got there first): the offering stays shut."""
    document = _document_for(tx, "registration_transaction")
    if document is None or document.status != TradeDocumentStatus.REGISTERING:
        return
    already = "AlreadyRegistered" in (tx.error or "")
    reason = (
        gettext(
            "The chain refused the registration: this document is already registered for another financing."
        )
        if already
        else gettext("The chain refused the registration: %(error)s") % {"error": tx.error}
    )
    status_transition(
        document,
        to=TradeDocumentStatus.REFUSED,
        transitions=TRADE_DOCUMENT_TRANSITIONS,
        actor=None,
        reason=reason,
        extra={"refusal_reason": reason},
    )


def _chain_write(document: TradeDocument, function: str, intent: str, key: str) -> ChainTransaction:
    registry = platform_contract(ContractKind.DOCUMENT_REGISTRY)
    return token_services.contract_call(
        target=registry,
        function=function,
        args=[bytes.fromhex(document.fingerprint[2:])],
        intent=intent,
        key=key,
        reference=f"{function} {document.pk} of application {document.application_id}",
        subject_address=registry.address or "",
    )


def _withdraw(document: TradeDocument) -> None:
    tx = _chain_write(document, "withdrawDocument", INTENT_WITHDRAW_DOCUMENT, f"trade:withdraw:{document.pk}")
    status_transition(
        document,
        to=TradeDocumentStatus.WITHDRAWING,
        transitions=TRADE_DOCUMENT_TRANSITIONS,
        actor=None,
        extra={"withdrawal_transaction": tx},
    )


def trade_documents_withdraw(offering: Offering) -> None:
    """The offering was cancelled (in the caller's transaction): registered documents are withdrawn on
    chain, drafts are discarded; one still registering is withdrawn when its registration confirms."""
    application = offering.application
    if application.instrument != Instrument.TRADE:
        return
    documents = TradeDocument.objects.select_for_update().filter(application=application)
    for document in documents:
        if document.status == TradeDocumentStatus.REGISTERED:
            _withdraw(document)
        elif document.status == TradeDocumentStatus.DRAFT:
            status_transition(
                document, to=TradeDocumentStatus.DISCARDED, transitions=TRADE_DOCUMENT_TRANSITIONS, actor=None
            )


def trade_documents_release(offering: Offering) -> None:
    """The final repayment was paid (in the caller's transaction): each document is released on chain."""
    if offering.application.instrument != Instrument.TRADE:
        return
    documents = TradeDocument.objects.select_for_update().filter(
        application_id=offering.application_id, status=TradeDocumentStatus.REGISTERED
    )
    for document in documents:
        tx = _chain_write(
            document, "releaseDocument", INTENT_RELEASE_DOCUMENT, f"trade:release:{document.pk}"
        )
        status_transition(
            document,
            to=TradeDocumentStatus.RELEASING,
            transitions=TRADE_DOCUMENT_TRANSITIONS,
            actor=None,
            extra={"release_transaction": tx},
        )


def trade_document_released(tx: ChainTransaction, receipt: dict[str, Any]) -> None:
    document = _document_for(tx, "release_transaction")
    if document is not None and document.status == TradeDocumentStatus.RELEASING:
        status_transition(
            document,
            to=TradeDocumentStatus.RELEASED,
            transitions=TRADE_DOCUMENT_TRANSITIONS,
            actor=None,
            extra={"released_at": timezone.now()},
        )


def trade_document_withdrawn(tx: ChainTransaction, receipt: dict[str, Any]) -> None:
    document = _document_for(tx, "withdrawal_transaction")
    if document is not None and document.status == TradeDocumentStatus.WITHDRAWING:
        status_transition(
            document,
            to=TradeDocumentStatus.WITHDRAWN,
            transitions=TRADE_DOCUMENT_TRANSITIONS,
            actor=None,
            extra={"withdrawn_at": timezone.now()},
        )


def trade_document_change_failed(tx: ChainTransaction) -> None:
    """A release or withdrawal was refused on chain: the document stays registered; staff see why."""
    column = "release_transaction" if tx.intent == INTENT_RELEASE_DOCUMENT else "withdrawal_transaction"
    document = _document_for(tx, column)
    if document is None or document.status not in (
        TradeDocumentStatus.RELEASING,
        TradeDocumentStatus.WITHDRAWING,
    ):
        return
    reason = gettext("The chain refused the change: %(error)s") % {"error": tx.error}
    status_transition(
        document,
        to=TradeDocumentStatus.REGISTERED,
        transitions=TRADE_DOCUMENT_TRANSITIONS,
        actor=None,
        reason=reason,
        extra={"refusal_reason": reason},
    )
