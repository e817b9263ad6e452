"""Factories for the licence register: an intermediary and its licence (by default a type 1 arranger)."""

from datetime import date

import factory

from compliance.licences.choices import IntermediaryRole, LicenceKind, RegulatedActivity
from compliance.licences.models import Intermediary, Licence

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _ce_number(n: int) -> str:
    """ARR000, ARR001 ... ARRZZZ: three letters, then three letters or digits."""
    digits = "".join(ALPHABET[(n // 36**power) % 36] for power in (2, 1, 0))
    return f"ARR{digits}"


class IntermediaryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Intermediary

    name = factory.Sequence(lambda n: f"Harbour Securities {n} Limited")
    ce_number = factory.Sequence(_ce_number)
    roles = factory.LazyFunction(lambda: [IntermediaryRole.ARRANGER, IntermediaryRole.PLACING_AGENT])


class LicenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Licence

    intermediary = factory.SubFactory(IntermediaryFactory)
    kind = LicenceKind.LICENSED_CORPORATION
    activities = factory.LazyFunction(
        lambda: [RegulatedActivity.DEALING_IN_SECURITIES, RegulatedActivity.ADVISING_ON_CORPORATE_FINANCE]
    )
    conditions = ""
    pi_only = False
    valid_from = date(2020, 1, 1)
    valid_until = None


def licensed_arranger(**licence: object) -> Intermediary:
    """An arranger holding one licence (a valid, unconditioned type 1 licence unless told otherwise)."""
    return LicenceFactory(**licence).intermediary
