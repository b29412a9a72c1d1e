"""Uploading files to a case and downloading them again."""

from __future__ import annotations

import io
from urllib.parse import quote

import pytest
from sqlmodel import select

from cases.audit.models import AuditEntry
from cases.timeline.models import Attachment
from cases.users.models import Role
from tests.webapp.casefile_html import count, errors, flashes, section

PDF = b"%PDF-1.4\n1 0 obj << >> endobj\n%%EOF\n"


def upload(client, case_id: int, *files: tuple[bytes, str]):
    return client.post(
        f"/cases/{case_id}/attachments",
        content_type="multipart/form-data",
        data={"file": [(io.BytesIO(data), name) for data, name in files]},
    )


def stored_files(app) -> list:
    root = app.extensions["qingshou_files"].root
    return [path for path in root.rglob("*") if path.is_file()]


def test_upload_then_download_a_file_with_a_chinese_name(client, login_as, make_case, session, app):
    case = make_case()
    legal = login_as(Role.LEGAL)

    response = upload(client, case.id, (PDF, "民事判决书（2026）.pdf"))

    assert response.status_code == 303
    assert response.headers["Location"] == f"/cases/{case.id}#documents"
    attachment = session.exec(select(Attachment).where(Attachment.case_id == case.id)).one()
    assert (
        attachment.original_name,
        attachment.content_type,
        attachment.size,
        attachment.uploaded_by_id,
        attachment.event_id,
    ) == ("民事判决书（2026）.pdf", "application/pdf", len(PDF), legal.id, None)
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "已上传 1 个文件。" in flashes(page)
    documents = section(page, "documents")
    assert f'href="/cases/{case.id}/attachments/{attachment.id}"' in documents
    assert f"{len(PDF)} B<" in documents

    with client.get(f"/cases/{case.id}/attachments/{attachment.id}") as download:
        assert download.status_code == 200
        assert download.data == PDF
        assert download.mimetype == "application/pdf"
        assert download.headers["X-Content-Type-Options"] == "nosniff"
        disposition = download.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert f"filename*=UTF-8''{quote('民事判决书（2026）.pdf')}" in disposition
    assert "private" in download.headers["Cache-Control"]


def test_several_files_at_once_and_path_names_are_cut_to_the_file_name(
    client, login_as, make_case, session
):
    case = make_case()
    login_as(Role.LEGAL)

    response = upload(
        client, case.id, (PDF, "扫描件/借款合同.pdf"), (b"plain notes", "../../etc/说明.txt")
    )

    assert response.status_code == 303
    names = session.exec(
        select(Attachment.original_name)
        .where(Attachment.case_id == case.id)
        .order_by(Attachment.id)
    ).all()
    assert names == ["借款合同.pdf", "说明.txt"]
    assert "已上传 2 个文件。" in flashes(client.get(f"/cases/{case.id}").get_data(as_text=True))


BAD_FILES = [
    pytest.param(b"MZ\x90\x00", "工具.exe", "不接受“.exe”类型的文件", id="disallowed-type"),
    pytest.param(
        b"<html><script>alert(1)</script>", "page.html", "不接受“.html”类型的文件", id="html"
    ),
    pytest.param(b"no extension", "README", "不接受“?”类型的文件", id="no-extension"),
    pytest.param(
        b"<html>not a pdf</html>",
        "判决书.pdf",
        "文件内容与类型“.pdf”不符",
        id="content-not-matching-type",
    ),
    pytest.param(b"GIF89a", "照片.png", "文件内容与类型“.png”不符", id="png-that-is-a-gif"),
    pytest.param(b"", "空文件.pdf", "文件为空", id="empty"),
]


@pytest.mark.parametrize(("data", "name", "message"), BAD_FILES)
def test_a_bad_file_is_refused_in_chinese_and_nothing_is_kept(
    client, login_as, make_case, session, app, data, name, message
):
    case = make_case()
    login_as(Role.LEGAL)
    before = (count(session, Attachment), count(session, AuditEntry))

    response = upload(client, case.id, (data, name))

    assert response.status_code == 422
    assert errors(section(response.get_data(as_text=True), "upload")) == {"file": [message]}
    assert (count(session, Attachment), count(session, AuditEntry)) == before
    assert stored_files(app) == []


