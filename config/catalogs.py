"""The translation catalogs under `locale/`: extract, compile and check them with Babel alone.

    python -m config.catalogs extract   # update every locale's django.po from the code and templates
    python -m config.catalogs compile   # write each django.mo from its django.po
    python -m config.catalogs check     # fail on a fuzzy or untranslated entry, or a stale .mo

Django's `makemessages`/`compilemessages` need GNU gettext, which the project does not install;
this does the same with Babel (a dependency already): templates are turned into Python-like text by
Django's own `templatize` (what `makemessages` feeds to xgettext) and read by Babel's Python
extractor, so `{% translate %}`, `{% blocktranslate %}` and `_("…")` in tags are all found.

`check` also lists marked strings that no catalog has yet (new strings since the last `extract`) as
warnings, and fails on them with `--strict` (as `tests/test_catalogs.py` does in the full suite):
`make messages` adds them untranslated, and from then on the check fails until they are translated.
"""

from __future__ import annotations

import argparse
import io
import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_python
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
LOCALE_DIR = ROOT / "locale"
# Django's locale directory names (django.utils.translation.to_locale) of the languages in settings.
LOCALES = ("zh_Hant", "zh_Hans")
SOURCE_DIRS = ("accounts", "compliance", "config", "financing", "issuers", "tokens", "templates")
SKIPPED_PARTS = {"tests", "migrations", "management", "__pycache__", "drf_spectacular"}
KEYWORDS = {
    "_": None,
    "gettext": None,
    "gettext_lazy": None,
    "gettext_noop": None,
    "ngettext": (1, 2),
    "ngettext_lazy": (1, 2),
    "pgettext": ((1, "c"), 2),
    "pgettext_lazy": ((1, "c"), 2),
    "npgettext": ((1, "c"), 2, 3),
    "npgettext_lazy": ((1, "c"), 2, 3),
}
HEADER = "Translations of the platform's pages, forms, refusals and emails."


def _sources() -> Iterator[Path]:
    for top in SOURCE_DIRS:
        for path in sorted((ROOT / top).rglob("*")):
            if path.suffix not in {".py", ".html", ".txt"} or SKIPPED_PARTS & set(path.parts):
                continue
            if path.suffix != ".py" and top != "templates":
                continue
            yield path


def _python_text(path: Path) -> bytes:
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".py":
        return text.encode()
    from django.utils.translation.template import templatize

    # Python's tokenizer would read the blanked-out markup's indentation: drop it (line numbers stay).
    return "\n".join(line.lstrip() for line in templatize(text, origin=str(path)).split("\n")).encode()


def extract_messages(paths: Iterable[Path] | None = None) -> Catalog:
    """Every marked string of the code and the templates, with where it is used."""
    template = Catalog(project="platform", header_comment=f"# {HEADER}", fuzzy=False)
    for path in _sources() if paths is None else paths:
        relative = path.relative_to(ROOT).as_posix()
        found = extract_python(io.BytesIO(_python_text(path)), KEYWORDS, [], {"encoding": "utf-8"})
        for lineno, funcname, messages, _comments in found:
            if isinstance(messages, str | type(None)):
                messages = (messages,)
            context = None
            if str(funcname).startswith(("pgettext", "npgettext")):
                context, messages = messages[0], messages[1:]
            msgid = messages[0] if len(messages) == 1 else tuple(m for m in messages if m is not None)
            if not msgid:
                continue
            flags = ("python-format",) if path.suffix == ".py" and "%(" in str(msgid) else ()
            template.add(msgid, locations=[(relative, lineno)], context=context, flags=flags)
    return template


def _po_path(locale: str) -> Path:
    return LOCALE_DIR / locale / "LC_MESSAGES" / "django.po"


def _read(locale: str) -> Catalog:
    path = _po_path(locale)
    if not path.exists():
        return Catalog(locale=locale, project="platform", header_comment=f"# {HEADER}", fuzzy=False)
    with path.open("rb") as handle:
        return read_po(handle, locale=locale)


def _write_po(catalog: Catalog, locale: str) -> None:
    path = _po_path(locale)
    path.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    write_po(buffer, catalog, width=100, omit_header=False, ignore_obsolete=True, include_previous=False)
    path.write_bytes(buffer.getvalue())


def compiled(catalog: Catalog) -> bytes:
    """The .mo bytes of a catalog (no fuzzy entry is used)."""
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    return buffer.getvalue()


def extract() -> None:
    """Bring every locale's catalog up to date with the code: new strings come in untranslated."""
    template = extract_messages()
    for locale in LOCALES:
        catalog = _read(locale)
        catalog.update(template, no_fuzzy_matching=True, update_creation_date=False)
        catalog.fuzzy = False
        _write_po(catalog, locale)
        print(f"{locale}: {len(catalog)} messages, {len(_untranslated(catalog))} to translate")


