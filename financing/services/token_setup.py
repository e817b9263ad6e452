"""Token set-up of an offering: its security token deployed at approval, its rules set, the offering
registered with the Settlement contract (then it is ready to open), and the failure of any of these."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from decimal import ROUND_FLOOR
from typing import Any

from django.conf import settings
from django.utils.translation import gettext

from compliance.audit import audit_record
from config.errors import Conflict, ValidationFailed
from financing.choices import Currency, Instrument, OfferingStatus
from financing.models import Application, Offering
from financing.services.common import (
    INTENT_CONFIGURE_SECURITY_TOKEN,
    INTENT_DEPLOY_SECURITY_TOKEN,
    PROFESSIONAL_INVESTOR_CLASS,
    base_units,
    offering_move,
    offering_move_cancelled,
    token_address,
)
from financing.trade.services import trade_documents_confirmed
from tokens import services as token_services
from tokens.choices import ContractKind, WalletKind
from tokens.models import ChainTransaction
from tokens.selectors import payment_token, platform_contract, platform_wallet


def _token_symbol(application: Application) -> str:
    letters = re.sub(r"[^A-Z]", "", application.company.legal_name_en.upper())[:4] or "SME"
    return f"{letters}{application.pk}"


def offering_create(
    application: Application,
    *,
    closes_at: datetime,
    professional_investors_only: bool,
    transfer_lockup_until: datetime | None = None,
    max_holders: int | None = None,
) -> Offering:
    try:
        payment_token(application.currency)
    except Conflict as exc:
        currency = application.currency
        raise ValidationFailed(
            gettext(
                "An offering settles in its application's currency, and no stablecoin "
                "is accepted for %(currency)s (%(label)s) yet. List one on the payment "
                "tokens page (a second staff member approves it), or request changes "
                "so the SME restates the raise in another currency."
            )
            % {"currency": currency, "label": Currency(currency).label},
            fields={
                "decision": gettext("No %(currency)s stablecoin is accepted yet.") % {"currency": currency}
            },
        ) from exc
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
        transfer_lockup_until=transfer_lockup_until,
        max_holders=max_holders,
        closes_at=closes_at,
    )
    audit_record(actor=None, action="offering_created", obj=offering, to_status=offering.status)
    return offering


def security_token_deployed(tx: ChainTransaction, receipt: dict[str, Any]) -> None:
    """The token exists: apply the offering's transfer rules, or register the offering at once."""
    token = token_services.contract_mark_deployed(tx, receipt)
    offering = Offering.objects.select_for_update().get(token=token)
    lockup = int(offering.transfer_lockup_until.timestamp()) if offering.transfer_lockup_until else 0
    classes = PROFESSIONAL_INVESTOR_CLASS if offering.professional_investors_only else 0
    if classes or lockup or offering.max_holders:
        token_services.contract_call(
            target=token,
            function="setTransferRules",
            args=[classes, offering.max_holders or 0, 0, lockup],
            intent=INTENT_CONFIGURE_SECURITY_TOKEN,
            key=f"configure:security_token:{token.pk}:rules",
            reference=f"transfer rules of {token.label}",
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
        raise Conflict(gettext("The issuer has no wallet; verify the company first."))
    token = token_address(offering)
    settle_by = offering.closes_at + timedelta(days=settings.SETTLEMENT_WINDOW_DAYS)
    token_services.admin_operation_propose(
        target=platform_contract(ContractKind.SETTLEMENT),
        function="registerOffering",
        args=[
            token,
            issuer.address,
            payment_token(offering.currency).address,
            base_units(offering.unit_price),
            int(settle_by.timestamp()),
        ],
        key=f"register:offering:{offering.pk}:{token}",
        reference=f"register offering {offering.pk} ({application.title})",
        subject_address=token,
    )


def offering_registered(tx: ChainTransaction, receipt: dict[str, Any]) -> None:
    """The Settlement contract knows the offering's terms: it is ready to open."""
    offering = Offering.objects.select_for_update().get(token__address=tx.subject_address)
    if offering.application.instrument == Instrument.TRADE and not trade_documents_confirmed(
        offering.application
    ):
        return  # ready when the last document's registration confirms (financing.trade.services)
    offering_move(offering, OfferingStatus.READY, actor=None)


def security_token_failed(tx: ChainTransaction) -> None:
    """The chain refused the token's deployment, rules or registration: the offering cannot proceed."""
    if tx.intent == INTENT_DEPLOY_SECURITY_TOKEN:
        token_services.contract_mark_failed(tx)
        offering = Offering.objects.select_for_update().get(token_id=tx.contract_id)
    elif tx.intent == INTENT_CONFIGURE_SECURITY_TOKEN:
        offering = Offering.objects.select_for_update().get(token_id=tx.contract_id)
    else:
        offering = Offering.objects.select_for_update().get(token__address=tx.subject_address)
    offering_move_cancelled(
        offering, actor=None, reason=f"The security token could not be set up on chain: {tx.error}"
    )
