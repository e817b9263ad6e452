"""Screening wired into the review cases: at submission, on a new list version, and beside the decision.

`screen_submission(subject, case)` screens a company submitted for KYB (its English and Chinese names,
every director and owner with birth year and nationality) or an investor submitted for KYC
(`parties.investor_parties`), in-process against the latest list version (the index is built once
per process), and records one `Screening` row per name with its `party_ref`. `screen_new_wallet`
does the same for a wallet created at approval. Every potential match becomes an alert case
(`AlertKind.SCREENING_MATCH` or `WALLET_MATCH`), one per party and list entry, under the submission's
case; the re-screening on a new list version raises the same alerts (`alerts_for`), and the alert's
key makes both idempotent. A match an officer already cleared or confirmed for the same name is not
raised again.

The check "Sanctions screening" shows each case what was screened against which list version; with
no list imported it says so, and approval waits for a screening (`approval_refusal`, setting
SANCTIONS_SCREENING_REQUIRED). A confirmed match blocks approval for good.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import transaction
from django.db.models import Q

from compliance.cases.choices import OPEN_STATUSES, AlertKind, CaseKind, CaseStatus, Outcome
from compliance.cases.evidence import Check, CheckStatus, check
from compliance.cases.models import Case
from compliance.cases.services import alert_raise
from compliance.models import InvestorProfile
from compliance.screening.choices import Decision, RunStatus, Subject
from compliance.screening.models import SanctionsList, Screening, ScreeningRun
from compliance.screening.parties import Party, company_parties, investor_parties, wallet_party
from issuers.models import Company
from tokens.models import Wallet

logger = logging.getLogger(__name__)

SANCTIONS_ALERTS = (AlertKind.SCREENING_MATCH, AlertKind.WALLET_MATCH)


def party_subject(ref: str) -> tuple[Company | None, InvestorProfile | None]:
    """The company or investor a screened record belongs to (a director's company, a wallet's owner)."""
    label, _, pk = ref.partition(":")
    app_label, _, model_name = label.partition(".")
    try:
        model = apps.get_model(app_label, model_name)
    except (LookupError, ValueError):
        return None, None
    record = model._default_manager.filter(pk=pk).first() if pk.isdigit() else None
    if record is None:
        return None, None
    if isinstance(record, Company):
        return record, None
    if isinstance(record, InvestorProfile):
        return None, record
    for field in record._meta.concrete_fields:  # a person of a company or of a corporate investor
        related = field.related_model if field.is_relation else None
        if related is Company:
            return getattr(record, field.name), None
        if related is InvestorProfile:
            return None, getattr(record, field.name)
    return None, None


def _latest_case_of(company: Company | None, investor: InvestorProfile | None) -> Case | None:
    """The party's open KYB/KYC case, else its latest one: where a re-screening's alert belongs."""
    if company is not None:
        cases = Case.objects.filter(kind=CaseKind.KYB, company=company)
    elif investor is not None:
        cases = Case.objects.filter(kind=CaseKind.KYC, investor=investor)
    else:
        return None
    return cases.filter(status__in=OPEN_STATUSES).first() or cases.order_by("-opened_at", "-pk").first()


def _summary(party: Party, hit: dict[str, Any]) -> str:
    listed = f"{hit['name']} ({hit['program'] or 'no program given'}, list id {hit['list_id']})"
    if party.wallet_address:
        return f"Wallet {party.wallet_address} is listed for {listed} on the sanctions list"
    return f"{party.name} may be {listed} on the sanctions list: score {hit['score']}"


def alerts_for(*, party: Party, screening: Screening, parent: Case | None = None) -> list[Case]:
    """An alert case per list entry a party's screening matched (once per key while it is open)."""
    if screening.decision != Decision.POTENTIAL_MATCH:
        return []
    company, investor = party_subject(party.ref)
    parent = parent or _latest_case_of(company, investor)
    kind = AlertKind.WALLET_MATCH if party.wallet_address else AlertKind.SCREENING_MATCH
    screened = party.wallet_address or party.name
    version = screening.sanctions_list
    raised = []
    for hit in screening.hits:
        key = f"{kind}:{party.ref}:{hit['list_id']}"
        decided = Case.objects.filter(
            kind=CaseKind.ALERT, alert_key=key, status=CaseStatus.CLOSED, detail__screened=screened
        )
        if decided.exists():  # an officer already decided this very name against this entry
            continue
        detail = {
            "party_ref": party.ref,
            "subject": Subject.WALLET if party.wallet_address else Subject.PARTY,
            "screened": screened,
            "entity_type": "" if party.wallet_address else party.entity_type,
            "birth_year": party.birth_year,
            "country": party.country,
            "list_version": version.pk,
            "list_name": f"{version.source} {version.name}",
            "screening": screening.pk,
            "hit": hit,
            "hits": screening.hits,
        }
        raised.append(
            alert_raise(
                kind=kind,
                key=key,
                summary=_summary(party, hit),
                detail=detail,
                company=company,
                investor=investor,
                parent=parent,
            )
        )
    return raised


