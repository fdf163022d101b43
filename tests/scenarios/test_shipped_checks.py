"""The shipped scenarios' acceptance: `balcony check FILE` with no options passes, and every declared
teaching invariant holds with 2,000 runs per persona, explore reaches every scene and ending, and validate says nothing.

These are the heavy persona simulations of the suite: about a minute in all on two cores (check gives
each persona its own worker process).
"""
import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SCENARIOS = sorted(p for p in (REPO / "scenarios").glob("*.yaml"))
RESEARCH = [p for p in SCENARIOS if p.stem != "tutorial"]


def balcony(*args, timeout=600):
    return subprocess.run([sys.executable, "-m", "game", *args], cwd=REPO, capture_output=True, text=True,
                          timeout=timeout)


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_check_passes_with_no_options_and_with_2000_runs_per_persona(path, tmp_path):
    """What a newcomer following the README types, `balcony check FILE`, passes: a scenario whose invariants
    need more than the default 200 runs per persona says so (`check: {runs: N}`); and every scenario's
    invariants hold with 2,000 runs per persona."""
    from engine import load_scenario
    runs = load_scenario(path).check_runs or 200
    for extra in ([], ["--runs", "2000"]) if runs < 2000 else ([],):
        r = balcony("check", str(path), *extra, "--json", "--out", str(tmp_path))
        assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-2000:]
        report = json.loads(r.stdout)
        assert report["ok"] is True
        assert report["validate"]["errors"] == 0 and report["validate"]["warnings"] == 0


@pytest.mark.parametrize("path", RESEARCH, ids=lambda p: p.stem)
def test_research_scenario_declares_enough_invariants_and_content(path):
    r = balcony("stats", str(path), "--json")
    assert r.returncode == 0, r.stderr
    stats = json.loads(r.stdout)
    assert stats["words"]["total"] >= 12000, stats["words"]
    play = stats["playthrough"]
    assert play["decisions"] >= 25, play            # decisions in a typical playthrough
    assert 20 <= play["minutes"] <= 40, play        # a 20-40 minute scenario
    from engine import load_scenario
    sc = load_scenario(path)
    findings = {inv.get("finding") for inv in sc.invariants if isinstance(inv, dict)}
    assert len(findings - {None}) >= 8, f"invariants cover findings {sorted(f for f in findings if f)}"
    assert len(sc.scenes) >= 60
    assert len(sc.stakeholders) >= 8
    assert len(sc.endings) >= 6
    assert len([e for e in sc.events if not e.forced]) >= 10
    assert all(c.tags for s in sc.scenes.values() for c in s.choices), "every choice is tagged"
