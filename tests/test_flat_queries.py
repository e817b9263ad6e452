"""Every list page and list API answers a page, and its SQL queries (and chain RPC requests, where it
reads the chain) are as many for 1,000 rows as for 10.

Each case seeds 10 rows in bulk, asks once (a session's first request does its own bookkeeping),
counts one request, seeds 990 more and counts again. The rows are written directly (`bulk_create`):
the services that normally write them are tested on their own, and this module stays fast.
"""

from __future__ import annotations

import itertools
import math
import re
import secrets
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from web3.providers.rpc import HTTPProvider

from accounts.choices import NotificationKind, Role
from accounts.models import ApiKey, Notification, User
from compliance.cases.choices import CaseKind, CaseStatus, InformationRequestStatus
from compliance.cases.models import Case, InformationRequest
from compliance.choices import AttestationKind
from compliance.licences.choices import IntermediaryRole, LicenceKind, RegulatedActivity
from compliance.licences.models import Intermediary, Licence
from compliance.models import Attestation, AuditEvent, InvestorProfile
from financing.choices import (
    AllotmentStatus,
    ApplicationStatus,
    OfferingStatus,
    PaymentKind,
    SubscriptionStatus,
)
from financing.models import Allotment, Application, Offering, OfferingPayment, Subscription, Terms
from financing.tests import factories
from issuers.choices import KybStatus
from issuers.models import Company, Person
from issuers.sharing.models import DataAccessLog, DataConsent
from tokens.choices import (
    ChainTxStatus,
    ContractKind,
    ContractStatus,
    ListingStatus,
    PaymentLegKind,
    TokenOperationKind,
    TokenOperationStatus,
    WalletKind,
)
from tokens.models import (
    ChainEvent,
    ChainTransaction,
    Contract,
    PaymentLeg,
    PaymentTokenListing,
    TokenHolding,
    TokenOperation,
    Wallet,
)
from tokens.services import wallet_create

FEW, MANY = 10, 1000
API_PAGE = 50  # the list APIs' default limit
_serial = itertools.count()


def _n() -> int:
    return next(_serial)


# --- bulk rows ----------------------------------------------------------------------------------


def _users(role: str, count: int) -> list[User]:
    return User.objects.bulk_create(
        [
            User(email=f"bulk{_n()}@example.hk", full_name=f"Bulk Person {i}", role=role, password="!")
            for i in range(count)
        ]
    )


def _user(role: str) -> User:
    user = _users(role, 1)[0]
    user.email_confirmed_at = timezone.now()
    user.save(update_fields=["email_confirmed_at"])
    return user


def _companies(representatives: list[User]) -> list[Company]:
    """Companies submitted for KYB, one per representative."""
    return Company.objects.bulk_create(
        [
            Company(
                representative=user,
                legal_name_en=f"Harbour Widgets {_n()} Limited",
                jurisdiction="HK",
                registration_number=f"{40000000 + _n()}",
                industry="electronics",
                kyb_status=KybStatus.SUBMITTED,
            )
            for user in representatives
        ]
    )


def _company_of(representative: User) -> Company:
    """A verified company with its custodial wallet (creating a wallet needs no chain)."""
    wallet = wallet_create(kind=WalletKind.ISSUER, label="issuer")
    return Company.objects.create(
        representative=representative,
        legal_name_en=f"Harbour Widgets {_n()} Limited",
        jurisdiction="HK",
        registration_number=f"{40000000 + _n()}",
        industry="electronics",
        kyb_status=KybStatus.VERIFIED,
        wallet=wallet,
    )


def _applications(
    company: Company, count: int, status: str = ApplicationStatus.APPROVED
) -> list[Application]:
    """`count` bond applications of `company`, each with its terms."""
    start = date.today() + timedelta(days=10)
    applications = Application.objects.bulk_create(
        [
            Application(
                company=company,
                instrument="bond",
                title=f"Harbour bond {_n()}",
                target_amount=Decimal("100000.00"),
                minimum_amount=Decimal("20000.00"),
                use_of_proceeds="Working capital",
                status=status,
                submitted_at=timezone.now(),
            )
            for _ in range(count)
        ]
    )
    Terms.objects.bulk_create(
        [
            Terms(
                application=application,
                unit_price=Decimal("1000.00"),
                annual_rate=Decimal("0.05"),
                frequency="semiannual",
                amortization="bullet",
                start_date=start,
                maturity_date=start.replace(year=start.year + 2),
            )
            for application in applications
        ]
    )
    return applications


def _offerings(company: Company, count: int, status: str = OfferingStatus.OPEN) -> list[Offering]:
    """`count` approved bond applications of `company`, each with its terms and an offering."""
    applications = _applications(company, count)
    return Offering.objects.bulk_create(
        [
            Offering(
                application=application,
                status=status,
                currency="HKD",
                unit_price=Decimal("1000.00"),
                units_offered=100,
                minimum_units=20,
                subscription_cap_units=300,
                closes_at=timezone.now() + timedelta(days=7),
            )
            for application in applications
        ]
    )


def _trade_setup(user: User) -> dict[str, Any]:
    company = _company_of(user)
    (application,) = _applications(company, 1, status=ApplicationStatus.DRAFT)
    Application.objects.filter(pk=application.pk).update(instrument="trade")
    return {"company": company, "application": application.pk}


