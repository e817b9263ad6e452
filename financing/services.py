"""Writes of financing: applications, offerings, subscriptions, allotment and settlement."""

from __future__ import annotations

import re
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
from config.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from financing.choices import (
    ALLOTMENT_TRANSITIONS,
    APPLICATION_TRANSITIONS,
    EDITABLE_APPLICATION_STATUSES,
    OFFERING_TRANSITIONS,
    SUBSCRIPTION_TRANSITIONS,
    AllotmentStatus,
    ApplicationStatus,
    Currency,
    Frequency,
    Instrument,
    OfferingStatus,
    SubscriptionStatus,
)
from financing.models import Allotment, Application, BondTerms, Offering, Subscription
from issuers.choices import KybStatus
from issuers.models import Company
from tokens import chain
from tokens import services as token_services
from tokens.choices import ContractKind
from tokens.models import ChainTransaction
from tokens.selectors import payment_balance, platform_contract, platform_wallet

INTENT_DEPLOY_SECURITY_TOKEN = "deploy_security_token"
INTENT_CONFIGURE_SECURITY_TOKEN = "configure_security_token"
INTENT_SETTLE_ALLOTMENT = "settle_allotment"
PROFESSIONAL_INVESTOR_CLASS = 1
CENT = Decimal("0.01")
MAX_AMOUNT = Decimal("10000000000")  # HKD 10bn: anything larger is a typing mistake


# --- applications -------------------------------------------------------------------------------


def _validate_bond(
    *,
    target_amount: Decimal,
    minimum_amount: Decimal,
    face_value: Decimal,
    coupon_rate: Decimal,
    coupon_frequency: str,
    issue_date: date,
    maturity_date: date,
) -> dict[str, str]:
    errors: dict[str, str] = {}
    for name, value in (
        ("target_amount", target_amount),
        ("minimum_amount", minimum_amount),
        ("face_value", face_value),
    ):
        if value <= 0:
            errors[name] = "Must be more than zero."
        elif value != value.quantize(CENT):
            errors[name] = "Use at most two decimal places."
        elif value > MAX_AMOUNT:
            errors[name] = "That is more than the platform accepts (10 billion)."
    if not errors:
        if minimum_amount > target_amount:
            errors["minimum_amount"] = "The minimum raise cannot exceed the target."
        if target_amount % face_value:
            errors["target_amount"] = "The target must be a whole number of units of the face value."
        if minimum_amount % face_value:
            errors["minimum_amount"] = "The minimum must be a whole number of units of the face value."
    if not Decimal("0") <= coupon_rate < Decimal("1"):
        errors["coupon_rate"] = "Enter the annual rate as a fraction between 0 and 1 (0.065 is 6.5%)."
    elif coupon_rate != coupon_rate.quantize(Decimal("0.000001")):
        errors["coupon_rate"] = "Use at most six decimal places."
    if coupon_frequency not in Frequency.values:
        errors["coupon_frequency"] = "Choose monthly, quarterly, semi-annual or annual."
    if maturity_date <= issue_date:
        errors["maturity_date"] = "Maturity must come after the issue date."
    elif maturity_date > issue_date + timedelta(days=366 * 30):
        errors["maturity_date"] = "Maturity may be at most 30 years after issue."
    return errors


