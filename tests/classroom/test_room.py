"""The room without a network: replay, encoding, controls."""
from __future__ import annotations

import json

from engine import Run, load_scenario

from classroom.protocol import Refused
from classroom.room import Room, encode, new_control

from .conftest import TUTORIAL


def make_room(mode="lockstep"):
    sc = load_scenario(TUTORIAL)
    return Room(id="r1", code="ABCDEF", secret="s", scenario=sc, scenario_path=str(TUTORIAL), mode=mode, seed=3,
                control=new_control(mode))


def test_snapshots_are_sent_exactly_as_to_dict_would_write_them():
    run = Run(load_scenario(TUTORIAL), 9)
    for _ in range(80):
        snap = run.snapshot()
        assert json.loads(encode({"snapshot": snap})) == json.loads(json.dumps({"snapshot": snap.to_dict()}))
        if snap.status == "ended":
            break
        if snap.status == "outcome":
            run.advance()
        elif snap.attention_left and snap.balcony is None:
            run.perceive("balcony")
        else:
            run.choose(snap.available_choices[-1].index)
    assert run.snapshot().status == "ended"


def test_controls_follow_the_rounds_and_refuse_what_does_not_fit():
    room = make_room()
    for bad in ("close_round", "reveal", "next_round"):
        try:
            room.control_action(bad, {})
        except Refused as r:
            assert r.code == "state"
        else:
            raise AssertionError(bad)
    room.control = room.control_action("start", {}, now=100.0)
    assert room.control["round"] == 1 and room.control["open"]
    room.control = room.control_action("timer", {"seconds": 60}, now=100.0)
    room.control = room.control_action("close_round", {}, now=101.0)
    room.control = room.control_action("next_round", {}, now=102.0)
    assert room.control["deadline"] == 162.0
    room.control = room.control_action("pause", {}, now=112.0)
    assert room.control["deadline"] is None and room.control["left"] == 50.0
    room.control = room.control_action("resume", {}, now=200.0)
    assert room.control["deadline"] == 250.0
    room.control = room.control_action("end", {}, now=201.0)
    assert room.control["ended"] and room.control["leaderboard"]


def test_the_leaderboard_ranks_on_the_triangle_and_ties_share_a_rank():
    room = make_room("free")
    room.control["started"] = True
    a, b, c = (room.add_seat(i, f"n{i}", f"h{i}") for i in range(3))
    for seat, pick in ((a, 0), (b, 0), (c, 0)):
        room.apply(seat, room.check_intent(seat, {"seq": seat.seq, "action": "choose", "index": pick}))
    rows = room.scores()
    assert [r["rank"] for r in rows] == [1, 1, 1]  # the same choices, the same seed: the same score
    mine = room.leaderboard_for(b)
    assert mine["rank"] == 1 and mine["of"] == 3 and set(mine["parts"]) == {"public_value", "legitimacy", "capacity"}
    assert mine["score"] == round(sum(mine["parts"].values()) / 3, 1)
    assert "seat" not in json.dumps(mine["scores"])


def test_the_fast_intent_check_accepts_only_what_the_schema_accepts():
    from hypothesis import given, settings, strategies as st

    from classroom.protocol import _VALIDATORS, _plain_intent

    values = st.one_of(st.none(), st.booleans(), st.integers(-5, 2**32), st.floats(allow_nan=False),
                       st.sampled_from(["choose", "perceive", "advance", "balcony", "listen", "one_to_one", "police",
                                        "", "9x", "a b", "x" * 70]), st.lists(st.integers(), max_size=2))
    keys = st.sampled_from(["v", "type", "id", "seq", "action", "index", "kind", "who", "seat", "extra"])
    base = st.fixed_dictionaries({"v": st.just(1), "type": st.just("intent")})

    @settings(max_examples=600, deadline=None)
    @given(base, st.dictionaries(keys, values, max_size=6))
    def check(head, rest):
        msg = {**rest, **head}
        if _plain_intent(msg):
            assert _VALIDATORS["intent"].is_valid(msg), msg

    check()
    ok = {"v": 1, "type": "intent", "id": 1, "seq": 0, "action": "perceive", "kind": "one_to_one", "who": "police"}
    assert _plain_intent(ok) and _plain_intent({**ok, "action": "advance"})
    assert not _plain_intent({**ok, "seq": True}) and not _plain_intent({**ok, "seat": 2})


