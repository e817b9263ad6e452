"""Writes of the licence register, the arranger rule for approvals, and the daily re-check.

Officers and approvers keep the register (every change is in the audit trail); operators read it.
`arranger_choose` is what `financing.services.application_decide` asks before an approval: the
arranger's licence on that day must be in force, cover type 1 (dealing in securities) or be a
virtual-asset trading platform licence, and a licence limited to professional investors arranges only
a professional-investors-only offering. `licences_recheck` (Celery beat, daily) raises an alert per
licence and offering when the licence an open offering relies on lapses or is suspended; confirming
the alert pauses new subscriptions until `offering_arranger_replace` names a suitable arranger.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext

from accounts.choices import COMPLIANCE_ROLES
from accounts.models import User
from compliance.audit import audit_record
from compliance.cases.choices import OPEN_STATUSES, AlertKind, CaseKind, Decision
from compliance.cases.models import Case
from compliance.cases.services import alert_raise, on_alert_decided
from compliance.licences.choices import (
    IntermediaryRole,
    LicenceKind,
    LicenceState,
    RegulatedActivity,
    Suspension,
)
from compliance.licences.models import CE_NUMBER_MESSAGE, CE_NUMBER_PATTERN, Intermediary, Licence
from config.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from config.text import NAME_MAX_LENGTH, REASON_MAX_LENGTH, hidden_character, hidden_character_message
from financing.choices import OfferingStatus
from financing.models import Application, Offering

# Offerings whose arranger still matters: not yet closed, settled or cancelled.
LIVE_OFFERING_STATUSES = (OfferingStatus.PREPARING, OfferingStatus.READY, OfferingStatus.OPEN)


def require_register_keeper(actor: User) -> None:
    if actor.role not in COMPLIANCE_ROLES:
        raise PermissionDenied(gettext("Only compliance officers and approvers keep the licence register."))


def _text(errors: dict[str, str], name: str, value: str, *, limit: int, required: bool) -> str:
    value = value.strip()
    if required and not value:
        errors[name] = gettext("This field is required.")
    elif len(value) > limit:
        errors[name] = gettext("At most %(limit)s characters.") % {"limit": limit}
    elif (character := hidden_character(value)) is not None:
        errors[name] = hidden_character_message(character)
    return value


def ce_number_normalised(value: str) -> str:
    """A CE number as the register writes it: upper case, without spaces."""
    return re.sub(r"\s+", "", value).upper()


def _intermediary_errors(
    *, name: str, ce_number: str, roles: Iterable[str], exclude: int | None = None
) -> tuple[dict[str, str], dict[str, Any]]:
    errors: dict[str, str] = {}
    values: dict[str, Any] = {"name": _text(errors, "name", name, limit=NAME_MAX_LENGTH, required=True)}
    ce = ce_number_normalised(ce_number)
    if not re.fullmatch(CE_NUMBER_PATTERN, ce):
        errors["ce_number"] = str(CE_NUMBER_MESSAGE)
    else:
        holders = Intermediary.objects.filter(ce_number=ce)
        holder = (holders.exclude(pk=exclude) if exclude is not None else holders).first()
        if holder is not None:
            errors["ce_number"] = gettext("%(name)s is already on the register with CE number %(ce)s.") % {
                "name": holder.name,
                "ce": ce,
            }
    values["ce_number"] = ce
    chosen = list(dict.fromkeys(roles))
    if not chosen:
        errors["roles"] = gettext("Choose at least one role: arranger, placing agent or custodian.")
    elif unknown := [role for role in chosen if role not in IntermediaryRole.values]:
        errors["roles"] = gettext("Unknown role(s): %(join)s.") % {"join": ", ".join(map(str, unknown))}
    values["roles"] = [role for role in IntermediaryRole.values if role in chosen]
    return errors, values


def _changes(obj: Any, values: Mapping[str, Any]) -> dict[str, list[Any]]:
    """What a save changes, field by field, as [before, after] for the audit trail."""
    return {
        name: [getattr(obj, name), value] for name, value in values.items() if getattr(obj, name) != value
    }


@transaction.atomic
def intermediary_create(*, actor: User, name: str, ce_number: str, roles: Iterable[str]) -> Intermediary:
    """Put an intermediary on the register by its SFC CE number."""
    require_register_keeper(actor)
    errors, values = _intermediary_errors(name=name, ce_number=ce_number, roles=roles)
    if errors:
        raise ValidationFailed(gettext("Please correct the highlighted fields."), fields=errors)
    intermediary = Intermediary.objects.create(**values)
    audit_record(actor=actor, action="intermediary_created", obj=intermediary, data=values)
    return intermediary


def _locked_intermediary(intermediary_id: int) -> Intermediary:
    intermediary = Intermediary.objects.select_for_update().filter(pk=intermediary_id).first()
    if intermediary is None:
        raise NotFound(gettext("No such intermediary."))
    return intermediary


@transaction.atomic
def intermediary_update(
    *,
    actor: User,
    intermediary_id: int,
    name: str | None = None,
    ce_number: str | None = None,
    roles: Iterable[str] | None = None,
) -> Intermediary:
    """Change an intermediary's name, CE number or roles (the fields given); the change is audited."""
    require_register_keeper(actor)
    intermediary = _locked_intermediary(intermediary_id)
    errors, values = _intermediary_errors(
        name=intermediary.name if name is None else name,
        ce_number=intermediary.ce_number if ce_number is None else ce_number,
        roles=intermediary.roles if roles is None else roles,
        exclude=intermediary.pk,
    )
    if errors:
        raise ValidationFailed(gettext("Please correct the highlighted fields."), fields=errors)
    if IntermediaryRole.ARRANGER not in values["roles"] and intermediary.is_arranger:
        live = Offering.objects.filter(application__arranger=intermediary, status__in=LIVE_OFFERING_STATUSES)
        if live.exists():
            raise Conflict(
                gettext(
                    "%(name)s arranges %(count)s offering(s) not yet closed; replace the "
                    "arranger of those first."
                )
                % {"name": intermediary.name, "count": live.count()},
                fields={"roles": gettext("Still the arranger of an open offering.")},
            )
    changed = _changes(intermediary, values)
    if changed:
        for field, value in values.items():
            setattr(intermediary, field, value)
        intermediary.save()
        audit_record(actor=actor, action="intermediary_updated", obj=intermediary, data=changed)
    return intermediary


