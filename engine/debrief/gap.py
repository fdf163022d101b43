"""The balcony gap and the story: the run's timeline beside what the player saw of it."""
from __future__ import annotations

from ..marks import N_, plural, same
from ..views import SAYS, says_band, shown
from .model import Gap, Moment, Seen, Series, StakeholderGap, Story

#: Points between what the player believed of a partner's commitment and the truth that make a false belief:
#: the moments the debrief names, and the cohort debrief's "misread".
FALSE_BELIEF = 15


#: How a stakeholder's value is named ("Dana Okafor's trust"), marked for translation; a value a scenario
#: adds of its own ("ownership") takes the last, with its name as the scenario words it.
VALUE_NAMES = {"trust": N_("{name}'s trust"), "support": N_("{name}'s support"),
               "commitment": N_("{name}'s commitment")}
OTHER_VALUE = N_("{name}'s {value}")


def label(scenario, key: str, tr=same) -> str:
    """A readable name for a state key: a meter's label, a flag's, or "Dana Okafor's commitment" (worded
    through `tr`; a meter's and a flag's labels are the scenario's own words)."""
    if key in scenario.meters:
        return scenario.meters[key].label
    if key in scenario.flags:
        return scenario.flags[key].label or key.replace("_", " ")
    who, _, value = key.partition(".")
    sh = scenario.stakeholders.get(who)
    if sh is not None:
        template = VALUE_NAMES.get(value)
        if template is not None:
            return tr(template).format(name=sh.name)
        return tr(OTHER_VALUE).format(name=sh.name, value=value.replace("_", " "))
    return key.replace("_", " ")


def timeline(run) -> list:
    """The recorded timeline, one point per turn (the start, then every quarter's end; the last wins)."""
    points: dict = {}
    for t in run.history.timeline:
        points[t["turn"]] = t
    return [points[k] for k in sorted(points)]


#: The strategic triangle's scores as the story names them (marked for translation).
TRIANGLE_NAMES = {"public_value": N_("Public value"), "legitimacy": N_("Legitimacy"),
                  "capacity": N_("Operating capacity")}


def build_story(scenario, run, points, tr=same) -> Story:
    turns = tuple(p["turn"] for p in points)
    labels = tuple(p["label"] for p in points)
    meters = tuple(Series(m.id, m.label, m.kind, m.lo, m.hi, tuple(p["vals"][m.id] for p in points))
                   for m in scenario.meters.values())
    tri = tuple(Series(k, tr(TRIANGLE_NAMES[k]) if k in TRIANGLE_NAMES else k.replace("_", " ").capitalize(),
                       "triangle", 0, 100,
                       tuple(float(p.get("triangle", {}).get(k, 0)) for p in points))
                for k in scenario.triangle)
    h = run.history
    events = tuple((e["turn"], scenario.quarter_label(e["turn"]), e["title"]) for e in h.events)
    decisions = tuple((d["turn"], d["label"], d["text"]) for d in h.decisions)
    return Story(turns, labels, meters, tri, events, decisions)


def _seen_by_stakeholder(scenario, run) -> dict:
    out = {sid: [] for sid in scenario.stakeholders}
    for p in run.history.perceptions:
        turn = p.get("turn", 0)
        when = scenario.quarter_label(turn)
        true = p.get("true") or {}
        if p.get("kind") == "balcony":
            for r in p.get("readings") or []:
                sid = r.get("id")
                if sid not in out:
                    continue
                t = float(true.get(sid, 0.0))
                if r.get("hidden"):
                    out[sid].append(Seen(turn, when, "shadow", None, None, t))
                else:
                    lo, hi = r["commitment"]
                    out[sid].append(Seen(turn, when, "balcony", float(lo), float(hi), t))
        elif p.get("kind") == "one_to_one" and p.get("who") in out and "commitment" in p:
            v = float(p["commitment"])
            out[p["who"]].append(Seen(turn, when, "one_to_one", v, v, float(true.get(p["who"], v))))
    return out


