"""API keys: created and revoked over the page and the API, shown once, stored as a hash, refused when bad."""

from __future__ import annotations

import json
import logging
from datetime import timedelta

import pytest
from django.apps import apps
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.authentication import api_key_digest
from accounts.choices import Role
from accounts.models import ApiKey
from accounts.services import api_key_create
from accounts.tests.factories import PASSWORD, UserFactory
from compliance.models import AuditEvent

KEYS = "/api/v1/auth/keys/"


def _revoke_url(key_id: int) -> str:
    return f"{KEYS}{key_id}/revoke/"


def _bearer(key: str) -> dict[str, str]:
    return {"authorization": f"Bearer {key}"}


def _browser(user) -> Client:
    """A signed-in browser that must send the CSRF token, as a real one must."""
    browser = Client(enforce_csrf_checks=True)
    assert browser.login(username=user.email, password=PASSWORD)
    return browser


def _csrf(browser: Client) -> str:
    return browser.get("/api/v1/auth/csrf/").json()["csrf_token"]


def _everything_stored() -> str:
    """Every row of every table, as text: where a secret would show if any code stored it."""
    rows = []
    for model in apps.get_models():
        rows.extend(str(row) for row in model.objects.values())
    return "\n".join(rows)


@pytest.fixture
def officer(db):
    return UserFactory(role=Role.OFFICER)


def _expire(api_key: ApiKey) -> None:
    now = timezone.now()
    ApiKey.objects.filter(pk=api_key.pk).update(created_at=now - timedelta(days=2), expires_at=now)


def _new_key(user, **kwargs) -> tuple[ApiKey, str]:
    created = api_key_create(user=user, name=kwargs.pop("name", "reporting script"), **kwargs)
    return created.api_key, created.key


def test_an_officer_creates_a_key_over_the_api_shown_once_and_stored_only_as_a_hash(officer, caplog):
    browser = _browser(officer)
    caplog.set_level(logging.DEBUG)

    answer = browser.post(
        KEYS,
        json.dumps({"name": "queue export", "expires_in_days": 30}),
        content_type="application/json",
        headers={"x-csrftoken": _csrf(browser)},
    )

    assert answer.status_code == 201, answer.content
    body = answer.json()
    key = body["key"]
    api_key = ApiKey.objects.get(pk=body["id"])
    assert key.startswith(body["prefix"] + ".")
    assert api_key.digest == api_key_digest(key)
    assert timedelta(days=29, hours=23) < api_key.expires_at - api_key.created_at <= timedelta(days=30)
    secret = key.split(".", 1)[1]
    assert secret not in _everything_stored()
    listed = browser.get(KEYS)
    assert listed.status_code == 200
    assert [row["name"] for row in listed.json()["results"]] == ["queue export"]
    assert secret not in listed.content.decode()
    assert "key" not in listed.json()["results"][0]
    event = AuditEvent.objects.get(action="api_key_created")
    assert (event.actor, event.object_id) == (officer, str(api_key.pk))
    # Using the key logs nothing of it either.
    assert Client().get(KEYS, headers=_bearer(key)).status_code == 200
    assert secret not in caplog.text


def test_an_officer_lists_applications_with_a_key_and_gets_exactly_their_roles_answers(officer):
    _, key = _new_key(officer)
    session = Client()
    session.force_login(officer)
    api = Client()

    listed = api.get("/api/v1/applications/", headers=_bearer(key))
    assert listed.status_code == 200
    assert listed.json() == session.get("/api/v1/applications/").json()
    assert api.get("/api/v1/auth/me/", headers=_bearer(key)).json()["email"] == officer.email
    # The key acts as the officer: an SME's endpoint stays closed.
    assert api.get("/api/v1/company/", headers=_bearer(key)).status_code == 403
    # `Token <key>` works as well as `Bearer <key>`.
    assert api.get("/api/v1/auth/me/", headers={"authorization": f"Token {key}"}).status_code == 200


def test_a_write_with_a_key_needs_no_csrf_token_while_a_session_write_still_does(officer):
    spare, _ = _new_key(officer, name="spare")
    _, key = _new_key(officer)
    browser = _browser(officer)

    refused = browser.post(_revoke_url(spare.pk))
    assert refused.status_code == 403
    assert "CSRF" in refused.json()["detail"]
    spare.refresh_from_db()
    assert spare.revoked_at is None

    revoked = Client(enforce_csrf_checks=True).post(_revoke_url(spare.pk), headers=_bearer(key))
    assert revoked.status_code == 200
    spare.refresh_from_db()
    assert spare.revoked_at is not None


