"""The production stack: the image's static files, the compose file, the Content-Security-Policy on every
page, API docs served by the project, private answers never cached, and sessions that end."""

import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.choices import Role
from accounts.tests.factories import PASSWORD, UserFactory
from compliance.cases.services import case_open
from config.middleware import POLL_HEADER, SESSION_ACTIVE_KEY, SESSION_STARTED_KEY
from financing.choices import ApplicationStatus
from financing.tests.test_views import bond_application, offering_of
from issuers.models import Document
from issuers.tests.factories import CompanyFactory
from issuers.tests.test_views import PDF

ROOT = Path(__file__).resolve().parent.parent
needs_compose = pytest.mark.skipif(
    shutil.which("docker-compose") is None, reason="docker-compose not installed"
)


# --- the image and the compose file ----------------------------------------------------------------


def test_the_images_collectstatic_runs_with_production_settings(tmp_path):
    # The Dockerfile and this test run the one script, so a build that would fail here fails here first.
    assert re.search(r"^RUN bin/collectstatic\b", (ROOT / "Dockerfile").read_text(), re.MULTILINE)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "WALLET_"))}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env['PATH']}"
    env["STATIC_ROOT"] = str(tmp_path)

    result = subprocess.run(
        [str(ROOT / "bin" / "collectstatic")], env=env, capture_output=True, text=True, timeout=300
    )

    assert result.returncode == 0, result.stderr[-3000:]
    manifest = json.loads((tmp_path / "staticfiles.json").read_text())["paths"]
    assert {"vendor/chart.umd.min.js", "vendor/htmx.min.js", "js/app.js", "css/api-docs.css"} <= set(manifest)
    assert "drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in manifest


