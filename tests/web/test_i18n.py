"""Interface language: the switch, how the language is chosen, and complete Thai/Vietnamese catalogs.

The catalog test extracts with babel.cfg itself, so a newly marked string (or a new form or task
title in the required set) without a translation fails here rather than showing English in the
field.
"""

from __future__ import annotations

import os
import re
import shutil
from collections import Counter
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po
from babel.support import Translations

from engine.config import PROJECT_ROOT
from tests.support.web import ADULT_SCREENING, csrf_from
from webapp.i18n import COOKIE, LANGUAGES, SOURCE_DIR, compile_catalogs

# Every form is translated field by field (the set holds them all; a new form joins it).
FULLY_TRANSLATED_FORMS = {path.name for path in (PROJECT_ROOT / "forms").glob("*.json")}
PLACEHOLDER = re.compile(r"%(?:\(\w+\))?[sdif]")


def _switch(client, language: str, next_path: str = "/", page: str = "/"):
    token = csrf_from(client.get(page).text)
    return client.post(
        "/language", data={"language": language, "next": next_path, "csrf_token": token}
    )


def _screening_task(web_engine) -> str:
    started = web_engine.start("identification", actor="first_responder")
    return web_engine.tasks_for("first_responder", case_ref=started.case_ref)[0].id


def _consent_task(web_engine) -> str:
    started = web_engine.start("identification", actor="first_responder")
    screening = web_engine.tasks_for("first_responder", case_ref=started.case_ref)[0]
    web_engine.complete_task(screening.id, actor="first_responder", answers=ADULT_SCREENING)
    return web_engine.tasks_for("caseworker", case_ref=started.case_ref)[0].id


def test_thai_inbox_and_screening_task(web_engine, signed_in):
    task_id = _screening_task(web_engine)
    client = signed_in("first_responder")
    switched = _switch(client, "th", next_path=f"/tasks/{task_id}")
    assert switched.status_code == 302 and switched.headers["Location"] == f"/tasks/{task_id}"
    cookie = switched.headers["Set-Cookie"]
    assert cookie.startswith(f"{COOKIE}=th;")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/" in cookie

    inbox = client.get("/?tab=assigned").text
    assert '<html lang="th">' in inbox
    assert "<h1>กล่องงาน</h1>" in inbox
    assert "การคัดกรองเมื่อพบครั้งแรก" in inbox  # the BPMN task name
    assert "การคัดแยกผู้ที่อาจเป็นผู้เสียหายจากการค้ามนุษย์" in inbox  # the pathway
    assert "ออกจากระบบ" in inbox and "Sign out" not in inbox
    assert "ไม่มีกำหนดเวลา" in inbox and "No due date" not in inbox  # the screening has no due date

    task = client.get(f"/tasks/{task_id}").text
    assert '<html lang="th">' in task
    assert "<h1>การคัดกรองเมื่อพบครั้งแรก</h1>" in task  # task name and form title alike
    assert "คุณพบบุคคลนั้นที่ใด" in task  # a field title
    assert "ตำรวจหรือตรวจคนเข้าเมือง" in task  # an option title
    assert "สัญญาณของการแสวงประโยชน์" in task
    assert "(เมื่อคำตอบของ “ทราบอายุของบุคคลนั้นหรือไม่” คือ ทราบ)" in task  # a condition
    assert "(จำเป็น)" in task and "เสร็จสิ้นงาน" in task and "บันทึกฉบับร่าง" in task
    assert "Where did you meet the person?" not in task


def test_vietnamese_consent_task_with_form_title_errors_and_flash(web_engine, signed_in):
    task_id = _consent_task(web_engine)
    client = signed_in("caseworker")
    _switch(client, "vi")
    inbox = client.get("/?tab=roles").text
    assert '<html lang="vi">' in inbox and "Hộp công việc" in inbox
    assert "Xin sự đồng ý chuyển gửi" in inbox  # "Ask for consent to referral"
    assert "Chưa có người nhận" in inbox and "Nhận việc" in inbox

    claimed = client.post(f"/tasks/{task_id}/claim", data={"csrf_token": csrf_from(inbox)})
    page = client.get(claimed.headers["Location"]).text
    assert "Bạn đã nhận việc “Xin sự đồng ý chuyển gửi”." in page  # the flash message
    assert "<h2>Đồng ý chuyển gửi và chia sẻ thông tin</h2>" in page  # the form's own title
    assert "Có phiên dịch viên tham dự không?" in page
    assert (
        '<label class="option"><input type="radio" id="f-interpreter_present" name="interpreter_present" value="true" > Có</label>'
        in page
    )

    refused = client.post(
        f"/tasks/{task_id}", data={"csrf_token": csrf_from(page), "_action": "complete"}
    )
    assert refused.status_code == 422
    assert "Chưa có gì được lưu. Vui lòng kiểm tra:" in refused.text
    assert "Bắt buộc phải trả lời câu này." in refused.text  # the engine's message, translated


