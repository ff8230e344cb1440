"""Case page commitments, the printable rights sheet, referral summaries and the statistics export."""

from __future__ import annotations

import csv
import io

import pytest

from engine.audit.actions import AuditAction
from engine.audit.search import AuditFilters
from tests.support.cases import complete_step
from tests.support.web import ADULT_SCREENING, csrf_from, token_of
from webapp.documents.sheets import rights_sheets
from webapp.i18n import LANGUAGES

CONSENT = {
    "language": "Thai",
    "interpreter_present": True,
    "consent_explained": True,
    "consent_services": True,
    "consent_reporting": True,
}
RIGHTS = {
    "language": "Thai",
    "interpreter_present": True,
    "informed_orally": True,
    "written_copy_given": True,
    "topics_covered": ["assistance", "reflection"],
    "rights_sheet_language": "th",
}


def presumed_case(engine, *, disclosure: bool, override: bool = False) -> str:
    """Screened and asked for consent; without consent to disclosure a supervisor decides."""
    ref = engine.start("identification", actor="first_responder").case_ref
    screening = {**ADULT_SCREENING, "alias": "Mali", "observations": "Scar on the left hand."}
    complete_step(engine, ref, "first_contact_screening", "first_responder", screening)
    consent = {**CONSENT, "consent_disclosure": disclosure}
    complete_step(engine, ref, "consent_to_referral", "caseworker", consent)
    if not disclosure:
        decision = {"consent_overridden": override, "person_informed_of_decision": True}
        if override:
            decision["override_reason"] = "Threat to life."
        complete_step(engine, ref, "consent_override", "supervisor", decision)
        if not override:
            return ref
    plan = {
        "risk_level": "high",
        "safety_measures": "Move to the Northern shelter.",
        "review_on": "2026-01-20",
    }
    complete_step(engine, ref, "safety_risk_plan", "caseworker", plan)
    complete_step(engine, ref, "information_on_rights", "caseworker", RIGHTS)
    return ref


def events(engine, action: AuditAction, ref: str | None = None):
    found, _ = engine.audit_search(AuditFilters(action=action, case_ref=ref), actor="admin")
    return found


def test_the_case_page_shows_each_commitment_with_its_evidence(web_engine, signed_in):
    ref = presumed_case(web_engine, disclosure=True)
    page = signed_in("caseworker").get(f"/cases/{ref}").text
    informed = page.split('id="commitment-informed_of_protection"')[1].split("</tr>")[0]
    assert "Met" in informed
    assert "Inform of rights in a language understood · caseworker" in informed
    assert "orally and in writing, in Thai" in informed
    shelter = page.split('id="commitment-safe_accommodation"')[1].split("</tr>")[0]
    assert "Not yet" in shelter and "expected by" in shelter
    proceedings = page.split('id="commitment-informed_of_proceedings"')[1].split("</tr>")[0]
    assert "Not applicable" in proceedings
    assert "Language chosen when rights were explained: <strong>ไทย</strong>" in page


def test_evidence_notes_and_explanations_read_in_the_pages_language(web_engine, signed_in):
    """The sentence is translated and what was recorded is filled in (itself translated when
    the catalogs know it, as a language's name)."""
    ref = presumed_case(web_engine, disclosure=True)
    client = signed_in("caseworker")
    token = csrf_from(client.get("/").text)
    client.post("/language", data={"language": "th", "next": "/", "csrf_token": token})
    page = client.get(f"/cases/{ref}").text
    informed = page.split('id="commitment-informed_of_protection"')[1].split("</tr>")[0]
    assert "ด้วยวาจาและเป็นลายลักษณ์อักษร ภาษาที่ใช้: ภาษาไทย" in informed
    danger = page.split('id="commitment-danger_assessed"')[1].split("</tr>")[0]
    assert "ระดับความเสี่ยง" in danger and "risk level" not in danger


def test_the_api_gives_the_commitments_too(web_engine, signed_in):
    ref = presumed_case(web_engine, disclosure=True)
    body = signed_in("caseworker").get(f"/api/v1/cases/{ref}").json
    danger = next(c for c in body["commitments"] if c["key"] == "danger_assessed")
    assert danger["status"] == "met"
    assert danger["evidence"][0]["task"] == "Safety and risk plan"
    assert danger["evidence"][0]["note"] == "risk level high"


@pytest.mark.parametrize("lang", ["en", "th", "vi"])
def test_the_rights_sheet_prints_in_each_language(signed_in, lang):
    sheet = rights_sheets()[lang]
    page = signed_in("caseworker").get(f"/documents/rights-sheet/{lang}")
    assert page.status_code == 200
    assert f'<article class="printable rights-sheet" lang="{lang}"' in page.text
    assert sheet.title in page.text
    assert all(section.heading in page.text for section in sheet.sections)
    assert "data-print" in page.text


def test_every_sheet_has_the_same_rights_in_the_same_order():
    sheets = rights_sheets()
    assert list(sheets)[:3] == ["en", "th", "vi"]
    english = [s.key for s in sheets["en"].sections]
    assert len(english) == 10
    for code, sheet in sheets.items():
        assert [s.key for s in sheet.sections] == english, code
        assert all(s.heading.strip() and s.body.strip() for s in sheet.sections), code
    assert sheets["th"].title != sheets["en"].title != sheets["vi"].title
    assert set(sheets) == set(LANGUAGES)  # the sheet exists in every interface language


def test_an_unknown_sheet_language_is_not_found_and_strangers_are_sent_to_sign_in(
    client, signed_in
):
    assert signed_in("caseworker").get("/documents/rights-sheet/xx").status_code == 404
    refused = client.get("/documents/rights-sheet/en")
    assert refused.status_code == 302 and "/signin" in refused.headers["Location"]


