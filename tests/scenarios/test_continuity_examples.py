"""Issue 9's examples of text that forgot the run, each played on the path that used to contradict it.

Each test warps to the scene (Run.start_at, as `balcony play --start --set` does), sets the state the
path had, and reads what the player is shown. On the scenarios before the fix each of these failed.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from engine import Run, load_scenario

REPO = Path(__file__).resolve().parents[2]
_CACHE: dict = {}


def scenario(name):
    if name not in _CACHE:
        _CACHE[name] = load_scenario(REPO / "scenarios" / f"{name}.yaml")
    return _CACHE[name]


def at(name, scene, **values):
    return Run.start_at(scenario(name), 0, scene, {k.replace("__", "."): v for k, v in values.items()})


def choice_index(run, words):
    for c in run.snapshot().choices:
        if words in c.text:
            return c.index
    raise AssertionError(f"no choice with {words!r} in {run.state.scene}")


def result_after(run, words):
    run.choose(choice_index(run, words))
    return " ".join(n.text for n in run.snapshot().notices if n.kind == "result")


def test_tutorial_gp_speaks_of_the_link_worker_only_once_it_is_funded():
    run = at("tutorial", "gp_practice", gp__commitment=60)
    run.perceive("one_to_one", "gp")
    assert "link worker" not in " ".join(run.snapshot().insights)
    run = at("tutorial", "gp_practice", gp__commitment=60, link_worker=True, pooled=True)
    run.perceive("one_to_one", "gp")
    assert "link worker" in " ".join(run.snapshot().insights)


def test_tutorial_the_call_comes_after_the_child_is_found():
    text = at("tutorial", "crisis").snapshot().text
    assert "At eleven" not in text and "after midnight" in text and "one in the morning" in text


def test_troubled_families_no_aisha_for_a_player_who_never_heard_her():
    run = at("troubled-families", "gp_practice")
    assert "Aisha" not in result_after(run, "one family")


def test_troubled_families_the_file_knows_casework_was_kept_in_social_care():
    text = at("troubled-families", "the_file", casework_shared=False).snapshot().text
    assert "You wanted everyone to share the work" not in text and "kept every child's case" in text


def test_troubled_families_the_agreement_is_not_signed_before_the_scene_that_writes_it():
    run = at("troubled-families", "data_agreement")
    run.choose(choice_index(run, "Hold off signing"))
    run.advance()
    assert run.state.scene == "ig_leads" and run.state.vals["data_agreed"] is False
    assert "signed without ceremony" not in " ".join(n.text for n in run.snapshot().notices)


def test_troubled_families_and_integrated_care_labels_outlive_the_primary_care_trusts():
    assert "Primary Care Trust" not in scenario("troubled-families").stakeholders["health"].agency
    assert "primary care trust" not in scenario("integrated-care").stakeholders["commissioner"].agency.lower()


def test_total_place_the_council_employed_key_worker_is_not_the_charity_s():
    run = at("total-place", "safeguarding_incident", keyworker=True, keyworker_council=True)
    assert "works for the charity" not in result_after(run, "whose failure")


def test_total_place_the_tripled_figure_is_the_interim_one_and_8bn_a_potential():
    run = at("total-place", "treasury_feedback")
    assert "The number triples" not in result_after(run, "bigger numbers")
    text = at("total-place", "the_number", bigger_numbers=True).snapshot().text
    assert "defensible" not in text and "potential" in text and "tripled figures" in text


def test_integrated_care_no_report_from_dev_in_the_first_meeting():
    run = at("integrated-care", "first_meeting")
    assert "Dev" not in result_after(run, "logo comes off")


@pytest.mark.parametrize("visited, available", [(False, False), (True, True)])
def test_integrated_care_the_afternoon_a_month_is_there_wherever_priya_said_it(visited, available):
    run = at("integrated-care", "white_paper_gps")
    if visited:
        run.state.visits["listening_month"] = 1
    afternoon = [c for c in run.snapshot().choices if "afternoon a month" in c.text]
    assert len(afternoon) == 1 and afternoon[0].available is available
    assert "privately" not in afternoon[0].text


def test_integrated_care_a_quiet_first_winter_is_not_several_hundred_people():
    text = at("integrated-care", "first_winter", admissions_avoided=2).snapshot().text
    assert "several hundred" not in text and "barely begun" in text


def test_integrated_care_states_the_pilot_s_aim_as_the_research_does():
    sc = scenario("integrated-care")
    assert "every participating GP" in sc.summary and "per practice" not in sc.summary
    assert "for every participating gp" in at("integrated-care", "opening").snapshot().text.lower()
