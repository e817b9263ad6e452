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


class KybStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Awaiting review"
    VERIFIED = "verified", "Verified"
    REJECTED = "rejected", "Rejected"


KYB_TRANSITIONS = {
    KybStatus.DRAFT: {KybStatus.SUBMITTED},
    KybStatus.SUBMITTED: {KybStatus.VERIFIED, KybStatus.REJECTED},
    KybStatus.REJECTED: {KybStatus.SUBMITTED},
    KybStatus.VERIFIED: set(),
}
