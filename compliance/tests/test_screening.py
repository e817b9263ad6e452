"""Sanctions screening with the database: list versions, the screening API, re-screening everyone."""

from __future__ import annotations

import json
from datetime import date
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from accounts.choices import Role
from accounts.tests.factories import UserFactory
from compliance.models import (
    AuditEvent,
    SanctionsEntry,
    SanctionsList,
    SanctionsName,
    SanctionsWallet,
    Screening,
    ScreeningRun,
)
from compliance.screening import index as screening_index
from compliance.screening.choices import RunStatus
from compliance.screening.parties import Party
from compliance.screening.services import (
    sanctions_list_import,
    sanctions_rescreen,
    screen_party,
    screen_wallet,
)
from compliance.tasks import sanctions_rescreen as sanctions_rescreen_task
from compliance.tests.screening_cases import list_excerpt, sdn_file
from config.errors import Conflict
from issuers.models import Person
from issuers.tests.factories import CompanyFactory
from tokens.choices import WalletKind
from tokens.models import Wallet

pytestmark = pytest.mark.django_db

LAZARUS_ETH = "0x098B716B8Aaf21512996dC57EB0615e2383E2f96"  # LAZARUS GROUP (27307)
URL = "/api/v1/compliance/screenings/"


@pytest.fixture(autouse=True)
def _no_cached_index():
    screening_index.forget()
    yield
    screening_index.forget()


def counts() -> tuple[int, ...]:
    return tuple(
        model.objects.count()
        for model in (SanctionsList, SanctionsEntry, SanctionsName, SanctionsWallet, Screening, ScreeningRun)
    )


def test_the_command_imports_the_real_list_once_and_the_same_file_again_changes_nothing():
    out = StringIO()
    call_command("import_sanctions_list", str(sdn_file()), stdout=out)
    assert "14965 entries" in out.getvalue()
    version = SanctionsList.objects.get()
    assert (version.name, version.entry_count) == ("ofac_sdn_2024-05-03", 14965)
    assert len(version.sha256) == 64
    assert version.imported_at is not None
    assert SanctionsEntry.objects.filter(sanctions_list=version).count() == 14965
    assert SanctionsName.objects.filter(is_alias=True).count() == version.alias_count > 3500
    assert SanctionsWallet.objects.count() == version.wallet_count > 250
    usama = SanctionsName.objects.get(entry__list_id="6365", is_alias=False)
    assert usama.tokens == "bin ladin usama bin muhamad bin avad"  # precomputed for matching
    assert ScreeningRun.objects.get().status == RunStatus.QUEUED  # re-screening queued after commit
    before = counts()

    out = StringIO()
    call_command("import_sanctions_list", str(sdn_file()), stdout=out)
    assert "nothing changed" in out.getvalue()
    assert counts() == before

    result = screen_party(name="Usama bin Ladin", entity_type="individual")
    assert result.decision == "potential_match"
    assert result.list_version == version
    assert [(hit.list_id, hit.program) for hit in result.hits][:1] == [("6365", "SDGT")]
    assert screen_party(name="Pearl River Robotics Limited", entity_type="organization").decision == "clear"
    wallet = screen_wallet(LAZARUS_ETH.lower())
    assert [(hit.list_id, hit.currency, hit.address) for hit in wallet.hits] == [
        ("27307", "ETH", LAZARUS_ETH)
    ]
    assert screen_wallet("0x" + "0" * 40).decision == "clear"


def test_the_command_refuses_a_missing_file_and_a_file_with_no_entries(tmp_path):
    with pytest.raises(CommandError, match="No such file"):
        call_command("import_sanctions_list", str(tmp_path / "absent.csv"))
    empty = tmp_path / "empty.csv"
    empty.write_text("not,a,list\n")
    with pytest.raises(CommandError, match="no list entries"):
        call_command("import_sanctions_list", str(empty))
    assert counts() == (0, 0, 0, 0, 0, 0)


def test_a_new_file_is_a_new_version_and_screening_uses_the_latest(tmp_path):
    first, created = sanctions_list_import(path=list_excerpt(tmp_path, "v1"), rescreen=False)
    assert created
    assert screen_party(name="Xiaobing Yan", entity_type="individual").list_version == first
    extra = '99999999,"HARBOUR TEST SANCTIONED TRADING LIMITED",-0- ,"TEST"' + ",-0- " * 8 + "\n"
    second, created = sanctions_list_import(path=list_excerpt(tmp_path, "v2", extra), rescreen=False)
    assert created
    assert second.pk > first.pk
    assert second.entry_count == first.entry_count + 1
    result = screen_party(name="Harbour Test Sanctioned Trading Co., Ltd.", entity_type="organization")
    assert (result.list_version, [hit.list_id for hit in result.hits]) == (second, ["99999999"])


