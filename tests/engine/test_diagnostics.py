"""One test per diagnostic code the engine emits: the code, its severity and its line (and,
where it matters, its column). Positions are found with line_of() in the written file."""
from __future__ import annotations

import pytest

from engine import CODES, check_file

from .helpers import BASE, DELETE, dump, line_of, merge, only


def check(path):
    return check_file(path)[1]


def at(path, diags, code, needle, col=None, nth=1, severity="error", whole=False):
    """Assert there is a `code` diagnostic on the line of `needle` (and at `col`); returns it."""
    line = line_of(path, needle, nth, whole)
    if isinstance(col, (str, tuple)):  # a marker on that line (plus an offset): its first character's column
        marker, shift = col if isinstance(col, tuple) else (col, 0)
        text = path.read_text(encoding="utf-8").splitlines()[line - 1]
        assert marker in text, (marker, text)
        col = text.index(marker) + 1 + shift
    found = only(diags, code)
    hits = [d for d in found if d.line == line and (col is None or d.column == col)]
    assert hits, f"{code} expected at line {line}{'' if col is None else f' column {col}'}: {[d.format() for d in diags]}"
    assert all(d.severity == severity for d in hits)
    assert all(d.file.endswith(path.name) for d in hits)
    assert hits[0].message.strip()
    return hits[0]


def base_text(**over):
    return dump(merge(BASE, over))


def choice_if(cond):
    return {"scenes": {"start": {"choices": [{"text": "a", "goto": "end", "if": cond}]}}}


# --- reading the file ---------------------------------------------------------------------

def test_BAL001_yaml_syntax_error(scenario_file):
    p = scenario_file(text="balcony: 1\nid: [1, 2\ntitle: x\n")
    d = at(p, check(p), "BAL001", "title: x")
    assert d.column == 6


@pytest.mark.parametrize("text, needle, col, says", [
    # a ': ' inside a value, which YAML takes for a new key (libyaml said only "mapping values are not allowed")
    ("balcony: 1\nscenes:\n  a:\n    result: Note: you go.\n", "result: Note", ("Note: you", 4),
     "the value on line 4 contains ': '"),
    # a key indented one space too few: the next line reads as its value going on
    ("balcony: 1\nscenes:\n  a:\n   speaker: council\n    text: x\n", "    text: x", ("text: x", 4),
     "line 5 starts at column 5 and line 4 at column 4"),
    # a quote never closed: the error comes at the next quote, lines later, and names where it opened
    ('balcony: 1\ntitle: "Riverside\nversion: "0.1"\n', 'version: "0.1"', ('0.1"', 0),
     'the quote (") opened on line 2, column 8, is not closed on that line'),
    # text after a closing quote, on the same line
    ('balcony: 1\nscenes:\n  a:\n    text: "Hi." she said\n', "she said", ("she said", 0),
     'line 4 goes on after its closing quote (")'),
])
def test_BAL001_says_what_to_do_about_quotes_and_colons(scenario_file, text, needle, col, says):
    """libyaml's wording said "most likely indentation" of an unclosed quote, and nothing at all of a ': '
    inside a value or a line indented deeper than its neighbour."""
    p = scenario_file(text=text)
    d = at(p, check(p), "BAL001", needle, col=col)
    assert says in d.message, d.message


def test_BAL001_tabs_for_indentation(scenario_file):
    p = scenario_file(text="balcony: 1\nmeters:\n\toutcomes: 1\n")
    d = at(p, check(p), "BAL001", "\toutcomes", col=1)
    assert "tabs" in d.message


def test_BAL002_not_utf8(tmp_path):
    p = tmp_path / "latin1.yaml"
    p.write_bytes(b"balcony: 1\nid: caf\xe9\n")
    diags = check(p)
    assert [(d.code, d.line, d.column) for d in diags] == [("BAL002", 2, 8)]


def test_BAL002_binary(tmp_path):
    p = tmp_path / "image.yaml"
    p.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    assert [(d.code, d.line) for d in check(p)] == [("BAL002", 3)]


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-32"])
def test_BAL002_utf16_says_save_as_utf8(tmp_path, encoding):
    """Windows Notepad's "Unicode" is UTF-16: it was called "a binary file", with no way out."""
    p = tmp_path / "notepad.yaml"
    p.write_bytes(("\ufeff" if encoding.endswith("-be") else "").encode(encoding) + "balcony: 1\nid: x\n".encode(encoding))
    (d,) = check(p)
    assert d.code == "BAL002" and (d.line, d.column) == (1, 1), d.format()
    assert "UTF-16" in d.message or "UTF-32" in d.message
    assert "save the file as UTF-8" in d.message and "binary" not in d.message, d.message


@pytest.mark.parametrize("text", ["", "   \n\n", "# only a comment\n", "- a\n- b\n", "just words\n", "42\n", "null\n"])
def test_BAL003_empty_or_not_a_mapping(scenario_file, text):
    p = scenario_file(text=text)
    diags = check(p)
    assert [(d.code, d.line, d.column) for d in diags] == [("BAL003", 1, 1)]


def test_BAL004_duplicate_key(scenario_file):
    p = scenario_file(text=base_text().replace("title: Mini\n", "title: Mini\ntitle: Again\n"))
    d = at(p, check(p), "BAL004", "title: Again", col=1)
    assert f"first at line {line_of(p, 'title: Mini')}" in d.message


