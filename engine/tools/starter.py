"""`balcony new NAME`: a small, valid, commented starter scenario to build on (docs/authoring.md's tutorial)."""
from __future__ import annotations

import re

TEMPLATE = r'''# yaml-language-server: $schema=scenario.schema.json
#
# __TITLE__: a Balcony scenario.
#
# This starter plays from start to finish as it is: try it with
#     balcony play __FILE__ --text
# Then make it yours. Every part is explained in docs/authoring.md, and
#     balcony validate __FILE__
# tells you, line by line, what needs fixing. Lines that start with # are
# comments: Balcony ignores them.

balcony: 1                    # the language version: always 1 for now
id: __ID__                    # a short name for saves: letters, digits, - and _
title: "__TITLE__"
version: "0.1"                # change it when you change the story
summary: >
  One paragraph for the scenario-select screen: who the player is, where,
  and what is at stake.
setting: {place: "Riverside", years: [2012, 2013]}
role: "Head of Early Help, Riverside Council"
length_minutes: 5

start: opening                # the first scene
calendar: {start: 2012-Q1, end: 2013-Q4}   # a turn is a quarter; the run ends after the end

# --- What the game tracks -------------------------------------------------
# Meters are numbers. Hidden meters (the default) are seen only roughly,
# from the balcony; `visible: true` shows the exact value all the time.
meters:
  outcomes:  {label: "Families doing better", range: [0, 100], start: 10, kind: outcome}
  political: {label: "Political support", range: [0, 100], start: 50, kind: legitimacy, visible: true}

# Flags are true/false facts.
flags:
  heard_families: false

# --- The people you lead without controlling --------------------------------
# Each has trust (the relationship), support (what they say in the room)
# and commitment (what they actually deliver, which the player cannot see).
stakeholders:
  - id: council
    name: "Sam Okoro"
    role: "Director of Children's Services"
    agency: "Riverside Council"
    local_budget: true         # controls its own budget
    trust: 60
    support: 70
    commitment: 50
  - id: health
    name: "Dr Jo Hale"
    role: "GP partner"
    agency: "Riverside Health Centre"
    local_budget: false        # its money is decided elsewhere
    trust: 40
    support: 60
    commitment: 30

# A computed value is a named expression you can reuse.
computed:
  delivery: "mean(all.commitment)"

# --- Attention: what the player can spend before deciding -------------------
perception:
  attention: 2
  listen:
    stories:
      - id: first_family
        text: |
          A mother of two tells you how many different people have asked her
          the same questions this year. Nobody knew what the others had done.
        effects:
          - set: {heard_families: true}
          - add: {all.commitment: 3}

# --- Phases of the initiative -----------------------------------------------
phases:
  - id: pilot
    name: "Pilot"

# --- What the system does by itself, every quarter ---------------------------
rules:
  - id: outcomes_follow_delivery
    text: "Families' lives improve with what partners actually deliver."
    effects:
      - add: {outcomes: "delivery / 20"}

# --- The story -----------------------------------------------------------
scenes:
  opening:
    speaker: narrator
    quarters: 0                # no time passes after this choice
    text: |
      Riverside, January 2012. You have a year to show that the council and
      the health centre can work as one for twenty families.
    choices:
      - text: "Call the partners together."
        goto: first_meeting

  first_meeting:
    speaker: health
    text: |
      {health.name} arrives late and sits by the door. "We're all for it,"
      she says. "As long as it doesn't cost us anything."
    choices:
      - text: "Ask each partner what they will stop doing to make room for this."
        tags: [face_conflict, relating]
        effects:
          - add: {all.trust: -3, all.commitment: 8}
        result: "An awkward silence, then real offers."
        goto: decision
      - text: "Keep the meeting warm and minute the actions."
        tags: [avoid_conflict]
        effects:
          - add: {all.support: 8, political: 3}
        result: "Everyone leaves smiling. Nobody leaves with a task."
        goto: decision

  decision:
    speaker: council
    text: |
      {council.name} wants a decision for Cabinet. {if heard_families}You
      tell her what the family told you.{end}
    choices:
      - text: "Pool a small budget and let the partners decide how to spend it."
        tags: [cede_power, distributed]
        effects:
          - add: {all.commitment: 10, political: -5}
        goto: end                # ends the run: the endings are judged
      - text: "Keep the budget at the council and set targets."
        tags: [hold_power, hero]
        effects:
          - add: {political: 8, all.trust: -5}
        goto: end

# --- How the run is judged ---------------------------------------------------
# The strategic triangle: three expressions scored at the end.
triangle:
  public_value: "outcomes"
  legitimacy: "political"
  capacity: "mean(all.trust)"

endings:
  - id: good_start
    title: "A good start"
    quality: good
    priority: 10               # tried first
    if: "public_value >= 12 and capacity >= 45"
    text: |
      The families notice the difference before the partners do.
  - id: business_as_usual
    title: "Business as usual"
    quality: mixed
    fallback: true             # exactly one ending catches every other case
    text: |
      The meetings go on. So do the problems.
'''


def scenario_id(name: str) -> str:
    """A valid scenario id from a file name: letters, digits, - and _, starting with a letter."""
    stem = re.sub(r"\.ya?ml$", "", name.rsplit("/", 1)[-1])
    ident = re.sub(r"[^A-Za-z0-9_\-]+", "-", stem).strip("-_") or "my-scenario"
    if not ident[0].isalpha():
        ident = "s-" + ident
    return ident


def render(name: str, filename: str | None = None) -> str:
    """The starter scenario's text for NAME."""
    ident = scenario_id(name)
    title = ident.replace("-", " ").replace("_", " ").strip().capitalize()
    return (TEMPLATE.replace("__ID__", ident).replace("__TITLE__", title)
            .replace("__FILE__", filename or f"{ident}.yaml"))
