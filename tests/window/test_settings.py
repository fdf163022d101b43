import json

from game.window.settings import TEXT_SCALES, TEXT_SPEEDS, Settings, SettingsStore


def test_at_least_five_text_sizes_and_instant_text():
    assert len(TEXT_SCALES) >= 5
    assert sorted(TEXT_SCALES) == list(TEXT_SCALES)
    assert 0 in TEXT_SPEEDS and len(TEXT_SPEEDS) >= 3


def test_round_trip(tmp_path):
    store = SettingsStore(tmp_path)
    s = Settings(text_scale=4, font="dyslexic", high_contrast=True, palette="scenario", reduced_motion=True,
                 text_speed=2, tts=True, fullscreen=False, window_size=(1600, 900))
    store.save(s)
    assert SettingsStore(tmp_path).load() == s


def test_bad_values_fall_back_to_defaults(tmp_path):
    (tmp_path / "settings.json").write_text(json.dumps(
        {"text_scale": 99, "font": "comic", "high_contrast": "yes", "window_size": "big", "tts": True}))
    s = SettingsStore(tmp_path).load()
    d = Settings()
    assert (s.text_scale, s.font, s.high_contrast, s.window_size) == (d.text_scale, d.font, d.high_contrast, d.window_size)
    assert s.tts is True


def test_corrupt_file_gives_defaults(tmp_path):
    (tmp_path / "settings.json").write_text("{not json")
    assert SettingsStore(tmp_path).load() == Settings()


def test_default_location_is_the_platform_config_dir(monkeypatch):
    import platformdirs

    monkeypatch.delenv("BALCONY_CONFIG_DIR")
    store = SettingsStore()
    assert str(store.directory) == platformdirs.user_config_dir("balcony", appauthor=False)
