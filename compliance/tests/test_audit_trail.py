"""The audit trail for people: entries in words with links, filters, CSV export, API, verify_audit_log."""

import csv
import io
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import call_command, execute_from_command_line
from django.core.management.base import CommandError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.choices import Role
from accounts.tests.factories import UserFactory
from compliance.audit import audit_chain_check, audit_record
from compliance.audit_export import CSV_HEADER
from compliance.audit_text import audit_sentence
from compliance.cases.services import case_open
from compliance.models import AuditCheckpoint, AuditEvent
from financing.tests.test_views import offering_of, verified_company
from issuers.choices import KybStatus
from issuers.tests.factories import CompanyFactory


@pytest.mark.parametrize(
    ("fields", "sentence"),
    [
        (
            {
                "actor": "Oscar Officer",
                "action": "status:approved",
                "object_type": "financing.application",
                "object_id": "12",
                "from_status": "under_review",
                "to_status": "approved",
                "reason": "Cash flow covers the coupons",
                "label": "Lantau 5% Notes",
            },
            "Oscar Officer approved application #12 'Lantau 5% Notes' (under review → approved): "
            "reason “Cash flow covers the coupons”",
        ),
        (
            {
                "actor": "",
                "action": "status:settled",
                "object_type": "financing.allotment",
                "object_id": "3",
                "from_status": "pending",
                "to_status": "settled",
                "data": {"tx_hash": "0xab12cd34ef56ab12cd34ef56"},
            },
            "The platform settled allotment #3 (pending → settled) on chain (tx 0xab12cd34…)",
        ),
        (
            {
                "actor": "Ada Lam",
                "action": "kyb_status:verified",
                "object_type": "issuers.company",
                "object_id": "5",
                "from_status": "submitted",
                "to_status": "verified",
            },
            "Ada Lam verified company #5 (submitted → verified)",
        ),
        (
            {"actor": "Ivy Wong", "action": "demo_faucet", "object_type": "compliance.investorprofile",
             "object_id": "9", "data": {"amount_hkd": "5000.00"}},
            "Ivy Wong minted test stablecoin for investor #9: HK$5,000.00",
        ),
        # Unknown actions, statuses and objects still read as words, never as a raw code alone.
        (
            {"actor": "Ada Lam", "action": "licence_rechecked", "object_type": "compliance.licence",
             "object_id": "7"},
            "Ada Lam recorded “licence rechecked” on licence #7",
        ),
        (
            {"actor": "", "action": "alert_status:escalated", "object_type": "compliance.alert",
             "object_id": "4", "from_status": "open", "to_status": "escalated"},
            "The platform moved to “escalated” alert #4 (open → escalated)",
        ),
    ],
    ids=["decision", "platform-on-chain", "kyb", "data", "unknown-action", "unknown-status"],
)  # fmt: skip
def test_an_entry_reads_as_a_sentence(fields, sentence):
    assert str(audit_sentence(**fields)) == sentence


def test_every_action_the_platform_writes_has_its_own_words():
    """Every `action="…"` an `audit_record`/`audit_entry` call in the apps writes has its verb."""
    from compliance.audit_text import ACTION_VERBS

    root = Path(__file__).resolve().parents[2]
    written: dict[str, str] = {}
    for path in root.glob("*/**/*.py"):
        relative = path.relative_to(root).as_posix()
        if relative.startswith((".venv/", "node_modules/", "tests/", "bench/")) or "/tests/" in relative:
            continue
        for call in re.finditer(r"audit_(?:record|entry)\((.*?)\)\n", path.read_text(), re.S):
            for action in re.findall(r'action="([a-z_]+)"', call.group(1)):
                written[action] = relative
    assert len(written) > 60  # the scan finds the calls
    missing = {action: where for action, where in written.items() if action not in ACTION_VERBS}
    assert not missing, missing


