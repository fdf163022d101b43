"""The report to keep: self-contained HTML (Jinja2, matplotlib SVG), opened in headless Chromium through
Playwright, screenshotted, printed to PDF and its pages read back with pdftoppm; and the text version."""
from __future__ import annotations

import json
import re
import shutil
import subprocess
from functools import lru_cache

import pytest

from engine import load_scenario
from engine.debrief import build
from game.debrief.text import render_text, sparkline
from tests.engine.helpers import REPO, balcony, play_all
from tests.engine.strategies import random_player

CHROMIUM = "/usr/bin/chromium"


@lru_cache(maxsize=None)
def tutorial_debrief():
    from engine import Run
    sc = load_scenario(REPO / "scenarios" / "tutorial.yaml")
    run = Run(sc, 5)
    play_all(run, random_player(5, 0.6))
    return run.transcript(), build(sc, run.transcript())


@pytest.fixture(scope="module")
def report_html(tmp_path_factory):
    """The HTML report of a tutorial run with two answers, written by `balcony report` in its own process (so
    that matplotlib's memory stays out of the test process, whose forks other tests measure)."""
    tr, d = tutorial_debrief()
    folder = tmp_path_factory.mktemp("report")
    (folder / "run.json").write_text(json.dumps(tr))
    (folder / "answers.json").write_text(json.dumps(answers_for(d)))
    r = balcony(folder, "report", folder / "run.json", "-o", folder / "report.html", "--answers", folder / "answers.json",
                timeout=120)
    assert r.returncode == 0, r.stderr
    assert "wrote" in r.stderr and not (set(p.name for p in folder.iterdir()) - {"run.json", "answers.json", "report.html",
                                                                               "data", "config"})
    return folder / "report.html"


def answers_for(d):
    return {d.reflection[0].id: "I trusted the room <too much> & never asked.", d.reflection[-1].id: "Meet the GP first."}


def test_the_html_is_self_contained_and_carries_every_section_and_the_answers(report_html):
    _, d = tutorial_debrief()
    html = report_html.read_text(encoding="utf-8")
    assert html.count("<svg") == 4 and "<script" not in html.lower()
    assert not re.search(r"""(src|href)\s*=\s*["'](?!#)""", html), "a link to an outside file"
    assert not re.search(r"url\((?!#)|@import", html)                  # url(#clip) refers inside the page
    for heading in ("Why this ending", "The story", "The balcony gap", "The decisions that mattered most",
                    "A better path", "Your leadership pattern", "What the research says", "Questions for reflection"):
        assert f">{heading}<" in html
    assert "I trusted the room &lt;too much&gt; &amp; never asked." in html and "Meet the GP first." in html
    assert "teaching model" in html and d.ending.title.replace("'", "&#39;") in html
    for note in (n for _, notes in d.research.years for n in notes):
        assert note.note.replace("&", "&amp;").replace("'", "&#39;").replace('"', "&#34;") in html
    assert "break-before: page" in html and "break-inside: avoid" in html
    # the personas by name and their endings by title, as the player knows them, never by the scenario's ids
    assert "<td>Systems leader</td>" in html and "<td>systems-leader</td>" not in html
    reached = {e for p in d.pattern.personas for e in p.endings}
    assert reached and all(f"\u201c{d.pattern.ending_titles[e]}\u201d".replace("'", "&#39;") in html for e in reached)
    assert not any(re.search(rf"\b{re.escape(e)} \d", html) for e in reached)


def test_the_text_debrief_has_sparklines_every_section_and_the_answers():
    assert sparkline([0, 50, 100]) == "\u2581\u2585\u2588"
    _, d = tutorial_debrief()
    text = render_text(d, answers_for(d))
    for heading in ("WHY THIS ENDING", "THE STORY", "THE BALCONY GAP", "THE DECISIONS THAT MATTERED MOST",
                    "A BETTER PATH", "YOUR LEADERSHIP PATTERN", "WHAT THE RESEARCH SAYS", "QUESTIONS FOR REFLECTION"):
        assert heading in text
    bob = d.gap.stakeholders[0]
    assert f"said {sparkline(bob.support)}" in text and f"did  {sparkline(bob.commitment)}" in text
    assert "Your answer: Meet the GP first." in text
    assert all(len(line) <= 78 for line in text.splitlines())


def test_the_command_writes_the_report_text_and_refuses_bad_input(tmp_path):
    tr, d = tutorial_debrief()
    (tmp_path / "run.json").write_text(json.dumps(tr))
    (tmp_path / "answers.json").write_text(json.dumps({d.reflection[0].id: "An answer from a file."}))
    r = balcony(tmp_path, "report", tmp_path / "run.json", "--text", "--answers", tmp_path / "answers.json")
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("DEBRIEF: ") and "An answer from a file." in r.stdout
    bad = dict(tr, actions=tr["actions"][:3])
    (tmp_path / "short.json").write_text(json.dumps(bad))
    r = balcony(tmp_path, "report", tmp_path / "short.json", "-o", tmp_path / "x.html")
    assert r.returncode == 2 and "balcony:" in r.stderr and "Traceback" not in r.stderr
    assert not (tmp_path / "x.html").exists()


def _blank(png) -> bool:
    """A page is blank when nearly all of its pixels are near white."""
    import pygame
    s = pygame.image.load(str(png))
    w, h = s.get_size()
    dark = 0
    for y in range(0, h, 4):
        for x in range(0, w, 4):
            r, g, b, *_ = s.get_at((x, y))
            dark += (r + g + b) < 600
    return dark < 30


@pytest.mark.skipif(not shutil.which("pdftoppm") or not shutil.which(CHROMIUM),
                    reason="needs Debian's chromium and poppler-utils (.ci/run installs them)")
def test_the_report_opens_in_chromium_offline_and_prints_page_by_section(tmp_path, report_html):
    playwright = pytest.importorskip("playwright.sync_api")
    _, d = tutorial_debrief()
    page_file = report_html
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--headless", "--no-sandbox"])
        try:
            page = browser.new_page(viewport={"width": 1100, "height": 900})
            requests = []
            page.on("request", lambda r: requests.append(r.url))
            page.goto(page_file.as_uri())
            assert requests == [page_file.as_uri()]                 # nothing else was fetched
            sizes = page.eval_on_selector_all("figure svg", "els => els.map(e => [e.getBoundingClientRect().width,"
                                                            " e.getBoundingClientRect().height])")
            assert len(sizes) == 4 and all(w > 500 and h > 150 for w, h in sizes)
            assert "I trusted the room <too much>" in page.inner_text("#reflect")
            page.screenshot(path=str(tmp_path / "top.png"))
            assert not _blank(tmp_path / "top.png")
            page.emulate_media(media="print")
            styles = page.evaluate("""() => ({
                sections: [...document.querySelectorAll('section:not(.first)')].map(s => getComputedStyle(s).breakBefore),
                figures: [...document.querySelectorAll('figure')].map(f => getComputedStyle(f).breakInside)})""")
            assert styles["sections"] and set(styles["sections"]) == {"page"}
            assert set(styles["figures"]) == {"avoid"}
            page.pdf(path=str(tmp_path / "report.pdf"), format="A4", print_background=True)
        finally:
            browser.close()
    subprocess.run(["pdftoppm", "-r", "30", "-png", str(tmp_path / "report.pdf"), str(tmp_path / "page")], check=True,
                   timeout=60)
    pages = sorted(tmp_path.glob("page-*.png"))
    assert len(pages) >= 7                                          # a page (at least) per section
    assert not [p.name for p in pages if _blank(p)]
