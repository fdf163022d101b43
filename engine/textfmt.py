"""Scene text templates: `{expr}` interpolation and `{if}/{elif}/{else}/{end}` fragments."""
from __future__ import annotations

import re

from .errors import ExprError
from .expr import BOOL, NUM, Env, compile_expr
from .views import shown

_PIECE = re.compile(r"\{\{|\}\}|\{([^{}]*)\}")


def format_value(v) -> str:
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, float):
        return str(shown(v))
    return str(v)


def compile_template(src: str, env: Env, self_id: str | None = None):
    """Compile template text to a function state -> str. Raises ExprError with an offset."""
    if "{" not in src and "}" not in src:
        return lambda s, t=src: t
    # parts: list of str | ("expr", fn) | ("if", [(cond, parts)...], else_parts)
    root: list = []
    stack: list = []  # frames: (branches, else_parts or None, current list, start offset)
    cur = root
    i = 0
    for m in _PIECE.finditer(src):
        if m.start() > i:
            lit = src[i:m.start()]
            if "}" in lit:
                raise ExprError("a '}' without its '{': write '}}' for a literal brace", i + lit.index("}"), "BAL024")
            cur.append(lit)
        i = m.end()
        tok = m.group()
        if tok == "{{":
            cur.append("{")
            continue
        if tok == "}}":
            cur.append("}")
            continue
        inner = m.group(1).strip()
        off = m.start() + 1
        word, _, rest = inner.partition(" ")
        try:
            if word == "if":
                cond = compile_expr(rest, env, self_id, BOOL).fn
                frame = {"branches": [(cond, [])], "else": None, "start": m.start()}
                cur.append(("if", frame))
                stack.append((frame, cur))
                cur = frame["branches"][0][1]
            elif word == "elif":
                if not stack or stack[-1][0]["else"] is not None:
                    raise ExprError("{elif} without an open {if}", m.start(), "BAL024")
                frame = stack[-1][0]
                cond = compile_expr(rest, env, self_id, BOOL).fn
                frame["branches"].append((cond, []))
                cur = frame["branches"][-1][1]
            elif inner == "else":
                if not stack or stack[-1][0]["else"] is not None:
                    raise ExprError("{else} without an open {if}", m.start(), "BAL024")
                frame = stack[-1][0]
                frame["else"] = []
                cur = frame["else"]
            elif inner == "end":
                if not stack:
                    raise ExprError("{end} without an open {if}", m.start(), "BAL024")
                _, cur = stack.pop()
            else:
                if not inner:
                    raise ExprError("empty '{}': put a value inside, or write '{{' for a brace", m.start(), "BAL024")
                c = compile_expr(inner, env, self_id)
                if c.type not in (NUM, BOOL, "text"):  # pragma: no cover
                    raise ExprError("cannot show this value", off, "BAL023")
                cur.append(("expr", c.fn))
        except ExprError as e:
            if e.offset < off and e.code != "BAL024":
                e.offset += off + (len(word) + 1 if word in ("if", "elif") else 0)
            raise
    tail = src[i:]
    if "}" in tail:
        raise ExprError("a '}' without its '{': write '}}' for a literal brace", i + tail.index("}"), "BAL024")
    if "{" in tail:
        raise ExprError("a '{' is never closed: write '{{' for a literal brace", i + tail.index("{"), "BAL024")
    if tail:
        cur.append(tail)
    if stack:
        raise ExprError("an {if} is never closed with {end}", stack[-1][0]["start"], "BAL024")
    return _render_fn(root)


def _render_fn(parts):
    def render(s, parts=parts):
        out = []
        _render(parts, s, out)
        return "".join(out)
    return render


def _render(parts, s, out):
    for p in parts:
        if isinstance(p, str):
            out.append(p)
        elif p[0] == "expr":
            out.append(format_value(p[1](s)))
        else:
            frame = p[1]
            for cond, body in frame["branches"]:
                if cond(s):
                    _render(body, s, out)
                    break
            else:
                if frame["else"]:
                    _render(frame["else"], s, out)


_QUOTES = {"\u201c": "\u201d", '"': '"', "\u2018": "\u2019", "'": "'"}


def quote(text: str) -> str:
    """Text in curly double quotes, unless it is already quoted (a choice that is itself a line of speech)."""
    t = text.strip()
    if len(t) >= 2 and t[0] in _QUOTES and t.endswith(_QUOTES[t[0]]):
        return t
    return f"\u201c{t}\u201d"


def tidy(text: str) -> str:
    """Collapse runs of blank lines left by false fragments; keep paragraph breaks."""
    lines = [ln.rstrip() for ln in text.strip().split("\n")]
    out: list[str] = []
    for ln in lines:
        if not ln and out and not out[-1]:
            continue
        out.append(ln)
    return "\n".join(out)
