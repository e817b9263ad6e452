"""Read the emails the locmem backend kept (`django.core.mail.outbox`)."""

import re

from django.core import mail

CONFIRM_PATH = re.compile(r"/accounts/confirm/(?!resend/)([^/\s]+)/")


def emails_to(address: str) -> list[mail.EmailMessage]:
    return [message for message in mail.outbox if address in message.to]


def confirmation_token_sent_to(address: str) -> str:
    """The token of the latest confirmation link emailed to `address`."""
    for message in reversed(emails_to(address)):
        found = CONFIRM_PATH.search(message.body)
        if found:
            return found.group(1)
    raise AssertionError(f"no confirmation link was emailed to {address}")