@transaction.atomic
def bond_application_save(
    *,
    user: User,
    application: Application | None = None,
    title: str,
    currency: str,
    target_amount: Decimal,
    minimum_amount: Decimal,
    use_of_proceeds: str,
    face_value: Decimal,
    coupon_rate: Decimal,
    coupon_frequency: str,
    issue_date: date,
    maturity_date: date,
) -> Application:
    """Create or edit a bond application of the user's verified company (draft or changes requested)."""
    company = Company.objects.filter(representative=user).first()
    if user.role != Role.SME or company is None:
        raise PermissionDenied("Only an SME representative with a company profile can apply.")
    if company.kyb_status != KybStatus.VERIFIED:
        raise ValidationFailed("Your company must pass KYB before it can apply for financing.")
    errors = _validate_bond(
        target_amount=target_amount,
        minimum_amount=minimum_amount,
        face_value=face_value,
        coupon_rate=coupon_rate,
        coupon_frequency=coupon_frequency,
        issue_date=issue_date,
        maturity_date=maturity_date,
    )
    if not title.strip():
        errors["title"] = "Give the application a title."
    if currency not in Currency.values:
        errors["currency"] = "Choose HKD, CNY, MOP or USD."
    elif currency != Currency.HKD:
        errors["currency"] = "Offerings settle in the HKD stablecoin: only HKD is accepted for now."
    if not use_of_proceeds.strip():
        errors["use_of_proceeds"] = "Say what the money will be used for."
    if errors:
        raise ValidationFailed("Please correct the highlighted fields.", fields=errors)
    common = {
        "title": title.strip(),
        "currency": currency,
        "target_amount": target_amount,
        "minimum_amount": minimum_amount,
        "use_of_proceeds": use_of_proceeds.strip(),
    }
    terms = {
        "face_value": face_value,
        "coupon_rate": coupon_rate,
        "coupon_frequency": coupon_frequency,
        "issue_date": issue_date,
        "maturity_date": maturity_date,
    }
    if application is None:
        application = Application.objects.create(company=company, instrument=Instrument.BOND, **common)
        BondTerms.objects.create(application=application, **terms)
        audit_record(actor=user, action="application_created", obj=application)
        return application
    application = Application.objects.select_for_update().get(pk=application.pk)
    if application.company_id != company.pk:
        raise NotFound("No such application.")
    if application.status not in EDITABLE_APPLICATION_STATUSES:
        raise Conflict(f"The application is {application.get_status_display().lower()} and cannot change.")
    Application.objects.filter(pk=application.pk).update(**common, updated_at=timezone.now())
    BondTerms.objects.filter(application=application).update(**terms)
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
    terms = application.bond_terms
    units_offered = int(application.target_amount / terms.face_value)
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
            platform_wallet().address,
            platform_contract(ContractKind.SETTLEMENT).address,
        ],
        intent=INTENT_DEPLOY_SECURITY_TOKEN,
        key=f"deploy:security_token:application:{application.pk}",
    )
    offering = Offering.objects.create(
        application=application,
        token=token,
        currency=application.currency,
        unit_price=terms.face_value,
        units_offered=units_offered,
        minimum_units=int(application.minimum_amount / terms.face_value),
        subscription_cap_units=max(cap, units_offered),
        professional_investors_only=professional_investors_only,
        closes_at=closes_at,
    )
    audit_record(actor=None, action="offering_created", obj=offering, to_status=offering.status)
    return offering


# --- token deployment (applied by the outbox) ----------------------------------------------------


def security_token_deployed(tx: ChainTransaction, receipt: dict[str, Any]) -> None:
    """The token exists: apply the offering's transfer rules, or make it ready at once."""
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
        _offering_move(offering, OfferingStatus.READY, actor=None)


def security_token_configured(tx: ChainTransaction, receipt: dict[str, Any]) -> None:
    """The token's rules are in force: the offering can open."""
    offering = Offering.objects.select_for_update().get(token_id=tx.contract_id)
    _offering_move(offering, OfferingStatus.READY, actor=None)


def security_token_failed(tx: ChainTransaction) -> None:
    """The chain refused the token's deployment or its rules: the offering cannot proceed."""
    if tx.intent == INTENT_DEPLOY_SECURITY_TOKEN:
        token_services.contract_mark_failed(tx)
    offering = Offering.objects.select_for_update().get(token_id=tx.contract_id)
    _offering_move(offering, OfferingStatus.CANCELLED, actor=None, reason=f"Token set-up failed: {tx.error}")


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


