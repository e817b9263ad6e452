"""Sign-In with Ethereum nonces and the self-custody wallets investors linked with them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from compliance.wallets.choices import HELD_STATUSES, LinkedWalletStatus


class SiweNonce(models.Model):
    """A single-use nonce an investor asked for to sign one EIP-4361 message for one address.

    Only its SHA-256 is kept: a copy of the database cannot be used to link a wallet.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="siwe_nonces")
    nonce_hash = models.CharField(max_length=64, unique=True)
    address = models.CharField(max_length=42, help_text="The wallet the message is for (checksummed).")
    issued_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True, help_text="Set by the first attempt that names it.")

    class Meta:
        indexes = [models.Index(fields=["user", "-issued_at"], name="siwe_nonce_user_newest")]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_at__gt=models.F("issued_at")), name="siwe_nonce_expires"
            )
        ]

    def __str__(self) -> str:
        return f"SIWE nonce for {self.address} ({'used' if self.used_at else 'unused'})"


class LinkedWallet(models.Model):
    """A self-custody wallet an investor proved by signature, registered in the identity registry."""

    investor = models.ForeignKey(
        "compliance.InvestorProfile", on_delete=models.PROTECT, related_name="linked_wallets"
    )
    address = models.CharField(max_length=42, help_text="Checksummed (EIP-55).")
    status = models.CharField(max_length=16, choices=LinkedWalletStatus.choices)
    message = models.TextField(help_text="The EIP-4361 message the investor signed.")
    signature = models.CharField(max_length=132)
    failure_reason = models.TextField(blank=True)
    registered_at = models.DateTimeField(null=True, blank=True)
    unlinked_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["address"], condition=Q(status__in=HELD_STATUSES), name="linked_wallet_one_investor"
            ),
            models.CheckConstraint(
                condition=Q(status__in=LinkedWalletStatus.values), name="linked_wallet_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.address} ({self.get_status_display()})"