def _record(party: Party, version: SanctionsList, actor: Any) -> Screening:
    from compliance.screening.services import party_screening_create, screen_recorded_party

    decision, hits = screen_recorded_party(party, version)
    return party_screening_create(party=party, version=version, decision=decision, hits=hits, actor=actor)


@transaction.atomic
def screen_parties(*, parties: Iterable[Party], parent: Case | None, actor: Any = None) -> list[Screening]:
    """Screen and record each party against the latest list (nothing without one); alerts for matches."""
    version = SanctionsList.objects.order_by("-pk").first()
    if version is None:
        return []
    recorded = []
    for party in parties:
        screening = _record(party, version, actor)
        alerts_for(party=party, screening=screening, parent=parent)
        recorded.append(screening)
    return recorded


def screen_submission(
    *, subject: Company | InvestorProfile, case: Case, actor: Any = None
) -> list[Screening]:
    """Screen a company submitted for KYB or an investor submitted for KYC (called by the submission)."""
    return screen_parties(parties=_submitted_parties(subject), parent=case, actor=actor)


def screen_new_wallet(
    *, wallet: Wallet, owner: Company | InvestorProfile, case: Case | None, actor: Any = None
) -> list[Screening]:
    """Screen a company's or investor's wallet when it is created (at approval)."""
    return screen_parties(parties=[wallet_party(wallet, owner=owner)], parent=case, actor=actor)


def _submitted_parties(subject: Company | InvestorProfile) -> Iterator[Party]:
    if isinstance(subject, Company):
        return company_parties(subject)
    return investor_parties(subject)


def case_parties(case: Case) -> list[Party]:
    """The names (and wallet) a KYB or KYC case is screened on."""
    owner: Company | InvestorProfile | None = case.company if case.kind == CaseKind.KYB else case.investor
    if owner is None:
        return []
    parties = list(_submitted_parties(owner))
    if owner.wallet is not None:
        parties.append(wallet_party(owner.wallet, owner=owner))
    return parties


@dataclass(frozen=True)
class PartyResult:
    """The latest screening of one name of a case (None: not screened yet)."""

    party: Party
    version: SanctionsList | None
    hits: list[dict[str, Any]]


def _results(case: Case, parties: list[Party]) -> list[PartyResult]:
    """Each party's latest result: its newest screening row, or a later re-screening that found nothing."""
    rows = Screening.objects.filter(party_ref__in={p.ref for p in parties}).select_related("sanctions_list")
    newest: dict[tuple[str, str], Screening] = {}
    for screening in rows.order_by("sanctions_list_id", "pk"):
        newest[(screening.party_ref, screening.wallet_address or screening.name)] = screening
    run = (
        ScreeningRun.objects.filter(status=RunStatus.DONE, started_at__gte=case.opened_at)
        .select_related("sanctions_list")
        .order_by("-sanctions_list_id")
        .first()
    )
    results = []
    for party in parties:
        row = newest.get((party.ref, party.wallet_address or party.name))
        if run is not None and (row is None or run.sanctions_list_id > row.sanctions_list_id):
            results.append(PartyResult(party, run.sanctions_list, []))  # covered; a match would be a row
        elif row is not None:
            results.append(PartyResult(party, row.sanctions_list, row.hits))
        else:
            results.append(PartyResult(party, None, []))
    return results


