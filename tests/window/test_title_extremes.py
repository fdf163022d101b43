"""The title screen at its extremes: at the largest text in a 1024x600 window the menu was moved up over the
tagline (the dyslexia font), and the credit to the paper at its foot was cut with an ellipsis. Now the
credit wraps and is read whole, and the menu is never drawn over the title, the tagline or the credit."""
from __future__ import annotations

from dataclasses import replace

import pytest

from game.window.settings import FONTS, TEXT_SCALES, Settings

from .helpers import make_app

CREDIT = "After Ghate, Lewis & Welbourn (2013)"


@pytest.mark.parametrize("size", [(1024, 600), (1280, 720)], ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("font", FONTS)
@pytest.mark.parametrize("scale", [0, len(TEXT_SCALES) - 1], ids=["smallest", "largest"])
def test_the_menu_covers_no_text_and_the_credit_is_whole(tmp_path, size, font, scale):
    settings = replace(Settings(), reduced_motion=True, text_scale=scale, font=font)
    app = make_app(tmp_path, size=size, settings=settings, record_layout=True)
    app.draw()
    log = app.layout_log
    buttons = [rect for wid, rect, *_ in log.widgets]
    assert len(buttons) >= 5
    texts = [(text, rect) for text, rect, *_ in log.texts]
    labels = {b.label for b in app.top.focusables()}
    covered = [(text, rect) for text, rect in texts if text not in labels and rect.collidelist(buttons) >= 0
               and not any(text in label for label in labels)]
    assert not covered, covered
    shown = " ".join(text for text, _ in texts)
    assert "Ghate, Lewis &" in shown and "(2013)" in shown and not log.ellipsized, log.ellipsized
    w, h = size
    assert all(0 <= r.left and r.right <= w and 0 <= r.top and r.bottom <= h for r in buttons)
    # the tagline is shown whenever there is room for it beside the menu
    if scale == 0:
        assert any("dance floor" in text for text, _ in texts)
