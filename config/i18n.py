"""The three languages: which one a request or a user gets, and the Babel locale that formats for it.

English (`en`), Traditional Chinese (`zh-hant`, Hong Kong usage) and Simplified Chinese (`zh-hans`,
mainland usage). Django's LocaleMiddleware picks the language from the switcher's cookie, else the
browser (zh-HK, zh-MO, zh-TW -> zh-hant; zh-CN, zh-SG, zh -> zh-hans); `UserLanguageMiddleware`
(config/middleware.py) lets a signed-in user's stored choice win. Emails to a user are written in
that user's language (`in_language_of`).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from typing import Any

from babel.dates import format_date, format_skeleton, format_time
from django.conf import settings
from django.utils import dateformat, timezone, translation

# Money, numbers and dates are formatted with Babel in the conventions of where each language is read.
BABEL_LOCALES = {"en": "en_HK", "zh-hant": "zh_Hant_HK", "zh-hans": "zh_Hans_CN"}


def supported(code: str | None) -> str | None:
    """`code` if it is one of the platform's languages (any case), else None."""
    if not code:
        return None
    code = code.lower()
    return code if code in dict(settings.LANGUAGES) else None


def babel_locale(language: str | None = None) -> str:
    """The Babel locale of `language` (default: the active language)."""
    code = (language or translation.get_language() or settings.LANGUAGE_CODE).lower()
    if code in BABEL_LOCALES:
        return BABEL_LOCALES[code]
    try:
        code = translation.get_supported_language_variant(code)
    except LookupError:
        code = settings.LANGUAGE_CODE
    return BABEL_LOCALES.get(code, BABEL_LOCALES[settings.LANGUAGE_CODE])


def language_of(user: Any) -> str:
    """The language to write to `user` in: their stored choice, else the platform's default."""
    return supported(getattr(user, "language", None)) or settings.LANGUAGE_CODE


@contextmanager
def in_language_of(user: Any) -> Iterator[str]:
    """Render text (an email's subject and body) in `user`'s language."""
    language = language_of(user)
    with translation.override(language):
        yield language


# English keeps the platform's own short forms ("5 Sep 2026"; CLDR's Hong Kong English writes "Sept");
# Chinese uses CLDR's ("2026年9月5日").
ENGLISH_DATE_FORMATS = {"medium": "j M Y", "long": "j F Y", "month": "M Y", "daymonth": "j M"}
CHINESE_DATE_SKELETONS = {"month": "yMMM", "daymonth": "MMMd"}


def day_text(day: date | None, style: str = "medium", language: str | None = None) -> str:
    """A calendar day written the local way: "5 Dec 2026" (English), "2026年12月5日" (Chinese).

    `style`: "medium", "long" ("5 December 2026"), "month" ("Dec 2026") or "daymonth" ("5 Dec").
    """
    if day is None:
        return "—"
    locale = babel_locale(language)
    if locale.startswith("en"):
        return dateformat.format(day, ENGLISH_DATE_FORMATS.get(style, "j M Y"))
    if style in CHINESE_DATE_SKELETONS:
        return format_skeleton(CHINESE_DATE_SKELETONS[style], day, locale=locale)
    return format_date(day, format="long" if style == "long" else "medium", locale=locale)


def moment_text(moment: datetime | None, language: str | None = None) -> str:
    """A moment in the platform's time zone, written the local way, to the minute."""
    if moment is None:
        return "—"
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    locale = babel_locale(language)
    if locale.startswith("en"):
        return dateformat.format(moment, "j M Y, H:i")
    return (
        f"{day_text(moment.date(), language=language)} {format_time(moment, format='HH:mm', locale=locale)}"
    )
