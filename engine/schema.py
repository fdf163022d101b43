"""The scenario language's structure, declared once.

The same declarations drive the structural validation pass (unknown keys with a
did-you-mean, wrong types, out-of-range values, missing keys) and the JSON Schema that
`balcony schema` prints for editors.
"""
from __future__ import annotations

import difflib
import math
import re
from dataclasses import dataclass, field

from .yamlload import YDict, YList

ID_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
SCENARIO_ID_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_\-]*$")
QUARTER_RE = re.compile(r"^(\d{4})-Q([1-4])$")


class Spec:
    doc = ""

    def check(self, v, pos, ctx) -> bool:  # returns False if the value is unusable
        return True

    def json(self) -> dict:
        return {}

    def described(self, d):
        j = self.json()
        if self.doc:
            j["description"] = self.doc
        return j


def _id_hint(v: str) -> str:
    """For an id with characters outside a-z, A-Z, 0-9 and '_' (an accent, a space, a hyphen): which."""
    odd = sorted({c for c in v if not (c.isascii() and (c.isalnum() or c == "_"))}, key=v.index)
    if not odd:
        return ""
    shown = ", ".join(repr(c) for c in odd[:3])
    accents = any(not c.isascii() and c.isalpha() for c in odd)
    return (f" ({shown} {'is' if len(odd) == 1 else 'are'} not allowed"
            f"{': ids use the unaccented letters a-z and A-Z' if accents else ''})")


_WORDS = {w: i for i, w in enumerate("zero one two three four five six seven eight nine ten eleven twelve".split())}


def _number_fix(v) -> str:
    """How to write, as a number, text that was meant as one ('1e3', '1,000', '50%', 'ten')."""
    if not isinstance(v, str):
        return ""
    t = v.strip()
    if t.lower() in _WORDS:
        return f": write it in figures: {_WORDS[t.lower()]}"
    for strip, say in ((",", "without commas"), ("%", "without the '%'")):
        if strip in t:
            try:
                n = float(t.replace(strip, ""))
            except ValueError:
                continue
            return f": write it {say}: {n:g}" if abs(n) < 1e15 else ""
    try:
        n = float(t)
    except ValueError:
        return ""
    if not math.isfinite(n) or abs(n) >= 1e15:
        return f": YAML reads '{t}' as text, and it is too large for a number anyway: use smaller units"
    return f": YAML reads '{t}' as text: write it out, {int(n) if n.is_integer() else repr(n)}"


def _type_name(v):
    if isinstance(v, bool):
        return "true/false"
    if isinstance(v, (int, float)):
        return "a number"
    if isinstance(v, str):
        return "text"
    if isinstance(v, list):
        return "a list"
    if isinstance(v, dict):
        return "a mapping"
    if v is None:
        return "nothing (null)"
    return type(v).__name__


@dataclass
class Str(Spec):
    doc: str = ""
    pattern: object = None
    what: str = "text"
    enum: tuple = ()

    def check(self, v, pos, ctx):
        if not isinstance(v, str):
            ctx.err(pos, "BAL011", f"expected {self.what}, found {_type_name(v)}")
            return False
        if self.enum and v not in self.enum:
            close = difflib.get_close_matches(v, self.enum, 1)
            hint = f"; did you mean '{close[0]}'?" if close else ""
            ctx.err(pos, "BAL012", f"'{v}' is not one of {', '.join(self.enum)}{hint}")
            return False
        if self.pattern is not None and not self.pattern.match(v):
            ctx.err(pos, "BAL014", f"'{v}' is not a valid {self.what}: use letters, digits and '_', starting with a "
                                   f"letter{_id_hint(v)}")
            return False
        return True

    def json(self):
        j = {"type": "string"}
        if self.enum:
            j["enum"] = list(self.enum)
        if self.pattern is not None:
            j["pattern"] = self.pattern.pattern
        return j


def Id(doc=""):
    return Str(doc=doc, pattern=ID_RE, what="id")


@dataclass
class Num(Spec):
    doc: str = ""
    lo: float | None = None
    hi: float | None = None
    integer: bool = False

    def check(self, v, pos, ctx):
        if isinstance(v, bool) or not isinstance(v, (int, float)) or (self.integer and isinstance(v, float) and not v.is_integer()):
            ctx.err(pos, "BAL011", f"expected {'a whole number' if self.integer else 'a number'}, found "
                                   f"{_type_name(v)}{_number_fix(v)}")
            return False
        if (self.lo is not None and v < self.lo) or (self.hi is not None and v > self.hi):
            rng = f"from {self.lo} to {self.hi}" if self.hi is not None else f"at least {self.lo}"
            ctx.err(pos, "BAL012", f"{v} is out of range: it must be {rng}")
            return False
        return True

    def json(self):
        j = {"type": "integer" if self.integer else "number"}
        if self.lo is not None:
            j["minimum"] = self.lo
        if self.hi is not None:
            j["maximum"] = self.hi
        return j


