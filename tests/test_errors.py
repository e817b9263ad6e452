"""Errors tell the truth: only a chain outage is a 503; anything else is a logged 500 with a request id."""

from __future__ import annotations

import logging
import re

import pytest
from django.core.files.storage import InMemoryStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from accounts.choices import Role
from accounts.tests.factories import UserFactory
from compliance.choices import KycStatus
from compliance.models import AuditEvent, InvestorProfile
from config.celery import app as celery_app
from financing.demo import sample_pdf
from issuers.models import Document
from issuers.tests.factories import CompanyFactory
from tests.test_api_bad_input import _counts
from tokens import chain, outbox
from tokens.choices import ChainTxStatus
from tokens.models import ChainTransaction


def _client_for(user) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


def _submitted_investor() -> InvestorProfile:
    return InvestorProfile.objects.create(
        user=UserFactory(role=Role.INVESTOR),
        investor_type="individual",
        legal_name="Ivy",
        country="HK",
        id_document_number="A1",
        declared_portfolio_hkd=9_000_000,
        kyc_status=KycStatus.SUBMITTED,
    )


def _server_errors(caplog) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "django.request" and r.levelno == logging.ERROR]


@pytest.fixture
def missing_artifacts(monkeypatch, tmp_path):
    """The compiled contract artifacts are gone (a broken deployment), not the node."""
    monkeypatch.setattr(chain, "ARTIFACTS_DIR", tmp_path)
    chain.clear_caches()
    yield
    chain.clear_caches()


def test_a_missing_artifact_is_a_logged_500_with_the_request_id_not_a_chain_outage(
    platform, missing_artifacts, caplog
):
    profile = _submitted_investor()
    officer = _client_for(UserFactory(role=Role.OFFICER))
    before = _counts()

    response = officer.post(
        f"/api/v1/kyc/{profile.pk}/decision/", {"approve": True}, content_type="application/json"
    )

    assert response.status_code == 500
    body = response.json()
    assert body["request_id"] == response["X-Request-ID"]
    assert "request id" in body["detail"]
    (logged,) = _server_errors(caplog)
    assert logged.request_id == body["request_id"]
    assert isinstance(logged.exc_info[1], FileNotFoundError)
    profile.refresh_from_db()
    assert profile.kyc_status == KycStatus.SUBMITTED
    assert _counts() == before


@pytest.fixture
def sme(db):
    return CompanyFactory().representative


@pytest.fixture
def storage_refuses_writes(monkeypatch):
    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied", "/srv/media/documents")

    monkeypatch.setattr(InMemoryStorage, "_save", refuse)


def test_a_storage_permission_error_on_an_api_upload_is_a_logged_500(sme, storage_refuses_writes, caplog):
    audit_before = AuditEvent.objects.count()

    response = _client_for(sme).post(
        "/api/v1/company/documents/", {"kind": "articles", "file": sample_pdf("Articles")}
    )

    assert response.status_code == 500
    (logged,) = _server_errors(caplog)
    assert logged.request_id == response.json()["request_id"] == response["X-Request-ID"]
    assert isinstance(logged.exc_info[1], PermissionError)
    assert not Document.objects.exists()
    assert AuditEvent.objects.count() == audit_before


def test_a_page_that_fails_shows_the_request_id_support_finds_the_log_by(sme, storage_refuses_writes, caplog):
    upload = SimpleUploadedFile("articles.pdf", sample_pdf("Articles").read())

    response = _client_for(sme).post("/company/kyb/documents/", {"kind": "articles", "file": upload})

    assert response.status_code == 500
    request_id = response["X-Request-ID"]
    assert request_id.encode() in response.content
    (logged,) = _server_errors(caplog)
    assert logged.request_id == request_id
    assert not Document.objects.exists()


@pytest.mark.parametrize(
    ("offered", "kept"),
    [("lb-7f3a9c21", True), ("short", False), ("spaces are not safe", False), ("x" * 65, False)],
)
def test_a_request_id_from_the_caller_is_kept_only_when_it_is_a_safe_short_token(db, caplog, offered, kept):
    caplog.set_level(logging.WARNING, logger="django.request")

    response = Client().get("/no-such-page/", headers={"X-Request-ID": offered})

    request_id = response["X-Request-ID"]
    assert (request_id == offered) is kept
    if not kept:
        assert re.fullmatch(r"[0-9a-f]{32}", request_id)  # a fresh uuid4 hex
    # Django's own "Not Found" line, written as the response leaves, carries the id too.
    (not_found,) = [r for r in caplog.records if r.name == "django.request"]
    assert not_found.request_id == request_id


@pytest.fixture
def broker_down(monkeypatch):
    """Tasks go to a broker that is not answering (nothing listens on port 9)."""
    conf = celery_app.conf
    eager, broker = conf.task_always_eager, conf.broker_url
    conf.task_always_eager, conf.broker_url = False, "redis://127.0.0.1:9/0"
    monkeypatch.setattr(celery_app, "_pool", None)
    monkeypatch.setattr(celery_app.amqp, "_producer_pool", None)
    yield
    conf.task_always_eager, conf.broker_url = eager, broker


def test_a_broker_outage_after_commit_keeps_the_decision_and_leaves_the_send_to_the_sweep(
    platform, broker_down, caplog
):
    profile = _submitted_investor()

    response = _client_for(UserFactory(role=Role.OFFICER)).post(
        f"/api/v1/kyc/{profile.pk}/decision/", {"approve": True}, content_type="application/json"
    )

    assert response.status_code == 200
    profile.refresh_from_db()
    assert profile.kyc_status == KycStatus.APPROVED
    pending = list(ChainTransaction.objects.filter(status=ChainTxStatus.PENDING).values_list("pk", flat=True))
    assert pending
    assert [r for r in caplog.records if r.name == "config.tasks" and "sweep" in r.getMessage()]
    assert {pk for pk, _ in outbox.stale_transactions(older_than_seconds=0)} >= set(pending)
