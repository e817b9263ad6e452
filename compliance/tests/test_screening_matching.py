"""Matching names against the real OFAC list: the pure parts, and the quality figures on cases built from it.

The quality test prints its figures (`pytest -s` shows them; they are also in the assertion messages).
"""

from __future__ import annotations

import pytest

from compliance.screening import sdn
from compliance.screening.matcher import ScreeningIndex
from compliance.screening.normalise import name_tokens, transliterate
from compliance.tests import screening_cases
from compliance.tests.screening_cases import Case, ordinary_cases, sdn_entries, sdn_index, variant_cases

THRESHOLD = 85  # the default of SANCTIONS_MATCH_THRESHOLD


@pytest.fixture(scope="module")
def entries() -> list[sdn.SdnEntry]:
    return sdn_entries()


@pytest.fixture(scope="module")
def index(entries) -> ScreeningIndex:
    return sdn_index(entries)


def found(index: ScreeningIndex, case: Case) -> list[str]:
    return [
        match.entry.list_id
        for match in index.search(
            case.name, entity_type=case.entity_type, birth_year=case.birth_year, threshold=THRESHOLD
        )
    ]


def test_word_order_case_punctuation_scripts_and_diacritics_give_the_same_tokens():
    expected = sorted(name_tokens("BIN LADIN, Usama"))
    for variant in ["Usama bin Ladin", "usama BIN-LADIN", "Усама бин Ладин", "Úsâma bîn Lädin"]:
        assert sorted(name_tokens(variant)) == expected, variant


def test_legal_form_words_carry_no_weight_in_any_script():
    assert name_tokens("Pearl River Robotics Co., Ltd.") == name_tokens("Pearl River Robotics Limited")
    assert name_tokens("Pearl River Robotics Company LLC") == name_tokens("PEARL RIVER ROBOTICS")
    assert name_tokens("深圳市华星光电技术有限公司") == name_tokens("深圳市华星光电技术股份有限公司")
    assert transliterate("深圳市华星有限公司") == "shen zhen shi hua xing"
    assert name_tokens("Limited") == ("limited",)  # a name of legal-form words only keeps them


def test_the_parser_reads_aliases_wallets_and_birth_years_from_the_remarks():
    row = [
        *("25308", "YAN, Xiaobing", "individual", "SDNTK"),
        *["-0- "] * 7,
        "DOB 25 Mar 1977; alt. DOB 1960 to 1961; Digital Currency Address - XBT 12QtD5BFw; "
        "alt. Digital Currency Address - ETH 0xAbC123; a.k.a. 'YAN, Xiao Bing'; f.k.a. 'XB'.",
    ]  # fmt: skip
    entry = sdn.parse_row(row)
    assert entry is not None
    assert entry.entry_type == "individual"
    assert entry.aliases == ("YAN, Xiao Bing", "XB")
    assert entry.wallets == (("XBT", "12QtD5BFw"), ("ETH", "0xAbC123"))
    assert entry.birth_years == (1960, 1961, 1977)
    entity = sdn.parse_row(["36", "AEROCARIBBEAN AIRLINES", "-0- ", "CUBA", *["-0- "] * 8])
    assert entity is not None
    assert entity.entry_type == "entity"
    assert entity.remarks == ""
    assert sdn.parse_row(["\x1a"]) is None  # the file's end-of-file mark


def test_the_shipped_list_parses_whole(entries):
    assert len(entries) == 14965
    assert len({entry.list_id for entry in entries}) == len(entries)
    assert sum(len(entry.aliases) for entry in entries) > 3500
    assert sum(1 for entry in entries for currency, _ in entry.wallets if currency == "ETH") == 49


def test_the_brief_examples(index):
    usama = found(index, Case("example", "Usama bin Ladin", "individual"))
    assert "6365" in usama, usama  # BIN LADIN, Usama bin Muhammad bin Awad
    assert found(index, Case("example", "Pearl River Robotics Limited", "organization")) == []
    assert found(index, Case("example", "Chan Tai Man", "individual", birth_year=1980)) == []
    assert found(index, Case("example", "深圳市华星光电技术有限公司", "organization")) == []


def test_a_birth_year_far_from_the_listed_one_drops_the_hit_and_a_near_one_keeps_it(index, entries):
    entry = next(e for e in entries if e.name == "YAN, Xiaobing")
    assert entry.birth_years == (1977,)
    for year, kept in [(1976, True), (1977, True), (1978, True), (1975, False), (1990, False), (None, True)]:
        assert (
            entry.list_id in found(index, Case("dob", "Xiaobing Yan", "individual", birth_year=year))
        ) is kept


def test_individuals_and_organizations_are_kept_apart(index):
    assert "6365" not in found(index, Case("kind", "Usama bin Ladin", "organization"))
    assert "306" in found(index, Case("kind", "Banco Nacional de Cuba", "organization"))
    assert "306" not in found(index, Case("kind", "Banco Nacional de Cuba", "individual"))


def test_quality_on_cases_built_from_the_real_list(index, entries):
    figures = {}
    for kind, cases in variant_cases(entries).items():
        hits = sum(case.expected_list_id in found(index, case) for case in cases)
        figures[kind] = (hits, len(cases))
    ordinary = ordinary_cases()
    flagged = [case.name for case in ordinary if found(index, case)]
    report = "; ".join(
        f"{kind}: {hits}/{total} = {hits / total:.1%}" for kind, (hits, total) in figures.items()
    )
    report += (
        f"; ordinary GBA names flagged: {len(flagged)}/{len(ordinary)} = {len(flagged) / len(ordinary):.1%}"
    )
    print(f"\nScreening quality at threshold {THRESHOLD}: {report}")
    for kind, (hits, total) in figures.items():
        assert total >= 150, f"{kind}: only {total} cases were built"
        assert hits / total >= 0.95, f"{kind} found too few: {report}"
    assert len(ordinary) >= 500
    assert len(flagged) / len(ordinary) <= 0.02, f"too many ordinary names flagged ({flagged[:10]}): {report}"


def test_a_missing_list_file_fails_loudly(monkeypatch, tmp_path):
    monkeypatch.setattr(screening_cases, "PROJECT", tmp_path / "project")
    with pytest.raises(FileNotFoundError, match="OFAC SDN file is missing"):
        screening_cases.sdn_file()
