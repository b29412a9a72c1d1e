"""The write-off packet on the web: the PDF (embedded font, every part), the zip in one click,
who may have them, and the case's old packet URL now printing its latest application."""

from __future__ import annotations

import csv
import hashlib
import io
import zipfile
from urllib.parse import quote

import pytest
from pypdf import PdfReader

from cases.money import rmb_upper
from cases.users.models import Role, User
from tests.cases.writeoff_packet_world import FILES, OPINION, REJECTION, build_packet_world


@pytest.fixture
def world(app, session, make_case, make_user, make_firm):
    firm = make_firm()
    case = make_case(firm=firm)
    legal = session.get(User, case.created_by_id)
    built = build_packet_world(
        session,
        app.extensions["qingshou_files"],
        case,
        legal=legal,
        finance=make_user(Role.FINANCE, name="钱财务"),
        boss=make_user(Role.MANAGEMENT, name="孙总"),
    )
    session.commit()
    built.firm = firm
    return built


def pdf_text(data: bytes) -> tuple[str, set[str]]:
    reader = PdfReader(io.BytesIO(data))
    text = "".join(page.extract_text() for page in reader.pages)
    fonts = {
        str(font.get_object()["/BaseFont"])
        for page in reader.pages
        for font in page["/Resources"]["/Font"].values()
    }
    return text, fonts


def test_the_packet_pdf_has_every_part_in_chinese_with_the_font_embedded(client, login_as, world):
    login_as(Role.MANAGEMENT)
    response = client.get(f"/writeoffs/{world.application.id}/packet.pdf")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.headers["Cache-Control"] == "private, no-store"
    name = f"{world.case.number}-核销申请材料-{world.application.id}.pdf"
    assert quote(name) in response.headers["Content-Disposition"]
    text, fonts = pdf_text(response.data)
    assert any("Qingshou" in font for font in fonts)  # the embedded serif
    compact = text.replace("\n", "").replace(" ", "")
    for expected in (
        # cover
        "核销申请材料",
        world.case.number,
        "测试债务人",
        "人民币" + rmb_upper(world.application.amount),
        "国家税务总局公告2011年第25号",
        "第二十二条第（三）项",
        # the parts
        "核销申请表",
        "案件摘要",
        "案件进展",
        "清收回款记录",
        "证据清单",
        "核销审批单",
        # the form: reason detail and legal opinion
        "法院裁定终结本次执行程序",
        "债权已无法收回",
        # timeline and recovery history
        "电话催收，债务人称无力偿还",
        "核销后收回",
        # evidence index: the files as uploaded
        "购销合同（2024）第7号.pdf",
        "终本裁定.jpg",
        "执行裁定书原件",
        hashlib.sha256(FILES["report"][1]).hexdigest()[:16],
        # approval sheet: names, decisions, the reason for returning it, times in Beijing
        "钱财务",
        "孙总",
        REJECTION,
        "2026-03-0310:10",
        "2026-03-1015:45",
    ):
        assert expected in compact, expected


def test_the_zip_holds_the_pdf_evidence_opinion_and_manifest(client, login_as, world):
    login_as(Role.FINANCE)
    response = client.get(f"/writeoffs/{world.application.id}/packet.zip")
    assert response.status_code == 200
    assert response.is_streamed
    assert response.mimetype == "application/zip"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert quote(f"{world.case.number}-核销申请材料-{world.application.id}.zip") in disposition
    archive = zipfile.ZipFile(io.BytesIO(response.get_data()))
    assert archive.testzip() is None
    names = archive.namelist()
    pdf_name = f"{world.case.number}-核销申请材料-{world.application.id}.pdf"
    assert names[0] == pdf_name
    assert archive.read(pdf_name).startswith(b"%PDF-")
    assert names[1:-1] == [
        "evidence/01-contract-购销合同（2024）第7号.pdf",
        "evidence/02-report-核销申请报告.docx",
        "evidence/03-judgment-民事判决书.pdf",
        "evidence/04-termination_ruling-终本裁定.jpg",
        "opinion/法律意见书.pdf",
    ]
    assert all(not n.startswith("/") and ".." not in n for n in names)
    assert archive.read("evidence/03-judgment-民事判决书.pdf") == FILES["judgment"][1]
    assert archive.read("opinion/法律意见书.pdf") == OPINION[1]
    manifest = archive.read("index.csv").decode("utf-8-sig")
    header, *rows = list(csv.reader(io.StringIO(manifest)))
    assert header == [
        "编号",
        "内容",
        "文件名",
        "压缩包内路径",
        "大小（字节）",
        "SHA-256 校验值",
        "核对",
    ]
    by_path = {row[3]: row for row in rows if row[3]}
    for path in names[:-1]:
        assert by_path[path][5] == hashlib.sha256(archive.read(path)).hexdigest()
    assert (
        by_path["evidence/01-contract-购销合同（2024）第7号.pdf"][6]
        == "已收入；与上传时记录的校验值一致"
    )


@pytest.mark.parametrize("role", [Role.ADMIN, Role.LEGAL, Role.FINANCE, Role.MANAGEMENT])
@pytest.mark.parametrize("suffix", ["pdf", "zip"])
def test_every_role_with_the_capability_gets_the_packet(client, login_as, world, role, suffix):
    login_as(role)
    assert client.get(f"/writeoffs/{world.application.id}/packet.{suffix}").status_code == 200


@pytest.mark.parametrize("suffix", ["pdf", "zip"])
def test_counsel_get_no_packet(client, login_as, make_user, make_firm, world, suffix):
    url = f"/writeoffs/{world.application.id}/packet.{suffix}"
    login_as(make_user(Role.COUNSEL, firm=world.firm))
    assert client.get(url).status_code == 403  # they see the case, not its write-off
    login_as(make_user(Role.COUNSEL, firm=make_firm()))
    assert client.get(url).status_code == 404  # another firm's case: not even its existence
    login_as(Role.MANAGEMENT)
    assert client.get(f"/writeoffs/{world.application.id + 999}/packet.{suffix}").status_code == 404


def test_anonymous_visitors_are_sent_to_log_in(client, world):
    response = client.get(f"/writeoffs/{world.application.id}/packet.zip")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_the_cases_packet_url_prints_its_latest_application(
    client, login_as, make_user, make_firm, world
):
    url = f"/cases/{world.case.id}/writeoff-packet.pdf"
    login_as(Role.LEGAL)
    response = client.get(url)
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/writeoffs/{world.application.id}/packet.pdf")
    assert client.get(response.headers["Location"]).status_code == 200
    login_as(make_user(Role.COUNSEL, firm=world.firm))
    assert client.get(url).status_code == 403
    login_as(make_user(Role.COUNSEL, firm=make_firm()))
    assert client.get(url).status_code == 404