@pytest.mark.parametrize(
    ("accept", "expected", "word"),
    [
        ("th-TH,th;q=0.9,en;q=0.5", "th", "เข้าสู่ระบบ"),
        ("vi-VN, vi;q=0.9", "vi", "Đăng nhập"),
        ("fr-FR,de;q=0.8", "en", "Sign in"),
        ("", "en", "Sign in"),
    ],
)
def test_accept_language_chooses_when_nothing_was_chosen(client, accept, expected, word):
    page = client.get("/signin", headers={"Accept-Language": accept} if accept else {})
    assert f'<html lang="{expected}">' in page.text
    assert f"<h1>{word}</h1>" in page.text


def test_the_chosen_language_beats_the_browser(client):
    client.set_cookie(COOKIE, "en")
    page = client.get("/signin", headers={"Accept-Language": "th"})
    assert '<html lang="en">' in page.text and "<h1>Sign in</h1>" in page.text


@pytest.mark.parametrize("value", ["xx", "TH", "th-TH", "../../etc/passwd", "<script>", ""])
def test_an_unknown_cookie_value_falls_back_to_english(client, value):
    client.set_cookie(COOKIE, value)
    page = client.get("/signin")
    assert '<html lang="en">' in page.text and "<h1>Sign in</h1>" in page.text


def test_anonymous_people_switch_on_the_sign_in_page(client):
    page = client.get("/signin?next=/tasks/abc")
    assert 'action="/language"' in page.text  # the switch is on the sign-in page
    assert 'name="next" value="/signin?next=/tasks/abc"' in page.text
    switched = _switch(client, "vi", next_path="/signin?next=/tasks/abc", page="/signin")
    assert switched.status_code == 302  # the pre-session CSRF token is accepted
    assert switched.headers["Location"] == "/signin?next=/tasks/abc"
    assert "<h1>Đăng nhập</h1>" in client.get("/signin").text


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example",
        "//evil.example/",
        "https://evil.example/",
        "/\\evil.example",
        "\\\\evil.example",
        "evil.example",
        "javascript:alert(1)",
        "/\r\nSet-Cookie: x=1",
        "",
    ],
)
def test_the_switch_only_returns_to_this_site(client, target):
    switched = _switch(client, "th", next_path=target, page="/signin")
    assert switched.status_code == 302
    assert switched.headers["Location"] == "/"


def test_an_unknown_language_changes_nothing(client):
    switched = _switch(client, "fr", page="/signin")
    assert switched.status_code == 302
    assert COOKIE not in switched.headers.get("Set-Cookie", "")


def test_the_switch_needs_its_csrf_token(client, signed_in):
    for who in (client, signed_in("caseworker")):
        who.get("/signin")
        refused = who.post("/language", data={"language": "th", "next": "/"})
        assert refused.status_code == 400
        assert COOKIE not in refused.headers.get("Set-Cookie", "")
        forged = who.post("/language", data={"language": "th", "csrf_token": "0" * 64})
        assert forged.status_code == 400


def test_the_cookie_is_secure_behind_https(web_engine):
    from webapp.app import create_app

    client = create_app(web_engine, secure_cookies=True).test_client()
    switched = _switch(client, "th", page="/signin")
    assert "Secure" in switched.headers["Set-Cookie"]


# -- catalogs ---------------------------------------------------------------------------------


def _required_msgids() -> set[str]:
    """Everything babel.cfg extracts, except the field texts of forms not yet translated."""
    with (PROJECT_ROOT / "webapp" / "babel.cfg").open() as mapping:
        method_map, options_map = parse_mapping_cfg(mapping)
    keywords = {**DEFAULT_KEYWORDS, "lazy_gettext": None}
    required = set()
    for filename, _, message, comments, _ in extract_from_dir(
        str(PROJECT_ROOT), method_map, options_map, keywords=keywords
    ):
        path = Path(filename)
        partly = path.parts[0] == "forms" and path.name not in FULLY_TRANSLATED_FORMS
        if partly and "form title" not in comments:
            continue
        required.add(message[0] if isinstance(message, tuple) else message)
    return required


