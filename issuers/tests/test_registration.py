"""Registration numbers: anyone may claim one, compliance sees conflicts, one verified company per number."""

import pytest
from django.db import IntegrityError, transaction

from accounts.choices import Role
from accounts.tests.factories import UserFactory
from compliance.models import AuditEvent
from compliance.services import company_kyb_decide
from config.errors import Conflict
from issuers.choices import KybStatus
from issuers.models import Company
from issuers.selectors import companies_awaiting_kyb, registration_holders
from issuers.tests.factories import CompanyFactory
from tokens.choices import WalletKind
from tokens.models import Wallet
from tokens.services import wallet_create

NUMBER = {"jurisdiction": "HK", "registration_number": "12345678"}


def test_the_real_company_is_verified_although_an_impostor_claimed_its_number_first(db):
    impostor = CompanyFactory(**NUMBER, legal_name_en="Impostor Ltd")
    real = CompanyFactory(**NUMBER, legal_name_en="Real Ltd", kyb_status=KybStatus.SUBMITTED)

    assert list(registration_holders(real)) == [impostor]
    assert companies_awaiting_kyb().get(pk=real.pk).registration_conflict is True

    verified = company_kyb_decide(actor=UserFactory(role=Role.OFFICER), company=real, approve=True)
    assert verified.kyb_status == KybStatus.VERIFIED


def test_verifying_a_number_already_verified_elsewhere_is_refused_and_changes_nothing(db):
    officer = UserFactory(role=Role.OFFICER)
    first = CompanyFactory(**NUMBER, legal_name_en="First Ltd", kyb_status=KybStatus.SUBMITTED)
    second = CompanyFactory(**NUMBER, legal_name_en="Second Ltd", kyb_status=KybStatus.SUBMITTED)
    company_kyb_decide(actor=officer, company=first, approve=True)
    wallets, events = Wallet.objects.count(), AuditEvent.objects.count()

    with pytest.raises(Conflict, match="First Ltd is already verified"):
        company_kyb_decide(actor=officer, company=second, approve=True)

    second.refresh_from_db()
    assert second.kyb_status == KybStatus.SUBMITTED
    assert second.wallet is None
    assert (Wallet.objects.count(), AuditEvent.objects.count()) == (wallets, events)
    # Rejecting the second claim stays possible.
    company_kyb_decide(actor=officer, company=second, approve=False, reason="Not the registered company.")


def test_the_database_keeps_one_verified_company_per_number(db):
    CompanyFactory(**NUMBER)
    CompanyFactory(**NUMBER)  # any number of claims
    wallets = [wallet_create(kind=WalletKind.ISSUER, label="issuer") for _ in range(2)]
    Company.objects.filter(pk=Company.objects.first().pk).update(kyb_status="verified", wallet=wallets[0])

    with pytest.raises(IntegrityError), transaction.atomic():
        Company.objects.filter(pk=Company.objects.last().pk).update(kyb_status="verified", wallet=wallets[1])
