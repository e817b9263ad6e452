"""Financing applications: saving any instrument's terms, submitting, review and decisions."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from accounts.choices import COMPLIANCE_ROLES, Role
from accounts.models import User
from compliance.audit import audit_record, status_transition
from compliance.cases.choices import Outcome
from compliance.cases.services import case_close, case_for, case_open, case_take, gate, may_act
from compliance.licences.services import arranger_choose
from config.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from financing import notices
from financing.choices import (
    APPLICATION_TRANSITIONS,
    EDITABLE_APPLICATION_STATUSES,
    ApplicationStatus,
    Currency,
    Instrument,
)
from financing.models import Application, Terms
from financing.schedules import lease_rate_from_rental, terms_from_mapping
from financing.services.token_setup import offering_create
from financing.trade.services import (
    trade_documents_chain_check,
    trade_documents_check_submittable,
    trade_documents_discard,
    trade_documents_register,
)
from issuers.choices import KybStatus
from issuers.models import Company

CENT = Decimal("0.01")

MAX_AMOUNT = Decimal("10000000000")  # HKD 10bn: anything larger is a typing mistake

# Which schedule fields each instrument takes (the rest are refused by the schedule module anyway).
SCHEDULE_FIELDS = {
    Instrument.BOND: (
        "annual_rate",
        "start_date",
        "maturity_date",
        "term_months",
        "frequency",
        "day_count",
        "business_day_convention",
        "calendar",
    ),
    Instrument.LOAN: (
        "annual_rate",
        "start_date",
        "maturity_date",
        "term_months",
        "frequency",
        "amortization",
        "grace_periods",
        "business_day_convention",
        "calendar",
    ),
    Instrument.LEASE: (
        "annual_rate",
        "start_date",
        "maturity_date",
        "term_months",
        "frequency",
        "residual_value",
        "payment_timing",
        "business_day_convention",
        "calendar",
    ),
    Instrument.EQUITY: (),
    # One payment of principal and interest at maturity (the schedule module's single-period bond).
    Instrument.TRADE: ("annual_rate", "start_date", "maturity_date", "business_day_convention", "calendar"),
}

# A trade finance runs at most a year (receivables and shipments are short-term).
TRADE_MAX_DAYS = 366

TERM_FIELDS = (
    "unit_price",
    "annual_rate",
    "start_date",
    "maturity_date",
    "term_months",
    "frequency",
    "amortization",
    "grace_periods",
    "day_count",
    "business_day_convention",
    "calendar",
    "residual_value",
    "payment_timing",
    "share_class",
    "pre_money_valuation",
    "asset_description",
)

UNIT_LABEL = {
    Instrument.BOND: "face value",
    Instrument.EQUITY: "price per share",
    Instrument.LOAN: "participation unit",
    Instrument.LEASE: "participation unit",
    Instrument.TRADE: "participation unit",
}


def _money_errors(values: Mapping[str, Decimal | None]) -> dict[str, str]:
    errors: dict[str, str] = {}
    for name, value in values.items():
        if value is None:
            errors[name] = gettext("This field is required.")
        elif value <= 0:
            errors[name] = gettext("Must be more than zero.")
        elif value != value.quantize(CENT):
            errors[name] = gettext("Use at most two decimal places.")
        elif value > MAX_AMOUNT:
            errors[name] = gettext("That is more than the platform accepts (10 billion).")
    return errors


def _as_schedule_input(value: object) -> object:
    """The schedule module's API takes decimals as strings and dates as ISO strings."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def _terms_errors(
    instrument: Instrument, currency: str, target_amount: Decimal, terms: Mapping[str, Any]
) -> tuple[dict[str, list[str]], dict[str, Any]]:
    """Validate an instrument's terms; returns (messages by field, the values to store)."""
    errors: dict[str, list[str]] = {}
    stored: dict[str, Any] = {}
    if instrument == Instrument.EQUITY:
        share_class = str(terms.get("share_class") or "").strip()
        if not share_class:
            errors["share_class"] = [gettext("Name the share class (e.g. ordinary, preferred A).")]
        pre_money = terms.get("pre_money_valuation")
        for name, message in _money_errors({"pre_money_valuation": pre_money}).items():
            errors[name] = [message]
        return errors, {"share_class": share_class, "pre_money_valuation": pre_money}
    wanted = SCHEDULE_FIELDS[instrument]
    given = {
        name: _as_schedule_input(terms.get(name)) for name in wanted if terms.get(name) not in (None, "")
    }
    if instrument == Instrument.LEASE:
        stored["asset_description"] = str(terms.get("asset_description") or "").strip()
        if not stored["asset_description"]:
            errors["asset_description"] = [gettext("Describe the leased asset.")]
        if terms.get("rental") not in (None, "") and "annual_rate" not in given:
            try:
                given["annual_rate"] = str(lease_rate_from_rental(target_amount, terms))
            except ValidationFailed as exc:
                errors.update(exc.fields)
    schedule_instrument: str = instrument
    if instrument == Instrument.TRADE:
        schedule_instrument = "bond"  # one accrual period to maturity: interest and principal paid once
        given.update(frequency="annual", day_count="act_365f")
        start, maturity = terms.get("start_date"), terms.get("maturity_date")
        if "maturity_date" not in given:
            errors["maturity_date"] = [gettext("This field is required.")]
        if (
            isinstance(start, date)
            and isinstance(maturity, date)
            and (maturity - start).days > TRADE_MAX_DAYS
        ):
            errors["maturity_date"] = [gettext("A trade finance matures within a year of its start.")]
        if errors:
            return errors, stored
    try:
        parsed = terms_from_mapping(
            {
                "instrument": schedule_instrument,
                "currency": currency,
                "principal": str(target_amount),
                **given,
            }
        )
    except ValidationFailed as exc:
        for name, messages in exc.fields.items():
            errors.setdefault("target_amount" if name == "principal" else name, []).extend(messages)
        return errors, stored
    stored.update({name: getattr(parsed, name) for name in wanted})
    stored["amortization"] = parsed.resolved_amortization
    if instrument == Instrument.TRADE:
        stored.update(frequency="annual", day_count="act_365f")
    return errors, stored


