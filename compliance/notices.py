"""What compliance's decisions tell the people they concern (in-app and by email)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.choices import NotificationKind
from accounts.models import User
from accounts.notifications import notify
from compliance.cases.models import InformationRequest
from compliance.models import InvestorProfile
from issuers.models import Company


def kyb_decided(company: Company, *, approved: bool, reason: str) -> None:
    """The company's representative learns the KYB outcome (and why, when it is a rejection)."""
    if approved:
        title = _("%(company)s is verified")
        body = _("Compliance verified your company. You can now apply for financing.")
    else:
        title = _("%(company)s was not verified")
        body = _("Compliance rejected your company's verification. Reason: %(reason)s")
    notify(
        company.representative,
        kind=NotificationKind.KYB_DECIDED,
        title=title,
        body=body,
        link=reverse("issuers:dashboard"),
        params={"company": company.legal_name_en, "reason": reason},
    )


def kyc_decided(profile: InvestorProfile, *, outcome: str, reason: str) -> None:
    """The investor learns the KYC outcome: approved, rejected or revoked (with the reason)."""
    texts = {
        "approved": (
            _("Your investor verification is approved"),
            _("You can now subscribe to offerings open to you."),
        ),
        "rejected": (
            _("Your investor verification was not approved"),
            _("Compliance rejected your verification. Reason: %(reason)s"),
        ),
        "revoked": (
            _("Your investor approval was withdrawn"),
            _("Compliance withdrew your approval; new subscriptions are refused. Reason: %(reason)s"),
        ),
    }
    title, body = texts[outcome]
    notify(
        profile.user,
        kind=NotificationKind.KYC_DECIDED,
        title=title,
        body=body,
        link=reverse("financing:investor_kyc"),
        params={"reason": reason},
    )


def information_requested(request: InformationRequest, applicant: User | None) -> None:
    """The applicant is asked a question and sent to the page where they answer it."""
    if applicant is None:
        return
    notify(
        applicant,
        kind=NotificationKind.INFORMATION_REQUESTED,
        title=_("Compliance asks for more information"),
        body=_("Question: %(question)s"),
        link=reverse("requests:detail", kwargs={"pk": request.pk}),
        params={"question": request.question},
    )
