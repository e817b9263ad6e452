"""Markup that assistive technology relies on, on the main pages of every role (the server's HTML; axe-core
in a browser checks the rest: contrast, focus and layout).

Every `aria-describedby` / `aria-labelledby` / `aria-controls` names ids that exist on the page (fields
announce their help and errors), no table has an empty column header, and each page has its landmarks.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from django.test import Client
from django.urls import reverse

from accounts.choices import Role
from issuers.tests.factories import CompanyFactory
from tests import flows

ID_REFERENCES = ("aria-describedby", "aria-labelledby", "aria-controls")


class _Markup(HTMLParser):
    """Ids, id references, table headers' text and landmark elements of one page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.references: list[tuple[str, str, str]] = []
        self.headers: list[str] = []
        self.landmarks: list[str] = []
        self.lang: str | None = None
        self._in_th = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "html":
            self.lang = values.get("lang")
        if values.get("id"):
            self.ids.add(str(values["id"]))
        for name in ID_REFERENCES:
            for ref in (values.get(name) or "").split():
                self.references.append((tag, name, ref))
        if tag in ("header", "nav", "main", "footer"):
            self.landmarks.append(tag)
        if tag == "th":
            self._in_th += 1
            self.headers.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "th":
            self._in_th -= 1

    def handle_data(self, data: str) -> None:
        if self._in_th:
            self.headers[-1] += data


def check_markup(html: str, where: str) -> None:
    markup = _Markup()
    markup.feed(html)
    dangling = [f"{tag}[{name}={ref}]" for tag, name, ref in markup.references if ref not in markup.ids]
    assert dangling == [], f"{where}: references to ids that do not exist: {dangling}"
    assert all(text.strip() for text in markup.headers), f"{where}: an empty table header"
    assert markup.landmarks.count("main") == 1, where
    assert "header" in markup.landmarks, where
    assert markup.lang, f"{where}: <html> without lang"


def _client(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def test_every_main_page_of_every_role_has_working_references_headers_and_landmarks(platform):
    world = flows.world()
    own = world.own
    pages = {
        "anonymous": ["home", "accounts:login", "accounts:signup"],
        "sme": [
            "issuers:dashboard",
            "issuers:company_edit",
            "financing:application_new",
            "accounts:profile",
            ("financing:application_detail", own.draft.pk),
            ("financing:offering_detail", own.offering.pk),
        ],
        "investor": [
            "financing:investor_dashboard",
            "financing:offering_list",
            "financing:investor_kyc",
            "financing:transfers",
            ("financing:offering_detail", own.offering.pk),
        ],
        "officer": [
            "compliance:queue",
            "compliance:audit",
            "financing:offering_manage",
            "tokens:operations",
            "compliance:licences:register",
            "tokens:travel_rule",
            ("financing:offering_detail", world.other.offering.pk),
        ],
        "approver": ["compliance:queue"],
        "operator": ["tokens:chain_status", "tokens:payment_tokens", "financing:offering_manage"],
    }
    for role, names in pages.items():
        client = _client(world.users[role])
        for name in names:
            url = reverse(name[0], args=name[1:]) if isinstance(name, tuple) else reverse(name)
            page = client.get(url)
            assert page.status_code == 200, (role, url, page.status_code)
            check_markup(page.content.decode(), f"{role} {url}")
    for step in ("profile", "people", "documents", "review"):
        url = reverse("issuers:company_kyb") + f"?step={step}"
        check_markup(_client(world.users["sme"]).get(url).content.decode(), url)


@pytest.mark.parametrize("step", ["profile", "people", "documents", "review"])
def test_each_step_of_an_editable_kyb_file_has_working_references(client, db, step):
    company = CompanyFactory()
    client.force_login(company.representative)
    page = client.get(reverse("issuers:company_kyb") + f"?step={step}")
    check_markup(page.content.decode(), step)


def test_a_field_names_its_help_and_after_a_refusal_its_errors(client, db):
    company = CompanyFactory()
    client.force_login(company.representative)

    form = client.get(reverse("issuers:company_edit")).content.decode()
    (registration,) = re.findall(r'<input[^>]*name="registration_number"[^>]*>', form)
    assert 'aria-describedby="id_registration_number_help"' in registration
    assert 'id="id_registration_number_help"' in form
    (revenue,) = re.findall(
        r'<input[^>]*name="annual_revenue"[^>]*>', client.get(reverse("issuers:company_kyb")).content.decode()
    )
    assert "aria-describedby" not in revenue  # no help text and no error: nothing to announce

    refused = client.post(reverse("issuers:company_edit"), {"legal_name_en": "", "jurisdiction": "HK"})
    html = refused.content.decode()
    assert refused.status_code == 400
    (registration,) = re.findall(r'<input[^>]*name="registration_number"[^>]*>', html)
    assert 'aria-describedby="id_registration_number_help id_registration_number_errors"' in registration
    assert 'id="id_registration_number_errors"' in html
    check_markup(html, "refused company details")


def test_an_error_page_has_its_landmarks(client, db):
    client.force_login(CompanyFactory().representative)
    check_markup(client.get("/no-such-page/").content.decode(), "404")
    client.force_login(flows.UserFactory(role=Role.INVESTOR))
    check_markup(client.get(reverse("issuers:dashboard")).content.decode(), "403")