def _trade_documents(user: User, world: dict[str, Any], count: int) -> None:
    """`count` invoices on the world's trade application (and on some application documents)."""
    from financing.models import TradeDocument

    TradeDocument.objects.bulk_create(
        [
            TradeDocument(
                application_id=world["application"],
                kind="invoice",
                raw_fields={"invoice_number": f"INV-{i}"},
                canonical_fields={"invoice_number": f"INV{i}"},
                fingerprint="0x" + secrets.token_hex(32),
                face_value=Decimal("1000.00"),
                currency="HKD",
            )
            for i in range(count)
        ]
    )


def _trade_applications(user: User, world: dict[str, Any], count: int) -> None:
    """`count` applications of the SME, each with one trade document."""
    _trade_documents(user, world, 1)
    for application in _applications(world["company"], count):
        _trade_documents(user, {"application": application.pk}, 1)


def _tagged_company() -> Company:
    """An SME's company tagged technology and SRDI (what the filtered marketplace cases ask for)."""
    company = _company_of(_user(Role.SME))
    Company.objects.filter(pk=company.pk).update(is_technology=True, srdi_tier="provincial")
    return company


def _kyb_cases(count: int, **fields: Any) -> list[Case]:
    companies = _companies(_users(Role.SME, count))
    return Case.objects.bulk_create(
        [
            Case(kind=CaseKind.KYB, company=company, opened_at=timezone.now(), **fields)
            for company in companies
        ]
    )


def _recommended_cases(count: int) -> None:
    """KYB cases an officer recommended, waiting for an approver."""
    _kyb_cases(
        count,
        status=CaseStatus.AWAITING_APPROVER,
        recommended_by=_user(Role.OFFICER),
        recommendation="approve",
        recommended_at=timezone.now(),
        needs_approver=True,
    )


def _answered_requests(case: Case, count: int) -> None:
    asker = _user(Role.OFFICER)
    InformationRequest.objects.bulk_create(
        [
            InformationRequest(
                case=case,
                asked_by=asker,
                question=f"Question {_n()}",
                status=InformationRequestStatus.ANSWERED,
                answer="Here it is.",
                answered_by=case.company.representative if case.company else None,
                answered_at=timezone.now(),
            )
            for _ in range(count)
        ]
    )


def _kyb_case_of(company: Company) -> Case:
    case, _ = Case.objects.get_or_create(
        kind=CaseKind.KYB, company=company, defaults={"opened_at": timezone.now(), "status": CaseStatus.OPEN}
    )
    return case


def _user_sessions(user: User, count: int) -> None:
    from django.contrib.sessions.models import Session

    from accounts.models import UserSession

    expires = timezone.now() + timedelta(hours=1)
    keys = [secrets.token_hex(16) for _ in range(count)]
    Session.objects.bulk_create(
        [Session(session_key=key, session_data="", expire_date=expires) for key in keys]
    )
    UserSession.objects.bulk_create(
        [
            UserSession(session_id=key, user=user, user_agent=f"Agent/{_n()}", ip_prefix="203.0.113.0/24")
            for key in keys
        ]
    )


def _notifications(user: User, count: int) -> None:
    Notification.objects.bulk_create(
        [
            Notification(recipient=user, kind=NotificationKind.OFFERING_CLOSED, title=f"Closed {_n()}")
            for _ in range(count)
        ]
    )


def _api_keys(user: User, count: int) -> None:
    now = timezone.now()
    ApiKey.objects.bulk_create(
        [
            ApiKey(
                user=user,
                name=f"script {_n()}",
                lookup_id=secrets.token_hex(6),
                digest="0" * 64,
                created_at=now,
                revoked_at=now,
            )
            for _ in range(count)
        ]
    )


