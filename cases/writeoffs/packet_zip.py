"""The write-off packet's zip: the PDF, the evidence files and a manifest, written as sent.

``zip_plan`` lists what the zip holds: the packet PDF, every evidence file under
``evidence/NN-<item>-<file name>`` (NN: the number in the PDF's evidence index), the legal
opinion's file under ``opinion/``, and last a manifest ``index.csv`` (UTF-8 with BOM for Excel;
a cell that would start a formula gets a ``'``, ``cases.delivery.bulk.text_cell``) with the
size and SHA-256 of every file as written, checked against the checksum recorded at upload.
A file the store has lost is listed as missing rather than breaking the zip halfway.

``stream_zip`` writes the zip chunk by chunk while it is sent: each file is read from the store
as it is copied in, never whole into memory, and nothing is written to disk. Names come from
``packet.safe_name``: Chinese kept, nothing that leaves its folder.
"""

from __future__ import annotations

import csv
import hashlib
import io
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from cases.base import business_time, utcnow
from cases.delivery.bulk import text_cell
from cases.errors import N_
from cases.timeline.storage import FileStore
from cases.writeoffs.packet import FileRef, Packet, safe_name

FILE_OK = N_("Included; checksum as recorded at upload")
FILE_CHANGED = N_("Included; CHECKSUM DIFFERS from the one recorded at upload")
FILE_MISSING = N_("MISSING from the file store: not included")
FILE_MADE = N_("Made for this packet")
FILE_ON_PAPER = N_("No file: evidence kept on paper")


# Already compressed: stored as they are rather than deflated again.
STORED_TYPES = frozenset(
    {
        "image/jpeg",
        "image/png",
        "application/zip",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "audio/mpeg",
        "audio/mp4",
    }
)
CHUNK = 1 << 16


def _cell(value: object) -> str:
    return text_cell("" if value is None else str(value))


@dataclass(frozen=True)
class ZipMember:
    """One file of the zip: bytes in hand (the PDF) or a file of the store (read as sent)."""

    path: str
    data: bytes | None = None
    source: Path | None = None
    size: int = 0
    recorded_sha256: str | None = None
    content_type: str = "application/octet-stream"
    modified: datetime | None = None


@dataclass(frozen=True)
class ManifestRow:
    no: str
    what: str  # translated
    name: str  # the file's own name
    path: str | None  # in the zip; None when nothing could be included
    member: ZipMember | None
    note: str = ""  # translated: why nothing is included


@dataclass(frozen=True)
class ZipPlan:
    members: tuple[ZipMember, ...]
    rows: tuple[ManifestRow, ...]
    header: tuple[str, ...]  # translated column names
    statuses: dict[str, str]  # FILE_* msgid → translated
    manifest_name: str = "index.csv"


MANIFEST_COLUMNS = (
    N_("No."),
    N_("What it is"),
    N_("File name"),
    N_("Path in the zip"),
    N_("Size (bytes)"),
    N_("SHA-256"),
    N_("Check"),
)


