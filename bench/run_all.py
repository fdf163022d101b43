"""Run every benchmark in bench/ in turn (make bench). Each prints its own figures."""
from __future__ import annotations

import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
SKIP = {"__init__.py", "run_all.py", "gen_scenario.py"}

if __name__ == "__main__":
    status = 0
    for name in sorted(os.listdir(HERE)):
        path = os.path.join(HERE, name)
        if name.endswith(".py") and name not in SKIP:
            print(f"== {name}", flush=True)
            status |= subprocess.call([sys.executable, path], cwd=os.path.dirname(HERE))
        elif os.path.isdir(path) and os.path.exists(os.path.join(path, "run.py")):
            print(f"== {name}/run.py", flush=True)
            status |= subprocess.call([sys.executable, os.path.join(path, "run.py")], cwd=os.path.dirname(HERE))
    sys.exit(status)
