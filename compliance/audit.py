"""The tamper-evident audit trail and the one helper that moves a status and records why.

Every entry's hash is HMAC-SHA256 under a secret key (AUDIT_HMAC_KEY) over the previous entry's
hash and the entry's canonical JSON, so changing or deleting any past entry breaks every hash after
it, and someone with database access but without the key cannot rebuild a valid chain.
`audit_chain_verify` walks the trail from a stored checkpoint (or from the first entry) to find where.

Keys rotate: each entry records the id of its key, and verification picks the key by id among
AUDIT_HMAC_KEY and AUDIT_HMAC_RETIRED_KEYS. Each verification logs the hash it reached, so a trail
rewritten by someone who holds a key still disagrees with the logs kept off the database.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext

from compliance.models import AuditChainHead, AuditCheckpoint, AuditEvent
from config.errors import Conflict

logger = logging.getLogger(__name__)

GENESIS_HASH = "0" * 64


@lru_cache(maxsize=16)
def audit_key_id(key: str) -> str:
    """The public id of a key that entries record: derived one way, so it does not give the key away."""
    return hmac.new(key.encode(), b"audit key id", hashlib.sha256).hexdigest()[:16]


def _keys() -> dict[str, bytes]:
    """Every key that may have signed an entry, by id; the signing key first."""
    if not settings.AUDIT_HMAC_KEY:
        raise ImproperlyConfigured("Set AUDIT_HMAC_KEY: the audit trail is signed with it.")
    return {
        audit_key_id(key): key.encode()
        for key in [settings.AUDIT_HMAC_KEY, *settings.AUDIT_HMAC_RETIRED_KEYS]
    }


def canonical_json(fields: Mapping[str, Any]) -> str:
    """The one text form of an entry's fields that its hash covers."""
    return json.dumps(fields, sort_keys=True, separators=(",", ":"), cls=DjangoJSONEncoder)


def entry_hash(key: bytes, previous_hash: str, fields: Mapping[str, Any]) -> str:
    """HMAC-SHA256 under `key` of the previous entry's hash and this entry's canonical JSON."""
    return hmac.new(key, (previous_hash + canonical_json(fields)).encode(), hashlib.sha256).hexdigest()


def entry_fields(event: AuditEvent) -> dict[str, Any]:
    """What an entry's hash covers: everything but its own hashes."""
    return {
        "occurred_at": event.occurred_at.isoformat(),
        "actor": event.actor_id,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "from_status": event.from_status,
        "to_status": event.to_status,
        "reason": event.reason,
        "data": event.data,
        "key_id": event.key_id,
    }


def audit_entry(
    *,
    actor: Any,
    action: str,
    obj: models.Model,
    from_status: str = "",
    to_status: str = "",
    reason: str = "",
    data: Mapping[str, Any] | None = None,
) -> AuditEvent:
    """An entry for `obj`, not yet in the chain: `audit_record_many` links, signs and saves it."""
    return AuditEvent(
        occurred_at=timezone.now(),
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        from_status=from_status,
        to_status=to_status,
        reason=reason,
        data=json.loads(json.dumps(dict(data or {}), cls=DjangoJSONEncoder)),
    )


@transaction.atomic
def audit_record_many(events: list[AuditEvent]) -> list[AuditEvent]:
    """Append entries made by `audit_entry` to the chain, in order, with one lock, insert and head update.

    The chain head stays locked until the caller's transaction commits, and every audited write
    waits for it: a long transaction collects its entries and appends them as its last step (see
    `status_transition_many(..., audit=...)`), so the head is held only for the append and the commit.
    """
    if not events:
        return events
    key_id, key = next(iter(_keys().items()))
    head, _ = AuditChainHead.objects.select_for_update().get_or_create(
        pk=1, defaults={"last_hash": GENESIS_HASH}
    )
    previous = head.last_hash
    for event in events:
        event.previous_hash = previous
        event.key_id = key_id
        event.hash = previous = entry_hash(key, previous, entry_fields(event))
    # One INSERT: PostgreSQL numbers the rows in the order given, so ids follow the chain.
    AuditEvent.objects.bulk_create(events)
    head.last_hash = previous
    head.save(update_fields=["last_hash"])
    return events


def audit_record(
    *,
    actor: Any,
    action: str,
    obj: models.Model,
    from_status: str = "",
    to_status: str = "",
    reason: str = "",
    data: Mapping[str, Any] | None = None,
) -> AuditEvent:
    """Append one entry for `obj` in the caller's transaction (the chain head is locked until it commits)."""
    event = audit_entry(
        actor=actor,
        action=action,
        obj=obj,
        from_status=from_status,
        to_status=to_status,
        reason=reason,
        data=data,
    )
    return audit_record_many([event])[0]


@dataclass(frozen=True)
class AuditBreak:
    """Where verification stopped: the first entry altered, or the first entry missing."""

    event_id: int  # the entry whose link or hash fails; for a missing tail, the first id past the end
    missing: tuple[int, int] | None = None  # the first and last id missing before it, if any

    def describe(self) -> str:
        """The finding in words, naming the entry a person looks up first."""
        if self.missing is None:
            return f"entry {self.event_id} was altered, or signed with a key the platform does not know"
        first, last = self.missing
        gone = f"entry {first} is missing" if first == last else f"entries {first} to {last} are missing"
        if self.event_id > last:
            return f"{gone}: entry {self.event_id} does not follow the entry before the gap"
        return f"{gone}: the trail ends before the entry the chain head records"


