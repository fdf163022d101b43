"""Determinism: the same scenario, seed and actions give the same state; saving mid-run and
carrying on gives the same end as never saving; a transcript replays exactly."""
from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from engine import Run, load_scenario, read_save, replay, write_save
from engine.errors import ChoiceError, PhaseError
from engine.replay import apply_action

from .helpers import play_all
from .strategies import random_player, steps


def full_state(run):
    """Everything a run is: its state, its random stream, its history and its actions."""
    state = run.state.to_dict()
    state.pop("rng")  # refreshed only when saving; the generator itself is compared instead
    return json.dumps({"state": state, "rng": run.rng.getstate(), "history": run.history.to_dict(),
                       "actions": run.actions}, sort_keys=True, default=str)


@pytest.mark.parametrize("seed", [0, 3, 17])
def test_same_seed_and_choices_give_the_same_run(tutorial, seed):
    a, b = Run(tutorial, seed), Run(tutorial, seed)
    play_all(a, random_player(seed))
    play_all(b, random_player(seed))
    assert full_state(a) == full_state(b)
    assert a.snapshot() == b.snapshot()


def test_replaying_the_actions_gives_the_same_state(tutorial):
    a = Run(tutorial, 5)
    play_all(a, random_player(99))
    b = Run(tutorial, 5)
    for action in a.actions:
        apply_action(b, action)
    if b.status == "outcome":
        b.advance()
    assert b.state.to_dict() == a.state.to_dict()


def test_different_seeds_differ_somewhere(tutorial):
    finals = set()
    for seed in range(6):
        run = Run(tutorial, seed)
        play_all(run, random_player(1))   # the same player; only the run's seed changes
        finals.add(json.dumps(run.state.vals, sort_keys=True))
    assert len(finals) > 1


@pytest.mark.parametrize("seed, cut", [(2, 1), (7, 3), (11, 5), (4, 8)])
def test_save_load_continue_equals_never_saving(tutorial, tmp_path, seed, cut):
    straight = Run(tutorial, seed)
    play_all(straight, random_player(seed + 100))

    first = Run(tutorial, seed)
    pick = random_player(seed + 100)
    steps(first, pick, cut)
    path = tmp_path / "save.json"
    write_save(path, first)
    resumed = read_save(path, tutorial)
    assert full_state(resumed) == full_state(first)
    assert resumed.snapshot() == first.snapshot()
    play_all(resumed, pick)      # the same picker, carrying on where it stopped
    assert full_state(resumed) == full_state(straight)


def test_save_mid_quarter_after_perceiving(tutorial, tmp_path):
    """A save taken after balcony readings (which draw on the random stream) and before deciding."""
    a = Run(tutorial, 8)
    a.perceive("balcony")
    write_save(tmp_path / "s.json", a)
    b = read_save(tmp_path / "s.json", tutorial)
    assert b.snapshot().balcony == a.snapshot().balcony
    for run in (a, b):
        play_all(run, random_player(3))
    assert full_state(a) == full_state(b)


def test_transcript_replays_exactly_and_divergence_is_reported(tutorial):
    run = Run(tutorial, 21)
    play_all(run, random_player(21))
    t = json.loads(json.dumps(run.transcript()))
    assert set(t) >= {"scenario", "version", "seed", "actions", "ending", "final_state"}
    result = replay(tutorial, t)
    assert result.ok, result.message
    assert result.run.state.to_dict() == run.state.to_dict()

    wrong_end = dict(t, ending="no_such_ending")
    r = replay(tutorial, wrong_end)
    assert not r.ok and "no_such_ending" in r.message

    key = sorted(t["final_state"])[0]
    bad_state = dict(t, final_state={**t["final_state"], key: -12345})
    r = replay(tutorial, bad_state)
    assert not r.ok and key in r.message

    other_seed = dict(t, seed=t["seed"] + 1)
    r = replay(tutorial, other_seed)
    assert not r.ok


def test_replay_reports_the_first_action_that_cannot_be_replayed(tutorial):
    run = Run(tutorial, 2)
    play_all(run, random_player(2))
    t = run.transcript()
    i = next(i for i, a in enumerate(t["actions"]) if "choose" in a)
    t["actions"][i] = {"choose": 99}
    r = replay(tutorial, t)
    assert not r.ok and r.step == i and f"action {i + 1}" in r.message


SHIPPED = sorted((Path(__file__).resolve().parents[2] / "scenarios").glob("*.yaml"))


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
@pytest.mark.parametrize("record", [False, True])
def test_take_is_choose_then_advance(path, record):
    """Run.take (fused when not recording: the simulations' inner loop) leaves every run exactly as
    choose() then advance() would, step by step, perception and random events included."""
    sc = load_scenario(path)
    for seed in range(4):
        a, b = Run(sc, seed, record=record), Run(sc, seed, record=record)
        pick = random.Random(seed)
        while a.status != "ended":
            assert a.status == b.status == "choosing"
            if pick.random() < 0.3:  # perception draws on the run's generator (balcony readings)
                kind = pick.choice(["balcony", "listen", "one_to_one"])
                who = pick.choice(list(sc.stakeholders)) if kind == "one_to_one" else None
                for run in (a, b):
                    try:
                        run.perceive(kind, who)
                    except ChoiceError:
                        pass
            i = pick.choice(a.available_indices())
            a.take(i)
            b.choose(i)
            b.advance()
            assert full_state(a) == full_state(b)
        assert b.status == "ended" and a.state.ending == b.state.ending


def test_take_refuses_what_choose_refuses(tutorial):
    run = Run(tutorial, 0, record=False)
    with pytest.raises(ChoiceError):
        run.take(99)
    with pytest.raises(ChoiceError):
        run.take(-1)
    with pytest.raises(ChoiceError):
        run.take("0")
    assert run.state.decisions == 0 and run.actions == []
    while run.status != "ended":
        run.take(run.available_indices()[0])
    with pytest.raises(PhaseError):
        run.take(0)


def test_the_generator_is_made_on_first_use_and_forks_alike(tutorial):
    """A run seeds its generator lazily; a fork taken before any draw draws the same numbers."""
    a = Run(tutorial, 12, record=False)
    b = a.fork()
    assert a.rng.random() == b.rng.random() == random.Random(12).random()