@dataclass
class Bool(Spec):
    doc: str = ""

    def check(self, v, pos, ctx):
        if not isinstance(v, bool):
            ctx.err(pos, "BAL011", f"expected true or false, found {_type_name(v)}")
            return False
        return True

    def json(self):
        return {"type": "boolean"}


@dataclass
class Expr(Spec):
    """An expression in quotes; plain numbers and booleans are allowed where they fit."""
    doc: str = ""
    want: str = "number"  # "number", "bool" or "any"

    def check(self, v, pos, ctx):
        ok = isinstance(v, str) or (
            self.want in ("number", "any") and isinstance(v, (int, float)) and not isinstance(v, bool)) or (
            self.want in ("bool", "any") and isinstance(v, bool))
        if not ok:
            ctx.err(pos, "BAL011", f"expected an expression ({'a condition' if self.want == 'bool' else 'a value'}), "
                                   f"found {_type_name(v)}")
        return ok

    def json(self):
        if self.want == "bool":
            return {"type": ["string", "boolean"]}
        if self.want == "number":
            return {"type": ["string", "number"]}
        return {"type": ["string", "number", "boolean"]}


@dataclass
class Any_(Spec):
    doc: str = ""

    def json(self):
        return {}


@dataclass
class ListOf(Spec):
    item: Spec
    doc: str = ""
    min_items: int = 0
    max_items: int | None = None

    def check(self, v, pos, ctx):
        if not isinstance(v, list):
            one = f": write it as a list: [{v}]" if isinstance(v, (str, int, float)) and not isinstance(v, bool) \
                and "," not in str(v) and self.min_items <= 1 else ""
            ctx.err(pos, "BAL011", f"expected a list, found {_type_name(v)}{one}")
            return False
        if len(v) < self.min_items or (self.max_items is not None and len(v) > self.max_items):
            want = f"{self.min_items} to {self.max_items}" if self.max_items is not None else f"at least {self.min_items}"
            ctx.err(pos, "BAL012", f"expected {want} items, found {len(v)}")
        ipos = getattr(v, "item_pos", None)
        for i, item in enumerate(v):
            self.item.check(item, ipos[i] if ipos else pos, ctx)
        return True

    def json(self):
        j = {"type": "array", "items": self.item.described({})}
        if self.min_items:
            j["minItems"] = self.min_items
        if self.max_items is not None:
            j["maxItems"] = self.max_items
        return j


@dataclass
class MapOf(Spec):
    """A mapping whose keys are ids chosen by the author."""
    value: Spec
    doc: str = ""
    key_what: str = "id"

    def check(self, v, pos, ctx):
        if not isinstance(v, dict):
            ctx.err(pos, "BAL011", f"expected a mapping of {self.key_what} to values, found {_type_name(v)}")
            return False
        kpos = getattr(v, "key_pos", {})
        vpos = getattr(v, "val_pos", {})
        for k, item in v.items():
            if not ID_RE.match(k):
                ctx.err(kpos.get(k, pos), "BAL014", f"'{k}' is not a valid {self.key_what}: use letters, digits "
                                                   f"and '_', starting with a letter{_id_hint(str(k))}")
            ctx.extra["item"] = (k, kpos.get(k, pos))  # the item's own name and where it is written
            self.value.check(item, vpos.get(k, pos), ctx)
            ctx.extra.pop("item", None)
        return True

    def json(self):
        return {"type": "object", "propertyNames": {"pattern": ID_RE.pattern},
                "additionalProperties": self.value.described({})}


@dataclass
class OneOf(Spec):
    """One of several shapes, told apart by the value's YAML type."""
    options: list
    doc: str = ""

    def check(self, v, pos, ctx):
        for opt in self.options:
            if _shape_fits(opt, v):
                return opt.check(v, pos, ctx)
        names = " or ".join(_shape_name(o) for o in self.options)
        ctx.err(pos, "BAL011", f"expected {names}, found {_type_name(v)}")
        return False

    def json(self):
        return {"anyOf": [o.described({}) for o in self.options]}


