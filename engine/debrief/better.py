"""A better path: the smallest change of the player's choices that reaches a better ending.

The search, from the player's own path, by the rule in `play.RULE`:

1. every single change (each open alternative at each decision; the causal trace has already played
   them): if any reaches an ending of better quality, the best of them is the answer (highest quality,
   then the highest sum of the triangle's scores, then the earliest);
2. otherwise pairs, then triples, of the single changes that moved the triangle's sum furthest up
   (the best `PAIR_POOL` and `TRIPLE_POOL` of them, at most one per decision);
3. otherwise "no better ending within three changes".

Under this seed the answer is certain: it is a replay. Across seeds it is a likelihood: the same change,
by the same rule, is played under `SEEDS` other seeds, beside the player's own choices under those seeds.
"""
from __future__ import annotations

from itertools import combinations

from ..marks import N_, same
from .model import BetterPath, Outcome, Swap
from .play import Player, rank
from .trace import choice_text

PAIR_POOL = 12
TRIPLE_POOL = 7
SEEDS = 20


def _key(o: Outcome) -> tuple:
    return (rank(o.ending), round(sum(o.triangle.values()), 1))


def build_better(scenario, run, player: Player, cf: dict, tr=same) -> BetterPath:
    """A better path, if one exists; its summary worded in the language `tr` translates into (English by default)."""
    base = player.outcome
    searched = 0
    best = None  # (key, swaps dict, outcome)
    for k, alts in cf.items():
        for a, o in alts:
            if rank(o.ending) > rank(base.ending):
                cand = (_key(o), {k: a}, o)
                if best is None or cand[0] > best[0]:
                    best = cand
    if best is None:
        gains = {}
        for k, alts in cf.items():
            for a, o in alts:
                g = sum(o.triangle.values()) - sum(base.triangle.values())
                if k not in gains or g > gains[k][0]:
                    gains[k] = (g, a)
        pool = sorted(gains.items(), key=lambda kv: (-kv[1][0], kv[0]))
        for size, n in ((2, PAIR_POOL), (3, TRIPLE_POOL)):
            top = [(k, a) for k, (g, a) in pool[:n]]
            for combo in combinations(sorted(top), size):
                swaps = dict(combo)
                o = player.changed(swaps)
                searched += 1
                if rank(o.ending) > rank(base.ending):
                    cand = (_key(o), swaps, o)
                    if best is None or cand[0] > best[0]:
                        best = cand
            if best is not None:
                break
    if best is None:
        return BetterPath(False, (), None, False, 0, 0, 0, searched,
                          tr(N_("No change of up to three of your decisions reaches a better ending under this seed, "
                                "by the rule above.")) if rank(base.ending) < 3 else
                          tr(N_("Your run reached an ending of the best quality; there is no better one to find.")))
    _, swaps, out = best
    steps = player.steps
    decisions = run.history.decisions
    swap_rows = tuple(
        Swap(k + 1, steps[k].turn, decisions[k]["label"], steps[k].key[0], steps[k].choice, decisions[k]["text"], a,
             choice_text(scenario, player, k, a))
        for k, a in sorted(swaps.items()))
    better = baseline = 0
    for i in range(1, SEEDS + 1):
        seed = player.seed + i * 7919
        mine = player.on_seed(seed)
        changed = player.on_seed(seed, swaps)
        better += rank(changed.ending) > rank(base.ending)
        baseline += rank(mine.ending) > rank(base.ending)
    return BetterPath(True, swap_rows, out, True, SEEDS, better, baseline, searched + 2 * SEEDS,
                      _summary(swap_rows, out, base, better, baseline, tr))


def _summary(swaps, out, base, better, baseline, tr=same) -> str:
    changes = tr(N_("; and ")).join(
        tr(N_("in {when} \u201c{choice}\u201d instead of \u201c{yours}\u201d")).format(
            when=s.when, choice=s.text, yours=s.actual_text) for s in swaps)
    if better >= 15:
        odds = tr(N_("likely"))
    elif better >= 8:
        odds = tr(N_("possible but far from sure"))
    else:
        odds = tr(N_("unlikely: under other seeds' events it seldom works"))
    return tr(N_("Had you chosen {changes}, the run would have ended in \u201c{ending}\u201d ({quality}) instead of "
                 "\u201c{yours}\u201d ({your_quality}). Under this run's seed that is certain: it is a replay. Across "
                 "{seeds} other seeds the same change reached an ending better than yours in {better} (your own "
                 "choices did in {baseline}): {odds}.")).format(
        changes=changes, ending=out.ending.title, quality=tr(out.ending.quality), yours=base.ending.title,
        your_quality=tr(base.ending.quality), seeds=SEEDS, better=better, baseline=baseline, odds=odds)
