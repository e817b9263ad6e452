"""The in-memory index one list version is screened against, and the scoring (pure: no database).

Blocking: every name (an entry's own and its aliases) is posted under each of its tokens and each
concatenation of two neighbouring tokens ("binladin"); a query looks up its tokens exactly and, for
tokens of four letters or more, fuzzily among the vocabulary's tokens of a similar length (rapidfuzz),
and only the names that share the most weight with it are scored.

Scoring: the query's tokens and a name's tokens are aligned one to one, best pairs first (rapidfuzz
ratio of the spelling keys, 80 or more to count); each token weighs by how rare it is in the list
(inverse document frequency), so "Mohammad" or "Trading" count for less than a surname. The score
(0-100) is 60% how much of the query the name explains and 40% how much of the name the query
explains: a missing middle name costs a little, an unexplained extra word in the query costs more.
A known birth year more than a year away from every year the list gives drops an individual's hit.
"""

from __future__ import annotations

import heapq
import itertools
import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz, process

from compliance.screening.normalise import name_tokens

INDIVIDUAL = "individual"
ORGANIZATION = "organization"
# Which list entry types a query of each kind is compared with.
GROUPS = {INDIVIDUAL: ("individual",), ORGANIZATION: ("entity",)}

TOKEN_MATCH = 80  # rapidfuzz ratio at which two tokens count as the same word
FUZZY_MIN_LENGTH = 4  # shorter tokens are looked up exactly only
CANDIDATES = 40  # names scored per query
COMMON_TOKEN_NAMES = 1500  # a token posted on more names is not used to find candidates (only to score)
BIRTH_YEAR_TOLERANCE = 1
QUERY_SHARE = 0.75
JOINED_MATCH = 0.95  # whole-string similarity that counts on its own


@dataclass(frozen=True)
class ListEntry:
    """What the index keeps of one list entry."""

    list_id: str
    name: str
    entry_type: str
    program: str
    birth_years: tuple[int, ...]
    names: tuple[tuple[str, ...], ...]  # the tokens of the entry's name and of each alias


@dataclass(frozen=True)
class Match:
    """One entry a query matched, with its best-matching name's score."""

    entry: ListEntry
    score: int


class _Group:
    """The names of one kind of entry, posted by token."""

    def __init__(self, entries: Sequence[ListEntry]) -> None:
        self.entries = list(entries)
        self.names: list[tuple[int, tuple[str, ...]]] = []
        self.postings: dict[str, list[int]] = defaultdict(list)
        self.joined_postings: dict[str, list[int]] = defaultdict(list)  # two neighbouring tokens as one
        document_frequency: dict[str, int] = defaultdict(int)
        for entry_index, entry in enumerate(self.entries):
            for tokens in entry.names:
                if not tokens:
                    continue
                name_index = len(self.names)
                self.names.append((entry_index, tokens))
                for key in set(tokens):
                    self.postings[key].append(name_index)
                for key in {a + b for a, b in itertools.pairwise(tokens)} - set(tokens):
                    self.joined_postings[key].append(name_index)
            for token in {token for tokens in entry.names for token in tokens}:
                document_frequency[token] += 1
        total = max(len(self.entries), 1)
        self.weights = {
            token: max(0.15, math.log((total + 1) / (count + 1)) / math.log(total + 1))
            for token, count in document_frequency.items()
        }
        self.by_length: dict[int, list[str]] = defaultdict(list)
        for token in self.postings:
            self.by_length[len(token)].append(token)
        self.similar = lru_cache(maxsize=32768)(self._similar)

    def weight(self, token: str) -> float:
        """How much a token says: 1.0 for a word the list does not know, less the more names share it."""
        return self.weights.get(token, 1.0)

    def _similar(self, token: str) -> tuple[tuple[str, float], ...]:
        """Vocabulary tokens that count as `token` (itself first), with their similarity 0-1."""
        found: dict[str, float] = {}
        if token in self.postings:
            found[token] = 1.0
        if len(token) >= FUZZY_MIN_LENGTH:
            # ratio >= 80 needs |len a - len b| <= (len a + len b) / 5
            low, high = math.ceil(len(token) * 2 / 3), math.floor(len(token) * 3 / 2)
            for length in range(low, high + 1):
                bucket = self.by_length.get(length)
                if not bucket:
                    continue
                for other, score, _ in process.extract(
                    token, bucket, scorer=fuzz.ratio, score_cutoff=TOKEN_MATCH, limit=None
                ):
                    found.setdefault(other, score / 100)
        return tuple(found.items())

    def candidates(self, tokens: tuple[str, ...]) -> list[int]:
        """The names most worth scoring for a query's tokens: the most weight shared, each query word once."""
        joined = {a + b for a, b in itertools.pairwise(tokens)}
        lookups: list[list[tuple[list[int], float]]] = []
        for token in set(tokens):
            found = [
                (self.postings[key], similarity * self.weight(key)) for key, similarity in self.similar(token)
            ]
            if token in self.joined_postings:  # "binladin" asked, "BIN LADIN" listed
                found.append((self.joined_postings[token], self.weight(token)))
            lookups.append(found)
        for token in joined & self.postings.keys():  # "bin ladin" asked, "BINLADIN" listed
            lookups.append([(self.postings[token], self.weight(token))])
        common = [all(len(names) > COMMON_TOKEN_NAMES for names, _ in found) for found in lookups]
        votes: dict[int, float] = defaultdict(float)
        for found, is_common in zip(lookups, common, strict=True):
            if is_common and not all(common):  # a common word finds candidates only when nothing else does
                continue
            best: dict[int, float] = {}
            for names, gain in found:
                for name_index in names:
                    if gain > best.get(name_index, 0.0):
                        best[name_index] = gain
            for name_index, gain in best.items():
                votes[name_index] += gain
        return heapq.nlargest(CANDIDATES, votes, key=votes.__getitem__)

    def score(self, query: tuple[str, ...], name: tuple[str, ...]) -> float:
        """0-100: how well a name's tokens and the query's explain each other (see the module)."""
        query, name = _merge_split_words(query, set(name)), _merge_split_words(name, set(query))
        pairs = sorted(
            (
                (fuzz.ratio(q, n) / 100, i, j)
                for i, q in enumerate(query)
                for j, n in enumerate(name)
                if abs(len(q) - len(n)) * 5 <= len(q) + len(n) or q == n
            ),
            reverse=True,
        )
        query_weight = [self.weight(q) for q in query]
        name_weight = [self.weight(n) for n in name]
        used_query: set[int] = set()
        used_name: set[int] = set()
        explained = 0.0
        for similarity, i, j in pairs:
            if similarity * 100 < TOKEN_MATCH:
                break
            if i in used_query or j in used_name:
                continue
            used_query.add(i)
            used_name.add(j)
            query_weight[i] = name_weight[j]  # a matched word weighs what the list says it weighs
            explained += similarity * name_weight[j]
        query_share = explained / sum(query_weight)
        name_share = explained / sum(name_weight)
        aligned = QUERY_SHARE * query_share + (1 - QUERY_SHARE) * name_share
        # Words run together or split differently ("AL-RAHMAN" / "ALRAHMAN"): compare the whole strings.
        # Only a near-identical run of letters counts: a shared suffix must not outweigh a different name.
        joined = fuzz.ratio("".join(query), "".join(name)) / 100
        return 100 * max(aligned, joined if joined >= JOINED_MATCH else 0)