def test_a_seat_rebuilt_from_other_stored_actions_takes_its_choices_out_of_the_distribution():
    """What a replica does when its action lost to another process's: the seat becomes what is stored, and
    the room's counts with it; a replica behind the database takes only the actions it lacks."""
    room = make_room("free")
    a, b = room.add_seat(1, "A", "ha"), room.add_seat(2, "B", "hb")
    prefix = []  # the same steps for both, up to a decision point with a real choice
    while len(a.run.snapshot().available_choices) < 2 or a.run.status != "choosing":
        step = {"advance": True} if a.run.status == "outcome" else {"choose": a.run.snapshot().available_choices[0].index}
        for seat in (a, b):
            room.apply(seat, step)
        prefix.append((len(prefix), step, 0))
    scene, n = a.run.state.scene, len(prefix)
    avail = a.run.snapshot().available_choices
    first, last = avail[0].index, avail[-1].index
    for seat in (a, b):
        room.apply(seat, {"choose": first})
    assert room.decisions[scene].counts == {first: 2}
    # the database holds another step here for seat A (another process stored it first)
    room.rebuild_seat(a, prefix + [(n, {"choose": last}, 0)])
    assert a.seq == n + 1 and a.actions[-1] == {"choose": last}
    assert room.decisions[scene].counts == {first: 1, last: 1}
    assert room.decisions[scene].by_round == {0: {first: 1, last: 1}}
    twin = Run(room.scenario, 3)
    for _, step, _ in prefix:
        twin.choose(step["choose"]) if "choose" in step else twin.advance()
    twin.choose(last)
    assert a.run.snapshot() == twin.snapshot()
    # taken back entirely: the decision point leaves the distribution
    room.rebuild_seat(a, prefix)
    room.rebuild_seat(b, prefix)
    assert a.seq == b.seq == n and scene not in room.decisions
    # behind the database: only the missing steps are applied, in order
    stored = prefix + [(n, {"choose": first}, 0), (n + 1, {"advance": True}, 0)]
    assert room.extend_seat(a, stored[:n + 1]) == 1 and room.extend_seat(a, stored) == 1 and a.seq == n + 2
    assert room.decisions[scene].counts == {first: 1}
    try:
        room.extend_seat(b, stored[n + 1:])
    except ValueError as e:
        assert "out of order" in str(e)
    else:
        raise AssertionError("a gap was applied")


def test_the_dashboard_and_scores_kept_between_steps_follow_every_step():
    """Each seat's score and dashboard row are kept until its run moves: after every step they equal what a
    room rebuilt from the same actions (which has kept nothing) computes."""
    room = make_room("free")
    room.control["started"] = True
    seats = [room.add_seat(i, f"n{i}", f"h{i}") for i in range(4)]
    room.dashboard(set())  # fill the kept rows before anything moves
    for step in range(60):
        seat = seats[step % 4]
        snap = seat.run.snapshot()
        if snap.status == "ended":
            continue
        if snap.status == "outcome":
            msg = {"action": "advance"}
        else:
            avail = snap.available_choices
            msg = {"action": "choose", "index": avail[(seat.id + snap.decisions) % len(avail)].index}
        room.apply(seat, room.check_intent(seat, {"seq": seat.seq, **msg}))
        fresh = rebuilt(room, seats)
        assert room.scores() == fresh.scores()
        assert room.dashboard({1}) == fresh.dashboard({1})
        rows = room.scores()
        assert room.leaderboard_for(seat, rows) == fresh.leaderboard_for(fresh.seats[seat.id])
    assert len({r["score"] for r in room.scores()}) > 1  # the seats chose differently and scored differently
    seat = seats[1]  # a seat whose run is replaced by a replay of fewer actions, as a replica rebuilding it does
    seat.run, seat.actions, seat.rounds, seat.snap = Run(room.scenario, room.seed), [], [], None
    fresh = rebuilt(room, seats)
    assert room.scores() == fresh.scores()
    assert room.dashboard({1})["seats"] == fresh.dashboard({1})["seats"]  # (the room's counts are the rebuild's job)


def rebuilt(room, seats):
    """A room with the same seats, rebuilt from their actions: it has kept nothing."""
    fresh = make_room(room.mode)
    fresh.control = dict(room.control)
    for s in seats:
        fresh.restore_seat(s.id, s.name, s.token_hash, list(zip(range(s.seq), s.actions, s.rounds)))
    return fresh


def test_the_dashboard_says_nobody_is_waiting_in_the_lobby_and_counts_finished_seats_apart():
    """In the lobby every seat showed 'chosen, waiting' (0 decisions >= round 0), and a seat that had
    finished counted as one that had not made the round's decision ('0 of 2 have made this round's
    decision' with the whole room finished)."""
    room = make_room()
    for i in range(3):
        room.add_seat(i + 1, f"P{i}", f"t{i}")
    dash = room.dashboard(set())
    assert not any(s["waiting"] for s in dash["seats"])
    room.control = room.control_action("start", {}, now=100.0)
    done, late = room.seats[1], room.seats[2]
    for _ in range(200):                                          # seat 1 plays to an ending
        snap = done.run.snapshot()
        if snap.status == "ended":
            break
        done.run.advance() if snap.status == "outcome" else done.run.choose(snap.available_choices[0].index)
    assert done.run.status == "ended"
    room.apply(late, {"choose": late.run.snapshot().available_choices[0].index})
    dash = room.dashboard(set())
    assert dash["finished"] == 1 and dash["chosen_this_round"] == 1    # seat 2 chose; seat 3 has not
    assert [s["waiting"] for s in dash["seats"]] == [False, True, False]