def test_BAL004_duplicate_key_nested(scenario_file):
    p = scenario_file(text=base_text().replace("    start: 50\n", "    start: 50\n    start: 60\n"))
    at(p, check(p), "BAL004", "start: 60", col=5)


def test_BAL005_nested_too_deeply(scenario_file):
    p = scenario_file(text="balcony: 1\nid: x\ndeep: " + "[" * 100 + "]" * 100 + "\n")
    at(p, check(p), "BAL005", "deep:")


def test_BAL005_alias_bomb(scenario_file):
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    prev = "a"
    for c in "bcdefgh":
        lines.append(f"{c}: &{c} [" + ",".join(["*" + prev] * 9) + "]")
        prev = c
    p = scenario_file(text="\n".join(lines) + "\n")
    d = only(check(p), "BAL005")[0]
    assert "alias" in d.message and 1 <= d.line <= len(lines)


def test_BAL005_too_large(tmp_path):
    p = tmp_path / "huge.yaml"
    p.write_bytes(b"# padding\n" * (700 * 1024))
    assert [(d.code, d.line) for d in check(p)] == [("BAL005", 1)]


@pytest.mark.parametrize("tagged", [
    "!!python/object/apply:os.system ['echo owned']",
    "!!python/name:os.system",
    "!custom thing",
    "!!binary aGVsbG8=",
    "!!set {a, b}",
])
def test_BAL006_foreign_tags(scenario_file, tagged):
    p = scenario_file(text=f"balcony: 1\nid: mini\ntitle: {tagged}\n")
    at(p, check(p), "BAL006", "title:", col=8)


def test_BAL006_merge_keys(scenario_file):
    p = scenario_file(text="a: &a {x: 1}\nb:\n  <<: *a\n")
    at(p, check(p), "BAL006", "<<", col=3)


def test_BAL007_missing_file_and_folder(tmp_path):
    assert [(d.code, d.line) for d in check(tmp_path / "nope.yaml")] == [("BAL007", 1)]
    assert [(d.code, d.line) for d in check(tmp_path)] == [("BAL007", 1)]


# --- structure ------------------------------------------------------------------------------

def test_BAL010_unknown_key_with_suggestion(diags_of):
    p, diags = diags_of({"titel": "x", "meters": {"outcomes": {"range": [0, 100], "start": 5, "lable": "O"}}})
    assert "did you mean 'title'" in at(p, diags, "BAL010", "titel:", col=1).message
    assert "did you mean 'label'" in at(p, diags, "BAL010", "lable:").message


def test_BAL010_unknown_key_in_a_conditional_effect(diags_of):
    p, diags = diags_of({"scenes": {"start": {"choices": [{"text": "a", "goto": "end", "effects": [
        {"if": "outcomes > 1", "then": [], "otherwise": []}]}]}}})
    at(p, diags, "BAL010", "otherwise:")


def test_BAL011_wrong_type(diags_of):
    p, diags = diags_of({"meters": {"outcomes": {"range": [0, 100], "start": "lots"}}, "start": 5,
                         "scenes": {"start": {"choices": [{"text": "a", "goto": "end", "tags": "hero"}]}}})
    at(p, diags, "BAL011", "start: lots", col=12)
    at(p, diags, "BAL011", "start: 5", col=8)
    at(p, diags, "BAL011", "tags: hero")


@pytest.mark.parametrize("written, fix", [
    ("1e3", "YAML reads '1e3' as text: write it out, 1000"),
    ("1e400", "YAML reads '1e400' as text, and it is too large for a number anyway"),
    ("1,000", "write it without commas: 1000"),
    ("50%", "write it without the '%': 50"),
    ("ten", "write it in figures: 10"),
])
def test_BAL011_a_number_written_as_text_says_how_to_write_it(diags_of, written, fix):
    """'expected a number, found text' said what and where, but not what to write instead."""
    p, diags = diags_of({"meters": {"outcomes": {"range": [0, 100], "start": written}}})
    assert fix in at(p, diags, "BAL011", f"start: {written}").message


def test_BAL011_one_name_where_a_list_is_expected_says_how_to_write_the_list(diags_of):
    """`present: bob` or `tags: hero` said "expected a list, found text", and not how to write one."""
    p, diags = diags_of({"scenes": {"start": {"present": "bob",
                                              "choices": [{"text": "a", "goto": "end", "tags": "hero"}]}}})
    assert "write it as a list: [bob]" in at(p, diags, "BAL011", "present: bob").message
    assert "write it as a list: [hero]" in at(p, diags, "BAL011", "tags: hero").message


def test_BAL011_an_effect_with_no_kind_or_two_kinds(diags_of):
    p, diags = diags_of({"scenes": {"start": {"choices": [{"text": "a", "goto": "end", "effects": [
        {"add": {"outcomes": 1}, "set": {"outcomes": 2}}]}]}}})
    assert "mixes" in at(p, diags, "BAL011", "- add:").message


