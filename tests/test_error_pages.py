"""Branded error pages (400, 403, 404, 500 and an expired form), the demo without Django's debug pages,
and the API docs: served from the project's own files and titled with the product's name."""

from __future__ import annotations

import importlib
import re

import pytest
from django.conf import settings
from django.test import Client, RequestFactory
from django.urls import reverse

from accounts.choices import Role
from accounts.tests.factories import PASSWORD, UserFactory
from config import views
from tests.test_production import INLINE_CODE, POLICY, policy_of

PRODUCT = "Bay Area Capital Connect"
DEBUG_PAGE = re.compile(r"Django|Traceback|URLconf|Using the URLconf|DEBUG = True", re.IGNORECASE)


def test_the_demo_settings_turn_debug_pages_off(monkeypatch):
    monkeypatch.delenv("DJANGO_DEBUG", raising=False)
    from config.settings import dev

    dev = importlib.reload(dev)
    assert dev.DEBUG is False
    assert {"127.0.0.1", "localhost"} <= set(dev.ALLOWED_HOSTS)
    # Static files are still served with DEBUG off: by WhiteNoise, from the apps' folders.
    assert "whitenoise.middleware.WhiteNoiseMiddleware" in dev.MIDDLEWARE
    assert dev.WHITENOISE_USE_FINDERS is True


def test_an_unknown_address_shows_the_branded_404_page(client, db):
    client.force_login(UserFactory(role=Role.INVESTOR))
    page = client.get("/no-such-page/")

    assert page.status_code == 404
    html = page.content.decode()
    assert PRODUCT in html
    assert "We could not find that page" in html
    assert 'class="nav"' in html  # inside the product's frame, with the navigation
    assert not DEBUG_PAGE.search(html)
    assert policy_of(page) == POLICY


def test_an_unknown_object_shows_the_branded_404_page_not_its_model_name(client, db):
    client.force_login(UserFactory(role=Role.INVESTOR))
    page = client.get(reverse("financing:offering_detail", args=[987654]))
    assert page.status_code == 404
    html = page.content.decode()
    assert "We could not find that page" in html
    assert "matches the given query" not in html


def test_a_page_of_another_role_shows_the_branded_403_page_with_the_reason(client, db):
    client.force_login(UserFactory(role=Role.INVESTOR))
    page = client.get(reverse("issuers:dashboard"))

    assert page.status_code == 403
    html = page.content.decode()
    assert PRODUCT in html
    assert "This page is not available to you" in html
    assert "not available to your role" in html
    assert not DEBUG_PAGE.search(html)


def test_an_unknown_api_address_answers_json_not_a_page(client, db):
    answer = client.get("/api/v1/no-such-endpoint/")
    assert answer.status_code == 404
    assert answer.json() == {"detail": "Not found."}


def test_a_bad_host_gets_the_branded_400_page(client, db):
    page = Client().get("/", HTTP_HOST="attacker.example")
    assert page.status_code == 400
    html = page.content.decode()
    assert PRODUCT in html
    assert "We could not read that request" in html


def test_an_expired_form_gets_the_branded_csrf_page(db):
    user = UserFactory(role=Role.INVESTOR)
    page = Client(enforce_csrf_checks=True).post(
        reverse("accounts:login"), {"email": user.email, "password": PASSWORD}
    )
    assert page.status_code == 403
    html = page.content.decode()
    assert "This form has expired" in html
    assert PRODUCT in html
    assert not DEBUG_PAGE.search(html)


# No `db` fixture: any database query in these would fail the test. Django renders 400 and 500 without a
# request context, so these pages must stand alone.
def test_the_500_page_renders_without_the_database_or_a_request_context():
    answer = views.server_error(RequestFactory().get("/company/"))
    assert answer.status_code == 500
    html = answer.content.decode()
    assert PRODUCT in html
    assert "Something went wrong on our side" in html
    assert "Request id" in html
    assert INLINE_CODE.findall(html) == []


def test_the_400_page_renders_without_the_database_or_a_request_context():
    answer = views.bad_request(RequestFactory().get("/company/"), ValueError("bad"))
    assert answer.status_code == 400
    assert "We could not read that request" in answer.content.decode()


def test_every_error_template_holds_no_inline_code():
    root = settings.BASE_DIR / "templates"
    for name in ("400.html", "403.html", "403_csrf.html", "404.html", "500.html", "errors/standalone.html"):
        assert INLINE_CODE.findall((root / name).read_text()) == [], name


# --- API docs ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["api-docs", "api-redoc"])
def test_the_api_docs_are_titled_with_the_product_and_reference_only_local_assets(client, db, name):
    page = client.get(reverse(name))
    html = page.content.decode()

    assert page.status_code == 200
    assert f"<title>{PRODUCT} API</title>" in html
    assert INLINE_CODE.findall(html) == []
    assert "//" not in " ".join(re.findall(r"\b(?:src|href|spec-url)=\"([^\"]+)\"", html))
    assets = re.findall(r"<(?:script|link)\b[^>]*\b(?:src|href)=\"([^\"]+)\"", html)
    assert assets
    for url in assets:
        assert url.startswith("/"), url
        assert client.get(url).status_code == 200, url
    assert client.get(reverse("api-schema")).status_code == 200


def test_the_schema_is_titled_with_the_product(client, db):
    schema = client.get(reverse("api-schema") + "?format=json").json()
    assert schema["info"]["title"] == f"{PRODUCT} API"