def zip_plan(
    packet: Packet,
    store: FileStore,
    pdf: bytes,
    pdf_name: str,
    text: Callable[[str], str] = lambda msgid: msgid,
) -> ZipPlan:
    """What the zip holds, in order; ``text`` translates labels now (the zip is written after
    the request has ended). A file the store lacks is listed as missing, not included."""
    pdf_member = ZipMember(
        safe_name(pdf_name), data=pdf, size=len(pdf), content_type="application/pdf"
    )
    members = [pdf_member]
    packet_label = text(N_("Write-off packet (PDF)"))
    rows = [ManifestRow("", packet_label, pdf_name, pdf_member.path, pdf_member)]
    by_attachment: dict[int, ZipMember] = {}

    def member(ref: FileRef, path: str) -> ZipMember | None:
        if ref.attachment_id in by_attachment:
            return by_attachment[ref.attachment_id]
        source = store.path(ref.stored_name)
        if not source.is_file():
            return None
        made = ZipMember(
            path,
            source=source,
            size=source.stat().st_size,
            recorded_sha256=ref.sha256,
            content_type=ref.content_type,
            modified=ref.uploaded_at,
        )
        by_attachment[ref.attachment_id] = made
        members.append(made)
        return made

    labels = {row.key: text(row.label) for row in packet.index}
    for proof in packet.proofs:
        what = labels[proof.item_key]
        no = f"{proof.no:02d}"
        if proof.file is None:
            title = proof.evidence_title or ""
            rows.append(ManifestRow(no, what, title, None, None, text(FILE_ON_PAPER)))
            continue
        made = member(proof.file, proof.zip_path)
        note = "" if made else text(FILE_MISSING)
        rows.append(ManifestRow(no, what, proof.file.name, made and made.path, made, note))
    if packet.opinion_file is not None:
        ref = packet.opinion_file
        made = member(ref, f"opinion/{safe_name(ref.name)}")
        note = "" if made else text(FILE_MISSING)
        what = text(N_("Legal opinion"))
        rows.append(ManifestRow("", what, ref.name, made and made.path, made, note))
    statuses = {m: text(m) for m in (FILE_OK, FILE_CHANGED, FILE_MADE)}
    return ZipPlan(tuple(members), tuple(rows), tuple(text(c) for c in MANIFEST_COLUMNS), statuses)


class _Sink(io.RawIOBase):
    """Where ``zipfile`` writes: collects bytes until the generator hands them on. Not
    seekable, so ``zipfile`` writes each member's sizes and CRC after its data."""

    def __init__(self) -> None:
        self._chunks: list[bytes] = []
        self.pending = 0

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self._chunks.append(bytes(data))
        self.pending += len(data)
        return len(data)

    def drain(self) -> bytes:
        data = b"".join(self._chunks)
        self._chunks.clear()
        self.pending = 0
        return data


def _zip_time(value: datetime | None) -> tuple[int, int, int, int, int, int]:
    local = business_time(value or utcnow())
    return (max(local.year, 1980), local.month, local.day, local.hour, local.minute, local.second)


def _manifest(plan: ZipPlan, digests: dict[str, tuple[int, str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(plan.header)
    for row in plan.rows:
        if row.member is None:
            size, digest, status = "", "", row.note
        else:
            size, digest = digests[row.member.path]
            recorded = row.member.recorded_sha256
            if recorded is None:
                status = plan.statuses[FILE_MADE]
            else:
                status = plan.statuses[FILE_OK if recorded == digest else FILE_CHANGED]
        writer.writerow(
            [_cell(c) for c in (row.no, row.what, row.name, row.path, size, digest, status)]
        )
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def stream_zip(plan: ZipPlan) -> Iterator[bytes]:
    """The zip of ``plan``, chunk by chunk, each file read from the store as it is written;
    the manifest comes last, with the SHA-256 of the bytes actually written."""
    sink = _Sink()
    digests: dict[str, tuple[int, str]] = {}
    with zipfile.ZipFile(sink, "w", allowZip64=True) as archive:
        for member in plan.members:
            info = zipfile.ZipInfo(member.path, _zip_time(member.modified))
            info.compress_type = (
                zipfile.ZIP_STORED if member.content_type in STORED_TYPES else zipfile.ZIP_DEFLATED
            )
            info.file_size = member.size  # lets zipfile choose ZIP64 for very large files
            digest, size = hashlib.sha256(), 0
            with archive.open(info, "w") as out:
                for chunk in _chunks(member):
                    out.write(chunk)
                    digest.update(chunk)
                    size += len(chunk)
                    if sink.pending >= CHUNK:
                        yield sink.drain()
            digests[member.path] = (size, digest.hexdigest())
        info = zipfile.ZipInfo(plan.manifest_name, _zip_time(None))
        info.compress_type = zipfile.ZIP_DEFLATED
        archive.writestr(info, _manifest(plan, digests))
    yield sink.drain()


def _chunks(member: ZipMember) -> Iterator[bytes]:
    if member.data is not None:
        for start in range(0, len(member.data), CHUNK):
            yield member.data[start : start + CHUNK]
        return
    assert member.source is not None
    with member.source.open("rb") as fh:
        while chunk := fh.read(CHUNK):
            yield chunk
