"""Who counts as a beneficial owner, by the company's jurisdiction (AMLO Cap. 615; PBoC/SAMR 2024).

Hong Kong: more than 25% of the shares or voting rights, or control by other means. Mainland: 25% or
more. Macao: taken as more than 25%, as in Hong Kong (unconfirmed against the Macao rules: change it
here). Trusts: every trustee and every beneficiary (or class) counts, whatever their share.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from issuers.choices import COUNTRY_OF_JURISDICTION


@dataclass(frozen=True)
class OwnershipRule:
    """The share from which a holder is a beneficial owner, in one jurisdiction."""

    threshold: Decimal
    inclusive: bool  # True: the threshold itself counts (25% or more)
    description: str

    def requires(self, ownership_percent: Decimal, trust_role: str = "") -> bool:
        """Whether a holder of `ownership_percent` (or with a trust role) must be declared."""
        if trust_role:
            return True
        if self.inclusive:
            return ownership_percent >= self.threshold
        return ownership_percent > self.threshold


HONG_KONG_RULE = OwnershipRule(Decimal("25"), inclusive=False, description="more than 25%")
MAINLAND_RULE = OwnershipRule(Decimal("25"), inclusive=True, description="25% or more")
RULE_BY_COUNTRY = {"HK": HONG_KONG_RULE, "MO": HONG_KONG_RULE, "CN": MAINLAND_RULE}


def ownership_rule(jurisdiction: str) -> OwnershipRule:
    """The beneficial-ownership rule of a company registered in `jurisdiction`."""
    return RULE_BY_COUNTRY[COUNTRY_OF_JURISDICTION[jurisdiction]]
