"""The translation catalogs: every marked string translated in both Chinese catalogs, none fuzzy, and
the committed .mo files what the .po files compile to (`make lint` checks the same, less new strings)."""

from __future__ import annotations

from babel.messages.catalog import Catalog

from config import catalogs


def _catalog(**entries: str) -> Catalog:
    catalog = Catalog(locale="zh_Hant")
    for msgid, msgstr in entries.items():
        catalog.add(msgid, msgstr)
    return catalog


def test_the_committed_catalogs_are_complete_and_compiled():
    failures, missing = catalogs.check()
    assert failures == []
    assert missing == []


def test_a_string_marked_in_the_code_but_missing_from_a_catalog_is_reported():
    sources = _catalog(Subscribe="", Withdraw="")
    catalog = _catalog(Subscribe="認購")
    found = catalogs.problems(catalog, locale="zh_Hant", mo=catalogs.compiled(catalog), sources=sources)
    assert found.not_in_catalog == ["Withdraw"]


def test_an_untranslated_or_fuzzy_entry_fails_the_check():
    catalog = _catalog(Subscribe="認購", Withdraw="")
    catalog.add("Close", "截止", flags=("fuzzy",))
    found = catalogs.problems(catalog, locale="zh_Hant", mo=catalogs.compiled(catalog), sources=None)
    assert found.untranslated == ["Withdraw"]
    assert found.fuzzy == ["Close"]
    assert len(found.failures()) == 2


def test_a_stale_compiled_catalog_fails_the_check():
    catalog = _catalog(Subscribe="認購")
    stale = catalogs.compiled(_catalog(Subscribe="訂閱"))
    found = catalogs.problems(catalog, locale="zh_Hant", mo=stale, sources=None)
    assert found.stale_mo
    assert found.failures() == [
        "zh_Hant: django.mo differs from a fresh compile of django.po (run `make messages`)"
    ]


def test_a_translation_that_drops_a_placeholder_fails_the_check():
    catalog = Catalog(locale="zh_Hant")
    catalog.add("Only %(left)s units are left.", "只餘少量單位。", flags=("python-format",))
    found = catalogs.problems(catalog, locale="zh_Hant", mo=catalogs.compiled(catalog), sources=None)
    assert found.format_errors


def test_a_lone_percent_sign_in_a_formatted_translation_fails_the_check():
    # Django formats a blocktranslate's text with %: a lone % would drop the page back to English.
    catalog = Catalog(locale="zh_Hant")
    catalog.add("%(settled)s settled (%(pct)s%%)", "已結算 %(settled)s (%(pct)s%)")
    found = catalogs.problems(catalog, locale="zh_Hant", mo=catalogs.compiled(catalog), sources=None)
    assert found.format_errors