def test_screening_needs_an_imported_list():
    with pytest.raises(Conflict, match="No sanctions list"):
        screen_party(name="Usama bin Ladin", entity_type="individual")
    with pytest.raises(Conflict, match="No sanctions list"):
        screen_wallet(LAZARUS_ETH)


@pytest.mark.parametrize("role", [Role.OFFICER, Role.APPROVER])
def test_compliance_screens_a_name_through_the_api_and_the_screening_is_recorded(client, tmp_path, role):
    version, _ = sanctions_list_import(path=list_excerpt(tmp_path), rescreen=False)
    user = UserFactory(role=role)
    client.force_login(user)
    audit_before = AuditEvent.objects.count()

    answer = client.post(
        URL,
        {"name": "YAN Xiao-bing", "entity_type": "individual", "birth_year": 1977, "country": "cn"},
        content_type="application/json",
    )
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert body["list_version"] == version.name
    assert body["decision"] == "potential_match"
    assert body["hits"][0] == {"list_id": "25308", "name": "YAN, Xiaobing", "score": 100, "program": "SDNTK"}
    screening = Screening.objects.get(pk=body["screening_id"])
    assert (screening.actor, screening.name, screening.birth_year, screening.country) == (
        user,
        "YAN Xiao-bing",
        1977,
        "CN",
    )
    assert screening.decision == "potential_match"
    assert screening.hits[0]["list_id"] == "25308"
    event = AuditEvent.objects.get(pk__gt=0, object_type="compliance.screening", object_id=str(screening.pk))
    assert (event.actor, event.action) == (user, "screening:potential_match")
    assert AuditEvent.objects.count() == audit_before + 1

    clear = client.post(
        URL, {"name": "Chan Tai Man", "entity_type": "individual"}, content_type="application/json"
    )
    assert clear.status_code == 200
    assert (clear.json()["decision"], clear.json()["hits"]) == ("clear", [])


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"entity_type": "individual"}, "name"),
        ({"name": "Usama bin Ladin"}, "entity_type"),
        ({"name": "Usama bin Ladin", "entity_type": "vessel"}, "entity_type"),
        ({"name": "-- . --", "entity_type": "individual"}, "name"),
        (
            {
                "name": "Usama bin Ladin",
                "entity_type": "individual",
                "birth_year": "\uff11\uff19\uff15\uff17",
            },
            "birth_year",
        ),
        ({"name": "Usama bin Ladin", "entity_type": "individual", "birth_year": 1066}, "birth_year"),
        ({"name": "Usama bin Ladin", "entity_type": "individual", "country": "XX"}, "country"),
        ({"name": "Usama\u202ebin Ladin", "entity_type": "individual"}, "name"),
        ({"name": "x" * 201, "entity_type": "individual"}, "name"),
    ],
)
def test_bad_screening_input_is_refused_with_the_field_and_nothing_is_recorded(client, tmp_path, body, field):
    sanctions_list_import(path=list_excerpt(tmp_path), rescreen=False)
    client.force_login(UserFactory(role=Role.OFFICER))
    before, audit_before = counts(), AuditEvent.objects.count()
    answer = client.post(URL, body, content_type="application/json")
    assert answer.status_code == 400, answer.content
    assert field in answer.json()
    assert (counts(), AuditEvent.objects.count()) == (before, audit_before)


def test_screening_before_any_list_is_imported_is_a_409_and_records_nothing(client):
    client.force_login(UserFactory(role=Role.OFFICER))
    answer = client.post(
        URL, {"name": "Usama bin Ladin", "entity_type": "individual"}, content_type="application/json"
    )
    assert answer.status_code == 409
    assert answer.json()["code"] == "NoSanctionsList"
    assert Screening.objects.count() == 0


@pytest.mark.parametrize("role", [Role.SME, Role.INVESTOR, Role.OPERATOR])
def test_only_compliance_may_screen(client, tmp_path, role):
    sanctions_list_import(path=list_excerpt(tmp_path), rescreen=False)
    client.force_login(UserFactory(role=role))
    answer = client.post(
        URL, {"name": "Usama bin Ladin", "entity_type": "individual"}, content_type="application/json"
    )
    assert answer.status_code == 403
    assert Screening.objects.count() == 0
    client.logout()
    assert client.post(URL, {}, content_type="application/json").status_code == 403