def audit_chain_check(*, full: bool = False) -> AuditBreak | None:
    """Verify entries after the checkpoint (all of them with `full`), advance it, and say what broke.

    The incremental check trusts what an earlier check passed; only `full` finds an entry altered
    before the checkpoint (beat runs it daily). Ids come from a sequence: a gap the chain still links
    across is an id a rolled-back transaction used, while a gap the chain breaks at is a deleted entry.
    The chain head, read before the walk, names the newest entry, so deleting the last ones shows too.
    """
    keys = _keys()
    with transaction.atomic():
        checkpoint, _ = AuditCheckpoint.objects.select_for_update().get_or_create(
            pk=1, defaults={"last_hash": GENESIS_HASH}
        )
        head = AuditChainHead.objects.values_list("last_hash", flat=True).first() or GENESIS_HASH
        start = checkpoint if not full else AuditCheckpoint(last_hash=GENESIS_HASH)
        last_id, previous = start.last_event_id, start.last_hash
        broken: AuditBreak | None = None
        head_reached = previous == head
        for event in AuditEvent.objects.filter(pk__gt=last_id).order_by("pk").iterator(chunk_size=2000):
            key = keys.get(event.key_id)
            if (
                key is None
                or event.previous_hash != previous
                or not hmac.compare_digest(event.hash, entry_hash(key, previous, entry_fields(event)))
            ):
                gap = event.previous_hash != previous and event.pk > last_id + 1
                broken = AuditBreak(event.pk, (last_id + 1, event.pk - 1) if gap else None)
                break
            last_id, previous = event.pk, event.hash
            head_reached = head_reached or previous == head
        if broken is None and not head_reached:
            broken = AuditBreak(last_id + 1, (last_id + 1, last_id + 1))
        checkpoint.last_event_id = last_id
        checkpoint.last_hash = previous
        checkpoint.verified_at = timezone.now()
        checkpoint.broken_at = broken.event_id if broken else None
        if full and broken is None:
            checkpoint.full_verified_at = checkpoint.verified_at
        checkpoint.save()
    if broken is not None:
        logger.error("The audit trail is broken: %s.", broken.describe())
    logger.info("The audit trail verifies through entry %s, hash %s.", last_id, previous)
    return broken


def audit_chain_verify(*, full: bool = False) -> int | None:
    """Verify the trail as `audit_chain_check` does; the first bad entry's id, or None."""
    broken = audit_chain_check(full=full)
    return broken.event_id if broken else None


def status_transition(
    obj: models.Model,
    *,
    to: str,
    transitions: Mapping[Any, set[Any]],
    actor: Any,
    field: str = "status",
    reason: str = "",
    data: Mapping[str, Any] | None = None,
    extra: Mapping[str, Any] | None = None,
) -> None:
    """Move `obj.<field>` to `to` if the map allows it and nobody moved it meanwhile; audit the move."""
    status_transition_many(
        [obj], to=to, transitions=transitions, actor=actor, field=field, reason=reason, data=data, extra=extra
    )


def status_transition_many(
    objects: list[Any],
    *,
    to: str,
    transitions: Mapping[Any, set[Any]],
    actor: Any,
    field: str = "status",
    reason: str = "",
    data: Mapping[str, Any] | None = None,
    extra: Mapping[str, Any] | None = None,
    data_for: Callable[[Any], Mapping[str, Any]] | None = None,
    audit: list[AuditEvent] | None = None,
) -> None:
    """`status_transition` for many objects of one model: one conditional UPDATE per current status.

    All or nothing: a status the map does not allow, or a row someone moved meanwhile, raises Conflict
    (the caller's transaction rolls back). Entries are appended at once, or added to `audit` for the
    caller to append with `audit_record_many` as the last step of its transaction. `data_for(obj)`
    gives per-object data merged over `data`.
    """
    if not objects:
        return
    model = type(objects[0])
    groups: dict[Any, list[Any]] = {}
    for obj in objects:
        groups.setdefault(getattr(obj, field), []).append(obj)
    for current in groups:
        if to not in transitions.get(current, set()):
            label = model._meta.verbose_name
            raise Conflict(
                gettext("This %(label)s is %(replace)s; it cannot become %(replace2)s.")
                % {"label": label, "replace": current.replace("_", " "), "replace2": to.replace("_", " ")}
            )
    changes = {field: to, **(extra or {})}
    if any(f.name == "updated_at" for f in model._meta.get_fields()):
        changes["updated_at"] = timezone.now()
    entries: list[AuditEvent] = []
    with transaction.atomic():
        for current, members in groups.items():
            ids = [obj.pk for obj in members]
            moved = model._default_manager.filter(pk__in=ids, **{field: current}).update(**changes)
            if moved != len(ids):
                changed = "this record" if len(objects) == 1 else "these records"
                raise Conflict(
                    gettext("Someone else changed %(changed)s just now; reload and try again.")
                    % {"changed": changed}
                )
            for obj in members:
                for name, value in changes.items():
                    setattr(obj, name, value)
                entries.append(
                    audit_entry(
                        actor=actor,
                        action=f"{field}:{to}",
                        obj=obj,
                        from_status=current,
                        to_status=to,
                        reason=reason,
                        data={**(data or {}), **(data_for(obj) if data_for else {})},
                    )
                )
        if audit is None:
            audit_record_many(entries)
        else:
            audit.extend(entries)