def _shape_fits(spec, v):
    if isinstance(spec, Str):
        return isinstance(spec, Str) and isinstance(v, str)
    if isinstance(spec, Num):
        return isinstance(v, (int, float)) and not isinstance(v, bool)
    if isinstance(spec, Bool):
        return isinstance(v, bool)
    if isinstance(spec, (Struct, MapOf)):
        return isinstance(v, dict)
    if isinstance(spec, ListOf):
        return isinstance(v, list)
    if isinstance(spec, Expr):
        return spec.check(v, None, _Silent())
    return True


def _shape_name(spec):
    return {Str: "text", Num: "a number", Bool: "true/false", Struct: "a mapping", MapOf: "a mapping",
            ListOf: "a list", Expr: "an expression"}.get(type(spec), "a value")


class _Silent:
    def err(self, *a):
        pass


@dataclass
class Struct(Spec):
    fields: dict  # name -> Spec
    required: tuple = ()
    doc: str = ""
    what: str = "this mapping"
    exactly_one_of: tuple = ()

    def check(self, v, pos, ctx):
        if not isinstance(v, dict):
            ctx.err(pos, "BAL011", f"expected a mapping for {self.what}, found {_type_name(v)}")
            return False
        item = ctx.extra.pop("item", None)  # (name, position) when this is an item of a MapOf
        kpos = getattr(v, "key_pos", {})
        vpos = getattr(v, "val_pos", {})
        for k in v:
            if k not in self.fields:
                close = difflib.get_close_matches(k, list(self.fields), 1, 0.6)
                hint = f": did you mean '{close[0]}'?" if close else f": {self.what} takes {', '.join(self.fields)}"
                ctx.err(kpos.get(k, pos), "BAL010", f"unknown key '{k}' in {self.what}{hint}")
        missing = [k for k in self.required if k not in v]
        if missing:
            # name the item, and point at its name, so that the author knows which of many it is
            # (only for one of many, "a scene", "a stakeholder": not for "the scenario" or "the calendar")
            article, _, bare = self.what.partition(" ")
            name, where = item if item else (v.get("id"), kpos.get("id", pos))
            named = self.what
            if article in ("a", "an") and isinstance(name, str) and name:
                named = f"the {bare} '{name}'"
            else:
                where = pos
            for k in missing:
                ctx.err(where, "BAL013", f"{named} needs the key '{k}'")
        if self.exactly_one_of:
            present = [k for k in self.exactly_one_of if k in v]
            if len(present) != 1:
                which = ", ".join(self.exactly_one_of)
                msg = (f"{self.what} has no kind: give one of {which}" if not present
                       else f"{self.what} mixes {' and '.join(present)}: write them as separate items")
                ctx.err(pos, "BAL011", msg)
        for k, spec in self.fields.items():
            if k in v:
                spec.check(v[k], vpos.get(k, pos), ctx)
        return True

    def json(self):
        j = {"type": "object", "additionalProperties": False,
             "properties": {k: s.described({}) for k, s in self.fields.items()}}
        if self.required:
            j["required"] = list(self.required)
        if self.exactly_one_of:
            j["oneOf"] = [{"required": [k]} for k in self.exactly_one_of]
        return j


class _OpenStruct(Struct):
    """A stakeholder: fixed keys plus one key per declared stakeholder value (a number)."""

    def check(self, v, pos, ctx):
        extra = set(getattr(ctx, "extra", {}).get("values", ())) if isinstance(v, dict) else set()
        if not extra:
            return Struct.check(self, v, pos, ctx)
        fixed = {k: x for k, x in v.items() if k not in extra}
        if isinstance(v, YDict):
            fixed = YDict(fixed)
            fixed.pos, fixed.key_pos, fixed.val_pos, fixed.file = v.pos, v.key_pos, v.val_pos, v.file
        Struct.check(self, fixed, pos, ctx)
        vpos = getattr(v, "val_pos", {})
        for k in extra & set(v):
            Num().check(v[k], vpos.get(k, pos), ctx)
        return True

    def json(self):
        j = Struct.json(self)
        j["additionalProperties"] = {"type": "number", "description": "a declared stakeholder value"}
        return j


class _Lazy(Spec):
    """A forward reference, for the recursive effects list."""

    def __init__(self, get):
        self.get = get

    def check(self, v, pos, ctx):
        return self.get().check(v, pos, ctx)

    def json(self):
        return {"$ref": "#/$defs/effects"}