def _catalog(language: str):
    with (SOURCE_DIR / language / "LC_MESSAGES" / "messages.po").open("rb") as po:
        return read_po(po, locale=language)


def test_the_required_set_covers_templates_forms_and_tasks():
    required = _required_msgids()
    assert {"Inbox", "Add another", "Sign in", "Done: “%(task)s” for %(case)s."} <= required
    assert {
        "First-contact screening",
        "Ask for consent to referral",
        "Travel documents",
    } <= required
    assert "Where did you meet the person?" in required  # screening.json, field by field
    assert len([m for m in required if m]) > 250


@pytest.mark.parametrize("language", [code for code in LANGUAGES if code != "en"])
def test_every_required_string_is_translated(language):
    catalog = _catalog(language)
    missing = sorted(
        msgid
        for msgid in _required_msgids()
        if not (entry := catalog.get(msgid)) or not entry.string or entry.fuzzy
    )
    assert missing == [], f"{len(missing)} untranslated in {language}: {missing[:20]}"


@pytest.mark.parametrize("language", [code for code in LANGUAGES if code != "en"])
def test_translations_keep_their_placeholders(language):
    catalog = _catalog(language)
    wrong = []
    for message in catalog:
        if not message.id or not message.string:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        expected = Counter(PLACEHOLDER.findall(ids[0]))
        wrong.extend(
            (ids[0], text) for text in strings if Counter(PLACEHOLDER.findall(text)) != expected
        )
    assert wrong == []
    assert [problem for problem in catalog.check() if problem[1]] == []


def test_catalogs_compile_once_and_again_only_when_a_po_changes(tmp_path):
    source, target = tmp_path / "source", tmp_path / "compiled"
    shutil.copytree(SOURCE_DIR, source)
    compile_catalogs(source, target)
    assert Translations.load(str(target), ["th"]).gettext("Inbox") == "กล่องงาน"
    assert Translations.load(str(target), ["vi"]).gettext("Inbox") == "Hộp công việc"
    po = source / "th" / "LC_MESSAGES" / "messages.po"
    mo = target / "th" / "LC_MESSAGES" / "messages.mo"
    later = po.stat().st_mtime_ns + 10**9
    os.utime(mo, ns=(later, later))
    compile_catalogs(source, target)
    assert mo.stat().st_mtime_ns == later  # up to date: left alone
    os.utime(po, ns=(later + 10**9, later + 10**9))  # the .po is edited
    compile_catalogs(source, target)
    assert mo.stat().st_mtime_ns != later


def test_no_compiled_catalog_is_kept_with_the_sources():
    assert list(SOURCE_DIR.rglob("*.mo")) == []


@pytest.mark.parametrize(
    ("hours", "english", "thai", "vietnamese"),
    [(-50, "2 days overdue", "เลยกำหนด 2 วัน", "Quá hạn 2 ngày"),
     (30, "Due tomorrow", "ครบกำหนดพรุ่งนี้", "Đến hạn ngày mai"),
     (24 * 5 + 1, "Due in 5 days", "ครบกำหนดในอีก 5 วัน", "Đến hạn sau 5 ngày")],
)  # fmt: skip
def test_due_dates_read_in_the_chosen_language(app, hours, english, thai, vietnamese):
    from datetime import timedelta

    from webapp.formatting import due_in_words

    engine = app.extensions["pathways"]
    engine.clock.set(engine.clock.now().replace(hour=12))
    due = engine.clock.now() + timedelta(hours=hours)
    for language, expected in (("th", thai), ("vi", vietnamese)):
        with app.test_request_context(headers={"Accept-Language": language}):
            assert due_in_words(due) == expected
    with app.test_request_context():
        assert due_in_words(due) == english


def test_dates_read_in_the_page_language_in_the_console_too(web_engine, signed_in):
    started = web_engine.start("identification", actor="first_responder")
    client = signed_in("first_responder")
    _switch(client, "th")
    page = client.get(f"/cases/{started.case_ref}").text
    assert "5 ม.ค. 2026" in page and "5 Jan 2026" not in page
    _switch(client, "vi")
    assert "5 thg 1 2026" in client.get(f"/cases/{started.case_ref}").text
    admin = signed_in("admin")
    _switch(admin, "th")
    console = admin.get(f"/admin/instances/{started.instance_id}").text
    assert '<main id="main" class="wide">' in console  # no lang="en" island any more
    assert "5 ม.ค. 2026" in console and "5 Jan 2026" not in console
    assert "<h2>ลำดับเหตุการณ์</h2>" in console  # "Timeline"
