"""Case attachments: PDF, PNG or JPEG, at most 5 MB, type checked by content, stored outside the web root."""
from __future__ import annotations

import hashlib
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _

from institutions.errors import ValidationFailed

MAX_BYTES = 5 * 1024 * 1024
# What a file's first bytes must be for each accepted type, and the names it may carry.
SIGNATURES = {
    "application/pdf": (b"%PDF-", (".pdf",)),
    "image/png": (b"\x89PNG\r\n\x1a\n", (".png",)),
    "image/jpeg": (b"\xff\xd8\xff", (".jpg", ".jpeg")),
}


@dataclass(frozen=True)
class StoredFile:
    """What the database keeps of a stored attachment."""

    filename: str
    content_type: str
    size: int
    sha256: str
    storage_key: str


def storage_root() -> Path:
    """The folder holding attachments: CASE_FILES_DIR, or instance/case_files (never under static/)."""
    root = Path(current_app.config.get("CASE_FILES_DIR") or os.path.join(current_app.instance_path, "case_files"))
    root.mkdir(parents=True, exist_ok=True)
    return root


def sniff(data: bytes) -> str | None:
    """The type the content really is, by its first bytes, or None."""
    for content_type, (magic, _names) in SIGNATURES.items():
        if data.startswith(magic):
            return content_type
    return None


def check(filename: str, data: bytes, field: str = "file") -> str:
    """The content type of an acceptable attachment; a refusal naming the field otherwise."""
    name = os.path.basename(filename or "").strip()
    if not name or not data:
        raise ValidationFailed(_("Choose a file to attach."), field=field)
    if len(data) > MAX_BYTES:
        raise ValidationFailed(_("%(name)s is larger than 5 MB.", name=name), field=field)
    content_type = sniff(data)
    if content_type is None:
        raise ValidationFailed(_("%(name)s is not a PDF, PNG or JPEG file.", name=name), field=field)
    if not name.lower().endswith(SIGNATURES[content_type][1]):
        raise ValidationFailed(_("%(name)s is not what its name says: its content is %(type)s.",
                                 name=name, type=content_type), field=field)
    return content_type


def store(filename: str, data: bytes, field: str = "file") -> StoredFile:
    """Check then write an attachment under a random key; returns what to record."""
    content_type = check(filename, data, field)
    key = secrets.token_hex(24)
    (storage_root() / key).write_bytes(data)
    return StoredFile(filename=os.path.basename(filename)[:200], content_type=content_type, size=len(data),
                      sha256=hashlib.sha256(data).hexdigest(), storage_key=key)


def read(storage_key: str) -> bytes:
    """An attachment's bytes (the caller has checked who may read it)."""
    if not storage_key.isalnum():
        raise ValueError("bad storage key")
    return (storage_root() / storage_key).read_bytes()
