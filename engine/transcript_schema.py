"""The JSON Schema of a transcript, which `balcony replay` checks every transcript against before replaying
it. docs/transcript.schema.json is a copy (a test keeps it the same)."""
from __future__ import annotations

_NAME = {"type": "string", "minLength": 1, "maxLength": 200}
_VALUE = {"type": ["number", "boolean"], "minimum": -1e300, "maximum": 1e300}

TRANSCRIPT_SCHEMA: dict = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "https://balcony.example/transcript.schema.json",
    "title": "Balcony transcript",
    "description": "A run of a scenario: its seed and every action, which replay exactly. Written by "
                   "`balcony play --transcript`, `balcony check` and `balcony simulate`; read by `balcony replay`.",
    "type": "object",
    "required": ["scenario", "version", "seed", "actions"],
    "properties": {
        "format": {"const": "balcony-transcript"},
        "format_version": {"type": "integer", "minimum": 1},
        "scenario": {"description": "the scenario's id (or, in the test playthroughs, its file)", **_NAME},
        "version": {"description": "the scenario's version when the run was played",
                    "type": ["string", "number"]},
        "content_hash": {"description": "the hash of the scenario's files when the run was played: replay says "
                                        "when the content has changed since", "type": "string", "maxLength": 64},
        "seed": {"type": "integer", "minimum": -(2 ** 63), "maximum": 2 ** 63 - 1},
        "actions": {
            "type": "array",
            "maxItems": 100_000,
            "items": {
                "type": "object",
                "description": "one of: {choose: N} (with outcome: N when the outcome was named), "
                               "{perceive: KIND, who: ID}, or, first, {start_at: SCENE, set: {...}}",
                "properties": {
                    "choose": {"type": "integer", "minimum": 0, "maximum": 1000},
                    "outcome": {"description": "with choose: which of the choice's outcomes happened, when it was named",
                                "type": "integer", "minimum": 0, "maximum": 1000},
                    "perceive": {"enum": ["balcony", "listen", "one_to_one"]},
                    "who": _NAME,
                    "start_at": {"type": ["string", "null"], "maxLength": 200},
                    "set": {"type": "object", "additionalProperties": _VALUE,
                            "properties": {"turn": {"type": "integer", "minimum": 0, "maximum": 100_000},
                                           "phase": _NAME}},
                },
                "additionalProperties": False,
                "oneOf": [{"required": ["choose"]}, {"required": ["perceive"]}, {"required": ["start_at"]}],
            },
        },
        "ending": {"type": ["string", "null"]},
        "final_state": {"type": "object", "additionalProperties": _VALUE},
        "checkpoints": {
            "description": "one per action, in order: a digest of the run's state after it, where the run stood, "
                           "and the values that changed since the previous checkpoint",
            "type": "array",
            "items": {
                "type": ["object", "null"],
                "required": ["digest"],
                "properties": {
                    "digest": {"type": "string", "pattern": "^[0-9a-f]{12}$"},
                    "scene": {"type": "string"},
                    "turn": {"type": "integer", "minimum": 0},
                    "changed": {"type": "object", "additionalProperties": _VALUE},
                },
                "additionalProperties": False,
            },
        },
    },
}
