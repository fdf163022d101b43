"""The dashboard and the player page in Debian's Chromium, driven by Playwright, against `balcony host`.

The flow: create a session from the dashboard, three players join, a lock-step round, the reveal, the
leaderboard, the end. Screenshots go to BALCONY_SHOTS (docs/images/classroom is made this way), or to the
test's temporary folder.
"""
from __future__ import annotations

import os
import re
import struct
from pathlib import Path

import pytest

from .conftest import needs_chromium

needs_chromium()


def png_size(path: Path) -> tuple[int, int]:
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n", path
    return struct.unpack(">II", head[16:24])


def luminance(rgb):
    def ch(c):
        c /= 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (ch(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(fg: str, bg: str) -> float:
    a, b = (luminance([int(x) for x in re.findall(r"\d+", c)[:3]]) for c in (fg, bg))
    return (max(a, b) + 0.05) / (min(a, b) + 0.05)


def colours(page, selector):
    return page.eval_on_selector(selector, """e => { const s = getComputedStyle(e); let b = e, bg;
        do { bg = getComputedStyle(b).backgroundColor; b = b.parentElement; }
        while (b && (bg === 'rgba(0, 0, 0, 0)' || bg === 'transparent'));
        return [s.color, bg]; }""")


def test_a_class_in_the_browser(host, browser, tmp_path):
    shots = Path(os.environ.get("BALCONY_SHOTS") or tmp_path / "shots")
    shots.mkdir(parents=True, exist_ok=True)
    h = host()
    dash = browser.new_page(viewport={"width": 1400, "height": 900})
    refused = []   # what the pages' Content-Security-Policy refused (an inline style="" would be)
    watch = lambda page: page.on("console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None)
    watch(dash)
    # the host's page: create a lock-step session of the tutorial
    dash.goto(f"{h.base}/dashboard#k={h.host_key}")
    dash.select_option("#scenario", "tutorial")
    dash.get_by_label("Lock-step rounds", exact=False).check()
    dash.get_by_role("button", name="Create the session").click()
    dash.wait_for_selector("#session:not(.hidden)")
    dash.wait_for_selector("#join-code:not(:empty)")  # shown when the server's welcome arrives, not with the panel
    code = dash.locator("#join-code").inner_text().strip()
    assert re.fullmatch(r"[A-Z0-9]{6}", code)

    players = []
    for name in ("Ana", "Ben", "Cleo"):
        ctx = browser.new_context(viewport={"width": 390, "height": 844})  # a phone; its own storage
        page = ctx.new_page()
        watch(page)
        page.goto(f"{h.base}/?code={code}")
        page.get_by_label("Display name").fill(name)
        page.get_by_role("button", name="Join").click()
        page.wait_for_selector("#game:not(.hidden)")
        players.append(page)
    dash.wait_for_selector("#player-count:has-text('3 players joined, 3 connected')")
    # names stay off the projector until the facilitator turns them on
    seats_text = dash.locator("#seats").inner_text()
    assert "Player 1" in seats_text and "Ana" not in seats_text
    dash.screenshot(path=str(shots / "dashboard-lobby.png"), full_page=True)
    assert "Waiting for the facilitator" in players[0].locator("#room-status").inner_text()

    dash.get_by_role("button", name="Start").click()
    # round 1: the tutorial's first scene has one choice; everyone takes it, by keyboard on one phone
    for i, page in enumerate(players):
        page.wait_for_selector("#choices button:not([disabled])")
        if i == 0:
            page.keyboard.press("1")
        else:
            page.locator("#choices button").first.click()
        page.wait_for_selector("#outcome:not(.hidden)")
    dash.wait_for_selector("#round-status:has-text('3 of 3')")
    dash.get_by_role("button", name="Close the round").click()
    dash.get_by_role("button", name="Next round").click()
    # round 2: a real decision; the three choose differently
    picks = (0, 1, 1)
    for page, pick in zip(players, picks):
        page.get_by_role("button", name="Continue").click()
        page.wait_for_selector("#choices button:not([disabled])")
    players[2].screenshot(path=str(shots / "player-scene.png"), full_page=True)
    for page, pick in zip(players, picks):
        page.locator("#choices button:not([disabled])").nth(pick).click()
        page.wait_for_selector("#outcome:not(.hidden)")
    dash.wait_for_selector("#round-status:has-text('3 of 3')")
    # nothing about how the room leans shows before the reveal
    assert dash.locator("#round-reveal").is_hidden()
    dash.get_by_role("button", name="Close the round").click()
    dash.get_by_role("button", name="Reveal how the room chose").click()
    dash.wait_for_selector("#round-reveal:not(.hidden)")
    reveal = dash.locator("#round-reveal").inner_text()
    assert "2 (67%)" in reveal and "1 (33%)" in reveal
    for page in players:
        page.wait_for_selector("#reveal:not(.hidden)")
    assert "2 (67%)" in players[0].locator("#reveal").inner_text()
    assert "Round 2 is closed: here is how the room chose." in players[0].locator("#room-status").inner_text()
    players[0].screenshot(path=str(shots / "player-reveal.png"), full_page=True)
    dash.get_by_label("Show players their rank").check()
    for page in players:
        page.wait_for_selector("#leaderboard:not(.hidden)")
    dash.screenshot(path=str(shots / "dashboard-reveal.png"), full_page=True)

    # a phone drops and comes back (a reload): the same seat, exactly where it was
    before = players[1].locator("#notices").inner_text()
    players[1].reload()
    players[1].wait_for_selector("#outcome:not(.hidden)")
    assert players[1].locator("#notices").inner_text() == before
    assert "playing as Ben" in players[1].locator("#where").inner_text()

    dash.once("dialog", lambda d: d.accept())
    dash.get_by_role("button", name="End the session").click()
    dash.wait_for_selector("#round-status:has-text('ended')")
    dash.get_by_label("Show names on the projector").check()
    dash.wait_for_selector("#leaderboard:has-text('Ana')")
    board = dash.locator("#leaderboard tbody tr")
    assert board.count() == 3
    for page in players:
        page.wait_for_selector("#room-status:has-text('ended')")
        assert re.search(r"You are \d\w\w of 3", page.locator("#leaderboard").inner_text())
    players[1].screenshot(path=str(shots / "player-end.png"), full_page=True)
    dash.screenshot(path=str(shots / "dashboard-end.png"), full_page=True)

    # contrast (WCAG 2.1 AA: 4.5:1 for text) of the main kinds of text, as rendered
    for page, sel in ((players[0], "#where"), (players[0], "#room-status"), (players[0], "#do-advance"),
                      (dash, "#join-code"), (dash, "#leaderboard th"), (dash, ".bar-count")):
        fg, bg = colours(page, sel)
        assert contrast(fg, bg) >= 4.5, (sel, fg, bg)
    assert refused == []
    for f in shots.glob("*.png"):
        w, hgt = png_size(f)
        assert w >= 390 and hgt >= 600 and f.stat().st_size > 20_000, f


def test_a_long_unbroken_display_name_wraps_instead_of_widening_the_pages(host, browser):
    """A 40-character name with no space (an e-mail address, a long surname) widened a phone's page past
    its screen (a name of 40 A's: 471 px at 390) and pushed the projector's leaderboard out over the room's panel."""
    h = host("--scenario", "tutorial", "--mode", "free")
    long_name = "MWolfeschlegelsteinhausenbergerdorffWMWM"  # 40 characters, no place to break
    dash = browser.new_page(viewport={"width": 1400, "height": 900})
    dash.goto(h.dashboards[-1])
    dash.wait_for_selector("#session:not(.hidden)")
    # the server's welcome has arrived (it sets the box from the session's state, which would undo an earlier check)
    dash.wait_for_selector("#join-code:not(:empty)")
    dash.check("#show-names")
    phone = browser.new_context(viewport={"width": 320, "height": 640}).new_page()   # a small phone
    phone.goto(f"{h.base}/?code={h.code}")
    phone.get_by_label("Display name").fill(long_name)
    phone.get_by_role("button", name="Join").click()
    phone.wait_for_selector(f"#where:has-text('{long_name}')")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 320
    dash.wait_for_selector(f"#leaderboard td:has-text('{long_name}')")
    dash.wait_for_selector(f"#seats td:has-text('{long_name}')")
    for table in ("leaderboard", "seats"):  # each table within its panel
        assert dash.evaluate(f"(t => t.scrollWidth <= t.parentElement.clientWidth)(document.getElementById('{table}'))"), table