# --- the language -------------------------------------------------------------

DIMENSIONS = ("feeling", "perceiving", "thinking", "relating", "doing", "being")
STANCES = ("cede_power", "hold_power", "face_conflict", "avoid_conflict",
           "flex_narrative", "fix_narrative", "distributed", "hero")
EXTRA_TAGS = ("listen", "savings_narrative")
BUILTIN_TAGS = DIMENSIONS + STANCES + EXTRA_TAGS
METER_KINDS = ("outcome", "legitimacy", "capacity", "tension", "resilience", "other")
QUALITIES = ("best", "good", "mixed", "poor")
#: The stages of Kolb's cycle a reflection question belongs to (the debrief asks them in this order).
REFLECTION_STAGES = ("what_happened", "why", "what_it_means", "next_time")

EFFECTS = _Lazy(lambda: EFFECT_LIST)
_assign = MapOf(Expr(want="any"), doc="names (meter, flag, stakeholder.value, group.value, self.value) to values",
                key_what="name")
_assign.check = lambda v, pos, ctx, _s=_assign: _check_assign(v, pos, ctx)
# targets are names or dotted names (police.trust, all.commitment, self.trust), not plain ids
_assign.json = lambda: {"type": "object", "minProperties": 1,
                        "propertyNames": {"pattern": r"^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z][A-Za-z0-9_]*)?$"},
                        "additionalProperties": Expr(want="any").json()}


def _check_assign(v, pos, ctx):
    if not isinstance(v, dict) or not v:
        ctx.err(pos, "BAL011", f"expected a mapping of names to values, found {_type_name(v)}")
        return False
    vpos = getattr(v, "val_pos", {})
    for k, item in v.items():
        Expr(want="any").check(item, vpos.get(k, pos), ctx)
    return True


#: A text's `assumes:` (a scene, a choice's result, a delayed effect, an event, an ending, a story, a confidence).
ASSUMES = Expr(want="bool", doc="what this text assumes about the run; explore and check report every path that shows it while this is false")

EFFECT = Struct({
    "set": _assign, "add": _assign, "fair": _assign,
    "phase": Id("move the initiative to this phase"),
    "if": Expr(want="bool"), "then": EFFECTS, "else": EFFECTS,
    "later": Struct({"turns": Num(lo=1, hi=400, integer=True), "text": Str(), "effects": EFFECTS,
                     "title": Str(), "assumes": ASSUMES}, required=("turns", "effects"), what="a delayed effect"),
    "end": Bool(),
}, what="an effect", exactly_one_of=("set", "add", "fair", "phase", "if", "later", "end"))
EFFECT_LIST = ListOf(EFFECT, doc="effects, applied in order")

_STORY = Struct({"id": Id(), "if": Expr(want="bool"), "text": Str(), "effects": EFFECTS, "title": Str(),
                 "assumes": ASSUMES},
                required=("id", "text"), what="a service-user story")

