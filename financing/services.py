"""Writes of financing: applications, offerings, subscriptions, allotment and settlement."""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from decimal import ROUND_FLOOR, Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, Sum
from django.utils import timezone

from accounts.choices import COMPLIANCE_ROLES, STAFF_ROLES, Role
from accounts.models import User
from compliance.audit import audit_record, status_transition
from compliance.models import InvestorProfile
from config.errors import ApplicationError, Conflict, NotFound, PermissionDenied, ValidationFailed
from financing.choices import (
    ALLOTMENT_TRANSITIONS,
    APPLICATION_TRANSITIONS,
    EDITABLE_APPLICATION_STATUSES,
    LIVE_SUBSCRIPTION_STATUSES,
    OFFERING_TRANSITIONS,
    REFUNDED_SUBSCRIPTION_STATUSES,
    SUBSCRIPTION_TRANSITIONS,
    AllotmentStatus,
    ApplicationStatus,
    Currency,
    Instrument,
    OfferingStatus,
    SubscriptionStatus,
)
from financing.models import Allotment, Application, Offering, OfferingCloseRetry, Subscription, Terms
from financing.schedules import lease_rate_from_rental, terms_from_mapping
from issuers.choices import KybStatus
from issuers.models import Company
from tokens import chain, signer
from tokens import services as token_services
from tokens.choices import ContractKind, WalletKind
from tokens.models import ChainTransaction
from tokens.reasons import OK, explain_code, explain_failure
from tokens.selectors import payment_balance, platform_contract, platform_wallet

logger = logging.getLogger(__name__)

INTENT_DEPLOY_SECURITY_TOKEN = "deploy_security_token"
INTENT_CONFIGURE_SECURITY_TOKEN = "configure_security_token"
INTENT_REGISTER_OFFERING = "register_offering"
INTENT_FUND_SUBSCRIPTION = "fund_subscription"
INTENT_SETTLE_ALLOTMENT = "settle_allotment"
INTENT_SETTLE_BATCH = "settle_allotments"
INTENT_REFUND = "refund_subscriptions"
PROFESSIONAL_INVESTOR_CLASS = 1
CENT = Decimal("0.01")
MAX_AMOUNT = Decimal("10000000000")  # HKD 10bn: anything larger is a typing mistake


# --- applications -------------------------------------------------------------------------------


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
}
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
}


