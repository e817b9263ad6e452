"""Choices of issuers: jurisdictions of the Greater Bay Area and KYB states."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Jurisdiction(models.TextChoices):
    HONG_KONG = "HK", _("Hong Kong SAR")
    MACAO = "MO", _("Macao SAR")
    GUANGZHOU = "CN-GZ", _("Guangzhou")
    SHENZHEN = "CN-SZ", _("Shenzhen")
    ZHUHAI = "CN-ZH", _("Zhuhai")
    FOSHAN = "CN-FS", _("Foshan")
    HUIZHOU = "CN-HZ", _("Huizhou")
    DONGGUAN = "CN-DG", _("Dongguan")
    ZHONGSHAN = "CN-ZS", _("Zhongshan")
    JIANGMEN = "CN-JM", _("Jiangmen")
    ZHAOQING = "CN-ZQ", _("Zhaoqing")


# ISO 3166 country of each jurisdiction (the on-chain identity registry stores the numeric code).
COUNTRY_OF_JURISDICTION = {
    j: ("HK" if j == "HK" else "MO" if j == "MO" else "CN") for j in Jurisdiction.values
}


class TrustRole(models.TextChoices):
    """How a person is connected to a trust that holds the company: each one is a beneficial owner."""

    TRUSTEE = "trustee", _("Trustee of a trust holding shares")
    BENEFICIARY = "beneficiary", _("Beneficiary of a trust holding shares")


class RegistrationCheck(models.TextChoices):
    CHECKSUM_VALID = "checksum_valid", _("Check character valid")
    FORMAT_VALID = "format_valid", _("Format valid (no public check rule)")
    MANUAL_REVIEW = "manual_review", _("Needs manual review against the certificate")


class Industry(models.TextChoices):
    MANUFACTURING = "manufacturing", _("Advanced manufacturing")
    ELECTRONICS = "electronics", _("Electronics and semiconductors")
    ROBOTICS = "robotics", _("Robotics and automation")
    BIOTECH = "biotech", _("Biotechnology and health")
    SOFTWARE = "software", _("Software and internet")
    FINTECH = "fintech", _("Financial technology")
    NEW_ENERGY = "new_energy", _("New energy and environment")
    LOGISTICS = "logistics", _("Logistics and trade")
    CONSUMER = "consumer", _("Consumer goods and retail")
    FOOD = "food", _("Food and agriculture")
    CONSTRUCTION = "construction", _("Construction and property")
    SERVICES = "services", _("Professional services")
    OTHER = "other", _("Other")


class SrdiTier(models.TextChoices):
    """'Specialized, refined, distinctive and innovative' (专精特新) recognition."""

    NONE = "", _("None")
    PROVINCIAL = "provincial", _("Provincial SRDI SME")
    LITTLE_GIANT = "little_giant", _("National 'little giant'")


class DocumentKind(models.TextChoices):
    BUSINESS_REGISTRATION = "business_registration", _("Business registration certificate")
    FINANCIAL_STATEMENTS = "financial_statements", _("Financial statements")
    ARTICLES = "articles", _("Articles of association")


class KybStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Awaiting review")
    VERIFIED = "verified", _("Verified")
    REJECTED = "rejected", _("Rejected")
    BLOCKED = "blocked", _("Blocked (confirmed sanctions match)")


KYB_TRANSITIONS = {
    KybStatus.DRAFT: {KybStatus.SUBMITTED},
    KybStatus.SUBMITTED: {KybStatus.VERIFIED, KybStatus.REJECTED},
    KybStatus.REJECTED: {KybStatus.SUBMITTED},
    # A verified company on whom a sanctions match is confirmed is blocked for good.
    KybStatus.VERIFIED: {KybStatus.BLOCKED},
    KybStatus.BLOCKED: set(),
}