SCHEMA = Struct({
    "balcony": Any_(doc="language version: 1"),
    "id": Str(pattern=SCENARIO_ID_RE, what="scenario id"),
    "title": Str(), "version": OneOf([Str(), Num()]), "summary": Str(),
    "setting": Struct({"place": Str(), "years": ListOf(Num(lo=1800, hi=2200, integer=True), min_items=1, max_items=2)},
                      required=("place", "years"), what="setting"),
    "role": Str(), "themes": ListOf(Str()), "length_minutes": Num(lo=1, hi=600, integer=True),
    "credits": ListOf(Str()),
    "sources": ListOf(Struct({"id": Id(), "cite": Str(), "url": Str()}, required=("id", "cite"), what="a source")),
    "start": Id("the first scene"),
    "calendar": Struct({"start": Str(pattern=QUARTER_RE, what="quarter like 2010-Q2"),
                        "end": Str(pattern=QUARTER_RE, what="quarter like 2013-Q1")},
                       required=("start",), what="calendar"),
    "tags": ListOf(Id(), doc="extra tags this scenario uses"),
    "meters": MapOf(Struct({
        "label": Str(), "range": ListOf(Num(), min_items=2, max_items=2), "start": Num(),
        "type": Str(enum=("number", "int")), "visible": Bool(), "kind": Str(enum=METER_KINDS),
        "balcony": Bool(), "description": Str(),
    }, required=("range", "start"), what="a meter")),
    "flags": MapOf(OneOf([Bool(), Struct({"start": Bool(), "label": Str(), "description": Str()},
                                         required=("start",), what="a flag")])),
    "stakeholder_values": MapOf(Struct({"label": Str(), "range": ListOf(Num(), min_items=2, max_items=2),
                                        "start": Num(), "type": Str(enum=("number", "int"))},
                                       required=("range", "start"), what="a stakeholder value")),
    "stakeholders": ListOf(_OpenStruct({
        "id": Id(), "name": Str(), "role": Str(), "agency": Str(), "colour": Str(pattern=re.compile(r"^#[0-9A-Fa-f]{6}$"), what="colour like #1f4e9c"),
        "local_budget": Bool(), "trust": Num(lo=0, hi=100), "support": Num(lo=0, hi=100),
        "commitment": Num(lo=0, hi=100), "voice": Str(),
        "balcony": OneOf([Str(enum=("visible", "hidden")), Struct({"bias": Num(lo=-100, hi=100)}, required=("bias",), what="balcony")]),
        "confides": ListOf(Struct({"if": Expr(want="bool"), "text": Str(), "assumes": ASSUMES}, required=("text",),
                                  what="a confidence")),
    }, required=("id", "name", "role", "agency", "local_budget", "trust", "support", "commitment"),
        what="a stakeholder")),
    "cast": ListOf(Struct({
        "id": Id(), "name": Str(), "role": Str(), "agency": Str(),
        "colour": Str(pattern=re.compile(r"^#[0-9A-Fa-f]{6}$"), what="colour like #1f4e9c"),
    }, required=("id", "name", "role"), what="a cast member"),
        doc="minor characters who may speak in a scene (a journalist, a resident): no hidden values"),
    "groups": MapOf(OneOf([ListOf(Id()), Struct({"where": Expr(want="bool")}, required=("where",), what="a group")])),
    "computed": MapOf(Expr(want="any")),
    "perception": Struct({
        "attention": Num(lo=0, hi=10, integer=True),
        "balcony": Struct({"cost": Num(lo=0, hi=10, integer=True), "band": Num(lo=1, hi=100),
                           "text": Str()}, what="balcony"),
        "listen": Struct({"cost": Num(lo=0, hi=10, integer=True), "stories": ListOf(_STORY),
                          "fallback": Str()}, what="listen"),
        "one_to_one": Struct({"cost": Num(lo=0, hi=10, integer=True), "effects": EFFECTS}, what="one_to_one"),
    }, what="perception"),
    "phases": ListOf(Struct({
        "id": Id(), "name": Str(), "on_enter": EFFECTS, "on_exit": EFFECTS, "description": Str(),
        "next": ListOf(Struct({"to": Id(), "when": Expr(want="bool")}, required=("to", "when"), what="a phase change")),
    }, required=("id", "name"), what="a phase"), min_items=1),
    "rules": ListOf(Struct({"id": Id(), "text": Str(), "if": Expr(want="bool"), "each": Id(),
                            "effects": EFFECTS}, required=("id", "effects"), what="a rule")),
    "event_chance": Num(lo=0, hi=1),
    "events": ListOf(Struct({
        "id": Id(), "title": Str(), "text": Str(), "if": Expr(want="bool"), "weight": Expr(want="number"),
        "once": Bool(), "forced": Bool(), "effects": EFFECTS, "assumes": ASSUMES,
        "goto": Id("a scene to go to after this quarter instead of the one the choice led to; a choice there "
                   "with 'goto: return' comes back"),
    }, required=("id", "title", "text"), what="an event")),
    "scenes": MapOf(Struct({
        "speaker": Id(), "text": Str(), "title": Str(), "quarters": Num(lo=0, hi=40, integer=True),
        "phase": Id(), "on_enter": EFFECTS, "end": Bool(),
        "present": ListOf(Id(), doc="the stakeholders in the room (default: everyone); the dance floor and "
                                    "one-to-ones follow it"), "assumes": ASSUMES,
        "choices": ListOf(Struct({
            "text": Str(), "if": Expr(want="bool"), "unavailable": Str(), "effects": EFFECTS,
            "tags": ListOf(Id()), "debrief": Str(), "cite": Str(), "result": Str(), "assumes": ASSUMES,
            "intended": Str(enum=("dominated",), doc="'dominated': a deliberate trap; simulate does not list it "
                                                    "among the dominated choices"),
            "goto": OneOf([
                Id("where the choice leads: a scene's id, 'end', or 'return' (back to where the story was "
                   "going when an event's goto took it aside)"),
                ListOf(Struct({"if": Expr(want="bool"), "to": Id()}, required=("to",), what="a branch of a goto"),
                       min_items=1, doc="a goto that depends on state: the first branch whose 'if' holds (after "
                                        "the choice's effects), the last one without 'if'")]),
            "outcomes": ListOf(Struct({
                "weight": Num(lo=0), "effects": EFFECTS, "result": Str(),
                "goto": Id("where this outcome leads, instead of the choice's goto"),
            }, required=("weight",), what="an outcome"), min_items=1,
                doc="chancy outcomes: one is drawn, with probability weight / total, from the run's generator"),
            "quarters": Num(lo=0, hi=40, integer=True, doc="the quarters this choice takes, instead of its scene's"),
        }, required=("text",), what="a choice")),
    }, required=("speaker", "text"), what="a scene")),
    "triangle": Struct({"public_value": Expr(), "legitimacy": Expr(), "capacity": Expr()},
                       required=("public_value", "legitimacy", "capacity"), what="triangle"),
    "endings": ListOf(Struct({
        "id": Id(), "title": Str(), "quality": Str(enum=QUALITIES), "priority": Num(),
        "if": Expr(want="bool"), "fallback": Bool(), "text": Str(), "assumes": ASSUMES,
    }, required=("id", "title", "quality", "text"), what="an ending"), min_items=1),
    "includes": ListOf(Str(what="path")),
    "personas": MapOf(Struct({"prefer": MapOf(Num()), "perceive": ListOf(Str(enum=("balcony", "listen", "one_to_one"))),
                              "description": Str()}, required=("prefer",), what="a persona")),
    "invariants": ListOf(Any_()),
    "check": Struct({"runs": Num(lo=1, hi=1_000_000, integer=True)}, what="the check settings",
                    doc="settings for `balcony check`: `runs`, how many runs per persona its invariants need "
                        "(by default 200)"),
    "reflection": ListOf(Struct({
        "id": Id(), "text": Str(), "if": Expr(want="bool"),
        "stage": Str(enum=REFLECTION_STAGES, what="a stage of Kolb's cycle"),
    }, required=("id", "text"), what="a reflection question"),
        doc="the debrief's own questions: each is asked when its 'if' holds at the end of the run"),
}, required=("balcony", "id", "title", "version", "summary", "setting", "role", "start", "calendar",
             "meters", "stakeholders", "phases", "scenes", "triangle", "endings"),
    what="the scenario")

