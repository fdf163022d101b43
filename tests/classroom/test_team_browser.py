"""A team session in Debian's Chromium, driven by Playwright against `balcony host --teams`: two browser
players in one team propose, see each other's proposals live, one reloads and finds the pending proposal
again, and the majority decides. Screenshots (a phone's width, and 200% text) go to BALCONY_SHOTS or to the
test's temporary folder."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from .conftest import needs_chromium
from .test_browser import colours, contrast, png_size

needs_chromium()


def test_two_players_in_one_team_propose_see_each_other_and_the_majority_decides(host, browser, tmp_path):
    shots = Path(os.environ.get("BALCONY_SHOTS") or tmp_path / "shots")
    shots.mkdir(parents=True, exist_ok=True)
    h = host("--scenario", "tutorial", "--mode", "free", "--teams", "2", "--team-rule", "majority:300")
    assert any("teams: 2, majority within 300 seconds of the first proposal, 0 players)" in line for line in h.lines)
    dash = browser.new_page(viewport={"width": 1400, "height": 900})
    dash.goto(h.dashboards[-1])
    dash.wait_for_selector("#session:not(.hidden)")

    pages = []
    for name, width in (("Ana", 360), ("Ben", 390)):
        ctx = browser.new_context(viewport={"width": width, "height": 800})  # phones, each with its own storage
        page = ctx.new_page()
        page.goto(f"{h.base}/?code={h.code}")
        page.get_by_label("Display name").fill(name)
        page.get_by_label("Team number", exact=False).fill("1")
        page.get_by_role("button", name="Join").click()
        page.wait_for_selector("#team:not(.hidden)")
        pages.append(page)
    ana, ben = pages
    ana.wait_for_selector("#team-members:has-text('Ben')")
    assert "Ana (you)" in ana.locator("#team-members").inner_text()
    dash.wait_for_selector("#player-count:has-text('2 players in 1 team')")
    assert "2 members, 2 connected" in dash.locator("#seats").inner_text()
    dash.get_by_role("button", name="Start").click()

    # the first scene has one choice: both propose it (2 of 2: a majority), and the team moves on together
    ana.wait_for_selector("#choices button:not([disabled])")
    ana.locator("#choices button").first.click()
    ana.wait_for_selector("#choices button:has-text('Proposed by you')")
    ben.wait_for_selector("#choices button:has-text('Proposed by Ana')")
    assert "Ana proposes 1." in ben.locator("#team-proposals").inner_text()
    ben.locator("#choices button").first.click()
    for page in pages:
        page.wait_for_selector("#outcome:not(.hidden)")
        assert "2 of 2 proposed it; more than half" in page.locator("#team-last").inner_text()
    ben.get_by_role("button", name="Continue (moves your whole team on)").click()
    ana.wait_for_selector("#play-area:not(.hidden) #choices button:not([disabled])")  # moved on by Ben

    # a real decision: they disagree first, and each sees the other's proposal
    ana.locator("#choices button:not([disabled])").nth(0).click()
    ben.wait_for_selector("#team-proposals:has-text('Ana proposes 1.')")
    ben.locator("#choices button:not([disabled])").nth(1).click()
    ana.wait_for_selector("#team-proposals:has-text('Ben proposes 2.')")
    assert "Time left to agree" in ana.locator("#team-clock").inner_text()
    ana.screenshot(path=str(shots / "team-proposals-phone.png"), full_page=True)
    dash.wait_for_selector("#seats:has-text('2 proposals pending')")
    # Ben's phone reloads: back in the team, the pending proposals still there
    ben.reload()
    ben.wait_for_selector("#team-proposals:has-text('Ana proposes 1.')")
    assert "Proposed by you" in ben.locator("#choices").inner_text()
    # large text (200%), as a partially sighted player would set it
    ben.evaluate("document.documentElement.style.fontSize = '200%'")  # (the CSP refuses a style tag; CSSOM is fine)
    ben.screenshot(path=str(shots / "team-proposals-large-text.png"), full_page=True)
    # Ben comes round to Ana's choice: 2 of 2, decided at once, on both phones
    ben.locator("#choices button:not([disabled])").nth(0).click()
    for page in pages:
        page.wait_for_selector("#outcome:not(.hidden)")
        page.wait_for_selector("#team-last:has-text('2 of 2 proposed it')")
    ana.screenshot(path=str(shots / "team-decided-phone.png"), full_page=True)
    dash.wait_for_selector("#seats tbody tr:first-child td:nth-child(3):has-text('2')")  # two decisions
    dash.screenshot(path=str(shots / "team-dashboard.png"), full_page=True)

    for page, sel in ((ana, "#team-rule"), (ana, "#team-members"), (ana, "#team-last")):
        fg, bg = colours(page, sel)
        assert contrast(fg, bg) >= 4.5, (sel, fg, bg)
    # nothing wider than the phone: no sideways scrolling at 360 px or at 200% text
    for page in pages:
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    for f in shots.glob("team-*.png"):
        w, hgt = png_size(f)
        assert w >= 360 and hgt >= 600 and f.stat().st_size > 20_000, f


def test_a_new_captain_whose_earlier_proposal_is_pending_is_told_to_choose_again(host, browser, monkeypatch):
    """Under the captain rule, a member's proposal is advice; when the captaincy passes to them, it stays
    advice. The page told the new captain 'your choice is the team's decision' beside 'Proposed by you',
    and the team waited without anyone knowing why."""
    from .test_process import facilitate
    monkeypatch.setenv("BALCONY_TEAM_GRACE", "1")   # the captain's grace: 1 s instead of 30
    h = host("--scenario", "tutorial", "--mode", "free", "--teams", "1", "--team-rule", "captain")
    pages = []
    for name in ("Ana", "Ben"):
        page = browser.new_context(viewport={"width": 390, "height": 800}).new_page()
        page.goto(f"{h.base}/?code={h.code}")
        page.get_by_label("Display name").fill(name)
        page.get_by_role("button", name="Join").click()
        page.wait_for_selector("#team:not(.hidden)")
        pages.append(page)
    ana, ben = pages
    ana.wait_for_selector("#team-members:has-text('Ben')")
    assert facilitate(h, "start")["type"] == "done"
    ben.wait_for_selector("#choices button:not([disabled])")
    ben.locator("#choices button").first.click()                      # advice: Ana is the captain
    ana.wait_for_selector("#choices button:has-text('Proposed by Ben')")
    ana.context.close()                                               # the captain leaves
    ben.wait_for_selector("#team-members:has-text('Ben (you), captain')")
    assert "choose again" in ben.locator("#team-rule").inner_text()
    ben.locator("#choices button").first.click()
    ben.wait_for_selector("#outcome:not(.hidden)")
    assert "the captain's decision" in ben.locator("#team-last").inner_text()
