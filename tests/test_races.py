"""Concurrent first saves on PostgreSQL: a unique constraint refusing a racing write is a 409, never a 500."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from django.test import Client

from accounts.choices import Role
from accounts.models import ApiKey
from accounts.tests.factories import UserFactory
from compliance.models import InvestorProfile
from issuers.choices import KybStatus
from issuers.models import Company
from issuers.selectors import registration_holders
from issuers.tests.factories import CompanyFactory
from tests.concurrency import at_once
from tests.inputs import COMPANY, KYC

pytestmark = pytest.mark.django_db(transaction=True)


def _client(user) -> Client:
    client = Client(raise_request_exception=False)  # a server error is an answer to count, not a crash
    client.force_login(user)
    return client


def _put(client: Client, url: str, payload: dict[str, object]) -> Callable[[], int]:
    return lambda: client.put(url, json.dumps(payload), content_type="application/json").status_code


def _post(client: Client, url: str, payload: dict[str, object]) -> Callable[[], int]:
    return lambda: client.post(url, json.dumps(payload), content_type="application/json").status_code


def test_four_first_saves_of_one_company_at_once_make_one_company_and_no_server_error():
    sme = UserFactory(role=Role.SME)
    clients = [_client(sme) for _ in range(4)]

    statuses = at_once([_put(client, "/api/v1/company/", COMPANY) for client in clients])

    assert set(statuses) <= {200, 409}, statuses
    assert 200 in statuses
    assert Company.objects.filter(representative=sme).count() == 1


def test_four_first_saves_of_one_company_through_the_page_refuse_the_losers_with_a_409_page():
    sme = UserFactory(role=Role.SME)
    clients = [_client(sme) for _ in range(4)]

    statuses = at_once(
        [lambda client=client: client.post("/company/details/", COMPANY).status_code for client in clients]
    )

    assert set(statuses) <= {302, 409}, statuses
    assert 302 in statuses
    assert Company.objects.filter(representative=sme).count() == 1


def test_two_first_kyc_saves_at_once_make_one_profile_and_no_server_error():
    investor = UserFactory(role=Role.INVESTOR)
    clients = [_client(investor) for _ in range(2)]

    statuses = at_once([_post(client, "/api/v1/kyc/", {**KYC, "submit": False}) for client in clients])

    # The loser is refused by the unique constraint (409), or, if it came second, updates the draft.
    assert set(statuses) <= {200, 409}, statuses
    assert 200 in statuses
    assert InvestorProfile.objects.filter(user=investor).count() == 1


def test_four_smes_claiming_one_registration_number_at_once_are_all_accepted_and_flagged():
    smes = [UserFactory(role=Role.SME) for _ in range(4)]

    statuses = at_once(
        [
            _put(_client(sme), "/api/v1/company/", {**COMPANY, "legal_name_en": f"Claimant {n} Ltd"})
            for n, sme in enumerate(smes)
        ]
    )

    assert statuses == [200] * 4
    companies = Company.objects.filter(registration_number=COMPANY["registration_number"])
    assert companies.count() == 4
    assert all(registration_holders(company).count() == 3 for company in companies)


def test_verifying_two_claimants_of_one_number_at_once_verifies_one_and_refuses_the_other():
    claimants = [
        CompanyFactory(jurisdiction="HK", registration_number="87654321", kyb_status=KybStatus.SUBMITTED)
        for _ in range(2)
    ]
    officers = [_client(UserFactory(role=Role.OFFICER)) for _ in claimants]

    statuses = at_once(
        [
            _post(officer, f"/api/v1/kyb/{company.pk}/decision/", {"approve": True})
            for officer, company in zip(officers, claimants, strict=True)
        ]
    )

    assert sorted(statuses) == [200, 409]
    assert Company.objects.filter(kyb_status=KybStatus.VERIFIED).count() == 1
    assert Company.objects.filter(kyb_status=KybStatus.SUBMITTED).count() == 1


def test_six_key_creations_at_once_never_pass_the_per_user_limit(settings):
    settings.API_KEYS_PER_USER = 3
    officer = UserFactory(role=Role.OFFICER)
    clients = [_client(officer) for _ in range(6)]

    statuses = at_once([_post(client, "/api/v1/auth/keys/", {"name": "race"}) for client in clients])

    assert sorted(statuses) == [201, 201, 201, 409, 409, 409], statuses
    assert ApiKey.objects.filter(user=officer).count() == 3
