"""Settlement seen as it runs; staff retry or write off an allotment that cannot settle."""

from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.choices import Role
from accounts.tests.factories import UserFactory
from compliance.models import AuditEvent
from config.errors import Conflict, PermissionDenied, ValidationFailed
from financing.agreements import accepted_versions
from financing.choices import AllotmentStatus, OfferingStatus, SubscriptionStatus
from financing.models import Allotment, Offering, Subscription
from financing.selectors import SETTLEMENT_FAILURES_PAGE_SIZE
from financing.services import allotment_write_off, offering_close, subscription_create
from financing.tests.test_views import offering_of
from tests import flows
from tokens import chain as tokens_chain
from tokens.choices import ChainTxStatus, ContractKind, WalletKind
from tokens.models import ChainTransaction, Wallet
from tokens.selectors import payment_balance, platform_contract, platform_wallet, token_balance

REASON = "The investor identity was revoked after due diligence lapsed; no settlement is possible."


def _registry(chain):
    """The identity registry's functions, sent as the platform's registrar (impersonated on anvil)."""
    registrar = platform_wallet(WalletKind.REGISTRAR).address
    chain.provider.make_request("anvil_impersonateAccount", [registrar])
    registry = platform_contract(ContractKind.IDENTITY_REGISTRY)
    return tokens_chain.contract("IdentityRegistry", registry.address).functions, {"from": registrar}


@pytest.fixture
def failed_round(platform, chain):
    """A bond of 100 units closed with two investors of 30: one settled, one the token refused (revoked)."""
    officer, operator = flows.officer(), flows.operator()
    company = flows.verified_company(by=officer)
    offering = flows.open_offering(company=company, by=officer, opener=operator, units=100, minimum_units=20)
    keeps = flows.approved_investor(by=officer, funds=Decimal("100000"))
    revoked = flows.approved_investor(by=officer, funds=Decimal("100000"))
    subscription_create(user=keeps, offering_id=offering.pk, units=30, **accepted_versions())
    subscription_create(user=revoked, offering_id=offering.pk, units=30, **accepted_versions())
    functions, sender = _registry(chain)
    functions.revokeIdentity(flows.profile_of(revoked).wallet.address).transact(sender)
    offering_close(actor=operator, offering_id=offering.pk)
    failed = Allotment.objects.get(subscription__investor=revoked)
    assert failed.status == AllotmentStatus.FAILED
    return operator, offering, failed, revoked


def _escrow(offering: Offering, subscription_id: int) -> list:
    settlement = platform_contract(ContractKind.SETTLEMENT).address
    return tokens_chain.call("Settlement", settlement, "escrowOf", offering.token.address, subscription_id)


def test_writing_off_a_failed_allotment_refunds_the_investor_and_completes_the_offering(failed_round):
    operator, offering, failed, revoked = failed_round
    wallet = flows.profile_of(revoked).wallet.address
    assert Offering.objects.get(pk=offering.pk).status != OfferingStatus.SETTLED
    assert payment_balance(wallet) == Decimal("70000.00")

    allotment_write_off(actor=operator, allotment_id=failed.pk, reason=REASON)

    failed.refresh_from_db()
    assert failed.status == AllotmentStatus.WRITTEN_OFF
    assert failed.write_off_reason == REASON
    subscription = Subscription.objects.get(pk=failed.subscription_id)
    assert subscription.status == SubscriptionStatus.RELEASED
    assert subscription.refund_transaction.status == "confirmed"
    assert subscription.refunded_at is not None
    # The whole escrow went back through the outbox, and no token was issued to the investor.
    assert payment_balance(wallet) == Decimal("100000.00")
    assert _escrow(offering, subscription.pk)[1] == 0
    assert token_balance(offering.token, wallet) == 0
    assert Offering.objects.get(pk=offering.pk).status == OfferingStatus.SETTLED
    event = AuditEvent.objects.get(
        object_type="financing.allotment", object_id=str(failed.pk), to_status="written_off"
    )
    assert (event.actor, event.reason, event.from_status) == (operator, REASON, "failed")
    assert AuditEvent.objects.filter(
        object_type="financing.subscription",
        object_id=str(subscription.pk),
        to_status="released",
        reason=REASON,
    ).exists()


