"""Layout invariants checked on every screen the layout tests and the sweep visit.

For one drawn frame (the app's ``LayoutLog``):

1. no text outside its panel: the visible part of every text lies inside the
   visible part of its panel, and inside the window;
2. no clipped text without a scroll affordance: text cut by a scroll area's
   edge is allowed only when that area shows a scrollbar;
3. no overlapping widgets (within one layer, as far as they are visible), none
   outside the window, none too small to use;
4. no word broken inside (every wrapped box is wide enough for its longest word);
5. the focused control has a focus ring, visible in the focus colour.

:func:`check_keyboard` adds: every focusable control is reachable with Tab and,
once focused, lies whole inside its scroll area and the window.
"""
from __future__ import annotations

import itertools
import os
from pathlib import Path

import pygame


def _visible(rect: pygame.Rect, view) -> pygame.Rect:
    return rect.clip(view.rect) if view is not None else pygame.Rect(rect)


def problems_in_frame(app, allow_ellipsis: bool = True) -> list[str]:
    log = app.layout_log
    win = app.surface.get_rect()
    problems = []
    scrolls = {id(a) for a, _ in log.scrollbars}

    def scrollable(view) -> bool:
        return view is not None and id(view) in scrolls

    # 1 and 2: text inside its panel; text cut only by a scrolling area's edge
    for text, rect, pname, prect, *rest in log.texts:
        view = rest[0] if rest else None
        seen = _visible(rect, view)
        if view is not None and seen.width * seen.height == 0:
            continue  # scrolled out of sight
        if not _visible(prect, view).contains(seen):
            problems.append(f"text {text[:40]!r} at {rect} spills out of panel {pname} {prect}")
        if not win.contains(seen):
            problems.append(f"text {text[:40]!r} at {rect} is outside the window")
        if view is not None and not view.rect.contains(rect) and not scrollable(view):
            problems.append(f"text {text[:40]!r} at {rect} is cut by {view.id} {view.rect} with no scrollbar")
    for name, rect, *rest in log.panels:
        view = rest[0] if rest else None
        seen = _visible(rect, view)
        if view is not None and seen.width * seen.height == 0:
            continue
        if not win.contains(seen):
            problems.append(f"panel {name} {rect} is outside the window")
    # 3: widgets apart, inside the window, big enough
    by_layer: dict[int, list] = {}
    for wid, rect, layer, *rest in log.widgets:
        view = rest[0] if rest else None
        seen = _visible(rect, view)
        if seen.width * seen.height == 0:
            continue
        by_layer.setdefault(layer, []).append((wid, seen))
        if not win.contains(seen):
            problems.append(f"widget {wid} {rect} is outside the window")
        if (rect.width < 8 or rect.height < 8) and seen == rect:
            problems.append(f"widget {wid} {rect} is too small to use")
    for layer, items in by_layer.items():
        for (a, ra), (b, rb) in itertools.combinations(items, 2):
            if ra.colliderect(rb):
                problems.append(f"widgets {a} {ra} and {b} {rb} overlap")
    # 4: no word broken inside
    for word, width in log.broken_words:
        problems.append(f"the word {word!r} was broken: its box is {width} px wide")
    if not allow_ellipsis:
        for full, cut in log.ellipsized:
            problems.append(f"{full[:50]!r} was cut to {cut!r}")
    # 5: the focus is visible
    top = app.top
    if top.focus_id is not None and top.focused() is not None:
        rings = [r for wid, r in log.focus if wid == top.focus_id]
        if not rings:
            problems.append(f"focused {top.focus_id} has no focus ring")
        else:
            ring = rings[-1]
            colour = app.theme.pal.focus
            edge = [(ring.centerx, ring.top + 1), (ring.left + 1, ring.centery), (ring.centerx, ring.bottom - 2),
                    (ring.right - 2, ring.centery)]
            seen = sum(1 for p in edge if win.collidepoint(p) and tuple(app.surface.get_at(p))[:3] == colour)
            if seen < 3:
                problems.append(f"focus ring of {top.focus_id} at {ring} is not visible in the focus colour")
    return problems


def _redraw(app) -> None:
    app.toast_text = ""
    app._trans_from = None
    app.draw()


def save_shot(app, where: str) -> None:
    shots = os.environ.get("BALCONY_SHOTS")
    if shots:
        Path(shots).mkdir(parents=True, exist_ok=True)
        pygame.image.save(app.surface, str(Path(shots) / f"{where}.png"))


def check_layout(app, where: str, allow_ellipsis: bool = True) -> None:
    log = app.layout_log
    assert log is not None, "make the app with record_layout=True"
    _redraw(app)
    problems = problems_in_frame(app, allow_ellipsis)
    save_shot(app, where)
    assert not problems, f"{where}:\n  " + "\n  ".join(problems[:12])


def check_keyboard(app, where: str, max_controls: int = 60) -> None:
    """Tab through every control: each is reached, scrolled into view and ringed."""
    top = app.top
    _redraw(app)
    ids = [f.id for f in top.focusables()]
    problems = []
    reached = set()
    start = top.focus_id
    for _ in range(min(2 * len(ids), max_controls) + 2):  # (controls may appear as the focus moves)
        cur = top.focused()
        if cur is not None and cur.id not in reached:
            reached.add(cur.id)
            area = getattr(cur, "area", None)
            if area is not None and not area.rect.contains(cur.rect):
                problems.append(f"focused {cur.id} {cur.rect} is not scrolled into view in {area.id} {area.rect}")
            if not app.surface.get_rect().contains(cur.rect):
                problems.append(f"focused {cur.id} {cur.rect} is outside the window")
            problems += [p for p in problems_in_frame(app) if "focus" in p]
        top.handle(_tab())
        _redraw(app)
        if app.top is not top:
            problems.append("Tab left the screen")
            break
    still = {f.id for f in top.focusables()}  # (a control may come and go with what is focused)
    missing = [i for i in ids[:max_controls] if i not in reached and i in still]
    if missing:
        problems.append(f"not reachable with Tab: {missing}")
    top.focus_id = start
    top.reveal_focus()
    _redraw(app)
    assert not problems, f"{where} (keyboard):\n  " + "\n  ".join(problems[:12])


def _tab():
    from game.window.input import Intent

    return Intent("tab", n=1)
