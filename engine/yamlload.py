"""Safe YAML loading that keeps node positions and refuses anything unsafe or unbounded.

PyYAML's C parser (libyaml) composes the node graph; this module turns it into plain
dicts, lists and scalars itself, so that it can record where every key and value
stood, reject duplicate keys and foreign tags, and bound alias expansion and depth.
No constructor that could build arbitrary objects is ever used.
"""
from __future__ import annotations

import gc
import math
import re

import yaml

try:  # libyaml where present; the pure-Python composer otherwise
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on the platform's wheel
    from yaml import SafeLoader as _Loader

from .diagnostics import Diagnostics
from .safeio import NotRegularFile, read_regular

MAX_BYTES = 6 * 1024 * 1024
MAX_DEPTH = 64
#: Values (keys, list items, texts, numbers, lists and mappings) in one file, counting each use of an alias
#: in full. A generated 5,000-scene, 5 MB scenario has about 340,000.
MAX_NODES = 1_000_000

Pos = tuple  # (line, column), both 1-based


class YDict(dict):
    """A mapping from YAML that remembers where it, its keys and its values stood."""

    __slots__ = ("pos", "key_pos", "val_pos", "file")


class YList(list):
    """A sequence from YAML that remembers where it and its items stood."""

    __slots__ = ("pos", "item_pos", "file")


class LoadFailure(Exception):
    """Raised inside the loader; carries the code, message and position for a diagnostic."""

    def __init__(self, code, message, pos=(1, 1)):
        super().__init__(message)
        self.code, self.message, self.pos = code, message, pos


_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_BOOL = "tag:yaml.org,2002:bool"
_NULL = "tag:yaml.org,2002:null"
_STR = "tag:yaml.org,2002:str"
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_SCALAR_OK = {_INT, _FLOAT, _BOOL, _NULL, _STR, _TIMESTAMP}
_BOOL_VALUES = {"yes": True, "no": False, "true": True, "false": False, "on": True, "off": False}


def _mark(node) -> Pos:
    m = node.start_mark
    return (m.line + 1, m.column + 1)


def _scalar(node):
    tag, value = node.tag, node.value
    if tag == _STR or tag == _TIMESTAMP:
        return value
    if tag == _INT:
        v = value.replace("_", "")
        sign = -1 if v.startswith("-") else 1
        v = v.lstrip("+-")
        if len(v) > 40:  # in any base: a long sexagesimal ('1:2:3:...') would take minutes to convert
            raise LoadFailure("BAL012", f"the number {value[:20]}... is too large", _mark(node))
        try:
            if v.startswith("0b"):
                return sign * int(v[2:], 2)
            if v.startswith("0x"):
                return sign * int(v[2:], 16)
            if v.startswith("0o"):
                return sign * int(v[2:], 8)
            if ":" in v:  # sexagesimal, YAML 1.1
                total = 0
                for part in v.split(":"):
                    total = total * 60 + int(part)
                return sign * total
            if len(v) > 1 and v.startswith("0"):
                return sign * int(v, 8)
            if len(v) > 40:
                raise LoadFailure("BAL012", f"the number {value[:20]}... is too large", _mark(node))
            return sign * int(v)
        except ValueError:
            raise LoadFailure("BAL011", f"'{value}' is not a valid integer", _mark(node)) from None
    if tag == _FLOAT:
        v = value.replace("_", "").lower()
        if v in (".nan", "+.nan", "-.nan") or v.endswith(".inf"):
            raise LoadFailure("BAL012", f"'{value}' is not a usable number: write an ordinary number", _mark(node))
        try:
            number = float(v)
        except ValueError:
            raise LoadFailure("BAL011", f"'{value}' is not a valid number", _mark(node)) from None
        if not math.isfinite(number):  # 1e400: beyond what a number can hold
            raise LoadFailure("BAL012", f"'{value[:20]}' is too large to be a number: write an ordinary number",
                              _mark(node))
        return number
    if tag == _BOOL:
        return _BOOL_VALUES.get(value.lower(), False)
    if tag == _NULL:
        return None
    raise LoadFailure("BAL006", f"the tag '{tag}' is not allowed in a scenario: remove it", _mark(node))


