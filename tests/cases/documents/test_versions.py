"""Uploaded versions of the document templates: what is refused and why, which version is in
use, and that generated documents name it (``cases/documents/versions.py``)."""

from __future__ import annotations

import io
import struct
import zipfile
from datetime import date

import pytest
import sqlalchemy as sa
from docx import Document

from cases.documents import catalog, versions
from cases.documents.bulk import start_run
from cases.documents.generate import bulk_generator, generate_document
from cases.documents.versions import TemplateVersion, upload_version
from cases.errors import PermissionDenied, ValidationError
from cases.timeline.models import Attachment
from cases.timeline.storage import FileStore
from cases.users.models import Role

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")

NAME = "lawyer_letter"
SHIPPED = catalog.get(NAME).path.read_bytes()
GREETING = "致：{{ debtor.name }}"  # a paragraph of the shipped letter
FIELDS = {
    "letter_no": "〔2026〕金诚律函字第12号",
    "pay_by": "2026-12-10",
    "lawyers": ["李明"],
    "bank_account": "中国工商银行上海分行 1001 2345 6789",
}
ON = date(2026, 11, 23)


def variant(old: str, new: str, data: bytes = SHIPPED) -> bytes:
    """The shipped letter with ``old`` replaced by ``new`` in its body."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            member = source.read(info.filename)
            if info.filename == "word/document.xml":
                text = member.decode("utf-8")
                assert old in text
                member = text.replace(old, new).encode("utf-8")
            target.writestr(info, member, compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


SECOND = variant("律 师 函", "律 师 函（第二版）")
THIRD = variant("律 师 函", "律 师 函（第三版）")


def zip_of(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


def text_of(data: bytes) -> str:
    document = Document(io.BytesIO(data))
    cells = [c.text for t in document.tables for r in t.rows for c in r.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


@pytest.fixture
def store(tmp_path) -> FileStore:
    return FileStore(tmp_path / "files")


@pytest.fixture
def admin(make_user):
    return make_user(Role.ADMIN)


@pytest.fixture
def upload(session, admin, store):
    def upload(data: bytes, version: str = "2", **kw):
        return upload_version(session, admin, store, NAME, data, version=version, **kw)

    return upload


def refused(upload, data: bytes, version: str = "2") -> list[str]:
    """The messages on ``file`` (English), first the summary."""
    with pytest.raises(ValidationError) as exc:
        upload(data, version)
    assert set(exc.value.errors) == {"file"}
    return [str(m) for m in exc.value.errors["file"]]


# ---- a good upload -----------------------------------------------------------------------------


def test_a_valid_version_is_kept_and_used(session, upload, store, admin):
    row = upload(SECOND, note="标题加注版次")
    assert (row.name, row.version, row.note, row.is_active) == (NAME, "2", "标题加注版次", True)
    assert row.uploaded_by_id == admin.id
    assert store.read(row.stored_name) == SECOND
    assert (row.size, len(row.sha256)) == (len(SECOND), 64)
    info = versions.current(session, NAME, store=store)
    assert (info.version, info.path) == ("2", store.path(row.stored_name))
    assert info.title == catalog.get(NAME).title  # the rest is the shipped metadata


def test_only_admins_upload(session, make_user, store):
    legal = make_user(Role.LEGAL)
    with pytest.raises(PermissionDenied):
        upload_version(session, legal, store, NAME, SECOND, version="2")


# ---- the package -------------------------------------------------------------------------------


def test_not_a_zip(upload):
    assert refused(upload, b"%PDF-1.4 not a template") == [
        "The file is not a Word document (.docx)"
    ]
    assert refused(upload, b"PK\x03\x04 but then nothing") == [
        "The file is not a Word document (.docx)"
    ]


def test_empty_and_too_large(upload):
    assert refused(upload, b"") == ["Choose a .docx file to upload"]
    too_large = b"PK\x03\x04" + b"\x00" * versions.MAX_BYTES
    assert refused(upload, too_large) == ["The file is larger than 5 MB"]


def test_a_zip_without_document_xml(upload):
    data = zip_of({"[Content_Types].xml": b"<Types/>", "word/other.xml": b"<x/>"})
    assert refused(upload, data) == [
        "The file has no word/document.xml: it is not a Word document (.docx)"
    ]


def no_inflating(monkeypatch) -> None:
    """From now on, fail the test if any zip member is opened (decompressed)."""

    def opened(self, name, *args, **kwargs):
        raise AssertionError(f"{name} was decompressed")

    monkeypatch.setattr(zipfile.ZipFile, "open", opened)


def test_a_zip_bomb_member_is_refused_unopened(upload, monkeypatch):
    bomb = zip_of({"word/document.xml": b"<w:document/>", "word/media/a.bin": bytes(30 * 2**20)})
    assert len(bomb) < 100_000
    no_inflating(monkeypatch)
    (message,) = refused(upload, bomb)
    assert message.startswith("The part “word/media/a.bin” is compressed")
    assert message.endswith("refused as a possible zip bomb")


def test_a_member_declaring_a_huge_size_is_refused_unopened(upload, monkeypatch):
    forged = bytearray(SHIPPED)
    entry = forged.find(b"PK\x01\x02")  # the first central-directory entry
    struct.pack_into("<I", forged, entry + 24, 0xFFFF_0000)  # its uncompressed size: 4 GB
    no_inflating(monkeypatch)
    (message,) = refused(upload, bytes(forged))
    assert "refused as a possible zip bomb" in message


def test_many_moderate_members_expanding_too_far(upload, monkeypatch):
    monkeypatch.setattr(versions, "MAX_UNCOMPRESSED", 2 * 2**20)
    members = {"word/document.xml": b"<w:document/>"}
    members.update({f"word/media/{i}.bin": bytes(200 * 1024) for i in range(12)})
    data = zip_of(members)
    no_inflating(monkeypatch)
    (message,) = refused(upload, data)
    assert message == (
        "The file would expand to 3 MB, more than the 2 MB allowed: refused as a possible zip bomb"
    )


# ---- the Jinja inside --------------------------------------------------------------------------


def test_a_jinja_syntax_error_names_its_line(upload):
    summary, problem = refused(upload, variant(GREETING, "致：{{ debtor.name | }}"))
    assert summary == "The template was not accepted: 1 problem(s) found"
    assert problem.startswith("Template syntax error (document body, line ")
    assert ": “致：{{ debtor.name | }}" in problem  # the paragraph as Word shows it
    assert problem.endswith("”): expected token 'name', got 'end of print statement'")


def test_an_undeclared_variable_is_named_with_the_nearest_ones(upload):
    summary, problem = refused(upload, variant(GREETING, "致：{{ debtr.name }}"))
    assert problem.startswith("Unknown variable “debtr” (document body, line ")
    assert problem.endswith("; did you mean “debtor”?")
    _, field = refused(upload, variant(GREETING, "致：{{ debtor.nmae }}"))
    assert field.startswith("“debtor” has no field “nmae”")
    assert field.endswith("did you mean “name”?")


def test_every_problem_is_listed(upload):
    data = variant(GREETING, "致：{{ debtr.name }}{{ totals.total_due|yaun }}{{ nothing_like_it }}")
    summary, *problems = refused(upload, data)
    assert summary == "The template was not accepted: 3 problem(s) found"
    assert [p.split(" (")[0] for p in problems] == [
        "Unknown variable “debtr”",
        "Unknown filter “yaun”",
        "Unknown variable “nothing_like_it”",
    ]


@pytest.mark.parametrize(
    "jinja",
    [
        "{{ debtor.__class__.__mro__ }}",
        "{{ debtor['__class__'] }}",
        "{{ claims.append(1) }}",
        "{{ claims[0].principal.as_integer_ratio.__self__ }}",
    ],
)
def test_what_the_sandbox_forbids_is_refused(upload, jinja):
    summary, *problems = refused(upload, variant(GREETING, f"致：{jinja}"))
    assert any("forbid" in p for p in problems), problems


@pytest.mark.parametrize(
    "jinja",
    ["{{ 'x' * 999999999 }}", "{{ 10 ** 10 ** 10 }}", "{{ '%999999999s'|format(1) }}"],
)
def test_what_could_build_huge_values_is_refused_before_compiling(upload, jinja):
    """Jinja folds constants while compiling, outside the sandbox's reach."""
    _, problem = refused(upload, variant(GREETING, f"致：{jinja}"))
    assert problem.startswith("Arithmetic or formatting that can build huge values")