@pytest.mark.parametrize("meter, flag, code", [
    ({"range": [0, 100], "start": "ten"}, False, "BAL011"),       # a start in words
    ({"range": [0, "1e3"], "start": 5}, False, "BAL011"),          # a range YAML reads as text
    ({"range": [100, 0], "start": 5}, False, "BAL012"),            # a range upside down
    ({"start": 5}, False, "BAL013"),                               # no range
    ({"range": [0, 100], "start": 5}, "yes please", "BAL011"),     # a flag that is not true or false
])
def test_a_malformed_meter_or_flag_is_one_error_not_one_per_use(diags_of, meter, flag, code):
    """A meter whose range or start is malformed was left undeclared, so every expression that used it
    said "'heat' is not declared: declare it under 'meters'" (it is declared), burying the one real
    mistake under a cascade."""
    uses = {"flags": {"ready": flag}, "meters": {"heat": meter},
            "rules": [{"id": "r", "if": "ready", "effects": [{"add": {"heat": 1}}]}],
            "scenes": {"start": {"choices": [{"text": "a", "goto": "end", "if": "heat > 10 and ready"}]}}}
    p, diags = diags_of(uses)
    assert [d.code for d in diags if d.severity == "error"] == [code], [d.format() for d in diags]


def test_BAL012_out_of_range(diags_of):
    sh = [{**BASE["stakeholders"][0], "trust": 150}, BASE["stakeholders"][1]]
    p, diags = diags_of({"stakeholders": sh, "meters": {"staff": {"range": [0, 10], "start": 11},
                                                        "inverted": {"range": [10, 0], "start": 5}},
                         "scenes": {"start": {"choices": [{"text": "a", "goto": "end", "tags": ["hero"]}],
                                              "quarters": 99}}})
    at(p, diags, "BAL012", "trust: 150", col="150")
    at(p, diags, "BAL012", "start: 11")
    at(p, diags, "BAL012", "quarters: 99")
    assert "lower to a higher" in at(p, diags, "BAL012", "range: [10, 0]").message


def test_BAL012_enum_with_suggestion(diags_of):
    p, diags = diags_of({"endings": [{**BASE["endings"][0], "quality": "bets"}]})
    assert "did you mean 'best'" in at(p, diags, "BAL012", "quality: bets").message


def test_BAL012_calendar_ends_before_it_starts(diags_of):
    p, diags = diags_of({"calendar": {"start": "2012-Q1", "end": "2011-Q4"}})
    at(p, diags, "BAL012", "end: 2011-Q4")


def test_BAL013_missing_key(diags_of):
    p, diags = diags_of({"role": DELETE, "scenes": {"start": {"speaker": DELETE}}})
    d = at(p, diags, "BAL013", "balcony: 1", col=1)
    assert "'role'" in d.message
    # one of many is named, at its name: the scene's key, a stakeholder's id
    d = at(p, diags, "BAL013", "start:", whole=True, col=3)
    assert "the scene 'start' needs the key 'speaker'" in d.message
    bob = {k: v for k, v in BASE["stakeholders"][1].items() if k != "agency"}
    p, diags = diags_of({"stakeholders": [BASE["stakeholders"][0], bob]})
    d = at(p, diags, "BAL013", "id: bob", col="id: bob")
    assert "the stakeholder 'bob' needs the key 'agency'" in d.message


def test_BAL013_ending_without_if_or_fallback(diags_of):
    p, diags = diags_of({"endings": [BASE["endings"][0], {"id": "lost", "title": "L", "quality": "poor", "text": "x"}]})
    at(p, diags, "BAL013", "id: lost", col="{id: lost")


def test_BAL014_malformed_ids(diags_of):
    p, diags = diags_of({"scenes": {"bad-id": {"speaker": "narrator", "text": "x", "choices": [{"text": "a", "goto": "end"}]}},
                         "meters": {"2fast": {"range": [0, 1], "start": 0}}, "id": "no spaces"})
    at(p, diags, "BAL014", "bad-id:", col=3)
    at(p, diags, "BAL014", "2fast", col=3)
    at(p, diags, "BAL014", "id: no spaces", col=5)
    # the two words a choice's goto gives a meaning of their own cannot name scenes
    p, diags = diags_of({"scenes": {"end": {"speaker": "narrator", "text": "x", "choices": [{"text": "a", "goto": "end"}]},
                                    "return": {"speaker": "narrator", "text": "y", "choices": [{"text": "b", "goto": "end"}]}}})
    assert "ends the run" in at(p, diags, "BAL014", "end:", whole=True, col=3).message
    assert "goes back after an event" in at(p, diags, "BAL014", "return:", whole=True, col=3).message


def test_BAL014_an_accented_or_other_script_id_says_which_character(diags_of):
    """'café' was told to "use letters", which é is: say which character, and that ids are unaccented a-z."""
    p, diags = diags_of({"flags": {"café_ouvert": False}, "meters": {"テンション": {"range": [0, 9], "start": 1}}})
    d = at(p, diags, "BAL014", "café_ouvert")
    assert "('é' is not allowed: ids use the unaccented letters a-z and A-Z)" in d.message, d.message
    assert any("'テ', 'ン', 'シ' are not allowed" in x.message for x in diags if x.code == "BAL014")


def test_BAL015_unsupported_language_version(diags_of):
    p, diags = diags_of({"balcony": 2})
    at(p, diags, "BAL015", "balcony: 2")