LICENCE_FIELDS = ("kind", "activities", "conditions", "pi_only", "valid_from", "valid_until")


def _licence_errors(values: dict[str, Any]) -> tuple[dict[str, str], dict[str, Any]]:
    errors: dict[str, str] = {}
    clean = dict(values)
    if values["kind"] not in LicenceKind.values:
        errors["kind"] = gettext("Choose SFC licensed corporation, registered institution or VATP licence.")
    activities = values["activities"]
    try:
        numbers = sorted({int(number) for number in activities})
    except (TypeError, ValueError):
        numbers = []
        errors["activities"] = gettext("Regulated activities are the type numbers 1, 4, 6 and 9.")
    if unknown := [number for number in numbers if number not in RegulatedActivity.values]:
        errors["activities"] = gettext("Type(s) %(join)s are not among 1, 4, 6 and 9.") % {
            "join": ", ".join(map(str, unknown))
        }
    elif not numbers and values["kind"] != LicenceKind.VATP and "activities" not in errors:
        errors["activities"] = gettext("Choose the regulated activities the licence covers.")
    clean["activities"] = numbers
    clean["conditions"] = _text(
        errors, "conditions", values["conditions"] or "", limit=REASON_MAX_LENGTH, required=False
    )
    clean["pi_only"] = bool(values["pi_only"])
    if not isinstance(values["valid_from"], date):
        errors["valid_from"] = gettext("Give the day the licence took effect.")
    elif values["valid_until"] is not None and values["valid_until"] < values["valid_from"]:
        errors["valid_until"] = gettext("The licence cannot end before it starts.")
    return errors, clean


@transaction.atomic
def licence_create(
    *,
    actor: User,
    intermediary_id: int,
    kind: str,
    activities: Iterable[int],
    valid_from: date,
    valid_until: date | None = None,
    conditions: str = "",
    pi_only: bool = False,
) -> Licence:
    """Record a licence (or registration) of an intermediary as the SFC register states it."""
    require_register_keeper(actor)
    intermediary = Intermediary.objects.filter(pk=intermediary_id).first()
    if intermediary is None:
        raise ValidationFailed(
            gettext("Choose an intermediary."), fields={"intermediary_id": gettext("No such intermediary.")}
        )
    errors, values = _licence_errors(
        {
            "kind": kind,
            "activities": list(activities),
            "conditions": conditions,
            "pi_only": pi_only,
            "valid_from": valid_from,
            "valid_until": valid_until,
        }
    )
    if errors:
        raise ValidationFailed(gettext("Please correct the highlighted fields."), fields=errors)
    licence = Licence.objects.create(intermediary=intermediary, **values)
    audit_record(
        actor=actor,
        action="licence_created",
        obj=licence,
        data={"intermediary": intermediary.pk, **values},
    )
    return licence


