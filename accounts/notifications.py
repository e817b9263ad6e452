"""Notifications: `notify` is the one way a change tells the people it concerns (under the bell and by email).

Call it inside the transaction that makes the change: the rows are written with it (a rolled-back change
notifies nobody) and the emails are handed to the mail backend only after the commit, through a task
(`accounts.tasks.notifications_email`; the beat's sweep sends any a lost task left behind). Many
recipients cost one read of their users (done by the caller) and one bulk insert, never a query each.

Title and body are translatable texts with `%(name)s` placeholders, written in each recipient's language
(`config.i18n.language_of`: the user's stored choice, else the site's) with `params` plus the recipient's own
`per_recipient[user.pk]` figures.
"""

from __future__ import annotations

import logging
import smtplib
from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core import mail
from django.db import transaction
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.functional import Promise

from accounts.models import Notification, User
from config.errors import NotFound
from config.i18n import language_of
from config.tasks import enqueue_on_commit

logger = logging.getLogger(__name__)

# Emails a lost task left unsent are sent by the sweep only this long after the change (older ones are
# history: the bell still shows them).
EMAIL_SWEEP_WINDOW = timedelta(days=2)
EMAIL_BATCH = 500


def _language(user: User) -> str:
    return language_of(user)


def _text(template: str | Promise, values: Mapping[str, Any]) -> str:
    text = str(template)
    if not values:
        return text
    return text % {key: str(value) if isinstance(value, Promise) else value for key, value in values.items()}


def notify(
    recipients: User | Iterable[User],
    *,
    kind: str,
    title: str | Promise,
    body: str | Promise = "",
    link: str = "",
    params: Mapping[str, Any] | None = None,
    per_recipient: Mapping[int, Mapping[str, Any]] | None = None,
) -> list[Notification]:
    """Tell each recipient (once, however often listed) about a change; emails follow the commit."""
    users = [recipients] if isinstance(recipients, User) else list(recipients)
    unique: dict[int, User] = {}
    for user in users:
        if user is not None and user.is_active:
            unique.setdefault(user.pk, user)
    if not unique:
        return []
    by_language: dict[str, list[User]] = defaultdict(list)
    for user in unique.values():
        by_language[_language(user)].append(user)
    now = timezone.now()
    rows: list[Notification] = []
    for language, group in by_language.items():
        with translation.override(language):
            shared = {**(params or {})}
            same_text = None if per_recipient else (_text(title, shared), _text(body, shared))
            for user in group:
                if same_text is None:
                    values = {**shared, **(per_recipient or {}).get(user.pk, {})}
                    texts = (_text(title, values), _text(body, values))
                else:
                    texts = same_text
                rows.append(
                    Notification(
                        recipient=user,
                        kind=kind,
                        title=texts[0][:300],
                        body=texts[1],
                        link=link,
                        created_at=now,
                    )
                )
    created = Notification.objects.bulk_create(rows, batch_size=1000)
    from accounts.tasks import notifications_email  # the task module imports this one

    enqueue_on_commit(notifications_email, ids=[row.pk for row in created])
    return created


def notifications_email_send(*, ids: Iterable[int] | None = None) -> int:
    """Email the given notifications not emailed yet (all recent ones when `ids` is None); returns how many.

    Safe to run twice: each is marked when handed to the backend, and a marked one is never sent again.
    """
    pending = Notification.objects.filter(emailed_at__isnull=True).select_related("recipient")
    if ids is None:
        pending = pending.filter(created_at__gte=timezone.now() - EMAIL_SWEEP_WINDOW)
    else:
        pending = pending.filter(pk__in=list(ids))
    sent = 0
    site = settings.SITE_URL.rstrip("/")
    while batch := list(pending.order_by("pk")[:EMAIL_BATCH]):
        messages = []
        for notification in batch:
            user = notification.recipient
            with translation.override(_language(user)):
                text = render_to_string(
                    "accounts/email/notification.txt",
                    {
                        "user": user,
                        "notification": notification,
                        "url": site + notification.link if notification.link else "",
                        "settings_url": site + "/accounts/notifications/",
                        "platform": settings.PLATFORM_NAME,
                    },
                )
            messages.append(mail.EmailMessage(notification.title, text, None, [user.email]))
        try:
            with mail.get_connection() as connection:
                connection.send_messages(messages)
        except (OSError, smtplib.SMTPException):
            # The mail server is away: the rows stay unsent and the sweep tries again; the change stands.
            logger.exception("sending %s notification emails failed; the sweep retries", len(messages))
            break
        Notification.objects.filter(pk__in=[n.pk for n in batch]).update(emailed_at=timezone.now())
        sent += len(batch)
    return sent


# Reads and marks of the recipient's own notifications.


def notifications_of(user: User) -> QuerySet[Notification]:
    """The user's notifications, newest first (nobody else's, whoever asks)."""
    return Notification.objects.filter(recipient=user).order_by("-created_at", "-pk")


def unread_count(user: User) -> int:
    """How many of the user's notifications are unread (the bell's figure)."""
    if not user.is_authenticated:
        return 0
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


@transaction.atomic
def notification_mark_read(*, user: User, notification_id: int) -> Notification:
    """Mark one of the user's notifications read (again is harmless); another's is not found."""
    notification = Notification.objects.select_for_update().filter(pk=notification_id, recipient=user).first()
    if notification is None:
        raise NotFound("No such notification.")
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


@transaction.atomic
def notifications_mark_all_read(*, user: User) -> int:
    """Mark every unread notification of the user read; returns how many changed."""
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(read_at=timezone.now())