def test_unsupported_language_version_is_an_error_at_its_line(diags_of):
    p, diags = diags_of({"balcony": 2})
    assert any(d.line == line_of(p, "balcony: 2") and d.severity == "error" for d in diags)


# --- expressions and text ---------------------------------------------------------------

def test_BAL020_expression_syntax(diags_of):
    p, diags = diags_of(choice_if("outcomes >"))
    at(p, diags, "BAL020", "if: outcomes >", col=("outcomes >", 10))  # just past its end


@pytest.mark.parametrize("cond, offset, hint", [
    ("outcomes = 3", 9, "=="), ("outcomes > 1 && true", 13, "and"), ("outcomes > 1 and !(outcomes > 2)", 17, "not"),
    ("outcomes > 1 1", 13, "after a complete"), ("(outcomes > 1", 13, "expected ')'"),
])
def test_BAL020_syntax_errors_teach_the_fix(diags_of, cond, offset, hint):
    p, diags = diags_of(choice_if(cond))
    assert hint in at(p, diags, "BAL020", "if: ", col=(cond, offset)).message


def test_BAL021_undeclared_name(diags_of):
    p, diags = diags_of(choice_if("outcomez > 3"))
    assert "did you mean 'outcomes'" in at(p, diags, "BAL021", "if: outcomez", col="outcomez").message


@pytest.mark.parametrize("over, needle", [
    ({"scenes": {"start": {"choices": [{"text": "a", "goto": "end", "effects": [{"add": {"nothing": 1}}]}]}}}, "nothing: 1"),
    ({"scenes": {"start": {"choices": [{"text": "a", "goto": "end", "effects": [{"add": {"alice.nerve": 1}}]}]}}}, "alice.nerve"),
    ({"scenes": {"start": {"choices": [{"text": "a", "goto": "end", "effects": [{"add": {"carol.trust": 1}}]}]}}}, "carol.trust"),
    ({"scenes": {"start": {"choices": [{"text": "a", "goto": "end", "effects": [{"add": {"self.trust": 1}}]}]}}}, "self.trust"),
    ({"scenes": {"start": {"speaker": "carol"}}}, "speaker: carol"),
    ({"groups": {"pair": ["alice", "carol"]}}, "pair: [alice, carol]"),
    ({"rules": [{"id": "r", "each": "partners", "effects": []}]}, "each: partners"),
    ({"scenes": {"start": {"choices": [{"text": "a", "goto": "end", "tags": ["heroic"]}]}}}, "[heroic]"),
])
def test_BAL021_references_to_undeclared_things(diags_of, over, needle):
    p, diags = diags_of(over)
    at(p, diags, "BAL021", needle)


def test_BAL022_unknown_function_and_arity(diags_of):
    p, diags = diags_of(choice_if("foo(1) > 3"))
    assert "unknown function 'foo'" in at(p, diags, "BAL022", "if: foo", col="foo").message
    p, diags = diags_of(choice_if("abs(1, 2) > outcomes"))
    assert "takes 1" in at(p, diags, "BAL022", "abs(1, 2)", col="abs").message
    p, diags = diags_of(choice_if("sum(outcomes) > 3"))
    at(p, diags, "BAL022", "if: sum")


@pytest.mark.parametrize("cond", ["outcomes + 1", "outcomes > 'pilot'", "not outcomes", "true + 1",
                                  "alice.trust > 3 if true else 4", "all.trust > 3"])
def test_BAL023_type_mismatch(diags_of, cond):
    p, diags = diags_of(choice_if(cond))
    at(p, diags, "BAL023", "if: ")


def test_BAL023_true_false_where_a_number_is_needed_says_so_in_plain_words(diags_of):
    """It said "a number is needed here, but this is bool": a programmer's word, and no fix."""
    p, diags = diags_of({"scenes": {"start": {"choices": [
        {"text": "a", "goto": "end", "effects": [{"set": {"outcomes": True}}]}]}}})
    d = at(p, diags, "BAL023", "outcomes: true")
    assert "bool" not in d.message and "true/false" in d.message and "write a number" in d.message, d.message


def test_BAL023_add_to_a_flag_and_self_referential_computed(diags_of):
    p, diags = diags_of({"flags": {"done": False}, "computed": {"loop": "loop + 1"},
                         "scenes": {"start": {"choices": [{"text": "a", "goto": "end", "effects": [{"add": {"done": 1}}]}]}}})
    at(p, diags, "BAL023", "done: 1")
    at(p, diags, "BAL023", "loop: loop + 1")


@pytest.mark.parametrize("text, hint", [
    ("Hi {if outcomes > 3}there", "never closed"),
    ("Hi {end}", "without an open"),
    ("Hi {else}", "without an open"),
    ("Hi } there", "without its"),
    ("Hi { there", "never closed"),
    ("Hi {} there", "empty"),
])
def test_BAL024_text_template_errors(diags_of, text, hint):
    p, diags = diags_of({"scenes": {"start": {"text": text}}})
    assert hint in at(p, diags, "BAL024", "text: Hi").message


@pytest.mark.parametrize("expr", ["round(1" + "0" * 309 + ")", "outcomes > 2" + "0" * 20])
def test_BAL025_numbers_out_of_range(diags_of, expr):
    p, diags = diags_of({"scenes": {"start": {"choices": [{"text": "a", "goto": "end", "if": expr}]}}})
    assert "10^15" in at(p, diags, "BAL025", "if: ").message


