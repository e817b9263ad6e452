"""Background work of accounts: notification emails."""

from celery import shared_task


@shared_task(acks_late=True)
def notifications_email(*, ids: list[int] | None = None) -> int:
    """Email these notifications (every recent unsent one without `ids`: the beat's sweep); how many."""
    from accounts.notifications import notifications_email_send

    return notifications_email_send(ids=ids)
