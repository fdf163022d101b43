"""Benchmark: load + validate a generated 5,000-scene scenario against the bare C YAML parse.

Also times random playthroughs per second on it. Run: .venv/bin/python bench/load.py
"""
from __future__ import annotations

import gc
import os
import random
import statistics
import sys
import tempfile
import time

import yaml

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from bench.gen_scenario import generate  # noqa: E402
from engine import Run, check_file, read_metadata  # noqa: E402


def median_time(fn, passes=3):
    times = []
    for _ in range(passes):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main():
    n = int(os.environ.get("BENCH_SCENES", "5000"))
    text = generate(n)
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "bench.yaml")
        with open(path, "w") as f:
            f.write(text)
        size = os.path.getsize(path)

        def bare():
            with open(path, "rb") as f:
                yaml.load(f, Loader=yaml.CSafeLoader)

        def bare_nogc():
            gc.disable()
            try:
                bare()
            finally:
                gc.enable()

        def ours():
            sc, diags = check_file(path)
            assert sc is not None, diags[:3]

        t_bare = median_time(bare)
        t_bare_nogc = median_time(bare_nogc)
        t_ours = median_time(ours)
        t_meta = median_time(lambda: read_metadata(path), 5)
        sc, _ = check_file(path)
        rng = random.Random(1)
        runs, t0 = 0, time.perf_counter()
        while time.perf_counter() - t0 < 3.0:
            r = Run(sc, rng.randrange(1 << 30), record=False)
            while not r.ended:
                idx = r.available_indices()
                r.choose(idx[rng.randrange(len(idx))])
                r.advance()
            runs += 1
        pps = runs / (time.perf_counter() - t0)
    print(f"scenario: {n} scenes, {size / 1e6:.1f} MB, {text.count(chr(10)):,} lines")
    print(f"yaml.load, CSafeLoader:                 {t_bare:6.2f} s")
    print(f"yaml.load, CSafeLoader, GC paused:      {t_bare_nogc:6.2f} s")
    print(f"balcony load + validate (check_file):   {t_ours:6.2f} s  ({t_ours / t_bare:.2f}x the bare C parse)")
    print(f"read_metadata (title screen):           {t_meta * 1000:6.1f} ms")
    print(f"random playthroughs per second:         {pps:8.0f}")


if __name__ == "__main__":
    main()