@needs_compose
def test_the_compose_file_validates():
    result = subprocess.run(
        ["make", "-s", "compose-check"], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr


@needs_compose
def test_compose_refuses_to_start_without_the_secrets():
    env = {
        k: v
        for k, v in os.environ.items()
        if k
        not in {
            "DJANGO_SECRET_KEY",
            "PLATFORM_WALLET_KEYS",
            "CUSTOMER_WALLET_KEYS",
            "AUDIT_HMAC_KEY",
            "POSTGRES_PASSWORD",
        }
    }
    result = subprocess.run(
        ["docker-compose", "--env-file", ".env.example", "-f", "docker-compose.yml", "config", "-q"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "in .env" in result.stderr


# --- Content-Security-Policy -------------------------------------------------------------------------

POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "frame-ancestors": "'none'",
    "form-action": "'self'",
}
# What such a policy refuses (or what loads from another origin), as it appears in a template or a page.
INLINE_CODE = re.compile(
    r"<script\b(?![^>]*\bsrc=)[^>]*>|<style\b|\sstyle\s*=|\son[a-z]+\s*=\s*[\"']|\shx-on|javascript:"
    r"|<(?:script|link|img|iframe)\b[^>]*\b(?:src|href)\s*=\s*[\"'](?:https?:)?//",
    re.IGNORECASE,
)


def policy_of(response) -> dict[str, str]:
    header = response["Content-Security-Policy"]
    return dict(part.strip().split(" ", 1) for part in header.split(";"))


def test_no_template_holds_inline_code_or_a_third_party_origin():
    offenders = {
        str(path.relative_to(ROOT)): INLINE_CODE.findall(path.read_text())
        for path in (ROOT / "templates").rglob("*.html")
    }
    assert {path: found for path, found in offenders.items() if found} == {}


def test_pages_that_poll_mark_their_requests_as_background():
    for path in (ROOT / "templates").rglob("*.html"):
        for tag in re.findall(r"<[^<>]*hx-trigger=\"every [^<>]*>", path.read_text()):
            assert f'"{POLL_HEADER}": "true"' in tag, path


def test_every_page_of_every_role_has_the_policy_and_no_inline_code(client, db):
    offering = offering_of()
    company = offering.application.company
    submitted = bond_application(company, ApplicationStatus.SUBMITTED)
    case = case_open(subject=bond_application(company, ApplicationStatus.SUBMITTED))
    pages = {
        None: [reverse("accounts:login"), reverse("accounts:signup")],
        company.representative: [
            reverse("issuers:dashboard"),
            reverse("issuers:company_kyb"),
            reverse("financing:application_new"),
            reverse("financing:application_detail", args=[submitted.pk]),
            reverse("financing:offering_detail", args=[offering.pk]),
        ],
        UserFactory(role=Role.INVESTOR): [
            reverse("financing:investor_dashboard"),
            reverse("financing:offering_list"),
            reverse("financing:offering_detail", args=[offering.pk]),
        ],
        UserFactory(role=Role.OFFICER): [
            reverse("compliance:queue"),
            reverse("compliance:audit"),
            reverse("compliance:application_review", args=[submitted.pk]),
            reverse("compliance:case", args=[case.pk]),
            reverse("financing:offering_manage"),
        ],
        UserFactory(role=Role.OPERATOR): [reverse("tokens:chain_status"), reverse("accounts:profile")],
    }
    for user, urls in pages.items():
        client.logout()
        if user:
            client.force_login(user)
        for url in urls:
            page = client.get(url)
            assert page.status_code == 200, url
            assert policy_of(page) == POLICY, url
            assert INLINE_CODE.findall(page.content.decode()) == [], url


def test_api_answers_carry_the_policy_too(client, db):
    client.force_login(UserFactory(role=Role.INVESTOR))
    assert policy_of(client.get(reverse("api-me"))) == POLICY


# --- API docs ----------------------------------------------------------------------------------------


def test_the_api_docs_load_from_the_projects_static_files_only(client, db):
    page = client.get(reverse("api-docs"))
    html = page.content.decode()

    assert page.status_code == 200
    assert INLINE_CODE.findall(html) == []
    assets = re.findall(r"<(?:script|link)\b[^>]*\b(?:src|href)=\"([^\"]+)\"", html)
    # Everything from /static/ except the start-up script, which the docs view itself serves.
    assert [url for url in assets if not url.startswith("/static/")] == [reverse("api-docs") + "?script="]
    for url in assets:
        assert client.get(url).status_code == 200, url
    # Swagger UI's stylesheet draws icons as data: images; nothing else is loosened.
    assert policy_of(page) == {**POLICY, "img-src": "'self' data:"}


def test_the_api_docs_are_for_staff_only_unless_public(client, db, settings):
    settings.API_DOCS_PUBLIC = False
    for url in (reverse("api-docs"), reverse("api-schema")):
        assert client.get(url).status_code == 403, url
        for role in Role:
            client.force_login(UserFactory(role=role))
            expected = 200 if role in (Role.OFFICER, Role.APPROVER, Role.OPERATOR) else 403
            assert client.get(url).status_code == expected, (url, role)
            client.logout()


# --- private answers are never cached -----------------------------------------------------------------


def assert_never_cached(response):
    assert "no-store" in response["Cache-Control"], response.get("Cache-Control")
    assert response["Pragma"] == "no-cache"


def test_signed_in_pages_api_answers_and_document_downloads_are_never_cached(client, db):
    company = CompanyFactory()
    client.force_login(company.representative)
    upload = SimpleUploadedFile("articles.pdf", PDF, content_type="application/pdf")
    assert (
        client.post(reverse("issuers:document_upload"), {"kind": "articles", "file": upload}).status_code
        == 302
    )
    document = Document.objects.get(company=company)

    for url in (
        reverse("issuers:dashboard"),
        reverse("api-me"),
        reverse("issuers:document_download", args=[document.pk]),
    ):
        assert_never_cached(client.get(url))


def test_logging_in_and_out_is_never_cached_and_public_pages_may_be(client, db):
    user = UserFactory(role=Role.INVESTOR)
    assert "Pragma" not in client.get(reverse("api-docs"))

    logged_in = client.post(reverse("accounts:login"), {"email": user.email, "password": PASSWORD})
    assert logged_in.status_code == 302
    assert_never_cached(logged_in)
    assert_never_cached(client.post(reverse("accounts:logout")))


def test_static_files_keep_their_cache_for_signed_in_users(client, db):
    client.force_login(UserFactory(role=Role.INVESTOR))
    asset = client.get("/static/css/app.css")
    assert asset.status_code == 200
    assert "max-age" in asset["Cache-Control"]
    assert "no-store" not in asset["Cache-Control"]


# --- sessions end --------------------------------------------------------------------------------------


def set_clocks(client, *, started_ago: int, active_ago: int) -> None:
    """Backdate the session's clocks, as if that much time had passed."""
    session = client.session
    now = int(time.time())
    session[SESSION_STARTED_KEY] = now - started_ago
    session[SESSION_ACTIVE_KEY] = now - active_ago
    session.save()


def assert_logged_out(client):
    assert "_auth_user_id" not in client.session
    page = client.get(reverse("financing:investor_dashboard"))
    assert page.url.startswith(reverse("accounts:login"))


def test_the_session_lifetime_settings(settings):
    assert settings.SESSION_IDLE_TIMEOUT_SECONDS == 30 * 60
    assert settings.SESSION_COOKIE_AGE == settings.SESSION_ABSOLUTE_TIMEOUT_SECONDS == 12 * 60 * 60


def test_a_session_idle_past_the_timeout_ends_with_a_message(client, db, settings):
    client.force_login(UserFactory(role=Role.INVESTOR))
    dashboard = reverse("financing:investor_dashboard")
    assert client.get(dashboard).status_code == 200
    set_clocks(client, started_ago=3600, active_ago=settings.SESSION_IDLE_TIMEOUT_SECONDS)

    page = client.get(dashboard, follow=True)

    assert page.redirect_chain[0][0].startswith(reverse("accounts:login"))
    assert "Your session has ended" in page.content.decode()
    assert_logged_out(client)


def test_activity_keeps_a_session_alive_and_polling_does_not(client, db, settings):
    client.force_login(UserFactory(role=Role.INVESTOR))
    dashboard = reverse("financing:investor_dashboard")
    idle = settings.SESSION_IDLE_TIMEOUT_SECONDS
    set_clocks(client, started_ago=idle - 120, active_ago=idle - 120)
    before = client.session[SESSION_ACTIVE_KEY]

    polled = client.get(dashboard, headers={"HX-Request": "true", POLL_HEADER: "true"})
    assert polled.status_code == 200
    assert client.session[SESSION_ACTIVE_KEY] == before

    assert client.get(dashboard).status_code == 200
    assert client.session[SESSION_ACTIVE_KEY] >= int(time.time()) - 5


def test_a_poll_after_the_timeout_reloads_the_page_instead_of_swapping_in_the_login_form(
    client, db, settings
):
    client.force_login(UserFactory(role=Role.INVESTOR))
    set_clocks(client, started_ago=3600, active_ago=settings.SESSION_IDLE_TIMEOUT_SECONDS)

    polled = client.get(
        reverse("financing:investor_dashboard"), headers={"HX-Request": "true", POLL_HEADER: "true"}
    )

    assert polled.status_code == 200
    assert polled["HX-Refresh"] == "true"
    assert polled.content == b""
    assert_logged_out(client)


def test_a_session_ends_after_its_absolute_lifetime_however_active(client, db, settings):
    client.force_login(UserFactory(role=Role.INVESTOR))
    set_clocks(client, started_ago=settings.SESSION_ABSOLUTE_TIMEOUT_SECONDS, active_ago=0)

    assert client.get(reverse("api-me")).status_code == 403
    assert_logged_out(client)
