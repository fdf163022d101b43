"""Layout invariants checked on every screen the screenshot tests visit."""
from __future__ import annotations

import itertools
import os
from pathlib import Path

import pygame


def check_layout(app, where: str) -> None:
    log = app.layout_log
    assert log is not None, "make the app with record_layout=True"
    app.toast_text = ""
    app._trans_from = None
    app.draw()
    win = app.surface.get_rect()
    problems = []
    # 1. no text outside its panel (nor outside the window)
    for text, rect, pname, prect in log.texts:
        if not prect.contains(rect):
            problems.append(f"text {text[:40]!r} at {rect} spills out of panel {pname} {prect}")
        if not win.contains(rect):
            problems.append(f"text {text[:40]!r} at {rect} is outside the window")
    for name, rect in log.panels:
        if not win.contains(rect):
            problems.append(f"panel {name} {rect} is outside the window")
    # 2. no overlapping widgets within one layer
    by_layer: dict[int, list] = {}
    for wid, rect, layer in log.widgets:
        by_layer.setdefault(layer, []).append((wid, rect))
        if not win.contains(rect):
            problems.append(f"widget {wid} {rect} is outside the window")
        if rect.width < 8 or rect.height < 8:
            problems.append(f"widget {wid} {rect} is too small to use")
    for layer, items in by_layer.items():
        for (a, ra), (b, rb) in itertools.combinations(items, 2):
            if ra.colliderect(rb):
                problems.append(f"widgets {a} {ra} and {b} {rb} overlap")
    # 3. the focus is visible: a ring in the focus colour around the focused widget
    top = app.top
    if top.focus_id is not None and top.focused() is not None:
        rings = [r for wid, r in log.focus if wid == top.focus_id]
        if not rings:
            problems.append(f"focused {top.focus_id} has no focus ring")
        else:
            ring = rings[-1]
            colour = app.theme.pal.focus
            edge = [(ring.centerx, ring.top + 1), (ring.left + 1, ring.centery), (ring.centerx, ring.bottom - 2)]
            seen = sum(1 for p in edge if win.collidepoint(p) and tuple(app.surface.get_at(p))[:3] == colour)
            if seen < 2:
                problems.append(f"focus ring of {top.focus_id} at {ring} is not visible in the focus colour")
    shots = os.environ.get("BALCONY_SHOTS")
    if shots:
        Path(shots).mkdir(parents=True, exist_ok=True)
        pygame.image.save(app.surface, str(Path(shots) / f"{where}.png"))
    assert not problems, f"{where}:\n  " + "\n  ".join(problems[:12])
