"""The electronic bill of lading platforms the platform accepts.

An eBL lives on its platform: the platform's title registry says who controls the bill. We record
which platform and its control reference; a token or record here is never the bill itself.
The list holds platforms approved by the International Group of P&I Clubs.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class EblPlatform(models.TextChoices):
    BOLERO = "bolero", "Bolero"
    ESSDOCS = "essdocs", "essDOCS CargoDocs"
    WAVE_BL = "wave_bl", "WAVE BL"
    EDOXONLINE = "edoxonline", "edoxOnline"
    CARGOX = "cargox", "CargoX"
    IQAX = "iqax", "IQAX eBL"
    SECRO = "secro", "Secro"
    COVANTAGE = "covantage", "CoVantage"


PLATFORM_HELP = _(
    "The approved electronic bill of lading platform that holds the bill. The bill itself stays on "
    "that platform; we record only which platform holds it and its control reference there."
)
