"""Loading: read YAML (and includes), check structure, compile expressions, validate the story.

`load_scenario(path)` returns a Scenario or raises ContentError with every diagnostic.
`check_file(path)` returns (scenario or None, diagnostics) for `balcony validate`.
"""
from __future__ import annotations

import bisect
import difflib
import hashlib
import math
import os
import re
from collections import deque
import dataclasses
from dataclasses import dataclass

from . import crowding, schema as S
from .diagnostics import Diagnostics
from .errors import ContentError, ExprError
from .expr import ANY_BOOL, BOOL, NUM, TEXT, Compiled, Env, _const, compile_expr
from .expr import never_reason
from .scenario import (RETURN, Assumption, CastMember, Choice, Ending, Event, Flag, Later, Meter, Outcome, Perception, Phase, Rule,
                       Scenario, Scene, Stakeholder, Story)
from .marks import N_
from .textfmt import compile_template
from .yamlload import YDict, YList, load_file

#: The title of a delayed effect its author left untitled (marked: the debrief words it in the player's language).
UNTITLED_LATER = N_("A delayed consequence")

CORE_VALUES = ("trust", "support", "commitment")
TEXT_ATTRS = ("name", "role", "agency")
BUILTIN_NAMES = ("turn", "year", "quarter", "phase", "attention", "listened", "balcony_visits",
                 "triangle", "all", "self", "tags", "visits", "met", "heard",
                 "narrator", "end", "true", "false", "and", "or", "not", "if", "else")
_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")  # YAML's line breaks
SECTION_ORDER = ("meters", "flags", "stakeholder_values", "stakeholders", "cast", "groups", "computed",
                 "rules", "events", "scenes", "endings", "tags")
LIST_SECTIONS = ("stakeholders", "cast", "rules", "events", "endings", "tags")


def _pos(container, key=None):
    if container is None:
        return (1, 1)
    if key is None:
        return getattr(container, "pos", (1, 1))
    if isinstance(container, YDict):
        return container.val_pos.get(key, container.pos)
    if isinstance(container, YList) and isinstance(key, int) and key < len(container.item_pos):
        return container.item_pos[key]
    return getattr(container, "pos", (1, 1))


def _kpos(container, key):
    if isinstance(container, YDict):
        return container.key_pos.get(key, container.pos)
    return _pos(container)


#: The range given a meter whose own range is malformed, so that it is declared (the scenario is not built).
_OPEN = 10 ** 15


def _file(container, default):
    return getattr(container, "file", None) or default


# --- reading files and includes -------------------------------------------------

class _Reader:
    def __init__(self, root_path: str, diags: Diagnostics):
        self.diags = diags
        self.root = os.path.abspath(root_path)
        self.base = os.path.dirname(self.root)
        self.files: list[str] = []
        self.hash = hashlib.sha256()
        self.sources: dict[str, str] = {}  # display name -> text, to place diagnostics inside scalars

    def display(self, path):
        rel = os.path.relpath(path)
        return rel if not rel.startswith("..") else path

    def read(self, path, stack, include_from=None):
        """Returns a list of (display_name, doc) in include order, the root first."""
        name = self.display(path)
        if include_from is not None and not os.path.exists(path):
            container, idx, fname = include_from
            self.diags.error(fname, _pos(container, idx), "BAL040",
                             f"the included file '{container[idx]}' does not exist (looked for {name})")
            return []
        doc = load_file(path, self.diags, name)
        if doc is None:
            return []
        self.files.append(name)
        try:
            from .safeio import read_regular  # load_file read it as a regular file; it must still be one
            from .yamlload import MAX_BYTES
            raw = read_regular(path, MAX_BYTES)
            self.hash.update(raw)
            self.sources[name] = raw.decode("utf-8", "replace").lstrip("\ufeff")
        except OSError:  # pragma: no cover
            pass
        if not isinstance(doc, dict):
            self.diags.error(name, _pos(doc), "BAL003",
                             "the top level must be a mapping of keys such as 'id', 'title' and 'scenes'")
            return []
        out = [(name, doc)]
        inc = doc.get("includes")
        if isinstance(inc, list):
            for i, rel in enumerate(inc):
                if not isinstance(rel, str):
                    continue
                target = os.path.abspath(os.path.join(os.path.dirname(path), rel))
                if target in stack:
                    chain = " -> ".join(self.display(p) for p in stack + [target])
                    self.diags.error(name, _pos(inc, i), "BAL041", f"includes form a cycle: {chain}: remove one of them")
                    continue
                out.extend(self.read(target, stack + [target], (inc, i, name)))
        return out


# --- the environment expressions are compiled in --------------------------------

