"""Reading OFAC's SDN file (the list's own CSV layout, no header) into plain records (pure functions).

Columns: id, name, type (individual / vessel / aircraft / "-0-" for an entity), program, title,
call sign, vessel type, tonnage, GRT, vessel flag, vessel owner, remarks; "-0-" is an empty value.
The remarks carry the aliases ("a.k.a. '...'", also "f.k.a." and "n.k.a."), digital currency
addresses ("Digital Currency Address - ETH 0x...") and birth dates ("DOB 25 Mar 1977", "DOB circa
1951", "DOB 1960 to 1965").
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

EMPTY = "-0-"
ENTRY_TYPES = {"individual": "individual", "vessel": "vessel", "aircraft": "aircraft", "": "entity"}

_ALIAS = re.compile(r"\b[afn]\.k\.a\.,?\s+'([^']+)'")
_WALLET = re.compile(r"Digital Currency Address - ([A-Z0-9]+)\s+([A-Za-z0-9]+)")
_DOB = re.compile(r"\bDOB\s+([^;]*)")
_YEAR = re.compile(r"\b(1[89]\d\d|20\d\d)\b")
_YEAR_RANGE = re.compile(r"\b(1[89]\d\d|20\d\d)\s+to\s+(1[89]\d\d|20\d\d)\b")


@dataclass(frozen=True)
class SdnEntry:
    """One line of the list."""

    list_id: str
    name: str
    entry_type: str
    program: str
    remarks: str
    aliases: tuple[str, ...] = ()
    wallets: tuple[tuple[str, str], ...] = ()  # (currency, address)
    birth_years: tuple[int, ...] = field(default=())


def _value(text: str) -> str:
    text = text.strip()
    return "" if text == EMPTY else text


def birth_years(remarks: str) -> tuple[int, ...]:
    """Every birth year the remarks give (a range "1960 to 1965" gives each year in it)."""
    years: set[int] = set()
    for dob in _DOB.findall(remarks):
        for start, end in _YEAR_RANGE.findall(dob):
            years.update(range(int(start), int(end) + 1))
        years.update(int(year) for year in _YEAR.findall(dob))
    return tuple(sorted(years))


def parse_row(row: list[str]) -> SdnEntry | None:
    """One record from one CSV row; None for a row that is not an entry (the file's end-of-file mark)."""
    if len(row) < 12 or not row[0].strip().isdigit():
        return None
    remarks = _value(row[11])
    aliases = tuple(dict.fromkeys(alias.strip() for alias in _ALIAS.findall(remarks) if alias.strip()))
    return SdnEntry(
        list_id=row[0].strip(),
        name=_value(row[1]),
        entry_type=ENTRY_TYPES.get(_value(row[2]), "entity"),
        program=_value(row[3]),
        remarks=remarks,
        aliases=aliases,
        wallets=tuple(dict.fromkeys(_WALLET.findall(remarks))),
        birth_years=birth_years(remarks),
    )


def parse(content: bytes) -> Iterator[SdnEntry]:
    """Every entry of the file's bytes (UTF-8; older files are Latin-1)."""
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError:
        text = content.decode("latin-1")
    for row in csv.reader(io.StringIO(text)):
        entry = parse_row(row)
        if entry is not None:
            yield entry
