"""Directors and owners, of an issuing company or of a corporate investor: one set of rules.

Both kinds of party declare the same facts about a person (name, nationality, residency, date of birth,
director and/or beneficial owner, share held); the checks and the add-or-edit are written once here.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any, TypeVar

from django.db.models import Model, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext
from django_countries import countries

from config.errors import NotFound
from issuers.choices import DECLARABLE_RESIDENCY_VALUES
from issuers.validators import ADULT_AGE, age_on

HUNDRED = Decimal("100")

PersonModel = TypeVar("PersonModel", bound=Model)


def person_errors(
    *,
    full_name: str,
    nationality: str,
    residency: str,
    birth_date: date,
    is_director: bool,
    is_beneficial_owner: bool,
    ownership_percent: Decimal,
    others: QuerySet[Any],
) -> dict[str, str]:
    """What is wrong with a person's declared facts; `others` are the party's other people (the 100% cap)."""
    errors: dict[str, str] = {}
    if not full_name.strip():
        errors["full_name"] = gettext("Enter the person's full name.")
    if nationality not in countries:
        errors["nationality"] = gettext("Choose a nationality.")
    if residency not in DECLARABLE_RESIDENCY_VALUES:
        errors["residency"] = gettext("Choose where the person lives.")
    today = timezone.localdate()
    if birth_date >= today or birth_date.year < 1900:
        errors["birth_date"] = gettext("Enter a real date of birth.")
    elif age_on(birth_date, today) < ADULT_AGE:
        errors["birth_date"] = gettext("Directors and owners must be adults (%(ADULT_AGE)s or older).") % {
            "ADULT_AGE": ADULT_AGE
        }
    if not (is_director or is_beneficial_owner):
        errors["is_director"] = gettext("Tick director, beneficial owner, or both.")
    if not Decimal("0") <= ownership_percent <= HUNDRED:
        errors["ownership_percent"] = gettext("Enter a percentage from 0 to 100.")
    elif ownership_percent != ownership_percent.quantize(Decimal("0.01")):
        errors["ownership_percent"] = gettext("Use at most two decimal places.")
    declared = others.aggregate(total=Sum("ownership_percent"))["total"] or Decimal("0")
    if "ownership_percent" not in errors and declared + ownership_percent > HUNDRED:
        errors["ownership_percent"] = gettext(
            "Owners already declared hold %(declared)s%%; with this person the total would pass 100%%."
        ) % {"declared": declared}
    return errors


def person_store(
    people: QuerySet[PersonModel], *, person_id: int | None, values: Mapping[str, Any], **owner: Any
) -> PersonModel:
    """Create the person under `owner` (e.g. company=...), or edit the party's person `person_id`."""
    if person_id is None:
        created: PersonModel = people.model._default_manager.create(**owner, **values)
        return created
    existing = people.filter(pk=person_id).first()
    if existing is None:
        raise NotFound(gettext("No such person."))
    for name, value in values.items():
        setattr(existing, name, value)
    existing.save()
    return existing