# --- the story graph ----------------------------------------------------------------------

def test_BAL030_dangling_targets(diags_of):
    p, diags = diags_of({"scenes": {"start": {"choices": [{"text": "a", "goto": "nowhere"}, {"text": "b", "goto": "end"}]}},
                         "events": [{"id": "e", "title": "E", "text": "t", "goto": "elsewhere"}], "start": "begin"})
    at(p, diags, "BAL030", "goto: nowhere", col="nowhere")
    at(p, diags, "BAL030", "goto: elsewhere", col="elsewhere")
    at(p, diags, "BAL030", "start: begin", col="begin")


def test_BAL054_return_with_nowhere_to_return_to(diags_of):
    aside = {"speaker": "bob", "text": "Aside.", "choices": [{"text": "Back", "goto": "return"}]}
    event = {"id": "leak", "title": "Leak", "text": "t", "forced": True, "goto": "aside"}
    # reached only through an event's goto: fine, and 'return' is no dangling target
    p, diags = diags_of({"scenes": {"start": {"choices": [{"text": "a", "goto": "start"}, {"text": "b", "goto": "end"}]},
                                    "aside": aside}, "events": [event]})
    assert not [d for d in diags if d.severity == "error"], [d.format() for d in diags]
    # reachable from the start by choices alone: an error at the `goto: return`
    p, diags = diags_of({"scenes": {"start": {"choices": [{"text": "a", "goto": "aside"}, {"text": "b", "goto": "end"}]},
                                    "aside": aside}, "events": [event]})
    d = at(p, diags, "BAL054", "goto: return", col="return")
    assert "the scene 'aside'" in d.message and "without an event" in d.message
    # an event cannot itself return
    p, diags = diags_of({"events": [{**event, "goto": "return"}]})
    assert "only a choice can 'goto: return'" in at(p, diags, "BAL030", "goto: return").message


def test_BAL060_phase_label_disagrees_with_where_the_scene_is_entered(diags_of):
    phases = [{"id": "one", "name": "One", "next": [{"to": "two", "when": "turn >= 2"}]},
              {"id": "two", "name": "Two"}, {"id": "three", "name": "Three"}]
    later = {"speaker": "narrator", "text": "x", "phase": "three", "choices": [{"text": "a", "goto": "end"}]}
    start = {"phase": "one", "choices": [{"text": "a", "goto": "later"}]}
    p, diags = diags_of({"phases": phases, "scenes": {"start": start, "later": later}})
    d = at(p, diags, "BAL060", "phase: three", col="three", severity="warning")
    assert "can only be entered in one, two" in d.message
    # a choice that moves the initiative there makes the label possible
    moved = {**start, "choices": [{"text": "a", "goto": "later", "effects": [{"phase": "three"}]}]}
    p, diags = diags_of({"phases": phases, "scenes": {"start": moved, "later": later}})
    assert not [x for x in diags if x.code == "BAL060"]
    # so does a phase change on the way, when a quarter passes
    p, diags = diags_of({"phases": phases, "scenes": {"start": start, "later": {**later, "phase": "two"}}})
    assert not [x for x in diags if x.code == "BAL060"]


def test_BAL061_conditional_goto_branches_in_order(diags_of):
    goto = [{"to": "end"}, {"if": "outcomes > 10", "to": "start"}]
    p, diags = diags_of({"scenes": {"start": {"choices": [{"text": "a", "goto": goto}]}}})
    assert "has no 'if'" in at(p, diags, "BAL061", "{to: end}").message
    assert "the last branch" in at(p, diags, "BAL061", "outcomes > 10").message


def _cy(p, **table):
    """Write p's translation file into Welsh (balcony strings), with some strings translated."""
    from engine.l10n import scenario_strings
    from engine.l10n.po import template
    po = p.with_name(p.stem + ".cy.po")
    po.write_bytes(template(scenario_strings(p), project="mini", lang="cy"))
    text = po.read_text(encoding="utf-8")
    for ctx, tr in table.items():
        i = text.index(f'msgctxt "{ctx}"')
        j = text.index('msgstr ""', i)
        text = text[:j] + f'msgstr "{tr}"' + text[j + 9:]
    po.write_text(text, encoding="utf-8")
    return po


def test_BAL062_missing_translations_are_one_warning_per_file(scenario_file):
    p = scenario_file()
    po = _cy(p, title="Bach")
    d = [x for x in check(p) if x.code == "BAL062"]
    assert len(d) == 1 and d[0].severity == "warning" and d[0].file == str(po) and (d[0].line, d[0].column) == (1, 1)
    assert "have no 'cy' translation, the first 'summary'" in d[0].message


def test_BAL063_stale_translation_at_its_line(scenario_file):
    p = scenario_file()
    po = _cy(p, title="Bach")
    p.write_text(p.read_text(encoding="utf-8").replace("title: Mini", "title: Midi"), encoding="utf-8")
    d = [x for x in check(p) if x.code == "BAL063"]
    assert [(x.file, x.line, x.severity) for x in d] == [(str(po), line_of(po, 'msgid "Mini"'), "warning")]
    assert "'title' is stale" in d[0].message