def _party_alerts(case: Case) -> Any:
    party = Q(company=case.company) if case.kind == CaseKind.KYB else Q(investor=case.investor)
    return Case.objects.filter(party, kind=CaseKind.ALERT, alert_kind__in=SANCTIONS_ALERTS)


def _version_text(version: SanctionsList) -> str:
    return f"{version.source} {version.name} (imported {version.imported_at:%d %b %Y})"


def _hit_text(result: PartyResult, hit: dict[str, Any]) -> str:
    screened = result.party.wallet_address or result.party.name
    score = "" if result.party.wallet_address else f", score {hit['score']}"
    return f"{screened}: {hit['name']} (list id {hit['list_id']}, {hit['program'] or 'no program'}{score})"


@check(CaseKind.KYB, CaseKind.KYC)
def sanctions_screening(case: Case) -> Iterator[Check]:
    """What the case's names were screened against, and the potential matches with scores and programs."""
    name = "Sanctions screening"
    parties = case_parties(case)
    if not parties:
        return
    results = _results(case, parties)
    unscreened = [r for r in results if r.version is None]
    if unscreened:
        if not SanctionsList.objects.exists():
            yield Check(name, CheckStatus.ATTENTION, "No sanctions list imported: not screened")
        else:
            yield Check(
                name,
                CheckStatus.ATTENTION,
                f"{len(unscreened)} of {len(results)} names not screened yet (the re-screening runs after "
                "a list import)",
                [r.party.wallet_address or r.party.name for r in unscreened],
            )
        return
    versions = {r.version.pk: r.version for r in results if r.version is not None}
    latest = versions[max(versions)]
    matched = [r for r in results if r.hits]
    if not matched:
        clear = f"Clear against list version {_version_text(latest)}, {len(results)} names"
        yield Check(name, CheckStatus.PASSED, clear)
        return
    details = [_hit_text(r, hit) for r in matched for hit in r.hits]
    alerts = _party_alerts(case)
    if alerts.filter(outcome=Outcome.CONFIRMED).exists():
        blocked = "A sanctions match was confirmed: the party is blocked"
        yield Check(name, CheckStatus.FAILED, blocked, details)
    elif alerts.filter(status__in=OPEN_STATUSES).exists():
        yield Check(
            name,
            CheckStatus.ATTENTION,
            f"Potential matches against {_version_text(latest)}: {len(matched)} of {len(results)} names "
            "(see the alerts below)",
            details,
        )
    else:
        yield Check(
            name,
            CheckStatus.PASSED,
            f"Potential matches against {_version_text(latest)} cleared as other people or entities",
            details,
        )


@check(CaseKind.ALERT)
def screening_hit(case: Case) -> Iterator[Check]:
    """A sanctions alert shows what was screened and the entry it matched."""
    if case.alert_kind not in SANCTIONS_ALERTS or not case.detail.get("hit"):
        return
    detail = case.detail
    hit = detail["hit"]
    screened = detail.get("screened", "")
    about = [f"Screened: {screened}"]
    if detail.get("birth_year"):
        about.append(f"Born {detail['birth_year']}")
    if detail.get("country"):
        about.append(f"Country {detail['country']}")
    listed = f"Listed: {hit['name']} (list id {hit['list_id']}), program {hit['program'] or 'none given'}"
    score = f", score {hit['score']}" if "score" in hit else " (exact address)"
    yield Check(
        "Sanctions list entry",
        CheckStatus.ATTENTION,
        f"{listed}{score}, in {detail.get('list_name', 'the list')}",
        about,
    )


def approval_refusal(case: Case) -> str:
    """Why a KYB or KYC case cannot be approved on its screening, or ''."""
    if case.kind not in (CaseKind.KYB, CaseKind.KYC):
        return ""
    if _party_alerts(case).filter(outcome=Outcome.CONFIRMED).exists():
        return "A confirmed sanctions match blocks this party: it cannot be approved."
    if not settings.SANCTIONS_SCREENING_REQUIRED:
        return ""
    if not SanctionsList.objects.exists():
        return (
            "No sanctions list has been imported, so this party is not screened: import one "
            "(manage.py import_sanctions_list) before approving."
        )
    if any(r.version is None for r in _results(case, case_parties(case))):
        return "The sanctions screening of this party has not run yet: wait for the re-screening to finish."
    return ""