def offering_close(*, actor: User | None, offering_id: int) -> Offering:
    """Close: below the soft cap cancel; otherwise allot (pro rata when oversubscribed) and settle.

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
        for subscription in subscriptions:
            status_transition(
                subscription,
                to=SubscriptionStatus.CANCELLED,
                transitions=SUBSCRIPTION_TRANSITIONS,
                actor=actor,
                reason=reason,
            )
        return offering
    _offering_move(offering, OfferingStatus.CLOSED, actor=actor, closed_at=now)
    allotted = allot_pro_rata([(s.pk, s.units) for s in subscriptions], offering.units_offered)
    for subscription in subscriptions:
        units = allotted[subscription.pk]
        if units == 0:
            status_transition(
                subscription,
                to=SubscriptionStatus.NOT_ALLOTTED,
                transitions=SUBSCRIPTION_TRANSITIONS,
                actor=actor,
            )
            continue
        status_transition(
            subscription, to=SubscriptionStatus.ALLOTTED, transitions=SUBSCRIPTION_TRANSITIONS, actor=actor
        )
        amount = offering.unit_price * units
        allotment = Allotment.objects.create(
            subscription=subscription,
            offering=offering,
            units=units,
            amount=amount,
            payment_base_units=amount.scaleb(settings.PAYMENT_TOKEN_DECIMALS).to_integral_exact(),
        )
        _allotment_enqueue_settlement(allotment)
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


def _allotment_enqueue_settlement(allotment: Allotment) -> None:
    offering = allotment.offering
    investor_wallet = allotment.subscription.investor.investor.wallet
    issuer_wallet = offering.application.company.wallet
    if offering.token is None or investor_wallet is None or issuer_wallet is None:
        raise Conflict("The token or a wallet of this allotment is missing; it cannot settle.")
    tx = token_services.contract_call(
        target=platform_contract(ContractKind.SETTLEMENT),
        function="settle",
        args=[
            allotment.pk,
            offering.token.address,
            investor_wallet.address,
            issuer_wallet.address,
            allotment.units,
            int(allotment.payment_base_units),
        ],
        intent=INTENT_SETTLE_ALLOTMENT,
        key=f"settle:allotment:{allotment.pk}:{allotment.chain_transaction_id or 0}",
        reference=f"settle allotment {allotment.pk}",
        subject_address=investor_wallet.address,
    )
    Allotment.objects.filter(pk=allotment.pk).update(chain_transaction=tx)


def allotment_settled(tx: ChainTransaction, receipt: dict[str, Any]) -> None:
    """Delivery and payment happened on chain: mark the allotment, and the offering when all are done."""
    allotment_id = int(chain.decode_call("Settlement", tx.data)["allotmentId"])
    allotment = Allotment.objects.select_for_update().get(pk=allotment_id)
    status_transition(
        allotment,
        to=AllotmentStatus.SETTLED,
        transitions=ALLOTMENT_TRANSITIONS,
        actor=None,
        extra={"settled_at": timezone.now()},
        data={"tx_hash": tx.tx_hash},
    )
    offering = Offering.objects.select_for_update().get(pk=allotment.offering_id)
    if not offering.allotments.exclude(status=AllotmentStatus.SETTLED).exists():
        _offering_move(offering, OfferingStatus.SETTLED, actor=None)


def allotment_settlement_failed(tx: ChainTransaction) -> None:
    """The chain refused the settlement (e.g. the investor's payment was short): staff may retry."""
    allotment_id = int(chain.decode_call("Settlement", tx.data)["allotmentId"])
    allotment = Allotment.objects.select_for_update().get(pk=allotment_id)
    status_transition(
        allotment,
        to=AllotmentStatus.FAILED,
        transitions=ALLOTMENT_TRANSITIONS,
        actor=None,
        reason=tx.error,
        extra={"failure_reason": tx.error},
    )


@transaction.atomic
def allotment_retry(*, actor: User, allotment_id: int) -> Allotment:
    """Queue a failed settlement again (after the cause was fixed)."""
    _require_staff(actor)
    allotment = Allotment.objects.select_for_update().filter(pk=allotment_id).first()
    if allotment is None:
        raise NotFound("No such allotment.")
    status_transition(allotment, to=AllotmentStatus.PENDING, transitions=ALLOTMENT_TRANSITIONS, actor=actor)
    _allotment_enqueue_settlement(allotment)
    return allotment


# --- subscriptions ------------------------------------------------------------------------------


@transaction.atomic
def subscription_create(*, user: User, offering_id: int, units: int) -> Subscription:
    """Subscribe whole units of an open offering; the hard cap holds under concurrent requests."""
    if user.role != Role.INVESTOR:
        raise PermissionDenied("Only investors subscribe.")
    profile = InvestorProfile.objects.select_related("wallet").filter(user=user).first()
    if profile is None or not profile.can_subscribe:
        raise ValidationFailed(
            "Your due diligence must be approved and your wallet registered before you subscribe."
        )
    if units < 1:
        raise ValidationFailed("Subscribe at least one unit.", fields={"units": "Must be at least 1."})
    offering = Offering.objects.filter(pk=offering_id).first()
    if offering is None:
        raise NotFound("No such offering.")
    if offering.status != OfferingStatus.OPEN or offering.closes_at <= timezone.now():
        raise Conflict("This offering is not open for subscription.")
    if offering.professional_investors_only and not profile.is_professional:
        raise ValidationFailed("This offering is for professional investors only.")
    if Subscription.objects.filter(
        offering=offering, investor=user, status=SubscriptionStatus.ACTIVE
    ).exists():
        raise Conflict("You already subscribed to this offering; withdraw it first to change the amount.")
    amount = offering.unit_price * units
    assert profile.wallet is not None
    committed = Subscription.objects.filter(investor=user, status=SubscriptionStatus.ACTIVE).aggregate(
        total=Sum("amount")
    )["total"] or Decimal("0")
    balance = payment_balance(profile.wallet.address)
    if balance < committed + amount:
        raise ValidationFailed(
            f"Your wallet holds HKD {balance:,.2f}; this subscription needs HKD {amount:,.2f} on top of "
            f"HKD {committed:,.2f} already committed.",
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
    subscription = Subscription.objects.create(offering=offering, investor=user, units=units, amount=amount)
    audit_record(
        actor=user,
        action="subscription_created",
        obj=subscription,
        to_status=subscription.status,
        data={"units": units, "amount": str(amount)},
    )
    return subscription


@transaction.atomic
def subscription_withdraw(*, user: User, subscription_id: int) -> Subscription:
    """Cancel one's own subscription while the offering is open."""
    subscription = Subscription.objects.select_for_update().filter(pk=subscription_id, investor=user).first()
    if subscription is None:
        raise NotFound("No such subscription.")
    offering = Offering.objects.select_for_update().get(pk=subscription.offering_id)
    if offering.status != OfferingStatus.OPEN:
        raise Conflict("The offering has closed; the subscription can no longer be withdrawn.")
    status_transition(
        subscription, to=SubscriptionStatus.WITHDRAWN, transitions=SUBSCRIPTION_TRANSITIONS, actor=user
    )
    Offering.objects.filter(pk=offering.pk).update(
        units_subscribed=F("units_subscribed") - subscription.units
    )
    return subscription


def offerings_close_due() -> list[int]:
    """Close every open offering whose closing time has passed; returns their ids."""
    due = list(
        Offering.objects.filter(status=OfferingStatus.OPEN, closes_at__lte=timezone.now()).values_list(
            "pk", flat=True
        )
    )
    for offering_id in due:
        try:
            offering_close(actor=None, offering_id=offering_id)
        except Conflict:
            continue  # closed by someone else meanwhile
    return due
