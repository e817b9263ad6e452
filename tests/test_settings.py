"""Production settings pass Django's deployment checks and refuse to start without private secrets."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured

from config.env import env_secret, env_secret_list
from config.public_secrets import (
    DEMO_AUDIT_HMAC_KEY,
    DEMO_PLATFORM_WALLET_KEY,
    DEMO_SECRET_KEY,
    PUBLIC_SECRET_VALUES,
    TEST_CUSTOMER_WALLET_KEY,
)

ROOT = Path(__file__).resolve().parent.parent
PRIVATE = {
    "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
    "PLATFORM_WALLET_KEYS": Fernet.generate_key().decode(),
    "CUSTOMER_WALLET_KEYS": Fernet.generate_key().decode(),
    "AUDIT_HMAC_KEY": secrets.token_hex(32),
    "DJANGO_ALLOWED_HOSTS": "capital.example.hk",
}


def _without_secrets() -> dict[str, str]:
    return {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "PLATFORM_", "CUSTOMER_", "AUDIT_"))
    }


def _check_deploy(**env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env={**_without_secrets(), "DJANGO_SETTINGS_MODULE": "config.settings.production", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_settings_pass_the_deployment_checks():
    result = _check_deploy(**PRIVATE)
    assert result.returncode == 0, result.stderr + result.stdout


def test_production_refuses_to_start_without_its_secrets():
    result = _check_deploy(DJANGO_SECRET_KEY="", DJANGO_ALLOWED_HOSTS="capital.example.hk")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("PLATFORM_WALLET_KEYS", DEMO_PLATFORM_WALLET_KEY),
        ("CUSTOMER_WALLET_KEYS", f"{Fernet.generate_key().decode()},{TEST_CUSTOMER_WALLET_KEY}"),
        ("DJANGO_SECRET_KEY", DEMO_SECRET_KEY),
    ],
)
def test_production_refuses_to_start_with_a_secret_published_in_the_repository(name, value):
    result = _check_deploy(**{**PRIVATE, name: value})
    assert result.returncode != 0
    assert f"{name} holds a value published in this repository" in result.stderr


def test_the_secret_helpers_refuse_every_published_value_under_any_setting_name(monkeypatch):
    for value in PUBLIC_SECRET_VALUES:
        monkeypatch.setenv("AUDIT_HMAC_KEY", value)
        with pytest.raises(ImproperlyConfigured, match="AUDIT_HMAC_KEY holds a value published"):
            env_secret("AUDIT_HMAC_KEY", min_length=1)
        monkeypatch.setenv("CUSTOMER_WALLET_KEYS", f"{Fernet.generate_key().decode()},{value}")
        with pytest.raises(ImproperlyConfigured, match="CUSTOMER_WALLET_KEYS holds a value published"):
            env_secret_list("CUSTOMER_WALLET_KEYS")


def test_the_secret_helpers_accept_fresh_secrets_and_refuse_short_or_missing_ones(monkeypatch):
    fresh = secrets.token_urlsafe(32)
    monkeypatch.setenv("AUDIT_HMAC_KEY", fresh)
    assert env_secret("AUDIT_HMAC_KEY", min_length=32) == fresh
    with pytest.raises(ImproperlyConfigured, match="at least 64 characters"):
        env_secret("AUDIT_HMAC_KEY", min_length=64)
    monkeypatch.delenv("AUDIT_HMAC_KEY")
    with pytest.raises(ImproperlyConfigured, match="Set the environment variable AUDIT_HMAC_KEY"):
        env_secret("AUDIT_HMAC_KEY", min_length=32)
    monkeypatch.setenv("CUSTOMER_WALLET_KEYS", " , ")
    with pytest.raises(ImproperlyConfigured, match="Set the environment variable CUSTOMER_WALLET_KEYS"):
        env_secret_list("CUSTOMER_WALLET_KEYS")


def test_every_secret_written_in_dev_test_or_the_env_example_is_on_the_public_list():
    read = subprocess.run(
        [
            sys.executable,
            "-c",
            "import json, importlib\n"
            "values = []\n"
            "for name in ('dev', 'test'):\n"
            "    s = importlib.import_module('config.settings.' + name)\n"
            "    values += [s.SECRET_KEY, s.AUDIT_HMAC_KEY]\n"
            "    values += [*s.PLATFORM_WALLET_KEYS, *s.CUSTOMER_WALLET_KEYS]\n"
            "print(json.dumps(values))",
        ],
        cwd=ROOT,
        env=_without_secrets(),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    committed = set(json.loads(read.stdout))
    for line in (ROOT / ".env.example").read_text().splitlines():
        name, _, value = line.partition("=")
        if not line.startswith("#") and value and any(w in name for w in ("SECRET", "KEY", "PASSWORD")):
            committed.add(value)
    assert committed <= PUBLIC_SECRET_VALUES


def test_production_refuses_customer_keys_under_the_platforms_encryption_key():
    shared = Fernet.generate_key().decode()
    result = _check_deploy(**{**PRIVATE, "PLATFORM_WALLET_KEYS": shared, "CUSTOMER_WALLET_KEYS": shared})
    assert result.returncode != 0
    assert "other encryption keys than the platform" in result.stderr


def test_production_refuses_a_missing_short_or_committed_audit_key():
    production = {
        "DJANGO_SECRET_KEY": "k" * 20 + "-production-secret-value-0123456789abcdef",
        "PLATFORM_WALLET_KEYS": Fernet.generate_key().decode(),
        "CUSTOMER_WALLET_KEYS": Fernet.generate_key().decode(),
        "DJANGO_ALLOWED_HOSTS": "capital.example.hk",
    }
    demo_key = DEMO_AUDIT_HMAC_KEY
    for audit in (
        {},
        {"AUDIT_HMAC_KEY": "short"},
        {"AUDIT_HMAC_KEY": demo_key},
        {"AUDIT_HMAC_KEY": secrets.token_hex(32), "AUDIT_HMAC_RETIRED_KEYS": demo_key},
    ):
        result = _check_deploy(**production, **audit)
        assert result.returncode != 0, audit
        assert "AUDIT_HMAC_KEY" in result.stderr, audit
