"""The window's debrief screen: tabs Why, Story, Decisions, Pattern, Research and Reflect.

Reached from the ending screen ("Read the debrief"). The first section (why this ending) is built before
the screen opens, which takes milliseconds; the rest are built in a thread by `engine.debrief.Builder`
and each tab fills in as its sections arrive, so the window never waits. Reflect has a box per question
where the player types an answer (kept with the session); "Save report" writes the HTML report, answers
included, in another thread.
"""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pygame

from engine.debrief.reflect import STAGE_NAMES
from game.window.screens.base import Screen, ScrollArea
from game.window.screens.common import draw_backdrop
from game.window.widgets import Button, button_height

from game.i18n import N_, _, ngettext

from . import wcharts
from .text import num, signed

if TYPE_CHECKING:
    from game.window.context import ScreenContext
    from game.window.render import Ctx

# names marked for translation (game/i18n.py), translated where they are shown
TABS = (("why", N_("Why"), ("why",)), ("story", N_("Story"), ("story", "gap")),
        ("decisions", N_("Decisions"), ("trace", "better")), ("pattern", N_("Pattern"), ("pattern",)),
        ("research", N_("Research"), ("research",)), ("reflect", N_("Reflect"), ("reflection",)))
WORKING = {"story": N_("the timeline"), "gap": N_("the balcony gap"), "research": N_("the research notes"),
           "trace": N_("replaying every alternative of every decision"), "better": N_("searching for a better path"),
           "pattern": N_("playing the personas for comparison"), "reflection": N_("choosing questions")}
QUALITIES = (N_("best"), N_("good"), N_("mixed"), N_("poor"))  # an ending's quality, as the debrief names it
TRIANGLE_NAMES = {"public_value": N_("Public value"), "legitimacy": N_("Legitimacy"),
                  "capacity": N_("Operating capacity")}


def seen_text(sh) -> str:
    """How often the player looked at one stakeholder: '2 balcony readings, 1 one-to-one, 5 quarters never
    looked at; in shadow from the balcony', with each count's plural form in the interface language."""
    parts = [ngettext("{n} balcony reading", "{n} balcony readings", sh.balcony_readings).format(n=sh.balcony_readings),
             ngettext("{n} one-to-one", "{n} one-to-ones", sh.one_to_ones).format(n=sh.one_to_ones),
             ngettext("{n} quarter never looked at", "{n} quarters never looked at",
                      sh.unseen_quarters).format(n=sh.unseen_quarters)]
    return ", ".join(parts) + ("; " + _("in shadow from the balcony") if sh.in_shadow else "")


@dataclass(eq=False)
class AnswerBox:
    """A box the player types a reflection answer into (focusable; Enter starts and Esc ends typing)."""
    id: str
    qid: str
    label: str
    rect: pygame.Rect = field(default_factory=lambda: pygame.Rect(0, 0, 0, 0))
    enabled: bool = True
    detail: str = ""
    on_activate: Any = None

    def activate(self) -> bool:
        if self.on_activate is not None:
            self.on_activate(self)
        return True


