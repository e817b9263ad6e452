"""Who a re-screening covers: a source is any callable that yields `Party` records.

`registered_parties` (the default, setting SANCTIONS_PARTY_SOURCE) yields every company (its English
and Chinese names), every director and owner, every investor with its own directors and owners, and
every company and investor wallet. `investor_parties(profile)` yields one investor's.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from django.conf import settings
from django.utils.module_loading import import_string

from compliance.models import InvestorPerson, InvestorProfile
from compliance.screening.choices import PartyType
from issuers.models import Company, Person


@dataclass(frozen=True)
class Party:
    """One name (or wallet address) to screen, and the record it stands for."""

    ref: str  # e.g. "issuers.person:12"
    name: str = ""
    entity_type: str = PartyType.ORGANIZATION
    birth_year: int | None = None
    country: str = ""
    wallet_address: str = ""


PartySource = Callable[[], Iterable[Party]]


def registered_parties() -> Iterator[Party]:
    """Every company, person, investor and wallet the platform holds, in a stable order."""
    for company in Company.objects.select_related("wallet").order_by("pk"):
        ref = f"issuers.company:{company.pk}"
        country = company.jurisdiction[:2]
        yield Party(ref=ref, name=company.legal_name_en, country=country)
        if company.legal_name_zh:
            yield Party(ref=ref, name=company.legal_name_zh, country=country)
        if company.wallet is not None:
            yield Party(ref=ref, wallet_address=company.wallet.address)
    for person in Person.objects.order_by("pk"):
        yield Party(
            ref=f"issuers.person:{person.pk}",
            name=person.full_name,
            entity_type=PartyType.INDIVIDUAL,
            birth_year=person.birth_date.year,
            country=person.nationality.code,
        )
    for profile in InvestorProfile.objects.select_related("wallet").order_by("pk"):
        yield from _investor_own(profile)
    for person in InvestorPerson.objects.order_by("pk"):
        yield _investor_person(person)


def _investor_own(profile: InvestorProfile) -> Iterator[Party]:
    ref = f"compliance.investorprofile:{profile.pk}"
    entity_type = PartyType.INDIVIDUAL if profile.investor_type == "individual" else PartyType.ORGANIZATION
    yield Party(ref=ref, name=profile.legal_name, entity_type=entity_type, country=profile.country.code)
    if profile.wallet is not None:
        yield Party(ref=ref, wallet_address=profile.wallet.address)


def _investor_person(person: InvestorPerson) -> Party:
    return Party(
        ref=f"compliance.investorperson:{person.pk}",
        name=person.full_name,
        entity_type=PartyType.INDIVIDUAL,
        birth_year=person.birth_date.year,
        country=person.nationality.code,
    )


def investor_parties(profile: InvestorProfile) -> Iterator[Party]:
    """The investor's own Party (and its wallet's, once it has one), then one per director or owner."""
    yield from _investor_own(profile)
    for person in profile.people.order_by("pk"):
        yield _investor_person(person)


def party_source() -> PartySource:
    """The configured source of parties."""
    source: PartySource = import_string(settings.SANCTIONS_PARTY_SOURCE)
    return source
