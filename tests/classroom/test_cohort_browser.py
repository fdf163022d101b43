"""The cohort debrief in Debian's Chromium, driven by Playwright, against `balcony host`: the dashboard's
*Cohort debrief* after a short session with several seats (the report framed, opened in its own tab and
printed to PDF), and a player who sees their own debrief and, once the session ends, their place in the
room. Screenshots go to BALCONY_SHOTS (docs/images/classroom is made this way), or to a temporary folder."""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from .conftest import HostProcess, needs_chromium

needs_chromium()


class Socket:
    """A player over the real protocol (websockets' sync client), paced under the server's rate limit."""

    def __init__(self, url: str, code: str, name: str):
        from websockets.sync.client import connect
        self.ws = connect(url).__enter__()  # kept open across calls (as classroom.client does)
        self.ids = iter(range(1, 10**6))
        self.send({"v": 1, "type": "hello", "role": "player", "code": code, "name": name})
        self.state = self.wait("welcome")

    def send(self, msg):
        self.ws.send(json.dumps(msg))

    def wait(self, *types):
        while True:
            msg = json.loads(self.ws.recv(timeout=20))
            if msg["type"] in types:
                return msg
            assert msg["type"] != "error", msg

    def step(self, pick: int):
        snap, seq = self.state["snapshot"], self.state["seq"]
        if snap["status"] == "outcome":
            self.send({"v": 1, "type": "intent", "id": next(self.ids), "seq": seq, "action": "advance"})
        else:
            avail = [c["index"] for c in snap["choices"] if c["available"]]
            self.send({"v": 1, "type": "intent", "id": next(self.ids), "seq": seq, "action": "choose",
                       "index": avail[(pick + seq) % len(avail)]})
        self.state = self.wait("ack")


@pytest.fixture(scope="module")
def session(tmp_path_factory):
    """A free-play tutorial session: three seats play over the protocol (two to an ending, one stops half
    way); the second test's browser player joins as a fourth."""
    tmp = tmp_path_factory.mktemp("cohort")
    h = HostProcess(f"sqlite:///{tmp / 'classroom.db'}", tmp / "data", "--scenario", "tutorial", "--mode", "free",
                    "--seed", "3")
    sid, secret = h.session()
    from websockets.sync.client import connect
    with connect(h.ws) as fac:
        fac.send(json.dumps({"v": 1, "type": "hello", "role": "facilitator", "session": sid, "secret": secret}))
        fac.send(json.dumps({"v": 1, "type": "control", "id": 1, "session": sid, "action": "start"}))
        while json.loads(fac.recv(timeout=20))["type"] != "done":
            pass
    seats = [Socket(h.ws, h.code, f"Secret{i}") for i in range(3)]
    for n in range(200):
        live = [(i, s) for i, s in enumerate(seats)
                if s.state["snapshot"]["status"] != "ended" and (i < 2 or s.state["snapshot"]["decisions"] < 4)]
        if not live:
            break
        for i, s in live:
            s.step(i)
        time.sleep(0.1)  # each seat sends one message a round: under the server's 10 a second per connection
    for s in seats:
        s.ws.close()
    shots = Path(os.environ.get("BALCONY_SHOTS") or tmp / "shots")
    shots.mkdir(parents=True, exist_ok=True)
    try:
        yield h, sid, secret, shots, tmp
    finally:
        h.stop()


def _play_in_browser(browser, h, name):
    page = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
    page.goto(f"{h.base}/?code={h.code}")
    page.get_by_label("Display name").fill(name)
    page.get_by_role("button", name="Join").click()
    page.wait_for_selector("#game:not(.hidden)")
    for _ in range(60):
        page.wait_for_selector("#play-area:not(.hidden), #outcome:not(.hidden), #ending:not(.hidden)")
        if page.locator("#ending").is_visible():
            break
        if page.locator("#outcome").is_visible():
            page.get_by_role("button", name="Continue").click()
        else:
            page.locator("#choices button:not([disabled])").first.click()
        # the server has answered (on a busy machine the old screen can stay up a while after the click)
        page.wait_for_selector("#game[aria-busy='false']", state="attached")
        time.sleep(0.1)  # a person's pace, under the server's 10 messages a second per connection
    page.wait_for_selector("#ending:not(.hidden)")
    return page


