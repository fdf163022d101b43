"""`balcony stats`: words, scenes, choices, words per speaker and an estimated play time.

Totals count every word written for players (scenes, choices, results, events, endings, stories,
one-to-one confidences and delayed consequences), with `{if}` fragments averaged over their branches.
The play time comes from a short random simulation: the words a playthrough reads at
`READING_WPM` words a minute, plus `SECONDS_PER_DECISION` for each decision.
"""
from __future__ import annotations

from .source import raw_docs
from .words import template_words

READING_WPM = 200
SECONDS_PER_DECISION = 15


def _walk_effects(effects, out):
    """Texts of delayed consequences inside an effect list."""
    if not isinstance(effects, list):
        return
    for eff in effects:
        if not isinstance(eff, dict):
            continue
        lt = eff.get("later")
        if isinstance(lt, dict):
            out.append(lt.get("text"))
            _walk_effects(lt.get("effects"), out)
        for k in ("then", "else"):
            _walk_effects(eff.get(k), out)


def count(scenario) -> dict:
    """Word counts by kind of text and by speaker."""
    by_kind: dict = {}
    by_speaker: dict = {}
    names = {sid: sh.name for sid, sh in scenario.stakeholders.items()}
    names.update({cid: c.name for cid, c in scenario.cast.items()})  # minor characters speak too

    def add(kind, text, speaker=None):
        n = template_words(text)
        by_kind[kind] = by_kind.get(kind, 0.0) + n
        if speaker is not None:
            by_speaker[speaker] = by_speaker.get(speaker, 0.0) + n

    choices = 0
    for name, doc in raw_docs(scenario):
        scenes = doc.get("scenes")
        if isinstance(scenes, dict):
            for sid, sc in scenes.items():
                if not isinstance(sc, dict):
                    continue
                speaker = sc.get("speaker", "narrator")
                add("scenes", sc.get("text"), speaker if isinstance(speaker, str) else "narrator")
                for ch in sc.get("choices", []) if isinstance(sc.get("choices"), list) else []:
                    if not isinstance(ch, dict):
                        continue
                    choices += 1
                    add("choices", ch.get("text"), "player")
                    add("results", ch.get("result"), "narrator")
                    add("debrief notes", ch.get("debrief"))
                    later: list = []
                    _walk_effects(ch.get("effects"), later)
                    for t in later:
                        add("delayed consequences", t, "narrator")
        for key, kind in (("events", "events"), ("endings", "endings")):
            items = doc.get(key)
            if isinstance(items, list):
                for e in items:
                    if isinstance(e, dict):
                        add(kind, e.get("text"), "narrator")
        sh = doc.get("stakeholders")
        if isinstance(sh, list):
            for item in sh:
                if isinstance(item, dict) and isinstance(item.get("confides"), list):
                    for c in item["confides"]:
                        if isinstance(c, dict):
                            add("one-to-ones", c.get("text"), item.get("id"))
        perc = doc.get("perception")
        if isinstance(perc, dict) and isinstance(perc.get("listen"), dict):
            for st in perc["listen"].get("stories", []) or []:
                if isinstance(st, dict):
                    add("service users' stories", st.get("text"), "service users")
    speakers = []
    for sid, n in sorted(by_speaker.items(), key=lambda x: -x[1]):
        speakers.append({"id": sid, "name": names.get(sid, sid), "words": round(n)})
    return {"total": round(sum(by_kind.values())), "by_kind": {k: round(v) for k, v in by_kind.items()},
            "by_speaker": speakers, "choices": choices}


def stats(scenario, *, runs: int = 200, seed: int = 0) -> dict:
    """Everything `balcony stats` reports."""
    from .simulate import simulate
    words = count(scenario)
    sim = simulate(scenario, runs, "random", seed)
    mean_words = sum(sim.words) / len(sim.words) if sim.words else 0.0
    mean_decisions = sum(sim.decisions) / len(sim.decisions) if sim.decisions else 0.0
    minutes = mean_words / READING_WPM + mean_decisions * SECONDS_PER_DECISION / 60
    return {
        "scenario": scenario.id, "title": scenario.title,
        "scenes": len(scenario.scenes), "choices": sum(len(s.choices) for s in scenario.scenes.values()),
        "endings": len(scenario.endings), "events": len(scenario.events), "stakeholders": len(scenario.stakeholders),
        "meters": len(scenario.meters), "flags": len(scenario.flags), "rules": len(scenario.rules),
        "words": words,
        "playthrough": {"runs": sim.runs, "words": round(mean_words), "decisions": round(mean_decisions, 1),
                        "minutes": round(minutes, 1),
                        "assumes": f"{READING_WPM} words a minute and {SECONDS_PER_DECISION} s a decision"},
        "declared_minutes": scenario.length_minutes,
    }