def test_BAL031_unreachable_scene_is_a_warning(diags_of):
    p, diags = diags_of({"scenes": {"island": {"speaker": "narrator", "text": "x", "choices": [{"text": "a", "goto": "end"}]}}})
    at(p, diags, "BAL031", "island:", col=3, severity="warning")
    assert all(d.severity == "warning" for d in diags)


def test_BAL032_no_way_out(diags_of):
    p, diags = diags_of({"scenes": {"start": {"choices": [{"text": "a", "goto": "loop"}]},
                                    "loop": {"speaker": "narrator", "text": "x", "choices": [{"text": "a", "goto": "start"}]}}})
    at(p, diags, "BAL032", "start:", col=3, whole=True)
    at(p, diags, "BAL032", "loop:", col=3, whole=True)


def test_BAL032_not_reported_when_the_calendar_ends_the_loop(diags_of):
    p, diags = diags_of({"calendar": {"start": "2010-Q1", "end": "2011-Q1"},
                         "scenes": {"start": {"choices": [{"text": "a", "goto": "start"}]}}})
    assert diags == []


def test_BAL033_condition_never_holds(diags_of):
    p, diags = diags_of(choice_if("outcomes > 200"))
    at(p, diags, "BAL033", "if: outcomes > 200", severity="warning")


def test_BAL021_a_word_where_a_number_is_expected_says_so(diags_of):
    p, diags = diags_of({"scenes": {"start": {"choices": [
        {"text": "a", "goto": "end", "effects": [{"set": {"alice.trust": "four"}}, {"add": {"outcomes": "plenty"}}]}]}}})
    assert "a number is expected here (write 4)" in at(p, diags, "BAL021", "alice.trust: four").message
    assert "a number is expected here" in at(p, diags, "BAL021", "outcomes: plenty").message


def test_a_word_set_on_a_flag_says_a_flag_takes_true_or_false(diags_of):
    """set: {ready: "yes"} said "'yes' is not declared: declare it under 'meters', 'flags' or 'computed'"."""
    p, diags = diags_of({"flags": {"ready": False}, "scenes": {"start": {"choices": [
        {"text": "a", "goto": "end", "effects": [{"set": {"ready": "yes"}}]}]}}})
    d = at(p, diags, "BAL021", "ready: 'yes'")
    assert "'ready' is a flag: it takes true or false (write 'ready: true')" in d.message, d.message
    assert "declare it" not in d.message


def test_BAL033_points_at_the_term_and_gives_its_range(diags_of):
    p, diags = diags_of({"flags": {"storm": False}, **choice_if("storm and alice.trust >= 120 and outcomes > 3")})
    d = at(p, diags, "BAL033", "if: storm and", col="alice.trust >= 120", severity="warning")
    assert "'alice.trust >= 120' is always false, as its left side lies in 0 to 100 and its right side is 120" in d.message
    p, diags = diags_of({"flags": {"storm": False}, **choice_if("storm or outcomes <= 100")})
    d = at(p, diags, "BAL035", "if: storm or", col="outcomes <= 100", severity="warning")
    assert "'outcomes <= 100' is always true" in d.message


def test_BAL033_a_negated_term_is_named_with_its_own_truth(diags_of):
    """Under 'not', the term that decides is true, and the message says so (it said 'always false')."""
    p, diags = diags_of({"flags": {"storm": False}, **choice_if("storm and not (outcomes <= 100)")})
    d = at(p, diags, "BAL033", "if: storm and", col="outcomes <= 100", severity="warning")
    assert "'outcomes <= 100' is always true, as its left side lies in 0 to 100" in d.message, d.message
    p, diags = diags_of(choice_if("not (outcomes > 200)"))
    d = at(p, diags, "BAL035", "if: not", col="outcomes > 200", severity="warning")
    assert "'outcomes > 200' is always false" in d.message, d.message


def test_BAL033_an_or_whose_every_part_can_never_hold_names_a_part(diags_of):
    """'outcomes < 0 or outcomes > 100' pointed at the opening quote and named no term and no range."""
    p, diags = diags_of(choice_if("outcomes < 0 or outcomes > 100"))
    d = at(p, diags, "BAL033", "if: outcomes < 0 or", col="outcomes < 0", severity="warning")
    assert "'outcomes < 0' is always false, as its left side lies in 0 to 100 and its right side is 0" in d.message
    p, diags = diags_of(choice_if("outcomes >= 0 and outcomes <= 100"))
    d = at(p, diags, "BAL035", "if: outcomes >= 0 and", col="outcomes >= 0", severity="warning")
    assert "'outcomes >= 0' is always true" in d.message, d.message


def test_BAL034_choice_count(diags_of):
    p, diags = diags_of({"scenes": {"start": {"choices": [{"text": f"c{i}", "goto": "end"} for i in range(5)]}}})
    at(p, diags, "BAL034", "text: c0", col="- {text: c0")
    p, diags = diags_of({"scenes": {"start": {"choices": []}}})
    at(p, diags, "BAL034", "choices: []")
    p, diags = diags_of({"scenes": {"start": {"end": True}}})
    assert "cannot offer choices" in at(p, diags, "BAL034", "- {text: Go, goto: end}").message


