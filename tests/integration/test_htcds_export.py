"""The anonymised HTCDS export: mapping checked against the forms, banding, consent, suppression."""

from __future__ import annotations

import json
import re
from datetime import date

import pytest
import yaml

from engine.accountability import htcds
from engine.audit.actions import AuditAction
from engine.audit.search import AuditFilters
from engine.config import PROJECT_ROOT
from engine.errors import InvalidRequest, PermissionDenied
from engine.scenarios.model import load
from engine.scenarios.runner import Run
from tests.support.cases import complete_step
from tests.support.cli import run_pathways

SCENARIOS = PROJECT_ROOT / "workflows" / "scenarios"
STORY5 = SCENARIOS / "story5_adult_identification_return_four_check_ins.yaml"
YEAR = date(2026, 1, 1), date(2026, 12, 31)


def _answers(task: str) -> dict:
    return next(s.options["answers"] for s in load(STORY5).steps if s.target == task)


def _options(schema: dict, field: str) -> set[str]:
    spec = schema["properties"][field]
    return {o["const"] for o in spec.get("oneOf") or spec.get("items", {}).get("oneOf", [])}


def _user_task_forms() -> dict[str, str]:
    """bpmn id of every user task in workflows/ -> its form file."""
    found = {}
    for path in (PROJECT_ROOT / "workflows").glob("*.bpmn"):
        text = path.read_text(encoding="utf-8")
        for task_id, body in re.findall(
            r'<bpmn:userTask id="([^"]+)"(.*?)</bpmn:userTask>', text, re.S
        ):
            form = re.search(r'name="formJsonSchemaFilename" value="([^"]+)"', body)
            found[task_id] = form.group(1) if form else ""
    return found


def test_every_source_of_the_mapping_is_a_field_of_a_shipped_form():
    mapping, tasks = htcds.load_mapping(), _user_task_forms()
    for source in mapping.sources():
        task, _, field = source.partition(".")
        assert task in tasks, f"{source}: no user task {task}"
        schema = json.loads((PROJECT_ROOT / "forms" / tasks[task]).read_text())
        assert field in schema["properties"], f"{source}: no field {field} in {tasks[task]}"
    for name, spec in mapping.flags.items():
        ours = {v for values in spec["values"].values() for v in values}
        if spec["source"] == ["done"]:
            assert ours <= set(tasks), f"{name}: unknown tasks {ours - set(tasks)}"
            continue
        allowed = set()
        for source in spec["source"]:
            task, _, field = source.partition(".")
            allowed |= _options(
                json.loads((PROJECT_ROOT / "forms" / tasks[task]).read_text()), field
            )
        assert ours <= allowed, f"{name}: {ours - allowed} are not options of {spec['source']}"


@pytest.mark.parametrize(
    ("age", "band"),
    [(0, "0-8"), (8, "0-8"), (9, "9-17"), (17, "9-17"), (18, "18-20"), (23, "21-23"),
     (26, "24-26"), (29, "27-29"), (38, "30-38"), (47, "39-47"), (48, "48+"), (90, "48+"),
     (None, "Unknown"), (True, "Unknown"), ("26", "Unknown")],
)  # fmt: skip
def test_ages_are_banded_like_htcds(age, band):
    assert htcds.age_band(age, htcds.load_mapping().columns["AgeBand"]) == band


def _row(age="24-26", gender="Female", **flags) -> dict[str, str]:
    mapping = htcds.load_mapping()
    row = dict.fromkeys(mapping.header, "0")
    row.update(AgeBand=age, Gender=gender, IsMinor="0", YearOfRegistration="2026")
    row.update(TraffickingStatus="PresumedVictim", CaseStatus="Open")
    row.update(flags)
    return row


def test_large_enough_groups_are_released_unchanged():
    rows = [_row() for _ in range(5)] + [_row("30-38") for _ in range(5)]
    kept, report = htcds.suppress(rows, htcds.load_mapping())
    assert kept == rows
    assert (report.suppressed_cells, report.dropped_rows, report.blanked_columns) == (0, 0, [])


def test_a_small_group_loses_its_age_band_first():
    rows = [_row() for _ in range(5)] + [_row("24-26", "Male") for _ in range(3)]
    rows += [_row("39-47", "Male") for _ in range(2)]
    kept, report = htcds.suppress(rows, htcds.load_mapping())
    assert len(kept) == 10
    males = [r for r in kept if r["Gender"] == "Male"]
    assert {r["AgeBand"] for r in males} == {"Suppressed"}
    assert {r["AgeBand"] for r in kept if r["Gender"] == "Female"} == {"24-26"}
    assert report.suppressed_cells == 5


def test_a_person_who_would_stand_out_anyway_is_left_out():
    rows = [_row() for _ in range(5)] + [_row("48+", "Other")]
    kept, report = htcds.suppress(rows, htcds.load_mapping())
    assert kept == rows[:5]
    assert report.dropped_rows == 1


