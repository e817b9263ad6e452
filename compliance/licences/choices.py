"""Choices of the licence register: intermediary roles, licence kinds, regulated activities, states."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class IntermediaryRole(models.TextChoices):
    ARRANGER = "arranger", _("Arranger")
    PLACING_AGENT = "placing_agent", _("Placing agent")
    CUSTODIAN = "custodian", _("Custodian")


class LicenceKind(models.TextChoices):
    LICENSED_CORPORATION = "licensed_corporation", _("SFC licensed corporation")
    REGISTERED_INSTITUTION = "registered_institution", _("SFC registered institution")
    VATP = "vatp", _("Virtual asset trading platform licence")


class RegulatedActivity(models.IntegerChoices):
    """The SFO regulated activities an arranger of tokenized debt and equity may hold."""

    DEALING_IN_SECURITIES = 1, _("Type 1: dealing in securities")
    ADVISING_ON_SECURITIES = 4, _("Type 4: advising on securities")
    ADVISING_ON_CORPORATE_FINANCE = 6, _("Type 6: advising on corporate finance")
    ASSET_MANAGEMENT = 9, _("Type 9: asset management")


class Suspension(models.TextChoices):
    SUSPENDED = "suspended", _("Suspended")
    REVOKED = "revoked", _("Revoked")


class LicenceState(models.TextChoices):
    """What a licence is on a given day (read from its dates, never stored)."""

    VALID = "valid", _("Valid")
    LAPSING = "lapsing", _("Lapses soon")
    NOT_YET_VALID = "not_yet_valid", _("Not yet valid")
    LAPSED = "lapsed", _("Lapsed")
    SUSPENDED = "suspended", _("Suspended")
    REVOKED = "revoked", _("Revoked")


# The states in which a licence may be relied on.
IN_FORCE = (LicenceState.VALID, LicenceState.LAPSING)
