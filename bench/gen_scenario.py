"""Generate a large, valid Balcony scenario for benchmarks: N scenes of 3 choices each."""
from __future__ import annotations

import random
import sys

WORDS = ("partner budget family outcome board trust police council health school housing data plan "
         "meeting risk care review money staff estate report target voice agency story").split()


def generate(n_scenes: int = 5000, seed: int = 1) -> str:
    rng = random.Random(seed)
    out = ["balcony: 1", "id: bench", "title: Benchmark", 'version: "1"', "summary: A generated scenario.",
           "setting: {place: Benchmark, years: [2010, 2020]}", "role: Tester", "start: s0",
           "calendar: {start: 2010-Q1}", "meters:"]
    for m in ("outcomes", "political", "budget", "tension"):
        out.append(f"  {m}: {{range: [0, 100], start: 50}}")
    out.append("stakeholders:")
    for i in range(8):
        out.append(f"  - {{id: p{i}, name: Person {i}, role: Role, agency: Agency {i}, local_budget: {str(i % 2 == 0).lower()}, "
                   f"trust: 50, support: 60, commitment: 40}}")
    out += ["phases:", "  - {id: one, name: One}", "scenes:"]
    for i in range(n_scenes):
        out.append(f"  s{i}:")
        out.append(f"    speaker: p{i % 8}")
        out.append(f"    quarters: {1 if i % 3 == 0 else 0}")
        text = " ".join(rng.choice(WORDS) for _ in range(40))
        out.append(f"    text: |\n      {text}\n      {{if outcomes > 50}}Things go well.{{else}}Things are hard.{{end}}")
        out.append("    choices:")
        for c in range(3):
            nxt = i + 1 + c if i + 1 + c < n_scenes else "end"
            nxt = f"s{nxt}" if nxt != "end" else "end"
            out.append(f"      - text: {' '.join(rng.choice(WORDS) for _ in range(8))}")
            if c == 2:
                out.append(f'        if: "p{i % 8}.trust >= 40 and political > 20"')
                out.append("        unavailable: Not yet.")
            out.append(f"        tags: [{rng.choice(['relating', 'doing', 'thinking'])}, {rng.choice(['hero', 'distributed'])}]")
            out.append(f"        effects: [{{add: {{outcomes: {rng.randint(-3, 4)}, p{rng.randrange(8)}.trust: {rng.randint(-5, 5)}}}}}]")
            out.append(f"        goto: {nxt}")
    out += ["triangle: {public_value: outcomes, legitimacy: political, capacity: budget}", "endings:",
            "  - {id: good, title: Good, quality: good, if: \"outcomes > 60\", text: Good.}",
            "  - {id: other, title: Other, quality: mixed, fallback: true, text: Other.}"]
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
    sys.stdout.write(generate(n))