#: What an included file may define.
INCLUDABLE = ("meters", "flags", "stakeholder_values", "stakeholders", "cast", "groups", "computed",
              "rules", "events", "scenes", "endings", "includes", "tags")
INCLUDE_SCHEMA = Struct({k: SCHEMA.fields[k] for k in INCLUDABLE}, what="an included file")


def json_schema() -> dict:
    """The JSON Schema of the scenario language (draft 2020-12)."""
    j = SCHEMA.json()
    # what an included file may hold is required of the main file only when it includes nothing
    j["required"] = [k for k in SCHEMA.required if k not in INCLUDABLE]
    j["if"] = {"not": {"required": ["includes"]}}
    j["then"] = {"required": [k for k in SCHEMA.required if k in INCLUDABLE]}
    j["properties"]["invariants"] = {"type": "array", "items": {"type": "object"}}
    j["properties"]["balcony"] = {"const": 1, "description": "language version"}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://balcony.example/scenario.schema.json",
        "title": "Balcony scenario",
        "description": "A Balcony scenario (language version 1). See docs/authoring.md.",
        **j,
        "$defs": {"effects": EFFECT_LIST.json()},
    }


def include_json_schema() -> dict:
    """The JSON Schema of an included file: only the sections an include may define, none of them required."""
    j = INCLUDE_SCHEMA.json()
    j.pop("required", None)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://balcony.example/include.schema.json",
        "title": "Balcony included file",
        "description": "A file that a Balcony scenario includes (language version 1): sections only, each "
                       "optional. See docs/authoring.md, 'Includes'.",
        **j,
        "$defs": {"effects": EFFECT_LIST.json()},
    }


def suggest(name: str, known) -> str:
    close = difflib.get_close_matches(name, list(known), 1, 0.6)
    return f": did you mean '{close[0]}'?" if close else ""


@dataclass
class CheckCtx:
    file: str
    diags: object
    extra: dict = field(default_factory=dict)

    def err(self, pos, code, message):
        self.diags.error(self.file, pos, code, message)