def test_BAL035_condition_always_holds(diags_of):
    p, diags = diags_of(choice_if("outcomes >= 0"))
    at(p, diags, "BAL035", "if: outcomes >= 0", severity="warning")


def test_BAL036_more_than_four_choices_may_show_at_once(diags_of):
    hidden = [{"text": f"h{i}", "goto": "end", "if": f"outcomes > {10 * i}"} for i in range(3)]
    p, diags = diags_of({"scenes": {"start": {"choices": [{"text": "a", "goto": "end"}, {"text": "b", "goto": "end"}]
                                              + hidden}}})
    d = at(p, diags, "BAL036", "choices:", severity="warning")
    assert "may show 5 choices at once" in d.message and "choices 3, 4 and 5" in d.message
    hidden[1]["if"], hidden[2]["if"] = "outcomes <= 0", "outcomes <= 0 and outcomes > 5"  # exclude one another
    p, diags = diags_of({"scenes": {"start": {"choices": [{"text": "a", "goto": "end"}, {"text": "b", "goto": "end"}]
                                              + hidden}}})
    assert not [x for x in diags if x.code == "BAL036"], [x.format() for x in diags]


# --- ids, endings, phases, personas ---------------------------------------------------------

def test_BAL042_names_share_one_namespace(diags_of):
    p, diags = diags_of({"meters": {"alice": {"range": [0, 1], "start": 0}}, "flags": {"turn": False}})
    assert "both a meter and a stakeholder" in at(p, diags, "BAL042", "alice:", col=3).message
    assert "built-in" in at(p, diags, "BAL042", "turn: false").message


def test_BAL042_ids_defined_twice(diags_of):
    ev = {"id": "e", "title": "E", "text": "t"}
    p, diags = diags_of({"events": [ev, dict(ev)], "stakeholders": BASE["stakeholders"] + [dict(BASE["stakeholders"][0])],
                         "endings": BASE["endings"] + [{"id": "fallback", "title": "F", "quality": "good", "if": "true", "text": "x"}],
                         "stakeholder_values": {"trust": {"range": [0, 1], "start": 0}}})
    at(p, diags, "BAL042", "{id: e, title: E, text: t}", nth=2, col=("id: e", 4))
    at(p, diags, "BAL042", "id: alice", nth=2, col="alice")
    at(p, diags, "BAL042", "id: fallback", nth=2, col=("id: fallback", 4))
    assert "built in" in at(p, diags, "BAL042", "trust:", whole=True, col="trust").message


def test_BAL050_exactly_one_fallback(diags_of):
    two = [BASE["endings"][0], {"id": "b", "title": "B", "quality": "good", "fallback": True, "text": "x"}]
    p, diags = diags_of({"endings": two})
    at(p, diags, "BAL050", "{id: b,", col="{id: b,")
    p, diags = diags_of({"endings": [{"id": "a", "title": "A", "quality": "good", "if": "outcomes > 1", "text": "x"}]})
    at(p, diags, "BAL050", "{id: a,", col="- {id: a,")
    p, diags = diags_of({"endings": [{**BASE["endings"][0], "if": "outcomes > 1"}]})
    assert "remove its 'if'" in at(p, diags, "BAL050", "if: outcomes > 1").message


def test_BAL051_ending_never_reached(diags_of):
    p, diags = diags_of({"endings": BASE["endings"] + [{"id": "a", "title": "A", "quality": "good", "if": "outcomes > 100", "text": "x"}]})
    at(p, diags, "BAL051", "if: outcomes > 100", severity="warning")


def test_BAL052_unknown_phase(diags_of):
    p, diags = diags_of({"phases": [{"id": "one", "name": "One", "next": [{"to": "two", "when": "turn > 1"}]}],
                         "scenes": {"start": {"phase": "three", "choices": [{"text": "a", "goto": "end", "effects": [{"phase": "four"}]}]}}})
    at(p, diags, "BAL052", "to: two")
    at(p, diags, "BAL052", "phase: three")
    at(p, diags, "BAL052", "phase: four")


def test_BAL053_persona_prefers_an_unknown_tag(diags_of):
    p, diags = diags_of({"personas": {"p": {"prefer": {"nonsense": 1, "hero": 2}}}})
    assert "'nonsense', which is not a tag" in at(p, diags, "BAL053", "nonsense: 1", col="nonsense").message
    assert len(only(diags, "BAL053")) == 1   # 'hero' is a tag


def test_BAL055_a_text_that_assumes_what_can_never_hold(diags_of):
    p, diags = diags_of({"scenes": {"start": {"assumes": "outcomes > 200"}}})
    [d] = only(diags, "BAL055")
    assert d.severity == "warning" and "can never hold" in d.message, d.format()
    p, diags = diags_of({"scenes": {"start": {"assumes": "outcomes > 20"}}})
    assert not [d for d in diags if d.code == "BAL055"]


# --- every code is covered ------------------------------------------------------------------

def test_every_code_has_a_test():
    """A test named test_BALnnn_... exists here or in test_includes.py for every code in CODES."""
    import sys

    from . import test_includes
    names = dir(sys.modules[__name__]) + dir(test_includes)
    covered = {name[5:11] for name in names if name.startswith("test_BAL")}
    assert covered == set(CODES)