def test_one_bad_file_refuses_the_whole_upload(client, login_as, make_case, session, app):
    case = make_case()
    login_as(Role.LEGAL)

    response = upload(client, case.id, (PDF, "好.pdf"), (b"MZ", "坏.exe"))

    assert response.status_code == 422
    assert count(session, Attachment) == 0
    assert stored_files(app) == []


def test_posting_without_a_file_asks_for_one(client, login_as, make_case, session):
    case = make_case()
    login_as(Role.LEGAL)

    response = client.post(f"/cases/{case.id}/attachments", data={})

    assert response.status_code == 422
    assert errors(section(response.get_data(as_text=True), "upload")) == {
        "file": ["请选择要上传的文件"]
    }


def test_a_file_over_the_upload_limit_is_refused(client, login_as, make_case, session, app):
    app.config["MAX_UPLOAD_BYTES"] = 2**20
    case = make_case()
    login_as(Role.LEGAL)

    response = upload(client, case.id, (PDF + b"0" * 2**20, "大文件.pdf"))

    assert response.status_code == 422
    assert errors(section(response.get_data(as_text=True), "upload")) == {"file": ["文件超过 1 MB"]}
    assert count(session, Attachment) == 0
    assert stored_files(app) == []


def test_a_request_over_the_body_limit_gets_413_in_chinese(
    client, login_as, make_case, session, app
):
    app.config["MAX_CONTENT_LENGTH"] = 4096
    case = make_case()
    login_as(Role.LEGAL)

    response = upload(client, case.id, (PDF + b"0" * 8192, "巨大.pdf"))

    assert response.status_code == 413
    assert "上传文件过大。" in response.get_data(as_text=True)
    assert count(session, Attachment) == 0


def test_counsel_uploads_and_downloads_on_their_firms_case(
    client, login_as, make_case, make_firm, session
):
    firm = make_firm()
    case = make_case(firm=firm)
    counsel = login_as(Role.COUNSEL, firm=firm)

    assert upload(client, case.id, (PDF, "代理词.pdf")).status_code == 303

    attachment = session.exec(select(Attachment).where(Attachment.case_id == case.id)).one()
    assert attachment.uploaded_by_id == counsel.id
    with client.get(f"/cases/{case.id}/attachments/{attachment.id}") as download:
        assert download.status_code == 200
        assert download.data == PDF


@pytest.mark.parametrize("role", [Role.FINANCE, Role.MANAGEMENT])
def test_finance_and_management_download_but_do_not_upload(
    client, login_as, make_case, session, app, role
):
    case = make_case()
    login_as(Role.LEGAL)
    upload(client, case.id, (PDF, "对账单.pdf"))
    attachment = session.exec(select(Attachment).where(Attachment.case_id == case.id)).one()
    login_as(role)

    assert upload(client, case.id, (PDF, "再来一份.pdf")).status_code == 403
    with client.get(f"/cases/{case.id}/attachments/{attachment.id}") as download:
        assert download.status_code == 200
    assert count(session, Attachment) == 1


def test_counsel_of_another_firm_cannot_download(client, login_as, make_case, make_firm, session):
    firm = make_firm()
    case = make_case(firm=firm)
    login_as(Role.COUNSEL, firm=firm)
    upload(client, case.id, (PDF, "保全裁定.pdf"))
    attachment = session.exec(select(Attachment).where(Attachment.case_id == case.id)).one()
    login_as(Role.COUNSEL, firm=make_firm())

    assert client.get(f"/cases/{case.id}/attachments/{attachment.id}").status_code == 404
    assert upload(client, case.id, (PDF, "x.pdf")).status_code == 404
    assert count(session, Attachment) == 1
