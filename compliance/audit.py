"""The tamper-evident audit trail and the one helper that moves a status and records why.

Every entry's hash is SHA-256 over the previous entry's hash and the entry's canonical JSON, so
changing or deleting any past entry breaks every hash after it (`audit_chain_verify` finds where).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.utils import timezone

from compliance.models import AuditChainHead, AuditEvent
from config.errors import Conflict

GENESIS_HASH = "0" * 64


def _digest(previous_hash: str, fields: Mapping[str, Any]) -> str:
    canonical = json.dumps(fields, sort_keys=True, separators=(",", ":"), cls=DjangoJSONEncoder)
    return hashlib.sha256((previous_hash + canonical).encode()).hexdigest()


def _fields(event: AuditEvent) -> dict[str, Any]:
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
    }


@transaction.atomic
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
    """Append one entry for `obj` in the caller's transaction."""
    head, _ = AuditChainHead.objects.select_for_update().get_or_create(
        pk=1, defaults={"last_hash": GENESIS_HASH}
    )
    event = AuditEvent(
        occurred_at=timezone.now(),
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        from_status=from_status,
        to_status=to_status,
        reason=reason,
        data=json.loads(json.dumps(dict(data or {}), cls=DjangoJSONEncoder)),
        previous_hash=head.last_hash,
    )
    event.hash = _digest(head.last_hash, _fields(event))
    event.save()
    head.last_hash = event.hash
    head.save(update_fields=["last_hash"])
    return event


def audit_chain_verify() -> int | None:
    """The id of the first entry whose hash does not match (None when the whole trail is intact)."""
    previous = GENESIS_HASH
    for event in AuditEvent.objects.order_by("pk").iterator():
        if event.previous_hash != previous or event.hash != _digest(previous, _fields(event)):
            return event.pk
        previous = event.hash
    return None


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
    current = getattr(obj, field)
    if to not in transitions.get(current, set()):
        label = obj._meta.verbose_name
        raise Conflict(
            f"This {label} is {current.replace('_', ' ')}; it cannot become {to.replace('_', ' ')}."
        )
    changes = {field: to, **(extra or {})}
    if any(f.name == "updated_at" for f in obj._meta.get_fields()):
        changes["updated_at"] = timezone.now()
    with transaction.atomic():
        moved = type(obj)._default_manager.filter(pk=obj.pk, **{field: current}).update(**changes)
        if moved != 1:
            raise Conflict("Someone else changed this record just now; reload and try again.")
        for name, value in changes.items():
            setattr(obj, name, value)
        audit_record(
            actor=actor,
            action=f"{field}:{to}",
            obj=obj,
            from_status=current,
            to_status=to,
            reason=reason,
            data=data,
        )
