"""Teams without a network: the rules (majority, tie, the window, the captain and their hand-over), team
assignment, and the schema the migrations build."""
from __future__ import annotations

import pytest

from classroom import teams as T


def team(n_members=3, connected=None, captain=None):
    t = T.Team(1, seat_id=10, captain=captain)
    for i in range(1, n_members + 1):
        t.members[i] = T.Member(i, 10, f"M{i}", f"h{i}", joined_at=float(i),
                                connected=True if connected is None else i in connected)
    return t


MAJ = {"rule": T.MAJORITY, "window": 60}
CAP = {"rule": T.CAPTAIN, "window": None}


def test_a_majority_of_the_team_decides_at_once():
    t = team(3)
    t.propose(1, 0, 2, now=100.0)
    assert t.verdict(MAJ, 100.0) is None  # one of three: wait
    t.propose(2, 0, 2, now=101.0)
    v = t.verdict(MAJ, 101.0)
    assert v["how"] == "majority" and v["index"] == 2 and v["for"] == 2 and v["voters"] == 3
    assert [(x["member"], x["index"]) for x in v["votes"]] == [(1, 2), (2, 2)]
    t.decided(v)
    assert t.point == 1 and not t.proposals and t.last is v


def test_the_window_starts_at_the_first_proposal_and_its_end_takes_the_most_proposed():
    t = team(5)
    assert t.deadline(MAJ) is None and t.verdict(MAJ, 1e9) is None  # no proposal: no window, nothing to decide
    t.propose(1, 0, 0, now=100.0)
    t.propose(2, 0, 1, now=110.0)
    t.propose(3, 0, 1, now=120.0)
    assert t.deadline(MAJ) == 160.0  # 60 s from the first proposal, not the latest
    assert t.verdict(MAJ, 159.9) is None  # 2 of 5 is no majority
    v = t.verdict(MAJ, 160.0)
    assert v["how"] == "window" and v["index"] == 1 and not v["tied"] and v["opened"] == 100.0


def test_a_tie_at_the_window_end_goes_to_the_choice_proposed_first():
    t = team(4)
    t.propose(1, 0, 3, now=100.0)
    t.propose(2, 0, 1, now=101.0)
    t.propose(3, 0, 1, now=102.0)
    t.propose(1, 0, 0, now=103.0)   # member 1 changes their mind: the latest counts
    t.propose(4, 0, 0, now=104.0)
    assert t.counts() == {0: 2, 1: 2}
    v = t.verdict(MAJ, 160.0)
    # choice 1's earliest current proposal (101) is before choice 0's (103): choice 3's 100 no longer counts
    assert v["how"] == "tie" and v["tied"] and v["index"] == 1


def test_one_connected_member_is_a_majority_of_one_and_a_dropped_proposer_still_counts():
    alone = team(3, connected={2})
    alone.propose(2, 0, 1, now=5.0)
    assert alone.verdict(MAJ, 5.0)["how"] == "majority"
    t = team(3)
    t.propose(1, 0, 0, now=5.0)
    t.members[1].connected, t.members[1].left_at = False, 5.0   # drops after proposing: still a voter
    t.members[3].connected, t.members[3].left_at = False, 5.0   # drops without proposing
    assert t.voters(6.0) == {1, 2, 3}  # a moment's drop (a phone asleep) is still counted...
    assert t.voters(5.0 + T.CAPTAIN_GRACE) == {1, 2}  # ...and after the grace no longer waited for
    assert t.verdict(MAJ, 6.0 + T.CAPTAIN_GRACE) is None  # one of two is not more than half
    t.propose(2, 0, 0, now=7.0 + T.CAPTAIN_GRACE)
    assert t.verdict(MAJ, 7.0 + T.CAPTAIN_GRACE)["for"] == 2