def test_a_template_failing_on_sample_data_is_refused(upload):
    _, problem = refused(upload, variant(GREETING, "致：{{ claims[0].principal + debtor }}"))
    assert problem.startswith("The template fails when filled with sample data: TypeError")


def test_include_and_macros_are_refused(upload):
    _, problem = refused(upload, variant(GREETING, "致：{% include 'other.docx' %}"))
    assert problem.startswith("“include” is not supported in document templates")


# ---- version numbers ---------------------------------------------------------------------------


def test_the_version_must_increase(upload):
    with pytest.raises(ValidationError) as exc:
        upload(SECOND, "1")  # the shipped version is 1
    assert [str(m) for m in exc.value.errors["version"]] == [
        "The version must be greater than 1, the latest of this template"
    ]
    assert upload(SECOND, "02").version == "2"
    with pytest.raises(ValidationError) as exc:
        upload(THIRD, "2")
    assert "version" in exc.value.errors
    assert upload(THIRD, "5").version == "5"


@pytest.mark.parametrize("version", ["", "abc", "2.1", "-3", "0", "２"])
def test_the_version_is_a_whole_number(upload, version):
    with pytest.raises(ValidationError) as exc:
        upload(SECOND, version)
    assert [str(m) for m in exc.value.errors["version"]] == [
        "The version is a whole number, such as 2"
    ]


