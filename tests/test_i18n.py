"""Three languages: chosen from the browser, switched on any page, remembered per user, used in emails;
money, numbers and dates written the local way; dates typed day-month-year."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.conf import settings
from django.core import mail
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation

from accounts.models import User
from accounts.services import user_confirmation_resend
from accounts.tests.factories import PASSWORD, UserFactory
from config import form_fields

LOGIN = reverse("accounts:login")


def _page(client, path: str = LOGIN, **headers: str) -> str:
    answer = client.get(path, **headers)
    assert answer.status_code == 200
    return answer.content.decode()


@pytest.mark.parametrize(
    ("accept", "lang", "heading"),
    [
        ("zh-HK,zh;q=0.9,en;q=0.8", "zh-hant", "歡迎回來"),
        ("zh-MO", "zh-hant", "歡迎回來"),
        ("zh-TW", "zh-hant", "歡迎回來"),
        ("zh-Hant-HK", "zh-hant", "歡迎回來"),
        ("zh-CN,zh;q=0.9", "zh-hans", "欢迎回来"),
        ("zh-SG", "zh-hans", "欢迎回来"),
        ("zh", "zh-hans", "欢迎回来"),
        ("en-GB,en;q=0.9", "en", "Welcome back"),
        ("fr-FR", "en", "Welcome back"),
    ],
)
def test_the_browser_language_chooses_the_page_language(client, db, accept, lang, heading):
    page = _page(client, HTTP_ACCEPT_LANGUAGE=accept)
    assert f'<html lang="{lang}">' in page
    assert f"<h1>{heading}</h1>" in page


def test_a_hong_kong_browser_reads_the_landing_page_in_traditional_chinese(client, db):
    page = _page(client, reverse("home"), HTTP_ACCEPT_LANGUAGE="zh-HK")
    assert "大灣區中小企代幣化融資" in page
    assert "發售只供專業投資者參與" in page
    assert "Tokenized financing" not in page


def test_a_mainland_browser_reads_simplified_chinese(client, db):
    page = _page(client, reverse("home"), HTTP_ACCEPT_LANGUAGE="zh-CN")
    assert "大湾区中小企业代币化融资" in page
    assert "發售" not in page


def test_every_page_offers_the_three_languages_in_their_own_names(client, db):
    page = _page(client, HTTP_ACCEPT_LANGUAGE="zh-HK")
    assert f'action="{reverse("accounts:language")}"' in page
    for code, name in (("en", "English"), ("zh-hant", "繁體中文"), ("zh-hans", "简体中文")):
        assert f'value="{code}"' in page
        assert name in page
    assert 'value="zh-hant" lang="zh-hant" class="langs__option" aria-current="true"' in page


def test_the_switcher_sets_the_language_cookie_and_returns_to_the_page(client, db):
    answer = client.post(reverse("accounts:language"), {"language": "zh-hant", "next": "/accounts/signup/"})
    assert answer.status_code == 302
    assert answer.url == "/accounts/signup/"
    assert answer.cookies[settings.LANGUAGE_COOKIE_NAME].value == "zh-hant"
    # The cookie wins over the browser from then on.
    page = _page(client, "/accounts/signup/", HTTP_ACCEPT_LANGUAGE="en-US")
    assert '<html lang="zh-hant">' in page
    assert "建立您的帳戶" in page


def test_the_switcher_never_sends_anyone_off_site(client, db):
    answer = client.post(reverse("accounts:language"), {"language": "en", "next": "https://evil.example/"})
    assert answer.url == reverse("home")


def test_a_signed_in_users_switch_is_stored_on_the_account(client, db):
    user = UserFactory()
    client.force_login(user)
    client.post(reverse("accounts:language"), {"language": "zh-hans", "next": LOGIN})
    user.refresh_from_db()
    assert user.language == "zh-hans"


def test_an_unknown_language_is_refused_and_changes_nothing(client, db):
    user = UserFactory(language="zh-hant")
    client.force_login(user)
    answer = client.post(reverse("accounts:language"), {"language": "klingon", "next": LOGIN})
    assert answer.status_code == 400
    assert "請選擇提供的其中一種語言" in answer.content.decode()
    assert settings.LANGUAGE_COOKIE_NAME not in answer.cookies
    user.refresh_from_db()
    assert user.language == "zh-hant"


def test_a_signed_in_users_stored_language_wins_over_cookie_and_browser(client, db):
    user = UserFactory(language="zh-hans")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(user)
    page = _page(client, reverse("accounts:profile"), HTTP_ACCEPT_LANGUAGE="zh-HK")
    assert '<html lang="zh-hans">' in page
    assert "您的账户" in page


def test_the_language_is_applied_at_log_in(client, db):
    user = UserFactory(language="zh-hant")
    answer = client.post(LOGIN, {"email": user.email, "password": PASSWORD}, follow=True)
    assert '<html lang="zh-hant">' in answer.content.decode()


def test_a_refusal_is_given_in_the_pages_language(client, db):
    UserFactory(email="mei@example.hk")
    answer = client.post(
        LOGIN, {"email": "mei@example.hk", "password": "wrong-password-1"}, HTTP_ACCEPT_LANGUAGE="zh-HK"
    )
    assert answer.status_code == 400
    assert "電郵或密碼錯誤。" in answer.content.decode()


def test_sign_up_remembers_the_pages_language_and_emails_in_it(
    client, db, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("accounts:signup"),
            {
                "role": "investor",
                "full_name": "Li Wei",
                "email": "li@example.cn",
                "password": "a-long-pass-phrase-1",
                "password_confirm": "a-long-pass-phrase-1",
            },
            HTTP_ACCEPT_LANGUAGE="zh-CN",
        )
    assert User.objects.get(email="li@example.cn").language == "zh-hans"
    (email,) = mail.outbox
    assert email.subject == "确认您的邮箱地址"
    assert "请点击此链接确认地址并登录" in email.body
    assert "Follow this link" not in email.body


def test_an_email_is_written_in_its_recipients_language_whatever_the_senders(
    db, django_capture_on_commit_callbacks
):
    UserFactory(email="chan@example.hk", language="zh-hant", email_confirmed_at=None)
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        user_confirmation_resend(email="chan@example.hk", site_url="https://platform.example/")
    (email,) = mail.outbox
    assert email.subject == "確認您的電郵地址"
    assert "連結只在限定時間內有效" in email.body


def _render(text: str, **context: object) -> str:
    return Template("{% load money %}" + text).render(Context(context))


@pytest.mark.parametrize(
    ("language", "money", "day", "long_day"),
    [
        ("en", "HK$1,234,567.50", "5 Dec 2026", "5 December 2026"),
        ("zh-hant", "HK$1,234,567.50", "2026年12月5日", "2026年12月5日"),
        ("zh-hans", "HK$1,234,567.50", "2026年12月5日", "2026年12月5日"),
    ],
)
def test_money_and_dates_are_written_the_local_way(language, money, day, long_day):
    values = {"amount": Decimal("1234567.5"), "when": dt.date(2026, 12, 5)}
    with translation.override(language):
        assert _render("{{ amount|money }}", **values) == money
        assert _render("{{ when|day }}", **values) == day
        assert _render('{{ when|day:"long" }}', **values) == long_day


def test_a_moment_is_shown_in_hong_kong_time_the_local_way():
    moment = dt.datetime(2026, 12, 5, 6, 30, tzinfo=dt.UTC)  # 14:30 in Hong Kong
    with translation.override("en"):
        assert _render("{{ when|moment }}", when=moment) == "5 Dec 2026, 14:30"
    with translation.override("zh-hant"):
        assert _render("{{ when|moment }}", when=moment) == "2026年12月5日 14:30"


def test_renminbi_is_written_the_mainland_way_for_simplified_chinese():
    with translation.override("zh-hans"):
        assert _render('{{ amount|money:"CNY" }}', amount=Decimal("88.8")) == "¥88.80"
    with translation.override("en"):
        assert _render('{{ amount|money:"CNY" }}', amount=Decimal("88.8")) == "CN¥88.80"


class _DayForm(form_fields.forms.Form):
    when = form_fields.DateField()


@pytest.mark.parametrize("typed", ["31/12/2026", "2026-12-31", "31-12-2026", "31.12.2026"])
def test_dates_are_typed_day_month_year(typed):
    form = _DayForm({"when": typed})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["when"] == dt.date(2026, 12, 31)


def test_a_month_day_year_date_is_not_read_as_day_month_year():
    form = _DayForm({"when": "12/31/2026"})
    assert not form.is_valid()


def test_a_date_input_shows_day_month_year_and_says_so():
    with translation.override("en"):
        html = str(_DayForm(initial={"when": dt.date(2026, 1, 2)})["when"])
    assert 'type="text"' in html
    assert 'value="02/01/2026"' in html
    assert 'placeholder="DD/MM/YYYY"' in html
    with translation.override("zh-hant"):
        assert 'placeholder="日/月/年"' in str(_DayForm()["when"])