def _locked_licence(licence_id: int) -> Licence:
    licence = (
        Licence.objects.select_for_update(of=("self",))
        .select_related("intermediary")
        .filter(pk=licence_id)
        .first()
    )
    if licence is None:
        raise NotFound(gettext("No such licence."))
    return licence


@transaction.atomic
def licence_update(*, actor: User, licence_id: int, **given: Any) -> Licence:
    """Change a licence's kind, activities, conditions or dates (the fields given), e.g. on renewal."""
    require_register_keeper(actor)
    if unknown := set(given) - set(LICENCE_FIELDS):
        raise ValidationFailed(gettext("Unknown field(s): %(join)s.") % {"join": ", ".join(sorted(unknown))})
    licence = _locked_licence(licence_id)
    current = {field: getattr(licence, field) for field in LICENCE_FIELDS}
    errors, values = _licence_errors({**current, **given})
    if errors:
        raise ValidationFailed(gettext("Please correct the highlighted fields."), fields=errors)
    changed = _changes(licence, values)
    if changed:
        for field, value in values.items():
            setattr(licence, field, value)
        licence.save()
        audit_record(actor=actor, action="licence_updated", obj=licence, data=changed)
    return licence


@transaction.atomic
def licence_suspend(*, actor: User, licence_id: int, suspension: str, reason: str) -> Licence:
    """Record that the SFC suspended or revoked a licence, with the reason; from now it is not in force."""
    require_register_keeper(actor)
    errors: dict[str, str] = {}
    if suspension not in Suspension.values:
        errors["suspension"] = gettext("Choose suspended or revoked.")
    reason = _text(errors, "reason", reason, limit=REASON_MAX_LENGTH, required=True)
    if errors:
        raise ValidationFailed(gettext("Say what happened and why."), fields=errors)
    licence = _locked_licence(licence_id)
    if licence.suspension == Suspension.REVOKED or licence.suspension == suspension:
        raise Conflict(
            gettext("This licence is already %(lower)s.")
            % {"lower": licence.get_suspension_display().lower()}
        )
    before = licence.suspension
    licence.suspended_at = timezone.now()
    licence.suspension = suspension
    licence.suspension_reason = reason
    licence.save()
    audit_record(
        actor=actor,
        action=f"licence_{suspension}",
        obj=licence,
        from_status=before,
        to_status=suspension,
        reason=reason,
    )
    return licence


def _arranger_refusal(arranger: Intermediary, message: str) -> ValidationFailed:
    return ValidationFailed(message, fields={"arranger_id": message})


def arranger_licence_for(arranger: Intermediary, *, on: date, professional_investors_only: bool) -> Licence:
    """The arranger's licence that lets it arrange the offering on `on`, or why none does (refused)."""
    name = f"{arranger.name} (CE {arranger.ce_number})"
    if not arranger.is_arranger:
        raise _arranger_refusal(arranger, f"{name} is not on the register as an arranger.")
    licences = list(arranger.licences.all())
    if not licences:
        raise _arranger_refusal(arranger, f"{name} holds no licence on the register.")
    in_force = [licence for licence in licences if licence.in_force_on(on)]
    if not in_force:
        states = "; ".join(_state_words(licence, on) for licence in licences)
        raise _arranger_refusal(arranger, f"{name} holds no licence in force on {on:%d %b %Y} ({states}).")
    dealing = [licence for licence in in_force if licence.covers_dealing]
    if not dealing:
        raise _arranger_refusal(
            arranger,
            f"{name}'s licence does not cover type 1 (dealing in securities) or a virtual asset trading "
            "platform: it cannot arrange an offering.",
        )
    suitable = [licence for licence in dealing if professional_investors_only or not licence.pi_only]
    if not suitable:
        raise _arranger_refusal(
            arranger,
            f"{name}'s licence is limited to professional investors, and this offering is open to every "
            "verified investor: make it professional investors only, or choose another arranger.",
        )
    # The one that lasts longest (open-ended first), unconditioned before conditioned.
    return max(suitable, key=lambda licence: (licence.valid_until or date.max, not licence.pi_only))