def test_every_code_the_code_emits_is_listed():
    """A code emitted anywhere in engine/ or game/ is in CODES (BAL055 was emitted and documented, not listed)."""
    import re
    from pathlib import Path
    root = Path(__file__).resolve().parents[2]
    emitted = {c for d in ("engine", "game") for f in (root / d).rglob("*.py")
               for c in re.findall(r'"(BAL\d{3})"', f.read_text(encoding="utf-8"))}
    assert emitted and emitted <= set(CODES), sorted(emitted - set(CODES))


def test_diagnostics_are_sorted_and_collected_not_just_the_first(diags_of):
    p, diags = diags_of({"titel": "x", "role": DELETE, **choice_if("outcomez > 3")})
    assert {"BAL010", "BAL013", "BAL021"} <= {d.code for d in diags}
    assert diags == sorted(diags, key=lambda d: (d.file, d.line, d.column, d.code))
    assert all(d.format().startswith(f"{d.file}:{d.line}:{d.column}: {d.code} {d.severity}: ") for d in diags)


# --- positions inside scalars: quotes, blocks, folded and plain multi-line text --------------

POSITION_CASES = {
    "double-quoted condition": ('      if: "outcomes > 1 and outcomez > 2"\n', "outcomez", "BAL021"),
    "single-quoted condition": ("      if: 'outcomes > 1 and outcomez > 2'\n", "outcomez", "BAL021"),
    "the same word earlier": ('      if: "outcomes > 1 and max(outcomes, 2) > outcomes + nope"\n', "nope", "BAL021"),
    "folded condition": ("      if: >-\n        outcomes > 1 and\n        outcomez > 2\n", "outcomez", "BAL021"),
    "quoted effect value": ('      effects: [{add: {outcomes: "1 + wrong"}}]\n', "wrong", "BAL021"),
    "expression that ends too soon": ('      if: "outcomes >"\n', ('outcomes >', 10), "BAL020"),
}
TEXT_CASES = {
    "literal block": ("    text: |\n      Line one.\n      Line two {outcomez}.\n      Line three.\n", "outcomez", "BAL021"),
    "folded block": ("    text: >\n      Line one and\n      line two {outcomez}.\n", "outcomez", "BAL021"),
    "plain multi-line": ("    text: Line one\n      and {outcomez}.\n", "outcomez", "BAL021"),
    "quoted multi-line": ('    text: "Line one.\n\n      Line two {outcomez}."\n', "outcomez", "BAL021"),
    "unclosed if in a block": ("    text: |\n      One.\n        {if outcomes > 1}Two.\n", "{if", "BAL024"),
}


def _position_case(scenario_file, text, marker, code):
    p = scenario_file(text=text)
    diags = check(p)
    lines = text.splitlines()
    m, shift = marker if isinstance(marker, tuple) else (marker, 0)
    line = next(i for i, ln in enumerate(lines, 1) if m in ln)
    col = lines[line - 1].index(m) + 1 + shift
    assert [(d.code, d.line, d.column) for d in diags] == [(code, line, col)], [d.format() for d in diags]


@pytest.mark.parametrize("case", list(POSITION_CASES))
def test_positions_inside_expressions(scenario_file, case):
    snippet, marker, code = POSITION_CASES[case]
    text = base_text().replace("    - {text: Go, goto: end}\n", "    - text: Go\n      goto: end\n" + snippet)
    assert snippet in text
    _position_case(scenario_file, text, marker, code)


@pytest.mark.parametrize("case", list(TEXT_CASES))
def test_positions_inside_text(scenario_file, case):
    snippet, marker, code = TEXT_CASES[case]
    text = base_text().replace("    text: Hello.\n", snippet)
    assert snippet in text
    _position_case(scenario_file, text, marker, code)


def test_positions_with_windows_line_endings(scenario_file):
    text = base_text().replace("    text: Hello.\n", "    text: |\n      One.\n      Two {outcomez}.\n")
    p = scenario_file(text="")
    p.write_bytes(text.replace("\n", "\r\n").encode())
    line = next(i for i, ln in enumerate(text.splitlines(), 1) if "outcomez" in ln)
    assert [(d.code, d.line, d.column) for d in check(p)] == [("BAL021", line, 12)]


def test_alias_bomb_is_refused_before_anything_is_built(scenario_file):
    import tracemalloc
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for prev, c in zip("abcdefghijkl", "bcdefghijklm"):
        lines.append(f"{c}: &{c} [" + ",".join(["*" + prev] * 9) + "]")
    p = scenario_file(text="\n".join(lines) + "\n")
    tracemalloc.start()
    try:
        diags = check(p)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert [d.code for d in diags] == ["BAL005"]
    assert peak < 30 * 1024 * 1024, f"{peak / 1e6:.0f} MB used to refuse an alias bomb"


def test_anchors_and_aliases_used_sensibly_still_load(scenario_file):
    text = base_text().replace("    - {text: Go, goto: end}\n",
                               "    - text: Go\n      goto: end\n      effects: &boost [{add: {outcomes: 5}}]\n"
                               "    - text: Again\n      goto: end\n      effects: *boost\n")
    p = scenario_file(text=text.replace("title: Mini", "title: A&E & more"))
    scenario, diags = check_file(p)
    assert diags == [] and scenario.title == "A&E & more"
    assert len(scenario.scenes["start"].choices[1].effects) == 1
