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


class Residency(models.TextChoices):
    """Where a person lives (an organisation: where it is established); it decides the cross-border rules.

    The nine mainland cities of the Greater Bay Area are named one by one, because only their residents'
    records may go to Hong Kong under the GBA standard contract.
    """

    HONG_KONG = "HK", _("Hong Kong")
    MACAO = "MO", _("Macao")
    GUANGZHOU = "CN-GZ", _("Guangzhou")
    SHENZHEN = "CN-SZ", _("Shenzhen")
    ZHUHAI = "CN-ZH", _("Zhuhai")
    FOSHAN = "CN-FS", _("Foshan")
    HUIZHOU = "CN-HZ", _("Huizhou")
    DONGGUAN = "CN-DG", _("Dongguan")
    ZHONGSHAN = "CN-ZS", _("Zhongshan")
    JIANGMEN = "CN-JM", _("Jiangmen")
    ZHAOQING = "CN-ZQ", _("Zhaoqing")
    MAINLAND_OTHER = "CN", _("Mainland China, outside the Greater Bay Area")
    ELSEWHERE = "other", _("Elsewhere")
    # Only rows made before residency was asked for; never offered on a form. Treated as the strictest case.
    NOT_STATED = "not_stated", _("Not stated")


MAINLAND_GBA_RESIDENCIES = frozenset(
    {
        Residency.GUANGZHOU,
        Residency.SHENZHEN,
        Residency.ZHUHAI,
        Residency.FOSHAN,
        Residency.HUIZHOU,
        Residency.DONGGUAN,
        Residency.ZHONGSHAN,
        Residency.JIANGMEN,
        Residency.ZHAOQING,
    }
)
GBA_RESIDENCIES = MAINLAND_GBA_RESIDENCIES | {Residency.HONG_KONG, Residency.MACAO}
# What a person may declare (everything but "not stated").
DECLARABLE_RESIDENCIES = [
    (value, label) for value, label in Residency.choices if value != Residency.NOT_STATED
]
DECLARABLE_RESIDENCY_VALUES = frozenset(value for value, _label in DECLARABLE_RESIDENCIES)
# The ISO 3166 country each residency lies in (None: anywhere but these three).
COUNTRY_OF_RESIDENCY: dict[str, str] = {
    **dict.fromkeys(MAINLAND_GBA_RESIDENCIES, "CN"),
    Residency.MAINLAND_OTHER: "CN",
    Residency.HONG_KONG: "HK",
    Residency.MACAO: "MO",
}


def residency_matches_country(residency: str, country: str) -> bool:
    """Whether a declared residency lies in the ISO 3166 `country` ("elsewhere" is outside CN, HK and MO)."""
    if residency == Residency.ELSEWHERE:
        return country not in {"CN", "HK", "MO"}
    return COUNTRY_OF_RESIDENCY.get(residency) == country


class TransferDirection(models.TextChoices):
    MAINLAND_TO_HONG_KONG = "cn_to_hk", _("Mainland Greater Bay Area cities to Hong Kong")


class PiaConclusion(models.TextChoices):
    """The personal information protection impact assessment's finding."""

    RISKS_ACCEPTABLE = "acceptable", _("Risks are acceptable with the measures recorded")
    RISKS_NOT_ACCEPTABLE = "not_acceptable", _("Risks are not acceptable: no transfer")


class FilingAuthority(models.TextChoices):
    """Where the GBA standard contract is filed: the mainland side's cyberspace administration."""

    GUANGDONG_CAC = "gd_cac", _("Cyberspace Administration of Guangdong Province")
    HONG_KONG_DPO = "hk_digital_policy", _("Digital Policy Office, Hong Kong")