class ScenarioEnv(Env):
    def __init__(self, cal_start, meters, flags, values, stakeholders, groups, computed_raw, story_ids,
                 scene_ids, phase_ids, tag_names, triangle_raw, attention_max, end_turn):
        self.cal_base = cal_start[0] * 4 + cal_start[1] - 1
        self.meters = meters
        self.flags = flags
        self.values = values
        self.stakeholders = stakeholders
        self.groups = groups
        self.computed_raw = computed_raw  # name -> (src, file, pos)
        self.story_ids = story_ids
        self.scene_ids = scene_ids
        self.phase_ids = phase_ids
        self.tag_names = tag_names
        self.triangle_raw = triangle_raw
        self.attention_max = attention_max
        self.end_turn = end_turn
        self.cache: dict[str, Compiled] = {}
        self.busy: set[str] = set()
        self.broken: set[str] = set()
        self.errors: list = []  # (name, ExprError) for computed values

    def group_members(self, name):
        return self.groups.get(name)

    def known_names(self):
        names = list(self.meters) + list(self.flags) + list(self.computed_raw) + list(self.groups)
        names += [f"{s}.{v}" for s in self.stakeholders for v in list(self.values) + ["local_budget", *TEXT_ATTRS]]
        names += ["turn", "year", "quarter", "phase", "attention", "listened", "balcony_visits"]
        names += [f"tags.{t}" for t in self.tag_names] + [f"visits.{s}" for s in self.scene_ids]
        names += [f"met.{s}" for s in self.stakeholders] + [f"heard.{s}" for s in self.story_ids]
        if self.triangle_raw:
            names += [f"triangle.{k}" for k in self.triangle_raw]
            names += [k for k in self.triangle_raw if k not in self.meters and k not in self.computed_raw]
        return names

    def unknown_hint(self, dotted):
        head, _, rest = dotted.partition(".")
        import difflib
        close = difflib.get_close_matches(dotted, self.known_names(), 1, 0.6)
        if close:
            return f": did you mean '{close[0]}'?"
        if head == "self":
            return ": 'self' is only defined in rules with 'each' and in one-to-one effects"
        corner = rest if head == "triangle" else head
        if corner in ("public_value", "legitimacy", "capacity") and corner not in self.triangle_raw:
            return f": the triangle does not define {corner}: add '{corner}:' under 'triangle'"
        if head in self.stakeholders and rest:
            return f": a stakeholder has {', '.join(list(self.values) + ['local_budget', *TEXT_ATTRS])}"
        return ": declare it under 'meters', 'flags' or 'computed' first"

    def resolve(self, dotted, self_id):
        head, _, rest = dotted.partition(".")
        if head == "self":
            if self_id is None or not rest:
                return None
            head = self_id
            dotted = f"{self_id}.{rest}"
        if not rest:
            if head in self.meters:
                m = self.meters[head]
                return Compiled(lambda s, k=head: s.vals[k], NUM, (m.lo, m.hi), key=head)
            if head in self.flags:
                return Compiled(lambda s, k=head: s.vals[k], BOOL, ANY_BOOL, key=head)
            if head in self.computed_raw:
                return self._computed(head)
            if head in self.triangle_raw:  # only a key the triangle defines: a missing one is an unknown name
                return self._computed(head, triangle=True)
            if head == "turn":
                hi = self.end_turn + 1 if self.end_turn is not None else math.inf
                return Compiled(lambda s: s.turn, NUM, (0, hi))
            if head == "year":
                base = self.cal_base
                hi = (base + self.end_turn + 1) // 4 if self.end_turn is not None else math.inf
                return Compiled(lambda s: (base + s.turn) // 4, NUM, (base // 4, hi))
            if head == "quarter":
                base = self.cal_base
                return Compiled(lambda s: (base + s.turn) % 4 + 1, NUM, (1, 4))
            if head == "phase":
                return Compiled(lambda s: s.phase, TEXT, None)
            if head == "attention":
                return Compiled(lambda s: s.attention, NUM, (0, self.attention_max))
            if head == "listened":
                return Compiled(lambda s: len(s.heard), NUM, (0, len(self.story_ids)))
            if head == "balcony_visits":
                return Compiled(lambda s: s.balcony_visits, NUM, (0, math.inf))
            return None
        if head in self.stakeholders and "." not in rest:
            sh = self.stakeholders[head]
            if rest in self.values:
                lo, hi, _ = self.values[rest]
                return Compiled(lambda s, k=dotted: s.vals[k], NUM, (lo, hi), key=dotted)
            if rest == "local_budget":
                return _const(bool(sh["local_budget"]))
            if rest in TEXT_ATTRS:
                return _const(str(sh.get(rest, "")))
            return None
        if head == "tags" and rest in self.tag_names:
            return Compiled(lambda s, k=rest: s.tags.get(k, 0), NUM, (0, math.inf))
        if head == "visits" and rest in self.scene_ids:
            return Compiled(lambda s, k=rest: s.visits.get(k, 0), NUM, (0, math.inf))
        if head == "met" and rest in self.stakeholders:
            return Compiled(lambda s, k=rest: s.met.get(k, 0), NUM, (0, math.inf))
        if head == "triangle" and rest in self.triangle_raw:
            return self._computed(rest, triangle=True)
        if head == "heard" and rest in self.story_ids:
            return Compiled(lambda s, k=rest: k in s.heard, BOOL, ANY_BOOL)
        return None

    def _computed(self, name, triangle=False):
        key = ("triangle:" if triangle else "") + name
        if key in self.cache:
            return self.cache[key]
        if key in self.busy or key in self.broken:
            self.broken.add(key)
            raise ExprError(f"'{name}' is defined in terms of itself", 0, "BAL023")
        src, _, _ = (self.triangle_raw if triangle else self.computed_raw)[name]
        self.busy.add(key)
        try:
            c = compile_expr(src, self)
        finally:
            self.busy.discard(key)
        # computed values are read often: cache their value per state version
        fn = c.fn

        def cached(s, fn=fn, key=key):
            memo = s.memo
            if key in memo:
                return memo[key]
            v = memo[key] = fn(s)
            return v
        out = Compiled(cached, c.type, c.interval, c.const, c.is_const)
        self.cache[key] = out
        return out


# --- the loader proper ------------------------------------------------------------

class _Loader:
    def __init__(self, path, probe=False, lang=None, translation_warnings=True):
        self.path = path
        self.lang = lang  # play in this language: NAME.LANG.po beside the scenario (engine.l10n)
        # build each translation beside the scenario to warn about it (check_translations): only where the
        # warnings are shown (validate, check, the tools), not on every load for play, which drops them
        self.translation_warnings = translation_warnings
        self.probes: list | None = [] if probe else None  # see load_probed()
        self.diags = Diagnostics()
        self.reader = _Reader(path, self.diags)
        self.root_name = self.reader.display(os.path.abspath(path))
        self.laters: dict[str, Later] = {}
        self._line_starts: dict[str, list] = {}
        self.cond_checks: list = []  # (Compiled, file, pos, what) for never/always-true analysis
        self.return_pos: dict = {}   # scene id -> position of its first `goto: return`
        self.phase_pos: dict = {}    # scene id -> position of its `phase:` label
        self.phase_moves: list = []  # (effect ref, phase id) of every `phase:` effect, for check_phase_labels
        self.assumptions: dict = {}  # text key -> Assumption (`assumes:`; see scenario.Assumption)
        self.translated: dict = {}   # (id of container, key) -> (string id, PO line) of each translated text
        self.po_file = ""            # the translation file read, with a language

    # diagnostics helpers
    def err(self, container, key, code, msg, at_key=False):
        pos = _kpos(container, key) if at_key else _pos(container, key)
        self.diags.error(_file(container, self.root_name), pos, code, msg)

    def warn(self, container, key, code, msg, at_key=False):
        pos = _kpos(container, key) if at_key else _pos(container, key)
        self.diags.warning(_file(container, self.root_name), pos, code, msg)

    def expr(self, container, key, want=None, self_id=None, what="this expression"):
        src = container[key]
        try:
            return compile_expr(src, self.env, self_id, want)
        except ExprError as e:
            line, col = self._at(container, key, src, e.offset)
            self.diags.error(_file(container, self.root_name), (line, col), e.code, f"{what}: {e}")
            return None

    def template(self, container, key, self_id=None):
        src = container.get(key)
        if not isinstance(src, str):
            return lambda s: ""
        try:
            return compile_template(src, self.env, self_id)
        except ExprError as e:
            where = self.translated.get((id(container), key))
            if where is not None:  # the translation's text, not the source's: show it at its entry in the PO file
                sid, line = where
                self.diags.error(self.po_file, (line, 1), e.code,
                                 f"the '{self.lang}' translation of '{sid}' cannot be shown: {e} (correct the "
                                 f"translation in this file: its placeholders name what the source's do)")
                return lambda s: ""
            line, col = self._at(container, key, src, e.offset)
            self.diags.error(_file(container, self.root_name), (line, col), e.code, f"in the text: {e}")
            return lambda s: ""

    def _at(self, container, key, src, offset):
        """Where character `offset` of the scalar `src` (container[key]) stands in its file.

        The scalar's own position is known, but quotes, block indentation and folded lines move
        what follows: so the text at `offset` is looked for in the file from there on."""
        line, col = _pos(container, key)
        fname = _file(container, self.root_name)
        text = self.reader.sources.get(fname)
        if not isinstance(src, str) or not text:
            return line, col
        offset = max(0, min(offset, len(src)))
        m = re.match(r"\S+", src[offset:])
        if m is not None:
            needle, start = m.group(), offset
        else:  # at the end, or on a space: find the word before and step on from it
            m = re.search(r"\S+$", src[:offset].rstrip())
            if m is None:
                return line, col
            needle, start = m.group(), m.start()
        needle = needle[:60]
        nth, i = 0, src.find(needle)
        while 0 <= i < start:
            nth, i = nth + 1, src.find(needle, i + 1)
        starts = self._line_starts.get(fname)
        if starts is None:
            starts = self._line_starts[fname] = [0] + [b.end() for b in _BREAK.finditer(text)]
        if line - 1 >= len(starts):
            return line, col
        here = starts[line - 1] + col - 1
        j = text.find(needle, here)
        for _ in range(nth):
            j = text.find(needle, j + 1) if j >= 0 else -1
        if j < 0 or j > here + 16 * len(src) + 200:
            return line, col
        found = bisect.bisect_right(starts, j)
        return found, j - starts[found - 1] + 1 + (offset - start)

    # --- main --------------------------------------------------------------------
    def load(self):
        docs = self.reader.read(os.path.abspath(self.path), [os.path.abspath(self.path)])
        if not docs:
            return None
        root_name, root = docs[0]
        self.translate(docs)
        declared_values = set()
        for _, doc in docs:
            sv = doc.get("stakeholder_values")
            if isinstance(sv, dict):
                declared_values.update(k for k in sv if k not in CORE_VALUES)
        extra = {"values": declared_values}
        version = root.get("balcony")
        if "balcony" in root and version != 1:
            self.err(root, "balcony", "BAL015", f"this is Balcony language version 1; 'balcony: {version}' is not "
                                                f"supported: write 'balcony: 1'")
        # a section an included file defines is not required of the main file (stakeholders may all live in one)
        included = {k for _, doc in docs[1:] for k in doc if k in S.INCLUDABLE}
        schema = S.SCHEMA if not included else dataclasses.replace(
            S.SCHEMA, required=tuple(k for k in S.SCHEMA.required if k not in included))
        schema.check(root, root.pos, S.CheckCtx(root_name, self.diags, extra))
        for name, doc in docs[1:]:
            bad = [k for k in doc if k not in S.INCLUDABLE]
            for k in bad:
                self.diags.error(name, _kpos(doc, k), "BAL043",
                                 f"an included file may define only {', '.join(S.INCLUDABLE)}; '{k}' belongs in the main scenario")
            S.INCLUDE_SCHEMA.check({k: v for k, v in doc.items() if k not in bad} if bad else doc, doc.pos,
                                   S.CheckCtx(name, self.diags, extra))
        scenario = self.build(root, self.merge(docs))
        if self.lang is None:
            from . import l10n
            beside = l10n.translations_beside(self.path)
            if beside:
                l10n.check(docs, beside, self.diags)
                if scenario is not None and self.translation_warnings:
                    self.check_translations(beside)
        return scenario

    def check_translations(self, beside):
        """Each translation beside the scenario, built as playing in its language builds it: what would stop
        that (a placeholder that names nothing, an {if} never closed) is a warning here, at its entry in the
        PO file, since the scenario itself still plays (BAL062/BAL063 say what is missing or stale)."""
        for lang, path in beside:
            other = _Loader(self.path, lang=lang)
            try:
                other.load()
            except RecursionError:  # pragma: no cover - the source loaded; its translation nests no deeper
                continue
            for d in other.diags.items:
                if d.file == path and d.severity == "error" and d.code not in ("BAL007",):
                    self.diags.warning(d.file, (d.line, d.column), d.code,
                                       f"{d.message}; 'balcony play --lang {lang}' refuses it until then")

    def translate(self, docs):
        """With a language, put its translation's texts in place of the sources (the logic is untouched)."""
        if self.lang is None:
            return
        from . import l10n
        from .l10n.po import read
        where = l10n.po_path(self.path, self.lang)
        if not os.path.isfile(where):
            self.diags.error(self.root_name, (1, 1), "BAL007",
                             f"there is no translation into '{self.lang}': {os.path.basename(where)} does not exist "
                             f"beside the scenario. Make one with 'balcony strings {os.path.basename(self.path)} "
                             f"--lang {self.lang}'")
            return
        self.po_file = where
        try:
            l10n.translate(docs, read(where), self.translated)
        except Exception as e:  # noqa: BLE001 - a broken PO file is a diagnostic, not a traceback
            self.diags.error(where, (getattr(e, "line", 1), 1), "BAL007",
                             f"the translation file cannot be read ({e}): correct it there, or move it aside "
                             f"and write a new one with 'balcony strings'")

    def merge(self, docs):
        """Merge sections from the root and includes; duplicates are BAL042."""
        merged: dict = {}
        owners: dict = {}
        for name, doc in docs:
            for sec in SECTION_ORDER:
                val = doc.get(sec)
                if val is None or not isinstance(val, list if sec in LIST_SECTIONS else dict):
                    continue  # the wrong shape: the structural check has said so
                if isinstance(val, dict):
                    target = merged.setdefault(sec, {})
                    if not isinstance(target, dict):
                        continue
                    for k, v in val.items():
                        if k in target:
                            other = owners[(sec, k)]
                            self.err(val, k, "BAL042", f"'{k}' is defined twice in {sec} (also at {other[0]}:{other[1][0]}): rename one", at_key=True)
                            continue
                        target[k] = (v, val)
                        owners[(sec, k)] = (name, _kpos(val, k))
                elif isinstance(val, list):
                    target = merged.setdefault(sec, [])
                    if not isinstance(target, list):
                        continue
                    for i, item in enumerate(val):
                        target.append((item, val, i))
        return merged

    def build(self, root, merged):
        """The table of contents: each section is built, and checked, by its own method below."""
        self.root, self.merged = root, merged
        cal_start, cal_end, end_turn = self.build_calendar()
        meters = self.build_meters()
        flags = self.build_flags()
        values, value_starts = self.build_values()
        sh_raw: dict[str, dict] = dict(self.unique(merged.get("stakeholders", []), "stakeholder"))
        cast = self.build_cast()
        self.check_namespaces(meters, flags, sh_raw, cast)
        groups, group_where = self.build_listed_groups(sh_raw)
        perc_raw = self._section("perception", {}, dict)
        listen_raw = _sub(perc_raw, "listen")
        stories_raw = listen_raw.get("stories", []) if isinstance(listen_raw.get("stories"), list) else []
        story_ids = self.story_ids(stories_raw)
        scene_ids = [k for k, (v, c) in merged.get("scenes", {}).items() if isinstance(v, dict)]
        phases_raw = [p for p in self._section("phases", [], list) if isinstance(p, dict) and isinstance(p.get("id"), str)]
        phase_ids = [p["id"] for p in phases_raw]
        tag_names = self.tag_names()
        triangle_raw = self.triangle_sources()
        computed_raw = {k: (v, _file(c, self.root_name), _pos(c, k)) for k, (v, c) in merged.get("computed", {}).items()
                        if isinstance(v, (str, int, float))}
        attention_max = perc_raw.get("attention", 2) if _isnum(perc_raw.get("attention")) else 2

        self.env = ScenarioEnv(cal_start, meters, flags, values, sh_raw, groups, computed_raw, story_ids,
                               scene_ids, phase_ids, tag_names, triangle_raw, attention_max, end_turn)
        self.build_where_groups(group_where, sh_raw, groups, values, value_starts)
        stakeholders = self.build_stakeholders(sh_raw, values, value_starts)
        computed = self.build_computed(computed_raw)
        triangle = self.build_triangle(triangle_raw)
        ranges, start_values = self.state_ranges(meters, flags, stakeholders, values)
        perception = self.build_perception(perc_raw, listen_raw, stories_raw, stakeholders, attention_max)
        phases = self.build_phases(phases_raw, phase_ids)
        rules = self.build_rules(groups)
        events = self.build_events(scene_ids)
        scenes = self.build_scenes(stakeholders, phase_ids, tag_names, scene_ids, cast)
        endings = self.build_endings()
        start = self._section("start")
        if isinstance(start, str) and start not in scenes:
            self.err(root, "start", "BAL030", f"the start scene '{start}' does not exist{S.suggest(start, scene_ids)}")
        self.check_graph(scenes, events, start, merged, end_turn)
        self.check_phase_labels(scenes, events, start, phases)
        self.check_conditions()
        self.check_crowding(scenes)
        personas = self.build_personas(tag_names)
        invariants = tuple(self._section("invariants", [], list) or [])
        reflection = self.build_reflection()

        if self.diags.has_errors:
            return None
        get = self._section
        setting = get("setting", {}, dict)
        years = tuple(setting.get("years", ())) if isinstance(setting.get("years"), list) else ()
        return Scenario(
            id=str(get("id")), title=str(get("title")), version=str(get("version")), summary=str(get("summary", "")).strip(),
            place=str(setting.get("place", "")), years=years, role=str(get("role", "")),
            themes=tuple(str(t) for t in get("themes", [], list)), length_minutes=get("length_minutes"),
            credits=tuple(str(c) for c in get("credits", [], list)),
            sources=tuple(dict(s) for s in get("sources", [], list) if isinstance(s, dict)),
            start=start, cal_start=cal_start, cal_end=cal_end, meters=meters, flags=flags, values=values,
            stakeholders=stakeholders, groups=groups, scenes=scenes, phases=phases, rules=tuple(rules),
            event_chance=float(_num(get("event_chance"), 0.3)), events=tuple(events), endings=endings,
            triangle=triangle, perception=perception, laters=dict(self.laters), ranges=ranges,
            start_values=start_values, tags=tuple(tag_names), personas=personas, invariants=invariants,
            path=os.path.abspath(self.path), files=tuple(self.reader.files), computed=computed,
            check_runs=get("check", {}, dict).get("runs") if isinstance(get("check", {}, dict).get("runs"), int) else None,
            content_hash=self.reader.hash.hexdigest()[:16], env=self.env, assumptions=dict(self.assumptions), cast=cast,
            reflection=reflection)

    # --- one builder per section, each beside its own diagnostics ------------------
    def _section(self, key, default=None, typ=None):
        """A top-level key of the main file, or `default` when it is missing or not of type `typ`."""
        v = self.root.get(key, default)
        if typ is not None and not isinstance(v, typ):
            return default
        return v

    def build_calendar(self):
        """(start quarter, end quarter or None, the turn at which the calendar ends or None)."""
        cal = self._section("calendar", {}, dict)
        cal_start = _quarter(cal.get("start")) or (2010, 1)
        cal_end = _quarter(cal.get("end"))
        if cal_end and cal_end < cal_start:
            self.err(cal, "end", "BAL012", "the calendar ends before it starts")
            cal_end = None
        end_turn = None
        if cal_end:
            end_turn = (cal_end[0] * 4 + cal_end[1]) - (cal_start[0] * 4 + cal_start[1])
        return cal_start, cal_end, end_turn

    def build_meters(self) -> dict:
        meters: dict[str, Meter] = {}
        for mid, (m, cont) in self.merged.get("meters", {}).items():
            # A malformed meter (the schema has said why) is still declared, with an open range, so that the
            # expressions using it are not each told to declare it: the scenario has an error and is not built
            if not isinstance(m, dict):
                meters[mid] = Meter(mid, mid, -_OPEN, _OPEN, 0, False, False, "other", False)
                continue
            rng = m.get("range")
            if not (isinstance(rng, list) and len(rng) == 2 and all(_isnum(x) for x in rng)):
                rng = [-_OPEN, _OPEN]
            lo, hi = rng
            if lo >= hi:
                self.err(m, "range", "BAL012", f"the range of '{mid}' must go from a lower to a higher number")
                lo, hi = -_OPEN, _OPEN
            start = m.get("start", lo)
            if not _isnum(start):
                start = lo
            if not lo <= start <= hi:
                self.err(m, "start", "BAL012", f"'{mid}' starts at {start}, outside its range {lo} to {hi}")
                start = min(max(start, lo), hi)
            visible = bool(m.get("visible", False))
            meters[mid] = Meter(mid, str(m.get("label", mid.replace("_", " ").capitalize())), lo, hi, start,
                                m.get("type") == "int", visible, str(m.get("kind", "other")),
                                bool(m.get("balcony", not visible)))
        return meters

    def build_flags(self) -> dict:
        flags: dict[str, Flag] = {}
        for fid, (f, cont) in self.merged.get("flags", {}).items():
            if isinstance(f, bool):
                flags[fid] = Flag(fid, f, fid.replace("_", " "))
            elif isinstance(f, dict) and isinstance(f.get("start"), bool):
                flags[fid] = Flag(fid, f["start"], str(f.get("label", fid.replace("_", " "))))
            else:  # malformed (the schema has said why): declared all the same, as a malformed meter is
                flags[fid] = Flag(fid, False, fid.replace("_", " "))
        return flags

    def build_values(self):
        """Every stakeholder's values: id -> (lo, hi, integer), and the declared ones' default starts."""
        values: dict[str, tuple] = {v: (0, 100, False) for v in CORE_VALUES}
        value_starts: dict[str, float] = {}
        for vid, (v, cont) in self.merged.get("stakeholder_values", {}).items():
            if vid in CORE_VALUES or vid in ("local_budget", *TEXT_ATTRS):
                self.err(cont, vid, "BAL042", f"'{vid}' is built in for every stakeholder: choose another name", at_key=True)
                continue
            if not isinstance(v, dict):
                continue
            rng = v.get("range")
            if not (isinstance(rng, list) and len(rng) == 2 and all(_isnum(x) for x in rng) and rng[0] < rng[1]):
                continue
            values[vid] = (rng[0], rng[1], v.get("type") == "int")
            value_starts[vid] = v.get("start", rng[0]) if _isnum(v.get("start")) else rng[0]
        return values, value_starts

    def build_cast(self) -> dict:
        """Minor characters: a name and a role, no hidden values; they may speak in scenes."""
        cast = {}
        for cid, item in self.unique(self.merged.get("cast", []), "cast member"):
            cast[cid] = CastMember(cid, str(item.get("name", cid)), str(item.get("role", "")),
                                   str(item.get("agency", "")), str(item.get("colour", "#6d6d6d")))
        return cast

    def check_namespaces(self, meters, flags, sh_raw, cast=()):
        """Meters, flags, stakeholders, groups and computed values share one namespace, apart from built-ins."""
        merged = self.merged
        spaces = {"meter": meters, "flag": flags, "stakeholder": sh_raw, "cast member": {c: 1 for c in cast},
                  "group": {g: 1 for g in merged.get("groups", {})},
                  "computed value": {c: 1 for c in merged.get("computed", {})}}
        sections = {"meter": "meters", "flag": "flags", "group": "groups", "computed value": "computed"}
        cast_items = {item.get("id"): item for item, _c, _i in merged.get("cast", []) if isinstance(item, dict)}

        def where(kind, n):
            """(file, position) where `n` is defined as a `kind`: in the scenario or in an included file."""
            if kind in sections:
                entry = merged.get(sections[kind], {}).get(n)
                if entry is not None:
                    return _file(entry[1], self.root_name), _kpos(entry[1], n)
            item = sh_raw.get(n) if kind == "stakeholder" else cast_items.get(n) if kind == "cast member" else None
            if isinstance(item, dict):
                return _file(item, self.root_name), _pos(item, "id")
            return self.root_name, _find_pos(merged, n)

        seen: dict[str, str] = {}
        for kind, names in spaces.items():
            for n in names:
                if n in BUILTIN_NAMES:
                    self.diags.error(*where(kind, n), "BAL042",
                                     f"'{n}' is a built-in name and cannot be a {kind}: rename it")
                if n in seen:  # shown at the meter, flag, group or computed value, naming where the other is
                    here, there = (seen[n], kind) if seen[n] in sections else (kind, seen[n])
                    other, (line, _col) = where(there, n)
                    self.diags.error(*where(here, n), "BAL042",
                                     f"'{n}' is both a {seen[n]} and a {kind} (the {there} at {other}:{line}): "
                                     f"names share one namespace, rename one")
                seen.setdefault(n, kind)

    def build_listed_groups(self, sh_raw):
        """Groups that list their members; groups with a `where` are set aside for build_where_groups."""
        groups: dict[str, tuple] = {"all": tuple(sh_raw)}
        group_where: dict[str, tuple] = {}
        for gid, (g, cont) in self.merged.get("groups", {}).items():
            if isinstance(g, list):
                members = []
                for j, m in enumerate(g):
                    if not isinstance(m, str) or m not in sh_raw:
                        self.err(g, j, "BAL021", f"'{m}' is not a stakeholder{S.suggest(str(m), sh_raw)}")
                    else:
                        members.append(m)
                groups[gid] = tuple(members)
            elif isinstance(g, dict) and "where" in g:
                group_where[gid] = (g, cont)
                groups[gid] = ()
        return groups, group_where

    def build_where_groups(self, group_where, sh_raw, groups, values, value_starts):
        """Groups defined by a condition, evaluated on starting values (fills `groups` in place)."""
        for gid, (g, cont) in group_where.items():
            members = []
            for sid, item in sh_raw.items():
                try:
                    c = compile_expr(g["where"], _MemberEnv(self.env, sid, item, values, value_starts), None, BOOL)
                    if c.fn(None):
                        members.append(sid)
                except ExprError as e:
                    self.err(g, "where", e.code, f"in the group's 'where': {e}")
                    break
            groups[gid] = tuple(members)

    def story_ids(self, stories_raw) -> list:
        story_ids = []
        for st in stories_raw:
            if isinstance(st, dict) and isinstance(st.get("id"), str):
                if st["id"] in story_ids:
                    self.err(st, "id", "BAL042", f"the story '{st['id']}' is defined twice")
                story_ids.append(st["id"])
        return story_ids

    def tag_names(self) -> list:
        """The built-in tags, then the declared ones."""
        declared_tags = []
        for t, cont, i in self.merged.get("tags", []):
            if isinstance(t, str):
                declared_tags.append(t)
        return list(S.BUILTIN_TAGS) + [t for t in declared_tags if t not in S.BUILTIN_TAGS]

    def triangle_sources(self) -> dict:
        triangle_raw = {}
        tri = self._section("triangle", {}, dict)
        for k in ("public_value", "legitimacy", "capacity"):
            if k in tri and isinstance(tri[k], (str, int, float)):
                triangle_raw[k] = (tri[k], self.root_name, _pos(tri, k))
        return triangle_raw

    def build_stakeholders(self, sh_raw, values, value_starts) -> dict:
        stakeholders: dict[str, Stakeholder] = {}
        for sid, item in sh_raw.items():
            start = {}
            for v in CORE_VALUES:
                start[v] = item.get(v, 50) if _isnum(item.get(v)) else 50
            extra = item
            for vid in values:
                if vid in CORE_VALUES:
                    continue
                val = extra.get(vid, value_starts.get(vid))
                if not _isnum(val):
                    val = values[vid][0]
                lo, hi, _ = values[vid]
                if not lo <= val <= hi:
                    self.err(extra, vid, "BAL012", f"{sid}.{vid} starts at {val}, outside its range {lo} to {hi}")
                    val = min(max(val, lo), hi)
                start[vid] = val
            bal = item.get("balcony", "visible")
            mode, bias = "visible", 0.0
            if bal == "hidden":
                mode = "hidden"
            elif isinstance(bal, dict) and _isnum(bal.get("bias")):
                bias = float(bal["bias"])
            confides = []
            for ci, c in enumerate(item.get("confides", []) if isinstance(item.get("confides"), list) else []):
                if not isinstance(c, dict):
                    continue
                cond = None
                if "if" in c:
                    cc = self.expr(c, "if", BOOL, what="the confidence's condition")
                    cond = cc.fn if cc else None
                    if cc:
                        self.cond_checks.append((cc, c, "if", f"a confidence of {sid}"))
                self.assume(c, f"confides:{sid}#{len(confides)}", f"{sid}'s confidence {len(confides) + 1}")
                confides.append((cond, self.template(c, "text")))
            stakeholders[sid] = Stakeholder(
                sid, str(item.get("name", sid)), str(item.get("role", "")), str(item.get("agency", "")),
                str(item.get("colour", _default_colour(sid))), bool(item.get("local_budget", False)), start,
                str(item.get("voice", "")), mode, bias, tuple(confides))
        return stakeholders

    def build_computed(self, computed_raw) -> dict:
        """Compile each computed value once, so that errors point at the definition."""
        env = self.env
        computed = {}
        for name, (src, fname, pos) in computed_raw.items():
            try:
                computed[name] = env._computed(name).fn
            except ExprError as e:
                env.broken.add(name)
                self.diags.error(fname, pos, e.code, f"the computed value '{name}': {e}")
        return computed

    def build_triangle(self, triangle_raw) -> dict:
        tri = self._section("triangle", {}, dict)
        triangle = {}
        for name in triangle_raw:
            try:
                c = self.env._computed(name, triangle=True)
                if c.type != NUM:
                    self.err(tri, name, "BAL023", f"the triangle's {name} must be a number")
                triangle[name] = c.fn
            except ExprError as e:
                self.err(tri, name, e.code, f"the triangle's {name}: {e}")
        return triangle

    def state_ranges(self, meters, flags, stakeholders, values):
        """The ranges and start values of the whole state, by state key."""
        ranges, start_values = {}, {}
        for m in meters.values():
            ranges[m.id] = (m.lo, m.hi, m.integer)
            start_values[m.id] = m.start
        for f in flags.values():
            start_values[f.id] = f.start
        for s in stakeholders.values():
            for v, (lo, hi, integer) in values.items():
                ranges[f"{s.id}.{v}"] = (lo, hi, integer)
                start_values[f"{s.id}.{v}"] = s.start[v]
        self.ranges = ranges
        return ranges, start_values

    def build_perception(self, perc_raw, listen_raw, stories_raw, stakeholders, attention_max) -> Perception:
        bal_raw = _sub(perc_raw, "balcony")
        one_raw = _sub(perc_raw, "one_to_one")
        stories = []
        for st in stories_raw:
            if not isinstance(st, dict) or not isinstance(st.get("id"), str):
                continue
            cond = self.cond(st, "if", f"the story '{st['id']}'")
            self.assume(st, f"story:{st['id']}", f"the story '{st['id']}'")
            stories.append(Story(st["id"], str(st.get("title", "")), cond, self.template(st, "text"),
                                 self.effects(st, "effects", f"story:{st['id']}")))
        one_effects = {}
        for sid in stakeholders:
            one_effects[sid] = self.effects(one_raw, "effects", f"one_to_one:{sid}", self_id=sid)
        return Perception(
            int(attention_max), int(_num(bal_raw.get("cost"), 1)), float(_num(bal_raw.get("band"), 20)),
            str(bal_raw.get("text", "")), int(_num(listen_raw.get("cost"), 1)), tuple(stories),
            str(listen_raw.get("fallback", "You listen. Nothing new is said today, but people notice that you came.")),
            int(_num(one_raw.get("cost"), 1)), one_effects)

    def build_phases(self, phases_raw, phase_ids) -> dict:
        phases = {}
        for p in phases_raw:
            pid = p["id"]
            if pid in phases:
                self.err(p, "id", "BAL042", f"the phase '{pid}' is defined twice")
                continue
            nxt = []
            for j, n in enumerate(p.get("next", []) if isinstance(p.get("next"), list) else []):
                if not isinstance(n, dict) or not isinstance(n.get("to"), str):
                    continue
                if n["to"] not in phase_ids:
                    self.err(n, "to", "BAL052", f"'{n['to']}' is not a phase{S.suggest(n['to'], phase_ids)}")
                    continue
                cond = self.cond(n, "when", f"the change to phase '{n['to']}'")
                nxt.append((n["to"], cond or (lambda s: False)))
            phases[pid] = Phase(pid, str(p.get("name", pid)), self.effects(p, "on_enter", f"phase:{pid}:enter"),
                                self.effects(p, "on_exit", f"phase:{pid}:exit"), tuple(nxt))
        return phases

    def build_rules(self, groups) -> list:
        rules = []
        for item, cont, i in self.merged.get("rules", []):
            if not isinstance(item, dict) or not isinstance(item.get("id"), str):
                continue
            rid = item["id"]
            each = item.get("each")
            if each is not None:
                if not isinstance(each, str) or each not in groups:
                    self.err(item, "each", "BAL021", f"'{each}' is not a group{S.suggest(str(each), groups)}")
                    continue
                entries = []
                for sid in groups[each]:
                    cond = self.cond(item, "if", f"the rule '{rid}'", self_id=sid, check=sid == groups[each][0])
                    entries.append((cond, self.effects(item, "effects", f"rule:{rid}", self_id=sid)))
                rules.append(Rule(rid, str(item.get("text", "")), None, tuple(entries)))
            else:
                cond = self.cond(item, "if", f"the rule '{rid}'")
                rules.append(Rule(rid, str(item.get("text", "")), None,
                                  ((cond, self.effects(item, "effects", f"rule:{rid}")),)))
        return rules

    def build_events(self, scene_ids) -> list:
        events = []
        for eid, item in self.unique(self.merged.get("events", []), "event"):
            cond = self.cond(item, "if", f"the event '{eid}'")
            self.assume(item, f"event:{eid}", f"the event '{eid}'")
            weight = lambda s: 1.0  # noqa: E731
            if "weight" in item:
                w = self.expr(item, "weight", NUM, what="the event's weight")
                if w:
                    weight = w.fn
            goto = item.get("goto")
            if goto is not None and (not isinstance(goto, str) or goto not in self.merged.get("scenes", {})):
                hint = (": only a choice can 'goto: return', back from the scene an event leads to" if goto == RETURN
                        else S.suggest(str(goto), scene_ids))
                self.err(item, "goto", "BAL030", f"the event leads to '{goto}', which is not a scene{hint}")
                goto = None
            events.append(Event(eid, str(item.get("title", eid)), self.template(item, "text"), cond, weight,
                                bool(item.get("once", True)), bool(item.get("forced", False)),
                                self.effects(item, "effects", f"event:{eid}"), goto,
                                item["text"] if isinstance(item.get("text"), str) else ""))
        return events

    def build_scenes(self, stakeholders, phase_ids, tag_names, scene_ids, cast=None) -> dict:
        cast = cast or {}
        scenes = {}
        for sid, (sc, cont) in self.merged.get("scenes", {}).items():
            if sid in ("end", RETURN):
                self.err(cont, sid, "BAL014", f"'{sid}' cannot name a scene: 'goto: {sid}' "
                                              f"{'ends the run' if sid == 'end' else 'goes back after an event'}"
                                              f". Call the scene something else", at_key=True)
            if not isinstance(sc, dict):
                continue
            speaker = sc.get("speaker", "narrator")
            if speaker != "narrator" and (not isinstance(speaker, str) or (speaker not in stakeholders
                                                                            and speaker not in cast)):
                self.err(sc, "speaker", "BAL021", f"the speaker '{speaker}' is not a stakeholder or a cast member"
                                                  f"{S.suggest(str(speaker), list(stakeholders) + list(cast))}; use "
                                                  f"'narrator' for the narrator, or declare a minor character under "
                                                  f"'cast'")
            present = None
            if isinstance(sc.get("present"), list):
                present = []
                for j, who in enumerate(sc["present"]):
                    if who in stakeholders:
                        if who not in present:
                            present.append(who)
                    elif who in cast:
                        self.err(sc["present"], j, "BAL021", f"'{who}' is a cast member: 'present' lists the "
                                                             f"stakeholders in the room (the dance floor); a cast "
                                                             f"member may be the scene's speaker")
                    else:
                        self.err(sc["present"], j, "BAL021", f"'{who}' is not a stakeholder"
                                                             f"{S.suggest(str(who), stakeholders)}: 'present' lists "
                                                             f"the stakeholders in the room")
                present = tuple(present)
            phase = sc.get("phase")
            if isinstance(phase, str):
                self.phase_pos[sid] = _pos(sc, "phase")
            if phase is not None and phase not in phase_ids:
                self.err(sc, "phase", "BAL052", f"'{phase}' is not a phase{S.suggest(str(phase), phase_ids)}")
            is_end = bool(sc.get("end", False))
            raw_choices = sc.get("choices", [])
            if not isinstance(raw_choices, list):
                raw_choices = []
            if is_end and raw_choices:
                self.err(sc, "choices", "BAL034", f"the scene '{sid}' has 'end: true', so it cannot offer choices: "
                                                  f"remove them or remove 'end'")
            elif not is_end and (not raw_choices or _shown(raw_choices) > 4 or len(raw_choices) > 12):
                # a misspelt 'choices' is the cause: say so there, after its BAL010 (same place, lower code)
                typo = None if "choices" in sc else next(iter(difflib.get_close_matches("choices", list(sc), 1, 0.6)), None)
                if typo is not None:
                    self.err(sc, typo, "BAL034", f"the scene '{sid}' offers no choices, because '{typo}' is not "
                                                 f"'choices': spell it 'choices'", at_key=True)
                else:
                    hidden = len(raw_choices) - _shown(raw_choices)
                    self.err(sc, "choices" if "choices" in sc else None, "BAL034",
                             f"the scene '{sid}' offers {len(raw_choices)} choices"
                             + (f" ({hidden} of them hidden when unavailable, which do not count)" if hidden else "")
                             + ": a scene shows 1 to 4 (and has at most 12 in all), or has 'end: true'")
            choices = tuple(self.build_choice(sid, ci, ch, tag_names, scene_ids)
                            for ci, ch in enumerate(raw_choices) if isinstance(ch, dict))
            quarters = sc.get("quarters", 1)
            self.assume(sc, f"scene:{sid}", f"the scene '{sid}'")
            scenes[sid] = Scene(sid, str(speaker), str(sc["title"]) if isinstance(sc.get("title"), str) else None,
                                self.template(sc, "text"), int(quarters) if _isnum(quarters) else 1,
                                phase if isinstance(phase, str) else None,
                                self.effects(sc, "on_enter", f"scene:{sid}"), is_end, choices,
                                str(sc.get("text", "")), _kpos(cont, sid), _file(cont, self.root_name), present)
        return scenes

    def build_choice(self, sid, ci, ch, tag_names, scene_ids) -> Choice:
        """Choice `ci` (counted from 0) of the scene `sid`."""
        cond = None
        cond_src = ch.get("if") if isinstance(ch.get("if"), str) else None
        if "if" in ch:
            cond = self.cond(ch, "if", f"the condition of choice {ci + 1} in '{sid}'")
        for ti, t in enumerate(ch.get("tags", []) if isinstance(ch.get("tags"), list) else []):
            if isinstance(t, str) and t not in tag_names:
                self.err(ch["tags"], ti, "BAL021", f"'{t}' is not a tag{S.suggest(t, tag_names)}: "
                                                   f"declare it under 'tags' at the top level")
        scenes = self.merged.get("scenes", {})

        def target(container, key, what):
            """A goto's target, checked; None when it is not usable."""
            to = container.get(key)
            if not isinstance(to, str):
                return None
            if to == RETURN:
                self.return_pos[sid] = self.return_pos.get(sid) or _pos(container, key)
            if to not in ("end", RETURN) and to not in scenes:
                self.err(container, key, "BAL030", f"{what} leads to '{to}', which is not a scene"
                                                   f"{S.suggest(to, scene_ids + ['end', RETURN])}")
                return None
            return to

        goto, branches, targets, branch_srcs = ch.get("goto"), None, [], []
        if isinstance(goto, list):
            branches = []
            for bi, br in enumerate(goto):
                if not isinstance(br, dict):
                    continue
                last = bi == len(goto) - 1
                if last and "if" in br:
                    self.err(br, "if", "BAL061", f"the last branch of the goto of choice {ci + 1} in '{sid}' has an "
                                                 f"'if': end the list with a branch without one, such as "
                                                 f"'{{to: end}}', for when no condition holds")
                elif not last and "if" not in br:
                    self.err(br, None, "BAL061", f"branch {bi + 1} of the goto of choice {ci + 1} in '{sid}' has no "
                                                 f"'if', so the branches after it are never taken: give it an 'if', "
                                                 f"or make it the last")
                bcond = self.cond(br, "if", f"branch {bi + 1} of the goto of choice {ci + 1} in '{sid}'") \
                    if "if" in br else None
                to = target(br, "to", f"branch {bi + 1} of the goto")
                if to is not None:
                    branches.append((bcond, to))
                    branch_srcs.append(str(br["if"]) if "if" in br else "")
                    targets.append(to)
            branches = tuple(branches)
            goto = branches[-1][1] if branches else "end"
        else:
            goto = target(ch, "goto", "the choice") if "goto" in ch else None
            if goto is not None:
                targets.append(goto)
        outcomes = []
        raw_outcomes = ch.get("outcomes") if isinstance(ch.get("outcomes"), list) else []
        for k, oc in enumerate(raw_outcomes):
            if not isinstance(oc, dict) or not _isnum(oc.get("weight")):
                continue
            to = target(oc, "goto", f"outcome {k + 1}") if "goto" in oc else None
            if to is not None:
                targets.append(to)
            outcomes.append(Outcome(float(oc["weight"]), self.effects(oc, "effects", f"choice:{sid}#{ci}~{k}"),
                                    self.template(oc, "result") if isinstance(oc.get("result"), str) else None,
                                    to, oc["result"] if isinstance(oc.get("result"), str) else None))
        if raw_outcomes and outcomes and sum(o.weight for o in outcomes) <= 0:
            self.err(ch, "outcomes", "BAL012", f"the outcomes of choice {ci + 1} in '{sid}' all weigh 0: give at "
                                               f"least one a weight above 0")
        if "goto" not in ch and not (outcomes and len(outcomes) == len(raw_outcomes)
                                     and all(o.goto for o in outcomes)):
            self.err(ch, None, "BAL013", f"choice {ci + 1} in '{sid}' needs the key 'goto' (or every one of its "
                                         f"outcomes needs one)")
        if goto is None:
            goto = next((o.goto for o in outcomes if o.goto), "end")
        tags = tuple(t for t in ch.get("tags", []) if isinstance(t, str)) if isinstance(ch.get("tags"), list) else ()
        self.assume(ch, f"choice:{sid}#{ci}", f"choice {ci + 1} in '{sid}'")
        quarters = ch.get("quarters")
        return Choice(
            ci, self.template(ch, "text"), cond,
            str(ch["unavailable"]) if isinstance(ch.get("unavailable"), str) else None,
            self.effects(ch, "effects", f"choice:{sid}#{ci}"), tags,
            _debrief(ch), self.template(ch, "result") if isinstance(ch.get("result"), str) else None,
            str(goto), cond_src,
            str(ch.get("text", "")), f"choice:{sid}#{ci}",
            ch["result"] if isinstance(ch.get("result"), str) else None,
            self.template(ch, "unavailable") if isinstance(ch.get("unavailable"), str) else None,
            intended=ch["intended"] if isinstance(ch.get("intended"), str) else None,
            file=_file(ch, self.root_name), pos=_pos(ch, "if") if "if" in ch else _pos(ch),
            branches=branches, outcomes=tuple(outcomes),
            quarters=int(quarters) if _isnum(quarters) else None,
            targets=tuple(dict.fromkeys(targets)) or (str(goto),), branch_srcs=tuple(branch_srcs))

    def build_endings(self) -> tuple:
        """The endings in the order they are tried: by priority, then the one fallback."""
        endings = []
        fallbacks = []
        for eid, item in self.unique(self.merged.get("endings", []), "ending"):
            fb = bool(item.get("fallback", False))
            if fb and "if" in item:
                self.err(item, "if", "BAL050", "the fallback ending catches every other case: remove its 'if'")
            if not fb and "if" not in item:
                self.err(item, None, "BAL013", f"the ending '{eid}' needs an 'if', or 'fallback: true'")
            cond = None
            if "if" in item and not fb:
                c = self.expr(item, "if", BOOL, what=f"the ending '{eid}'")
                if c is not None:
                    cond = c.fn if self.probes is None else self._probed(c.fn, item, "if", f"the ending '{eid}'")
                    if True not in c.interval:
                        self.warn(item, "if", "BAL051", f"the ending '{eid}' can never be reached: its condition can never hold")
            self.assume(item, f"ending:{eid}", f"the ending '{eid}'")
            e = Ending(eid, str(item.get("title", eid)), str(item.get("quality", "mixed")),
                       float(_num(item.get("priority"), 0)), cond, fb, self.template(item, "text"),
                       item["text"] if isinstance(item.get("text"), str) else "",
                       item["if"] if cond is not None and isinstance(item.get("if"), str) else "",
                       file=_file(item, self.root_name), pos=_pos(item, "if") if "if" in item else _pos(item, "id"))
            (fallbacks if fb else endings).append((e, item))
        root = self.root
        if len(fallbacks) != 1 and self.merged.get("endings"):
            where = fallbacks[1][1] if len(fallbacks) > 1 else root.get("endings")
            self.err(where if len(fallbacks) > 1 else root, None if len(fallbacks) > 1 else "endings", "BAL050",
                     "there must be exactly one ending with 'fallback: true'"
                     + (f", but there are {len(fallbacks)}" if fallbacks else ": add one that catches every other case"))
        return tuple(e for e, _ in sorted(endings, key=lambda x: -x[0].priority)) + tuple(e for e, _ in fallbacks[:1])

    def build_personas(self, tag_names) -> dict:
        """Personas' structure only; the authoring tools run them."""
        personas = {}
        for pid, (p) in (self._section("personas", {}, dict) or {}).items():
            if isinstance(p, dict) and isinstance(p.get("prefer"), dict):
                for t in p["prefer"]:
                    if t not in tag_names:
                        self.err(p["prefer"], t, "BAL053", f"the persona '{pid}' prefers '{t}', which is not a tag"
                                                           f"{S.suggest(t, tag_names)}", at_key=True)
                personas[pid] = {"prefer": dict(p["prefer"]), "perceive": list(p.get("perceive", [])),
                                 "description": str(p.get("description", ""))}
        return personas

    def build_reflection(self) -> tuple:
        """The debrief's own questions: a text (with interpolation), a Kolb stage and a condition on the run's
        end (the schema has checked their shape)."""
        out, seen = [], set()
        for item in self._section("reflection", [], list) or []:
            if not isinstance(item, dict) or not isinstance(item.get("id"), str) or not isinstance(item.get("text"), str):
                continue
            qid = item["id"]
            if qid in seen:
                self.err(item, "id", "BAL042", f"the reflection question '{qid}' is defined twice")
                continue
            seen.add(qid)
            cond = None
            if "if" in item:
                c = self.expr(item, "if", BOOL, what=f"the reflection question '{qid}'")
                cond = c.fn if c is not None else None
            stage = item.get("stage", "why") if item.get("stage") in S.REFLECTION_STAGES else "why"
            out.append({"id": qid, "stage": stage, "text": self.template(item, "text"), "cond": cond})
        return tuple(out)

    # --- pieces --------------------------------------------------------------
    def unique(self, entries, what):
        """(id, item) for each well-formed item of a merged list section; a repeated id is BAL042."""
        seen: dict = {}  # id -> (file, line) where it was first defined
        for item, _cont, _i in entries:
            if not isinstance(item, dict) or not isinstance(item.get("id"), str):
                continue
            iid = item["id"]
            if iid in seen:
                fname, line = seen[iid]
                self.err(item, "id", "BAL042", f"the {what} '{iid}' is defined twice (also at {fname}:{line}): "
                                               f"rename one, or remove one of the two")
                continue
            seen[iid] = (_file(item, self.root_name), _pos(item, "id")[0])
            yield iid, item

    def assume(self, container, key, what, self_id=None):
        """A text's `assumes:` condition, compiled and kept under the runtime's key for that text. Never
        probed: explore counts it apart, as an assumption that must always hold where the text is shown."""
        if not isinstance(container, dict) or "assumes" not in container:
            return
        c = self.expr(container, "assumes", BOOL, self_id, what=f"what {what} assumes")
        if c is None:
            return
        if True not in c.interval:
            self.warn(container, "assumes", "BAL055", f"{what} assumes something that can never hold, so no run "
                                                      f"can show it without breaking the assumption")
        line, col = _pos(container, "assumes")
        self.assumptions[key] = Assumption(key, what, str(container["assumes"]), _file(container, self.root_name),
                                           line, col, c.fn)

    def cond(self, container, key, what, self_id=None, check=True):
        if not isinstance(container, dict) or key not in container:
            return None
        c = self.expr(container, key, BOOL, self_id, what=what)
        if c is None:
            return None
        if check:
            self.cond_checks.append((c, container, key, what))
        return self._probed(c.fn, container, key, what) if self.probes is not None else c.fn

    def _probed(self, fn, container, key, what):
        """Wrap a condition so that it counts how often it was false and true (load_probed)."""
        line, col = _pos(container, key)
        probe = Probe(what, _file(container, self.root_name), line, col, str(container[key]), fn, [0, 0])
        self.probes.append(probe)
        counts = probe.counts

        def probed(s):
            v = fn(s)
            counts[1 if v else 0] += 1
            return v
        return probed

    def effects(self, container, key, cause_ref, self_id=None):
        if not isinstance(container, dict):
            return ()
        raw = container.get(key)
        if not isinstance(raw, list):
            return ()
        return self.effect_list(raw, cause_ref, self_id)

    def effect_list(self, raw, ref, self_id):
        out = []
        for i, eff in enumerate(raw):
            if not isinstance(eff, dict) or len([k for k in eff if k in ("set", "add", "fair", "phase", "if", "later", "end")]) != 1:
                continue
            f = self.effect(eff, f"{ref}.{i}", self_id)
            if f is not None:
                out.append(f)
        return tuple(out)

    def targets(self, mapping, key, self_id):
        """Concrete state keys for an effect target such as 'outcomes', 'police.trust', 'all.trust', 'self.trust'."""
        head, _, rest = key.partition(".")
        env = self.env
        if head == "self":
            if self_id is None:
                self.err(mapping, key, "BAL021", "'self' is only defined in rules with 'each' and in one-to-one effects", at_key=True)
                return []
            head = self_id
        if not rest:
            if head in env.meters:
                return [head]
            if head in env.flags:
                return [head]
            if head in env.computed_raw:
                self.err(mapping, key, "BAL021", f"'{head}' is a computed value and cannot be changed: change what it is computed from", at_key=True)
                return []
            self.err(mapping, key, "BAL021", f"'{key}' is not a declared meter or flag{env.unknown_hint(key)}", at_key=True)
            return []
        if rest not in env.values:
            hint = S.suggest(rest, env.values)
            self.err(mapping, key, "BAL021", f"'{rest}' is not a stakeholder value{hint}: declare it under 'stakeholder_values'", at_key=True)
            return []
        if head in env.stakeholders:
            return [f"{head}.{rest}"]
        if head in env.groups:
            return [f"{m}.{rest}" for m in env.groups[head]]
        self.err(mapping, key, "BAL021", f"'{head}' is not a stakeholder or group{S.suggest(head, list(env.stakeholders) + list(env.groups))}", at_key=True)
        return []

    def effect(self, eff, ref, self_id):
        if "set" in eff or "add" in eff or "fair" in eff:
            op = "set" if "set" in eff else ("add" if "add" in eff else "fair")
            mapping = eff[op]
            if not isinstance(mapping, dict):
                return None
            steps = []
            for key, val in mapping.items():
                keys = self.targets(mapping, key, self_id)
                if not keys:
                    continue
                is_flag = keys[0] in self.env.flags
                if is_flag and op != "set":
                    self.err(mapping, key, "BAL023", f"'{key}' is a flag (true/false): use 'set', not '{op}'", at_key=True)
                    continue
                if is_flag and isinstance(val, (int, float)) and not isinstance(val, bool):
                    self.err(mapping, key, "BAL023", f"'{key}' is a flag: it takes true or false, not a number. "
                                                     f"Write '{key}: true' (or false), or declare a meter under "
                                                     f"'meters' to count with")
                    continue
                # a value may mention self, or the group being changed per member
                group = key.partition(".")[0] if key.partition(".")[0] in self.env.groups else None
                fns = []
                for k in keys:
                    member = k.partition(".")[0] if group else self_id
                    try:
                        c = compile_expr(val, self.env, member if (group or self_id) else None,
                                         BOOL if is_flag else NUM, (group, member) if group else None)
                    except ExprError as e:
                        line, col = self._at(mapping, key, val, e.offset)
                        msg = f"the value for '{key}': {e}"
                        if is_flag and e.code == "BAL021" and isinstance(val, str) and val.strip().isidentifier() \
                                and "did you mean" not in str(e):
                            # a word such as 'yes' or 'done' that names nothing: the flag wants true or false
                            msg = (f"the value for '{key}': '{val.strip()}' is not declared, and '{key}' is a flag: "
                                   f"it takes true or false (write '{key}: true'), or a condition such as "
                                   f"'outcomes > 10'")
                        self.diags.error(_file(mapping, self.root_name), (line, col), e.code, msg)
                        fns = None
                        break
                    # a constant amount is kept as a number, not called (see apply below)
                    fns.append((k, c.fn, c.const if c.is_const and not is_flag else None))
                if fns:
                    steps.extend(fns)
            if not steps:
                return None
            if op == "set":
                steps = tuple(steps)

                def apply(run, cause, steps=steps):
                    s = run.state
                    for k, fn, _ in steps:
                        run._set(k, fn(s), cause)
                return apply
            # add and fair: numbers only; clamp inline (the hot path of every simulation)
            steps = tuple((k, None if const is not None else fn, const) + tuple(self.ranges[k])
                          for k, fn, const in steps)
            fair = op == "fair"
            if len(steps) == 1 and not fair:  # the commonest effect of all: one value changed by an amount
                return _add_one(*steps[0])
            if not fair and all(fn is None for _, fn, *_ in steps):
                return _add_constants(steps)

            def apply(run, cause, steps=steps, fair=fair):
                s = run.state
                vals = s.vals
                for k, fn, const, lo, hi, integer in steps:
                    old = vals[k]
                    amount = const if fn is None else fn(s)
                    if fair:
                        pct = (100.0 if amount > 100 else (-100.0 if amount < -100 else amount)) / 100.0
                        v = old + (hi - old) * pct if pct >= 0 else old + (old - lo) * pct
                    else:
                        v = old + amount
                    v = lo if v < lo else (hi if v > hi else v)
                    if integer:
                        if v.__class__ is not int:  # whole numbers plus whole amounts need no rounding
                            v = int(round(v))
                    if v != old:
                        vals[k] = v
                        if s.memo:
                            s.memo.clear()
                        if run.record:
                            run.history.changes.append((s.turn, k, old, v, cause))
            return apply
        if "phase" in eff:
            pid = eff["phase"]
            if pid not in self.env.phase_ids:
                self.err(eff, "phase", "BAL052", f"'{pid}' is not a phase{S.suggest(str(pid), self.env.phase_ids)}")
                return None
            self.phase_moves.append((ref, pid))
            return lambda run, cause, pid=pid: run._goto_phase(pid, cause)
        if "end" in eff:
            if eff["end"] is not True:
                return None
            return lambda run, cause: run._request_end(cause)
        if "if" in eff:
            cond = self.cond(eff, "if", "a conditional effect", self_id)
            then = self.effect_list(eff.get("then", []) if isinstance(eff.get("then"), list) else [], ref + ".then", self_id)
            other = self.effect_list(eff.get("else", []) if isinstance(eff.get("else"), list) else [], ref + ".else", self_id)
            for k in eff:
                if k not in ("if", "then", "else"):
                    self.err(eff, k, "BAL010", f"unknown key '{k}' in a conditional effect: it takes if, then and else", at_key=True)
            if cond is None:
                return None

            def apply(run, cause, cond=cond, then=then, other=other):
                for f in (then if cond(run.state) else other):
                    f(run, cause)
            return apply
        if "later" in eff:
            lt = eff["later"]
            if not isinstance(lt, dict) or not _isnum(lt.get("turns")):
                return None
            full_ref = ref if self_id is None else f"{ref}@{self_id}"
            effects = self.effect_list(lt.get("effects", []) if isinstance(lt.get("effects"), list) else [], ref + ".later", self_id)
            text = self.template(lt, "text", self_id) if isinstance(lt.get("text"), str) else None
            self.assume(lt, f"later:{full_ref}", f"the delayed effect of {ref.split(':', 1)[-1]}", self_id)
            self.laters[full_ref] = Later(full_ref, str(lt.get("title", UNTITLED_LATER)), text, effects)
            turns = int(lt["turns"])
            return lambda run, cause, r=full_ref, t=turns: run._schedule(r, t, cause)
        return None

    def check_graph(self, scenes, events, start, merged, end_turn):
        if not scenes or not isinstance(start, str) or start not in scenes:
            return
        edges = {sid: [g for c in sc.choices for g in c.targets if g in scenes] for sid, sc in scenes.items()}
        event_targets = [e.goto for e in events if e.goto in scenes]
        reach = _reachable([start] + event_targets, edges)
        # `goto: return` goes back to where the story was going when an event took it aside: it needs an
        # event on the way, so no scene with such a choice may be reached from the start without one
        returning = {sid for sid, sc in scenes.items() if any(RETURN in c.targets for c in sc.choices)}
        if returning:
            plain = _reachable([start], edges)
            for sid in sorted(returning & plain, key=list(scenes).index):
                self.diags.error(scenes[sid].file, self.return_pos.get(sid, scenes[sid].pos), "BAL054",
                                 f"'goto: return' in the scene '{sid}' may have nowhere to return to: the scene can "
                                 f"be reached from '{start}' without an event taking the story aside. Send it "
                                 f"to a scene by name, or reach this scene only through events' 'goto'")
            # for the checks below, a return may go back to anywhere a choice or an event leads
            targets = sorted({g for ts in edges.values() for g in ts} | set(event_targets), key=list(scenes).index)
            for sid in returning:
                edges[sid] = edges[sid] + targets
        for sid, sc in scenes.items():
            if sid not in reach:
                self.diags.warning(sc.file, sc.pos, "BAL031", f"the scene '{sid}' can never be reached: "
                                                              f"no choice or event leads to it from '{start}'")
        # scenes from which no end can be reached
        terminal = {sid for sid, sc in scenes.items() if sc.end or any("end" in c.targets for c in sc.choices)}
        back = {sid: [] for sid in scenes}
        for sid, ts in edges.items():
            for t in ts:
                back[t].append(sid)
        can_end = _reachable(terminal, back)
        for sid in reach - can_end:
            sc = scenes[sid]
            if not sc.choices and not sc.end:
                continue  # BAL034 already said it
            timed = end_turn is not None and any(scenes[x].quarters > 0 or any(c.quarters for c in scenes[x].choices)
                                                 for x in _cycle_members(sid, edges))
            if timed:
                continue  # the calendar ends the run
            self.diags.error(sc.file, sc.pos, "BAL032",
                             f"from the scene '{sid}' the story can never end: no path leads to an ending. "
                             f"Add a choice with 'goto: end', a scene with 'end: true', or a calendar 'end'")

    def check_phase_labels(self, scenes, events, start, phases):
        """A scene's `phase:` label against the phases in which it can be entered (BAL060, a warning).

        The walk over-approximates: a `phase:` effect of a choice or an entry may or may not apply; while
        quarters pass, a phase may move along its `next` changes (whatever their conditions) or to any phase
        that a rule, an event, a delayed effect or a perception's effect moves to. So a label outside the set
        is certainly never right; a label inside it may still be unlikely."""
        if not scenes or not phases or not isinstance(start, str) or start not in scenes:
            return
        if not any(sc.phase for sc in scenes.values()):
            return
        by_choice: dict = {}
        by_entry: dict = {}
        anytime: set = set()
        for ref, pid in self.phase_moves:
            head = ref.split(".", 1)[0]
            if ".later" in ref or not head.startswith(("choice:", "scene:")):
                anytime.add(pid)
            elif head.startswith("choice:"):
                by_choice.setdefault(head.split("~", 1)[0], set()).add(pid)
            else:
                by_entry.setdefault(head[len("scene:"):], set()).add(pid)

        def passing(ps):  # the phases possible after quarters pass
            out, todo = set(ps) | anytime, list(set(ps) | anytime)
            while todo:
                for to, _ in phases[todo.pop()].next:
                    if to not in out:
                        out.add(to)
                        todo.append(to)
            return out

        returns = sorted({g for sc in scenes.values() for c in sc.choices for g in _gotos(c) if g in scenes}
                         | {e.goto for e in events if e.goto in scenes})
        event_targets = [e.goto for e in events if e.goto in scenes]
        entered: dict = {}  # scene -> phases in which it can be entered (or be in, after its entry effects)
        todo = [(start, next(iter(phases)))]
        seen = set(todo)
        while todo:
            sid, ph = todo.pop()
            sc = scenes[sid]
            now = {ph} | by_entry.get(sid, set())
            entered.setdefault(sid, set()).update(now)
            for p in now:
                for c in sc.choices:
                    after = {p} | by_choice.get(c.cause, set())
                    if (sc.quarters if c.quarters is None else c.quarters) > 0:
                        after = passing(after)
                    targets = [g for g in _gotos(c) if g in scenes]
                    if RETURN in _gotos(c):
                        targets += returns
                    if (sc.quarters if c.quarters is None else c.quarters) > 0:
                        targets += event_targets
                    for t in targets:
                        for q in after:
                            if (t, q) not in seen:
                                seen.add((t, q))
                                todo.append((t, q))
        for sid, sc in scenes.items():
            if sc.phase and sid in entered and sc.phase not in entered[sid]:
                can = ", ".join(p for p in phases if p in entered[sid])
                self.diags.warning(sc.file, self.phase_pos.get(sid, sc.pos), "BAL060",
                                   f"the scene '{sid}' is labelled 'phase: {sc.phase}', but it can only be entered "
                                   f"in {can}: correct the label, or move the initiative into '{sc.phase}' "
                                   f"(a 'phase:' effect, or a phase's 'next') before the story reaches this scene")

    def check_conditions(self):
        for c, container, key, what in self.cond_checks:
            if True not in c.interval:
                self._constant_condition(c, container, key, "BAL033", f"{what} can never hold",
                                         "check the numbers and the comparison")
            elif False not in c.interval and not c.is_const:
                self._constant_condition(c, container, key, "BAL035", f"{what} always holds",
                                         "remove it, or fix the comparison")

    def check_crowding(self, scenes):
        """BAL036: a scene whose choices hidden while unavailable may show together with the others, more
        than four at once (engine/crowding.py says how the conditions are weighed)."""
        raw = self.merged.get("scenes", {})
        for sid, sc in scenes.items():
            n, together = crowding.most_shown(sc.choices, self.env)
            if n <= crowding.MAX_SHOWN or n - len(together) > crowding.MAX_SHOWN:
                continue  # four at most; or more always shown, which BAL034 says
            always = n - len(together)
            which = [str(i + 1) for i in together]
            listed = ", ".join(which[:-1]) + f" and {which[-1]}" if len(which) > 1 else which[0]
            entry = raw.get(sid)
            container = entry[0] if isinstance(entry, tuple) else entry
            self.diags.warning(sc.file or self.root_name, _kpos(container, "choices") if isinstance(container, dict)
                               else sc.pos, "BAL036",
                               f"the scene '{sid}' may show {n} choices at once, more than {crowding.MAX_SHOWN}: "
                               f"{always} always shown, and the conditions of choice{'s' if len(which) > 1 else ''} "
                               f"{listed} (hidden while unavailable) can hold together. Make those conditions "
                               f"exclude one another (such as 'x >= 50' and 'x < 50'), or move a choice to "
                               f"another scene")

    def _constant_condition(self, c, container, key, code, said, fix):
        """BAL033/BAL035 at the comparison that decides it, with the ranges that rule the other value out."""
        src = container[key] if isinstance(container, (dict, list)) else None
        why = never_reason(c, src) if isinstance(src, str) else None
        if why is None:
            self.warn(container, key, code, f"{said}, given the declared ranges: {fix}")
            return
        offset, term, left, op, right, holds = why
        truth = "true" if holds else "false"  # the term's own: under a 'not' it is the opposite of the whole's

        def side(name, iv):
            return f"its {name} side {'lies in' if ' to ' in iv else 'is'} {iv}"
        self.diags.warning(_file(container, self.root_name), self._at(container, key, src, offset), code,
                           f"{said}, given the declared ranges: '{term}' is always {truth}, as "
                           f"{side('left', left)} and {side('right', right)}: {fix}")


def _gotos(choice) -> tuple:
    """Every place a choice may lead."""
    return choice.targets


def _shown(raw_choices) -> int:
    """How many of a scene's choices may be shown: those hidden when unavailable (an 'if' and no
    'unavailable' reason) do not count towards the four."""
    return sum(1 for ch in raw_choices if not (isinstance(ch, dict) and "if" in ch and "unavailable" not in ch))


def _add_constants(steps):
    """`add` of constant amounts to several values (as the general loop does, same arithmetic). When the run
    does not record its history, the loop is the bare arithmetic, and the cache of computed values is
    cleared once at the end: no amount here reads a computed value, so nothing can see it stale."""
    fast = tuple((k, const, lo, hi, integer) for k, _, const, lo, hi, integer in steps)

    def apply(run, cause):
        s = run.state
        vals = s.vals
        if run.record:
            changes = run.history.changes
            for k, _, const, lo, hi, integer in steps:
                old = vals[k]
                v = old + const
                v = lo if v < lo else (hi if v > hi else v)
                if integer and v.__class__ is not int:
                    v = int(round(v))
                if v != old:
                    vals[k] = v
                    if s.memo:
                        s.memo.clear()
                    changes.append((s.turn, k, old, v, cause))
            return
        changed = False
        for k, const, lo, hi, integer in fast:
            old = vals[k]
            v = old + const
            if v < lo:
                v = lo
            elif v > hi:
                v = hi
            if integer and v.__class__ is not int:
                v = int(round(v))
            if v != old:
                vals[k] = v
                changed = True
        if changed and s.memo:
            s.memo.clear()
    return apply


def _add_one(k, fn, const, lo, hi, integer):
    """`add` for a single value: the loop of the general case, unrolled (same arithmetic)."""
    def apply(run, cause):
        s = run.state
        vals = s.vals
        old = vals[k]
        v = old + (const if fn is None else fn(s))
        v = lo if v < lo else (hi if v > hi else v)
        if integer:
            if v.__class__ is not int:
                v = int(round(v))
        if v != old:
            vals[k] = v
            if s.memo:
                s.memo.clear()
            if run.record:
                run.history.changes.append((s.turn, k, old, v, cause))
    return apply


def _reachable(starts, edges) -> set:
    reach = set()
    todo = deque(starts)
    while todo:
        s = todo.popleft()
        if s in reach:
            continue
        reach.add(s)
        todo.extend(edges[s])
    return reach


def _cycle_members(sid, edges):
    seen, todo = set(), [sid]
    while todo:
        s = todo.pop()
        if s in seen:
            continue
        seen.add(s)
        todo.extend(edges.get(s, []))
    return seen


class _MemberEnv(Env):
    """For a group's `where`: a stakeholder's starting values as bare names."""

    def __init__(self, env, sid, item, values, value_starts):
        self.env, self.sid, self.item, self.values, self.starts = env, sid, item, values, value_starts

    def group_members(self, name):
        return None

    def resolve(self, dotted, self_id):
        if dotted == "local_budget":
            return _const(bool(self.item.get("local_budget", False)))
        if dotted in self.values:
            v = self.item.get(dotted)
            if v is None:
                v = self.starts.get(dotted, 0)
            return _const(v) if _isnum(v) else None
        if dotted in TEXT_ATTRS:
            return _const(str(self.item.get(dotted, "")))
        return None


def _sub(mapping, key) -> dict:
    """mapping[key] when it is a mapping, else an empty one."""
    v = mapping.get(key)
    return v if isinstance(v, dict) else {}


def _isnum(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def _num(v, default):
    return v if _isnum(v) else default


def _quarter(v):
    if not isinstance(v, str):
        return None
    m = S.QUARTER_RE.match(v)
    return (int(m.group(1)), int(m.group(2))) if m else None


def _debrief(ch):
    d = ch.get("debrief")
    if not isinstance(d, str):
        return None
    cite = ch.get("cite")
    return f"{d.strip()} ({cite})" if isinstance(cite, str) else d.strip()


def _find_pos(merged, name):
    for sec in ("meters", "flags", "groups", "computed"):
        v = merged.get(sec, {})
        if isinstance(v, dict) and name in v:
            return _kpos(v[name][1], name)
    return (1, 1)


_PALETTE = ("#2f6db5", "#c4572a", "#3f8f5a", "#8a4fb5", "#b58a2f", "#2f9fa5", "#b53f6d", "#5f6f7f")


def _default_colour(sid):
    return _PALETTE[int(hashlib.md5(sid.encode()).hexdigest(), 16) % len(_PALETTE)]


# --- public ---------------------------------------------------------------------

def check_file(path, lang: str | None = None, translation_warnings: bool = True) -> tuple:
    """Load and validate (in `lang`, from its translation file, if given); returns (Scenario or None,
    sorted diagnostics). Without `translation_warnings`, the translations beside the scenario are not each
    built to find what would stop them playing (their warnings only; errors are the same)."""
    loader = _Loader(str(path), lang=lang, translation_warnings=translation_warnings)
    try:
        scenario = loader.load()
    except RecursionError:
        loader.diags.error(loader.root_name, (1, 1), "BAL005", "the scenario is nested too deeply to check")
        scenario = None
    return scenario, loader.diags.sorted()


@dataclass
class Probe:
    """One condition of a scenario, where it is written, and how often it was [false, true] when evaluated."""

    what: str
    file: str
    line: int
    column: int
    source: str
    fn: object  # the condition itself, uncounted: state -> bool
    counts: list


def load_probed(path) -> tuple:
    """Load a scenario whose conditions count their outcomes (for `balcony explore`).

    Returns (scenario, probes); raises ContentError like load_scenario. Probed conditions are
    slower: use this copy only for exploring.
    """
    loader = _Loader(str(path), probe=True, translation_warnings=False)  # its warnings are dropped
    try:
        scenario = loader.load()
    except RecursionError:
        loader.diags.error(loader.root_name, (1, 1), "BAL005", "the scenario is nested too deeply to check")
        scenario = None
    if scenario is None:
        diags = loader.diags.sorted()
        if not any(d.severity == "error" for d in diags):  # pragma: no cover - defensive, as load_scenario
            from .diagnostics import Diagnostic
            diags.append(Diagnostic(str(path), 1, 1, "BAL003", "error", "the scenario could not be loaded"))
        raise ContentError(diags)
    return scenario, list(loader.probes)


def load_scenario(path, lang: str | None = None) -> Scenario:
    """Load a scenario (in `lang`, see engine.l10n); raises ContentError with every diagnostic if it has errors."""
    scenario, diags = check_file(path, lang, translation_warnings=False)  # the warnings are dropped here
    if scenario is None:
        if not any(d.severity == "error" for d in diags):  # pragma: no cover - defensive
            from .diagnostics import Diagnostic
            diags.append(Diagnostic(str(path), 1, 1, "BAL003", "error", "the scenario could not be loaded"))
        raise ContentError(diags)
    return scenario


_META_KEYS = ("balcony", "id", "title", "version", "summary", "setting", "role", "themes", "length_minutes", "credits")
_TOP_KEY = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)\s*:", re.M)


def read_metadata(path) -> dict:
    """Read only a scenario's metadata, quickly, for the title and select screens.

    It parses just the top-level blocks named in _META_KEYS, so a large scenario's scenes
    are never parsed. Raises ContentError if even that fails.
    """
    from .yamlload import MAX_BYTES, LoadFailure, _decode
    diags = Diagnostics()
    try:
        from .safeio import read_regular  # a pipe or a device in a scenario folder must not hang the list
        data = read_regular(path, MAX_BYTES)
    except OSError as e:
        diags.error(str(path), (1, 1), "BAL007", f"cannot read the file: {e.strerror or e}")
        raise ContentError(diags.items) from None
    try:
        if len(data) > MAX_BYTES:
            raise LoadFailure("BAL005", f"the file is larger than {MAX_BYTES // (1024 * 1024)} MB: split it with includes")
        text = _decode(data)
    except LoadFailure as f:
        diags.error(str(path), f.pos, f.code, f.message)
        raise ContentError(diags.items) from None
    starts = [(m.start(), m.group(1)) for m in _TOP_KEY.finditer(text)]
    pieces = []
    for i, (off, key) in enumerate(starts):
        if key in _META_KEYS:
            end = starts[i + 1][0] if i + 1 < len(starts) else len(text)
            pieces.append(text[off:end])
    from .yamlload import LoadFailure, parse_text
    try:
        doc = parse_text("".join(pieces) or "{}", str(path))
    except LoadFailure as f:
        diags.error(str(path), f.pos, f.code, f.message)
        raise ContentError(diags.items) from None
    if not isinstance(doc, dict) or not isinstance(doc.get("id"), str):
        diags.error(str(path), (1, 1), "BAL013", "the scenario needs an 'id'")
        raise ContentError(diags.items)
    setting = doc.get("setting") if isinstance(doc.get("setting"), dict) else {}
    return {
        "path": str(path), "id": doc["id"], "title": str(doc.get("title", doc["id"])),
        "version": str(doc.get("version", "")), "summary": str(doc.get("summary", "")).strip(),
        "place": str(setting.get("place", "")), "years": list(setting.get("years", [])) if isinstance(setting.get("years"), list) else [],
        "role": str(doc.get("role", "")), "themes": [str(t) for t in doc.get("themes", [])] if isinstance(doc.get("themes"), list) else [],
        "length_minutes": doc.get("length_minutes") if _isnum(doc.get("length_minutes")) else None,
    }
