"""Names as the matcher compares them: transliterated, folded, tokenised, legal forms dropped (pure).

`name_tokens("BIN LADIN, Usama")` and `name_tokens("Усама бин Ладин")` give the same tokens in another
order; the matcher compares token sets, so word order never matters. Each token is folded to a
spelling key (kh -> h, c/q -> k, w -> v, y -> i, doubled letters once ...) so that the ordinary
variation of romanised names (Mohammed / Muhammad, Khalid / Chalid) costs little.
"""

from __future__ import annotations

import re
from functools import lru_cache

from anyascii import anyascii

# Chinese legal forms, removed before transliteration (longest first).
CJK_LEGAL_FORMS = (
    "股份有限公司",
    "有限责任公司",
    "有限責任公司",
    "有限公司",
    "股份公司",
    "公司",
)
# Legal-form and filler words carry no weight in a name (compared after folding, see `fold`).
LEGAL_FORM_WORDS = frozenset(
    [
        "ltd",
        "limited",
        "co",
        "company",
        "companies",
        "llc",
        "inc",
        "incorporated",
        "corp",
        "corporation",
        "plc",
        "llp",
        "lp",
        "gmbh",
        "ag",
        "kg",
        "sa",
        "sas",
        "sarl",
        "srl",
        "spa",
        "bv",
        "nv",
        "pte",
        "pty",
        "sdn",
        "bhd",
        "jsc",
        "ojsc",
        "pjsc",
        "cjsc",
        "ooo",
        "zao",
        "oao",
        "pao",
        "tov",
        "fze",
        "fzco",
        "fzc",
        "fz",
        "llc",
        "sirketi",
        "cv",
        "sapi",
        "anonim",
        "ticaret",
        "as",
        "kft",
        "sp",
        "zoo",
        "oy",
        "ab",
        "asa",
        "kk",
        "kabushiki",
        "kaisha",
        "the",
        "and",
        "of",
    ]
)
_CJK = re.compile(r"([\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff])")
_APOSTROPHES = re.compile(r"['\u2018\u2019`\u02bc\u02bb]")
_NOT_ALNUM = re.compile(r"[^a-z0-9]+")
_DOUBLES = re.compile(r"(.)\1+")
_FOLDS = (
    ("dzh", "j"),
    ("dj", "j"),
    ("c", "k"),
    ("q", "k"),
    ("kh", "h"),
    ("ph", "f"),
    ("w", "v"),
    ("x", "ks"),
    ("y", "i"),
    ("ou", "u"),
    ("oo", "u"),
    ("ee", "i"),
)


@lru_cache(maxsize=65536)
def fold(token: str) -> str:
    """The spelling key of one lower-case ASCII token."""
    for old, new in _FOLDS:
        token = token.replace(old, new)
    return _DOUBLES.sub(r"\1", token)


def transliterate(text: str) -> str:
    """Lower-case ASCII words of `text`: any script, diacritics dropped, punctuation as spaces."""
    for form in CJK_LEGAL_FORMS:
        text = text.replace(form, " ")
    text = _CJK.sub(r" \1 ", text)  # one syllable per Chinese character, as separate words
    text = anyascii(text).lower()
    text = _APOSTROPHES.sub("", text)
    return _NOT_ALNUM.sub(" ", text).strip()


def _join_initials(words: list[str]) -> list[str]:
    """Runs of single letters become one word: "S A de C V" -> "sa de cv", "J P Morgan" -> "jp morgan"."""
    joined: list[str] = []
    run = ""
    for word in words:
        if len(word) == 1 and word.isalpha():
            run += word
            continue
        if run:
            joined.append(run)
            run = ""
        joined.append(word)
    if run:
        joined.append(run)
    return joined


@lru_cache(maxsize=65536)
def name_tokens(text: str) -> tuple[str, ...]:
    """The folded tokens of a name in their written order, legal-form words left out."""
    tokens = [fold(word) for word in _join_initials(transliterate(text).split())]
    kept = tuple(token for token in tokens if token not in LEGAL_FORM_FOLDED)
    return kept or tuple(tokens)  # a name made only of legal-form words keeps them


LEGAL_FORM_FOLDED = frozenset(fold(word) for word in LEGAL_FORM_WORDS)
