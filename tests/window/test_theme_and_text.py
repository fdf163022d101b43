from . import helpers  # noqa: F401  (sets the dummy driver)
import pygame
import pytest

from game.window.render import Ctx, Fonts, LayoutLog, TextCache, wrap_text
from game.window.settings import Settings
from game.window.theme import FONT_DIR, HIGH_CONTRAST, OKABE_ITO, STANDARD, Theme, contrast, initials

pygame.font.init()


def test_fonts_and_licences_are_shipped():
    files = {p.name for p in FONT_DIR.iterdir()}
    assert "AtkinsonHyperlegible-Regular.ttf" in files and "AtkinsonHyperlegible-OFL.txt" in files
    assert "OpenDyslexic-Regular.otf" in files and "OpenDyslexic-LICENSE.txt" in files
    assert "SIL OPEN FONT LICENSE" in (FONT_DIR / "AtkinsonHyperlegible-OFL.txt").read_text()


@pytest.mark.parametrize("pal", [STANDARD, HIGH_CONTRAST])
def test_text_contrast_meets_wcag_aa(pal):
    assert contrast(pal.text, pal.panel) >= 7.0
    assert contrast(pal.text_muted, pal.panel) >= 4.5
    assert contrast(pal.text_on_bg, pal.bg) >= 7.0
    assert contrast(pal.muted_on_bg, pal.bg) >= 4.5
    assert contrast(pal.accent_text, pal.accent) >= 4.5
    assert contrast(pal.button_text, pal.button) >= 4.5
    assert contrast(pal.disabled_text, pal.disabled) >= 4.5


def test_high_contrast_is_stronger():
    assert contrast(HIGH_CONTRAST.text, HIGH_CONTRAST.panel) > contrast(STANDARD.text, STANDARD.panel)


def test_safe_palette_uses_okabe_ito_and_shapes_tell_agencies_apart():
    th = Theme(Settings(palette="safe"), (1280, 720))
    cols = [th.agency_colour(f"a{i}", "#ff0000", i) for i in range(6)]
    assert all(c in OKABE_ITO for c in cols) and len(set(cols)) == 6
    th2 = Theme(Settings(palette="scenario"), (1280, 720))
    assert th2.agency_colour("x", "#1f4e9c", 0) == (0x1F, 0x4E, 0x9C)
    shapes = {Theme.agency_shape(a) for a in ["Police", "Council", "NHS", "Housing", "School", "Charity", "Probation"]}
    assert len(shapes) >= 3


def test_type_scale_grows_with_text_size_and_window():
    sizes = [Theme(Settings(text_scale=i), (1280, 720)).type.body for i in range(6)]
    assert sizes == sorted(sizes) and len(set(sizes)) == 6
    base = Theme(Settings(), (1280, 720)).type.body
    # logical units: a bigger window holds more, it does not blow the same layout up
    assert Theme(Settings(), (1920, 1080)).type.body == base
    assert Theme(Settings(), (3840, 2160)).type.body == pytest.approx(2 * base, abs=1)  # a high-density screen


def test_ui_scale_is_logical_units():
    from game.window.theme import ui_scale

    assert ui_scale((1280, 720)) == ui_scale((1920, 1080)) == 1.0
    assert ui_scale((1024, 600)) == pytest.approx(0.8)
    assert ui_scale((3840, 2160)) == 2.0
    # so the 1920x1080 window has room for half as much again in each direction
    assert 1920 / ui_scale((1920, 1080)) == 1.5 * 1280 / ui_scale((1280, 720))


def test_initials_skip_ranks():
    assert initials("Ch Supt Dana Okafor") == "DO"
    assert initials("Dr Priya Nair") == "PN"
    assert initials("Cher") == "CH"


def _font(size=20):
    th = Theme(Settings(), (1280, 720))
    return Fonts().get(th, size)


def test_wrap_fits_width_and_keeps_every_word():
    font, _ = _font()
    text = "On the wall, a map of Harbour Street\nis covered in pins.\n\n" + "word " * 200 + "Supercalifragilistic" * 3
    lines = wrap_text(text, font, 300)
    assert all(font.size(ln)[0] <= 300 for ln in lines)
    assert " ".join(ln for ln in lines if ln).split() != []
    assert "" in lines  # the paragraph break survives
    assert "Street is covered" in " ".join(lines)  # a single newline is soft
    assert "".join("".join(lines).split()) == "".join(text.split())


def test_cache_reuses_line_surfaces():
    font, key = _font()
    cache = TextCache()
    a = cache.line("Hello", font, key, (0, 0, 0))
    b = cache.line("Hello", font, key, (0, 0, 0))
    assert a is b and cache.hits == 1
    naive = TextCache(enabled=False)
    assert naive.line("Hello", font, key, (0, 0, 0)) is not naive.line("Hello", font, key, (0, 0, 0))


def test_paragraph_draws_only_inside_its_box_and_ellipsizes():
    th = Theme(Settings(), (1280, 720))
    surf = pygame.Surface((800, 600))
    log = LayoutLog()
    ctx = Ctx(surf, th, Fonts(), TextCache(), log)
    box = pygame.Rect(50, 50, 300, 120)
    with ctx.panel(box, "box"):
        ctx.paragraph("word " * 300, box, "body")
        ctx.text("a very long single line that cannot possibly fit in the box", (60, 60), max_width=100)
    assert log.texts
    for text, rect, panel, prect, _view in log.texts:
        assert prect.contains(rect), (text, rect, prect)
    assert any(t.endswith("…") for t, *_ in log.texts)


def test_cached_widgets_draw_the_same_pixels(tmp_path):
    """The widget and frame caches change the cost of a frame, never its picture."""
    from .helpers import make_app, to_play

    app = make_app(tmp_path)
    p = to_play(app)
    p.press("b")
    p.press("down")
    app.draw()
    app.draw()  # second draw: buttons and the frame come from the caches
    cached = app.surface.copy()
    app.widget_cache.clear()
    app._frame_key = None
    app.cache.enabled = False
    app.draw()  # everything painted from scratch
    naive = app.surface.copy()
    assert pygame.image.tobytes(cached, "RGB") == pygame.image.tobytes(naive, "RGB")