def test_a_bad_version_and_a_bad_file_are_reported_together(upload):
    with pytest.raises(ValidationError) as exc:
        upload(b"nonsense", "1")
    assert set(exc.value.errors) == {"version", "file"}


def test_versions_that_are_not_numbers_cannot_be_compared(session, upload, monkeypatch):
    from dataclasses import replace

    shipped = catalog.get(NAME)
    monkeypatch.setattr(catalog, "get", lambda name: replace(shipped, version="2026a"))
    with pytest.raises(ValidationError) as exc:
        upload(SECOND, "3")
    assert [str(m) for m in exc.value.errors["version"]] == [
        "Version 2026a of this template is not a whole number: "
        "a new version cannot be compared with it"
    ]
    assert versions.next_version(session, NAME) == ""


# ---- which version is in use ---------------------------------------------------------------------


@pytest.fixture
def case(make_case, make_user, make_firm):
    legal = make_user(Role.LEGAL)
    return legal, make_case(actor=legal, firm=make_firm("金诚律师事务所"))


def _generate(session, case, store):
    legal, row = case
    doc = generate_document(session, legal, row, store, NAME, on=ON, fields=FIELDS)
    attachment = session.get(Attachment, doc.attachment_id)
    return doc, attachment, text_of(store.read(attachment.stored_name))


def test_activating_switches_what_generation_uses(session, upload, admin, store, case):
    second = upload(SECOND, activate=False)
    doc, attachment, text = _generate(session, case, store)
    assert doc.template_version == "1"
    assert "律 师 函（第二版）" not in text

    versions.activate(session, admin, second.id)
    doc, attachment, text = _generate(session, case, store)
    assert (doc.template_version, doc.revision) == ("2", 2)
    assert "-v2-" in attachment.original_name  # the file names the version it used
    assert "律 师 函（第二版）" in text
    assert "〔2026〕金诚律函字第12号" in text

    versions.use_shipped(session, admin, NAME)
    doc, _, text = _generate(session, case, store)
    assert doc.template_version == "1"
    assert "律 师 函（第二版）" not in text


def test_old_versions_stay_downloadable(session, upload, admin, store):
    second = upload(SECOND)
    third = upload(THIRD, "3")
    assert [r.version for r in versions.versions(session, NAME)] == ["3", "2"]
    assert (second.is_active, third.is_active) == (False, True)
    assert store.read(second.stored_name) == SECOND
    assert versions.get_version(session, NAME, second.id) is second
    versions.activate(session, admin, second.id)
    assert (second.is_active, third.is_active) == (True, False)
    assert versions.current(session, NAME, store=store).version == "2"
    assert versions.next_version(session, NAME) == "4"
    assert versions.active_versions(session) == {NAME: second}


def test_the_database_allows_one_active_version_per_template(session, upload):
    second = upload(SECOND)
    third = upload(THIRD, "3")
    savepoint = session.begin_nested()
    second.is_active = True
    with pytest.raises(sa.exc.IntegrityError):
        session.flush()
    savepoint.rollback()
    session.refresh(third)
    assert third.is_active


def test_the_bulk_generator_prepares_each_version_once(
    session, upload, admin, store, case, monkeypatch
):
    from cases.documents import generate as module

    legal, row = case
    second = upload(SECOND, activate=False)
    run = start_run(
        session,
        legal,
        template=NAME,
        template_version="1",
        title="律师函",
        case_ids=[row.id],
        fields=FIELDS,
    )
    calls = []
    real = module.prepare
    monkeypatch.setattr(module, "prepare", lambda path: calls.append(path) or real(path))
    generate = bulk_generator(store, on=ON)
    assert generate(session, legal, row, run).template_version == "1"
    assert generate(session, legal, row, run).template_version == "1"
    versions.activate(session, admin, second.id)
    assert generate(session, legal, row, run).template_version == "2"
    assert generate(session, legal, row, run).template_version == "2"
    assert calls == [catalog.get(NAME).path, store.path(second.stored_name)]


def test_unknown_templates_and_versions(session, upload, store):
    from cases.errors import NotFound

    second = upload(SECOND)
    with pytest.raises(NotFound):
        versions.current(session, "no_such_template", store=store)
    with pytest.raises(NotFound):
        versions.get_version(session, "complaint", second.id)  # another template's version
    assert session.get(TemplateVersion, second.id).name == NAME