def _merge_split_words(tokens: tuple[str, ...], other: set[str]) -> tuple[str, ...]:
    """Neighbouring tokens joined where the other side writes them as one word ("shen zhen" / "shenzhen")."""
    if len(tokens) < 2:
        return tokens
    merged: list[str] = []
    index = 0
    while index < len(tokens):
        if index + 1 < len(tokens) and tokens[index] + tokens[index + 1] in other:
            merged.append(tokens[index] + tokens[index + 1])
            index += 2
        else:
            merged.append(tokens[index])
            index += 1
    return tuple(merged)


class ScreeningIndex:
    """One list version's entries, ready to screen names against."""

    def __init__(self, entries: Iterable[ListEntry]) -> None:
        entries = list(entries)
        self.size = len(entries)
        self.groups = {
            kind: _Group([entry for entry in entries if entry.entry_type in types])
            for kind, types in GROUPS.items()
        }

    def search(
        self, name: str, *, entity_type: str, birth_year: int | None = None, threshold: int
    ) -> list[Match]:
        """The entries whose best name scores `threshold` or more, best first."""
        group = self.groups[entity_type]
        query = name_tokens(name)
        if not query:
            return []
        best: dict[int, float] = {}
        for name_index in group.candidates(query):
            entry_index, tokens = group.names[name_index]
            score = group.score(query, tokens)
            if score >= threshold and score > best.get(entry_index, 0):
                best[entry_index] = score
        matches = []
        for entry_index, score in best.items():
            entry = group.entries[entry_index]
            if (
                birth_year is not None
                and entry.birth_years
                and not any(abs(year - birth_year) <= BIRTH_YEAR_TOLERANCE for year in entry.birth_years)
            ):
                continue
            matches.append(Match(entry=entry, score=round(score)))
        return sorted(matches, key=lambda match: (-match.score, match.entry.list_id))


def list_entry(
    *,
    list_id: str,
    name: str,
    entry_type: str,
    program: str,
    birth_years: Iterable[int],
    aliases: Iterable[str],
) -> ListEntry:
    """A `ListEntry` from an entry's fields, its names tokenised."""
    names = tuple(dict.fromkeys(tokens for tokens in map(name_tokens, [name, *aliases]) if tokens))
    return ListEntry(
        list_id=list_id,
        name=name,
        entry_type=entry_type,
        program=program,
        birth_years=tuple(birth_years),
        names=names,
    )