@pytest.mark.parametrize(
    ("action", "object_type", "sentence"),
    [
        ("screening:potential_match", "compliance.screening",
         "Oscar Officer recorded a potential sanctions match for screening #12"),
        ("screening:clear", "compliance.screening",
         "Oscar Officer recorded a clear sanctions result for screening #12"),
        ("sanctions_list:imported", "compliance.sanctionslist", "Oscar Officer imported sanctions list #12"),
        ("api_key_revoked", "accounts.apikey", "Oscar Officer revoked API key #12"),
    ],
)  # fmt: skip
def test_screenings_lists_and_api_keys_read_in_words(action, object_type, sentence):
    fields = {"action": action, "object_type": object_type, "object_id": "12"}
    assert str(audit_sentence(actor="Oscar Officer", **fields)) == sentence


def test_a_decision_reads_in_words_with_a_link_to_the_review_page(client, db):
    company = CompanyFactory(kyb_status=KybStatus.SUBMITTED, legal_name_en="Lantau Components Limited")
    officer = UserFactory(role=Role.OFFICER, full_name="Oscar Officer")
    client.force_login(officer)
    case = case_open(subject=company)
    client.post(reverse("compliance:case", args=[case.pk]), {"decision": "reject", "reason": "No."})

    page = client.get(reverse("compliance:audit"))

    entry = next(e for e in page.context["entries"] if e.event.object_type == "issuers.company")
    assert str(entry.sentence) == (
        f"Oscar Officer rejected company #{company.pk} 'Lantau Components Limited' (submitted → rejected): "
        "reason “No.”"
    )
    assert entry.url == reverse("compliance:kyb_review", args=[company.pk])
    assert f'href="{entry.url}"' in page.content.decode()


def test_links_only_go_where_the_viewer_may_look(client, db):
    offering = offering_of(verified_company())
    draft_company = CompanyFactory()
    audit_record(actor=None, action="status:open", obj=offering)
    audit_record(actor=None, action="company_created", obj=draft_company)
    client.force_login(UserFactory(role=Role.OPERATOR))  # the API is open to operators; KYB pages are not

    results = client.get("/api/v1/audit/").json()["results"]

    by_type = {row["object_type"]: row for row in results}
    assert by_type["financing.offering"]["url"] == reverse("financing:offering_detail", args=[offering.pk])
    assert by_type["issuers.company"]["url"] is None
    assert by_type["issuers.company"]["sentence"].startswith(
        f"The platform registered company #{draft_company.pk}"
    )


@pytest.fixture
def trail(db):
    """Entries by two people and the platform, on a company and an offering, over three days."""
    oscar = UserFactory(role=Role.OFFICER, full_name="Oscar Officer", email="oscar@example.com")
    ada = UserFactory(role=Role.APPROVER, full_name="Ada Approver", email="ada@example.com")
    company = CompanyFactory()
    offering = offering_of(verified_company())
    events = {
        "created": audit_record(actor=oscar, action="company_updated", obj=company),
        "verified": audit_record(
            actor=ada,
            action="kyb_status:verified",
            obj=company,
            from_status="submitted",
            to_status="verified",
        ),
        "opened": audit_record(
            actor=None, action="status:open", obj=offering, from_status="ready", to_status="open"
        ),
        "formula": audit_record(actor=oscar, action="status:cancelled", obj=offering, reason="=HYPERLINK(1)"),
    }
    now = timezone.now()
    for days, name in ((3, "created"), (2, "verified"), (1, "opened")):
        AuditEvent.objects.filter(pk=events[name].pk).update(occurred_at=now - timedelta(days=days))
    return {"oscar": oscar, "ada": ada, "company": company, "offering": offering, **events}


def _ids(page) -> list[int]:
    return [entry.event.pk for entry in page.context["entries"]]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({}, ["formula", "opened", "verified", "created"]),
        ({"actor": "oscar@"}, ["formula", "created"]),
        ({"actor": "Approver"}, ["verified"]),
        ({"object_type": "issuers.company"}, ["verified", "created"]),
        ({"kind": "decision"}, ["verified"]),
        ({"kind": "status"}, ["formula", "opened", "verified"]),
        ({"kind": "record"}, ["created"]),
        ({"kind": "platform"}, ["opened"]),
        ({"date_from": "days-2", "date_to": "days-1"}, ["opened", "verified"]),
    ],
)
def test_the_trail_filters_by_actor_object_kind_and_dates(client, trail, query, expected):
    client.force_login(trail["oscar"])
    query = {
        key: (timezone.localdate() - timedelta(days=int(value[5:]))).isoformat()
        if value.startswith("days")
        else value
        for key, value in query.items()
    }
    page = client.get(reverse("compliance:audit"), query)
    assert page.status_code == 200
    assert _ids(page) == [trail[name].pk for name in expected]


