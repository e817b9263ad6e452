"""Who a screening covers: a source is any callable that yields `Party` records.

`registered_parties` (the default, setting SANCTIONS_PARTY_SOURCE) yields every company (its English
and Chinese names), every director and owner, every investor with a corporate or trust investor's
directors and owners, and every company and investor wallet (an investor's linked self-custody wallets too).
`company_parties(company)` and `investor_parties(profile)` yield one submission's parties (screened
when it is submitted); `wallet_party` one wallet.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Model
from django.utils.module_loading import import_string

from compliance.models import InvestorPerson, InvestorProfile
from compliance.screening.choices import PartyType
from compliance.wallets.choices import HELD_STATUSES
from compliance.wallets.models import LinkedWallet
from issuers.models import Company, Person
from tokens.models import Wallet


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


def _company_names(company: Company) -> Iterator[Party]:
    ref = f"issuers.company:{company.pk}"
    country = company.jurisdiction[:2]
    yield Party(ref=ref, name=company.legal_name_en, country=country)
    if company.legal_name_zh:
        yield Party(ref=ref, name=company.legal_name_zh, country=country)


def _person(person: Person) -> Party:
    return Party(
        ref=f"issuers.person:{person.pk}",
        name=person.full_name,
        entity_type=PartyType.INDIVIDUAL,
        birth_year=person.birth_date.year,
        country=person.nationality.code,
    )


def _investor(profile: InvestorProfile) -> Party:
    entity_type = PartyType.INDIVIDUAL if profile.investor_type == "individual" else PartyType.ORGANIZATION
    return Party(
        ref=f"compliance.investorprofile:{profile.pk}",
        name=profile.legal_name,
        entity_type=entity_type,
        birth_year=profile.birth_date.year if profile.birth_date else None,
        country=profile.country.code,
    )


def party_ref(record: Model) -> str:
    """How a screened record is named on its screenings and alerts, e.g. "issuers.person:12"."""
    return f"{record._meta.label_lower}:{record.pk}"


def wallet_party(wallet: Wallet, *, owner: Company | InvestorProfile) -> Party:
    """A company's or investor's wallet address, screened under its owner's reference."""
    return Party(ref=party_ref(owner), wallet_address=wallet.address)


def company_parties(company: Company) -> Iterator[Party]:
    """A company submitted for KYB: its English and Chinese names, every director and owner."""
    yield from _company_names(company)
    for person in company.people.order_by("pk"):
        yield _person(person)


def _investor_person(person: InvestorPerson) -> Party:
    return Party(
        ref=party_ref(person),
        name=person.full_name,
        entity_type=PartyType.INDIVIDUAL,
        birth_year=person.birth_date.year,
        country=person.nationality.code,
    )


def investor_parties(profile: InvestorProfile) -> Iterator[Party]:
    """An investor submitted for KYC: its own name, then a corporate or trust investor's directors and
    owners (`compliance.investorperson:<id>`)."""
    yield _investor(profile)
    for person in profile.people.order_by("pk"):
        yield _investor_person(person)


def registered_parties() -> Iterator[Party]:
    """Every company, person, investor and wallet the platform holds, in a stable order."""
    for company in Company.objects.select_related("wallet").order_by("pk"):
        yield from _company_names(company)
        if company.wallet is not None:
            yield wallet_party(company.wallet, owner=company)
    for person in Person.objects.order_by("pk"):
        yield _person(person)
    linked: dict[int, list[str]] = defaultdict(list)
    for investor_id, address in (
        LinkedWallet.objects.filter(status__in=HELD_STATUSES)
        .order_by("pk")
        .values_list("investor_id", "address")
    ):
        linked[investor_id].append(address)
    for profile in InvestorProfile.objects.select_related("wallet").order_by("pk"):
        yield _investor(profile)
        if profile.wallet is not None:
            yield wallet_party(profile.wallet, owner=profile)
        for address in linked.get(profile.pk, ()):
            yield Party(ref=party_ref(profile), wallet_address=address)
    for investor_person in InvestorPerson.objects.order_by("pk"):
        yield _investor_person(investor_person)


def party_source() -> PartySource:
    """The configured source of parties."""
    source: PartySource = import_string(settings.SANCTIONS_PARTY_SOURCE)
    return source