@transaction.atomic
def application_save(
    *,
    user: User,
    application_id: int | None = None,
    instrument: str,
    title: str,
    currency: str,
    target_amount: Decimal,
    minimum_amount: Decimal,
    use_of_proceeds: str,
    terms: Mapping[str, Any],
) -> Application:
    """Create or edit an application of any instrument (while it is a draft or changes were requested)."""
    company = Company.objects.filter(representative=user).first()
    if user.role != Role.SME or company is None:
        raise PermissionDenied(gettext("Only an SME representative with a company profile can apply."))
    if company.kyb_status != KybStatus.VERIFIED:
        raise ValidationFailed(gettext("Your company must pass KYB before it can apply for financing."))
    errors: dict[str, list[str]] = {}

    def add(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    if instrument not in Instrument.values:
        add("instrument", gettext("Choose equity, loan, bond, lease or trade finance."))
    if not title.strip():
        add("title", "Give the application a title.")
    if currency not in Currency.values:
        add("currency", "Choose HKD, CNY, MOP or USD.")
    if not use_of_proceeds.strip():
        add("use_of_proceeds", "Say what the money will be used for.")
    unit_price = terms.get("unit_price")
    money = {"target_amount": target_amount, "minimum_amount": minimum_amount, "unit_price": unit_price}
    for name, message in _money_errors(money).items():
        add(name, message)
    if unit_price is not None and not errors.keys() & money.keys():
        label = UNIT_LABEL[Instrument(instrument)] if instrument in Instrument.values else "unit price"
        if minimum_amount > target_amount:
            add("minimum_amount", "The minimum raise cannot exceed the target.")
        if target_amount % unit_price:
            add("target_amount", f"The target must be a whole number of units of the {label}.")
        if minimum_amount % unit_price:
            add("minimum_amount", f"The minimum must be a whole number of units of the {label}.")
    stored: dict[str, Any] = {}
    if instrument in Instrument.values and currency in Currency.values and "target_amount" not in errors:
        term_errors, stored = _terms_errors(Instrument(instrument), currency, target_amount, terms)
        for name, messages in term_errors.items():
            for message in messages:
                add(name, message)
    if errors:
        raise ValidationFailed(gettext("Please correct the highlighted fields."), fields=errors)
    common = {
        "instrument": instrument,
        "title": title.strip(),
        "currency": currency,
        "target_amount": target_amount,
        "minimum_amount": minimum_amount,
        "use_of_proceeds": use_of_proceeds.strip(),
    }
    defaults = Terms()  # every field at its default, so fields of another instrument are reset
    values = {name: getattr(defaults, name) for name in TERM_FIELDS}
    values.update(stored, unit_price=unit_price)
    if application_id is None:
        application = Application.objects.create(company=company, **common)
        Terms.objects.create(application=application, **values)
        audit_record(actor=user, action="application_created", obj=application)
        return application
    application = _own_application(user, application_id)
    if application.status not in EDITABLE_APPLICATION_STATUSES:
        raise Conflict(
            gettext("The application is %(lower)s and cannot change.")
            % {"lower": application.get_status_display().lower()}
        )
    Application.objects.filter(pk=application.pk).update(**common, updated_at=timezone.now())
    Terms.objects.update_or_create(application=application, defaults=values)
    audit_record(actor=user, action="application_updated", obj=application)
    application.refresh_from_db()
    return application


def _own_application(user: User, application_id: int) -> Application:
    application = (
        Application.objects.select_for_update()
        .filter(pk=application_id, company__representative=user)
        .first()
    )
    if application is None:
        raise NotFound(gettext("No such application."))
    return application


def application_submit(*, user: User, application_id: int) -> Application:
    """Send a draft (or changed) application to compliance.

    A trade-finance application's documents are read on chain first (outside the transaction): one
    the chain already holds as financed is refused with when it was registered, and nothing changes.
    """
    if Application.objects.filter(
        pk=application_id, company__representative=user, instrument=Instrument.TRADE
    ).exists():
        trade_documents_chain_check(application_id)
    return _application_submit(user=user, application_id=application_id)


@transaction.atomic
def _application_submit(*, user: User, application_id: int) -> Application:
    application = _own_application(user, application_id)
    if application.instrument == Instrument.TRADE and application.status in EDITABLE_APPLICATION_STATUSES:
        trade_documents_check_submittable(application)
    status_transition(
        application,
        to=ApplicationStatus.SUBMITTED,
        transitions=APPLICATION_TRANSITIONS,
        actor=user,
        extra={"submitted_at": timezone.now()},
    )
    case_open(subject=application, submitted_by=user)
    return application


@transaction.atomic
def application_withdraw(*, user: User, application_id: int) -> Application:
    """The SME takes its application back before a decision."""
    application = _own_application(user, application_id)
    status_transition(
        application, to=ApplicationStatus.WITHDRAWN, transitions=APPLICATION_TRANSITIONS, actor=user
    )
    case_close(subject=application, outcome=Outcome.WITHDRAWN, actor=user)
    trade_documents_discard(application, actor=user)
    return application


@transaction.atomic
def application_start_review(*, actor: User, application_id: int) -> Application:
    """A compliance officer takes a submitted application into review (the SME sees who and when)."""
    if actor.role not in COMPLIANCE_ROLES:
        raise PermissionDenied(gettext("Only compliance staff review applications."))
    application = Application.objects.select_for_update().filter(pk=application_id).first()
    if application is None:
        raise NotFound(gettext("No such application."))
    status_transition(
        application,
        to=ApplicationStatus.UNDER_REVIEW,
        transitions=APPLICATION_TRANSITIONS,
        actor=actor,
        extra={"reviewed_by": actor},
    )
    case_take(actor=actor, case=case_open(subject=application))
    return application


# The largest holder limit staff may set (the token keeps up to 2**32 - 1).
MAX_HOLDERS_LIMIT = 1_000_000


def application_decide(
    *,
    actor: User,
    application_id: int,
    decision: str,
    reason: str = "",
    closes_at: datetime | None = None,
    professional_investors_only: bool = True,
    arranger_id: int | None = None,
    transfer_lockup_until: datetime | None = None,
    max_holders: int | None = None,
) -> Application:
    """Approve (creating the offering and deploying its token), reject, or request changes.

    Approving names the arranger: an intermediary whose licence is in force today, covers dealing in
    securities (or virtual-asset trading) and fits the offering (`compliance.licences`). Approving a
    trade-finance application reads its documents on chain first (outside the transaction) and records
    their registration; its offering opens only once every registration is confirmed.
    """
    if (
        decision == "approve"
        and actor.role in COMPLIANCE_ROLES
        and Application.objects.filter(pk=application_id, instrument=Instrument.TRADE).exists()
    ):
        trade_documents_chain_check(application_id)
    return _application_decide(
        actor=actor,
        application_id=application_id,
        decision=decision,
        reason=reason,
        closes_at=closes_at,
        professional_investors_only=professional_investors_only,
        arranger_id=arranger_id,
        transfer_lockup_until=transfer_lockup_until,
        max_holders=max_holders,
    )


@transaction.atomic
def _application_decide(
    *,
    actor: User,
    application_id: int,
    decision: str,
    reason: str = "",
    closes_at: datetime | None = None,
    professional_investors_only: bool = True,
    arranger_id: int | None = None,
    transfer_lockup_until: datetime | None = None,
    max_holders: int | None = None,
) -> Application:
    if actor.role not in COMPLIANCE_ROLES:
        raise PermissionDenied(gettext("Only compliance staff decide applications."))
    targets = {
        "approve": ApplicationStatus.APPROVED,
        "reject": ApplicationStatus.REJECTED,
        "request_changes": ApplicationStatus.CHANGES_REQUESTED,
    }
    if decision not in targets:
        raise ValidationFailed(
            gettext("Choose approve, reject or request changes."),
            fields={"decision": gettext("Unknown decision.")},
        )
    if decision != "approve" and not reason.strip():
        raise ValidationFailed(
            gettext("Say why."), fields={"reason": gettext("A reason is required for this decision.")}
        )
    now = timezone.now()
    if decision == "approve":
        closes_at = closes_at or now + timedelta(days=14)
        if closes_at <= now:
            raise ValidationFailed(
                gettext("The offering must close in the future."),
                fields={"closes_at": gettext("Must be in the future.")},
            )
        if transfer_lockup_until is not None and transfer_lockup_until <= closes_at:
            raise ValidationFailed(
                gettext("A lock-up ends after the offering closes (or leave it empty for none)."),
                fields={"transfer_lockup_until": gettext("Must be after the closing time.")},
            )
        if transfer_lockup_until is not None and transfer_lockup_until > now + timedelta(days=365 * 50):
            raise ValidationFailed(
                gettext("A lock-up ends within 50 years."),
                fields={"transfer_lockup_until": gettext("Too far ahead.")},
            )
        if max_holders is not None and not 1 <= max_holders <= MAX_HOLDERS_LIMIT:
            raise ValidationFailed(
                gettext("A holder limit is 1 to %(MAX_HOLDERS_LIMIT)s (or leave it empty for none).")
                % {"MAX_HOLDERS_LIMIT": format(MAX_HOLDERS_LIMIT, ",")},
                fields={
                    "max_holders": gettext("1 to %(MAX_HOLDERS_LIMIT)s.")
                    % {"MAX_HOLDERS_LIMIT": format(MAX_HOLDERS_LIMIT, ",")}
                },
            )
    application = Application.objects.select_for_update().filter(pk=application_id).first()
    if application is None:
        raise NotFound(gettext("No such application."))
    if application.status not in (ApplicationStatus.SUBMITTED, ApplicationStatus.UNDER_REVIEW):
        raise Conflict(
            gettext("This application is %(lower)s; it cannot be decided.")
            % {"lower": application.get_status_display().lower()}
        )
    arranger, arranger_licence = None, None
    if decision == "approve" and arranger_id is not None:
        arranger, arranger_licence = arranger_choose(
            arranger_id=arranger_id,
            on=timezone.localdate(now),
            professional_investors_only=professional_investors_only,
        )
    case = case_for(application, lock=True) or case_open(subject=application)
    if decision == "request_changes":
        may_act(actor, case)  # any reviewer not connected to the company may send it back for changes
    elif not gate(actor=actor, case=case, decision=decision, reason=reason):
        return application
    extra: dict[str, Any] = {"decision_reason": reason, "reviewed_by": actor}
    data: dict[str, Any] = {}
    if decision == "approve":
        if arranger is None:
            raise ValidationFailed(
                gettext(
                    "Choose the arranger: approving needs a licensed intermediary to arrange the offering."
                ),
                fields={"arranger_id": gettext("Choose an arranger from the licence register.")},
            )
        extra.update(arranger=arranger, arranger_licence=arranger_licence)
        data["arranger"] = str(arranger)
    status_transition(
        application,
        to=targets[decision],
        transitions=APPLICATION_TRANSITIONS,
        actor=actor,
        reason=reason,
        data=data,
        extra=extra,
    )
    outcomes = {
        "approve": Outcome.APPROVED,
        "reject": Outcome.REJECTED,
        "request_changes": Outcome.CHANGES_REQUESTED,
    }
    case_close(case=case, outcome=outcomes[decision], actor=actor, reason=reason)
    notices.application_decided(application)
    if decision == "approve":
        assert closes_at is not None
        offering_create(
            application,
            closes_at=closes_at,
            professional_investors_only=professional_investors_only,
            transfer_lockup_until=transfer_lockup_until,
            max_holders=max_holders,
        )
        if application.instrument == Instrument.TRADE:
            trade_documents_register(application)
    elif decision == "reject":
        trade_documents_discard(application, actor=actor)
    return application