def test_one_object_is_filtered_by_its_type_and_number(client, trail):
    client.force_login(trail["oscar"])
    query = {"object_type": "financing.offering", "object_id": trail["offering"].pk}
    assert _ids(client.get(reverse("compliance:audit"), query)) == [trail["formula"].pk, trail["opened"].pk]


def test_a_filter_that_breaks_a_rule_is_refused_with_the_reason(client, trail):
    client.force_login(trail["oscar"])
    today = timezone.localdate()
    page = client.get(
        reverse("compliance:audit"),
        {"date_from": today.isoformat(), "date_to": (today - timedelta(days=1)).isoformat()},
    )
    assert page.status_code == 400
    assert "The end date is before the start date." in page.content.decode()
    assert client.get(reverse("compliance:audit"), {"object_id": "\u0661\u0662"}).status_code == 400
    assert client.get(reverse("compliance:audit_export"), {"kind": "nonsense"}).status_code == 400


def test_pages_keep_the_filter(client, trail):
    company = trail["company"]
    for _ in range(60):
        audit_record(actor=None, action="company_updated", obj=company)
    client.force_login(trail["oscar"])
    page = client.get(reverse("compliance:audit"), {"object_type": "issuers.company"})
    assert page.context["page"].paginator.count == 62
    assert "object_type=issuers.company&amp;page=2" in page.content.decode()
    second = client.get(reverse("compliance:audit"), {"object_type": "issuers.company", "page": 2})
    assert len(_ids(second)) == 12


def _csv(response) -> list[dict[str, str]]:
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response.streaming
    body = b"".join(response.streaming_content).decode()
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[0] == CSV_HEADER
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def test_the_export_streams_the_filtered_entries_with_sentence_raw_fields_and_hash(client, trail):
    client.force_login(trail["oscar"])
    rows = _csv(client.get(reverse("compliance:audit_export"), {"object_type": "financing.offering"}))

    assert [int(row["id"]) for row in rows] == [trail["opened"].pk, trail["formula"].pk]  # oldest first
    opened = rows[0]
    assert opened["sentence"].startswith(f"The platform opened offering #{trail['offering'].pk} '")
    assert (opened["action"], opened["to_status"], opened["hash"]) == (
        "status:open",
        "open",
        trail["opened"].hash,
    )
    assert opened["previous_hash"] == trail["opened"].previous_hash
    assert rows[1]["reason"] == "'=HYPERLINK(1)"  # a spreadsheet does not run it


def test_the_api_lists_the_trail_in_words_filtered_and_paginated(client, trail):
    client.force_login(UserFactory(role=Role.OPERATOR))

    first = client.get("/api/v1/audit/", {"limit": 2}).json()
    second = client.get(first["next"]).json()
    decisions = client.get("/api/v1/audit/", {"kind": "decision"}).json()

    assert (first["count"], first["previous"]) == (4, None)
    assert [row["id"] for row in first["results"] + second["results"]] == [
        trail[name].pk for name in ("formula", "opened", "verified", "created")
    ]
    assert second["next"] is None
    (verified,) = decisions["results"]
    assert verified["sentence"].startswith(f"Ada Approver verified company #{trail['company'].pk}")
    assert (verified["hash"], verified["actor"]) == (trail["verified"].hash, "Ada Approver")