class DebriefScreen(Screen):
    name = "debrief"
    title = N_("Debrief")

    def __init__(self, context: "ScreenContext", session: Any, builder: Any) -> None:
        super().__init__(context)
        self.session = session
        self.builder = builder
        self.parts = builder.parts
        self.tab = 0
        self.offsets = [0] * len(TABS)
        self.scroll = ScrollArea("content", _("The debrief's text; arrows or Page Up and Page Down scroll it"))
        self.answers: dict = getattr(session, "debrief_answers", None) or {}
        try:
            session.debrief_answers = self.answers
        except AttributeError:
            pass
        self.editing: str | None = None
        self.error = ""
        self.saving = False
        self.saved_to = ""
        self._charts: dict = {}
        self._seen = 0
        self._boxes: list[AnswerBox] = []
        self._box_pos: dict = {}
        self._content_h = 0
        gen = builder.sections()
        try:
            next(gen)  # the first section at once: why this ending (a replay, milliseconds)
        except StopIteration:
            pass
        except Exception as exc:  # a damaged run: say so on the screen, never crash
            self.error = _("The debrief could not be built: {error}").format(error=exc)
            gen = iter(())
        self._thread = threading.Thread(target=self._build_rest, args=(gen,), name="debrief", daemon=True)
        self._thread.start()

    # ---- building ----------------------------------------------------------------------------
    def _build_rest(self, gen) -> None:
        try:
            for _part in gen:
                self.context.invalidate()
        except Exception as exc:
            self.error = _("Part of the debrief could not be built: {error}").format(error=exc)
        self.context.invalidate()

    def building(self) -> bool:
        return self._thread.is_alive()

    def wait(self, timeout: float = 30.0) -> None:
        """Tests: wait for the thread to finish."""
        self._thread.join(timeout)

    def ready(self, *names) -> bool:
        return all(n in self.parts for n in names)

    def update(self, dt: float) -> None:
        if len(self.parts) != self._seen:
            self._seen = len(self.parts)
            self._charts.clear()

    def animating(self) -> bool:
        return self.building() or self.saving

    def view_key(self) -> tuple | None:
        return (self.tab, self.scroll.offset, len(self.parts), self.focus_id, self.hover_id, self.editing,
                tuple(sorted(self.answers.items())), self.error, self.saving, self.saved_to, self.building())

    # ---- speech ----------------------------------------------------------------------------------
    def speech(self) -> str:
        why = self.parts.get("why")
        return " ".join(x for x in (_("Debrief") + ".", _(TABS[self.tab][1]) + ".",
                                    why.summary if why is not None and self.tab == 0 else "") if x)

    # ---- actions ------------------------------------------------------------------------------------
    def back(self) -> bool:
        if self.editing:
            self.editing = None
            return True
        self.context.pop()
        return True

    def set_tab(self, i: int) -> None:
        if 0 <= i < len(TABS) and i != self.tab:
            self.offsets[self.tab] = self.scroll.offset
            self.tab = i
            self.scroll.offset = self.offsets[i]
            self.editing = None
            self.focus_id = f"tab:{TABS[i][0]}"
            self.context.speak(f"{_(TABS[i][1])}.")

    def save_report(self) -> None:
        if self.saving or self.building() or self.error:
            return
        self.saving = True
        threading.Thread(target=self._save, name="debrief-report", daemon=True).start()

    def _save(self) -> None:
        try:
            from .report import render_html, write_atomic
            d = self.builder.result()
            folder = reports_dir(self.context)
            path = folder / f"{d.scenario}-seed{d.seed}-{time.strftime('%Y%m%d-%H%M%S')}.html"
            write_atomic(path, render_html(d, dict(self.answers)))
            self.saved_to = str(path)
            self.context.toast(_("Report saved: {file}").format(file=path.name), 5.0)
        except Exception as exc:
            self.context.toast(_("Could not save the report: {error}").format(error=exc), 5.0)
        finally:
            self.saving = False
            self.context.invalidate()

    def _edit(self, box: AnswerBox) -> None:
        self.focus_id = box.id
        self.editing = box.qid
        self.context.speak(_("Typing your answer. {question}. Escape when done.").format(question=box.label))

    # ---- input -------------------------------------------------------------------------------------------
    def handle_key(self, intent) -> bool:
        k = intent.kind
        if self.editing is not None:
            q = self.editing
            text = self.answers.get(q, "")
            if k == "text":
                self.answers[q] = (text + intent.char)[:4000]
                return True
            if k == "back" and intent.char == "backspace":
                self.answers[q] = text[:-1]
                return True
            if k == "back":
                self.editing = None
                return True
            if k == "activate":
                if intent.char != " ":      # the space arrives as text; Enter starts a new line
                    self.answers[q] = text + "\n"
                return True
            if k in ("number", "key") and not intent.ctrl:
                return True                 # typed characters arrive as text; no shortcuts while typing
            if k == "tab":
                self.editing = None
                return False
            return k not in ("click", "hover", "scroll", "nav", "page")
        if k == "text":
            return False
        if k == "number" and 1 <= intent.n <= len(TABS):
            self.set_tab(intent.n - 1)
            return True
        if k == "key" and intent.char == "s" and not intent.ctrl:
            self.save_report()
            return True
        if k == "activate":
            cur = self.focused()
            if isinstance(cur, AnswerBox):
                cur.activate()
                return True
        if k == "page":
            self.scroll.scroll(intent.n * max(40, self.scroll.rect.height - 40))
            return True
        if k == "home":
            self.scroll.offset = 0
            return True
        if k == "end":
            self.scroll.offset = self.scroll.max_offset
            return True
        return False

    def handle(self, intent) -> bool:
        used = super().handle(intent)
        cur = self.focused()
        if isinstance(cur, AnswerBox) and intent.kind in ("tab", "nav"):
            self._reveal(cur)
            used = True
        return used

    def _reveal(self, box: AnswerBox) -> None:
        """Scroll so that a box reached with the keyboard is in view."""
        pos = self._box_pos.get(box.qid)
        if pos is None:
            return
        top, h = pos
        view = self.scroll.rect.height
        if top < self.scroll.offset:
            self.scroll.offset = max(0, top - 8)
        elif top + h > self.scroll.offset + view:
            self.scroll.offset = min(self.scroll.max_offset, top + h - view + 8)

    # ---- drawing --------------------------------------------------------------------------------------
    def draw(self, ctx: "Ctx") -> None:
        t = ctx.theme
        pal = t.pal
        draw_backdrop(ctx, motif=False)
        w, h = ctx.surface.get_size()
        m = t.s(4)
        d_why = self.parts.get("why")
        head = _("DEBRIEF") + (f" · {d_why.ending.title}" if d_why is not None else "")
        r = ctx.text(head, (m, t.s(2)), "label", pal.muted_on_bg, "bold", max_width=w - 2 * m)
        y = r.bottom + t.s(1)
        # tabs
        tabs = []
        for i, (key, label, needs) in enumerate(TABS):
            ready = all(n in self.parts for n in needs)
            tabs.append(Button(f"tab:{key}", _(label), (lambda i=i: self.set_tab(i)), primary=(i == self.tab),
                               key_hint=str(i + 1), compact=True,
                               detail="" if ready or self.error else _("working…")))
        gap = t.s(1)
        per_row = len(tabs)
        widest = max(ctx.measure(b.label, "body", "bold")[0] for b in tabs)  # the longest tab name, translated
        while per_row > 1 and (w - 2 * m - gap * (per_row - 1)) // per_row < t.s(15) + widest:
            per_row = (per_row + 1) // 2 if per_row > 3 else per_row - 1
        tw = (w - 2 * m - gap * (per_row - 1)) // per_row
        th = max(button_height(ctx, b, tw) for b in tabs)
        for i, b in enumerate(tabs):
            row, col = divmod(i, per_row)
            b.rect = pygame.Rect(m + col * (tw + gap), y + row * (th + gap), tw, th)
        y = tabs[-1].rect.bottom + t.s(1.5)
        # bottom bar
        complete = not self.building() and not self.error and "reflection" in self.parts
        save = Button("save", _("Save report"), self.save_report, enabled=complete and not self.saving, primary=False,
                      key_hint="S", detail=(_("Saving…") if self.saving else "" if complete else
                                            _("When the debrief is ready")))
        back = Button("back", _("Back to the ending"), lambda: self.context.pop(), key_hint="Esc")
        want = max(ctx.measure(b.label, "body", "bold")[0] for b in (save, back)) + t.s(12)
        bw = min(max(t.s(30), want), (w - 2 * m - gap) // 2)
        bh = max(button_height(ctx, save, bw), button_height(ctx, back, bw))
        back.rect = pygame.Rect(w - m - bw, h - t.s(1.5) - bh, bw, bh)
        save.rect = pygame.Rect(back.rect.left - gap - bw, back.rect.top, bw, bh)
        status = self._status()
        if status and save.rect.left - m > t.s(12):
            ctx.text(status, (m, back.rect.centery), "label", pal.muted_on_bg, max_width=save.rect.left - m - t.s(2),
                     anchor="midleft")
        body = pygame.Rect(m, y, w - 2 * m, back.rect.top - t.s(1.5) - y)
        self._boxes = []
        with ctx.panel(body, "debrief", fill=pal.panel, border=pal.line) as c:
            inner = c.inflate(-t.s(4), -t.s(3))
            self.scroll.rect = inner
            # the window's scroll area: clipped, recorded as a view, with a visible scrollbar on the right
            text_rect = pygame.Rect(inner.left, inner.top, inner.width - ctx.scrollbar_width - t.s(1), inner.height)
            with ctx.scroll(self.scroll, "debrief-text"):
                self._draw_tab(ctx, text_rect)
            ctx.scrollbar(self.scroll)
        self.draw_scroll_focus(ctx, self.scroll)
        focusables: list = tabs + [self.scroll] + self._boxes + [save, back]
        self.set_focusables(focusables)
        self.draw_buttons(ctx, tabs + [save, back])
        for box in self._boxes:
            if box.id == self.focus_id and self.context.focus_visible(self) and box.rect.height >= 8:
                ctx.focus_ring(box.id, box.rect)

    def _status(self) -> str:
        if self.error:
            return self.error
        if self.building():
            missing = [n for n in ("story", "gap", "research", "trace", "better", "pattern", "reflection")
                       if n not in self.parts]
            return _("Working: {what}…").format(what=_(WORKING.get(missing[0], ""))) if missing else _("Working…")
        if self.saved_to:
            return _("Saved: {file}").format(file=self.saved_to)
        return ""

    # ---- the document of a tab ---------------------------------------------------------------------------------
    def _blocks(self, ctx, width) -> list:
        key, _label, needs = TABS[self.tab]
        if not all(n in self.parts for n in needs):
            if self.error:
                return [("p", self.error)]
            what = [_(WORKING.get(n, n)) for n in needs if n not in self.parts]
            return [("h", _("Working it out")), ("p", _("This part is still being built ({what}). The other tabs "
                                                        "fill in as they are ready; nothing here waits for you.").format(
                what=", ".join(what)))]
        return getattr(self, f"_tab_{key}")(ctx, width)

    def _tab_why(self, ctx, width):
        why = self.parts["why"]
        out = [("h", f"{why.ending.title} ({_(why.ending.quality)})"), ("p", why.summary)]
        if why.clauses:
            out.append(("h3", _("Its condition, part by part")))
            out += [("small", (_("{condition}: holds") if c.holds else _("{condition}: does not hold")).format(
                condition=c.text)) for c in why.clauses]
        if why.next_better is not None:
            nb = why.next_better
            out += [("h", _("The nearest better ending: {ending} ({quality})").format(
                ending=nb.ending.title, quality=_(nb.ending.quality))), ("p", nb.summary)]
        else:
            out.append(("p", _("There is no better ending in this scenario than the one you reached.")))
        return out

    def _tab_story(self, ctx, width):
        story, gap = self.parts["story"], self.parts["gap"]
        t = ctx.theme
        lh = ctx.line_height("label")
        out = [("h", _("The strategic triangle and the meters")),
               ("small", _("Quarter by quarter, from {first} to {last}; every meter as a share of its range "
                           "(0-100 %).").format(first=story.labels[0], last=story.labels[-1]))]
        tri = [(_(s.label), s.values, i) for i, s in enumerate(story.triangle)]
        least = wcharts.line_chart_min_height  # a chart may be taller than the view rather than not drawn at all
        out.append(("chart", "triangle", lambda c, size: wcharts.line_chart(
            c, size, story.labels, tri, _("score (0-100)"), title=_("The strategic triangle")), max(t.s(34), lh * 16),
            least(ctx, width, [x[0] for x in tri], _("The strategic triangle"))))
        met = [(s.label, [100 * (v - s.lo) / ((s.hi - s.lo) or 1) for v in s.values], i)
               for i, s in enumerate(story.meters)]
        out.append(("chart", "meters", lambda c, size: wcharts.line_chart(
            c, size, story.labels, met, _("share of range (%)"), title=_("The meters")), max(t.s(44), lh * 22),
            least(ctx, width, [x[0] for x in met], _("The meters"))))
        if story.events:
            out.append(("small", _("Events: {events}.").format(
                events="; ".join(f"{when} {title}" for _id, when, title in story.events))))
        out += [("h", _("The balcony gap: what they said, what they did, what you saw")), ("p", gap.summary)]
        for m in gap.moments:
            out.append(("p", m.text))
        pos = {tt: i for i, tt in enumerate(gap.turns)}
        pal = wcharts.palette(t)
        said_style = (pal[1], wcharts.DASHES[1], "triangle")
        did_style = (pal[0], wcharts.DASHES[0], "circle")
        for sh in gap.stakeholders:
            bands = [(pos[r.turn], r.lo, r.hi) for r in sh.seen if r.kind == "balcony" and r.turn in pos]
            exact = [(pos[r.turn], r.lo) for r in sh.seen if r.kind == "one_to_one" and r.turn in pos]
            seen = seen_text(sh)
            series = [(_("stated support (said)"), sh.support, said_style),
                      (_("real commitment (done)"), sh.commitment, did_style)]
            out.append(("chart", f"gap:{sh.id}", lambda c, size, sh=sh, series=series, bands=bands, exact=exact:
                        wcharts.line_chart(c, size, gap.labels, series, "0-100", bands=bands, exact=exact,
                                           title=f"{sh.name} ({sh.agency})"), max(t.s(30), lh * 15),
                        least(ctx, width, [x[0] for x in series], sh.name, bool(bands), bool(exact))))
            out.append(("small", seen))
        return out

    def _tab_decisions(self, ctx, width):
        trace, better = self.parts["trace"], self.parts["better"]
        out = [("h", _("The decisions that mattered most"))]
        for td in trace.decisions:
            out.append(("h3", f"{td.rank}. {td.when}: \u201c{td.text}\u201d"))
            if td.immediate:
                out.append(("p", _("At once: {changes}.").format(
                    changes=", ".join(f"{c.label} {signed(c.shown_delta)}" for c in td.immediate))))
            for link in td.delayed:
                out.append(("p", _("Later, {when}, \u201c{title}\u201d: {changes}.").format(
                    when=link.when, title=link.title,
                    changes=", ".join(f"{c.label} {signed(c.shown_delta)}" for c in link.changes))))
            alt = (_("the same ending, \u201c{ending}\u201d").format(ending=td.alternative.ending.title)
                   if td.alternative.ending.id == self.parts["why"].ending.id else
                   f"\u201c{td.alternative.ending.title}\u201d ({_(td.alternative.ending.quality)})")
            out.append(("p", _("Had you chosen \u201c{choice}\u201d instead: {outcome}. Your choice against it: "
                               "{scores}.").format(choice=td.alternative_text, outcome=alt, scores=", ".join(
                                   f"{_(TRIANGLE_NAMES.get(k, k)).lower()} {signed(v)}"
                                   for k, v in td.triangle_delta.items()))))
        out += [("small", " ".join((ngettext("How it was measured: {n} decision tested by {replays} replays.",
                                             "How it was measured: {n} decisions tested by {replays} replays.",
                                             trace.tested).format(n=trace.tested, replays=trace.replays),
                                    trace.rule))),
                ("h", _("A better path")), ("p", better.summary)]
        return out

    def _tab_pattern(self, ctx, width):
        p = self.parts["pattern"]
        t = ctx.theme
        lh = ctx.line_height("label")
        out = [("h", _("Your leadership pattern")), ("p", p.reading),
               ("chart", "dimensions", lambda c, size: wcharts.dimensions_chart(c, size, p),
                max(t.s(40), lh * (8 + 3 * len(p.dimensions))))]
        out.append(("h3", _("Stances")))
        called = {pr.name: pr.label or pr.name for pr in p.personas}
        for st in p.stances:
            spread = "; ".join(f"{called.get(s.persona, s.persona)} {s.median:.0%}" for s in st.a.personas)
            out.append(("p", f"{st.label}: {st.a.label} {st.a.count}, {st.b.label} {st.b.count}"
                             + (" " + _("(median share of {stance}: {spread})").format(
                                 stance=st.a.label.lower(), spread=spread) if spread else "")))
        out.append(("h3", _("The choices that formed it")))
        for u in p.dimensions:
            if u.decisions:
                out.append(("small", f"{u.label} ({u.count}): " + "; ".join(f"{w} \u201c{x}\u201d" for w, x in u.decisions)))
        titles = p.ending_titles
        for pr in p.personas:  # the endings by their titles, as the player knows them, not by their ids
            ends = ", ".join(f"\u201c{titles.get(e, e)}\u201d {n}"
                             for e, n in sorted(pr.endings.items(), key=lambda kv: -kv[1]))
            out.append(("small", ngettext("{name} ({runs} run): {description} Endings: {endings}.",
                                          "{name} ({runs} runs): {description} Endings: {endings}.", pr.runs).format(
                name=pr.label or pr.name, runs=pr.runs, description=pr.description, endings=ends)))
        return out

    def _tab_research(self, ctx, width):
        r = self.parts["research"]
        out = [("h", _("What the research says"))]
        if not r.years:
            out.append(("p", _("None of the choices you made carries a note from the research.")))
        for year, notes in r.years:
            out.append(("h3", str(year)))
            for n in notes:
                cite = ", ".join(n.sections) if n.sections else (_("the game's model") if n.model else "")
                out.append(("bold", f"{n.when}, \u201c{n.choice_text}\u201d" + (f" [{cite}]" if cite else "")))
                out.append(("p", n.note))
        out += [("h3", _("A caveat")), ("p", r.caveat), ("small", _("Source: {source}").format(source=r.source))]
        return out

    def _tab_reflect(self, ctx, width):
        qs = self.parts["reflection"]
        out = [("h", _("Questions for reflection")),
               ("small", _("Press Enter on a box (or click it) to type; Esc when you are done. Your answers go into "
                           "the saved report."))]
        for i, q in enumerate(qs, 1):
            out.append(("bold", f"{i}. {_(STAGE_NAMES.get(q.stage, q.stage))}"))
            out.append(("p", q.text))
            out.append(("answer", q.id, i))
        return out

    def _draw_tab(self, ctx, rect) -> None:
        t = ctx.theme
        pal = t.pal
        blocks = self._blocks(ctx, rect.width)
        styles = {"h": ("h3", "bold", pal.text), "h3": ("body", "bold", pal.text), "p": ("body", "regular", pal.text),
                  "small": ("small", "regular", pal.text_muted), "bold": ("body", "bold", pal.text)}
        # layout; paragraphs wrap a little short of the edge: the shared wrapper sums word widths, which can
        # fall a per cent short of a whole line's kerned width
        tw = rect.width - max(t.s(1), rect.width // 50)
        placed, y = [], 0
        self._box_pos = {}
        for b in blocks:
            kind = b[0]
            if kind in styles:
                size, weight, _gap = styles[kind]
                if kind in ("h", "h3") and y:
                    y += t.s(1.5)
                hh = ctx.paragraph_height(b[1], tw, size, weight)
                placed.append((b, y, hh))
                y += hh + t.s(0.8)
            elif kind == "chart":   # as tall as it wants, or the view; never too small to draw (b[4])
                hh = max(min(b[3], max(t.s(20), rect.height - t.s(2))), b[4] if len(b) > 4 else 0)
                placed.append((b, y, hh))
                y += hh + t.s(1)
            elif kind == "answer":
                text = self.answers.get(b[1], "")
                hh = max(ctx.line_height("body") * 3 + t.s(2),
                         ctx.paragraph_height(text or " ", rect.width - t.s(3), "body") + t.s(3))
                placed.append((b, y, hh))
                self._box_pos[b[1]] = (y, hh)
                y += hh + t.s(2)
        self._content_h = y
        self.scroll.content = y
        self.scroll.clamp()
        off = self.scroll.offset
        for b, by, bh in placed:
            top = rect.top + by - off
            if top + bh < rect.top or top > rect.bottom:
                if b[0] == "answer":
                    self._boxes.append(self._box(b, pygame.Rect(rect.left, top, rect.width, 0)))
                continue
            kind = b[0]
            if kind in styles:
                size, weight, colour = styles[kind]
                ctx.paragraph(b[1], pygame.Rect(rect.left, rect.top, tw, rect.height), size, colour, weight,
                              scroll=off - by)
            elif kind == "chart":
                surf = self._chart(ctx, b, (rect.width, bh))
                ctx.surface.blit(surf, (rect.left, top))
            elif kind == "answer":
                full = pygame.Rect(rect.left, top, rect.width, bh)
                vis = full.clip(rect)
                box = self._box(b, vis if vis.height >= 8 else pygame.Rect(rect.left, top, rect.width, 0))
                self._boxes.append(box)
                pygame.draw.rect(ctx.surface, pal.button, vis)
                editing = self.editing == b[1]
                pygame.draw.rect(ctx.surface, pal.focus if editing else pal.line, vis, width=max(2, t.border * 2)
                                 if editing else t.border)
                if vis.height >= 8:
                    ctx.widget(box.id, vis)
                text = self.answers.get(b[1], "")
                inner = pygame.Rect(full.left + t.s(1.5), full.top + t.s(1.5), full.width - t.s(3), full.height - t.s(3))
                shown = inner.clip(rect)
                if shown.width <= 0 or shown.height <= 0:
                    continue                    # the box's edge shows, its text is scrolled out of sight
                if text or editing:
                    ctx.paragraph(text + ("|" if editing else ""), shown, "body", pal.text,
                                  scroll=shown.top - inner.top)
                else:
                    ctx.paragraph(_("Your answer (press Enter to type)"), shown, "body", pal.text_muted,
                                  scroll=shown.top - inner.top)

    def _box(self, b, rect) -> AnswerBox:
        return AnswerBox(f"answer:{b[1]}", b[1], _("Your answer to question {n}").format(n=b[2]), rect,
                         on_activate=self._edit)

    def _chart(self, ctx, block, size) -> pygame.Surface:
        key = (block[1], size, id(ctx.theme))
        surf = self._charts.get(key)
        if surf is None:
            surf = block[2](ctx, size)
            self._charts[key] = surf
        return surf


def reports_dir(context):
    """Where the window saves reports: beside the saves (the player's data folder)."""
    from pathlib import Path
    saves = getattr(getattr(context, "saves", None), "directory", None)
    if saves is not None:
        return Path(saves).parent / "reports"
    from game.paths import data_dir
    return data_dir() / "reports"
