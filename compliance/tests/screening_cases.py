"""Screening cases built from the real list (variants of sampled entries) and ordinary GBA names.

Deterministic: every Nth entry of each kind, and names made combinatorially from fixed word lists
walked with a fixed stride, so a run always measures the same cases. Used by the quality test and by
`bench/screen.py`.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from compliance.screening.matcher import ScreeningIndex, list_entry
from compliance.screening.sdn import SdnEntry, parse

PROJECT = Path(__file__).resolve().parents[2]
SDN_FILE = Path("shared", "data", "sanctions", "ofac_sdn_2024-05-03.csv")


def sdn_file() -> Path:
    """The shipped OFAC list in the shared folder beside the project (`../shared/data/...`, or beside a
    folder above it, as for a work tree); fails loudly when it is missing."""
    for folder in PROJECT.parents:
        if (folder / SDN_FILE).is_file():
            return folder / SDN_FILE
    raise FileNotFoundError(
        f"The OFAC SDN file is missing: expected {PROJECT.parent / SDN_FILE} (the shared data folder beside "
        "the project's clone). The screening tests and bench measure against the real list and cannot run "
        "without it."
    )


def list_excerpt(folder: Path, name: str = "ofac_sdn_excerpt", extra: str = "") -> Path:
    """The real list's first 300 entries and a few known ones, in the list's own layout."""
    lines = sdn_file().read_text(encoding="utf-8").splitlines(keepends=True)
    wanted = ("6365,", "25308,", "27307,")
    chosen = lines[:300] + [line for line in lines[300:] if line.startswith(wanted)]
    path = folder / f"{name}.csv"
    path.write_text("".join(chosen) + extra, encoding="utf-8")
    return path


def sdn_entries() -> list[SdnEntry]:
    """Every entry of the shipped list."""
    return list(parse(sdn_file().read_bytes()))


def sdn_index(entries: list[SdnEntry]) -> ScreeningIndex:
    """The matching index of parsed entries (the service builds the same from the stored tokens)."""
    return ScreeningIndex(
        list_entry(
            list_id=e.list_id,
            name=e.name,
            entry_type=e.entry_type,
            program=e.program,
            birth_years=e.birth_years,
            aliases=e.aliases,
        )
        for e in entries
    )


@dataclass(frozen=True)
class Case:
    """One name to screen, and the entry it should find (None: an ordinary name that should find none)."""

    kind: str
    name: str
    entity_type: str
    expected_list_id: str | None = None
    birth_year: int | None = None


def _entity_type(entry: SdnEntry) -> str:
    return "individual" if entry.entry_type == "individual" else "organization"


def reorder(name: str) -> str | None:
    """ "BIN LADIN, Usama" -> "Usama BIN LADIN"; a name without a comma has its words reversed."""
    if "," in name:
        last, _, first = name.partition(",")
        return f"{first.strip()} {last.strip()}"
    words = name.split()
    return " ".join(reversed(words)) if len(words) > 1 else None


def recase(name: str) -> str:
    """Title case, the way a form usually receives it."""
    return name.title() if name != name.title() else name.lower()


def strip_punctuation(name: str, index: int) -> str | None:
    """Commas, full stops and apostrophes dropped; hyphens become spaces or vanish (alternately)."""
    if not any(mark in name for mark in ",.'-"):
        return None
    text = name.replace(",", " ").replace(".", "").replace("'", "")
    text = text.replace("-", " " if index % 2 else "")
    return " ".join(text.split())


ACCENTS = {"a": "á", "e": "é", "i": "í", "o": "ö", "u": "ü", "n": "ñ", "c": "ç", "s": "ş", "A": "Á", "E": "É",
           "I": "Î", "O": "Ø", "U": "Ú", "N": "Ñ", "C": "Ç", "S": "Š"}  # fmt: skip


def add_diacritics(name: str) -> str:
    """Every accentable letter accented, as a careless keyboard or a foreign register writes it."""
    return "".join(ACCENTS.get(char, char) for char in name)


# Latin to Cyrillic the way a Russian-language document writes a foreign name.
CYRILLIC_PAIRS = dict(zip(["sh", "ch", "zh", "kh", "ts", "ya", "yu"], "шчжхцяю", strict=True))
CYRILLIC = dict(zip("abcdefghijklmnopqrstuvwxyz", ["а", "б", "к", "д", "е", "ф", "г", "х", "и", "дж", "к", "л", "м", "н", "о", "п", "к", "р", "с", "т", "у", "в", "в", "кс", "й", "з"], strict=True))  # noqa: RUF001, E501  # fmt: skip


def to_cyrillic(name: str) -> str:
    """The name written in Cyrillic letters (the matcher's transliteration must bring it back)."""
    out, text, index = [], name.lower(), 0
    while index < len(text):
        pair = text[index : index + 2]
        if pair in CYRILLIC_PAIRS:
            out.append(CYRILLIC_PAIRS[pair])
            index += 2
            continue
        out.append(CYRILLIC.get(text[index], text[index]))
        index += 1
    return "".join(out).title()


def drop_middle_name(name: str) -> str | None:
    """ "KHAN, Abdul Qadeer" -> "Abdul KHAN": the first given name and the surname only."""
    if "," not in name:
        return None
    last, _, first = name.partition(",")
    given = first.split()
    if len(given) < 2:
        return None
    return f"{given[0]} {last.strip()}"


VARIANTS: dict[str, Callable[[SdnEntry, int], str | None]] = {
    "word order": lambda entry, index: reorder(entry.name),
    "case": lambda entry, index: recase(entry.name),
    "punctuation": lambda entry, index: strip_punctuation(entry.name, index),
    "diacritics": lambda entry, index: add_diacritics(entry.name),
    "transliteration": lambda entry, index: to_cyrillic(entry.name),
    "missing middle name": lambda entry, index: (
        drop_middle_name(entry.name) if entry.entry_type == "individual" else None
    ),
    "alias": lambda entry, index: entry.aliases[index % len(entry.aliases)] if entry.aliases else None,
}


def variant_cases(entries: list[SdnEntry], per_kind: int = 200) -> dict[str, list[Case]]:
    """For each variant kind, up to `per_kind` cases from every Nth eligible individual and entity."""
    screenable = [entry for entry in entries if entry.entry_type in ("individual", "entity")]
    cases: dict[str, list[Case]] = {}
    for kind, make in VARIANTS.items():
        eligible = []
        for index, entry in enumerate(screenable):
            name = make(entry, index)
            if (name and name != entry.name) or (name and kind in ("case", "diacritics")):
                eligible.append((index, entry, name))
        stride = max(1, len(eligible) // per_kind)
        cases[kind] = [
            Case(
                kind=kind,
                name=name,
                entity_type=_entity_type(entry),
                expected_list_id=entry.list_id,
                # half the individuals are screened with the birth year their record gives
                birth_year=entry.birth_years[0] if entry.birth_years and index % 2 else None,
            )
            for index, entry, name in eligible[::stride][:per_kind]
        ]
    return cases


def _words(text: str) -> list[str]:
    return text.split()


HK_SURNAMES = _words(
    "Chan Wong Lee Cheung Lau Ng Ho Leung Lam Tse Yip Tang Chow Kwok Mak Lai Fung Yeung Tsang Poon"
)
HK_GIVEN = [
    *("Tai Man", "Siu Ming", "Ka Wai", "Wing Yan", "Chi Keung", "Mei Ling", "Kwok Wing", "Hoi Yan"),
    *("Man Kit", "Suk Fan", "Yuk Lan", "Chun Hei", "Ka Ho", "Pui Shan", "Wai Lun", "Sze Wing"),
]
MAINLAND_SURNAMES = _words(
    "Wang Li Zhang Liu Chen Yang Huang Zhao Wu Zhou Xu Sun Ma Zhu Hu Guo He Lin Luo Gao"
)
MAINLAND_GIVEN = _words(
    "Xiaoming Jianguo Lihua Haiyan Zhiqiang Yuxuan Jing Xiuying "
    "Guohua Junjie Shufen Wenbo Yiting Zihan Chunmei Dehua"
)
ENGLISH_GIVEN = _words("Peter Mary David Grace Kenneth Winnie Alan Karen Eric Vivian Jason Cherry")
MACAO_NAMES = [
    *("Ho Iat Seng", "Chui Sai On", "Sou Pui Kei", "Leong Weng Chi", "Lei Wai Nong", "Cheang Kam Fai"),
    *("Maria da Silva", "Joao Manuel Rodrigues", "Ana Sofia Pereira", "Carlos Alberto Sousa"),
]
ZH_SURNAMES = list("陈王李张刘杨黄赵吴周徐孙马朱胡郭何林罗高")
ZH_GIVEN = _words("大文 小明 建国 丽华 海燕 志强 宇轩 静 秀英 国华 俊杰 淑芬")

PLACES = [
    *("Shenzhen", "Guangzhou", "Dongguan", "Foshan", "Zhuhai", "Hong Kong", "Macao", "Zhongshan"),
    *("Huizhou", "Jiangmen", "Zhaoqing", "Kowloon", "Pearl River", "Greater Bay", "Nansha", "Qianhai"),
]
BRANDS = [
    *("Huaxing", "Jinlong", "Tianyu", "Mingda", "Xinhe", "Hengtai", "Ruifeng", "Kaida", "Yuanxiang"),
    *("Harbourfront", "Lotus Bloom", "Silver Crane", "Bauhinia", "Red Kapok", "Lion Rock", "Peak View"),
    *("Sunrise", "Evergreen Bamboo", "Jade Garden", "Blue Lantern"),
]
INDUSTRIES = [
    *("Robotics", "Electronics", "Precision Machinery", "Biotech", "Logistics", "Textiles"),
    *("Optoelectronics", "Food Products", "Smart Home", "New Energy", "Semiconductor", "Packaging"),
    *("Medical Devices", "Software", "Furniture", "Ceramics", "Printing", "Auto Parts"),
    *("Trading", "International Trading", "Shipping", "Import and Export", "Petrochemical", "Energy"),
]
FORMS = [
    "Limited",
    "Co., Ltd.",
    "Company Limited",
    "Holdings Limited",
    "Technology Co., Ltd.",
    "Group Limited",
]
ZH_PLACES = _words("深圳市 广州市 东莞市 佛山市 珠海市 香港 澳门 中山市")
ZH_BRANDS = _words("华星 金龙 天宇 明达 新和 恒泰 瑞丰 凯达 远翔 百花")
ZH_INDUSTRIES = _words(
    "光电技术 电子科技 精密机械 生物科技 物流 纺织 智能家居 新能源 半导体 包装材料 贸易 国际贸易 航运"
)
ZH_FORMS = ["有限公司", "股份有限公司", "科技有限公司"]


def _walk(product: Iterator[tuple[str, ...]], count: int, stride: int) -> list[tuple[str, ...]]:
    items = list(product)
    return [items[(index * stride) % len(items)] for index in range(count)]


def ordinary_cases(people: int = 300, companies: int = 300) -> list[Case]:
    """Plausible Hong Kong, mainland and Macao person and company names, none of them on the list."""
    product = itertools.product
    persons: list[str] = []
    persons += [f"{s} {g}" for s, g in _walk(product(HK_SURNAMES, HK_GIVEN), people // 4, 7)]
    persons += [" ".join(p) for p in _walk(product(ENGLISH_GIVEN, HK_SURNAMES, HK_GIVEN), people // 6, 31)]
    persons += [f"{s} {g}" for s, g in _walk(product(MAINLAND_SURNAMES, MAINLAND_GIVEN), people // 4, 11)]
    persons += [f"{s}{g}" for s, g in _walk(product(ZH_SURNAMES, ZH_GIVEN), people // 6, 5)]
    persons += MACAO_NAMES
    firms: list[str] = []
    firms += [" ".join(p) for p in _walk(product(PLACES, BRANDS, INDUSTRIES, FORMS), companies // 2, 97)]
    firms += [" ".join(p) for p in _walk(product(BRANDS, INDUSTRIES, FORMS), companies // 4, 13)]
    firms += [
        "".join(p) for p in _walk(product(ZH_PLACES, ZH_BRANDS, ZH_INDUSTRIES, ZH_FORMS), companies // 4, 17)
    ]
    return [
        Case(kind="ordinary person", name=name, entity_type="individual", birth_year=1955 + index % 46)
        for index, name in enumerate(persons)
    ] + [Case(kind="ordinary company", name=name, entity_type="organization") for name in firms]