def _state_words(licence: Licence, on: date) -> str:
    state = licence.state_on(on)
    kind = licence.get_kind_display()
    if state == LicenceState.LAPSED:
        return f"{kind} lapsed on {licence.valid_until:%d %b %Y}"
    if state == LicenceState.NOT_YET_VALID:
        return f"{kind} valid only from {licence.valid_from:%d %b %Y}"
    if state in (LicenceState.SUSPENDED, LicenceState.REVOKED):
        return f"{kind} {LicenceState(state).label.lower()}: {licence.suspension_reason}"
    return f"{kind} {LicenceState(state).label.lower()}"


def arranger_choose(
    *, arranger_id: int, on: date, professional_investors_only: bool
) -> tuple[Intermediary, Licence]:
    """The intermediary named as arranger and the licence it arranges under (refused when unsuitable)."""
    arranger = Intermediary.objects.prefetch_related("licences").filter(pk=arranger_id).first()
    if arranger is None:
        raise ValidationFailed(
            gettext("Choose an arranger from the licence register."),
            fields={"arranger_id": gettext("No such intermediary.")},
        )
    return arranger, arranger_licence_for(
        arranger, on=on, professional_investors_only=professional_investors_only
    )


def _alert_key(licence: Licence | None, offering: Offering) -> str:
    return f"licence_lapsed:licence:{licence.pk if licence else 'none'}:offering:{offering.pk}"


def _already_alerted(key: str, licence: Licence | None) -> bool:
    """An alert with this key is open, or was decided since the licence last changed."""
    since = Q(decided_at__gte=licence.updated_at) if licence is not None else Q(decided_at__isnull=False)
    return (
        Case.objects.filter(kind=CaseKind.ALERT, alert_key=key)
        .filter(Q(status__in=OPEN_STATUSES) | since)
        .exists()
    )


def licences_recheck(*, today: date | None = None) -> list[Case]:
    """Check the arranger of every offering not yet closed; the alerts newly raised.

    The licence an approval relied on may have been renewed as a new record: another suitable
    licence of the same arranger is taken over silently (audited). Otherwise one alert is raised per
    licence and offering (not again once decided, until the licence changes).
    """
    today = today or timezone.localdate()
    raised = []
    offerings = (
        Offering.objects.filter(status__in=LIVE_OFFERING_STATUSES, application__arranger__isnull=False)
        .select_related("application__arranger", "application__arranger_licence", "application__company")
        .order_by("pk")
    )
    for offering in offerings:
        application = offering.application
        arranger, licence = application.arranger, application.arranger_licence
        assert arranger is not None
        if licence is not None and licence.in_force_on(today):
            continue
        with transaction.atomic():
            try:
                renewed = arranger_licence_for(
                    arranger, on=today, professional_investors_only=offering.professional_investors_only
                )
            except ValidationFailed as refusal:
                why = refusal.message
            else:
                Application.objects.filter(pk=application.pk).update(
                    arranger_licence=renewed, updated_at=timezone.now()
                )
                audit_record(
                    actor=None,
                    action="arranger_licence_renewed",
                    obj=application,
                    data={"licence": renewed.pk, "previous_licence": licence.pk if licence else None},
                )
                continue
            key = _alert_key(licence, offering)
            if offering.subscriptions_paused_reason or _already_alerted(key, licence):
                continue
            raised.append(
                alert_raise(
                    kind=AlertKind.LICENCE_LAPSED,
                    key=key,
                    summary=f"{arranger.name}, arranger of “{application.title}”: licence not in force",
                    detail={
                        "arranger": arranger.pk,
                        "ce_number": arranger.ce_number,
                        "licence": licence.pk if licence else None,
                        "offering": offering.pk,
                        "state": licence.state_on(today) if licence else "",
                        "why": why,
                    },
                    application=application,
                )
            )
    return raised


@on_alert_decided(AlertKind.LICENCE_LAPSED)
def licence_alert_decided(case: Case, decision: str, actor: User) -> None:
    """Confirmed: new subscriptions pause until a new arranger is set. Cleared (renewed ...): nothing more."""
    if decision != Decision.CONFIRM or case.application_id is None:
        return
    from financing.services import offering_subscriptions_pause

    offering = Offering.objects.filter(application_id=case.application_id).first()
    if offering is None or offering.status not in LIVE_OFFERING_STATUSES:
        return
    offering_subscriptions_pause(
        actor=actor,
        offering_id=offering.pk,
        reason=f"The arranger's licence is not in force (alert #{case.pk}); a new arranger must be set.",
    )
