"""Registration numbers of the Greater Bay Area's jurisdictions.

- Hong Kong: the business registration number (the first 8 digits of the BR certificate number),
  the Unique Business Identifier since December 2023. Placeholder numbers with one letter and
  seven digits (e.g. C0012345) exist and are accepted.
- Mainland (the nine Guangdong cities): the 18-character unified social credit code (GB 32100-2015),
  checked by python-stdnum. Some lawful early codes fail the check character: those are accepted
  for manual review rather than refused.
- Macao: the commercial registration number has no public check rule; 1 to 6 digits, optionally
  followed by a letter suffix (e.g. "12345", "12345SO"), verified against the registry certificate.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from stdnum.cn import uscc
from stdnum.exceptions import InvalidChecksum, ValidationError

from issuers.choices import Jurisdiction, RegistrationCheck

# ASCII only: `\d` alone also matches other scripts' digits.
HK_BRN = re.compile(r"^(?:\d{8}|[A-Z]\d{7})$", re.ASCII)
MACAO_REGISTRATION = re.compile(r"^\d{1,6}(?:[A-Z]{1,3})?$", re.ASCII)
ADULT_AGE = 18
# As typed, with separators or a full Hong Kong BR certificate number; stored canonical (32 at most).
REGISTRATION_NUMBER_INPUT_MAX_LENGTH = 40


@dataclass(frozen=True)
class RegistrationNumber:
    """A registration number in its canonical form and how far it could be checked."""

    value: str
    check: RegistrationCheck


class InvalidRegistrationNumber(ValueError):
    """The number cannot be a registration number of that jurisdiction."""


def normalise_registration_number(jurisdiction: str, raw: str) -> RegistrationNumber:
    """Canonicalise and check `raw` for `jurisdiction`; raise InvalidRegistrationNumber with a reason."""
    compact = re.sub(r"[\s\-./]", "", raw).upper()
    if not compact:
        raise InvalidRegistrationNumber("Enter the registration number.")
    if jurisdiction == Jurisdiction.HONG_KONG:
        if len(compact) > 8 and compact[:8].isdigit():
            compact = compact[:8]  # the full BR certificate number: its first 8 digits are the BRN
        if not HK_BRN.match(compact):
            raise InvalidRegistrationNumber(
                "A Hong Kong business registration number has 8 digits (or a letter and 7 digits)."
            )
        return RegistrationNumber(compact, RegistrationCheck.FORMAT_VALID)
    if jurisdiction == Jurisdiction.MACAO:
        if not MACAO_REGISTRATION.match(compact):
            raise InvalidRegistrationNumber("A Macao commercial registration number has up to 6 digits.")
        return RegistrationNumber(compact, RegistrationCheck.MANUAL_REVIEW)
    if jurisdiction in Jurisdiction.values:
        try:
            return RegistrationNumber(uscc.validate(compact), RegistrationCheck.CHECKSUM_VALID)
        except InvalidChecksum:
            return RegistrationNumber(compact, RegistrationCheck.MANUAL_REVIEW)
        except ValidationError:
            raise InvalidRegistrationNumber(
                "A unified social credit code has 18 characters: digits and capital letters "
                "except I, O, S, V and Z."
            ) from None
    raise InvalidRegistrationNumber("Choose a jurisdiction first.")


def age_on(birth_date: date, day: date) -> int:
    """Whole years of age on `day` by the calendar (born 29 February: older on 1 March in common years)."""
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))