def build_gap(scenario, run, points, tr=same) -> Gap:
    """The balcony gap, worded in the language `tr` translates into (English by default)."""
    turns = tuple(p["turn"] for p in points)
    labels = tuple(p["label"] for p in points)
    seen = _seen_by_stakeholder(scenario, run)
    # the quarters of play: those in which the player decided (perceptions happen before deciding)
    quarters = sorted({d["turn"] for d in run.history.decisions})
    stakeholders = []
    moments = []
    for sid, sh in scenario.stakeholders.items():
        support = tuple(p["vals"][f"{sid}.support"] for p in points)
        commitment = tuple(p["vals"][f"{sid}.commitment"] for p in points)
        mine = seen[sid]
        looked = {s.turn for s in mine if s.kind != "shadow"}
        unseen = sum(1 for t in quarters if t not in looked)
        gaps = [a - b for a, b in zip(support, commitment)]
        wi = max(range(len(gaps)), key=lambda i: gaps[i]) if gaps else 0
        stakeholders.append(StakeholderGap(
            sid, sh.name, sh.agency, sh.colour, support, commitment, tuple(mine),
            sum(1 for s in mine if s.kind == "one_to_one"), sum(1 for s in mine if s.kind == "balcony"),
            sh.balcony == "hidden", unseen, gaps[-1] if gaps else 0.0, gaps[wi] if gaps else 0.0,
            labels[wi] if labels else ""))
        moments.extend(beliefs(stakeholders[-1], turns, labels, tr))
    moments.sort(key=lambda m: (-m.distance, m.turn, m.stakeholder))
    chosen, used = [], set()
    for m in moments:  # the widest, one per stakeholder, at most three, and only real gaps
        if m.distance < FALSE_BELIEF or m.stakeholder in used:
            continue
        chosen.append(m)
        used.add(m.stakeholder)
        if len(chosen) == 3:
            break
    chosen.sort(key=lambda m: m.turn)
    looked_any = {p.get("turn") for p in run.history.perceptions if p.get("kind") in ("balcony", "one_to_one")}
    blind = tuple(scenario.quarter_label(t) for t in quarters if t not in looked_any)
    return Gap(turns, labels, tuple(stakeholders), tuple(chosen), blind,
               _gap_summary(stakeholders, chosen, blind, quarters, tr))


def beliefs(sh: StakeholderGap, turns: tuple, labels: tuple, tr=same) -> list:
    """For each point of the timeline, what the player had to go on for this stakeholder against the truth:
    their latest reading if they had one (a band or an exact figure), else what was said in the room. A
    balcony band that still held the truth is no false belief and gives no Moment. A Moment whose
    distance is FALSE_BELIEF or more is a false belief (the cohort debrief counts seats by the same rule)."""
    out = []
    seen = sh.seen
    for i in range(1, len(turns)):  # not the start: nobody has formed a belief before the first quarter's play
        turn = turns[i]
        true = sh.commitment[i]
        said = sh.support[i]
        last = None
        for s in seen:
            if s.turn <= turn and s.kind != "shadow":
                last = s
        when = labels[i]
        if last is None:
            band = says_band(said)
            believed = tr(N_("they said \u201c{says}\u201d in the room (stated support {support}) and you had never "
                             "checked")).format(says=tr(SAYS[band]), support=shown(said))
            mid = said
        elif last.kind == "one_to_one":
            believed = tr(N_("they had told you in a one-to-one in {when} that their commitment was {value}")).format(
                when=last.when, value=shown(last.lo))
            mid = last.lo
        else:
            believed = tr(N_("you had read their commitment as {lo}-{hi} from the balcony in {when}")).format(
                lo=shown(last.lo), hi=shown(last.hi), when=last.when)
            mid = (last.lo + last.hi) / 2
            if last.lo <= true <= last.hi:
                continue  # the band still held the truth: no false belief
        distance = abs(mid - true)
        truth = tr(N_("they were delivering {value}")).format(value=shown(true))
        text = tr(N_("{when}, {name} ({agency}): {believed}; in fact {truth}.")).format(
            when=when, name=sh.name, agency=sh.agency, believed=believed, truth=truth)
        out.append(Moment(turn, when, sh.id, sh.name, believed, truth, round(distance, 1), text))
    return out


def _gap_summary(stakeholders, moments, blind, quarters, tr=same) -> str:
    quarters = len(quarters)
    widest = max(stakeholders, key=lambda s: s.final_gap, default=None)
    parts = []
    if widest is not None and widest.final_gap > 0:
        n = widest.one_to_ones
        how = (tr(N_("You never met them one-to-one.")) if n == 0 else
               plural(tr, "You met them one-to-one {n} time.", "You met them one-to-one {n} times.",
                      n).format(n=n))
        parts.append(tr(N_("At the end the widest gap between word and deed was {name}'s: stated support {support}, "
                           "real commitment {commitment}. {how}")).format(
            name=widest.name, support=shown(widest.support[-1]), commitment=shown(widest.commitment[-1]), how=how))
    if quarters:
        parts.append(plural(tr, "You looked beneath the dance floor (balcony or one-to-one) in {looked} of {n} "
                                "quarter.",
                            "You looked beneath the dance floor (balcony or one-to-one) in {looked} of {n} "
                            "quarters.", quarters).format(looked=quarters - len(blind), n=quarters))
    if moments:
        n = len(moments)
        parts.append(plural(tr, "{n} moment where what you believed and what was true were far apart.",
                            "{n} moments where what you believed and what was true were far apart.", n).format(n=n))
    return " ".join(parts)
