"""Roles a user can hold."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    SME = "sme", _("SME representative")
    INVESTOR = "investor", _("Investor")
    OFFICER = "officer", _("Compliance officer")
    APPROVER = "approver", _("Compliance approver")
    OPERATOR = "operator", _("Operator")


SELF_SIGNUP_ROLES = (Role.SME, Role.INVESTOR)
COMPLIANCE_ROLES = (Role.OFFICER, Role.APPROVER)
STAFF_ROLES = (Role.OFFICER, Role.APPROVER, Role.OPERATOR)