def test_a_key_never_opens_a_page(officer):
    _, key = _new_key(officer)
    for url in [reverse("compliance:queue"), reverse("accounts:profile")]:
        answer = Client().get(url, headers=_bearer(key))
        assert answer.status_code == 302
        assert answer["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize(
    ("spoil", "code"),
    [
        ("revoked", "ApiKeyRevoked"),
        ("expired", "ApiKeyExpired"),
        ("tampered", "ApiKeyUnknown"),
        ("unknown", "ApiKeyUnknown"),
        ("malformed", "ApiKeyMalformed"),
        ("empty", "ApiKeyMalformed"),
        ("disabled user", "AccountDisabled"),
    ],
)
def test_bad_keys_are_refused_with_401_saying_why_and_change_nothing(officer, spoil, code):
    api_key, key = _new_key(officer)
    if spoil == "revoked":
        ApiKey.objects.filter(pk=api_key.pk).update(revoked_at=timezone.now())
    elif spoil == "expired":
        _expire(api_key)
    elif spoil == "tampered":
        key = key[:-1] + ("A" if key[-1] != "A" else "B")
    elif spoil == "unknown":
        key = "bacc_0123456789ab." + "x" * 43
    elif spoil == "malformed":
        key = "not-a-key"
    elif spoil == "empty":
        key = ""
    elif spoil == "disabled user":
        type(officer).objects.filter(pk=officer.pk).update(is_active=False)
    spare, _ = _new_key(officer, name="spare")
    # A session in the same browser does not rescue a bad key: the key decides.
    api = Client()
    api.force_login(officer)

    for answer in [
        api.get("/api/v1/applications/", headers=_bearer(key)),
        api.post(_revoke_url(spare.pk), headers=_bearer(key)),
    ]:
        assert answer.status_code == 401, answer.content
        assert answer.json()["code"] == code
        assert answer.json()["detail"]
        assert answer["WWW-Authenticate"].startswith("Bearer")
    spare.refresh_from_db()
    assert spare.revoked_at is None
    assert ApiKey.objects.get(pk=api_key.pk).last_used_at is None


def test_a_request_without_any_credentials_still_gets_403(db):
    answer = Client().get("/api/v1/applications/")
    assert answer.status_code == 403
    assert "WWW-Authenticate" not in answer


def test_another_users_key_cannot_be_revoked_over_the_api_or_the_page(officer):
    theirs, their_key = _new_key(UserFactory(role=Role.INVESTOR))
    _, key = _new_key(officer)
    browser = Client()
    browser.force_login(officer)

    assert Client().post(_revoke_url(theirs.pk), headers=_bearer(key)).status_code == 404
    assert browser.post(reverse("accounts:api_key_revoke", args=[theirs.pk])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.revoked_at is None
    assert not AuditEvent.objects.filter(action="api_key_revoked").exists()
    assert Client().get(KEYS, headers=_bearer(key)).json()["results"][0]["id"] != theirs.pk
    assert Client().get("/api/v1/auth/me/", headers=_bearer(their_key)).status_code == 200


def test_revoking_takes_effect_at_once_is_audited_and_cannot_be_repeated(officer):
    api_key, key = _new_key(officer)
    api = Client()

    answer = api.post(_revoke_url(api_key.pk), headers=_bearer(key))
    assert answer.status_code == 200
    assert answer.json()["revoked_at"]
    assert api.get("/api/v1/auth/me/", headers=_bearer(key)).status_code == 401
    event = AuditEvent.objects.get(action="api_key_revoked")
    assert (event.actor, event.object_id) == (officer, str(api_key.pk))

    browser = Client()
    browser.force_login(officer)
    again = browser.post(_revoke_url(api_key.pk))
    assert again.status_code == 409
    assert AuditEvent.objects.filter(action="api_key_revoked").count() == 1


def test_a_key_cannot_create_keys(officer):
    _, key = _new_key(officer)
    answer = Client().post(KEYS, {"name": "successor"}, content_type="application/json", headers=_bearer(key))
    assert answer.status_code == 403
    assert answer.json()["code"] == "SessionRequired"
    assert ApiKey.objects.count() == 1


def test_a_user_holds_at_most_the_configured_number_of_live_keys(officer, settings):
    settings.API_KEYS_PER_USER = 2
    first, _ = _new_key(officer, name="one")
    _new_key(officer, name="two")
    browser = Client()
    browser.force_login(officer)

    refused = browser.post(KEYS, {"name": "three"}, content_type="application/json")
    assert refused.status_code == 409
    assert refused.json()["code"] == "ApiKeyLimit"
    assert ApiKey.objects.count() == 2

    _expire(first)
    assert browser.post(KEYS, {"name": "three"}, content_type="application/json").status_code == 201


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "x", "expires_in_days": 366}, "expires_in_days"),
        ({"name": "x", "expires_in_days": 0}, "expires_in_days"),
        ({"name": "x", "expires_in_days": "\uff13"}, "expires_in_days"),
        ({"name": "   "}, "name"),
        ({"name": "x" * 65}, "name"),
        ({"name": "evil\u202ename"}, "name"),
    ],
)
def test_bad_input_is_refused_with_the_field_and_creates_nothing(officer, body, field):
    browser = Client()
    browser.force_login(officer)
    answer = browser.post(KEYS, body, content_type="application/json")
    assert answer.status_code == 400
    assert field in answer.json()
    assert not ApiKey.objects.exists()
    assert not AuditEvent.objects.exists()


