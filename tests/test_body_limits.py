"""Request bodies are refused from their declared length, before the server reads them.

The live-server tests speak HTTP over a socket: they declare a 60 MB body, send only a little of it,
and get the refusal back at once. A server that read the body first would wait for the other 60 MB.
"""

from __future__ import annotations

import json
import socket
import time
from urllib.parse import urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from accounts.choices import Role
from accounts.tests.factories import UserFactory
from financing.models import Application
from issuers.tests.factories import CompanyFactory

SIXTY_MB = 60 * 1024 * 1024


def _exchange(base_url: str, path: str, headers: dict[str, str], body: bytes) -> tuple[int, str, float]:
    """Send a request whose body may be shorter than it declares; the status, the body and the seconds."""
    url = urlsplit(base_url)
    started = time.monotonic()
    with socket.create_connection((url.hostname, url.port), timeout=10) as connection:
        lines = [f"POST {path} HTTP/1.1", f"Host: {url.netloc}", *(f"{k}: {v}" for k, v in headers.items())]
        connection.sendall(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
        received = b""
        while b"\r\n\r\n" not in received:
            received += connection.recv(65536)
        head, _, rest = received.partition(b"\r\n\r\n")
        length = next(
            int(line.split(b":", 1)[1])
            for line in head.split(b"\r\n")
            if line.lower().startswith(b"content-length:")
        )
        while len(rest) < length:
            rest += connection.recv(65536)
    status = int(head.split(b" ", 2)[1])
    # Only this answer: a server may go on to answer the unread bytes as a request of their own.
    return status, rest[:length].decode(), time.monotonic() - started


@pytest.fixture
def sme_session(live_server, transactional_db) -> dict[str, str]:
    """Headers of a signed-in SME with a draft company, allowed to upload: nothing else stops the body."""
    client = Client()
    client.force_login(CompanyFactory().representative)
    token = "k" * 32  # the cookie and the header carry the same CSRF secret
    return {
        "Cookie": f"sessionid={client.cookies['sessionid'].value}; csrftoken={token}",
        "X-CSRFToken": token,
    }


@pytest.mark.parametrize(
    ("path", "content_type"),
    [
        ("/api/v1/company/documents/", "multipart/form-data; boundary=x"),
        ("/company/kyb/documents/", "multipart/form-data; boundary=x"),
        ("/api/v1/applications/", "application/json"),
        ("/accounts/login/", "application/x-www-form-urlencoded"),
    ],
)
def test_a_60_mb_body_is_refused_from_its_length_without_being_read(
    live_server, sme_session, path, content_type
):
    status, body, seconds = _exchange(
        live_server.url,
        path,
        {**sme_session, "Content-Type": content_type, "Content-Length": str(SIXTY_MB)},
        b"--x\r\n" + b"0" * 1024,
    )

    assert status == 413, body
    assert "at most" in body
    assert seconds < 5


def test_the_refusal_says_the_size_and_the_limit(live_server, transactional_db):
    status, body, _ = _exchange(
        live_server.url,
        "/api/v1/company/documents/",
        {"Content-Type": "multipart/form-data; boundary=x", "Content-Length": str(SIXTY_MB)},
        b"",
    )
    assert status == 413
    assert json.loads(body)["detail"] == "The request is 60 MB; this address accepts at most 10.1 MB."


def test_a_body_without_a_length_is_refused(live_server, transactional_db):
    status, body, _ = _exchange(
        live_server.url,
        "/api/v1/applications/",
        {"Content-Type": "application/json", "Transfer-Encoding": "chunked"},
        b"2\r\n{}\r\n0\r\n\r\n",
    )
    assert status == 411
    assert "Content-Length" in json.loads(body)["detail"]


def test_a_1_mb_use_of_proceeds_is_refused_and_nothing_is_stored(db):
    client = Client()
    client.force_login(UserFactory(role=Role.SME))
    payload = {"title": "Notes", "use_of_proceeds": "x" * 1024 * 1024}

    response = client.post("/api/v1/applications/", json.dumps(payload), content_type="application/json")

    assert response.status_code == 413
    assert not Application.objects.exists()


def test_a_document_within_the_limit_passes(db, settings):
    settings.REQUEST_BODY_MAX_BYTES = 1024
    client = Client()
    client.force_login(UserFactory(role=Role.SME))
    document = SimpleUploadedFile("a.pdf", b"%PDF-1.4 " + b"0" * 4096, content_type="application/pdf")

    response = client.post("/api/v1/company/documents/", {"kind": "articles", "file": document})

    # Past the body limit: the service answers (the SME has no company yet), not the middleware.
    assert response.status_code == 400
    assert "company" in response.json()["detail"]
