"""Sanctions screening: importing a list version, screening names and wallets, re-screening everyone.

`screen_party` and `screen_wallet` only read: they answer against the latest imported version and
record nothing (the KYB/KYC flows call them and keep the result with their case).
`screening_record` screens and records who asked what and what it answered (the API uses it).
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from compliance.audit import audit_record, status_transition
from compliance.screening import sdn
from compliance.screening.choices import RUN_TRANSITIONS, Decision, PartyType, RunStatus, Subject
from compliance.screening.index import screening_index
from compliance.screening.models import (
    SanctionsEntry,
    SanctionsList,
    SanctionsName,
    SanctionsWallet,
    Screening,
    ScreeningRun,
)
from compliance.screening.normalise import name_tokens
from compliance.screening.parties import Party, PartySource, party_source
from config.errors import Conflict, ValidationFailed
from config.tasks import enqueue_on_commit

logger = logging.getLogger(__name__)

PROGRESS_EVERY = 100  # parties between two progress writes of a re-screening run


@dataclass(frozen=True)
class Hit:
    """One list entry a name matched."""

    list_id: str
    name: str
    score: int
    program: str


@dataclass(frozen=True)
class ScreeningResult:
    """What a screening answered, against which list version."""

    list_version: SanctionsList
    hits: list[Hit]
    decision: str

    def hits_data(self) -> list[dict[str, Any]]:
        return [hit.__dict__ for hit in self.hits]


@dataclass(frozen=True)
class WalletHit:
    """One list entry that lists the address."""

    list_id: str
    name: str
    program: str
    currency: str
    address: str


@dataclass(frozen=True)
class WalletScreeningResult:
    list_version: SanctionsList
    hits: list[WalletHit]
    decision: str

    def hits_data(self) -> list[dict[str, Any]]:
        return [hit.__dict__ for hit in self.hits]


SHIPPED_LIST = Path("shared", "data", "sanctions", "ofac_sdn_2024-05-03.csv")


def shipped_list_file() -> Path | None:
    """The list file the demo imports: SANCTIONS_DEMO_LIST_FILE, else the OFAC file in the shared data
    folder beside the project (or beside a folder above it); None when there is none."""
    if settings.SANCTIONS_DEMO_LIST_FILE:
        given = Path(settings.SANCTIONS_DEMO_LIST_FILE)
        return given if given.is_file() else None
    for folder in Path(settings.BASE_DIR).resolve().parents:
        if (folder / SHIPPED_LIST).is_file():
            return folder / SHIPPED_LIST
    return None


def current_list() -> SanctionsList:
    """The latest imported list version; a refusal when none has been imported."""
    latest = SanctionsList.objects.order_by("-pk").first()
    if latest is None:
        raise Conflict(
            gettext("No sanctions list has been imported yet: run `manage.py import_sanctions_list` first."),
            code="NoSanctionsList",
        )
    return latest


@transaction.atomic
def sanctions_list_import(
    *, path: Path | str, actor: Any = None, rescreen: bool = True
) -> tuple[SanctionsList, bool]:
    """Import an OFAC SDN file as a new list version; the same file again changes nothing (False)."""
    path = Path(path)
    content = path.read_bytes()
    digest = hashlib.sha256(content).hexdigest()
    existing = SanctionsList.objects.filter(sha256=digest).first()
    if existing is not None:
        return existing, False
    entries = list(sdn.parse(content))
    if not entries:
        raise ValidationFailed(
            gettext("%(name)s holds no list entries in the SDN layout.") % {"name": path.name}
        )
    version = SanctionsList.objects.create(
        name=path.stem,
        sha256=digest,
        imported_at=timezone.now(),
        imported_by=actor if getattr(actor, "pk", None) else None,
        entry_count=len(entries),
        alias_count=sum(len(entry.aliases) for entry in entries),
        wallet_count=sum(len(entry.wallets) for entry in entries),
    )
    rows = SanctionsEntry.objects.bulk_create(
        [
            SanctionsEntry(
                sanctions_list=version,
                list_id=entry.list_id,
                name=entry.name,
                entry_type=entry.entry_type,
                program=entry.program,
                birth_years=list(entry.birth_years),
                remarks=entry.remarks,
            )
            for entry in entries
        ],
        batch_size=2000,
    )
    names, wallets = [], []
    for row, entry in zip(rows, entries, strict=True):
        for position, name in enumerate([entry.name, *entry.aliases]):
            names.append(
                SanctionsName(entry=row, name=name, is_alias=position > 0, tokens=" ".join(name_tokens(name)))
            )
        wallets += [
            SanctionsWallet(
                sanctions_list=version,
                entry=row,
                currency=currency,
                address=address,
                address_key=address.lower(),
            )
            for currency, address in entry.wallets
        ]
    SanctionsName.objects.bulk_create(names, batch_size=5000)
    SanctionsWallet.objects.bulk_create(wallets, batch_size=2000)
    audit_record(
        actor=actor,
        action="sanctions_list:imported",
        obj=version,
        data={"name": version.name, "sha256": digest, "entries": version.entry_count},
    )
    if rescreen:
        sanctions_rescreen_start(sanctions_list=version, actor=actor)
    return version, True


def screen_party(
    *, name: str, entity_type: str, birth_year: int | None = None, country: str | None = None
) -> ScreeningResult:
    """Screen a name against the latest list version: its hits (best first) and the decision.

    `entity_type` is "individual" or "organization"; a birth year narrows individuals (an entry
    whose known birth years are all more than a year away is not a hit). `country` is recorded by
    `screening_record`, not used for matching (the list's nationalities are too sparse to exclude on).
    """
    return _screen_name(current_list(), name=name, entity_type=entity_type, birth_year=birth_year)


def _screen_name(
    version: SanctionsList, *, name: str, entity_type: str, birth_year: int | None
) -> ScreeningResult:
    if entity_type not in PartyType.values:
        choose = f"Choose one of: {', '.join(PartyType.values)}."
        raise ValidationFailed(
            gettext("Unknown entity_type %(entity_type)s. %(choose)s")
            % {"entity_type": repr(entity_type), "choose": choose},
            fields={"entity_type": choose},
        )
    matches = screening_index(version).search(
        name,
        entity_type=entity_type,
        birth_year=birth_year if entity_type == PartyType.INDIVIDUAL else None,
        threshold=settings.SANCTIONS_MATCH_THRESHOLD,
    )
    hits = [
        Hit(
            list_id=match.entry.list_id, name=match.entry.name, score=match.score, program=match.entry.program
        )
        for match in matches
    ]
    return ScreeningResult(
        list_version=version, hits=hits, decision=Decision.POTENTIAL_MATCH if hits else Decision.CLEAR
    )


def screen_wallet(address: str) -> WalletScreeningResult:
    """Screen a wallet address against the latest list version's digital currency addresses (exact)."""
    return _screen_wallet(current_list(), address)


def _screen_wallet(version: SanctionsList, address: str) -> WalletScreeningResult:
    key = address.strip().lower()
    rows = (
        SanctionsWallet.objects.filter(sanctions_list=version, address_key=key)
        .select_related("entry")
        .order_by("entry__list_id", "pk")
        if key
        else SanctionsWallet.objects.none()
    )
    hits = [
        WalletHit(
            list_id=row.entry.list_id,
            name=row.entry.name,
            program=row.entry.program,
            currency=row.currency,
            address=row.address,
        )
        for row in rows
    ]
    return WalletScreeningResult(
        list_version=version, hits=hits, decision=Decision.POTENTIAL_MATCH if hits else Decision.CLEAR
    )


def _check_name(name: str) -> None:
    if not name_tokens(name):
        raise ValidationFailed(fields={"name": gettext("Give a name with at least one letter or digit.")})


@transaction.atomic
def screening_record(
    *,
    actor: Any,
    name: str,
    entity_type: str,
    birth_year: int | None = None,
    country: str | None = None,
) -> tuple[Screening, ScreeningResult]:
    """Screen a name and record who asked, what, against which version and what it answered (audited)."""
    _check_name(name)
    result = screen_party(name=name, entity_type=entity_type, birth_year=birth_year, country=country)
    screening = Screening.objects.create(
        actor=actor,
        sanctions_list=result.list_version,
        subject=Subject.PARTY,
        name=name,
        entity_type=entity_type,
        birth_year=birth_year,
        country=country or "",
        decision=result.decision,
        hits=result.hits_data(),
    )
    audit_record(
        actor=actor,
        action="screening:" + result.decision,
        obj=screening,
        data={"list": result.list_version.pk, "hits": [hit.list_id for hit in result.hits]},
    )
    return screening, result


def sanctions_rescreen_start(*, sanctions_list: SanctionsList, actor: Any = None) -> ScreeningRun:
    """Queue re-screening every party against a list version (Celery, after commit)."""
    from compliance.tasks import sanctions_rescreen  # the tasks module imports this one

    run = ScreeningRun.objects.create(sanctions_list=sanctions_list)
    audit_record(actor=actor, action="screening_run:queued", obj=run, data={"list": sanctions_list.pk})
    enqueue_on_commit(sanctions_rescreen, list_version_id=sanctions_list.pk)
    return run


def screen_recorded_party(party: Party, version: SanctionsList) -> tuple[str, list[dict[str, Any]]]:
    """A party's decision and hits against a list version (a wallet exactly, a name by the matcher)."""
    if party.wallet_address:
        wallet = _screen_wallet(version, party.wallet_address)
        return wallet.decision, wallet.hits_data()
    if not name_tokens(party.name):
        return Decision.CLEAR, []
    result = _screen_name(
        version, name=party.name, entity_type=party.entity_type, birth_year=party.birth_year
    )
    return result.decision, result.hits_data()


def party_screening_create(
    *,
    party: Party,
    version: SanctionsList,
    decision: str,
    hits: list[dict[str, Any]],
    run: ScreeningRun | None = None,
    actor: Any = None,
) -> Screening:
    """Record one party's screening (by a submission, or a re-screening's potential match)."""
    return Screening.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        sanctions_list=version,
        run=run,
        party_ref=party.ref,
        subject=Subject.WALLET if party.wallet_address else Subject.PARTY,
        name=party.name,
        entity_type="" if party.wallet_address else party.entity_type,
        birth_year=party.birth_year,
        country=party.country,
        wallet_address=party.wallet_address,
        decision=decision,
        hits=hits,
    )


