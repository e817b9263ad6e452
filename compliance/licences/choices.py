"""Choices of the licence register: intermediary roles, licence kinds, regulated activities, states."""

from django.db import models


class IntermediaryRole(models.TextChoices):
    ARRANGER = "arranger", "Arranger"
    PLACING_AGENT = "placing_agent", "Placing agent"
    CUSTODIAN = "custodian", "Custodian"


class LicenceKind(models.TextChoices):
    LICENSED_CORPORATION = "licensed_corporation", "SFC licensed corporation"
    REGISTERED_INSTITUTION = "registered_institution", "SFC registered institution"
    VATP = "vatp", "Virtual asset trading platform licence"


class RegulatedActivity(models.IntegerChoices):
    """The SFO regulated activities an arranger of tokenized debt and equity may hold."""

    DEALING_IN_SECURITIES = 1, "Type 1: dealing in securities"
    ADVISING_ON_SECURITIES = 4, "Type 4: advising on securities"
    ADVISING_ON_CORPORATE_FINANCE = 6, "Type 6: advising on corporate finance"
    ASSET_MANAGEMENT = 9, "Type 9: asset management"


class Suspension(models.TextChoices):
    SUSPENDED = "suspended", "Suspended"
    REVOKED = "revoked", "Revoked"


class LicenceState(models.TextChoices):
    """What a licence is on a given day (read from its dates, never stored)."""

    VALID = "valid", "Valid"
    LAPSING = "lapsing", "Lapses soon"
    NOT_YET_VALID = "not_yet_valid", "Not yet valid"
    LAPSED = "lapsed", "Lapsed"
    SUSPENDED = "suspended", "Suspended"
    REVOKED = "revoked", "Revoked"


# The states in which a licence may be relied on.
IN_FORCE = (LicenceState.VALID, LicenceState.LAPSING)
