"""The guide's balancing chapter shows the shipped tutorial's own rules: every YAML excerpt in it is in
scenarios/tutorial.yaml as written, the rule order it describes is the file's, and its arithmetic holds."""
from __future__ import annotations

import re

from engine import load_scenario

from .helpers import REPO

GUIDE = (REPO / "docs" / "authoring.md").read_text(encoding="utf-8")
CHAPTER = GUIDE[GUIDE.index("## Balancing"):GUIDE.index("## Teaching invariants")]
TUTORIAL = REPO / "scenarios" / "tutorial.yaml"


def test_every_excerpt_is_the_tutorials_own():
    lines = [ln.rstrip() for ln in TUTORIAL.read_text(encoding="utf-8").splitlines()]
    blocks = re.findall(r"```yaml\n(.*?)```", CHAPTER, re.S)
    assert len(blocks) >= 5
    for block in blocks:
        want = [ln.rstrip() for ln in block.rstrip("\n").splitlines()]
        assert want[0] in ("rules:", "computed:") and want[0] in lines  # the section it comes from
        want = want[1:]
        assert any(lines[i:i + len(want)] == want for i in range(len(lines))), block


def test_the_rule_order_and_the_arithmetic_it_describes():
    sc = load_scenario(TUTORIAL)
    rules = [r.id for r in sc.rules]
    assert rules.index("too_hot") < rules.index("tension_settles")
    assert "after four, about 59%" in CHAPTER and round(100 * (1 - 0.8 ** 4)) == 59
    assert "after eight, about 83%" in CHAPTER and round(100 * (1 - 0.8 ** 8)) == 83
    assert round(100 * (1 - 0.9 ** 16)) in range(80, 86)  # k = 10: about as much forgotten in four years