def sanctions_rescreen(*, list_version_id: int, source: PartySource | None = None) -> ScreeningRun | None:
    """Screen every party of `source` against a list version, recording progress and each potential match.

    Safe to run twice: a finished run is left alone; an interrupted one starts its parties again
    (its recorded matches are replaced; their alerts are raised once per key). A run whose version is
    no longer the latest is superseded. Each potential match of a known party becomes an alert case
    (`alerts.alerts_for`) under the party's latest KYB or KYC case.
    """
    from compliance.screening.alerts import alerts_for  # the alerts module imports this one

    version = SanctionsList.objects.get(pk=list_version_id)
    with transaction.atomic():
        run = (
            ScreeningRun.objects.select_for_update()
            .filter(sanctions_list=version)
            .exclude(status__in=[RunStatus.DONE, RunStatus.SUPERSEDED])
            .order_by("pk")
            .first()
        )
        if run is None:
            return ScreeningRun.objects.filter(sanctions_list=version).order_by("-pk").first()
        if SanctionsList.objects.filter(pk__gt=version.pk).exists():
            logger.info("Re-screening against list %s skipped: a newer version exists.", version.pk)
            status_transition(run, to=RunStatus.SUPERSEDED, transitions=RUN_TRANSITIONS, actor=None)
            return run
        parties = list((source or party_source())())
        Screening.objects.filter(run=run).delete()
        status_transition(
            run,
            to=RunStatus.RUNNING,
            transitions=RUN_TRANSITIONS,
            actor=None,
            extra={"total": len(parties), "done": 0, "hits": 0, "started_at": timezone.now(), "error": ""},
        )
    done = hits = 0
    try:
        for start in range(0, len(parties), PROGRESS_EVERY):
            with transaction.atomic():
                for party in parties[start : start + PROGRESS_EVERY]:
                    decision, found = screen_recorded_party(party, version)
                    done += 1
                    if decision == Decision.POTENTIAL_MATCH:
                        hits += 1
                        screening = party_screening_create(
                            party=party, version=version, decision=decision, hits=found, run=run
                        )
                        alerts_for(party=party, screening=screening)
                ScreeningRun.objects.filter(pk=run.pk).update(done=done, hits=hits)
    except Exception as exc:
        run.refresh_from_db()
        status_transition(
            run, to=RunStatus.FAILED, transitions=RUN_TRANSITIONS, actor=None, reason=str(exc)[:2000],
            extra={"error": repr(exc)[:2000]},
        )  # fmt: skip
        raise
    run.refresh_from_db()
    status_transition(
        run,
        to=RunStatus.DONE,
        transitions=RUN_TRANSITIONS,
        actor=None,
        data={"total": run.total, "hits": hits},
        extra={"finished_at": timezone.now()},
    )
    return run
