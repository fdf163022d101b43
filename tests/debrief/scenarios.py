"""Small inline scenarios built so that each debrief section's right answer is known."""
from __future__ import annotations

from tests.engine.helpers import BASE, merge

PERCEPTION = {"attention": 2, "balcony": {"cost": 1, "band": 20}, "listen": {"cost": 1},
              "one_to_one": {"cost": 1}}


def scene(text, choices, **more):
    return {"speaker": "narrator", "text": text, "choices": choices, "quarters": 1, **more}


# A known gap: Bob says he is fully behind it (support 85) and delivers 15; nothing closes the gap.
GAP = merge(BASE, {
    "calendar": {"start": "2010-Q1", "end": "2010-Q4"},
    "perception": PERCEPTION,
    "stakeholders": [
        {"id": "alice", "name": "Alice", "role": "Chief", "agency": "Council", "local_budget": True,
         "trust": 50, "support": 50, "commitment": 48},
        {"id": "bob", "name": "Bob Grey", "role": "Inspector", "agency": "Police", "local_budget": False,
         "trust": 30, "support": 85, "commitment": 15},
    ],
    "scenes": {
        "start": scene("One.", [{"text": "Carry on", "goto": "two"}]),
        "two": scene("Two.", [{"text": "Carry on", "goto": "three"}]),
        "three": scene("Three.", [{"text": "Finish", "goto": "end"}]),
    },
})

# A delayed effect decides the ending. At the start, "Invest" schedules +40 outcomes two quarters later;
# "Announce" gives +3 at once. Later decisions move outcomes by 1 or 2. Good needs outcomes >= 80 (start 50).
DELAYED = merge(BASE, {
    "calendar": {"start": "2010-Q1", "end": "2011-Q4"},
    "scenes": {
        "start": scene("Choose.", [
            {"text": "Announce a quick win", "tags": ["hero"], "effects": [{"add": {"outcomes": 3}}], "goto": "two"},
            {"text": "Invest in the partnership", "tags": ["distributed"],
             "effects": [{"later": {"turns": 2, "title": "The investment pays", "effects": [{"add": {"outcomes": 40}}]}}],
             "goto": "two"}]),
        "two": scene("Two.", [
            {"text": "Tidy up", "effects": [{"add": {"outcomes": 1}}], "goto": "three"},
            {"text": "Tidy less", "effects": [{"add": {"outcomes": -1}}], "goto": "three"}]),
        "three": scene("Three.", [
            {"text": "Report", "effects": [{"add": {"outcomes": 2}}], "goto": "four"},
            {"text": "Do not report", "goto": "four"}]),
        "four": scene("Four.", [
            {"text": "Close", "effects": [{"add": {"outcomes": 1}}], "goto": "end"},
            {"text": "Close quietly", "goto": "end"}]),
    },
    "endings": [
        {"id": "good", "title": "Good", "quality": "good", "priority": 5, "if": "outcomes >= 80", "text": "Good."},
        {"id": "poor", "title": "Poor", "quality": "poor", "fallback": True, "text": "Poor."},
    ],
})
