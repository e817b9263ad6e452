"""Choices of issuers: jurisdictions of the Greater Bay Area and KYB states."""

from django.db import models


class Jurisdiction(models.TextChoices):
    HONG_KONG = "HK", "Hong Kong SAR"
    MACAO = "MO", "Macao SAR"
    GUANGZHOU = "CN-GZ", "Guangzhou"
    SHENZHEN = "CN-SZ", "Shenzhen"
    ZHUHAI = "CN-ZH", "Zhuhai"
    FOSHAN = "CN-FS", "Foshan"
    HUIZHOU = "CN-HZ", "Huizhou"
    DONGGUAN = "CN-DG", "Dongguan"
    ZHONGSHAN = "CN-ZS", "Zhongshan"
    JIANGMEN = "CN-JM", "Jiangmen"
    ZHAOQING = "CN-ZQ", "Zhaoqing"


# ISO 3166 country of each jurisdiction (the on-chain identity registry stores the numeric code).
COUNTRY_OF_JURISDICTION = {
    j: ("HK" if j == "HK" else "MO" if j == "MO" else "CN") for j in Jurisdiction.values
}


class TrustRole(models.TextChoices):
    """How a person is connected to a trust that holds the company: each one is a beneficial owner."""

    TRUSTEE = "trustee", "Trustee of a trust holding shares"
    BENEFICIARY = "beneficiary", "Beneficiary of a trust holding shares"


class RegistrationCheck(models.TextChoices):
    CHECKSUM_VALID = "checksum_valid", "Check character valid"
    FORMAT_VALID = "format_valid", "Format valid (no public check rule)"
    MANUAL_REVIEW = "manual_review", "Needs manual review against the certificate"


class Industry(models.TextChoices):
    MANUFACTURING = "manufacturing", "Advanced manufacturing"
    ELECTRONICS = "electronics", "Electronics and semiconductors"
    ROBOTICS = "robotics", "Robotics and automation"
    BIOTECH = "biotech", "Biotechnology and health"
    SOFTWARE = "software", "Software and internet"
    FINTECH = "fintech", "Financial technology"
    NEW_ENERGY = "new_energy", "New energy and environment"
    LOGISTICS = "logistics", "Logistics and trade"
    CONSUMER = "consumer", "Consumer goods and retail"
    FOOD = "food", "Food and agriculture"
    CONSTRUCTION = "construction", "Construction and property"
    SERVICES = "services", "Professional services"
    OTHER = "other", "Other"


class SrdiTier(models.TextChoices):
    """'Specialized, refined, distinctive and innovative' (专精特新) recognition."""

    NONE = "", "None"
    PROVINCIAL = "provincial", "Provincial SRDI SME"
    LITTLE_GIANT = "little_giant", "National 'little giant'"


class DocumentKind(models.TextChoices):
    BUSINESS_REGISTRATION = "business_registration", "Business registration certificate"
    FINANCIAL_STATEMENTS = "financial_statements", "Financial statements"
    ARTICLES = "articles", "Articles of association"


class KybStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Awaiting review"
    VERIFIED = "verified", "Verified"
    REJECTED = "rejected", "Rejected"
    BLOCKED = "blocked", "Blocked (confirmed sanctions match)"


KYB_TRANSITIONS = {
    KybStatus.DRAFT: {KybStatus.SUBMITTED},
    KybStatus.SUBMITTED: {KybStatus.VERIFIED, KybStatus.REJECTED},
    KybStatus.REJECTED: {KybStatus.SUBMITTED},
    # A verified company on whom a sanctions match is confirmed is blocked for good.
    KybStatus.VERIFIED: {KybStatus.BLOCKED},
    KybStatus.BLOCKED: set(),
}