def test_keys_without_a_maximum_may_live_until_revoked(officer, settings):
    settings.API_KEY_MAX_DAYS = 0
    api_key, _ = _new_key(officer)
    assert api_key.expires_at is None
    longer, _ = _new_key(officer, expires_in_days=5000)
    assert longer.expires_at is not None


def test_last_used_is_written_at_most_once_a_minute(officer, django_assert_num_queries):
    api_key, key = _new_key(officer)
    api = Client()
    api.get("/api/v1/auth/me/", headers=_bearer(key))
    api_key.refresh_from_db()
    first = api_key.last_used_at
    assert first is not None

    api.get("/api/v1/auth/me/", headers=_bearer(key))
    api_key.refresh_from_db()
    assert api_key.last_used_at == first

    ApiKey.objects.filter(pk=api_key.pk).update(last_used_at=first - timedelta(seconds=61))
    api.get("/api/v1/auth/me/", headers=_bearer(key))
    api_key.refresh_from_db()
    assert api_key.last_used_at > first


def test_an_investor_creates_and_revokes_a_key_on_the_profile_page_and_sees_it_once(db):
    investor = UserFactory(role=Role.INVESTOR)
    browser = _browser(investor)
    page = browser.get(reverse("accounts:profile"))
    assert b"No API keys yet" in page.content
    token = page.context["csrf_token"]

    created = browser.post(
        reverse("accounts:api_key_create"), {"name": "portfolio sync", "csrfmiddlewaretoken": token}
    )

    assert created.status_code == 201
    key = created.context["new_key"].key
    assert key.encode() in created.content
    assert "no-store" in created["Cache-Control"]
    again = browser.get(reverse("accounts:profile"))
    assert key.encode() not in again.content
    assert b"portfolio sync" in again.content
    api_key = ApiKey.objects.get(user=investor)
    assert api_key.display_prefix.encode() in again.content
    assert Client().get("/api/v1/subscriptions/", headers=_bearer(key)).status_code == 200

    revoked = browser.post(
        reverse("accounts:api_key_revoke", args=[api_key.pk]), {"csrfmiddlewaretoken": token}
    )
    assert revoked.status_code == 302
    api_key.refresh_from_db()
    assert api_key.revoked_at is not None
    assert Client().get("/api/v1/subscriptions/", headers=_bearer(key)).status_code == 401


def test_the_page_refuses_bad_input_and_a_post_without_the_csrf_token(db):
    investor = UserFactory(role=Role.INVESTOR)
    browser = _browser(investor)
    token = browser.get(reverse("accounts:profile")).context["csrf_token"]
    assert browser.post(reverse("accounts:api_key_create"), {"name": "no token"}).status_code == 403
    refused = browser.post(
        reverse("accounts:api_key_create"),
        {"name": "", "expires_in_days": "9999", "csrfmiddlewaretoken": token},
    )
    assert refused.status_code == 400
    assert not ApiKey.objects.exists()


def test_the_admin_shows_keys_without_their_secret_or_digest(db):
    operator = UserFactory(role=Role.OPERATOR, is_staff=True, is_superuser=True)
    api_key, key = _new_key(UserFactory())
    admin = Client()
    admin.force_login(operator)
    for url in [
        reverse("admin:accounts_apikey_changelist"),
        reverse("admin:accounts_apikey_change", args=[api_key.pk]),
    ]:
        page = admin.get(url)
        assert page.status_code == 200
        assert api_key.display_prefix.encode() in page.content
        assert key.split(".", 1)[1].encode() not in page.content
        assert api_key.digest.encode() not in page.content