class _Builder:
    def __init__(self, filename):
        self.filename = filename
        self.count = 0
        self.duplicates: list[tuple[str, str, Pos]] = []

    def build(self, node, depth=0):
        self.count += 1
        if self.count > MAX_NODES:
            raise LoadFailure("BAL005", f"the document expands to more than {MAX_NODES:,} values through its aliases, "
                              f"the limit: use fewer anchors and aliases", _mark(node))
        if depth > MAX_DEPTH:
            raise LoadFailure("BAL005", f"the document is nested more than {MAX_DEPTH} levels deep", _mark(node))
        if isinstance(node, yaml.ScalarNode):
            return _scalar(node)
        if isinstance(node, yaml.MappingNode):
            if node.tag != _MAP:
                raise LoadFailure("BAL006", f"the tag '{node.tag}' is not allowed in a scenario: remove it", _mark(node))
            out = YDict()
            out.pos = _mark(node)
            out.file = self.filename
            out.key_pos = {}
            out.val_pos = {}
            for knode, vnode in node.value:
                if not isinstance(knode, yaml.ScalarNode):
                    raise LoadFailure("BAL011", "a mapping key must be a plain word, not a list or mapping", _mark(knode))
                if knode.tag == _MAP or knode.value == "<<" and knode.tag == "tag:yaml.org,2002:merge":
                    raise LoadFailure("BAL006", "merge keys ('<<') are not supported: repeat the keys", _mark(knode))
                key = _scalar(knode)
                if not isinstance(key, str):
                    key = str(key).lower() if isinstance(key, bool) else str(key)
                if key in out:  # reported, and the first value kept, so that loading goes on
                    first = out.key_pos[key]
                    self.duplicates.append(("BAL004", f"the key '{key}' appears twice in this mapping "
                                            f"(first at line {first[0]}): keep one", _mark(knode)))
                    continue
                out.key_pos[key] = _mark(knode)
                out.val_pos[key] = _mark(vnode)
                out[key] = self.build(vnode, depth + 1)
            return out
        if isinstance(node, yaml.SequenceNode):
            if node.tag != _SEQ:
                raise LoadFailure("BAL006", f"the tag '{node.tag}' is not allowed in a scenario: remove it", _mark(node))
            out = YList()
            out.pos = _mark(node)
            out.file = self.filename
            out.item_pos = []
            for item in node.value:
                out.item_pos.append(_mark(item))
                out.append(self.build(item, depth + 1))
            return out
        raise LoadFailure("BAL011", "unexpected YAML node", _mark(node))  # pragma: no cover


def _has_anchor(text: str) -> bool:
    """Whether the text has an '&name' where YAML allows an anchor ('A&E' and 'this & that' are text)."""
    i = text.find("&")
    while i != -1:
        if (i == 0 or text[i - 1] in " \t\r\n[{,") and text[i + 1:i + 2] not in ("", " ", "\t", "\r", "\n", "[", "]",
                                                                              "{", "}", ","):
            return True
        i = text.find("&", i + 1)
    return False


def _check_expansion(root) -> None:
    """Refuse an alias bomb before building anything.

    Counts the values the document expands to, a shared (anchored) node once per use, in time
    proportional to the distinct nodes: a billion laughs is refused in milliseconds, not after
    building two million values. A node inside itself is left to the builder's depth limit.
    """
    size: dict[int, int] = {}
    busy: set[int] = set()
    stack = [root]
    while stack:
        node = stack[-1]
        key = id(node)
        if key in size:
            stack.pop()
            continue
        if isinstance(node, yaml.ScalarNode):
            size[key] = 1
            stack.pop()
            continue
        kids = node.value if isinstance(node, yaml.SequenceNode) else [n for pair in node.value for n in pair]
        if key not in busy:
            busy.add(key)
            for k in kids:
                if id(k) in busy:
                    return
                if id(k) not in size:
                    stack.append(k)
            continue
        total = 1 + sum(size[id(k)] for k in kids)
        if total > MAX_NODES:
            raise LoadFailure("BAL005", f"the document expands to more than {MAX_NODES:,} values through its aliases, "
                              f"the limit: use fewer anchors and aliases", _mark(node))
        size[key] = total
        busy.discard(key)
        stack.pop()


_NODE_MARKS = "[{,:-?"


def _check_node_count(text: str) -> None:
    """Refuse a file with more than MAX_NODES values before composing it, in bounded time and memory.

    Composing builds every node with its marks (about 400 bytes each), so three million tiny list items
    would take over a gigabyte before anything could count them. Every value but the top one is
    introduced by one of `[ { , : - ?`, and none of them introduces more than three, so counting those
    characters (milliseconds) bounds the values from above; only a file whose bound passes the limit is
    counted exactly, event by event, stopping at the limit.
    """
    bound = 1 + 3 * sum(text.count(c) for c in _NODE_MARKS)
    if bound <= MAX_NODES:
        return
    n = 0
    for event in yaml.parse(text, Loader=_Loader):
        if isinstance(event, _VALUE_EVENTS):
            n += 1
            if n > MAX_NODES:
                raise LoadFailure("BAL005", f"the file has more than {MAX_NODES:,} values (keys, items and texts), "
                                  f"the limit: split it into included files", _mark(event))


