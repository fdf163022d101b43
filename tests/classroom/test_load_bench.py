"""bench/classroom_load.py runs, end to end, on each storage backend: its --quick size through real
`balcony host` processes and worker processes. The figures are the bench's business; this checks only that
every count adds up (nothing lost, nothing unanswered) and that each process was measured. No timings."""
from __future__ import annotations

import json
import subprocess
import sys

from .conftest import ROOT


def test_the_load_bench_runs_and_its_counts_add_up(db_url, tmp_path):
    r = subprocess.run([sys.executable, str(ROOT / "bench" / "classroom_load.py"), "--quick", "--json", "--db", db_url],
                       capture_output=True, text=True, timeout=240, cwd=ROOT)
    assert r.returncode == 0, r.stderr + r.stdout
    out = json.loads(r.stdout)
    assert out["finished"] == out["players"] == 12 and not out["failed_players"]
    assert out["intents_acked"] > 12 * 10  # the tutorial takes every player through more than ten steps
    assert out["intents_sent"] == out["intents_acked"] + out["intents_refused"]
    assert out["intents_unanswered"] == 0 and out["intents_lost"] == 0
    assert out["intents_stored"] == out["intents_acked"] and out["stored_not_acked"] == 0 and out["acked_twice"] == 0
    assert out["lockstep_rounds"] >= 1 and out["dashboards_received"] >= 1
    server = out["servers_detail"][0]
    assert server["acks"] == out["intents_acked"]
    assert all(type(server["gc_pauses"][g]["count"]) is int for g in ("gen0", "gen1", "gen2"))
    assert server["cpu_s"] > 0 and server["peak_rss_mb"] > 10 and out["load_generator_cpu_s"] > 0
    assert out["ack_ms"]["p50"] <= out["ack_ms"]["p99"] <= out["ack_ms"]["max"]


def test_tune_gc_freezes_what_start_up_built_and_spaces_young_collections():
    import gc

    from classroom.server import GC_YOUNG, tune_gc
    before = gc.get_threshold()
    try:
        tune_gc()
        assert gc.get_threshold() == (GC_YOUNG, *before[1:]) and GC_YOUNG > before[0]
        assert gc.get_freeze_count() > 1000  # the modules loaded so far, at least
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)
