"""Case attachments: PDF, PNG or JPEG, at most 5 MB, type checked by content, within quotas, written atomically.

Where the bytes live is the deployment's choice (`CASE_FILES_STORAGE`):

- "filesystem" (the default) writes each file under a random key in `CASE_FILES_DIR` (instance/case_files when
  unset), never under static/. A file is written to a temporary name, synced, then renamed into place, so a full
  disk leaves no partial file and the act is refused with a clear message (503). Several machines need a volume
  they all mount.
- "database" keeps the bytes in `case_file_blobs`, in the act's own transaction: nothing to share between
  machines but the database, and a file exists exactly when its document row does.

Either way a file written for an act that is then rolled back is removed again, and a document whose file is gone
answers 404 (and is logged), never 500. Quotas: what one case holds, and what one person sent over the last days.
"""
from __future__ import annotations

import hashlib
import logging
import os
import secrets
from contextlib import suppress
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from extensions import db
from institutions.clock import utcnow
from institutions.errors import DomainError, NotFound, ValidationFailed
from institutions.models import User
from mediation.models import CaseDocument, CaseFileBlob, MediationCase

MAX_BYTES = 5 * 1024 * 1024
MEGABYTE = 1024 * 1024
BACKENDS = ("filesystem", "database")
# What a file's first bytes must be for each accepted type, and the names it may carry.
SIGNATURES = {
    "application/pdf": (b"%PDF-", (".pdf",)),
    "image/png": (b"\x89PNG\r\n\x1a\n", (".png",)),
    "image/jpeg": (b"\xff\xd8\xff", (".jpg", ".jpeg")),
}
# Session.info key: the files this transaction wrote, removed again if it rolls back.
WRITTEN = "mediation.case_files_written"

log = logging.getLogger(__name__)


class QuotaExceeded(ValidationFailed):
    """The files would pass a case's or a person's attachment quota."""

    status = 413
    code = "quota_exceeded"


class StorageFailed(DomainError):
    """The file could not be written (a full disk, a missing volume): nothing was kept, try again later."""

    status = 503
    code = "storage_unavailable"


@dataclass(frozen=True)
class StoredFile:
    """What the database keeps of a stored attachment."""

    filename: str
    content_type: str
    size: int
    sha256: str
    storage_key: str


# --- checks --------------------------------------------------------------------------------------------------------

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


def _megabytes(size: int) -> str:
    return f"{size / MEGABYTE:.1f} MB"


def check_quota(case: MediationCase, actor: User, sizes: list[int], field: str = "file") -> None:
    """Refuse files that would pass the case's quota or the sender's (CASE_FILES_CASE_QUOTA_MB, …_PERSON_QUOTA_MB)."""
    incoming = sum(sizes)
    if not incoming:
        return
    config = current_app.config
    case_quota = int(config.get("CASE_FILES_CASE_QUOTA_MB", 50)) * MEGABYTE
    held = db.session.scalar(select(func.coalesce(func.sum(CaseDocument.size), 0))
                             .where(CaseDocument.case_id == case.id)) if case.id is not None else 0
    if held + incoming > case_quota:
        raise QuotaExceeded(_("This case already holds %(used)s of attachments: with these files it would pass its "
                              "limit of %(quota)s. Send only what the case needs, or fewer pages.",
                              used=_megabytes(held), quota=_megabytes(case_quota)), field=field)
    person_quota = int(config.get("CASE_FILES_PERSON_QUOTA_MB", 100)) * MEGABYTE
    days = int(config.get("CASE_FILES_PERSON_QUOTA_DAYS", 30))
    sent = db.session.scalar(select(func.coalesce(func.sum(CaseDocument.size), 0)).where(
        CaseDocument.uploaded_by_id == actor.id, CaseDocument.uploaded_at >= utcnow() - timedelta(days=days)))
    if sent + incoming > person_quota:
        raise QuotaExceeded(_("You have sent %(used)s of attachments over the last %(days)d days: with these files "
                              "you would pass the limit of %(quota)s per person. Try again later, or send fewer "
                              "files.", used=_megabytes(sent), days=days, quota=_megabytes(person_quota)),
                            field=field)