def _snapshot(allotment: Allotment) -> tuple:
    subscription = Subscription.objects.get(pk=allotment.subscription_id)
    return (
        Allotment.objects.filter(pk=allotment.pk).values_list("status", "write_off_reason").get(),
        (subscription.status, subscription.refund_transaction_id),
        Offering.objects.get(pk=allotment.offering_id).status,
        ChainTransaction.objects.count(),
        AuditEvent.objects.count(),
    )


def test_a_write_off_by_anyone_but_staff_without_a_reason_or_of_an_allotment_not_failed_changes_nothing(
    failed_round,
):
    operator, offering, failed, revoked = failed_round
    settled = Allotment.objects.exclude(pk=failed.pk).get(offering=offering)
    before, before_settled = _snapshot(failed), _snapshot(settled)

    with pytest.raises(PermissionDenied):
        allotment_write_off(actor=revoked, allotment_id=failed.pk, reason=REASON)
    with pytest.raises(PermissionDenied):
        allotment_write_off(
            actor=offering.application.company.representative, allotment_id=failed.pk, reason=REASON
        )
    for blank in ("", "   "):
        with pytest.raises(ValidationFailed) as refused:
            allotment_write_off(actor=operator, allotment_id=failed.pk, reason=blank)
        assert "reason" in refused.value.fields
    with pytest.raises(Conflict, match="Only a failed settlement"):
        allotment_write_off(actor=operator, allotment_id=settled.pk, reason=REASON)

    assert _snapshot(failed) == before
    assert _snapshot(settled) == before_settled


def test_staff_retry_and_write_off_through_the_api(failed_round, client):
    operator, offering, failed, revoked = failed_round
    settled = Allotment.objects.exclude(pk=failed.pk).get(offering=offering)
    client.force_login(operator)
    listed = client.get(f"/api/v1/offerings/{offering.pk}/allotments/")
    assert listed.status_code == 200
    by_id = {row["id"]: row for row in listed.json()["results"]}
    assert listed.json()["count"] == 2
    assert by_id[failed.pk]["status"] == "failed"
    assert "not verified on the identity registry" in by_id[failed.pk]["failure_reason"]
    assert by_id[settled.pk]["tx_hash"].startswith("0x")
    assert by_id[settled.pk]["units"] == 30
    assert by_id[settled.pk]["amount"] == "30000.00"

    # Still refused by the token: the retry changes nothing and says why.
    retry = client.post(f"/api/v1/allotments/{failed.pk}/retry/", content_type="application/json")
    assert retry.status_code == 409
    assert "not verified" in retry.json()["detail"]
    assert Allotment.objects.get(pk=failed.pk).status == AllotmentStatus.FAILED

    missing = client.post(f"/api/v1/allotments/{failed.pk}/write-off/", {}, content_type="application/json")
    assert missing.status_code == 400
    assert "reason" in missing.json()
    done = client.post(
        f"/api/v1/allotments/{failed.pk}/write-off/", {"reason": REASON}, content_type="application/json"
    )
    assert done.status_code == 200
    assert done.json()["status"] == "written_off"
    assert done.json()["write_off_reason"] == REASON
    again = client.post(
        f"/api/v1/allotments/{failed.pk}/write-off/", {"reason": REASON}, content_type="application/json"
    )
    assert again.status_code == 409
    detail = client.get(f"/api/v1/offerings/{offering.pk}/").json()
    assert detail["status"] == "settled"
    assert detail["settlement"] == {
        "total": 2,
        "settled": 1,
        "pending": 0,
        "failed": 0,
        "written_off": 1,
        "settled_units": 30,
    }

    client.force_login(revoked)
    portfolio = client.get("/api/v1/portfolio/").json()
    mine = next(s for s in portfolio["subscriptions"] if s["offering_id"] == offering.pk)
    assert mine["status"] == "released"
    assert mine["allotment"]["status"] == "written_off"
    assert mine["allotment"]["write_off_reason"] == REASON
    page = client.get(reverse("financing:investor_dashboard"))
    assert REASON in page.content.decode()
    assert "Your payment was refunded to your wallet." in page.content.decode()


def test_a_retry_after_the_cause_is_fixed_settles_and_completes_the_offering(failed_round, chain, client):
    operator, offering, failed, revoked = failed_round
    profile = flows.profile_of(revoked)
    functions, sender = _registry(chain)
    functions.registerIdentity(profile.wallet.address, 344, 1, 2**40).transact(sender)

    client.force_login(operator)
    retried = client.post(f"/api/v1/allotments/{failed.pk}/retry/", content_type="application/json")

    assert retried.status_code == 200, retried.content
    assert Allotment.objects.get(pk=failed.pk).status == AllotmentStatus.SETTLED
    assert token_balance(offering.token, profile.wallet.address) == 30
    assert Offering.objects.get(pk=offering.pk).status == OfferingStatus.SETTLED


