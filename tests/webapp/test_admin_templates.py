"""Administration of the document templates: the list, a template's versions, uploading a new
version (refused with the problems listed, in Chinese), choosing the version in use, downloads;
admin only."""

from __future__ import annotations

import io

import pytest
from sqlmodel import select

from cases.audit.models import AuditEntry
from cases.documents import catalog
from cases.documents.versions import TemplateVersion
from cases.users.models import Role
from tests.cases.documents.test_versions import GREETING, SECOND, THIRD, variant

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")

NAME = "lawyer_letter"
PAGE = f"/admin/templates/{NAME}"


def post_version(client, data: bytes | None, version: str = "2", **form: str):
    body = {"version": version, "note": "标题加注版次", "activate": "y", **form}
    if data is not None:
        body["file"] = (io.BytesIO(data), "律师函-第二版.docx")
    return client.post(PAGE, data=body, content_type="multipart/form-data")


def versions_of(session) -> list[TemplateVersion]:
    session.expire_all()
    query = select(TemplateVersion).where(TemplateVersion.name == NAME)
    return list(session.exec(query.order_by(TemplateVersion.id)))


def test_the_list_shows_every_template_and_the_version_in_use(client, login_as):
    login_as(Role.ADMIN)
    response = client.get("/admin/templates")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert page.count('data-testid="template-row"') == len(catalog.shipped())
    for info in catalog.shipped():
        assert info.title in page
        assert f'href="/admin/templates/{info.name}"' in page
    assert "文书模板" in page
    assert "代码库版本" in page


def test_a_templates_page_offers_the_next_version(client, login_as):
    login_as(Role.ADMIN)
    response = client.get(PAGE)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "律师函的各版本" in page
    assert 'name="version" value="2"' in page
    assert 'enctype="multipart/form-data"' in page
    assert f'href="/admin/templates/{NAME}/shipped/download"' in page
    assert "debtor" in page  # the variables the template may use


def test_upload_a_version_and_use_it(client, login_as, session):
    admin = login_as(Role.ADMIN)
    response = post_version(client, SECOND)
    assert response.status_code == 303
    assert response.headers["Location"].endswith(PAGE)
    (row,) = versions_of(session)
    assert (row.version, row.note, row.is_active, row.uploaded_by_id) == (
        "2",
        "标题加注版次",
        True,
        admin.id,
    )
    audit = session.exec(select(AuditEntry).where(AuditEntry.entity == "template_version")).all()
    assert [e.actor_id for e in audit] == [admin.id]

    page = client.get(PAGE).get_data(as_text=True)
    assert "律师函第2版已上传，并自即日起使用。" in page
    assert page.count('data-testid="version-row"') == 1
    assert row.sha256[:12] in page
    assert admin.name in page
    assert 'name="version" value="3"' in page
    listing = client.get("/admin/templates").get_data(as_text=True)
    assert "已上传" in listing

    download = client.get(f"{PAGE}/versions/{row.id}/download")
    assert download.status_code == 200
    assert download.data == SECOND
    assert download.headers["Cache-Control"] == "private, no-store"
    shipped = client.get(f"{PAGE}/shipped/download")
    assert shipped.data == catalog.get(NAME).path.read_bytes()


def test_choose_the_version_in_use(client, login_as, session):
    login_as(Role.ADMIN)
    post_version(client, SECOND)
    post_version(client, THIRD, "3")
    second, third = versions_of(session)
    assert (second.is_active, third.is_active) == (False, True)

    response = client.post(f"{PAGE}/versions/{second.id}/activate")
    assert response.status_code == 303
    second, third = versions_of(session)
    assert (second.is_active, third.is_active) == (True, False)
    assert "律师函第2版已启用。" in client.get(PAGE).get_data(as_text=True)

    response = client.post(f"{PAGE}/shipped/activate")
    assert response.status_code == 303
    assert not any(v.is_active for v in versions_of(session))
    page = client.get(PAGE).get_data(as_text=True)
    assert "已改回使用律师函的代码库版本（第1版）。" in page
    # the older versions stay downloadable
    assert client.get(f"{PAGE}/versions/{second.id}/download").data == SECOND
    assert client.get(f"{PAGE}/versions/{third.id}/download").data == THIRD


def test_a_refused_file_lists_its_problems_in_chinese(client, login_as, session):
    login_as(Role.ADMIN)
    response = post_version(client, variant(GREETING, "致：{{ debtr.name }}{{ x|yaun }}"))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'data-testid="template-problems"' in page
    assert "模板未被接受：发现 3 个问题" in page
    assert "未知变量“debtr”（正文，第" in page
    assert "是否应为 “debtor”" in page
    assert "未知过滤器“yaun”" in page
    assert 'value="2"' in page  # what was typed is kept
    assert versions_of(session) == []


def test_a_syntax_error_and_a_zip_bomb_in_chinese(client, login_as):
    login_as(Role.ADMIN)
    page = post_version(client, variant(GREETING, "致：{{ debtor.name | }}")).get_data(as_text=True)
    assert "模板语法错误（正文，第" in page
    bomb = io.BytesIO()
    import zipfile

    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", "<w:document/>")
        archive.writestr("word/media/a.bin", bytes(30 * 2**20))
    response = post_version(client, bomb.getvalue())
    assert response.status_code == 422
    assert "疑似压缩炸弹" in response.get_data(as_text=True)


def test_missing_file_and_bad_version(client, login_as, session):
    login_as(Role.ADMIN)
    response = post_version(client, None, "1")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "请选择要上传的 .docx 文件" in page
    assert "版本号须大于 1（本模板目前的最新版本）" in page
    assert versions_of(session) == []


def test_upload_without_using_it(client, login_as, session):
    login_as(Role.ADMIN)
    response = post_version(client, SECOND, activate="")
    assert response.status_code == 303
    (row,) = versions_of(session)
    assert not row.is_active
    assert "律师函第2版已上传。" in client.get(PAGE).get_data(as_text=True)


def test_unknown_template_or_version_is_404(client, login_as, session):
    login_as(Role.ADMIN)
    post_version(client, SECOND)
    (row,) = versions_of(session)
    assert client.get("/admin/templates/no_such").status_code == 404
    assert client.get(f"/admin/templates/complaint/versions/{row.id}/download").status_code == 404
    assert client.post(f"/admin/templates/complaint/versions/{row.id}/activate").status_code == 404
    assert client.get(f"{PAGE}/versions/{row.id + 1000}/download").status_code == 404


@pytest.mark.parametrize("role", [Role.LEGAL, Role.COUNSEL, Role.FINANCE, Role.MANAGEMENT])
def test_only_admins(client, login_as, session, role):
    login_as(role)
    assert client.get("/admin/templates").status_code == 403
    assert client.get(PAGE).status_code == 403
    assert post_version(client, SECOND).status_code == 403
    assert client.get(f"{PAGE}/shipped/download").status_code == 403
    assert client.post(f"{PAGE}/shipped/activate").status_code == 403
    assert versions_of(session) == []
