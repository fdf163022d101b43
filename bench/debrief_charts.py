"""The window's debrief charts: drawn with pygame (what ships) against matplotlib's Agg back end rendering
the same chart into a pygame surface (the alternative the issue asked to measure first).

Real debrief data: a random run of integrated-care (seed 1). For each chart, best of PASSES of drawing it
REPS times, in milliseconds per chart; also the first matplotlib import, which the window would pay once.
Measured with the dummy video driver; the machine is shared, so compare within one run.

    python bench/debrief_charts.py
"""
from __future__ import annotations

import os
import sys
import time

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import pygame  # noqa: E402

from bench.debrief import play  # noqa: E402
from engine import load_scenario  # noqa: E402
from engine.debrief import build  # noqa: E402
from game.debrief import wcharts  # noqa: E402
from game.window.render import Ctx, Fonts, TextCache  # noqa: E402
from game.window.settings import Settings  # noqa: E402
from game.window.theme import Theme  # noqa: E402

REPS, PASSES = 10, 3
SIZE = (1140, 420)


def best(fn):
    out = None
    for _ in range(PASSES):
        t = time.perf_counter()
        for _ in range(REPS):
            fn()
        el = (time.perf_counter() - t) * 1000 / REPS
        out = el if out is None else min(out, el)
    return out


def main():
    pygame.init()
    pygame.display.set_mode((1280, 720))
    sc = load_scenario(os.path.join("scenarios", "integrated-care.yaml"))
    d = build(sc, play(sc, 1))
    ctx = Ctx(pygame.display.get_surface(), Theme(Settings(), (1280, 720)), Fonts(), TextCache())
    story = d.story
    met = [(s.label, [100 * (v - s.lo) / ((s.hi - s.lo) or 1) for v in s.values], i) for i, s in enumerate(story.meters)]
    sh = d.gap.stakeholders[0]

    def pg_meters():
        wcharts.line_chart(ctx, SIZE, story.labels, met, "share of range (%)", title="The meters")

    def pg_gap():
        wcharts.line_chart(ctx, SIZE, d.gap.labels, [("said", sh.support, 0), ("done", sh.commitment, 1)], "0-100",
                           title=sh.name)

    t = time.perf_counter()
    import matplotlib
    matplotlib.use("Agg")
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    from game.debrief.charts import style
    imp = (time.perf_counter() - t) * 1000

    def mpl(series, labels, title):
        fig = Figure(figsize=(SIZE[0] / 100, SIZE[1] / 100), dpi=100)
        canvas = FigureCanvasAgg(fig)
        ax = fig.subplots()
        for i, (label, values) in enumerate(series):
            ax.plot(range(len(values)), values, label=label, **style(i))
        ax.set_xticks(range(len(labels)))
        ax.set_xticklabels(labels, rotation=30)
        ax.set_ylabel("0-100")
        ax.set_title(title)
        ax.legend(ncol=3, fontsize=8)
        canvas.draw()
        buf = canvas.buffer_rgba()
        return pygame.image.frombuffer(bytes(buf), canvas.get_width_height(), "RGBA")

    rows = [("the meters (10 series, 17 quarters)", pg_meters,
             lambda: mpl([(m[0], m[1]) for m in met], story.labels, "The meters")),
            ("one stakeholder's gap (2 series)", pg_gap,
             lambda: mpl([("said", sh.support), ("done", sh.commitment)], d.gap.labels, sh.name))]
    print(f"matplotlib's first import: {imp:.0f} ms")
    print(f"{'chart':40} {'pygame ms':>10} {'matplotlib Agg ms':>18} {'ratio':>6}")
    for name, a, b in rows:
        ta, tb = best(a), best(b)
        print(f"{name:40} {ta:10.1f} {tb:18.1f} {tb / ta:6.1f}")


if __name__ == "__main__":
    main()
