"""Reads of the licence register: the register with each licence's state today, arranger choices."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from compliance.licences.choices import LicenceState
from compliance.licences.models import Intermediary, Licence


@dataclass(frozen=True)
class LicenceStatus:
    """A licence's state on a day, in words: "valid", "lapses in 12 days", "lapsed on 1 Mar 2026" ..."""

    state: str
    text: str
    days_left: int | None

    @property
    def in_force(self) -> bool:
        return self.state in (LicenceState.VALID, LicenceState.LAPSING)

    @property
    def tone(self) -> str:
        """The badge colour of the state."""
        return {
            LicenceState.VALID: "success",
            LicenceState.LAPSING: "warning",
            LicenceState.NOT_YET_VALID: "info",
        }.get(LicenceState(self.state), "danger")


def licence_status(licence: Licence, *, on: date | None = None) -> LicenceStatus:
    day = on or timezone.localdate()
    state = licence.state_on(day)
    days_left = (licence.valid_until - day).days if licence.valid_until else None
    if state == LicenceState.LAPSING:
        assert days_left is not None
        text = (
            "lapses today" if days_left == 0 else f"lapses in {days_left} day{'s' if days_left != 1 else ''}"
        )
    elif state == LicenceState.LAPSED:
        assert licence.valid_until is not None
        text = f"lapsed on {licence.valid_until:%d %b %Y}"
    elif state == LicenceState.NOT_YET_VALID:
        text = f"valid from {licence.valid_from:%d %b %Y}"
    elif state in (LicenceState.SUSPENDED, LicenceState.REVOKED):
        assert licence.suspended_at is not None
        text = f"{LicenceState(state).label.lower()} on {timezone.localtime(licence.suspended_at):%d %b %Y}"
    else:
        text = "valid" + (f" until {licence.valid_until:%d %b %Y}" if licence.valid_until else ", open-ended")
    return LicenceStatus(state=state, text=text, days_left=days_left)


def intermediaries() -> QuerySet[Intermediary]:
    """Every intermediary with its licences (newest first), for the register page and the API."""
    return Intermediary.objects.prefetch_related(
        Prefetch("licences", queryset=Licence.objects.order_by("-valid_from", "-pk"))
    )


def licences() -> QuerySet[Licence]:
    return Licence.objects.select_related("intermediary").order_by("intermediary__name", "-valid_from", "pk")


def arranger_choices(*, on: date | None = None) -> list[tuple[int, str]]:
    """The register's arrangers as a decision form lists them: name, CE number, and a hint of the licence."""
    day = on or timezone.localdate()
    choices = []
    for intermediary in intermediaries():
        if not intermediary.is_arranger:
            continue
        statuses = [(licence, licence_status(licence, on=day)) for licence in intermediary.licences.all()]
        in_force = [(licence, status) for licence, status in statuses if status.in_force]
        if in_force:
            hint = "; ".join(
                f"{licence.activities_display()}{' (PI only)' if licence.pi_only else ''}, {status.text}"
                for licence, status in in_force
            )
        else:
            hint = "no licence in force"
        choices.append((intermediary.pk, f"{intermediary.name} (CE {intermediary.ce_number}): {hint}"))
    return choices
