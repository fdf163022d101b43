"""The cohort debrief's figures on synthetic rooms whose right answers are known, and properties that must
hold in any room (shares add up to 100, branches add up to the seats that made the decision)."""
from __future__ import annotations

import json
import random

import pytest

from engine import Run, load_scenario
from engine.cohort import MIN_AVERAGE, aggregate, build, percent, place, shares, summarise
from engine.debrief.gap import FALSE_BELIEF
from tests.debrief.scenarios import DELAYED, GAP

from .conftest import play

ROOT = __import__("pathlib").Path(__file__).resolve().parents[2]


def partial(scenario, first: int, seed=0):
    """A seat that made its first decision and stopped there."""
    run = Run(scenario, seed)
    run.choose(first)
    return run


def delayed_room(load_doc):
    """Three seats invest (their run ends Good, all parts 94), two announce (Poor, all parts 57), and one
    invests and is still playing."""
    sc = load_doc(DELAYED)
    runs = [play(sc, script=[("choose", c)]) for c in (1, 0, 1, 0, 1)] + [partial(sc, 1)]
    return sc, [(str(i + 1), r.transcript()) for i, r in enumerate(runs)]


def test_endings_splits_branch_outcomes_and_paths_on_a_room_with_known_answers(load_doc):
    sc, seats = delayed_room(load_doc)
    c = build(sc, seats)
    assert (c.seats, c.finished, c.seed) == (6, 5, 0)
    assert [(e.ending.id, e.count, e.percent) for e in c.endings] == [("good", 3, 60), ("poor", 2, 40)]
    assert c.endings[0].mean_score == 94 and c.endings[1].mean_score is None   # 2 seats: too few for a mean
    assert [(q.key, q.count, q.percent) for q in c.qualities] == [("best", 0, 0), ("good", 3, 60), ("mixed", 0, 0),
                                                                   ("poor", 2, 40)]
    # the first decision split the room: every seat made it, the unfinished one included
    (split,) = c.splits
    assert (split.scene, split.visit, split.reached, split.when) == ("start", 0, 6, "2010 Q1")
    announce, invest = split.branches
    assert (announce.text, announce.count, announce.percent) == ("Announce a quick win", 2, 33)
    assert (invest.text, invest.count, invest.percent) == ("Invest in the partnership", 4, 67)
    assert invest.outcome.seats == 3 and invest.outcome.score == 94 and invest.outcome.qualities == {"good": 3}
    assert invest.outcome.parts == {"public_value": 94, "legitimacy": 94, "capacity": 94}
    assert announce.outcome.seats == 2 and announce.outcome.score is None and announce.outcome.parts is None
    assert announce.outcome.qualities == {"poor": 2}
    assert split.balance == pytest.approx(2 / 6)
    # the later decisions: everyone took the first choice, so they split nothing
    assert [p.scene for p in c.decisions] == ["start", "two", "three", "four"]
    assert all(not p.split and len(p.branches) == 1 and p.reached == 5 for p in c.decisions[1:])
    # the most common path to each ending goes through the one key decision
    assert c.key_decisions == (("start", 0),)
    good, poor = c.paths
    assert (good.ending.id, good.seats, good.exact, good.paths) == ("good", 3, 3, 1)
    assert [(s.text, s.agree, s.of) for s in good.steps] == [("Invest in the partnership", 3, 3)]
    assert [(s.text, s.agree, s.of) for s in poor.steps] == [("Announce a quick win", 2, 2)]
    assert json.loads(json.dumps(c.to_dict())) == c.to_dict()
    ids = {q.id for q in c.questions}
    assert {"endings", "divisive", "next_time"} <= ids
    divisive = next(q for q in c.questions if q.id == "divisive")
    assert "4 of 6 seats chose \u201cInvest in the partnership\u201d and 2 chose \u201cAnnounce a quick win\u201d" \
        in divisive.text
    assert "averaged" not in divisive.text        # the announce branch has 2 finished seats: no mean is made


def test_a_branch_gets_its_mean_only_from_min_average_finished_seats(load_doc):
    sc = load_doc(DELAYED)
    runs = [play(sc, script=[("choose", c)]) for c in (1, 1, 1, 0, 0, 0)]
    c = build(sc, [(str(i), r.transcript()) for i, r in enumerate(runs)])
    assert MIN_AVERAGE == 3
    announce, invest = c.splits[0].branches
    assert (announce.outcome.seats, announce.outcome.score, invest.outcome.score) == (3, 57, 94)
    divisive = next(q for q in c.questions if q.id == "divisive")
    assert "94.0 (n = 3)" in divisive.text and "57.0 (n = 3)" in divisive.text
    # a contrast of the most common paths to the best and the worst ending
    paths = next(q for q in c.questions if q.id == "paths")
    assert "\u201cInvest in the partnership\u201d" in paths.text and "\u201cGood\u201d" in paths.text


