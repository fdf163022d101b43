// A player's own debrief at the end of their run (docs/classroom.md): why this ending, where they sat in the
// room, the balcony gap, their pattern and what the research says, as in solo play; and their full debrief
// report to keep. The seat's rejoin token goes in a header, never in an address. Loaded again when the
// facilitator ends the session or shows the leaderboard (which is when the room's figures appear).
"use strict";
const DB = { key: null, busy: false };

function pct(v) { return Math.round(100 * v) + "%"; }

function loadDebrief() {
  const r = S.room || {};
  const key = `${S.seq}:${!!r.ended}:${!!r.leaderboard}`;
  if (DB.key === key || DB.busy) return;
  DB.key = key; DB.busy = true;
  const token = localStorage.getItem(tokenKey(S.code));
  fetch(`/debrief?session=${encodeURIComponent(r.session)}`, { headers: { Authorization: `Bearer ${token}` } })
    .then(res => res.json().then(body => ({ ok: res.ok, body })))
    .then(({ ok, body }) => {
      DB.busy = false;
      if (!ok) throw new Error(body.message || "refused");
      if (body.ended) renderDebrief(body);
      else if ((DB.tries = (DB.tries || 0) + 1) <= 5) { DB.key = null; setTimeout(loadDebrief, 1000); }  // not heard of the ending yet
    })
    .catch(e => { DB.busy = false; DB.key = null; $("md-error").textContent = `Your debrief could not be loaded: ${e.message}`; });
}

function renderDebrief(body) {
  const d = body.debrief;
  $("my-debrief").classList.remove("hidden");
  $("md-why").replaceChildren(el("p", { text: d.why.summary }),
    ...(d.why.next_better ? [el("p", { text: d.why.next_better.summary })] : []));
  renderPlace(body);
  const g = d.gap, gap = $("md-gap");
  gap.replaceChildren(el("p", { text: g.summary }));
  if (g.moments.length) {
    gap.append(el("h4", { text: "Where what you believed and what was true came apart" }));
    gap.append(el("ul", {}, ...g.moments.map(m => el("li", { text: m.text }))));
  }
  const rows = g.stakeholders.map(s => el("tr", {},
    el("td", { text: `${s.name} (${s.agency})${s.in_shadow ? ", in shadow from the balcony" : ""}` }),
    el("td", { class: "num", text: Math.round(s.support[s.support.length - 1]) }),
    el("td", { class: "num", text: Math.round(s.commitment[s.commitment.length - 1]) }),
    el("td", { class: "num", text: s.balcony_readings }), el("td", { class: "num", text: s.one_to_ones })));
  gap.append(el("table", {}, el("thead", {}, el("tr", {}, el("th", { scope: "col", text: "Partner" }),
    el("th", { scope: "col", class: "num", text: "Said at the end" }), el("th", { scope: "col", class: "num", text: "Delivered" }),
    el("th", { scope: "col", class: "num", text: "Balcony readings" }), el("th", { scope: "col", class: "num", text: "One-to-ones" }))),
    el("tbody", {}, ...rows)));
  const p = d.pattern, pat = $("md-pattern");
  pat.replaceChildren(el("p", { text: p.reading }));
  pat.append(el("table", {}, el("thead", {}, el("tr", {}, el("th", { scope: "col", text: "Dimension" }),
    el("th", { scope: "col", class: "num", text: `Your decisions (of ${p.decisions})` }))),
    el("tbody", {}, ...p.dimensions.map(u => el("tr", {}, el("td", { text: u.label }),
      el("td", { class: "num", text: `${u.count} (${pct(u.share)})` }))))));
  pat.append(el("ul", {}, ...p.stances.map(st => el("li", { text: `${st.label}: ${st.a.label.toLowerCase()} ${st.a.count}, ${st.b.label.toLowerCase()} ${st.b.count}` }))));
  const res = $("md-research"); res.replaceChildren();
  for (const [year, notes] of d.research.years) {
    res.append(el("h4", { text: String(year) }));
    for (const n of notes) {
      const cite = n.sections.length ? ` [${n.sections.join(", ")}]` : (n.model ? " [the game's model]" : "");
      res.append(el("p", {}, el("strong", { text: `${n.when}, “${n.choice_text}”${cite}` }), el("br"), n.note));
    }
  }
  if (!d.research.years.length) res.append(el("p", { text: "None of the choices you made carries a note from the research." }));
  res.append(el("p", { class: "muted", text: d.research.caveat }));
}

function renderPlace(body) {
  const box = $("md-place"); box.replaceChildren();
  const w = body.placement;
  if (!w) { box.append(el("p", { class: "muted", text: body.placement_later })); return; }
  for (const line of w.lines) box.append(el("p", { text: line }));
  if (w.endings.length > 1) {
    const ul = el("ul", { "aria-label": "The room's endings, most reached first, without names" });
    for (const e of w.endings) {
      const li = el("li", { text: `${e.ending.title} (${e.ending.quality}): ${e.count} (${e.percent}%)` });
      if (w.ending && e.ending.id === w.ending.id) { li.classList.add("mine"); li.append(el("span", { class: "you-mark", text: "yours" })); }
      ul.append(li);
    }
    box.append(el("h4", { text: "The room's endings" }), ul);
  }
}

async function saveReport() {
  $("md-error").textContent = "";
  try {
    const token = localStorage.getItem(tokenKey(S.code));
    const r = await fetch(`/debrief?session=${encodeURIComponent(S.room.session)}&format=html`,
                          { headers: { Authorization: `Bearer ${token}` } });
    if (!r.ok) throw new Error(await r.text());
    const name = (r.headers.get("Content-Disposition") || "").match(/filename="([^"]+)"/);
    const a = el("a", { href: URL.createObjectURL(await r.blob()) });
    a.download = name ? name[1] : "debrief.html";
    document.body.appendChild(a); a.click(); a.remove();
    setTimeout(() => URL.revokeObjectURL(a.href), 10000);
  } catch (e) { $("md-error").textContent = `The report could not be saved: ${e.message}`; }
}

window.addEventListener("DOMContentLoaded", () => { $("md-save").addEventListener("click", saveReport); });
