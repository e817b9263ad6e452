"""The operator's chain status page, and the admin never showing key material."""

import pytest
from django.contrib import admin
from django.urls import reverse

from accounts.choices import Role
from accounts.tests.factories import UserFactory
from tokens.choices import WalletKind
from tokens.models import Wallet
from tokens.services import wallet_create


def test_chain_status_is_for_operators_only(client, db):
    url = reverse("tokens:chain_status")
    assert client.get(url).url.startswith(reverse("accounts:login"))
    for role in Role:
        client.force_login(UserFactory(role=role))
        assert client.get(url).status_code == (200 if role == Role.OPERATOR else 403), role


def test_chain_status_polls_a_partial_with_the_outbox_tables(client, db):
    client.force_login(UserFactory(role=Role.OPERATOR))
    page = client.get(reverse("tokens:chain_status"))
    assert b'hx-trigger="every 3s"' in page.content
    assert reverse("admin:index").encode() in page.content
    assert reverse("api-docs").encode() in page.content

    partial = client.get(reverse("tokens:chain_status"), headers={"HX-Request": "true"})
    assert partial.status_code == 200
    assert b"<html" not in partial.content
    assert set(partial.context["chain"].counts) == {"pending", "sent", "confirmed", "failed"}


def test_chain_status_says_when_the_chain_is_down(client, db, settings):
    settings.CHAIN_RPC_URL = "http://127.0.0.1:9"
    settings.CHAIN_RPC_TIMEOUT = 1
    client.force_login(UserFactory(role=Role.OPERATOR))
    page = client.get(reverse("tokens:chain_status"))
    assert page.status_code == 200
    assert b"Chain unavailable" in page.content


@pytest.fixture
def superuser_client(client, db):
    client.force_login(UserFactory(role=Role.OPERATOR, is_staff=True, is_superuser=True))
    return client


def test_every_model_has_an_admin_page(superuser_client):
    from django.apps import apps

    for app in ("accounts", "issuers", "financing", "compliance", "tokens"):
        for model in apps.get_app_config(app).get_models():
            assert admin.site.is_registered(model), model
            url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
            assert superuser_client.get(url).status_code == 200, url


def test_the_admin_never_shows_a_wallets_key_and_the_audit_trail_is_read_only(superuser_client):
    wallet = wallet_create(kind=WalletKind.INVESTOR, label="someone")
    page = superuser_client.get(reverse("admin:tokens_wallet_change", args=[wallet.pk]))
    assert page.status_code == 200
    assert Wallet.objects.get(pk=wallet.pk).encrypted_key.encode() not in page.content
    assert b"encrypted_key" not in page.content
    assert superuser_client.get(reverse("admin:compliance_auditevent_add")).status_code == 403
    assert b"raw_tx" not in superuser_client.get(reverse("admin:tokens_chaintransaction_changelist")).content
