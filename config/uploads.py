"""Uploaded evidence files: one check for every upload (size, name, type by content, fingerprint).

KYB documents, investor evidence and answers to requests for information all accept PDF, PNG and
JPEG only, recognised by their first bytes (never by the name or the browser's claimed type), up to
DOCUMENT_MAX_BYTES, and are stored under their SHA-256.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any, TypeVar

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext

from config.errors import ValidationFailed
from config.text import hidden_character, hidden_character_message, megabytes

StoredDocument = TypeVar("StoredDocument", bound=Any)

DOCUMENT_SIGNATURES = {
    "application/pdf": (b"%PDF-",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/jpeg": (b"\xff\xd8\xff",),
}


@dataclass(frozen=True)
class CheckedUpload:
    """An upload that passed the checks, with what is stored about it."""

    name: str
    content_type: str
    size: int
    sha256: str


def checked_upload(upload: UploadedFile, *, field: str = "file") -> CheckedUpload:
    """Check an upload (refusals name `field`) and fingerprint it; the file is left at its start."""
    size = upload.size or 0
    if size == 0:
        raise ValidationFailed(gettext("The file is empty."), fields={field: gettext("The file is empty.")})
    if size > settings.DOCUMENT_MAX_BYTES:
        raise ValidationFailed(
            gettext("The file is too large."),
            fields={
                field: gettext("Files may be at most %(megabytes)s.")
                % {"megabytes": megabytes(settings.DOCUMENT_MAX_BYTES)}
            },
        )
    name = (upload.name or "document")[-255:]
    hidden = hidden_character(name)
    if hidden is not None:
        raise ValidationFailed(
            gettext("Rename the file."),
            fields={
                field: gettext("The file name: %(hidden_character_message)s")
                % {"hidden_character_message": hidden_character_message(hidden)}
            },
        )
    upload.seek(0)
    head = upload.read(16)
    content_type = next(
        (ctype for ctype, magic in DOCUMENT_SIGNATURES.items() if any(head.startswith(m) for m in magic)),
        None,
    )
    if content_type is None:
        raise ValidationFailed(
            gettext("Unsupported file."), fields={field: gettext("Upload a PDF, PNG or JPEG file.")}
        )
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return CheckedUpload(name=name, content_type=content_type, size=size, sha256=digest.hexdigest())


def store_checked(document: StoredDocument, checked: CheckedUpload, upload: UploadedFile) -> StoredDocument:
    """Save `document` (a model with `original_name`, `content_type`, `size`, `sha256` and `file`) with
    what the checks found and the file stored under its SHA-256."""
    document.original_name = checked.name
    document.content_type = checked.content_type
    document.size = checked.size
    document.sha256 = checked.sha256
    document.file.save(checked.sha256, upload, save=False)
    document.save()
    return document