_VALUE_EVENTS = (yaml.ScalarEvent, yaml.SequenceStartEvent, yaml.MappingStartEvent, yaml.AliasEvent)


def _wide_encoding(data: bytes) -> str | None:
    """'UTF-16' or 'UTF-32' for text saved so (Windows Notepad's "Unicode" is UTF-16), by its byte-order mark,
    or, without one, by the zero bytes between ASCII characters; else None."""
    if data.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        return "UTF-32"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "UTF-16"
    head = data[:64]
    if len(head) >= 8 and len(head) % 2 == 0 and (not any(head[1::2]) or not any(head[0::2])) and any(head):
        return "UTF-16"
    return None


def _decode(data: bytes) -> str:
    wide = _wide_encoding(data)
    if wide is not None:
        raise LoadFailure("BAL002", f"the file is saved as {wide} text: save the file as UTF-8 (in Notepad, "
                          f"'Save as', then Encoding: UTF-8)", (1, 1))
    if b"\x00" in data[:65536] or b"\x00" in data:
        off = data.index(b"\x00")
        raise LoadFailure("BAL002", "this looks like a binary file, not a YAML scenario", _offset_pos(data, off))
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise LoadFailure("BAL002", f"byte {e.start} is not UTF-8: save the file as UTF-8 text",
                          _offset_pos(data, e.start)) from None
    return text.lstrip("\ufeff")


def _offset_pos(data: bytes, off: int) -> Pos:
    before = data[:off]
    line = before.count(b"\n") + 1
    col = off - (before.rfind(b"\n") + 1) + 1
    return (line, col)


_TAB_INDENT = re.compile(r"^( *)\t", re.M)


def _indent_hint(e, text: str) -> str:
    """A plain sentence for libyaml's block-structure errors, which are nearly always bad indentation."""
    ctx = (e.context or "")
    if "block" not in ctx or e.problem_mark is None:
        return ""
    line = e.problem_mark.line
    lines = text.splitlines()
    if line >= len(lines):
        line = len(lines) - 1
    while line > 0 and not lines[line].strip():  # an error at a blank line or the end: the line before
        line -= 1
    col = len(lines[line]) - len(lines[line].lstrip(" ")) + 1
    what = "list" if "collection" in ctx or "sequence" in ctx else "mapping"
    start = ""
    if e.context_mark is not None:
        start = (f" (the {what} begins on line {e.context_mark.line + 1}, column {e.context_mark.column + 1})")
    return (f". This is most likely indentation: line {line + 1} starts at column {col}; every key of one "
            f"mapping, and every '-' of one list, must start in the same column as the others, indented "
            f"with spaces{start}")


def _quote_hint(e, text: str) -> str:
    """Text after a closing quote, which libyaml calls a missing key: a value quoted and then going on
    (`text: "Hi." she said`), or a quote never closed, whose value runs on to the next quote further down."""
    mark = e.problem_mark
    lines = text.splitlines()
    if mark is None or mark.line >= len(lines):
        return ""
    line = lines[mark.line]
    before = line[:mark.column].rstrip()
    if not before or before[-1] not in "\"'" or len(line) - len(line.lstrip(" ")) >= len(before):
        return ""
    q = before[-1]
    close = sum(len(x) + 1 for x in lines[:mark.line]) + len(before) - 1  # the closing quote's offset
    opening = close - 1
    while opening >= 0 and not (text[opening] == q and (q == "'" or text[opening - 1:opening] != "\\")):
        opening -= 1
    if opening < 0:
        return ""
    o_line = text.count("\n", 0, opening)
    if o_line < mark.line:
        o_col = opening - (text.rfind("\n", 0, opening) + 1) + 1
        return (f": the quote ({q}) opened on line {o_line + 1}, column {o_col}, is not closed on that line, so "
                f"the text runs on to the next {q}, here. Close the quote on line {o_line + 1}")
    inside = '\\"' if q == '"' else "''"
    return (f": line {mark.line + 1} goes on after its closing quote ({q}). Put the whole value in quotes "
            f"(writing a {q} inside it as {inside}), or write it as a block: 'text: |' and the text on the "
            f"lines below, indented")