def test_the_balcony_gap_counts_the_seats_that_misread_each_partner(load_doc):
    sc = load_doc(GAP)
    never = [play(sc) for _ in range(2)]                                  # never looked: Bob says 85, gives 15
    met = play(sc, script=[("perceive", "one_to_one", "bob")])            # met Bob at once: no false belief
    c = build(sc, [(str(i), r.transcript()) for i, r in enumerate(never + [met])])
    bob, alice = c.gap
    assert (bob.id, bob.seats, bob.misread, bob.percent, bob.never_met, bob.most) == ("bob", 3, 2, 67, 2, True)
    assert bob.widest == 70 and bob.widest >= FALSE_BELIEF
    assert (alice.id, alice.misread, alice.percent, alice.widest, alice.most) == ("alice", 0, 0, None, False)
    q = next(q for q in c.questions if q.id == "misread")
    assert q.text.startswith("2 of 3 seats misread Bob Grey") and "2 of them never held a one-to-one with Bob Grey" in q.text
    # the same rule as each player's own debrief: its named moments are the false beliefs
    from engine.debrief import build as debrief
    assert {m.stakeholder for m in debrief(sc, never[0].transcript()).gap.moments} == {"bob"}
    assert not [m for m in debrief(sc, met.transcript()).gap.moments if m.stakeholder == "bob"]


def test_a_room_with_one_seat_no_finished_seat_or_no_seat_at_all(load_doc):
    sc = load_doc(DELAYED)
    one = build(sc, [("1", play(sc, script=[("choose", 1)]).transcript())])
    assert (one.seats, one.finished, one.splits, one.key_decisions) == (1, 1, (), ())
    assert [(e.count, e.percent) for e in one.endings] == [(1, 100)]
    (path,) = one.paths
    assert (path.seats, path.exact, path.paths, path.steps) == (1, 1, 1, ())
    assert one.scores.mean is None and one.scores.scores == (94,)
    assert place(one, summarise(sc, play(sc, script=[("choose", 1)]).transcript(), "1")).lines[0].startswith(
        "You are the only seat")
    none = build(sc, [("1", partial(sc, 0).transcript()), ("2", partial(sc, 1).transcript())])
    assert (none.seats, none.finished, none.endings, none.paths) == (2, 0, (), ())
    assert [p.reached for p in none.splits] == [2]                       # the decision they made still shows
    assert all(b.outcome.seats == 0 and b.outcome.score is None for b in none.splits[0].branches)
    assert none.pattern.seats == 0 and all(d.shares == () for d in none.pattern.dimensions)
    assert [g.misread for g in none.gap] == [0, 0] and {q.id for q in none.questions} >= {"next_time"}
    empty = build(sc, [])
    assert (empty.seats, empty.finished, empty.decisions, empty.questions[-1].id) == (0, 0, (), "next_time")
    json.dumps(empty.to_dict())


def test_each_share_is_its_count_rounded_to_the_nearest_and_equal_counts_show_equal_shares():
    # one of three equal counts was shown as 34% (the largest-remainder method), beside two at 33%
    assert shares([1, 1, 1]) == [33, 33, 33]
    assert shares([2, 1]) == [67, 33]
    assert shares([1, 6]) == [14, 86]
    assert shares([1, 1, 1, 3]) == [17, 17, 17, 50]               # 101 in all, by rounding alone
    assert shares([1, 7]) == [13, 88]                             # 12.5 and 87.5: halves up
    assert shares([0, 0]) == [0, 0]
    rng = random.Random(5)
    for _ in range(500):
        counts = [rng.randrange(0, 40) for _ in range(rng.randrange(1, 8))]
        got = shares(counts)
        total = sum(counts)
        if total:
            assert got == [percent(c, total) for c in counts]   # a seat's own sentence quotes the same figure
            for c, p in zip(counts, got):                     # the nearest whole percentage
                assert abs(p - 100 * c / total) <= 0.5
            assert abs(sum(got) - 100) <= len(counts) / 2
            for a, pa in zip(counts, got):                    # equal counts, equal shares; more, never less
                for b, pb in zip(counts, got):
                    assert (a == b) <= (pa == pb) and (a > b) <= (pa >= pb)


def _random_room(sc, n, seed, finish_share=0.75):
    rng = random.Random(seed)
    seats = []
    for i in range(n):
        run = Run(sc, 11)
        stop = None if rng.random() < finish_share else rng.randrange(1, 12)
        while run.status != "ended" and (stop is None or run.state.decisions < stop):
            if run.status == "outcome":
                run.advance()
                continue
            if rng.random() < 0.25:
                acts = [a for a in run.snapshot().perception_actions if a.available and a.kind == "balcony"]
                if acts:
                    run.perceive("balcony")
            run.choose(rng.choice(run.available_indices()))
        seats.append((str(i + 1), run.transcript()))
    return seats


