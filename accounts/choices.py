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


class NotificationKind(models.TextChoices):
    """What a notification is about (the bell's list and the email say the rest in words)."""

    KYB_DECIDED = "kyb_decided", _("Company verification decided")
    KYC_DECIDED = "kyc_decided", _("Investor verification decided")
    INFORMATION_REQUESTED = "information_requested", _("Information requested")
    APPLICATION_DECIDED = "application_decided", _("Application decided")
    OFFERING_OPENED = "offering_opened", _("Offering opened")
    OFFERING_CLOSED = "offering_closed", _("Offering closed")
    OFFERING_CANCELLED = "offering_cancelled", _("Offering cancelled")
    OFFERING_SETTLED = "offering_settled", _("Offering settled")
    ALLOTMENT_SETTLED = "allotment_settled", _("Units delivered")
    PAYMENT_DUE = "payment_due", _("Payment due")
    PAYMENT_RECEIVED = "payment_received", _("Payment received")
    TRANSFER_OFFERED = "transfer_offered", _("Units offered to you")
    TRANSFER_COMPLETED = "transfer_completed", _("Transfer completed")
    TRANSFER_ENDED = "transfer_ended", _("Transfer not completed")
    CONSENT_GRANTED = "consent_granted", _("Data shared with you")
    CONSENT_REVOKED = "consent_revoked", _("Data no longer shared with you")
