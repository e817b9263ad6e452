"""States of a self-custody wallet an investor linked by signature."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class LinkedWalletStatus(models.TextChoices):
    REGISTERING = "registering", _("Being registered on chain")
    REGISTERED = "registered", _("Registered: it may receive units")
    REFUSED = "refused", _("Refused by sanctions screening")
    FAILED = "failed", _("Refused by the chain")
    UNLINKING = "unlinking", _("Being removed from the chain")
    UNLINKED = "unlinked", _("Unlinked")


LINKED_WALLET_TRANSITIONS = {
    LinkedWalletStatus.REGISTERING: {LinkedWalletStatus.REGISTERED, LinkedWalletStatus.FAILED},
    LinkedWalletStatus.REGISTERED: {LinkedWalletStatus.UNLINKING},
    LinkedWalletStatus.UNLINKING: {LinkedWalletStatus.UNLINKED, LinkedWalletStatus.REGISTERED},
    LinkedWalletStatus.REFUSED: set(),
    LinkedWalletStatus.FAILED: {LinkedWalletStatus.UNLINKED},
    LinkedWalletStatus.UNLINKED: set(),
}

# A wallet in one of these belongs to its investor: no other investor may link it (a database constraint).
# A sanctions refusal keeps the address taken for good; compliance decides the alert.
HELD_STATUSES = (
    LinkedWalletStatus.REGISTERING,
    LinkedWalletStatus.REGISTERED,
    LinkedWalletStatus.UNLINKING,
    LinkedWalletStatus.REFUSED,
)
# These count towards an investor's cap of linked wallets.
LIVE_STATUSES = (LinkedWalletStatus.REGISTERING, LinkedWalletStatus.REGISTERED, LinkedWalletStatus.UNLINKING)
