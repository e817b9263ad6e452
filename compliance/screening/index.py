"""The screening index of the current list version, built once per process from the stored tokens."""

from __future__ import annotations

import threading
from collections import defaultdict

from compliance.screening.matcher import ListEntry, ScreeningIndex
from compliance.screening.models import SanctionsEntry, SanctionsList, SanctionsName

_lock = threading.Lock()
_cache: dict[int, ScreeningIndex] = {}


def _build(sanctions_list: SanctionsList) -> ScreeningIndex:
    names: dict[int, list[tuple[str, ...]]] = defaultdict(list)
    for entry_id, tokens in (
        SanctionsName.objects.filter(entry__sanctions_list=sanctions_list)
        .order_by("entry_id", "is_alias", "pk")
        .values_list("entry_id", "tokens")
        .iterator(chunk_size=5000)
    ):
        names[entry_id].append(tuple(tokens.split()))
    entries = (
        SanctionsEntry.objects.filter(sanctions_list=sanctions_list)
        .order_by("pk")
        .values_list("pk", "list_id", "name", "entry_type", "program", "birth_years")
        .iterator(chunk_size=5000)
    )
    return ScreeningIndex(
        ListEntry(
            list_id=list_id,
            name=name,
            entry_type=entry_type,
            program=program,
            birth_years=tuple(birth_years),
            names=tuple(names[pk]),
        )
        for pk, list_id, name, entry_type, program, birth_years in entries
    )


def screening_index(sanctions_list: SanctionsList) -> ScreeningIndex:
    """The index of a list version; the process keeps the one last asked for (versions never change)."""
    index = _cache.get(sanctions_list.pk)
    if index is None:
        with _lock:
            index = _cache.get(sanctions_list.pk)
            if index is None:
                index = _build(sanctions_list)
                _cache.clear()
                _cache[sanctions_list.pk] = index
    return index


def forget() -> None:
    """Drop the cached index (tests that roll a list version back reuse its primary key)."""
    _cache.clear()