def test_staff_see_the_failure_with_its_reason_and_write_it_off_from_the_page(failed_round, client):
    operator, offering, failed, revoked = failed_round
    client.force_login(operator)
    page = client.get(reverse("financing:offering_detail", args=[offering.pk]))
    html = page.content.decode()
    assert "1 of 2</strong> allotments settled" in html
    assert "1 failed" in html
    assert revoked.full_name in html
    assert "not verified on the identity registry" in html
    assert reverse("financing:allotment_retry", args=[failed.pk]) in html
    assert reverse("financing:allotment_write_off", args=[failed.pk]) in html
    assert f"This refunds HK$30,000.00 to {revoked.full_name} and cannot be undone." in html
    assert "· closed " in html
    assert "Closes " not in html

    url = reverse("financing:allotment_write_off", args=[failed.pk])
    refused = client.post(url, {"reason": ""})
    assert refused.status_code == 400
    assert "Reason for the write-off: This field is required." in refused.content.decode()
    assert Allotment.objects.get(pk=failed.pk).status == AllotmentStatus.FAILED

    done = client.post(url, {"reason": REASON})
    assert done.status_code == 302
    after = client.get(reverse("financing:offering_detail", args=[offering.pk])).content.decode()
    assert "Written off: " + REASON in after
    assert 'hx-trigger="every 2s"' not in after  # settled: the page stops refreshing itself


# --- chain-free: the progress part's queries do not grow with allotments ---------------------------


def _allotted_offering(count: int, *, failed_every: int = 3) -> Offering:
    """A closed offering with `count` allotments written directly: every `failed_every`th failed, the
    rest half settled, half pending."""
    offering = offering_of(status=OfferingStatus.SETTLING)
    Offering.objects.filter(pk=offering.pk).update(closed_at=timezone.now())
    users = get_user_model().objects.bulk_create(
        [
            get_user_model()(
                email=f"investor{offering.pk}-{i}@example.com", full_name=f"Investor {i}", role=Role.INVESTOR
            )
            for i in range(count)
        ]
    )
    subscriptions = Subscription.objects.bulk_create(
        [
            Subscription(
                offering=offering,
                investor=user,
                units=1,
                amount=offering.unit_price,
                status=SubscriptionStatus.ALLOTTED,
                authorised_until=timezone.now(),
            )
            for user in users
        ]
    )
    statuses = [AllotmentStatus.SETTLED, AllotmentStatus.PENDING]
    Allotment.objects.bulk_create(
        [
            Allotment(
                subscription=subscription,
                offering=offering,
                units=1,
                amount=offering.unit_price,
                payment_base_units=offering.unit_price * 10**6,
                status=AllotmentStatus.FAILED if i % failed_every == 0 else statuses[i % 2],
                failure_reason="The token refused it." if i % failed_every == 0 else "",
            )
            for i, subscription in enumerate(subscriptions)
        ]
    )
    offering.refresh_from_db()
    return offering


def _queries(client, url: str, **headers) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, headers=headers)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("role", [Role.OPERATOR, Role.SME, Role.INVESTOR])
def test_the_progress_part_runs_the_same_queries_for_10_and_200_allotments(client, db, role):
    counts = {}
    for size in (10, 200):
        offering = _allotted_offering(size)
        user = offering.application.company.representative if role == Role.SME else UserFactory(role=role)
        client.force_login(user)
        detail = reverse("financing:offering_detail", args=[offering.pk])
        counts[size] = (
            _queries(client, detail, **{"HX-Request": "true", "X-Poll": "true"}),
            _queries(
                client, reverse("financing:offering_progress", args=[offering.pk]), **{"X-Poll": "true"}
            ),
            _queries(client, detail),
        )
    assert counts[10] == counts[200], counts