def _refer(client, ref: str, **form):
    data = {"recipient": "shelter", "organisation": "Northern shelter", "reason": "Placement"}
    data.update(form)
    return client.post(
        f"/cases/{ref}/referral", data={**data, "csrf_token": token_of(client, f"/cases/{ref}")}
    )


def test_a_referral_summary_holds_only_what_the_recipient_needs_and_is_audited(
    web_engine, signed_in
):
    ref = presumed_case(web_engine, disclosure=True)
    made = _refer(signed_in("caseworker"), ref)
    assert made.status_code == 200
    for shown in (
        "Referral to Northern shelter",
        "Mali",
        "High",
        "Move to the Northern shelter.",
        "Female",
    ):
        assert shown in made.text, shown
    for withheld in ("Scar on the left hand", "Age", "2026-03-02", "Thai interpreter"):
        assert withheld not in made.text.split('id="referral-summary"')[1], withheld
    disclosed = events(web_engine, AuditAction.CASE_DISCLOSED, ref)
    assert len(disclosed) == 1
    detail = disclosed[0].detail
    assert (disclosed[0].actor, detail["recipient"]) == ("caseworker", "shelter")
    assert "Name or alias used" in detail["fields"]
    # The organisation and the reason are typed text: sealed, readable through the console.
    assert "Northern shelter" not in str(detail)
    _, sealed = web_engine.event_data(disclosed[0].seq, actor="admin")
    assert sealed == {"organisation": "Northern shelter", "reason": "Placement"}
    assert "Mali" not in str(detail)  # the trail names the fields, never their values


def test_no_summary_without_consent_to_disclosure(web_engine, signed_in):
    ref = presumed_case(web_engine, disclosure=False)
    refused = _refer(signed_in("caseworker"), ref)
    assert refused.status_code == 422
    assert "Nothing was shared" in refused.text and "not consented" in refused.text
    assert "Mali" not in refused.text
    assert events(web_engine, AuditAction.CASE_DISCLOSED, ref) == []


def test_a_recorded_decision_to_refer_without_consent_is_the_stated_basis(web_engine, signed_in):
    ref = presumed_case(web_engine, disclosure=False, override=True)
    made = _refer(signed_in("caseworker"), ref)
    assert made.status_code == 200
    assert "referral without consent decided by supervisor" in made.text
    basis = events(web_engine, AuditAction.CASE_DISCLOSED, ref)[0].detail["basis"]
    assert basis.startswith("referral without consent decided by supervisor")


def test_a_summary_needs_an_organisation_and_a_reason(web_engine, signed_in):
    ref = presumed_case(web_engine, disclosure=True)
    refused = _refer(signed_in("caseworker"), ref, reason="  ")
    assert refused.status_code == 422
    assert "the reason for the referral is required" in refused.text
    assert _refer(signed_in("caseworker"), ref, recipient="press").status_code == 422


def test_someone_without_a_relation_to_the_case_gets_nothing_and_is_recorded(web_engine, signed_in):
    ref = presumed_case(web_engine, disclosure=True)
    refused = _refer(signed_in("return_officer"), ref)
    assert refused.status_code == 404
    assert "Mali" not in refused.text
    attempts = events(web_engine, AuditAction.CASE_ACCESS_REFUSED)
    assert attempts[0].actor == "return_officer"
    assert attempts[0].detail["view"] == "referral summary"


def test_coordinators_see_overdue_commitments_and_download_the_statistics(
    web_engine, signed_in, clock
):
    ref = presumed_case(web_engine, disclosure=True)
    coordinator = signed_in("coordinator")
    assert ref not in coordinator.get("/admin/commitments").text
    clock.advance(days=3)
    coordinator = signed_in("coordinator")  # the old session expired with the idle time
    page = coordinator.get("/admin/commitments").text
    assert ref in page and "Safe accommodation and support" in page

    token = token_of(coordinator, "/admin/commitments")
    form = {"from": "2026-01-01", "to": "2026-12-31", "min_cell": "2", "csrf_token": token}
    # One case is below even a cell size of 2: counted, left out, and the page says why
    # instead of handing over a file of headers alone.
    empty = coordinator.post("/admin/statistics/htcds.csv", data=form)
    assert empty.status_code == 302
    notice = coordinator.get("/admin/commitments").text
    assert "Nothing to download: 0 rows from 1 cases" in notice
    assert "1 left out because fewer than 2 cases shared their characteristics" in notice
    presumed_case(web_engine, disclosure=True)  # a second case like the first: a cell of 2
    download = coordinator.post("/admin/statistics/htcds.csv", data=form)
    assert download.status_code == 200
    assert download.headers["Content-Disposition"] == (
        'attachment; filename="htcds-2026-01-01-2026-12-31.csv"'
    )
    assert len(list(csv.reader(io.StringIO(download.text)))[1:]) == 2
    assert download.headers["X-Export-Dropped-Small-Cells"] == "0"
    assert len(events(web_engine, AuditAction.STATISTICS_EXPORTED)) == 2

    bad = coordinator.post("/admin/statistics/htcds.csv", data={**form, "to": "not a date"})
    assert bad.status_code == 302
    assert "Nothing exported" in coordinator.get("/admin/commitments").text


def test_caseworkers_cannot_reach_the_oversight_outputs(signed_in):
    caseworker = signed_in("caseworker")
    assert caseworker.get("/admin/commitments").status_code == 403
    token = token_of(caseworker)
    form = {"from": "2026-01-01", "to": "2026-12-31", "csrf_token": token}
    assert caseworker.post("/admin/statistics/htcds.csv", data=form).status_code == 403
