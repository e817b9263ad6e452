"""Schemathesis drives every API operation, as each role, with requests generated from our own schema.

It fails on any server error and on any answer the schema does not describe (status code, content type,
body). The run is deterministic (derandomized) and bounded: SCHEMA_FUZZ_EXAMPLES examples per
operation and role (25 by default). Half of the examples of an operation that names an object use the
ids of real objects (own, someone else's, waiting for compliance), so they reach the real code paths.

Run it alone: `make test PYTEST_ARGS="tests/test_schema_fuzz.py"`; more examples:
`SCHEMA_FUZZ_EXAMPLES=200 make test PYTEST_ARGS="tests/test_schema_fuzz.py"`.
"""

from __future__ import annotations

import json
import os
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.test import Client
from django.utils.crypto import get_random_string
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from eth_utils import to_checksum_address
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from accounts.models import Notification
from accounts.services import api_key_create
from compliance.attestations.services import attestation_issue
from compliance.cases.choices import CaseKind
from compliance.cases.models import Case
from compliance.models import Intermediary, Licence
from compliance.wallets.choices import LinkedWalletStatus
from compliance.wallets.models import LinkedWallet
from financing.models import OfferingPayment
from issuers.models import Document, Person
from issuers.sharing.demo import seed_consent
from tests import flows
from tokens.choices import TokenOperationKind
from tokens.models import PaymentTokenListing, TokenOperation

EXAMPLES = int(os.environ.get("SCHEMA_FUZZ_EXAMPLES", "25"))
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
# "officer-key" is the officer again, authenticated by an API key instead of a session.
ROLES = ["anonymous", "sme", "investor", "officer", "approver", "operator", "officer-key"]
CSRF_SECRET = get_random_string(32)


@pytest.fixture(scope="module")
def api_schema():
    """The schema `/api/schema/` serves, generated in-process, sent to the WSGI app in-process."""
    generated = SchemaGenerator().get_schema(request=None, public=True)
    schema = schemathesis.openapi.from_dict(json.loads(OpenApiJsonRenderer().render(generated)))
    schema.app = get_wsgi_application()
    return schema


def known_ids(world: flows.World) -> dict[str, list[Any]]:
    """Real objects for every path parameter: own, someone else's and what waits for compliance."""
    own, other = world.own, world.other
    companies = [own.company, other.company]
    requests = [flows.information_request(company=c, by=world.users["officer"]) for c in companies]
    return {
        "application_id": [own.draft.pk, own.offering.application_id, other.draft.pk],
        "offering_id": [own.offering.pk, other.offering.pk],
        "subscription_id": [own.subscription.pk, other.subscription.pk],
        "allotment_id": [world.allotment.pk],
        "payment_id": list(
            OfferingPayment.objects.filter(offering=other.offering).values_list("pk", flat=True)[:2]
        ),
        "transfer_id": [
            flows.waiting_sale(own.offering, seller=own.investor, buyer=other.investor).pk,
            flows.waiting_sale(other.offering, seller=other.investor, buyer=own.investor).pk,
        ],
        "wallet_id": [
            LinkedWallet.objects.create(
                investor=investor.investor,
                address=to_checksum_address(f"0x{n + 1:040x}"),
                status=LinkedWalletStatus.REGISTERED,
                message="signed",
                signature="0x",
            ).pk
            for n, investor in enumerate((own.investor, other.investor))
        ],
        "person_id": list(Person.objects.filter(company__in=companies).values_list("pk", flat=True)),
        "document_id": list(Document.objects.filter(company__in=companies).values_list("pk", flat=True)),
        "profile_id": [world.pending_profile.pk, own.investor.investor.pk],
        "company_id": [world.pending_company.pk, own.company.pk],
        "intermediary_id": list(Intermediary.objects.values_list("pk", flat=True)),
        "licence_id": list(Licence.objects.values_list("pk", flat=True)),
        "case_id": [
            flows.open_case_of(world.pending_company).pk,
            flows.open_case_of(world.pending_profile).pk,
            Case.objects.get(company=own.company, kind=CaseKind.KYB).pk,
        ],
        "request_id": [request.pk for request in requests],
        # Each tenant's company shares all of its data with its own investor.
        "consent_id": [seed_consent(sme=t.sme, recipient=t.investor).pk for t in (own, other)],
        "dataset": ["profile", "financials", "documents", "schedules"],
        "listing_id": list(PaymentTokenListing.objects.values_list("pk", flat=True)),
        "answer_document_id": [flows.answer_document(request).pk for request in requests],
        # A resume awaiting a second person (the token is not paused: approving it is refused, 409).
        "operation_id": [
            TokenOperation.objects.create(
                kind=TokenOperationKind.RESUME,
                token=own.offering.token,
                reason="Resume after the incident.",
                requested_by=world.users["operator"],
            ).pk
        ],
        "attestation_id": [
            attestation_issue(user=tenant.sme, kind="company_verified").pk for tenant in (own, other)
        ],
        # Each role's own key (revoked by the first revocation, then a 409) and someone else's (404).
        "notification_id": list(
            Notification.objects.filter(recipient__in=[own.sme, other.sme]).values_list("pk", flat=True)[:4]
        ),
        # Public verification: a fingerprint never registered ("not registered") and the zero one (400).
        "fingerprint": ["0x" + "ab" * 32, "0x" + "00" * 32],
        "key_id": [
            api_key_create(user=user, name="fuzz target").api_key.pk
            for user in [*world.users.values(), other.sme]
            if user is not None
        ],
    }