def test_the_progress_part_shows_counts_a_page_of_failures_and_polls_while_settling(client, db):
    offering = _allotted_offering(66)
    client.force_login(UserFactory(role=Role.OFFICER))
    detail = reverse("financing:offering_detail", args=[offering.pk])
    live = client.get(detail, headers={"HX-Request": "true"})
    html = live.content.decode()
    # 66 allotments: 22 failed (every third), the other 44 alternate settled / pending.
    assert "<strong>22 of 66</strong> allotments settled (33%)" in html
    assert "22 still to settle" in html
    assert "22 failed" in html
    assert 'hx-trigger="every 2s"' in html
    assert '"X-Poll": "true"' in html
    assert html.count("/write-off/") == SETTLEMENT_FAILURES_PAGE_SIZE
    assert "Page 1 of 2" in html
    # The part refreshes the page of failures being read.
    second = client.get(detail + "?page=2", headers={"HX-Request": "true"}).content.decode()
    assert "?page=2" in second

    part = client.get(reverse("financing:offering_progress", args=[offering.pk])).content.decode()
    assert 'hx-trigger="every 2s"' in part
    assert "Investor" not in part  # the compact part shows counts, not names

    Allotment.objects.filter(offering=offering, status=AllotmentStatus.PENDING).update(
        status=AllotmentStatus.SETTLED
    )
    done = client.get(reverse("financing:offering_progress", args=[offering.pk])).content.decode()
    assert "hx-trigger" not in done
    assert "Nothing is settling any more; 22 allotments failed" in done


def test_an_investor_sees_only_counts_and_never_the_other_investors(client, db):
    offering = _allotted_offering(10)
    client.force_login(UserFactory(role=Role.INVESTOR))
    html = client.get(reverse("financing:offering_detail", args=[offering.pk])).content.decode()
    assert "allotments settled" in html
    assert "Investor 0" not in html
    assert "/write-off/" not in html


def test_the_sme_dashboard_loads_the_live_progress_of_a_closed_offering(client, db):
    offering = _allotted_offering(10)
    client.force_login(offering.application.company.representative)
    html = client.get(reverse("issuers:dashboard")).content.decode()
    assert reverse("financing:offering_progress", args=[offering.pk]) in html
    assert "Closes " not in html.split("Offerings</h2>")[1]


def test_while_allotting_the_part_says_the_allotments_are_being_checked_and_when_done_lists_nothing_left(
    client, db
):
    offering = _allotted_offering(6, failed_every=100)  # the first failed, 2 settled, 3 pending
    Offering.objects.filter(pk=offering.pk).update(status=OfferingStatus.ALLOTTING)
    client.force_login(UserFactory(role=Role.OPERATOR))
    part = reverse("financing:offering_progress", args=[offering.pk])
    allotting = client.get(part).content.decode()
    assert "3 still to settle" in allotting
    assert "Units allotted to 6 subscriptions; each is checked against the token's rules" in allotting
    assert 'aria-valuetext="2 of 6 allotments settled"' in allotting
    assert "awaiting confirmation" not in allotting

    # Two of the pending allotments' transaction is signed and sent: the part says so.
    wallet = Wallet.objects.create(address="0x" + "ab" * 20, kind=WalletKind.SETTLER, label="settler")
    sent = ChainTransaction.objects.create(
        intent="settle_batch",
        idempotency_key="settle:sent",
        signer=wallet,
        chain_id=31337,
        to_address="0x" + "cd" * 20,
        data="0x",
        status=ChainTxStatus.SENT,
        nonce=0,
        tx_hash="0x" + "ef" * 32,
    )
    pending = Allotment.objects.filter(offering=offering, status=AllotmentStatus.PENDING).order_by("pk")
    Allotment.objects.filter(pk__in=list(pending.values_list("pk", flat=True)[:2])).update(
        chain_transaction=sent
    )
    Offering.objects.filter(pk=offering.pk).update(status=OfferingStatus.SETTLING)
    settling = client.get(part).content.decode()
    assert "3 still to settle (2 sent, awaiting confirmation)" in settling
    assert "checked against the token" not in settling

    Allotment.objects.filter(offering=offering).update(status=AllotmentStatus.SETTLED)
    Offering.objects.filter(pk=offering.pk).update(status=OfferingStatus.SETTLED)
    done = client.get(part).content.decode()
    assert "Settlement is complete: every allotment settled on chain." in done
    assert "still to settle" not in done
    assert "nothing pending" not in done
    assert "checked against the token" not in done


def test_closing_an_offering_from_its_page_asks_first(client, db):
    offering = offering_of(status=OfferingStatus.OPEN)
    client.force_login(UserFactory(role=Role.OPERATOR))
    html = client.get(reverse("financing:offering_detail", args=[offering.pk])).content.decode()
    assert f'data-confirm-title="Close {offering.reference} · ' in html
    assert "This cannot be undone." in html
