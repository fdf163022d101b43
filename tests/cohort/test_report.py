"""The cohort report's content on a room whose figures are known (the page itself is opened in Chromium by
tests/classroom/test_cohort_browser.py)."""
from __future__ import annotations

import re

from engine.cohort import build
from game.cohort.report import render_html
from tests.debrief.scenarios import DELAYED

from .conftest import play
from .test_aggregate import partial


def test_the_report_shows_every_figure_with_its_count_and_names_nobody(load_doc):
    sc = load_doc(DELAYED)
    runs = [play(sc, script=[("choose", c)]) for c in (1, 1, 1, 0, 0)] + [partial(sc, 0)]
    html = render_html(build(sc, [(f"Seat{i}", r.transcript()) for i, r in enumerate(runs)]),
                       {"code": "ABC123", "mode": "lockstep"})
    assert "session ABC123" in html and "lock-step rounds" in html
    assert re.search(r"Seats<strong>6</strong>", html) and re.search(r"Reached an ending<strong>5</strong>", html)
    assert "1 of the 6 seats had not reached an ending" in html
    # the endings, with counts and shares that add up, and a mean only over 3 or more seats
    assert re.search(r"<td>Good</td><td>good</td><td class=\"num\">3</td><td class=\"num\">60%</td>"
                     r"<td class=\"num\">94.0</td>", html)
    assert "n = 2, too few" in html
    # the split, each branch with n; the 3-seat branch has its mean, the other says it is too few
    assert "Invest in the partnership</td><td class=\"num\">3 (50%)</td><td class=\"num\">3</td><td class=\"num\">94.0" in html
    assert "Announce a quick win</td><td class=\"num\">3 (50%)</td><td class=\"num\">2</td><td class=\"num\">too few" in html
    assert "The one seat" not in html and "3 of the 3 seats took exactly this path" in html
    assert "Seat0" not in html and "<script" not in html
    assert "teaching model" in html and "Section Three" in html and "equal counts always show equal shares" in html
    assert html.count("<svg") == 6                        # endings, scores, pattern, stances, gap, one split


def test_a_report_with_nobody_finished_says_what_it_can(load_doc):
    sc = load_doc(DELAYED)
    html = render_html(build(sc, [("1", partial(sc, 0).transcript()), ("2", partial(sc, 1).transcript())]))
    assert "No seat has reached an ending yet" in html and "The decisions that split the room" in html
    assert html.count("<svg") == 1 and "none finished" in html and "Where the room ended" not in html


def test_a_report_of_one_seat(load_doc):
    sc = load_doc(DELAYED)
    html = render_html(build(sc, [("1", play(sc, script=[("choose", 1)]).transcript())]))
    assert re.search(r"Seats<strong>1</strong>", html) and "With one seat, no decision can split the room." in html
    assert "With one seat there is no path to compare" in html
    assert "<td>Good</td><td>good</td><td class=\"num\">1</td><td class=\"num\">100%</td>" in html
    assert "n = 1, too few" in html and "had not reached an ending" not in html