def test_the_facilitator_opens_the_cohort_debrief_from_the_dashboard(session, browser):
    h, sid, secret, shots, tmp = session
    dash = browser.new_page(viewport={"width": 1400, "height": 1000})
    dash.goto(f"{h.base}/dashboard#s={sid}.{secret}")
    dash.wait_for_selector("#player-count:has-text('3 players joined')")
    dash.get_by_role("button", name="Cohort debrief").click()
    dash.wait_for_selector("#cohort-view:not(.hidden)")
    dash.wait_for_selector("#cohort-status:has-text('Up to date')", timeout=60_000)
    frame = dash.frame_locator("#cohort-frame")
    assert "How the room played" in frame.locator("h1").inner_text()
    head = frame.locator("header").inner_text()
    assert re.search(r"Seats\s+3", head) and re.search(r"Reached an ending\s+2", head)
    body = frame.locator("body").inner_text()
    assert "Secret0" not in body and "Secret1" not in body                   # it names nobody
    assert "The decisions that split the room" in body and "Questions for the room" in body
    assert "teaching model" in body
    dash.screenshot(path=str(shots / "dashboard-cohort.png"))
    # its own tab, for the projector and for printing; nothing in it reaches outside the page
    url = dash.locator("#cohort-tab").get_attribute("href")
    assert secret not in url
    tab = browser.new_page(viewport={"width": 1280, "height": 900})
    requests = []
    tab.on("request", lambda r: requests.append(r.url))
    tab.goto(h.base + url)
    assert requests == [h.base + url]
    tab.screenshot(path=str(shots / "cohort-report.png"))
    tab.pdf(path=str(tmp / "cohort.pdf"), format="A4", print_background=True)
    if shutil.which("pdftoppm"):
        subprocess.run(["pdftoppm", "-r", "20", "-png", str(tmp / "cohort.pdf"), str(tmp / "page")], check=True,
                       timeout=60)
        pages = sorted(tmp.glob("page-*.png"))
        assert len(pages) >= 4                                         # a page (at least) per section
        from tests.debrief.test_report import _blank
        assert not [p.name for p in pages if _blank(p)]
    # the facilitator secret is needed to get a link
    got = dash.evaluate("fetch('/cohort/link?session=' + D.session, {method: 'POST'}).then(r => r.status)")
    assert got == 403


def test_a_player_sees_their_own_debrief_and_then_their_place_in_the_room(session, browser):
    h, sid, secret, shots, tmp = session
    page = _play_in_browser(browser, h, "Dee")
    page.wait_for_selector("#my-debrief:not(.hidden)")
    why = page.locator("#md-why").inner_text()
    ending = page.locator("#ending-title").inner_text()
    assert ending in why
    assert "shows here when the facilitator ends the session" in page.locator("#md-place").inner_text()
    assert page.locator("#md-gap tbody tr").count() >= 3 and page.locator("#md-pattern tbody tr").count() == 6
    # the facilitator ends the session: the player's page shows where they sat, with counts and no names
    from websockets.sync.client import connect
    with connect(h.ws) as fac:
        fac.send(json.dumps({"v": 1, "type": "hello", "role": "facilitator", "session": sid, "secret": secret}))
        fac.send(json.dumps({"v": 1, "type": "control", "id": 1, "session": sid, "action": "end"}))
        while json.loads(fac.recv(timeout=20))["type"] != "done":
            pass
    page.wait_for_selector("#md-place:has-text('seats that finished')", timeout=30_000)
    place = page.locator("#md-place").inner_text()
    assert re.search(r"was reached by \d of the 3 seats that finished", place)
    assert re.search(r"Your score, \d+\.\d: \d seats? scored higher", place)
    text = page.locator("body").inner_text()
    assert not [n for n in ("Secret0", "Secret1", "Secret2") if n in text]
    page.evaluate("document.getElementById('md-place').previousElementSibling.scrollIntoView()")
    page.screenshot(path=str(shots / "player-debrief.png"))
    with page.expect_download() as got:
        page.get_by_role("button", name="Save my full debrief report").click()
    path = tmp / got.value.suggested_filename
    got.value.save_as(path)
    assert "The decisions that mattered most" in path.read_text(encoding="utf-8")
