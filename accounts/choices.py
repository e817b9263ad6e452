"""Roles a user can hold."""

from django.db import models


class Role(models.TextChoices):
    SME = "sme", "SME representative"
    INVESTOR = "investor", "Investor"
    OFFICER = "officer", "Compliance officer"
    APPROVER = "approver", "Compliance approver"
    OPERATOR = "operator", "Operator"


SELF_SIGNUP_ROLES = (Role.SME, Role.INVESTOR)
COMPLIANCE_ROLES = (Role.OFFICER, Role.APPROVER)
STAFF_ROLES = (Role.OFFICER, Role.APPROVER, Role.OPERATOR)
