"""Intermediaries and their licences, as the SFC's public register states them.

Imported by `compliance.models`, so they belong to the compliance app (and its migrations).
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from compliance.licences.choices import (
    IN_FORCE,
    IntermediaryRole,
    LicenceKind,
    LicenceState,
    RegulatedActivity,
    Suspension,
)
from config.text import NAME_MAX_LENGTH, REASON_MAX_LENGTH, visible_text

CE_NUMBER_PATTERN = r"^[A-Z]{3}[A-Z0-9]{3}$"
CE_NUMBER_MESSAGE = _(
    "A CE number is three letters followed by three letters or digits, as the SFC issues it (e.g. ABC123)."
)
ce_number_validator = RegexValidator(CE_NUMBER_PATTERN, CE_NUMBER_MESSAGE, code="ce_number")


class Intermediary(models.Model):
    """A firm that arranges, places or holds the platform's offerings, by its SFC central entity number."""

    name = models.CharField(max_length=NAME_MAX_LENGTH, validators=[visible_text])
    ce_number = models.CharField(
        "CE number",
        max_length=6,
        unique=True,
        validators=[ce_number_validator],
        help_text="The SFC central entity number, e.g. ABC123.",
    )
    roles = models.JSONField(default=list, help_text="Arranger, placing agent and/or custodian.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "pk"]
        verbose_name_plural = "intermediaries"

    def __str__(self) -> str:
        return f"{self.name} (CE {self.ce_number})"

    @property
    def is_arranger(self) -> bool:
        return IntermediaryRole.ARRANGER in self.roles

    def roles_display(self) -> str:
        return ", ".join(
            str(IntermediaryRole(role).label) for role in self.roles if role in IntermediaryRole.values
        )


class Licence(models.Model):
    """One licence or registration of an intermediary: what it covers, on which conditions, until when."""

    intermediary = models.ForeignKey(Intermediary, on_delete=models.PROTECT, related_name="licences")
    kind = models.CharField(max_length=24, choices=LicenceKind.choices)
    activities = models.JSONField(
        default=list, blank=True, help_text="The regulated activity types it covers (1, 4, 6, 9)."
    )
    conditions = models.TextField(
        max_length=REASON_MAX_LENGTH,
        blank=True,
        validators=[visible_text],
        help_text="The licensing conditions as the register states them.",
    )
    pi_only = models.BooleanField(
        "Professional investors only",
        default=False,
        help_text="A condition limits it to professional investors.",
    )
    valid_from = models.DateField()
    valid_until = models.DateField(null=True, blank=True, help_text="Empty: open-ended.")
    suspended_at = models.DateTimeField(null=True, blank=True)
    suspension = models.CharField(max_length=16, choices=Suspension.choices, blank=True)
    suspension_reason = models.TextField(max_length=REASON_MAX_LENGTH, blank=True, validators=[visible_text])
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["intermediary__name", "-valid_from", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=LicenceKind.values), name="licence_kind_valid"),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=F("valid_from")),
                name="licence_valid_until_after_from",
            ),
            models.CheckConstraint(
                condition=Q(suspended_at__isnull=True, suspension="")
                | Q(suspended_at__isnull=False, suspension__in=Suspension.values),
                name="licence_suspension_has_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of {self.intermediary.name}"

    def activities_display(self) -> str:
        if self.kind == LicenceKind.VATP and not self.activities:
            return gettext("Virtual asset trading platform")
        return ", ".join(f"Type {number}" for number in sorted(self.activities)) or "—"

    @property
    def covers_dealing(self) -> bool:
        """Type 1 (dealing in securities), or a virtual asset trading platform licence."""
        return self.kind == LicenceKind.VATP or RegulatedActivity.DEALING_IN_SECURITIES in self.activities

    def state_on(self, day: date) -> str:
        """What the licence is on `day`: suspended or revoked, not yet valid, lapsed, lapsing or valid."""
        if self.suspended_at is not None and timezone.localdate(self.suspended_at) <= day:
            return self.suspension
        if day < self.valid_from:
            return LicenceState.NOT_YET_VALID
        if self.valid_until is not None and day > self.valid_until:
            return LicenceState.LAPSED
        if (
            self.valid_until is not None
            and (self.valid_until - day).days < settings.COMPLIANCE_LICENCE_LAPSE_WARNING_DAYS
        ):
            return LicenceState.LAPSING
        return LicenceState.VALID

    def in_force_on(self, day: date) -> bool:
        return self.state_on(day) in IN_FORCE
