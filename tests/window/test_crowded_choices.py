"""A scene that shows more than four choices at once (BAL036 warns of it; at run time every choice is shown):
in the smallest window at the largest text, the list scrolls, the layout holds, every choice can be reached
by keyboard, and the number keys take the fifth and sixth."""
from __future__ import annotations

import copy
from dataclasses import replace

import yaml

from game.window.settings import Settings

from .helpers import engine_available, make_app
from .layout_check import check_keyboard, check_layout

import pytest

pytestmark = pytest.mark.skipif(not engine_available(), reason="needs the engine")


def _scenario(tmp_path):
    from tests.tools.helpers import BASE

    d = copy.deepcopy(BASE)
    d["scenes"]["start"]["choices"] = [
        {"text": f"Option {i}: a choice long enough to wrap onto a second line at the largest text size.",
         **({"if": "outcomes >= 0"} if i > 2 else {}), "goto": "middle"} for i in range(1, 7)]
    p = tmp_path / "crowded.yaml"
    p.write_text(yaml.safe_dump(d, sort_keys=False), encoding="utf-8")
    return p


@pytest.mark.parametrize("key", ["5", "6"])
def test_six_choices_at_the_largest_text_in_1024x600(tmp_path, key):
    from game.window.backend import EngineBackend
    from game.window.pilot import Pilot
    from game.window.screens import BriefingScreen

    app = make_app(tmp_path, size=(1024, 600), backend=EngineBackend(), record_layout=True,
                   settings=replace(Settings(), reduced_motion=True, text_scale=5, high_contrast=True))
    c = app.context
    c.push(BriefingScreen(c, c.backend.info(str(_scenario(tmp_path))), 3), transition=False)
    p = Pilot(app)
    p.settle()
    p.focus("begin")
    p.press("return")
    assert p.screen_name == "play"
    assert len(app.top.snap.choices) == 6
    check_layout(app, "crowded-1024x600-t5")
    check_keyboard(app, "crowded-1024x600-t5")
    assert {f"choice:{i}" for i in range(6)} <= {f.id for f in app.top.focusables()}
    p.press(key)
    assert p.screen_name == "outcome"
    assert c.session.run.actions[-1] == {"choose": int(key) - 1}
