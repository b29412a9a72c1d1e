"""Where uploaded files live: a directory of content-addressed-by-uuid files.

Names on disk are random; the user's file name is only kept in the database and is never
used to build a path.
"""

from __future__ import annotations

import hashlib
import os
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from cases.errors import N_, ValidationError

# Extension → content types we accept for evidence, filings and correspondence.
ALLOWED_TYPES: dict[str, str] = {
    ".pdf": "application/pdf",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".tif": "image/tiff",
    ".tiff": "image/tiff",
    ".doc": "application/msword",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xls": "application/vnd.ms-excel",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".txt": "text/plain",
    ".mp3": "audio/mpeg",
    ".m4a": "audio/mp4",
    ".wav": "audio/wav",
    ".zip": "application/zip",
}
# Leading bytes that the content of some types must start with.
_MAGIC: dict[str, tuple[bytes, ...]] = {
    ".pdf": (b"%PDF",),
    ".png": (b"\x89PNG\r\n\x1a\n",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".docx": (b"PK\x03\x04",),
    ".xlsx": (b"PK\x03\x04",),
    ".zip": (b"PK\x03\x04",),
}


@dataclass(frozen=True)
class StoredFile:
    stored_name: str
    content_type: str
    size: int
    sha256: str


def check_upload(filename: str, data: bytes, *, max_bytes: int) -> str:
    """The content type for an acceptable upload, or a ``ValidationError`` saying why not."""
    ext = os.path.splitext(filename)[1].lower()
    if ext not in ALLOWED_TYPES:
        raise ValidationError.single(
            "file", N_("Files of type “%(ext)s” are not accepted"), ext=ext or "?"
        )
    if not data:
        raise ValidationError.single("file", N_("The file is empty"))
    if len(data) > max_bytes:
        raise ValidationError.single(
            "file", N_("The file is larger than %(mb)s MB"), mb=max_bytes // (1024 * 1024)
        )
    magic = _MAGIC.get(ext)
    if magic and not data.startswith(magic):
        raise ValidationError.single(
            "file", N_("The file's content does not match its type “%(ext)s”"), ext=ext
        )
    return ALLOWED_TYPES[ext]


class FileStore:
    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)

    def _path(self, stored_name: str) -> Path:
        if not stored_name.replace("-", "").isalnum():
            raise ValueError("bad stored name")
        return self.root / stored_name[:2] / stored_name

    def save(self, data: bytes, content_type: str) -> StoredFile:
        name = uuid.uuid4().hex
        path = self._path(name)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        return StoredFile(name, content_type, len(data), hashlib.sha256(data).hexdigest())

    def save_with(self, write: Callable[[BinaryIO], None], content_type: str) -> StoredFile:
        """Store what ``write`` writes to the open file (for large files built in place)."""
        name = uuid.uuid4().hex
        path = self._path(name)
        path.parent.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        with path.open("w+b") as fh:
            write(fh)
            fh.seek(0)
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                digest.update(chunk)
            size = fh.tell()
        return StoredFile(name, content_type, size, digest.hexdigest())

    def read(self, stored_name: str) -> bytes:
        return self._path(stored_name).read_bytes()

    def path(self, stored_name: str) -> Path:
        return self._path(stored_name)