def test_the_api_exports_csv_and_refuses_bad_filters(client, trail):
    client.force_login(UserFactory(role=Role.APPROVER))
    rows = _csv(client.get("/api/v1/audit/", {"format": "csv", "actor": "ada@"}))
    assert [int(row["id"]) for row in rows] == [trail["verified"].pk]
    assert [int(row["id"]) for row in _csv(client.get("/api/v1/audit/", HTTP_ACCEPT="text/csv"))][:1] == [
        trail["created"].pk
    ]

    today = timezone.localdate()
    refused = client.get("/api/v1/audit/", {"date_from": today, "date_to": today - timedelta(days=1)})
    assert refused.status_code == 400
    assert "date_to" in refused.json()
    assert client.get("/api/v1/audit/", {"limit": "\u0661\u0660"}).status_code == 400  # Arabic-Indic 10
    assert client.get("/api/v1/audit/", {"limit": 1000}).status_code == 400


# verify_audit_log


@pytest.fixture
def entries(db):
    company = CompanyFactory()
    return [audit_record(actor=None, action=f"step{n}", obj=company) for n in range(5)]


def _exit_status(monkeypatch, *argv: str) -> int:
    """What `manage.py ...` exits with (its closing of connections would end the test's transaction)."""
    from django.core.management import base

    monkeypatch.setattr(base.connections, "close_all", lambda: None)
    with pytest.raises(SystemExit) as exited:
        execute_from_command_line(["manage.py", *argv])
    return int(exited.value.code or 0)


def test_verify_audit_log_names_a_tampered_entry_and_exits_non_zero(entries, capsys, monkeypatch):
    call_command("verify_audit_log")
    AuditEvent.objects.filter(pk=entries[2].pk).update(reason="nothing to see here")

    with pytest.raises(
        CommandError, match=f"broken at entry {entries[2].pk}: entry {entries[2].pk} was altered"
    ):
        call_command("verify_audit_log")  # the whole trail by default, not only since the checkpoint
    assert _exit_status(monkeypatch, "verify_audit_log") == 1
    assert f"entry {entries[2].pk} was altered" in capsys.readouterr().err
    assert AuditCheckpoint.objects.get().broken_at == entries[2].pk


def test_verify_audit_log_names_an_entry_deleted_in_the_middle(entries):
    AuditEvent.objects.filter(pk=entries[2].pk).delete()
    with pytest.raises(
        CommandError, match=f"entry {entries[2].pk} is missing: entry {entries[3].pk} does not"
    ):
        call_command("verify_audit_log")


def test_verify_audit_log_names_entries_deleted_at_the_end(entries):
    AuditEvent.objects.filter(pk__in=[entries[3].pk, entries[4].pk]).delete()
    with pytest.raises(CommandError, match=f"entry {entries[3].pk} is missing: the trail ends"):
        call_command("verify_audit_log")


def test_an_id_a_rolled_back_transaction_used_is_no_missing_entry(entries):
    company = CompanyFactory()

    def write_then_fail() -> None:
        with transaction.atomic():
            audit_record(actor=None, action="rolled back", obj=company)
            raise RuntimeError

    with pytest.raises(RuntimeError):
        write_then_fail()
    later = audit_record(actor=None, action="later", obj=entries[0])  # any object will do
    assert later.pk == entries[-1].pk + 2  # the sequence skipped one id
    assert audit_chain_check(full=True) is None
    call_command("verify_audit_log")


def test_the_earlier_command_name_checks_from_the_checkpoint(entries):
    call_command("verify_audit_log")
    AuditEvent.objects.filter(pk=entries[0].pk).update(reason="rewritten")
    call_command("audit_verify")  # from the checkpoint, past the edit
    call_command("verify_audit_log", "--since-checkpoint")
    with pytest.raises(CommandError, match=f"broken at entry {entries[0].pk}"):
        call_command("audit_verify", "--full")


def test_a_refusal_of_the_csv_export_is_the_documented_json_error(client, db):
    client.force_login(UserFactory(role=Role.INVESTOR))
    for refused in (
        client.get("/api/v1/audit/", {"format": "csv"}),
        client.get("/api/v1/audit/", HTTP_ACCEPT="text/csv"),
    ):
        assert refused.status_code == 403
        assert refused["Content-Type"] == "application/json"
        assert "detail" in refused.json()