# --- the backends --------------------------------------------------------------------------------------------------

def backend() -> str:
    """The configured storage: "filesystem" or "database" (anything else is a deployment error, said at once)."""
    name = current_app.config.get("CASE_FILES_STORAGE") or "filesystem"
    if name not in BACKENDS:
        raise RuntimeError(f"CASE_FILES_STORAGE must be one of {', '.join(BACKENDS)}, not {name!r}")
    return name


def storage_root() -> Path:
    """The folder holding attachments on the filesystem: CASE_FILES_DIR, or instance/case_files."""
    root = Path(current_app.config.get("CASE_FILES_DIR") or os.path.join(current_app.instance_path, "case_files"))
    root.mkdir(parents=True, exist_ok=True)
    return root


def _write_atomically(root: Path, key: str, data: bytes) -> Path:
    """Write to a temporary name, sync, rename into place: the file is whole or absent, never partial."""
    final = root / key
    temporary = root / f".{key}.part"
    try:
        with open(temporary, "xb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, final)
    except OSError:
        with suppress(OSError):
            temporary.unlink()
        raise
    return final


def _remember_written(path: Path) -> None:
    db.session.info.setdefault(WRITTEN, []).append(str(path))


@event.listens_for(Session, "after_commit")
def _keep_written(session: Session) -> None:
    session.info.pop(WRITTEN, None)


@event.listens_for(Session, "after_rollback")
def _remove_written(session: Session) -> None:
    # The document rows are gone with the transaction: their files go too, so no orphan stays on the disk.
    for path in session.info.pop(WRITTEN, []):
        with suppress(OSError):
            os.unlink(path)


def _write(key: str, data: bytes) -> None:
    if backend() == "database":
        db.session.add(CaseFileBlob(storage_key=key, data=data, stored_at=utcnow()))
        return
    try:
        _remember_written(_write_atomically(storage_root(), key, data))
    except OSError as error:
        log.error("case file %s could not be written: %s", key, error)
        raise StorageFailed(_("The file could not be stored right now (the storage is full or unavailable); nothing "
                              "was kept. Try again later.")) from error


def store(filename: str, data: bytes, field: str = "file") -> StoredFile:
    """Check then write an attachment under a random key; returns what to record (StorageFailed: nothing kept)."""
    content_type = check(filename, data, field)
    key = secrets.token_hex(24)
    _write(key, data)
    return StoredFile(filename=os.path.basename(filename)[:200], content_type=content_type, size=len(data),
                      sha256=hashlib.sha256(data).hexdigest(), storage_key=key)


def store_all(files: list[tuple[str, bytes]], field: str = "file") -> list[StoredFile]:
    """Write several attachments: all of them, or (on a storage failure) none, the ones already written removed."""
    stored: list[StoredFile] = []
    try:
        for name, data in files:
            stored.append(store(name, data, field))
    except StorageFailed:
        for done in stored:
            delete(done.storage_key)
        raise
    return stored


def delete(storage_key: str) -> None:
    """Remove an attachment's bytes (nothing happens if they are already gone)."""
    if backend() == "database":
        blob = db.session.get(CaseFileBlob, storage_key)
        if blob is not None:
            db.session.delete(blob)
        return
    if storage_key.isalnum():
        with suppress(OSError):
            (storage_root() / storage_key).unlink()


def read(storage_key: str) -> bytes:
    """An attachment's bytes (the caller has checked who may read it); 404 if they are no longer stored."""
    data = None
    if storage_key.isalnum():
        if backend() == "database":
            data = db.session.scalar(select(CaseFileBlob.data).where(CaseFileBlob.storage_key == storage_key))
        else:
            with suppress(FileNotFoundError, IsADirectoryError):
                data = (storage_root() / storage_key).read_bytes()
    if data is None:
        # The document row outlived its file (a lost volume, a storage switched without moving the files).
        log.error("case file %s is missing from the %s storage", storage_key, backend())
        raise NotFound(_("This file is no longer in storage. Ask the platform to restore it."))
    return data
