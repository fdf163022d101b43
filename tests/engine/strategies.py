"""Seeded players for whole-run tests: they pick among available choices and sometimes perceive."""
from __future__ import annotations

import random


def random_player(seed, perceive_rate=0.5):
    """A picker for play_all(): random available choices, with random perception first."""
    rnd = random.Random(seed)

    def pick(run, snap):
        while snap.attention_left > 0 and rnd.random() < perceive_rate:
            acts = [a for a in snap.perception_actions if a.available]
            if not acts:
                break
            a = rnd.choice(acts)
            if a.kind == "one_to_one":
                run.perceive("one_to_one", rnd.choice(snap.dance_floor).id)
            else:
                run.perceive(a.kind)
            snap = run.snapshot()
        return rnd.choice(snap.available_choices).index
    return pick


def steps(run, pick, n):
    """Take up to n decisions (advancing outcome screens); returns the number taken."""
    taken = 0
    while taken < n and run.status != "ended":
        if run.status == "outcome":
            run.advance()
            continue
        run.choose(pick(run, run.snapshot()))
        taken += 1
    return taken