@pytest.mark.parametrize("name,n,seed", [("tutorial", 9, 1), ("tutorial", 4, 2), ("total-place", 7, 3)])
def test_every_count_adds_up_every_share_is_its_count_rounded_and_every_branch_sums_to_the_seats_that_decided(name, n, seed):
    sc = load_scenario(ROOT / "scenarios" / f"{name}.yaml")
    seats = _random_room(sc, n, seed)
    summaries = [summarise(sc, tr, sid) for sid, tr in seats]
    c = aggregate(sc, summaries, 11)
    fin = [s for s in summaries if s.finished]
    assert c.finished == len(fin) and c.seats == n
    if fin:
        assert all(e.percent == percent(e.count, len(fin)) for e in c.endings)
        assert all(q.percent == percent(q.count, len(fin)) for q in c.qualities)
    assert sum(e.count for e in c.endings) == len(fin) == sum(q.count for q in c.qualities)
    assert sum(p.seats for p in c.paths) == len(fin)
    for p in c.decisions:
        made = sum(1 for s in summaries for t in s.decisions if (t.scene, t.visit) == (p.scene, p.visit))
        assert sum(b.count for b in p.branches) == p.reached == made
        assert all(b.percent == percent(b.count, p.reached) for b in p.branches)
        assert sum(b.outcome.seats for b in p.branches) <= p.reached
        for b in p.branches:
            assert sum(b.outcome.qualities.values()) == b.outcome.seats
            assert (b.outcome.score is None) == (b.outcome.seats < MIN_AVERAGE)
        sizes = sorted((b.count for b in p.branches), reverse=True)
        assert p.split == (len(sizes) > 1 and sizes[1] >= 0.25 * p.reached)
    assert all(p.split for p in c.splits) and len(c.splits) == sum(p.split for p in c.decisions)
    assert [p.balance for p in c.splits] == sorted((p.balance for p in c.splits), reverse=True)
    for st in c.pattern.stances:
        assert st.a.count + st.b.count + st.even.count == len(fin)
        assert all(x.percent == percent(x.count, len(fin)) for x in (st.a, st.b, st.even))
    for path in c.paths:
        assert 1 <= path.exact <= path.seats and all(1 <= s.agree <= s.of <= path.seats for s in path.steps)
    for g in c.gap:
        assert 0 <= g.never_met <= g.misread <= g.seats == len(fin)
    for s in summaries:
        p = place(c, s)
        if s.finished:
            assert p.higher + p.lower + p.same + 1 == len(fin)
            assert p.same_ending == next(e.count for e in c.endings if e.ending.id == s.ending.id)
            # the share of its ending, as the room's list shows it (it was the last dimension's share)
            assert p.ending_percent == next(e.percent for e in c.endings if e.ending.id == s.ending.id)
            assert p.to_dict()["ending_percent"] == p.ending_percent
    json.dumps(c.to_dict())


def test_the_score_is_the_leaderboards(load_doc):
    """The room's score for a seat is the one the classroom leaderboard shows (classroom.room.Room.scores)."""
    pytest.importorskip("sqlalchemy")
    from classroom.room import Room, new_control
    sc = load_scenario(ROOT / "scenarios" / "tutorial.yaml")
    seats = _random_room(sc, 5, 9, finish_share=0.6)
    room = Room(id="s", code="C", secret="x", scenario=sc, scenario_path="", mode="free", seed=11,
                control=new_control("free"))
    for i, (sid, tr) in enumerate(seats):
        room.restore_seat(i, sid, f"t{i}", [(k, a, 0) for k, a in enumerate(_stored(sc, tr))])
    board = {r["seat"]: r["score"] for r in room.scores()}
    for i, (sid, tr) in enumerate(seats):
        assert summarise(sc, tr, sid).score == board[i]


def _stored(sc, transcript):
    """A transcript's actions as the classroom stores them: moving on from an outcome is an action there."""
    from classroom.room import apply_stored
    run, out = Run(sc, transcript["seed"]), []
    for a in transcript["actions"]:
        if run.status == "outcome":
            out.append({"advance": True})
            apply_stored(run, out[-1])
        out.append({k: v for k, v in a.items() if k in ("choose", "perceive", "who")})
        apply_stored(run, out[-1])
    if transcript.get("ending") and run.status == "outcome":
        out.append({"advance": True})
    return out


@pytest.mark.parametrize("n", [1, 4])
def test_the_scenarios_own_questions_say_in_how_many_finished_seats_they_were_asked(n):
    """A seat may be a team: the count is of seats (it said "players' debriefs", and "1 players'")."""
    sc = load_scenario(ROOT / "scenarios" / "tutorial.yaml")
    summaries = [summarise(sc, tr, sid) for sid, tr in _random_room(sc, n, 2, finish_share=1.0)]
    c = aggregate(sc, summaries, 11)
    own = [q for q in c.questions if q.authored]
    assert own and c.finished == n
    for q in own:
        assert q.because == (f"the scenario's own question, asked in the debriefs of {q.seats} of the {n} "
                             f"{'seat' if n == 1 else 'seats'} that finished")
