"""A whole bond round over HTTP, settled by a real Celery worker on anvil, checked on chain."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from accounts.choices import Role
from accounts.services import staff_user_create
from accounts.testing import totp_code
from accounts.tests.mailbox import confirmation_token_sent_to
from financing.demo import sample_pdf
from financing.models import Allotment
from tests.conftest import Api, wait_for
from tokens import chain as tokens_chain
from tokens.choices import ContractKind, WalletKind
from tokens.models import Wallet
from tokens.selectors import payment_token, platform_contract, platform_wallet

pytestmark = pytest.mark.journey
PASSWORD = "a-long-pass-phrase-42"


def _staff(api_factory, role: Role, email: str) -> Api:
    user = staff_user_create(email=email, password=PASSWORD, full_name=email.split("@")[0], role=role)
    session = api_factory()
    # Staff sign in with their authenticator's code as well (accounts/two_factor.py).
    session.post("auth/login/", {"email": email, "password": PASSWORD, "otp_code": totp_code(user)})
    return session


def _signup(api_factory, role: str, email: str) -> Api:
    session = api_factory()
    session.post(
        "auth/signup/", {"email": email, "password": PASSWORD, "full_name": email, "role": role}, expect=202
    )
    session.post("auth/confirm/", {"token": confirmation_token_sent_to(email)})
    return session


def _onchain_units(token_address: str, wallet: str) -> int:
    return int(
        tokens_chain.call("SecurityToken", token_address, "balanceOf", tokens_chain.to_checksum(wallet))
    )


def _onchain_hkd_base_units(wallet: str, currency: str = "HKD") -> int:
    payment = payment_token(currency)
    return int(
        tokens_chain.call("PaymentToken", payment.address, "balanceOf", tokens_chain.to_checksum(wallet))
    )


def _prepare_round(
    api, *, investors: int, units_each: list[int], currency: str = "HKD", faucet: tuple[str, ...] = ()
) -> dict:
    """SME onboards and applies in `currency`, officer approves, investors pass KYC, get that currency's
    test stablecoin (and those of `faucet`) and subscribe."""
    officer = _staff(api, Role.OFFICER, "officer@journey.hk")
    operator = _staff(api, Role.OPERATOR, "operator@journey.hk")
    sme = _signup(api, "sme", "cfo@lantau-robotics.hk")
    sme.put(
        "company/",
        {
            "legal_name_en": "Lantau Robotics Limited",
            "jurisdiction": "HK",
            "registration_number": "41234567",
            "industry": "robotics",
        },
    )
    sme.put(
        "company/profile/",
        {"annual_revenue": "24000000.00", "employees": 52, "years_trading": 7, "is_technology": True},
    )
    sme.post(
        "company/people/",
        {
            "full_name": "Mei Lau",
            "nationality": "HK",
            "residency": "HK",
            "birth_date": "1980-05-17",
            "is_director": True,
            "is_beneficial_owner": True,
            "ownership_percent": "60",
        },
        expect=201,
    )
    for kind in ("business_registration", "financial_statements", "articles"):
        sme.upload("company/documents/", {"kind": kind}, sample_pdf(f"{kind} of Lantau Robotics"))
    company = sme.post("company/submit/")
    officer.post(f"kyb/{company['id']}/decision/", {"approve": True, "reason": "Documents verified"})
    issue = date.today() + timedelta(days=30)
    application = sme.post(
        "applications/",
        {
            "title": "Lantau Robotics 6% Notes",
            "currency": currency,
            "target_amount": "100000.00",
            "minimum_amount": "20000.00",
            "use_of_proceeds": "New assembly line",
            "instrument": "bond",
            "unit_price": "1000.00",
            "annual_rate": "0.06",
            "frequency": "semiannual",
            "start_date": issue.isoformat(),
            "maturity_date": issue.replace(year=issue.year + 3).isoformat(),
        },
        expect=201,
    )
    sme.post(f"applications/{application['id']}/submit/")
    arranger = officer.post(
        "compliance/intermediaries/",
        {"name": "Bay Harbour Securities Limited", "ce_number": "BHS001", "roles": ["arranger"]},
        expect=201,
    )
    officer.post(
        "compliance/licences/",
        {
            "intermediary_id": arranger["id"],
            "kind": "licensed_corporation",
            "activities": [1, 6],
            "valid_from": "2020-01-01",
        },
        expect=201,
    )
    approved = officer.post(
        f"applications/{application['id']}/decision/",
        {
            "decision": "approve",
            "reason": "Meets the programme rules",
            "closes_at": (timezone.now() + timedelta(days=7)).isoformat(),
            "arranger_id": arranger["id"],
        },
    )
    offering_id = approved["offering_id"]
    wait_for(lambda: officer.get(f"offerings/{offering_id}/")["status"] == "ready", what="token deployed")
    operator.post(f"offerings/{offering_id}/open/")

    sessions = []
    for number in range(investors):
        investor = _signup(api, "investor", f"investor{number}@journey.hk")
        details = {
            "investor_type": "individual",
            "legal_name": f"Investor {number}",
            "country": "HK",
            "residency": "HK",
            "birth_date": "1980-01-15",
            "id_document_number": f"K{number}234567",
            "declared_portfolio_hkd": "9000000.00",
            "claims_professional": True,
        }
        draft = investor.post("kyc/", {**details, "submit": False})
        assert draft["missing"]
        assert draft["kyc_status"] == "draft"
        for kind in ("identity", "address"):
            investor.upload("kyc/documents/", {"kind": kind}, sample_pdf(f"{kind} of investor {number}"))
        dated = (date.today() - timedelta(days=20)).isoformat()
        investor.upload(
            "kyc/documents/",
            {"kind": "pi_evidence", "evidence_type": "statement", "document_date": dated},
            sample_pdf(f"custodian statement of investor {number}"),
        )
        profile = investor.post("kyc/submit/")
        assert profile["professional_status"] == "Professional investor (claimed, not yet verified)"
        approved = officer.post(
            f"kyc/{profile['id']}/decision/", {"approve": True, "reason": "PI evidence seen"}
        )
        assert approved["is_professional"]
        assert approved["pi_valid_until"]
        wait_for(lambda s=investor: s.get("kyc/")["can_subscribe"], what="identity registered")
        wallet = investor.get("kyc/")["wallet_address"]
        for coin in (currency, *faucet):
            investor.post("faucet/", {"amount": "100000.00", "currency": coin}, expect=202)
            wait_for(
                lambda w=wallet, c=coin: _onchain_hkd_base_units(w, c) == 100_000 * 10**6,
                what=f"test {coin} minted",
            )
        # A client reads the texts to accept (and the documents to open) from the offering first.
        shown = investor.get(f"offerings/{offering_id}/")
        for document in shown["documents"]:
            assert investor.http.get(investor.base + document["url"].removeprefix("/api/v1/")).ok
        accepted = {t["kind"]: t["version"] for t in shown["subscription_terms"]}
        investor.post(
            f"offerings/{offering_id}/subscriptions/",
            {
                "units": units_each[number],
                "risk_disclosure_version": accepted["risk_disclosure"],
                "agreement_version": accepted["subscription_agreement"],
            },
            expect=201,
        )
        wait_for(
            lambda s=investor: s.get("subscriptions/")["results"][0]["status"] == "active",
            what="payment in escrow",
        )
        sessions.append((investor, wallet))
    return {
        "sme": sme,
        "officer": officer,
        "operator": operator,
        "offering_id": offering_id,
        "investors": sessions,
        "company": company,
    }


def test_a_bond_round_settles_on_chain_through_the_worker(api, celery_worker_process):
    round_ = _prepare_round(api, investors=2, units_each=[70, 50])
    operator, offering_id = round_["operator"], round_["offering_id"]

    operator.post(f"offerings/{offering_id}/close/", expect=202)
    wait_for(lambda: operator.get(f"offerings/{offering_id}/")["status"] == "settled", what="settlement")

    token = operator.get(f"offerings/{offering_id}/")["token_address"]
    allotted = {s["allotment"]["units"] for s in operator.get("subscriptions/")["results"]}
    assert allotted == {58, 42}  # 100 units offered, 120 subscribed: pro rata 58.3 / 41.7
    (first, first_wallet), (second, second_wallet) = round_["investors"]
    first_units = first.get("subscriptions/")["results"][0]["allotment"]["units"]
    second_units = second.get("subscriptions/")["results"][0]["allotment"]["units"]
    assert _onchain_units(token, first_wallet) == first_units
    assert _onchain_units(token, second_wallet) == second_units
    issuer_wallet = round_["sme"].get("company/")["wallet_address"]
    assert _onchain_hkd_base_units(issuer_wallet) == (first_units + second_units) * 1000 * 10**6
    assert _onchain_hkd_base_units(first_wallet) == (100_000 - first_units * 1000) * 10**6


def test_a_worker_killed_mid_settlement_settles_every_allotment_exactly_once(
    api, celery_worker_process, chain, settings
):
    settings.SETTLEMENT_BATCH_SIZE = 2  # two settlement transactions, so the crash can fall between them
    round_ = _prepare_round(api, investors=4, units_each=[30, 30, 30, 30])
    operator, offering_id = round_["operator"], round_["offering_id"]

    # Stop mining so that settlements pile up signed and broadcast but unconfirmed, then kill the worker.
    chain.provider.make_request("evm_setAutomine", [False])
    operator.post(f"offerings/{offering_id}/close/", expect=202)
    wait_for(
        lambda: Allotment.objects.filter(chain_transaction__status="sent").count() >= 2,
        what="some settlements sent",
    )
    celery_worker_process.kill()
    assert not Allotment.objects.filter(status="settled").exists()
    recorded = dict(
        Allotment.objects.filter(chain_transaction__status="sent").values_list(
            "pk", "chain_transaction__tx_hash"
        )
    )
    # The node loses one of them, as if the crash came between recording and broadcasting.
    lost = next(iter(recorded.values()))
    chain.provider.make_request("anvil_dropTransaction", [lost])
    settler = platform_wallet(WalletKind.SETTLER)
    assert chain.eth.get_transaction_count(tokens_chain.to_checksum(settler.address), "pending") < (
        Wallet.objects.get(pk=settler.pk).next_nonce
    )
    chain.provider.make_request("evm_mine", [])
    chain.provider.make_request("evm_setAutomine", [True])

    celery_worker_process.start()
    wait_for(
        lambda: operator.get(f"offerings/{offering_id}/")["status"] == "settled",
        timeout=90,
        what="settlement",
    )

    token = operator.get(f"offerings/{offering_id}/")["token_address"]
    settlement = tokens_chain.contract("Settlement", platform_contract(ContractKind.SETTLEMENT).address)
    settled_ids = [
        event["args"]["subscriptionId"] for event in settlement.events.Settled().get_logs(from_block=0)
    ]
    allotments = list(
        Allotment.objects.select_related("chain_transaction", "subscription__investor__investor__wallet")
    )
    assert sorted(settled_ids) == sorted(a.subscription_id for a in allotments)  # each exactly once
    for allotment in allotments:  # what was signed before the crash was re-sent as is, never signed again
        if allotment.pk in recorded:
            assert allotment.chain_transaction.tx_hash == recorded[allotment.pk]
    for allotment in allotments:
        wallet = allotment.subscription.investor.investor.wallet.address
        assert _onchain_units(token, wallet) == allotment.units
        assert _onchain_hkd_base_units(wallet) == (100_000 - allotment.units * 1000) * 10**6
    issuer_wallet = round_["sme"].get("company/")["wallet_address"]
    assert _onchain_hkd_base_units(issuer_wallet) == sum(a.units for a in allotments) * 1000 * 10**6
