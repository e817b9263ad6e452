"""Imported sanctions list versions, their entries (names, aliases, wallet addresses) and screenings.

Imported by `compliance.models`, so they belong to the compliance app (and its migrations).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from compliance.screening.choices import Decision, EntryType, PartyType, RunStatus, Subject
from config.text import NAME_MAX_LENGTH, SHORT_TEXT_MAX_LENGTH

SDN_NAME_MAX_LENGTH = 500  # the list's own names and aliases run longer than the platform's


class SanctionsList(models.Model):
    """One imported version of a sanctions list; the file's SHA-256 identifies it (re-imports are no-ops)."""

    source = models.CharField(max_length=SHORT_TEXT_MAX_LENGTH, default="OFAC SDN")
    name = models.CharField(
        max_length=NAME_MAX_LENGTH, help_text="The file's name, e.g. ofac_sdn_2024-05-03."
    )
    sha256 = models.CharField(max_length=64, unique=True)
    imported_at = models.DateTimeField()
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    entry_count = models.PositiveIntegerField()
    alias_count = models.PositiveIntegerField()
    wallet_count = models.PositiveIntegerField()

    class Meta:
        ordering = ["-pk"]
        get_latest_by = "pk"

    def __str__(self) -> str:
        return f"{self.source} {self.name} ({self.sha256[:12]})"


class SanctionsEntry(models.Model):
    """One entry of a list version (a person, entity, vessel or aircraft) as the list states it."""

    sanctions_list = models.ForeignKey(SanctionsList, on_delete=models.CASCADE, related_name="entries")
    list_id = models.CharField(max_length=16, help_text="The list's own id of the entry (SDN ent_num).")
    name = models.CharField(max_length=SDN_NAME_MAX_LENGTH)
    entry_type = models.CharField(max_length=16, choices=EntryType.choices)
    program = models.CharField(max_length=NAME_MAX_LENGTH, blank=True)
    birth_years = models.JSONField(default=list, blank=True, help_text="Every birth year the list gives.")
    remarks = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["sanctions_list", "list_id"], name="sanctions_entry_unique_id"),
            models.CheckConstraint(
                condition=Q(entry_type__in=EntryType.values), name="sanctions_entry_type_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.list_id} {self.name}"


class SanctionsName(models.Model):
    """An entry's name or one of its aliases, with its matching tokens precomputed."""

    entry = models.ForeignKey(SanctionsEntry, on_delete=models.CASCADE, related_name="names")
    name = models.CharField(max_length=SDN_NAME_MAX_LENGTH)
    is_alias = models.BooleanField(default=False)
    tokens = models.CharField(
        max_length=SDN_NAME_MAX_LENGTH,
        help_text="The normalised tokens the matcher compares, space-separated.",
    )

    def __str__(self) -> str:
        return self.name


class SanctionsWallet(models.Model):
    """A digital currency address an entry lists; screened by exact, case-insensitive match."""

    sanctions_list = models.ForeignKey(SanctionsList, on_delete=models.CASCADE, related_name="wallets")
    entry = models.ForeignKey(SanctionsEntry, on_delete=models.CASCADE, related_name="wallets")
    currency = models.CharField(max_length=16)
    address = models.CharField(max_length=128)
    address_key = models.CharField(max_length=128, help_text="The address in lower case.")

    class Meta:
        indexes = [models.Index(fields=["sanctions_list", "address_key"])]

    def __str__(self) -> str:
        return f"{self.currency} {self.address}"


class ScreeningRun(models.Model):
    """Re-screening every known party against one list version, with its progress."""

    sanctions_list = models.ForeignKey(SanctionsList, on_delete=models.PROTECT, related_name="runs")
    status = models.CharField(max_length=16, choices=RunStatus.choices, default=RunStatus.QUEUED)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    hits = models.PositiveIntegerField(default=0, help_text="Parties with a potential match so far.")
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=RunStatus.values), name="screening_run_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(done__lte=models.F("total")), name="screening_run_done_le_total"
            ),
            models.CheckConstraint(
                condition=Q(hits__lte=models.F("done")), name="screening_run_hits_le_done"
            ),
        ]

    def __str__(self) -> str:
        return f"run {self.pk} on {self.sanctions_list}: {self.done}/{self.total}"


class Screening(models.Model):
    """One screening as it was asked and answered: who, when, what, against which version, the result."""

    created_at = models.DateTimeField(auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    sanctions_list = models.ForeignKey(SanctionsList, on_delete=models.PROTECT, related_name="screenings")
    run = models.ForeignKey(
        ScreeningRun, null=True, blank=True, on_delete=models.PROTECT, related_name="screenings"
    )
    party_ref = models.CharField(
        max_length=SHORT_TEXT_MAX_LENGTH,
        blank=True,
        help_text="Which record was screened, e.g. issuers.person:12.",
    )
    subject = models.CharField(max_length=16, choices=Subject.choices)
    name = models.CharField(max_length=NAME_MAX_LENGTH, blank=True)
    entity_type = models.CharField(max_length=16, choices=PartyType.choices, blank=True)
    birth_year = models.PositiveSmallIntegerField(null=True, blank=True)
    country = models.CharField(max_length=2, blank=True)
    wallet_address = models.CharField(max_length=128, blank=True)
    decision = models.CharField(max_length=16, choices=Decision.choices)
    hits = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(decision__in=Decision.values), name="screening_decision_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name or self.wallet_address}: {self.decision}"