def _money_errors(values: Mapping[str, Decimal | None]) -> dict[str, str]:
    errors: dict[str, str] = {}
    for name, value in values.items():
        if value is None:
            errors[name] = "This field is required."
        elif value <= 0:
            errors[name] = "Must be more than zero."
        elif value != value.quantize(CENT):
            errors[name] = "Use at most two decimal places."
        elif value > MAX_AMOUNT:
            errors[name] = "That is more than the platform accepts (10 billion)."
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
            errors["share_class"] = ["Name the share class (e.g. ordinary, preferred A)."]
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
            errors["asset_description"] = ["Describe the leased asset."]
        if terms.get("rental") not in (None, "") and "annual_rate" not in given:
            try:
                given["annual_rate"] = str(lease_rate_from_rental(target_amount, terms))
            except ValidationFailed as exc:
                errors.update(exc.fields)
    try:
        parsed = terms_from_mapping(
            {"instrument": instrument, "currency": currency, "principal": str(target_amount), **given}
        )
    except ValidationFailed as exc:
        for name, messages in exc.fields.items():
            errors.setdefault("target_amount" if name == "principal" else name, []).extend(messages)
        return errors, stored
    stored.update({name: getattr(parsed, name) for name in wanted})
    stored["amortization"] = parsed.resolved_amortization
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
        raise PermissionDenied("Only an SME representative with a company profile can apply.")
    if company.kyb_status != KybStatus.VERIFIED:
        raise ValidationFailed("Your company must pass KYB before it can apply for financing.")
    errors: dict[str, list[str]] = {}

    def add(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    if instrument not in Instrument.values:
        add("instrument", "Choose equity, loan, bond or lease.")
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
        raise ValidationFailed("Please correct the highlighted fields.", fields=errors)
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
        raise Conflict(f"The application is {application.get_status_display().lower()} and cannot change.")
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
        raise NotFound("No such application.")
    return application


@transaction.atomic
def application_submit(*, user: User, application_id: int) -> Application:
    """Send a draft (or changed) application to compliance."""
    application = _own_application(user, application_id)
    status_transition(
        application,
        to=ApplicationStatus.SUBMITTED,
        transitions=APPLICATION_TRANSITIONS,
        actor=user,
        extra={"submitted_at": timezone.now()},
    )
    return application


@transaction.atomic
def application_withdraw(*, user: User, application_id: int) -> Application:
    """The SME takes its application back before a decision."""
    application = _own_application(user, application_id)
    status_transition(
        application, to=ApplicationStatus.WITHDRAWN, transitions=APPLICATION_TRANSITIONS, actor=user
    )
    return application


@transaction.atomic
def application_start_review(*, actor: User, application_id: int) -> Application:
    """A compliance officer takes a submitted application into review (the SME sees who and when)."""
    if actor.role not in COMPLIANCE_ROLES:
        raise PermissionDenied("Only compliance staff review applications.")
    application = Application.objects.select_for_update().filter(pk=application_id).first()
    if application is None:
        raise NotFound("No such application.")
    status_transition(
        application,
        to=ApplicationStatus.UNDER_REVIEW,
        transitions=APPLICATION_TRANSITIONS,
        actor=actor,
        extra={"reviewed_by": actor},
    )
    return application


@transaction.atomic
def application_decide(
    *,
    actor: User,
    application_id: int,
    decision: str,
    reason: str = "",
    closes_at: datetime | None = None,
    professional_investors_only: bool = True,
) -> Application:
    """Approve (creating the offering and deploying its token), reject, or request changes."""
    if actor.role not in COMPLIANCE_ROLES:
        raise PermissionDenied("Only compliance staff decide applications.")
    targets = {
        "approve": ApplicationStatus.APPROVED,
        "reject": ApplicationStatus.REJECTED,
        "request_changes": ApplicationStatus.CHANGES_REQUESTED,
    }
    if decision not in targets:
        raise ValidationFailed(
            "Choose approve, reject or request changes.", fields={"decision": "Unknown decision."}
        )
    if decision != "approve" and not reason.strip():
        raise ValidationFailed("Say why.", fields={"reason": "A reason is required for this decision."})
    now = timezone.now()
    if decision == "approve":
        closes_at = closes_at or now + timedelta(days=14)
        if closes_at <= now:
            raise ValidationFailed(
                "The offering must close in the future.", fields={"closes_at": "Must be in the future."}
            )
    application = Application.objects.select_for_update().filter(pk=application_id).first()
    if application is None:
        raise NotFound("No such application.")
    status_transition(
        application,
        to=targets[decision],
        transitions=APPLICATION_TRANSITIONS,
        actor=actor,
        reason=reason,
        extra={"decision_reason": reason, "reviewed_by": actor},
    )
    if decision == "approve":
        assert closes_at is not None
        _offering_create(
            application, closes_at=closes_at, professional_investors_only=professional_investors_only
        )
    return application


def _token_symbol(application: Application) -> str:
    letters = re.sub(r"[^A-Z]", "", application.company.legal_name_en.upper())[:4] or "SME"
    return f"{letters}{application.pk}"


def _offering_create(
    application: Application, *, closes_at: datetime, professional_investors_only: bool
) -> Offering:
    if application.currency != Currency.HKD:
        raise ValidationFailed(
            "Offerings settle in the HKD stablecoin: only HKD applications can become offerings for now. "
            "Request changes so the SME can restate the raise in HKD.",
            fields={"decision": "Not possible for a non-HKD application yet."},
        )
    terms = application.terms
    units_offered = terms.units
    cap = int(
        (units_offered * settings.MAX_OFFERING_OVERSUBSCRIPTION).to_integral_value(rounding=ROUND_FLOOR)
    )
    token = token_services.contract_deploy(
        kind=ContractKind.SECURITY_TOKEN,
        label=f"{application.title} token",
        args=[
            application.title[:64],
            _token_symbol(application),
            platform_contract(ContractKind.IDENTITY_REGISTRY).address,
            platform_contract(ContractKind.TIMELOCK).address,  # admin and agent: behind the delay
            platform_wallet(WalletKind.REGISTRAR).address,  # compliance: sets the token's rules
            platform_wallet(WalletKind.AGENT).address,  # pauser: an emergency pause is immediate
            platform_contract(ContractKind.SETTLEMENT).address,  # minter
        ],
        intent=INTENT_DEPLOY_SECURITY_TOKEN,
        key=f"deploy:security_token:application:{application.pk}",
    )
    offering = Offering.objects.create(
        application=application,
        token=token,
        currency=application.currency,
        unit_price=terms.unit_price,
        units_offered=units_offered,
        minimum_units=int(application.minimum_amount / terms.unit_price),
        subscription_cap_units=max(cap, units_offered),
        professional_investors_only=professional_investors_only,
        closes_at=closes_at,
    )
    audit_record(actor=None, action="offering_created", obj=offering, to_status=offering.status)
    return offering


# --- token set-up (applied by the outbox) -------------------------------------------------------


def security_token_deployed(tx: ChainTransaction, receipt: dict[str, Any]) -> None:
    """The token exists: apply the offering's transfer rules, or register the offering at once."""
    token = token_services.contract_mark_deployed(tx, receipt)
    offering = Offering.objects.select_for_update().get(token=token)
    if offering.professional_investors_only:
        token_services.contract_call(
            target=token,
            function="setRules",
            args=[PROFESSIONAL_INVESTOR_CLASS, 0, 0, 0],
            intent=INTENT_CONFIGURE_SECURITY_TOKEN,
            key=f"configure:security_token:{token.pk}:professional_only",
            reference=f"professional investors only on {token.label}",
        )
    else:
        _offering_register(offering)


def security_token_configured(tx: ChainTransaction, receipt: dict[str, Any]) -> None:
    """The token's rules are in force: register the offering with the Settlement contract."""
    _offering_register(Offering.objects.select_for_update().get(token_id=tx.contract_id))


def _offering_register(offering: Offering) -> None:
    """Propose the offering's terms (token -> issuer, unit price, payment token, settle-by) to the timelock.

    Once executed, the Settlement contract computes every payment from these terms and pays only this
    issuer; nobody can name another payee or amount.
    """
    application = offering.application
    issuer = application.company.wallet
    if issuer is None:
        raise Conflict("The issuer has no wallet; verify the company first.")
    token = _token_address(offering)
    settle_by = offering.closes_at + timedelta(days=settings.SETTLEMENT_WINDOW_DAYS)
    token_services.admin_operation_propose(
        target=platform_contract(ContractKind.SETTLEMENT),
        function="registerOffering",
        args=[
            token,
            issuer.address,
            platform_contract(ContractKind.PAYMENT_TOKEN).address,
            _base_units(offering.unit_price),
            int(settle_by.timestamp()),
        ],
        key=f"register:offering:{offering.pk}:{token}",
        reference=f"register offering {offering.pk} ({application.title})",
        subject_address=token,
    )


def offering_registered(tx: ChainTransaction, receipt: dict[str, Any]) -> None:
    """The Settlement contract knows the offering's terms: it is ready to open."""
    offering = Offering.objects.select_for_update().get(token__address=tx.subject_address)
    _offering_move(offering, OfferingStatus.READY, actor=None)


def security_token_failed(tx: ChainTransaction) -> None:
    """The chain refused the token's deployment, rules or registration: the offering cannot proceed."""
    if tx.intent == INTENT_DEPLOY_SECURITY_TOKEN:
        token_services.contract_mark_failed(tx)
        offering = Offering.objects.select_for_update().get(token_id=tx.contract_id)
    elif tx.intent == INTENT_CONFIGURE_SECURITY_TOKEN:
        offering = Offering.objects.select_for_update().get(token_id=tx.contract_id)
    else:
        offering = Offering.objects.select_for_update().get(token__address=tx.subject_address)
    _offering_move(offering, OfferingStatus.CANCELLED, actor=None, reason=f"Token set-up failed: {tx.error}")


def _investor_wallet(subscription: Subscription) -> str:
    wallet = subscription.investor.investor.wallet
    if wallet is None:
        raise Conflict("The investor has no wallet; it is created when due diligence is approved.")
    return wallet.address


def _token_address(offering: Offering) -> str:
    if offering.token is None or not offering.token.address:
        raise Conflict("The offering's token is not deployed yet.")
    return offering.token.address


def _base_units(amount: Decimal) -> int:
    """An HKD amount in payment-token base units (exact: amounts are whole cents)."""
    return int(amount.scaleb(settings.PAYMENT_TOKEN_DECIMALS).to_integral_exact())


def _offering_move(
    offering: Offering, to: OfferingStatus, *, actor: User | None, reason: str = "", **extra: Any
) -> None:
    status_transition(
        offering, to=to, transitions=OFFERING_TRANSITIONS, actor=actor, reason=reason, extra=extra
    )


# --- offerings --------------------------------------------------------------------------------


def _require_staff(actor: User) -> None:
    if actor.role not in STAFF_ROLES:
        raise PermissionDenied("Only platform staff open and close offerings.")


@transaction.atomic
def offering_open(*, actor: User, offering_id: int) -> Offering:
    """Open a ready offering for subscriptions."""
    _require_staff(actor)
    offering = Offering.objects.select_for_update().filter(pk=offering_id).first()
    if offering is None:
        raise NotFound("No such offering.")
    if offering.closes_at <= timezone.now():
        raise Conflict("The offering's closing time has passed; it cannot open.")
    _offering_move(offering, OfferingStatus.OPEN, actor=actor, opened_at=timezone.now())
    return offering


def _refuse_while_funding(offering: Offering) -> None:
    """Closing or cancelling waits until every payment in flight has reached escrow (or failed)."""
    funding = Subscription.objects.filter(offering=offering, status=SubscriptionStatus.FUNDING).count()
    if funding:
        raise Conflict(
            f"{funding} payment(s) are still moving into escrow; try again in a moment (nothing was changed)."
        )


def _subscriptions_end(
    subscriptions: list[Subscription], *, to: SubscriptionStatus, actor: User | None, reason: str = ""
) -> None:
    """Move subscriptions to an end state; those that refund get their escrow back in one transaction."""
    for subscription in subscriptions:
        status_transition(
            subscription, to=to, transitions=SUBSCRIPTION_TRANSITIONS, actor=actor, reason=reason
        )
    if to in REFUNDED_SUBSCRIPTION_STATUSES and subscriptions:
        _refund(subscriptions)


def _refund(subscriptions: list[Subscription]) -> None:
    """Queue the return of these subscriptions' escrow to their investors (the only place it can go)."""
    offering = subscriptions[0].offering
    ids = [s.pk for s in subscriptions]
    tx = token_services.contract_call(
        target=platform_contract(ContractKind.SETTLEMENT),
        function="refundBatch",
        args=[_token_address(offering), ids],
        intent=INTENT_REFUND,
        key=f"refund:{offering.pk}:{ids[0]}-{ids[-1]}:{len(ids)}",
        reference=f"refund {len(ids)} subscription(s) of offering {offering.pk}",
        subject_address=_investor_wallet(subscriptions[0]) if len(ids) == 1 else "",
    )
    Subscription.objects.filter(pk__in=ids).update(refund_transaction=tx)


@transaction.atomic
def offering_cancel(*, actor: User, offering_id: int, reason: str = "") -> Offering:
    """Staff call off an offering before it closes; every subscription's escrow goes back to its investor."""
    _require_staff(actor)
    offering = Offering.objects.select_for_update().filter(pk=offering_id).first()
    if offering is None:
        raise NotFound("No such offering.")
    _refuse_while_funding(offering)
    reason = reason.strip() or "Cancelled by the platform before closing."
    _offering_move(offering, OfferingStatus.CANCELLED, actor=actor, reason=reason, closed_at=timezone.now())
    active = list(
        Subscription.objects.select_for_update()
        .filter(offering=offering, status=SubscriptionStatus.ACTIVE)
        .order_by("pk")
    )
    _subscriptions_end(active, to=SubscriptionStatus.CANCELLED, actor=actor, reason=reason)
    return offering


def offering_close(*, actor: User | None, offering_id: int) -> Offering:
    """Close: below the soft cap cancel (escrow refunded); otherwise allot (pro rata when oversubscribed)
    and settle from escrow.

    Returns the offering as it stands after the commit (settlement may already have run in-process).
    """
    _offering_close(actor=actor, offering_id=offering_id)
    return Offering.objects.get(pk=offering_id)


@transaction.atomic
def _offering_close(*, actor: User | None, offering_id: int) -> Offering:
    if actor is not None:
        _require_staff(actor)
    offering = Offering.objects.select_for_update().filter(pk=offering_id).first()
    if offering is None:
        raise NotFound("No such offering.")
    if offering.status != OfferingStatus.OPEN:
        raise Conflict(
            f"The offering is {offering.get_status_display().lower()}; only an open one can close."
        )
    _refuse_while_funding(offering)
    subscriptions = list(
        Subscription.objects.select_for_update()
        .filter(offering=offering, status=SubscriptionStatus.ACTIVE)
        .order_by("pk")
    )
    subscribed = sum(s.units for s in subscriptions)
    now = timezone.now()
    if subscribed < offering.minimum_units:
        reason = f"Soft cap missed: {subscribed} of at least {offering.minimum_units} units subscribed."
        _offering_move(offering, OfferingStatus.CANCELLED, actor=actor, reason=reason, closed_at=now)
        _subscriptions_end(subscriptions, to=SubscriptionStatus.CANCELLED, actor=actor, reason=reason)
        return offering
    _offering_move(offering, OfferingStatus.CLOSED, actor=actor, closed_at=now)
    allotted = allot_pro_rata([(s.pk, s.units) for s in subscriptions], offering.units_offered)
    allotments: list[Allotment] = []
    for subscription in subscriptions:
        units = allotted[subscription.pk]
        if units == 0:
            continue
        status_transition(
            subscription, to=SubscriptionStatus.ALLOTTED, transitions=SUBSCRIPTION_TRANSITIONS, actor=actor
        )
        amount = offering.unit_price * units
        allotments.append(
            Allotment.objects.create(
                subscription=subscription,
                offering=offering,
                units=units,
                amount=amount,
                payment_base_units=_base_units(amount),
            )
        )
    _subscriptions_end(
        [s for s in subscriptions if allotted[s.pk] == 0], to=SubscriptionStatus.NOT_ALLOTTED, actor=actor
    )
    _settle_in_batches(offering, allotments)
    return offering


def allot_pro_rata(requests: list[tuple[int, int]], available: int) -> dict[int, int]:
    """Whole units per request: all of them when they fit, else pro rata, largest remainders first.

    Ties go to the earlier request (lower id); the total allotted never exceeds `available`.
    """
    total = sum(units for _, units in requests)
    if total <= available:
        return dict(requests)
    shares = {key: units * available // total for key, units in requests}
    remainders = sorted(requests, key=lambda item: (-(item[1] * available % total), item[0]))
    for key, _ in remainders[: available - sum(shares.values())]:
        shares[key] += 1
    return shares


def _settlement_refusal(token: str, investor: str, units: int) -> str | None:
    """Why the token would refuse to mint to this investor, in plain words (None: it would pass).

    The payment is already in escrow, so only the token's transfer rules can stop a settlement.
    """
    code = int(chain.call("SecurityToken", token, "canMint", investor, units))
    return None if code == OK else explain_code(code)


def _allotment_fail(allotment: Allotment, reason: str) -> None:
    status_transition(
        allotment,
        to=AllotmentStatus.FAILED,
        transitions=ALLOTMENT_TRANSITIONS,
        actor=None,
        reason=reason,
        extra={"failure_reason": reason},
    )


def _settle_in_batches(offering: Offering, allotments: list[Allotment]) -> None:
    """Check each allotment against the token's rules, then queue delivery-versus-payment in batches.

    Each item names only (subscription, units): the contract takes units x the registered price from
    that subscription's escrow, pays the registered issuer and refunds any excess to the investor.
    """
    token = _token_address(offering)
    items: list[tuple[int, int]] = []
    by_subscription: dict[int, int] = {}
    for allotment in allotments:
        refusal = _settlement_refusal(token, _investor_wallet(allotment.subscription), allotment.units)
        if refusal is None:
            items.append((allotment.subscription_id, allotment.units))
            by_subscription[allotment.subscription_id] = allotment.pk
        else:
            _allotment_fail(allotment, refusal)
    size = settings.SETTLEMENT_BATCH_SIZE
    for start in range(0, len(items), size):
        batch = items[start : start + size]
        ids = [by_subscription[subscription_id] for subscription_id, _ in batch]
        tx = token_services.contract_call(
            target=platform_contract(ContractKind.SETTLEMENT),
            function="settleBatch",
            args=[token, batch],
            intent=INTENT_SETTLE_BATCH,
            key=f"settle:batch:{ids[0]}-{ids[-1]}:{len(ids)}",
            reference=f"settle allotments {ids[0]} to {ids[-1]} ({len(ids)})",
        )
        Allotment.objects.filter(pk__in=ids).update(chain_transaction=tx)


def _settled_subscription_ids(tx: ChainTransaction) -> list[int]:
    call = chain.decode_call("Settlement", tx.data)
    if tx.intent == INTENT_SETTLE_BATCH:
        return [int(item["subscriptionId"]) for item in call["items"]]
    return [int(call["subscriptionId"])]


def allotments_settled(tx: ChainTransaction, receipt: dict[str, Any]) -> None:
    """Delivery and payment happened on chain: mark the allotments, and the offering when all are done."""
    offering_ids = set()
    for allotment in (
        Allotment.objects.select_for_update()
        .filter(subscription_id__in=_settled_subscription_ids(tx))
        .order_by("pk")
    ):
        status_transition(
            allotment,
            to=AllotmentStatus.SETTLED,
            transitions=ALLOTMENT_TRANSITIONS,
            actor=None,
            extra={"settled_at": timezone.now()},
            data={"tx_hash": tx.tx_hash},
        )
        offering_ids.add(allotment.offering_id)
    for offering in Offering.objects.select_for_update().filter(pk__in=offering_ids):
        if not offering.allotments.exclude(status=AllotmentStatus.SETTLED).exists():
            _offering_move(offering, OfferingStatus.SETTLED, actor=None)


def allotments_settlement_failed(tx: ChainTransaction) -> None:
    """The chain refused the settlement: its allotments fail with the reason in plain words."""
    reason = explain_failure(tx.error)
    for allotment in (
        Allotment.objects.select_for_update()
        .filter(subscription_id__in=_settled_subscription_ids(tx))
        .order_by("pk")
    ):
        _allotment_fail(allotment, reason)


@transaction.atomic
def allotment_retry(*, actor: User, allotment_id: int) -> Allotment:
    """Queue a failed settlement again on its own (after the cause was fixed); its escrow still waits."""
    _require_staff(actor)
    allotment = (
        Allotment.objects.select_for_update(of=("self",))
        .select_related("offering__token", "subscription__investor__investor__wallet")
        .filter(pk=allotment_id)
        .first()
    )
    if allotment is None:
        raise NotFound("No such allotment.")
    token = _token_address(allotment.offering)
    refusal = _settlement_refusal(token, _investor_wallet(allotment.subscription), allotment.units)
    if refusal is not None:
        raise Conflict(f"It would still be refused: {refusal}")
    status_transition(allotment, to=AllotmentStatus.PENDING, transitions=ALLOTMENT_TRANSITIONS, actor=actor)
    tx = token_services.contract_call(
        target=platform_contract(ContractKind.SETTLEMENT),
        function="settle",
        args=[token, allotment.subscription_id, allotment.units],
        intent=INTENT_SETTLE_ALLOTMENT,
        key=f"settle:allotment:{allotment.pk}:after:{allotment.chain_transaction_id or 0}",
        reference=f"settle allotment {allotment.pk} again",
        subject_address=_investor_wallet(allotment.subscription),
    )
    Allotment.objects.filter(pk=allotment.pk).update(chain_transaction=tx)
    return allotment


# --- subscriptions ------------------------------------------------------------------------------


@transaction.atomic
def subscription_create(*, user: User, offering_id: int, units: int) -> Subscription:
    """Subscribe whole units of an open offering: the investor authorises exactly this payment, which
    moves into the Settlement contract's escrow; the hard cap holds under concurrent requests."""
    if user.role != Role.INVESTOR:
        raise PermissionDenied("Only investors subscribe.")
    # The investor's row lock serialises their subscriptions: one per offering, and one balance check
    # at a time across offerings.
    profile = (
        InvestorProfile.objects.select_for_update(of=("self",))
        .select_related("wallet")
        .filter(user=user)
        .first()
    )
    if profile is None or not profile.can_subscribe:
        raise ValidationFailed(
            "Your due diligence must be approved and your wallet registered before you subscribe."
        )
    if units < 1:
        raise ValidationFailed("Subscribe at least one unit.", fields={"units": "Must be at least 1."})
    offering = Offering.objects.select_related("token").filter(pk=offering_id).first()
    if offering is None:
        raise NotFound("No such offering.")
    if offering.status != OfferingStatus.OPEN or offering.closes_at <= timezone.now():
        raise Conflict("This offering is not open for subscription.")
    if offering.professional_investors_only and not profile.is_professional:
        raise ValidationFailed("This offering is for professional investors only.")
    if Subscription.objects.filter(
        offering=offering, investor=user, status__in=LIVE_SUBSCRIPTION_STATUSES
    ).exists():
        raise Conflict("You already subscribed to this offering; withdraw it first to change the amount.")
    amount = offering.unit_price * units
    assert profile.wallet is not None
    # Escrowed payments have left the wallet already; those still on their way have not.
    in_flight = Subscription.objects.filter(investor=user, status=SubscriptionStatus.FUNDING).aggregate(
        total=Sum("amount")
    )["total"] or Decimal("0")
    balance = payment_balance(profile.wallet.address)
    if balance < in_flight + amount:
        raise ValidationFailed(
            f"Your wallet holds HKD {balance:,.2f}; this subscription needs HKD {amount:,.2f} on top of "
            f"HKD {in_flight:,.2f} already on its way into escrow.",
            fields={"units": "Not enough HKD in your wallet for this many units."},
        )
    room = offering.subscription_cap_units - units
    taken = Offering.objects.filter(
        pk=offering.pk, status=OfferingStatus.OPEN, units_subscribed__lte=room
    ).update(units_subscribed=F("units_subscribed") + units, updated_at=timezone.now())
    if taken != 1:
        left = max(0, offering.subscription_cap_units - Offering.objects.get(pk=offering.pk).units_subscribed)
        raise Conflict(
            f"Only {left} units are left under this offering's cap.",
            fields={"units": f"At most {left} units are available."},
        )
    subscription = Subscription.objects.create(
        offering=offering,
        investor=user,
        units=units,
        amount=amount,
        authorised_until=timezone.now() + timedelta(seconds=settings.PAYMENT_AUTHORISATION_SECONDS),
    )
    audit_record(
        actor=user,
        action="subscription_created",
        obj=subscription,
        to_status=subscription.status,
        data={"units": units, "amount": str(amount)},
    )
    _escrow_payment(subscription, investor_wallet=profile.wallet.address)
    return subscription


def _escrow_payment(subscription: Subscription, *, investor_wallet: str) -> None:
    """The investor's wallet signs an authorisation for exactly this payment; the settler relays it."""
    offering = subscription.offering
    settlement = platform_contract(ContractKind.SETTLEMENT)
    payment = platform_contract(ContractKind.PAYMENT_TOKEN)
    _, name, version, chain_id, verifying_contract, _, _ = chain.call(
        "PaymentToken", str(payment.address), "eip712Domain"
    )
    domain = {"name": name, "version": version, "chainId": chain_id, "verifyingContract": verifying_contract}
    v, r, s = signer.sign_payment_authorisation(
        purpose=subscription, domain=domain, settlement_address=str(settlement.address)
    )
    tx = token_services.contract_call(
        target=settlement,
        function="fund",
        args=[
            _token_address(offering),
            subscription.pk,
            investor_wallet,
            subscription.units,
            int(subscription.authorised_until.timestamp()),
            v,
            r,
            s,
        ],
        intent=INTENT_FUND_SUBSCRIPTION,
        key=f"fund:subscription:{subscription.pk}",
        reference=f"escrow the payment of subscription {subscription.pk}",
        subject_address=investor_wallet,
    )
    Subscription.objects.filter(pk=subscription.pk).update(funding_transaction=tx)


def _funded_subscription(tx: ChainTransaction) -> Subscription:
    subscription_id = int(chain.decode_call("Settlement", tx.data)["subscriptionId"])
    return Subscription.objects.select_for_update().get(pk=subscription_id)


def subscription_funded(tx: ChainTransaction, receipt: dict[str, Any]) -> None:
    """The payment is in escrow: the subscription counts."""
    subscription = _funded_subscription(tx)
    status_transition(
        subscription,
        to=SubscriptionStatus.ACTIVE,
        transitions=SUBSCRIPTION_TRANSITIONS,
        actor=None,
        data={"tx_hash": tx.tx_hash},
    )


def subscription_funding_failed(tx: ChainTransaction) -> None:
    """The chain refused the escrow deposit: the subscription fails and its units go back under the cap."""
    subscription = _funded_subscription(tx)
    reason = explain_failure(tx.error)
    status_transition(
        subscription,
        to=SubscriptionStatus.FAILED,
        transitions=SUBSCRIPTION_TRANSITIONS,
        actor=None,
        reason=reason,
        extra={"failure_reason": reason},
    )
    Offering.objects.filter(pk=subscription.offering_id).update(
        units_subscribed=F("units_subscribed") - subscription.units
    )


def subscriptions_refunded(tx: ChainTransaction, receipt: dict[str, Any]) -> None:
    """The escrow went back to the investors."""
    ids = [int(i) for i in chain.decode_call("Settlement", tx.data)["subscriptionIds"]]
    Subscription.objects.filter(pk__in=ids).update(refunded_at=timezone.now(), updated_at=timezone.now())


def subscriptions_refund_failed(tx: ChainTransaction) -> None:
    """A refused refund is an operator matter: the escrow stays, and after settle-by anyone may refund it."""
    logger.error("refund transaction %s failed: %s", tx.pk, tx.error)


@transaction.atomic
def subscription_withdraw(*, user: User, subscription_id: int) -> Subscription:
    """Cancel one's own subscription while the offering is open; the escrow goes back to the investor."""
    found = Subscription.objects.filter(pk=subscription_id, investor=user).values_list(
        "offering_id", flat=True
    )
    if not found:
        raise NotFound("No such subscription.")
    # Offering first, then subscription: the same lock order as closing, so the two cannot deadlock.
    offering = Offering.objects.select_for_update().get(pk=found[0])
    subscription = Subscription.objects.select_for_update().get(pk=subscription_id)
    if offering.status != OfferingStatus.OPEN or offering.closes_at <= timezone.now():
        raise Conflict("The offering has closed; the subscription can no longer be withdrawn.")
    if subscription.status == SubscriptionStatus.FUNDING:
        raise Conflict("Your payment is still moving into escrow; withdraw it in a moment.")
    _subscriptions_end([subscription], to=SubscriptionStatus.WITHDRAWN, actor=user)
    Offering.objects.filter(pk=offering.pk).update(
        units_subscribed=F("units_subscribed") - subscription.units
    )
    return subscription


# Back-off of the scheduled close after a failure: 1, 2, 4 ... minutes, at most an hour.
CLOSE_RETRY_FIRST_DELAY = timedelta(minutes=1)
CLOSE_RETRY_MAX_DELAY = timedelta(hours=1)


def offerings_close_due() -> list[int]:
    """Close every open offering past its closing time (a failed one backs off); returns the ids tried."""
    now = timezone.now()
    due = list(
        Offering.objects.filter(status=OfferingStatus.OPEN, closes_at__lte=now)
        .exclude(close_retry__next_attempt_at__gt=now)
        .values_list("pk", flat=True)
    )
    for offering_id in due:
        # One offering's trouble (chain down, missing wallet) must not hold up the others.
        try:
            offering_close(actor=None, offering_id=offering_id)
        except Exception as exc:
            if not Offering.objects.filter(pk=offering_id, status=OfferingStatus.OPEN).exists():
                continue  # closed meanwhile by staff: nothing to retry
            failed = OfferingCloseRetry.objects.filter(offering_id=offering_id).first()
            attempts = (failed.attempts if failed else 0) + 1
            delay = min(CLOSE_RETRY_FIRST_DELAY * 2 ** min(attempts - 1, 6), CLOSE_RETRY_MAX_DELAY)
            failed_at = timezone.now()
            error = exc.message if isinstance(exc, ApplicationError) else f"{type(exc).__name__}: {exc}"
            OfferingCloseRetry.objects.update_or_create(
                offering_id=offering_id,
                defaults={
                    "attempts": attempts,
                    "next_attempt_at": failed_at + delay,
                    "last_error": error,
                    "last_failed_at": failed_at,
                },
            )
            logger.exception(
                "closing due offering %s failed (attempt %s); next attempt in %s",
                offering_id,
                attempts,
                delay,
            )
    # Closed by this run or by staff, or cancelled: nothing is left to retry.
    OfferingCloseRetry.objects.exclude(offering__status=OfferingStatus.OPEN).delete()
    return due