def test_closing_the_round_ends_an_open_window_by_the_same_rule():
    t = team(3)
    t.propose(1, 0, 2, now=100.0)
    assert t.verdict(MAJ, 101.0) is None
    v = t.verdict(MAJ, 101.0, round_closed=True)
    assert v["how"] == "round" and v["index"] == 2


def test_proposals_for_an_earlier_decision_are_forgotten():
    t = team(3)
    t.propose(1, 0, 2, now=1.0)
    t.propose(2, 1, 0, now=2.0)  # the seat moved on (another decision): point 1
    assert t.point == 1 and list(t.proposals) == [2] and t.opened == 2.0


def test_the_captain_decides_and_the_others_advise():
    t = team(3, captain=1)
    t.propose(2, 0, 1, now=1.0)
    t.propose(3, 0, 1, now=2.0)
    assert t.verdict(CAP, 2.0, by=3) is None  # two of three, but not the captain: advice
    t.propose(1, 0, 0, now=3.0)
    v = t.verdict(CAP, 3.0, by=1)
    assert v["how"] == "captain" and v["index"] == 0 and v["for"] == 1 and len(v["votes"]) == 3
    assert t.deadline(CAP) is None  # no window under a captain


def test_a_captain_who_leaves_hands_over_after_the_grace_and_does_not_take_it_back():
    t = team(3)
    assert t.refresh_captain(0.0) and t.captain == 1  # the first to join
    t.members[1].connected, t.members[1].left_at = False, 100.0
    assert t.captain_check_at() == 100.0 + T.CAPTAIN_GRACE
    assert not t.refresh_captain(100.0 + T.CAPTAIN_GRACE - 1)  # a reload or a sleeping phone: still captain
    assert t.refresh_captain(100.0 + T.CAPTAIN_GRACE)
    assert t.captain == 2  # the connected member who joined first
    t.members[1].connected, t.members[1].left_at = True, None
    assert not t.refresh_captain(200.0) and t.captain == 2
    # nobody connected: the captain stays until someone is there to take over
    for m in t.members.values():
        m.connected, m.left_at = False, 300.0
    assert not t.refresh_captain(1000.0) and t.captain == 2
    t.members[3].connected = True
    assert t.refresh_captain(1000.0) and t.captain == 3


def test_players_fill_teams_evenly_or_in_fours_and_may_pick_one():
    book = T.TeamBook(T.config(3, T.parse_rule("captain")))
    seen = []
    for i in range(7):
        n = book.pick(None)
        seen.append(n)
        team_ = book.teams.get(n) or book.add_team(n, seat_id=100 + n)
        book.add_member(T.Member(i, team_.seat_id, f"P{i}", f"h{i}", 0.0))
    assert seen == [1, 2, 3, 1, 2, 3, 1]
    assert book.pick(3) == 3
    with pytest.raises(ValueError):
        book.pick(4)
    auto = T.TeamBook(T.config("auto", T.parse_rule("majority:30")))
    got = []
    for i in range(9):
        n = auto.pick(None)
        got.append(n)
        team_ = auto.teams.get(n) or auto.add_team(n, seat_id=n)
        auto.add_member(T.Member(i, team_.seat_id, f"P{i}", f"h{i}", 0.0))
    assert got == [1] * T.AUTO_SIZE + [2] * T.AUTO_SIZE + [3]
    assert auto.pick(4) == 4
    with pytest.raises(ValueError):
        auto.pick(5)  # only the next new team can be asked for


@pytest.mark.parametrize("text,want", [("captain", {"rule": "captain", "window": None}),
                                       ("majority:45", {"rule": "majority", "window": 45}),
                                       ("Majority", {"rule": "majority", "window": 60})])
def test_the_rule_as_the_facilitator_types_it(text, want):
    assert T.parse_rule(text) == want


@pytest.mark.parametrize("text", ["vote", "majority:2", "majority:x", "captain:10", ""])
def test_a_rule_that_is_not_one_is_refused(text):
    with pytest.raises(ValueError):
        T.parse_rule(text)