def compile_all() -> None:
    for locale in LOCALES:
        catalog = _read(locale)
        (LOCALE_DIR / locale / "LC_MESSAGES" / "django.mo").write_bytes(compiled(catalog))


def _untranslated(catalog: Catalog) -> list[str]:
    missing = []
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple | list) else (message.string,)
        if not all(strings):
            missing.append(str(message.id))
    return missing


@dataclass
class Problems:
    locale: str
    fuzzy: list[str]
    untranslated: list[str]
    format_errors: list[str]
    stale_mo: bool
    not_in_catalog: list[str]

    def failures(self) -> list[str]:
        lines = [f"{self.locale}: fuzzy: {text!r}" for text in self.fuzzy]
        lines += [f"{self.locale}: untranslated: {text!r}" for text in self.untranslated]
        lines += [f"{self.locale}: {text}" for text in self.format_errors]
        if self.stale_mo:
            lines.append(
                f"{self.locale}: django.mo differs from a fresh compile of django.po (run `make messages`)"
            )
        return lines


_PLACEHOLDER = re.compile(r"%\([^)]+\)[sd]|%%|\{[a-z_]+(?::[^}]*)?\}")
_LONE_PERCENT = re.compile(r"%")


def _placeholder_errors(catalog: Catalog) -> list[str]:
    """Translations that drop or invent a placeholder (%(name)s, {name}), which would break or lose text."""
    errors = []
    for message in catalog:
        if not message.id or not message.string:
            continue
        ids = message.id if isinstance(message.id, tuple | list) else (message.id,)
        strings = message.string if isinstance(message.string, tuple | list) else (message.string,)
        wanted = set(_PLACEHOLDER.findall(ids[-1]))
        allowed = set().union(*(set(_PLACEHOLDER.findall(text)) for text in ids))
        formatted = any("%(" in text or "%%" in text for text in ids)
        for text in strings:
            found = set(_PLACEHOLDER.findall(text))
            if wanted - found or found - allowed:
                errors.append(f"{ids[0]!r}: placeholders {sorted(wanted)} become {sorted(found)}")
            elif formatted and _LONE_PERCENT.search(_PLACEHOLDER.sub("", text)):
                errors.append(f"{ids[0]!r}: a lone % in {text!r} (write %% in a formatted message)")
    return errors


def problems(catalog: Catalog, *, locale: str, mo: bytes | None, sources: Catalog | None) -> Problems:
    """What is wrong with one locale's catalog: fuzzy, untranslated, bad placeholders, a stale .mo,
    marked strings it lacks (`sources`, when given)."""
    fuzzy = [str(message.id) for message in catalog if message.id and message.fuzzy]
    format_errors = [f"{message.id!r}: {error}" for message, errors in catalog.check() for error in errors]
    format_errors += _placeholder_errors(catalog)
    not_in_catalog = []
    if sources is not None:
        not_in_catalog = [
            str(message.id)
            for message in sources
            if message.id and catalog.get(message.id, message.context) is None
        ]
    return Problems(
        locale=locale,
        fuzzy=fuzzy,
        untranslated=_untranslated(catalog),
        format_errors=format_errors,
        stale_mo=mo != compiled(catalog),
        not_in_catalog=not_in_catalog,
    )


def check() -> tuple[list[str], list[str]]:
    """(failures, marked strings no catalog has yet)."""
    template = extract_messages()
    failures, missing = [], []
    for locale in LOCALES:
        mo_path = LOCALE_DIR / locale / "LC_MESSAGES" / "django.mo"
        mo = mo_path.read_bytes() if mo_path.exists() else None
        found = problems(_read(locale), locale=locale, mo=mo, sources=template)
        failures += found.failures()
        missing += [
            f"{locale}: not in the catalog (run `make messages`): {text!r}" for text in found.not_in_catalog
        ]
    return failures, missing


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("action", choices=["extract", "compile", "check"])
    parser.add_argument(
        "--strict", action="store_true", help="also fail on marked strings no catalog has yet"
    )
    args = parser.parse_args(argv)
    if args.action == "extract":
        extract()
        compile_all()
        return 0
    if args.action == "compile":
        compile_all()
        return 0
    failures, missing = check()
    if args.strict:
        failures += missing
    else:
        for line in missing:
            print(f"warning: {line}", file=sys.stderr)
    for line in failures:
        print(line, file=sys.stderr)
    if failures:
        print(f"{len(failures)} catalog problem(s).", file=sys.stderr)
        return 1
    print("Catalogs complete: " + ", ".join(LOCALES))
    return 0


if __name__ == "__main__":
    import os

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    os.environ.setdefault("DATABASE_URL", "sqlite:///:memory:")
    import django

    django.setup()
    sys.exit(main())