def parties_on_the_list():
    """Real rows: a company named like a listed entity, its director on the list, one ordinary director,
    and a company whose wallet is a listed address."""
    company = CompanyFactory(legal_name_en="Banco Nacional de Cuba Limited", legal_name_zh="")
    Person.objects.create(
        company=company,
        full_name="Xiaobing Yan",
        nationality="CN",
        birth_date=date(1977, 3, 25),
        is_director=True,
    )
    Person.objects.create(
        company=company,
        full_name="Chan Tai Man",
        nationality="HK",
        birth_date=date(1980, 1, 2),
        is_director=True,
    )
    Person.objects.create(  # same name, born long before the listed man: not a hit
        company=company,
        full_name="Xiaobing Yan",
        nationality="CN",
        birth_date=date(1950, 1, 2),
        is_director=True,
    )
    wallet = Wallet.objects.create(
        address=LAZARUS_ETH, kind=WalletKind.ISSUER, label="test issuer", encrypted_key="unused"
    )
    CompanyFactory(legal_name_en="Lion Rock Packaging Limited", wallet=wallet)
    return company


def test_a_new_list_version_rescreens_every_party_with_progress(tmp_path, django_capture_on_commit_callbacks):
    company = parties_on_the_list()
    with django_capture_on_commit_callbacks(execute=True):  # the task runs eagerly once the import commits
        version, _ = sanctions_list_import(path=list_excerpt(tmp_path))
    run = ScreeningRun.objects.get(sanctions_list=version)
    # companies: 3 names (one English, one English and Chinese) + 1 wallet; people: 3
    assert (run.status, run.total, run.done, run.hits) == (RunStatus.DONE, 7, 7, 3)
    assert run.started_at is not None
    assert run.finished_at is not None
    found = {(s.party_ref, s.subject, s.hits[0]["list_id"]) for s in Screening.objects.filter(run=run)}
    person = Person.objects.get(full_name="Xiaobing Yan", birth_date__year=1977)
    wallet_company = CompanyFactory._meta.model.objects.get(legal_name_en="Lion Rock Packaging Limited")
    assert found == {
        (f"issuers.company:{company.pk}", "party", "306"),
        (f"issuers.person:{person.pk}", "party", "25308"),
        (f"issuers.company:{wallet_company.pk}", "wallet", "27307"),
    }
    assert (
        AuditEvent.objects.filter(object_type="compliance.screeningrun", to_status=RunStatus.DONE).count()
        == 1
    )

    # Running the task again changes nothing.
    before = counts()
    assert sanctions_rescreen_task.delay(list_version_id=version.pk).get() == run.pk
    assert counts() == before
    run.refresh_from_db()
    assert (run.status, run.done, run.hits) == (RunStatus.DONE, 7, 3)


def test_rescreening_reads_parties_from_any_source_and_an_older_version_is_superseded(tmp_path):
    first, _ = sanctions_list_import(path=list_excerpt(tmp_path, "v1"), rescreen=True)
    second, _ = sanctions_list_import(path=list_excerpt(tmp_path, "v2", "\n"), rescreen=True)
    old_run = sanctions_rescreen(list_version_id=first.pk, source=lambda: [])
    assert old_run is not None
    assert old_run.status == RunStatus.SUPERSEDED
    parties = [
        Party(ref="test:1", name="Usama bin Ladin", entity_type="individual", birth_year=1957),
        Party(ref="test:2", name="Peak View Logistics Limited"),
        Party(ref="test:3", wallet_address=LAZARUS_ETH.upper().replace("0X", "0x")),
    ]
    run = sanctions_rescreen(list_version_id=second.pk, source=lambda: parties)
    assert run is not None
    assert (run.status, run.total, run.done, run.hits) == (RunStatus.DONE, 3, 3, 2)
    assert sorted(Screening.objects.filter(run=run).values_list("party_ref", flat=True)) == [
        "test:1",
        "test:3",
    ]


def test_a_failing_party_source_fails_the_run_with_the_reason_and_it_can_run_again(tmp_path):
    version, _ = sanctions_list_import(path=list_excerpt(tmp_path), rescreen=True)

    def broken():
        yield Party(ref="test:1", name="Usama bin Ladin", entity_type="individual")
        yield Party(ref="test:2", name="Someone", entity_type="spaceship")

    with pytest.raises(Exception, match="entity_type"):
        sanctions_rescreen(list_version_id=version.pk, source=broken)
    run = ScreeningRun.objects.get(sanctions_list=version)
    assert run.status == RunStatus.FAILED
    assert "entity_type" in run.error
    assert Screening.objects.filter(run=run).count() == 0  # the batch rolled back
    run = sanctions_rescreen(
        list_version_id=version.pk,
        source=lambda: [Party(ref="test:1", name="Usama bin Ladin", entity_type="individual")],
    )
    assert run is not None
    assert (run.status, run.total, run.done, run.hits, run.error) == (
        RunStatus.DONE,
        1,
        1,
        1,
        "",
    )


def test_the_screening_api_is_in_the_schema(client):
    schema = client.get("/api/schema/?format=json")
    operation = json.loads(schema.content)["paths"][URL]["post"]
    assert {"200", "400", "403", "409"} <= set(operation["responses"])