def _ce_number() -> str:
    n = _n()
    alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    return "BLK" + "".join(alphabet[(n // 36**power) % 36] for power in (2, 1, 0))


def _register(count: int) -> None:
    intermediaries = Intermediary.objects.bulk_create(
        [
            Intermediary(
                name=f"Bulk Securities {_n()}", ce_number=_ce_number(), roles=[IntermediaryRole.ARRANGER]
            )
            for _ in range(count)
        ]
    )
    Licence.objects.bulk_create(
        [
            Licence(
                intermediary=intermediary,
                kind=LicenceKind.LICENSED_CORPORATION,
                activities=[RegulatedActivity.DEALING_IN_SECURITIES],
                valid_from=date(2020, 1, 1),
            )
            for intermediary in intermediaries
        ]
    )


def _attestations(company: Company, count: int) -> None:
    """Company attestations as issued (their signatures are not checked by a list)."""
    now = timezone.now()
    Attestation.objects.bulk_create(
        [
            Attestation(
                kind=AttestationKind.COMPANY_VERIFIED,
                company=company,
                requested_by=company.representative,
                typed_data={
                    "primaryType": "CompanyVerified",
                    "message": {
                        "company": company.legal_name_en,
                        "registrationNumber": company.registration_number,
                        "jurisdiction": "HK",
                        "kybPassedOn": "2026-01-05",
                        "documentFingerprints": [],
                    },
                },
                signature="0x" + "ab" * 65,
                digest="0x" + secrets.token_hex(32),
                signer="0x" + "12" * 20,
                issued_at=now,
                valid_until=now + timedelta(days=365),
            )
            for _ in range(count)
        ]
    )


def _audit_events(count: int) -> None:
    company = _companies(_users(Role.SME, 1))[0]
    AuditEvent.objects.bulk_create(
        [
            AuditEvent(
                occurred_at=timezone.now(),
                action="company_updated",
                object_type="issuers.company",
                object_id=str(company.pk),
                previous_hash="0" * 64,
                hash=secrets.token_hex(32),
                key_id="bulk",
            )
            for _ in range(count)
        ]
    )


def _bulk_transactions(rows: list[dict[str, Any]]) -> None:
    """Outbox rows of one new signer, each with the given fields (status, hash, ...)."""
    signer = wallet_create(kind=WalletKind.ISSUER, label=f"bulk signer {_n()}")
    ChainTransaction.objects.bulk_create(
        [
            ChainTransaction(
                intent="bulk", idempotency_key=f"bulk:{_n()}", signer=signer, chain_id=31337, data="0x", **row
            )
            for row in rows
        ]
    )


def _outbox_rows(count: int) -> None:
    _bulk_transactions([{"status": ChainTxStatus.FAILED, "error": "reverted: bulk row"}] * count)


def _payment_legs(count: int) -> None:
    signer = wallet_create(kind=WalletKind.ISSUER, label=f"bulk payer {_n()}")
    tx = ChainTransaction.objects.create(
        intent="bulk", idempotency_key=f"bulk:{_n()}", signer=signer, chain_id=31337, data="0x"
    )
    PaymentLeg.objects.bulk_create(
        [
            PaymentLeg(
                kind=PaymentLegKind.SETTLEMENT,
                chain_transaction=tx,
                subject=f"financing.allotment:{_n()}",
                currency="USD",
                amount=Decimal("2000.00"),
                amount_hkd=Decimal("15600.00"),
                full_details=True,
                originator_name="Ada Investor",
                originator_wallet=signer.address,
                originator_reference="INV-000001",
                originator_identifier="identity document A1234567, Hong Kong",
                originator_institution="Bay Area Capital Connect",
                beneficiary_name="Lantau Components Limited",
                beneficiary_wallet=signer.address,
                beneficiary_reference="SME-000001",
                beneficiary_identifier="company registration 50000001 (Hong Kong)",
                beneficiary_institution="Bay Area Capital Connect",
            )
            for _ in range(count)
        ]
    )


def _listings(user: User, count: int) -> None:
    contracts = Contract.objects.bulk_create(
        [
            Contract(
                kind=ContractKind.PAYMENT_TOKEN,
                chain_id=31337,
                label="bulk stablecoin",
                address="0x" + secrets.token_hex(20),
                status=ContractStatus.DEPLOYED,
            )
            for _ in range(count)
        ]
    )
    PaymentTokenListing.objects.bulk_create(
        [
            PaymentTokenListing(
                currency="USD",
                chain_id=31337,
                contract=contract,
                name="Rejected Dollar",
                symbol="RJD",
                status=ListingStatus.REJECTED,
                proposed_by=user,
                decision_reason="bulk",
            )
            for contract in contracts
        ]
    )


def _token_operations(user: User, count: int) -> None:
    token = Contract.objects.create(
        kind=ContractKind.SECURITY_TOKEN,
        chain_id=31337,
        label=f"bulk token {_n()}",
        address="0x" + secrets.token_hex(20),
        status=ContractStatus.DEPLOYED,
    )
    TokenOperation.objects.bulk_create(
        [
            TokenOperation(
                kind=TokenOperationKind.FREEZE,
                status=TokenOperationStatus.REJECTED,
                token=token,
                wallet="0x" + secrets.token_hex(20),
                reason="Bulk request.",
                rejection_reason="Bulk.",
                requested_by=user,
            )
            for _ in range(count)
        ]
    )


# --- the cases ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ListCase:
    """A list: who asks, where (`{name}` filled from what `setup` returns), how to add rows for them, how
    many a page shows (None: an API)."""

    role: str
    url: str
    seed: Callable[[User, dict[str, Any], int], None]
    page_size: int | None = None
    setup: Callable[[User], dict[str, Any]] = lambda user: {}
    chain: bool = False  # reads the chain: run with the platform bootstrapped and count RPC requests
    whole: bool = (
        False  # shown whole on purpose (a file read as one); the queries must stay flat all the same
    )


def _company_setup(user: User) -> dict[str, Any]:
    return {"company": _company_of(user)}


def _reviewed_company_setup(user: User) -> dict[str, Any]:
    company = _company_of(_user(Role.SME))
    return {"company": company, "company_id": company.pk}


def _sme_dashboard_rows(user: User, world: dict[str, Any], count: int) -> None:
    _offerings(world["company"], count)
    _answered_requests(_kyb_case_of(world["company"]), count)


def _transfers(user: User, world: dict[str, Any], count: int) -> None:
    from financing.choices import TransferStatus
    from financing.models import Transfer

    offerings = _offerings(_company_of(_user(Role.SME)), count)
    other = _user(Role.INVESTOR)
    Transfer.objects.bulk_create(
        [
            Transfer(
                offering=offering,
                seller=user if n % 2 else other,
                buyer=other if n % 2 else user,
                seller_wallet="0x" + "1" * 40,
                buyer_wallet="0x" + "2" * 40,
                units=1,
                price=offering.unit_price,
                status=TransferStatus.AWAITING_BUYER,
                expires_at=offering.closes_at,
            )
            for n, offering in enumerate(offerings)
        ]
    )


def _subscriptions(user: User, world: dict[str, Any], count: int) -> None:
    offerings = _offerings(_company_of(_user(Role.SME)), count)
    Subscription.objects.bulk_create(
        [
            Subscription(
                offering=offering,
                investor=user,
                units=1,
                amount=offering.unit_price,
                status=SubscriptionStatus.ALLOTTED,
                authorised_until=offering.closes_at,
            )
            for offering in offerings
        ]
    )


def _people(company: Company, count: int) -> None:
    Person.objects.bulk_create(
        [
            Person(
                company=company,
                full_name=f"Director {_n()}",
                nationality="HK",
                birth_date=date(1970, 1, 1),
                is_director=True,
            )
            for _ in range(count)
        ]
    )


def _review_queue_rows(user: User, world: dict[str, Any], count: int) -> None:
    _kyb_cases(count)
    _applications(_company_of(_user(Role.SME)), count, ApplicationStatus.SUBMITTED)


def _settling_offering_setup(user: User) -> dict[str, Any]:
    company = _company_of(user if user.role == Role.SME else _user(Role.SME))
    (offering,) = _offerings(company, 1, OfferingStatus.PARTLY_FAILED)
    Offering.objects.filter(pk=offering.pk).update(closed_at=timezone.now())
    return {"offering": offering.pk}


def _payments(user: User, world: dict[str, Any], count: int) -> None:
    """`count` scheduled payments in the offering's calendar."""
    offering = Offering.objects.get(pk=world["offering"])
    first = OfferingPayment.objects.filter(offering=offering).count() + 1
    OfferingPayment.objects.bulk_create(
        [
            OfferingPayment(
                offering=offering,
                kind=PaymentKind.COUPON,
                sequence=first + i,
                due_date=date(2031, 1, 1) + timedelta(days=i),
                record_date=date(2031, 1, 1) + timedelta(days=i),
                currency="HKD",
                amount=Decimal("125.00"),
                interest=Decimal("125.00"),
                units=100,
                per_unit=Decimal("1.25"),
            )
            for i in range(count)
        ]
    )


def _failed_allotments(user: User, world: dict[str, Any], count: int) -> None:
    """`count` allotted subscriptions of the offering whose settlement failed (each its own investor)."""
    offering = Offering.objects.get(pk=world["offering"])
    made = Subscription.objects.bulk_create(
        [
            Subscription(
                offering=offering,
                investor=investor,
                units=1,
                amount=offering.unit_price,
                status=SubscriptionStatus.ALLOTTED,
                authorised_until=offering.closes_at,
            )
            for investor in factories.investors(count)
        ]
    )
    Allotment.objects.bulk_create(
        [
            Allotment(
                subscription=subscription,
                offering=offering,
                units=1,
                amount=offering.unit_price,
                payment_base_units=1_000_000_000,
                status=AllotmentStatus.FAILED,
                failure_reason="The investor's identity is not verified.",
            )
            for subscription in made
        ]
    )


def _address() -> str:
    return "0x" + secrets.token_hex(20)


def _approved_investor_setup(user: User) -> dict[str, Any]:
    """The viewer's own approved profile with a custodial wallet (another bulk investor's, moved over)."""
    (other,) = factories.investors(1, wallets=True)
    InvestorProfile.objects.filter(user=other).update(user=user)
    Wallet.objects.filter(owner=other).update(owner=user)
    return {}


def _linked_wallets(user: User, world: dict[str, Any], count: int) -> None:
    """`count` wallets the investor tried to link and the chain refused (they are not capped)."""
    from compliance.wallets.choices import LinkedWalletStatus
    from compliance.wallets.models import LinkedWallet

    profile = InvestorProfile.objects.get(user=user)
    LinkedWallet.objects.bulk_create(
        [
            LinkedWallet(
                investor=profile,
                address=_address(),
                status=LinkedWalletStatus.FAILED,
                message="signed",
                signature="0x",
                failure_reason="The address already has an identity.",
            )
            for _ in range(count)
        ]
    )


def _investor_history_setup(user: User) -> dict[str, Any]:
    """The investor's custodial wallet and an offering whose token is deployed."""
    wallet = wallet_create(kind=WalletKind.INVESTOR, label="investor", owner=user)
    (offering,) = _offerings(_company_of(_user(Role.SME)), 1, OfferingStatus.SETTLED)
    token = Contract.objects.create(
        kind=ContractKind.SECURITY_TOKEN,
        chain_id=31337,
        label="bulk token",
        address=_address(),
        status=ContractStatus.DEPLOYED,
    )
    Offering.objects.filter(pk=offering.pk).update(token=token)
    return {"wallet": wallet.address, "offering": offering, "token": token.address}


def _investor_history_rows(user: User, world: dict[str, Any], count: int) -> None:
    """`count` subscriptions (the books) and, dated just after each one, a settlement, a transfer in and a
    distribution payout on chain (with its DistributionPaid and DistributionFunded), so that any page
    holds every kind."""
    offering, token, wallet = world["offering"], world["token"], world["wallet"]
    made = Subscription.objects.bulk_create(
        [
            Subscription(
                offering=offering,
                investor=user,
                units=1,
                amount=offering.unit_price,
                status=SubscriptionStatus.ALLOTTED,
                authorised_until=offering.closes_at,
            )
            for _ in range(count)
        ]
    )
    events: list[ChainEvent] = []
    dated: dict[str, Any] = {}
    for subscription in made:
        n = _n()
        at = subscription.created_at
        txs = ["0x" + secrets.token_hex(32) for _ in range(4)]
        block = {"chain_id": 31337, "block_number": 100 + n, "block_hash": "0x" + "1" * 64}
        distribution = {"distributionId": str(n)}
        events += [
            ChainEvent(
                **block,
                tx_hash=txs[0],
                contract_address=_address(),
                name="Settled",
                kind="settled",
                token_address=token,
                to_address=wallet,
                units=1,
                money=10**9,
                refund=0,
                log_index=0,
            ),
            ChainEvent(
                **block,
                tx_hash=txs[1],
                contract_address=token,
                name="Transfer",
                kind="transfer",
                token_address=token,
                from_address=_address(),
                to_address=wallet,
                units=1,
                log_index=1,
            ),
            ChainEvent(
                **block,
                tx_hash=txs[2],
                contract_address=_address(),
                name="PaymentTransfer",
                kind="distribution_paid",
                to_address=wallet,
                money=12_345_678,
                log_index=2,
            ),
            ChainEvent(
                **block,
                tx_hash=txs[2],
                contract_address=_address(),
                name="DistributionPaid",
                args=distribution,
                log_index=3,
            ),
            ChainEvent(
                **block,
                tx_hash=txs[3],
                contract_address=_address(),
                name="DistributionFunded",
                kind="distribution_funded",
                token_address=token,
                args=distribution,
                log_index=4,
            ),
        ]
        for i, tx in enumerate(txs[:3]):
            dated[tx] = at + timedelta(microseconds=i + 1)
    ChainEvent.objects.bulk_create(events)
    _bulk_transactions(
        [
            {"status": ChainTxStatus.CONFIRMED, "tx_hash": tx, "nonce": _n(), "confirmed_at": at}
            for tx, at in dated.items()
        ]
    )


def _serviced_offering_setup(user: User) -> dict[str, Any]:
    """A settled offering of the SME (or of another SME for staff) with its token deployed."""
    company = _company_of(user if user.role == Role.SME else _user(Role.SME))
    (offering,) = _offerings(company, 1, OfferingStatus.SERVICING)
    token = Contract.objects.create(
        kind=ContractKind.SECURITY_TOKEN,
        chain_id=31337,
        label="bulk token",
        address=_address(),
        status=ContractStatus.DEPLOYED,
    )
    Offering.objects.filter(pk=offering.pk).update(token=token, closed_at=timezone.now())
    return {"offering": offering.pk, "token": token.address}


def _register_rows(user: User, world: dict[str, Any], count: int) -> None:
    """`count` holders of the offering's token, as indexed; every third one an investor of the platform."""
    owners = factories.investors(count // 3 or 1, wallets=True)
    owned = list(Wallet.objects.filter(owner__in=owners).values_list("address", flat=True))
    wallets = owned + [_address() for _ in range(count - len(owned))]
    TokenHolding.objects.bulk_create(
        [
            TokenHolding(
                chain_id=31337, token_address=world["token"], wallet=w, units=1 + i % 7, block_number=5
            )
            for i, w in enumerate(wallets)
        ]
    )


def _calendar_rows(user: User, world: dict[str, Any], count: int) -> None:
    """`count` more monthly payments of the offering's calendar, some funded and paid."""
    start = OfferingPayment.objects.filter(offering_id=world["offering"]).count()
    due = date.today() + timedelta(days=30)
    OfferingPayment.objects.bulk_create(
        [
            OfferingPayment(
                offering_id=world["offering"],
                kind="instalment",
                sequence=start + i + 1,
                due_date=due + timedelta(days=30 * (start + i)),
                record_date=due + timedelta(days=30 * (start + i)),
                currency="HKD",
                amount=Decimal("1234.56"),
                principal=Decimal("1000.00"),
                interest=Decimal("234.56"),
                units=100,
                per_unit=Decimal("12.345600"),
                status=("paid", "funded", "awaiting_funding", "scheduled")[i % 4],
                funded_amount=Decimal("1234.56") if i % 4 < 2 else None,
            )
            for i in range(count)
        ]
    )


def _requests_setup(user: User) -> dict[str, Any]:
    return {"case": _kyb_case_of(_company_of(user))}


def _sharing_setup(user: User) -> dict[str, Any]:
    """An SME's company (or, for an investor, another SME's) and a consent to a verified lender."""
    company = _company_of(user if user.role == Role.SME else _user(Role.SME))
    recipient = user if user.role == Role.INVESTOR else _user(Role.INVESTOR)
    consent = _bulk_consents(company, recipient, 1)[0]
    return {"company": company, "recipient": recipient, "consent": consent.pk}


def _bulk_consents(company: Company, recipient: User, count: int) -> list[DataConsent]:
    today = timezone.localdate()
    return DataConsent.objects.bulk_create(
        [
            DataConsent(
                company=company,
                granted_by=company.representative,
                recipient=recipient,
                share_financials=True,
                purpose="credit_assessment",
                valid_from=today,
                valid_until=today + timedelta(days=30),
            )
            for _ in range(count)
        ]
    )


def _bulk_reads(consent_id: int, count: int) -> None:
    consent = DataConsent.objects.get(pk=consent_id)
    DataAccessLog.objects.bulk_create(
        [
            DataAccessLog(
                consent=consent,
                company_id=consent.company_id,
                reader_id=consent.recipient_id,
                dataset="financials",
                via="api",
                client_address="203.0.113.7",
            )
            for _ in range(count)
        ]
    )


def _consent_reads(user: User, world: dict[str, Any], count: int) -> None:
    _bulk_reads(world["consent"], count)


def _consents_and_reads(user: User, world: dict[str, Any], count: int) -> None:
    _bulk_consents(world["company"], world["recipient"], count)
    _bulk_reads(world["consent"], count)


CASES = {
    # pages
    "page: staff offerings": ListCase(
        Role.OPERATOR,
        "/financing/offerings/manage/",
        lambda u, w, n: _offerings(w["company"], n),
        25,
        setup=lambda u: {"company": _company_of(_user(Role.SME))},
    ),
    "page: open offerings": ListCase(
        Role.INVESTOR,
        "/financing/offerings/",
        lambda u, w, n: _offerings(w["company"], n),
        12,
        setup=lambda u: {"company": _company_of(_user(Role.SME))},
    ),
    "page: marketplace, filtered": ListCase(
        Role.INVESTOR,
        "/financing/offerings/?instrument=bond&currency=HKD&tag=technology&tag=srdi&status=open",
        lambda u, w, n: _offerings(w["company"], n),
        12,
        setup=lambda u: {"company": _tagged_company()},
    ),
    "page: SME dashboard": ListCase(
        Role.SME, "/company/", _sme_dashboard_rows, 10, setup=_company_setup, chain=True
    ),
    "page: API keys": ListCase(Role.INVESTOR, "/accounts/profile/", lambda u, w, n: _api_keys(u, n), 25),
    "page: signed-in sessions": ListCase(
        Role.OFFICER, "/accounts/sessions/", lambda u, w, n: _user_sessions(u, n), 25
    ),
    "page: notifications": ListCase(
        Role.INVESTOR, "/accounts/notifications/", lambda u, w, n: _notifications(u, n), 25
    ),
    "page: licence register": ListCase(
        Role.OFFICER, "/compliance/licences/", lambda u, w, n: _register(n), 25
    ),
    "page: attestations": ListCase(
        Role.OFFICER,
        "/attestations/",
        lambda u, w, n: _attestations(w["company"], n),
        25,
        setup=lambda u: {"company": _company_of(_user(Role.SME))},
    ),
    "page: a company's attestations": ListCase(
        Role.SME, "/attestations/", lambda u, w, n: _attestations(w["company"], n), 25, setup=_company_setup
    ),
    "page: review queue": ListCase(Role.OFFICER, "/compliance/", lambda u, w, n: _kyb_cases(n), 25),
    "page: review queue, awaiting the approver": ListCase(
        Role.APPROVER, "/compliance/", lambda u, w, n: _recommended_cases(n), 10
    ),
    "page: audit trail": ListCase(Role.OFFICER, "/compliance/audit/", lambda u, w, n: _audit_events(n), 50),
    "page: KYB file (people)": ListCase(
        Role.SME,
        "/company/kyb/?step=people",
        lambda u, w, n: _people(w["company"], n),
        setup=_company_setup,
        whole=True,
    ),
    "page: KYB file (review)": ListCase(
        Role.SME,
        "/company/kyb/?step=review",
        lambda u, w, n: _people(w["company"], n),
        setup=_company_setup,
        whole=True,
    ),
    "page: cross-border record (people)": ListCase(
        Role.SME,
        "/company/cross-border/",
        lambda u, w, n: _people(w["company"], n),
        setup=_company_setup,
        whole=True,
    ),
    "page: cross-border record, for compliance": ListCase(
        Role.OFFICER,
        "/compliance/companies/{company_id}/cross-border/",
        lambda u, w, n: _people(w["company"], n),
        setup=_reviewed_company_setup,
        whole=True,
    ),
    "api: cross-border record": ListCase(
        Role.SME,
        "/api/v1/company/cross-border/",
        lambda u, w, n: _people(w["company"], n),
        setup=_company_setup,
        whole=True,
    ),
    "page: offering, failed settlements": ListCase(
        Role.OPERATOR,
        "/financing/offerings/{offering}/",
        _failed_allotments,
        20,
        setup=_settling_offering_setup,
    ),
    "page: investor transactions": ListCase(
        Role.INVESTOR,
        "/financing/investor/transactions/",
        _investor_history_rows,
        25,
        setup=_investor_history_setup,
    ),
    "page: offering dashboard, register of holders": ListCase(
        Role.SME,
        "/financing/offerings/{offering}/dashboard/",
        _register_rows,
        25,
        setup=_serviced_offering_setup,
    ),
    "page: offering dashboard, payment calendar": ListCase(
        Role.OPERATOR,
        "/financing/offerings/{offering}/dashboard/",
        _calendar_rows,
        24,
        setup=_serviced_offering_setup,
    ),
    "page: token operations": ListCase(
        Role.OFFICER, "/chain/operations/", lambda u, w, n: _token_operations(u, n), 20
    ),
    "page: chain status": ListCase(Role.OPERATOR, "/chain/", lambda u, w, n: _outbox_rows(n), 50, chain=True),
    "page: travel rule": ListCase(Role.OFFICER, "/chain/travel-rule/", lambda u, w, n: _payment_legs(n), 25),
    "page: payment tokens": ListCase(
        Role.OPERATOR, "/chain/payment-tokens/", lambda u, w, n: _listings(u, n), 25
    ),
    # APIs
    "api: applications": ListCase(
        Role.SME, "/api/v1/applications/", lambda u, w, n: _offerings(w["company"], n), setup=_company_setup
    ),
    "api: applications with trade documents": ListCase(
        Role.SME, "/api/v1/applications/", _trade_applications, setup=_trade_setup
    ),
    "api: trade documents": ListCase(
        Role.SME, "/api/v1/applications/{application}/trade-documents/", _trade_documents, setup=_trade_setup
    ),
    "api: offerings": ListCase(
        Role.INVESTOR,
        "/api/v1/offerings/",
        lambda u, w, n: _offerings(w["company"], n),
        setup=lambda u: {"company": _company_of(_user(Role.SME))},
    ),
    "api: offerings, filtered": ListCase(
        Role.INVESTOR,
        "/api/v1/offerings/?instrument=bond&currency=HKD&tag=technology&tag=srdi&status=open",
        lambda u, w, n: _offerings(w["company"], n),
        setup=lambda u: {"company": _tagged_company()},
    ),
    "api: subscriptions": ListCase(Role.INVESTOR, "/api/v1/subscriptions/", _subscriptions),
    "api: transfers": ListCase(Role.INVESTOR, "/api/v1/transfers/", _transfers),
    "page: transfers": ListCase(Role.INVESTOR, "/financing/transfers/", _transfers, 25),
    "api: linked wallets": ListCase(
        Role.INVESTOR, "/api/v1/wallets/", _linked_wallets, setup=_approved_investor_setup
    ),
    "page: linked wallets": ListCase(
        Role.INVESTOR, "/wallets/", _linked_wallets, 25, setup=_approved_investor_setup
    ),
    "api: offering allotments": ListCase(
        Role.SME,
        "/api/v1/offerings/{offering}/allotments/",
        _failed_allotments,
        setup=_settling_offering_setup,
    ),
    "api: portfolio transactions": ListCase(
        Role.INVESTOR,
        "/api/v1/portfolio/transactions/",
        _investor_history_rows,
        setup=_investor_history_setup,
    ),
    "api: offering payments": ListCase(
        Role.SME, "/api/v1/offerings/{offering}/payments/", _payments, setup=_settling_offering_setup
    ),
    "api: API keys": ListCase(Role.SME, "/api/v1/auth/keys/", lambda u, w, n: _api_keys(u, n)),
    "api: notifications": ListCase(Role.SME, "/api/v1/notifications/", lambda u, w, n: _notifications(u, n)),
    "api: intermediaries": ListCase(
        Role.OPERATOR, "/api/v1/compliance/intermediaries/", lambda u, w, n: _register(n)
    ),
    "api: token operations": ListCase(
        Role.OFFICER, "/api/v1/token-operations/", lambda u, w, n: _token_operations(u, n)
    ),
    "api: licences": ListCase(Role.OPERATOR, "/api/v1/compliance/licences/", lambda u, w, n: _register(n)),
    "api: information requests": ListCase(
        Role.SME,
        "/api/v1/information-requests/",
        lambda u, w, n: _answered_requests(w["case"], n),
        setup=_requests_setup,
    ),
    "api: attestations": ListCase(
        Role.SME,
        "/api/v1/attestations/",
        lambda u, w, n: _attestations(w["company"], n),
        setup=_company_setup,
    ),
    "api: review cases": ListCase(Role.OFFICER, "/api/v1/compliance/cases/", lambda u, w, n: _kyb_cases(n)),
    # Deprecated and kept answering its whole sections for old clients (the case list is its pages).
    "api: review queue sections": ListCase(
        Role.OFFICER, "/api/v1/compliance/queue/", _review_queue_rows, whole=True
    ),
    "api: audit trail": ListCase(Role.OFFICER, "/api/v1/audit/", lambda u, w, n: _audit_events(n)),
    "api: payment legs": ListCase(
        Role.APPROVER, "/api/v1/compliance/payment-legs/", lambda u, w, n: _payment_legs(n)
    ),
    "api: payment tokens": ListCase(Role.OFFICER, "/api/v1/payment-tokens/", lambda u, w, n: _listings(u, n)),
    # data sharing by consent
    "page: data sharing (consents and who read)": ListCase(
        Role.SME, "/sharing/", _consents_and_reads, 10, setup=_sharing_setup
    ),
    "page: reads under one consent": ListCase(
        Role.SME,
        "/sharing/{consent}/",
        lambda u, w, n: _bulk_reads(w["consent"], n),
        25,
        setup=_sharing_setup,
    ),
    "page: shared data reads (compliance)": ListCase(
        Role.OFFICER,
        "/sharing/reads/",
        lambda u, w, n: _bulk_reads(w["consent"], n),
        50,
        setup=_sharing_setup,
    ),
    "page: shared with me": ListCase(
        Role.INVESTOR,
        "/sharing/shared/",
        lambda u, w, n: _bulk_consents(w["company"], u, n),
        20,
        setup=_sharing_setup,
    ),
    "api: consents granted": ListCase(
        Role.SME, "/api/v1/consents/", _consents_and_reads, setup=_sharing_setup
    ),
    "api: consents shared with me": ListCase(
        Role.INVESTOR,
        "/api/v1/consents/",
        lambda u, w, n: _bulk_consents(w["company"], u, n),
        setup=_sharing_setup,
    ),
    "api: reads under one consent": ListCase(
        Role.SME,
        "/api/v1/consents/{consent}/reads/",
        _consent_reads,
        setup=_sharing_setup,
    ),
}


@pytest.fixture
def rpc_requests(monkeypatch) -> Counter[str]:
    """Every JSON-RPC request any web3 client of this process sends, by method."""
    counts: Counter[str] = Counter()
    send = HTTPProvider.make_request

    def counted(self: HTTPProvider, method: str, params: Any) -> Any:
        counts[str(method)] += 1
        return send(self, method, params)

    monkeypatch.setattr(HTTPProvider, "make_request", counted)
    return counts


def _measure(client: Client, url: str, rpc: Counter[str]) -> tuple[int, int, Any]:
    rpc.clear()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, response.content[:500]
    return len(queries), sum(rpc.values()), response


@pytest.mark.parametrize("name", [name for name, case in CASES.items() if not case.chain])
def test_a_list_runs_as_many_queries_for_1000_rows_as_for_10(db, name, rpc_requests):
    _same_cost_for_few_and_many_rows(CASES[name], rpc_requests)


@pytest.mark.parametrize("name", [name for name, case in CASES.items() if case.chain])
def test_a_list_that_reads_the_chain_runs_as_many_queries_and_rpc_requests_for_1000_rows_as_for_10(
    platform, name, rpc_requests
):
    _same_cost_for_few_and_many_rows(CASES[name], rpc_requests)


def _same_cost_for_few_and_many_rows(case: ListCase, rpc_requests: Counter[str]) -> None:
    viewer = _user(case.role)
    world = case.setup(viewer)
    url = case.url.format(**world)
    client = Client()
    client.force_login(viewer)

    case.seed(viewer, world, FEW)
    client.get(url)  # the session's first request does its own bookkeeping
    few_queries, few_rpc, _ = _measure(client, url, rpc_requests)
    case.seed(viewer, world, MANY - FEW)
    many_queries, many_rpc, response = _measure(client, url, rpc_requests)

    assert (many_queries, many_rpc) == (few_queries, few_rpc)
    if case.whole:
        return
    if case.page_size is None:
        body = response.json()
        assert body["count"] >= MANY
        assert len(body["results"]) == API_PAGE
        assert body["previous"] is None
        assert "offset=50" in (body["next"] or "")
    else:
        html = response.content.decode()
        shown = re.search(r"Page 1 of (\d+)", html)
        assert shown is not None
        assert int(shown.group(1)) >= math.ceil(MANY / case.page_size)
        assert 'rel="next"' in html


# --- the links ----------------------------------------------------------------------------------


def test_a_pages_links_keep_the_other_lists_page_and_point_at_the_list_page(db):
    sme = _user(Role.SME)
    company = _company_of(sme)
    _offerings(company, 30)
    client = Client()
    client.force_login(sme)

    html = client.get("/company/", {"offerings_page": 2}).content.decode()

    # Applications, page 1 of 3, keep the offerings on their page 2 and go to the dashboard.
    assert 'href="/company/?offerings_page=2&amp;applications_page=2" rel="next"' in html
    assert 'href="/company/?offerings_page=1" rel="prev"' in html
    assert "Page 2 of 3" in html


def test_a_refused_form_answer_links_its_list_pages_to_the_list_page_not_to_the_forms_action(db):
    user = _user(Role.INVESTOR)
    _api_keys(user, 30)
    client = Client()
    client.force_login(user)

    answer = client.post("/accounts/profile/api-keys/", {"name": ""})

    assert answer.status_code == 400
    assert 'href="/accounts/profile/?page=2" rel="next"' in answer.content.decode()


@pytest.mark.parametrize(
    ("asked", "shown"), [("99", "Page 2 of 2"), ("two", "Page 1 of 2"), ("-1", "Page 2 of 2")]
)
def test_a_page_number_out_of_range_or_not_a_number_shows_the_nearest_page(db, asked, shown):
    operator = _user(Role.OPERATOR)
    _offerings(_company_of(_user(Role.SME)), 30)
    client = Client()
    client.force_login(operator)

    answer = client.get("/financing/offerings/manage/", {"page": asked})

    assert answer.status_code == 200
    assert shown in answer.content.decode()