def test_a_rare_form_of_exploitation_is_blanked_for_everyone():
    rows = [_row() for _ in range(6)]
    rows[0]["TypeOfExploitation_OrganRemoval"] = "1"
    kept, report = htcds.suppress(rows, htcds.load_mapping())
    assert {r["TypeOfExploitation_OrganRemoval"] for r in kept} == {"Suppressed"}
    assert report.blanked_columns == ["TypeOfExploitation_OrganRemoval"]


def register(engine, *, reporting: bool, **screening) -> str:
    """A presumed victim screened and asked for consent: enough for a statistics row."""
    ref = engine.start("identification", actor="first_responder").case_ref
    complete_step(
        engine,
        ref,
        "first_contact_screening",
        "first_responder",
        # The story's contact date would lie ahead of this test's clock: met today instead.
        {
            **_answers("first_contact_screening"),
            "contact_date": engine.clock.now().date().isoformat(),
            **screening,
        },
    )
    consent = {**_answers("consent_to_referral"), "consent_reporting": reporting}
    complete_step(engine, ref, "consent_to_referral", "caseworker", consent)
    return ref


def _identifying_strings(path) -> set[str]:
    """Every free value typed into a scenario: aliases, places, organisations, notes, dates."""
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    found = set()
    for step in document["steps"]:
        for value in (step.get("answers") or {}).values():
            if isinstance(value, str) and (" " in value or any(ch.isdigit() for ch in value)):
                found.add(value)
    return found


def test_the_export_holds_consenting_cases_only_and_nothing_that_identifies(deployed, clock):
    for _ in range(4):
        register(deployed, reporting=True, age=25)
    register(deployed, reporting=False, age=25)
    story = Run(deployed, clock, load(STORY5))  # its waits run on into 2027: registered first
    story.run()
    Run(deployed, clock, load(SCENARIOS / "story2_adult_without_means_not_presumed.yaml")).run()

    made = deployed.export_htcds(actor="coordinator", start=YEAR[0], end=YEAR[1])
    text = made.csv_text()
    assert text.splitlines()[0].split(",") == htcds.load_mapping().header
    assert made.summary()["cases_in_period"] == 7
    assert made.summary()["excluded_without_consent"] == 2
    assert len(made.rows) == 5
    for row in made.rows:
        assert (row["AgeBand"], row["Gender"], row["YearOfRegistration"]) == (
            "24-26",
            "Female",
            "2026",
        )
        assert row["TypeOfExploitation_DomesticServitude"] == "1"
        assert row["TypeOfExploitation_SexualExploitation"] == "0"
        assert row["ReferralOrganisation_Shelter"] in {"0", "Suppressed"}
    # Only the returned person's row had the return programme: one is too few to show.
    assert "ReferralOrganisation_ReturnProgramme" in made.suppression.blanked_columns

    assert story.case_ref not in text
    assert not re.search(r"PP-\d{4}|\d{4}-\d{2}-\d{2}", text)
    leaked = [s for s in _identifying_strings(STORY5) if s in text]
    assert leaked == []
    for word in ("Bahasa", "Indramayu", "IOM Jakarta", "female"):
        assert word not in text


def test_every_export_is_in_the_audit_trail_and_only_oversight_may_export(deployed, clock):
    for _ in range(5):
        register(deployed, reporting=True)
    deployed.export_htcds(actor="coordinator", start=YEAR[0], end=YEAR[1], min_cell_size=3)
    found, _ = deployed.audit_search(
        AuditFilters(action=AuditAction.STATISTICS_EXPORTED), actor="admin"
    )
    detail = found[0].detail
    assert (detail["rows"], detail["min_cell_size"], detail["start"]) == (5, 3, "2026-01-01")
    with pytest.raises(PermissionDenied):
        deployed.export_htcds(actor="caseworker", start=YEAR[0], end=YEAR[1])
    with pytest.raises(InvalidRequest):
        deployed.export_htcds(actor="admin", start=YEAR[1], end=YEAR[0])
    with pytest.raises(InvalidRequest):
        deployed.export_htcds(actor="admin", start=YEAR[0], end=YEAR[1], min_cell_size=1)


def test_the_command_line_writes_the_file_and_says_what_was_left_out(deployed, cli_env, tmp_path):
    for _ in range(5):
        register(deployed, reporting=True)
    target = tmp_path / "htcds.csv"
    args = [
        "export",
        "htcds",
        "--from",
        "2026-01-01",
        "--to",
        "2026-12-31",
        "--output",
        str(target),
    ]
    done = run_pathways(cli_env, *args, "--as", "coordinator")
    assert done.returncode == 0, done.stderr
    assert len(target.read_text().splitlines()) == 6
    assert "5 rows from 5 cases registered in the period: 0 left out without consent" in done.stderr
    refused = run_pathways(cli_env, *args, "--as", "caseworker")
    assert refused.returncode == 3
    assert "only coordinators and administrators may" in refused.stderr
