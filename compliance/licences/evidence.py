"""What a reviewer sees of the licence register beside a decision: the arrangers an application may
name, and for a lapsed-licence alert the licence and its state today."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils import timezone

from compliance.cases.choices import AlertKind, CaseKind
from compliance.cases.evidence import Check, CheckStatus, check
from compliance.cases.models import Case
from compliance.licences.models import Licence
from compliance.licences.selectors import intermediaries, licence_status


@check(CaseKind.APPLICATION)
def arrangers(case: Case) -> Iterable[Check]:
    today = timezone.localdate()
    able = [
        f"{intermediary} ({licence.activities_display()}{', PI only' if licence.pi_only else ''})"
        for intermediary in intermediaries()
        if intermediary.is_arranger
        for licence in intermediary.licences.all()
        if licence.covers_dealing and licence.in_force_on(today)
    ]
    if able:
        yield Check("Arranger", CheckStatus.PASSED, "Approving names one of these licensed arrangers", able)
    else:
        yield Check(
            "Arranger",
            CheckStatus.FAILED,
            "No arranger on the licence register holds a type 1 or VATP licence in force: add one first",
        )


@check(CaseKind.ALERT)
def lapsed_licence(case: Case) -> Iterable[Check]:
    if case.alert_kind != AlertKind.LICENCE_LAPSED:
        return
    licence = Licence.objects.select_related("intermediary").filter(pk=case.detail.get("licence")).first()
    if licence is None:
        yield Check("Arranger's licence", CheckStatus.ATTENTION, str(case.detail.get("why", "")))
        return
    status = licence_status(licence)
    yield Check(
        "Arranger's licence",
        CheckStatus.PASSED if status.in_force else CheckStatus.FAILED,
        f"{licence} (CE {licence.intermediary.ce_number}): {status.text}",
        [text for text in (licence.conditions, licence.suspension_reason) if text],
    )
