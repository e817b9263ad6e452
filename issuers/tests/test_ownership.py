"""The KYB checklist asks for exactly the beneficial owners the company's jurisdiction requires."""

from datetime import date
from decimal import Decimal

import pytest

from accounts.choices import Role
from accounts.tests.factories import UserFactory
from config.errors import ValidationFailed
from issuers.choices import Residency
from issuers.models import Company, Person
from issuers.ownership import HONG_KONG_RULE, MAINLAND_RULE, ownership_rule
from issuers.selectors import company_missing_items
from issuers.services import company_save, person_save


def _company(jurisdiction: str, number: str):
    user = UserFactory(role=Role.SME)
    company_save(
        user=user,
        legal_name_en="Lantau Components Limited",
        legal_name_zh="",
        jurisdiction=jurisdiction,
        registration_number=number,
        industry="electronics",
    )
    return user


def _person(user, name: str, percent: str, *, owner: bool, director: bool = False, trust_role: str = ""):
    return person_save(
        user=user,
        full_name=name,
        nationality="HK",
        residency=Residency.HONG_KONG,
        birth_date=date(1980, 1, 1),
        is_director=director,
        is_beneficial_owner=owner,
        ownership_percent=Decimal(percent),
        trust_role=trust_role,
    )


def _ownership_items(user) -> list[str]:
    company = Company.objects.get(representative=user)
    return [item for item in company_missing_items(company) if "marked as a beneficial owner" in item]


@pytest.mark.parametrize(
    ("rule", "percent", "required"),
    [
        (HONG_KONG_RULE, "25.00", False),  # Hong Kong: more than 25%
        (HONG_KONG_RULE, "25.01", True),
        (MAINLAND_RULE, "24.99", False),  # mainland: 25% or more
        (MAINLAND_RULE, "25.00", True),
    ],
)
def test_the_threshold_follows_the_jurisdiction(rule, percent, required):
    assert rule.requires(Decimal(percent)) is required


def test_trustees_and_beneficiaries_count_whatever_their_share():
    assert HONG_KONG_RULE.requires(Decimal("0"), "trustee")
    assert MAINLAND_RULE.requires(Decimal("0"), "beneficiary")


def test_each_jurisdiction_of_the_bay_area_has_a_rule():
    assert ownership_rule("HK") is HONG_KONG_RULE
    assert ownership_rule("MO") is HONG_KONG_RULE
    assert ownership_rule("CN-SZ") is MAINLAND_RULE


def test_a_hong_kong_holder_of_exactly_25_percent_is_not_asked_for_but_one_above_is(db):
    sme = _company("HK", "12345678")
    _person(sme, "Chan Tai Man", "49.99", owner=True, director=True)
    _person(sme, "Wong Siu Ming", "25.00", owner=False, director=True)
    assert _ownership_items(sme) == []

    _person(sme, "Lee Ka Yan", "25.01", owner=False, director=True)
    (item,) = _ownership_items(sme)
    assert "Lee Ka Yan" in item
    assert "more than 25%" in item


def test_a_mainland_holder_of_exactly_25_percent_must_be_declared(db):
    sme = _company("CN-SZ", "91440300MA5G7XJ54T")
    _person(sme, "Li Wei", "60.00", owner=True, director=True)
    _person(sme, "Chen Jie", "25.00", owner=False, director=True)
    (item,) = _ownership_items(sme)
    assert "Chen Jie" in item
    assert "25% or more" in item


def test_every_trust_party_is_a_beneficial_owner_and_a_contradiction_is_refused(db):
    sme = _company("HK", "23456789")
    _person(sme, "Chan Tai Man", "60.00", owner=True, director=True)
    trustee = _person(sme, "Harbour Trustees Limited", "0.00", owner=True, trust_role="trustee")
    assert trustee.trust_role == "trustee"
    assert _ownership_items(sme) == []

    with pytest.raises(ValidationFailed) as refused:
        _person(sme, "Mary Chan", "0.00", owner=False, director=True, trust_role="beneficiary")
    assert "is_beneficial_owner" in refused.value.fields
    with pytest.raises(ValidationFailed) as refused:
        _person(sme, "Mary Chan", "0.00", owner=True, trust_role="settlor")
    assert "trust_role" in refused.value.fields
    assert Person.objects.count() == 2  # nothing was written by the refusals