def test_team_counts():
    assert T.parse_teams("4") == 4 and T.parse_teams("AUTO") == "auto"
    for bad in ("0", "100", "-1", "two"):
        with pytest.raises(ValueError):
            T.parse_teams(bad)


def test_pending_proposals_come_back_after_a_restart():
    t = team(3)
    book = T.TeamBook(T.config(2, MAJ))
    rows = [(1, 0, 2, 50.0), (1, 1, 0, 90.0), (2, 1, 1, 95.0), (1, 1, 1, 99.0)]  # (member, point, choice, at)
    book.restore_proposals(t, 1, rows)
    assert {m: p.index for m, p in t.proposals.items()} == {1: 1, 2: 1}
    assert t.opened == 90.0  # the point's first proposal, even though it was changed since


def test_the_migrations_build_exactly_the_tables_the_store_declares(db_url):
    """Alembic's upgrade (which runs on SQLite and PostgreSQL) and store.metadata agree."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from classroom.store import make_engine, metadata, upgrade
    eng = make_engine(db_url)
    upgrade(eng)
    with eng.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    eng.dispose()
    assert diff == []


def test_what_changed_in_a_team_in_a_line_each_for_the_windows_toasts():
    from classroom.textclient import team_news

    snap = {"choices": [{"index": 4, "text": "A"}, {"index": 7, "text": "B"}]}
    t = team(3, captain=1)
    cfg = CAP
    before = t.view(cfg, you=1)
    t.propose(2, 0, 7, now=1.0)
    t.propose(1, 0, 4, now=2.0)   # your own proposal is not news to you
    now = t.view(cfg, you=1)
    assert team_news(before, now, snap) == ["M2 proposes 2"]
    assert team_news(now, now, snap) == []
    v = t.verdict(cfg, 3.0, by=1)
    v["text"] = "A."
    t.decided(v)
    t.captain = 2
    after = t.view(cfg, you=1)
    assert team_news(now, after, snap) == ["Your team chose: A (1 of 3)", "M2 is now the captain"]


def test_the_terminal_says_each_change_of_the_room_once():
    """Closing a round and then revealing it (or showing names, or the leaderboard) each push the room; the
    terminal printed 'Round 11 is closed.' twice in a row."""
    import io
    from types import SimpleNamespace

    from classroom.textclient import ClassTextUI
    out = io.StringIO()
    ui = ClassTextUI(SimpleNamespace(room={}), out=out)

    def room(**kw):
        r = {"mode": "lockstep", "started": True, "round": 1, "open": True, "revealed": False, "paused": False,
             "ended": False, "leaderboard": False, **kw}
        ui.on_push({"type": "room", "room": r})
    room()
    room(open=False)
    room(open=False, revealed=True)
    room(open=False, revealed=True, leaderboard=True)
    room(round=2)
    room(round=2, paused=True)
    room(round=2)
    assert out.getvalue().splitlines() == ["Round 1 is open.", "Round 1 is closed.", "Round 2 is open.",
                                           "The facilitator has paused the session.", "Round 2 is open."]


def test_a_new_captain_with_an_earlier_proposal_is_told_in_the_terminal_and_the_window():
    """As on the player page: a proposal made before the captaincy passed is advice, so the new captain is
    told to choose again (the terminal's team lines; the window's toast)."""
    from classroom.textclient import describe_team, team_news

    snap = {"choices": [{"index": 4, "text": "A"}, {"index": 7, "text": "B"}]}
    t = team(3, captain=1)
    t.propose(2, 0, 7, now=1.0)                 # M2's advice while M1 is captain
    before = t.view(CAP, you=2)
    assert not any("choose again" in line for line in describe_team(before, snap))
    t.captain = 2
    after = t.view(CAP, you=2)
    assert any("choose again" in line for line in describe_team(after, snap))
    assert team_news(before, after, snap) == ["You are now the captain: your proposal was advice; choose again to decide"]