def _strategy(operation: Any, ids: dict[str, list[Any]]) -> st.SearchStrategy:
    """Generated requests, the schema's own examples, and (for an object's URL) real ids."""
    names = [parameter.name for parameter in operation.path_parameters]
    generated = st.one_of(operation.as_strategy(), *operation.get_strategies_from_examples())
    if not names:
        return generated
    real = st.fixed_dictionaries({name: st.sampled_from(ids[name]) for name in names})
    return st.one_of(generated, real.flatmap(lambda values: operation.as_strategy(path_parameters=values)))


def _in_order(api_schema) -> list[Any]:
    """The operations, cancelling last: a cancelled offering can no longer be opened or closed."""
    operations = [result.ok() for result in api_schema.get_all_operations()]
    return sorted(operations, key=lambda operation: operation.path.endswith("/cancel/"))


def _credentials(user, key: str | None = None) -> dict[str, Any]:
    """A new signed-in session with its CSRF token, as a browser holds them; or only the API key."""
    if key is not None:
        return {"headers": {"Authorization": f"Bearer {key}"}}
    if user is None:
        return {}
    client = Client()
    client.force_login(user)
    return {
        "cookies": {"sessionid": client.cookies["sessionid"].value, "csrftoken": CSRF_SECRET},
        "headers": {"X-CSRFToken": CSRF_SECRET},
    }


@pytest.fixture
def in_process_requests():
    """Keep the test's database connection across requests, as Django's test client does."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def _fuzz(operation: Any, user, ids: dict[str, list[Any]], key: str | None = None) -> None:
    """Send EXAMPLES generated requests to one operation and check every answer against the schema."""
    credentials = _credentials(user, key)
    # Sign-up, log-in and log-out replace or end the session they are sent with: a new one each time.
    fresh = operation.path.startswith("/api/v1/auth/")

    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=_strategy(operation, ids))
    def check(case):
        response = case.call(**(_credentials(user, key) if fresh else credentials))
        case.validate_response(response, checks=CHECKS)

    check()


@pytest.mark.parametrize("role", ROLES)
def test_every_answer_matches_the_schema(api_schema, platform, in_process_requests, role):
    world = flows.world()
    ids = known_ids(world)
    user = world.users[role.removesuffix("-key")]
    client = api_key_create(user=user, name="fuzz client") if role.endswith("-key") else None
    key = client.key if client else None
    failures: list[str] = []
    for operation in _in_order(api_schema):
        try:
            _fuzz(operation, user, ids, key)
        # Schemathesis reports its findings as a FailureGroup, a BaseExceptionGroup.
        except (Exception, FailureGroup) as failure:
            failures.append(f"{operation.label}: {failure}")
    if client is not None:  # the key did authenticate (schemathesis also sends keys of its own)
        client.api_key.refresh_from_db()
        assert client.api_key.last_used_at is not None
    summary = f"{len(failures)} operation(s) answered outside the schema as {role}:"
    assert not failures, "\n\n".join([summary, *failures])
