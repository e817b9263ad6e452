"""The risk disclosure and the subscription agreement an investor accepts before each subscription.

Each text has a version; a change of wording is a new version (clients that send an older one are
refused and read the new text). What the investor accepted is recorded on the subscription with the
version and the SHA-256 of the exact text shown, in the language it was shown in.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from financing.choices import AcceptanceKind


@dataclass(frozen=True)
class Agreement:
    """A versioned text the investor accepts by ticking a box."""

    kind: str
    title: Promise
    version: str
    paragraphs: tuple[Promise, ...]

    @property
    def text(self) -> str:
        """The exact text as shown in the active language."""
        return "\n\n".join(str(paragraph) for paragraph in self.paragraphs)

    @property
    def sha256(self) -> str:
        """The fingerprint of the exact text shown (recorded with the acceptance)."""
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()

    @property
    def language(self) -> str:
        return get_language() or "en"


RISK_DISCLOSURE = Agreement(
    kind=AcceptanceKind.RISK_DISCLOSURE,
    title=_("Risk disclosure"),
    version="2026-11.1",
    paragraphs=(
        _(
            "Investing in the securities of small and medium-sized companies is risky. You may lose some "
            "or all of the money you invest, and interest, rent or dividends may be paid late or not at all."
        ),
        _(
            "These securities are not bank deposits and are not protected by the Deposit Protection "
            "Scheme or the Investor Compensation Fund. Past performance of the issuer says nothing certain "
            "about the future."
        ),
        _(
            "The units are recorded as tokens on a blockchain. They can be hard to sell: transfers are "
            "limited to verified investors, may be locked up for a period and may find no buyer."
        ),
        _(
            "Your payment is held in the settlement contract's escrow until the offering closes. If the "
            "offering is oversubscribed you may be allotted fewer units than you asked for; if it does "
            "not reach its minimum it is cancelled. In both cases the unused money is returned to your "
            "wallet."
        ),
        _(
            "Invest only money you can afford to lose, and read the offering documents first. If in "
            "doubt, ask an independent professional adviser."
        ),
    ),
)

SUBSCRIPTION_AGREEMENT = Agreement(
    kind=AcceptanceKind.SUBSCRIPTION_AGREEMENT,
    title=_("Subscription agreement"),
    version="2026-11.1",
    paragraphs=(
        _(
            "You offer to subscribe the number of units shown at the unit price shown, on the terms of "
            "the offering documents. You authorise the platform to move exactly the amount shown from "
            "your wallet into the settlement contract's escrow now."
        ),
        _(
            "The issuer accepts your offer for the units allotted to you when the offering closes. At "
            "settlement the escrow pays the issuer for those units, in the same transaction as the "
            "tokens are delivered to your wallet, and returns the rest to you."
        ),
        _(
            "You may withdraw your subscription while the offering is open; your escrow is then "
            "returned. You confirm that the information you gave in your due diligence is true and "
            "up to date, and that you subscribe for your own account."
        ),
        _("This agreement is governed by the laws of the Hong Kong Special Administrative Region."),
    ),
)

AGREEMENTS = (RISK_DISCLOSURE, SUBSCRIPTION_AGREEMENT)


def accepted_versions() -> dict[str, str]:
    """The keyword arguments of `subscription_create` accepting the current texts (for callers that
    showed them, e.g. the demo and the tests)."""
    return {
        "risk_disclosure_version": RISK_DISCLOSURE.version,
        "agreement_version": SUBSCRIPTION_AGREEMENT.version,
    }