def _colon_hint(e, text: str, problem: str) -> str:
    """libyaml's 'mapping values are not allowed': a ':' that YAML takes for a new key's. Either a value holds
    ': ' (`result: Note: this`), or a line is indented deeper than the one above, so that YAML reads it as
    that line's value going on, and its own key's ':' comes where no key may start."""
    mark = e.problem_mark
    lines = text.splitlines()
    if "mapping values are not allowed" not in problem or mark is None or mark.line >= len(lines):
        return ""
    line = lines[mark.line]
    if ": " in line[:mark.column]:
        return (f": the value on line {mark.line + 1} contains ': ', which YAML reads as the start of a new key. "
                f"Put the value in quotes (\"...\"), or write it as a block: 'text: |' and the text on the "
                f"lines below, indented")
    above = mark.line - 1
    while above >= 0 and (not lines[above].strip() or lines[above].lstrip().startswith("#")):
        above -= 1
    if above < 0:
        return ""
    col = len(line) - len(line.lstrip(" ")) + 1
    col_above = len(lines[above]) - len(lines[above].lstrip(" ")) + 1
    return (f". This is most likely indentation: line {mark.line + 1} starts at column {col} and line {above + 1} "
            f"at column {col_above}, so YAML reads line {mark.line + 1} as the value of line {above + 1} going "
            f"on. Start every key of one mapping in the same column, indented with spaces")


def parse_text(text: str, filename: str, diags: Diagnostics | None = None):
    """Parse YAML text into YDict/YList/scalars. Raises LoadFailure; duplicate keys go to `diags`."""
    gc_was = gc.isenabled()
    gc.disable()  # the composer allocates many small objects; pausing GC cuts load time ~2.8x
    try:
        try:
            _check_node_count(text)
            node = yaml.compose(text, Loader=_Loader)
        except yaml.MarkedYAMLError as e:
            mark = e.problem_mark or e.context_mark
            pos = (mark.line + 1, mark.column + 1) if mark else (1, 1)
            problem = (e.problem or str(e)).strip()
            hint = ""
            m = _TAB_INDENT.search(text)
            if "\t" in problem or "tab" in problem.lower() or (m and "cannot start any token" in problem):
                if m:
                    pos = (text.count("\n", 0, m.start()) + 1, len(m.group(1)) + 1)
                hint = ": YAML does not allow tabs for indentation, use spaces"
            elif "nesting depth" in problem:
                raise LoadFailure("BAL005", "the document is nested too deeply", pos) from None
            if not hint:
                hint = _quote_hint(e, text) or _colon_hint(e, text, problem)
                if hint and e.context:
                    hint = f" ({e.context.strip()}){hint}"
            if e.context and not hint:
                hint = f" ({e.context.strip()})" + _indent_hint(e, text)
            raise LoadFailure("BAL001", f"{problem}{hint}", pos) from None
        except yaml.YAMLError as e:
            raise LoadFailure("BAL001", str(e).strip().splitlines()[0], (1, 1)) from None
        except RecursionError:
            raise LoadFailure("BAL005", "the document is nested too deeply", (1, 1)) from None
        if node is None:
            raise LoadFailure("BAL003", "the file is empty: a scenario starts with 'balcony: 1' and an 'id'", (1, 1))
        if _has_anchor(text):  # only anchors and aliases can expand; most scenarios have none
            _check_expansion(node)
        builder = _Builder(filename)
        doc = builder.build(node)
        for code, message, pos in builder.duplicates:
            if diags is None:
                raise LoadFailure(code, message, pos)
            diags.error(filename, pos, code, message)
        return doc
    finally:
        if gc_was:
            gc.enable()


def load_file(path, diags: Diagnostics, display_name: str | None = None):
    """Read and parse one YAML file; on failure add a diagnostic and return None."""
    name = display_name or str(path)
    try:
        data = read_regular(path, MAX_BYTES)
    except NotRegularFile as e:
        diags.error(name, (1, 1), "BAL007", f"this is {e}")
        return None
    except FileNotFoundError:
        diags.error(name, (1, 1), "BAL007", "no such file")
        return None
    except IsADirectoryError:
        diags.error(name, (1, 1), "BAL007", "this is a folder, not a scenario file")
        return None
    except OSError as e:
        diags.error(name, (1, 1), "BAL007", f"cannot read the file: {e.strerror or e}")
        return None
    return load_bytes(data, name, diags)


def load_bytes(data: bytes, name: str, diags: Diagnostics):
    try:
        if len(data) > MAX_BYTES:
            raise LoadFailure("BAL005", f"the file is larger than {MAX_BYTES // (1024 * 1024)} MB: split it with includes")
        text = _decode(data)
        if not text.strip():
            raise LoadFailure("BAL003", "the file is empty: a scenario starts with 'balcony: 1' and an 'id'")
        doc = parse_text(text, name, diags)
        if doc is None:  # a document that is only `null`, `~` or `---`: not empty, but nothing in it
            raise LoadFailure("BAL003", "the top level must be a mapping of keys such as 'id', 'title' and 'scenes'")
        return doc
    except LoadFailure as f:
        diags.error(name, f.pos, f.code, f.message)
        return None
