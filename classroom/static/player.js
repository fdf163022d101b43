// The player page: join with a code and a name, then play the seat the server runs.
"use strict";
const $ = (id) => document.getElementById(id);
const S = { code: "", name: "", team: null, wantTeam: null, seq: 0, snap: null, room: null, busy: false, shown: null, channel: null, joined: false };
const tokenKey = (code) => "balcony.seat." + code;

function hello() {
  const h = { role: "player", code: S.code, client: "browser" };
  const token = localStorage.getItem(tokenKey(S.code));
  if (token) h.token = token;
  if (S.name) h.name = S.name;
  if (S.wantTeam && !token) h.team = S.wantTeam;
  return h;
}

function join(code, name, team) {
  S.code = code.trim().toUpperCase(); S.name = name.trim(); S.wantTeam = team || null;
  if (S.channel) S.channel.close();
  S.channel = new Channel(hello, onMessage, onState);
  S.channel.open();
}

function onState(state, code) {
  if (state === "reconnecting" && S.joined) status("Connection lost: reconnecting…");
  if (state === "closed" && code === 4000) status("This seat was opened on another device or tab. Reload to take it back here.");
}

function onMessage(msg) {
  switch (msg.type) {
    case "welcome":
      if (msg.token) localStorage.setItem(tokenKey(S.code), msg.token);
      localStorage.setItem("balcony.last", S.code);
      S.name = msg.name; S.joined = true; S.room = msg.room; S.team = msg.team || null;
      take(msg);
      $("join").classList.add("hidden"); $("game").classList.remove("hidden");
      render(true);
      break;
    case "ack": take(msg); if (msg.team) S.team = msg.team; S.busy = false; $("action-error").textContent = ""; render(false); break;
    case "team": take(msg); S.team = msg.team; render(false); break;
    case "room":
      if (S.room && msg.room.round !== S.room.round) { $("reveal").classList.add("hidden"); }
      S.room = msg.room; render(false); break;
    case "reveal": showReveal(msg); break;
    case "leaderboard": showLeaderboard(msg); break;
    case "error":
      if (msg.snapshot) take(msg);
      if (!S.joined) {
        if (msg.code === "bad_token") localStorage.removeItem(tokenKey(S.code));
        $("join-error").textContent = msg.message;
        $("code").focus();
        if (S.channel) S.channel.close();
      } else if (msg.id !== undefined || msg.code === "replaced") {
        S.busy = false; $("action-error").textContent = msg.message; render(false);
      }
      break;
  }
}

function take(msg) { if (msg.snapshot) { S.snap = msg.snapshot; S.seq = msg.seq; } }

function blocked() {
  const r = S.room || {};
  if (r.ended) return "The session has ended.";
  if (!r.started) return "Waiting for the facilitator to start the session.";
  if (r.paused) return "Paused by the facilitator.";
  if (r.mode === "lockstep" && S.snap && S.snap.status === "choosing") {
    if (!r.open) return `Round ${r.round} is closed: wait for the facilitator to open the next one.`;
    if (S.snap.decisions >= r.round) return `You have made round ${r.round}'s decision: wait for the next round.`;
  }
  return null;
}

function roomLine(r, s) {
  // what the room is doing, when nothing stops this player
  if (r.mode !== "lockstep") return "Play at your own pace.";
  if (!r.open) return `Round ${r.round} is closed` + (r.revealed ? ": here is how the room chose." : ": wait for the facilitator.");
  if (s.decisions >= r.round) return `You have made round ${r.round}'s decision: wait for the next round.`;
  return `Round ${r.round} is open: make your decision.`;
}

function status(text) { $("room-status").textContent = text; }

function intent(action, extra) {
  if (S.busy) return;
  S.busy = true; render(false);
  S.channel.send({ type: "intent", seq: S.seq, action, ...extra }, (reply) => {
    if (reply.type === "error") { S.busy = false; $("action-error").textContent = reply.message; render(false); }
  });
}

function render(first) {
  const s = S.snap, r = S.room || {};
  if (!s) return;
  // while an intent awaits the server's answer the section is being updated (screen readers and tests wait on it)
  $("game").setAttribute("aria-busy", S.busy ? "true" : "false");
  const why = blocked();
  const mode = r.mode === "lockstep" ? `lock-step, round ${r.round || "–"}` : "free play";
  status(why || roomLine(r, s));
  $("where").textContent = `${s.scenario_title} · ${s.calendar.label} · ${s.phase.name} · ${mode} · playing as ${S.name}` + (S.team ? ` in ${S.team.name}` : "");
  renderTeam(s);
  const key = s.status + ":" + s.scene_id + ":" + s.decisions;
  const moved = S.shown !== key; S.shown = key;
  $("play-area").classList.toggle("hidden", s.status !== "choosing");
  $("outcome").classList.toggle("hidden", s.status !== "outcome");
  $("ending").classList.toggle("hidden", s.status !== "ended");
  if (s.status === "choosing") renderScene(s, why);
  if (s.status === "outcome") renderOutcome(s);
  if (s.status === "ended") renderEnding(s);
  if (moved && !first) {
    const h = s.status === "choosing" ? $("scene-title") : s.status === "outcome" ? $("outcome-title") : $("ending-title");
    h.focus();
  }
}

function renderScene(s, why) {
  $("scene-title").textContent = s.scene_title || "Your decision";
  $("speaker").textContent = s.speaker.id === "narrator" ? "" : `${s.speaker.name}, ${s.speaker.role} (${s.speaker.agency})`;
  paragraphs($("scene-text"), s.text);
  const dl = $("meters"); dl.replaceChildren();
  for (const m of s.visible_meters) dl.append(el("dt", { text: m.label }), el("dd", { text: Math.round(m.value).toLocaleString() }));
  const room = $("room"); room.replaceChildren();
  for (const p of s.dance_floor) room.append(el("li", { text: `${p.name} (${p.agency}): ${p.says}` }));
  $("attention").textContent = `Attention left this quarter: ${s.attention_left} of ${s.attention_max}.`;
  const acts = Object.fromEntries(s.perception_actions.map(a => [a.kind, a]));
  const canAct = !S.busy && !(S.room && (S.room.paused || S.room.ended || !S.room.started));
  for (const [kind, id] of [["balcony", "do-balcony"], ["listen", "do-listen"], ["one_to_one", "do-one"]]) {
    const a = acts[kind]; const b = $(id);
    b.disabled = !(a && a.available && canAct);
    b.title = a && !a.available ? a.reason : "";
    if (a) b.textContent = `${a.label} (${a.cost})`;
  }
  const sel = $("one-who");
  if (sel.options.length !== s.dance_floor.length) {
    sel.replaceChildren(...s.dance_floor.map(p => el("option", { value: p.id, text: `${p.name} (${p.agency})` })));
  }
  const bal = $("balcony"); bal.replaceChildren();
  if (s.balcony) {
    bal.append(el("h3", { text: "From the balcony" }));
    if (s.balcony.text) bal.append(el("p", { text: s.balcony.text }));
    const ul = el("ul");
    for (const rd of s.balcony.readings) {
      ul.append(el("li", { text: rd.hidden ? `${rd.name}: in shadow; you cannot make them out from here`
        : `${rd.name}: trust ${rd.trust[0]}–${rd.trust[1]}, commitment ${rd.commitment[0]}–${rd.commitment[1]}` }));
    }
    for (const m of s.balcony.meters) ul.append(el("li", { text: `${m.label}: somewhere between ${Math.round(m.lo)} and ${Math.round(m.hi)}` }));
    bal.append(ul);
  }
  const ins = $("insights"); ins.replaceChildren();
  for (const line of s.insights) ins.append(el("li", { text: line }));
  for (const [who, val] of s.revealed) {
    const p = s.dance_floor.find(d => d.id === who);
    ins.append(el("li", { text: `${p ? p.name : who}: real commitment, as far as you can now tell, ${val} out of 100.` }));
  }
  const list = $("choices"); list.replaceChildren();
  const votes = teamVotes();
  s.choices.forEach((c, i) => {
    const b = el("button", { type: "button", onclick: () => intent("choose", { index: c.index }) },
                 `${i + 1}. ${c.text}`);
    if (!c.available) { b.disabled = true; b.append(el("span", { class: "reason", text: `Not open to you: ${c.reason}` })); }
    else if (why || S.busy) { b.disabled = true; }
    const v = votes.get(c.index);
    if (v) b.append(el("span", { class: "votes", text: `Proposed by ${v.join(", ")}` }));
    list.append(el("li", {}, b));
  });
}

// --- teams (docs/classroom.md, "Teams"): the team's proposals, live, before its decision ---------------------
function memberName(id) {
  const m = S.team.members.find(x => x.member === id);
  return m ? (id === S.team.you ? `${m.name} (you)` : m.name) : "?";
}

function teamVotes() {
  // choice index -> the names of the members proposing it
  const out = new Map();
  if (!S.team) return out;
  for (const p of S.team.proposals) {
    if (!out.has(p.index)) out.set(p.index, []);
    out.get(p.index).push(p.member === S.team.you ? "you" : p.name);
  }
  return out;
}

const HOW = { majority: "more than half of the team proposed it", window: "it had the most proposals when the time ran out",
  tie: "a tie when the time ran out: the choice proposed first", round: "it had the most proposals when the round closed",
  captain: "the captain's decision" };

function teamClock() {
  const t = S.team;
  if (!t || !t.deadline || !t.proposals.length) { $("team-clock").textContent = ""; return; }
  const left = Math.max(0, Math.round(t.deadline - Date.now() / 1000));
  $("team-clock").textContent = `Time left to agree: ${left} second${left === 1 ? "" : "s"}.`;
}

function renderTeam(s) {
  const t = S.team;
  $("team").classList.toggle("hidden", !t);
  $("choices-title").textContent = !t ? "Your decision" : (t.rule === "captain" && t.captain === t.you ? "Your team's decision (you are the captain)" : "Propose your team's decision");
  if (!t) return;
  $("team-title").textContent = `Your team: ${t.name}`;
  const cap = t.members.find(m => m.member === t.captain);
  // a captain's own proposal still pending was made before they were captain (as advice): it decides nothing
  const earlier = s.status === "choosing" && t.proposals.some(p => p.member === t.you);
  $("team-rule").textContent = t.rule === "captain"
    ? (t.captain !== t.you ? `${cap ? cap.name : "The captain"} is the captain and decides; your proposal is advice they see.`
       : earlier ? "You are the captain now. Your proposal was made before, as advice: choose again (the same choice or another) to make it the team's decision."
       : "You are the captain: your choice is the team's decision. Your teammates' proposals show on the choices.")
    : `Majority: a choice more than half of you propose is taken at once; otherwise the most proposed, ${t.window} seconds after the first proposal (a tie goes to the one proposed first).`;
  $("team-members").textContent = "Members: " + t.members.map(m => memberName(m.member) + (m.member === t.captain && t.rule === "captain" ? ", captain" : "") + (m.connected ? "" : ", away")).join(" · ");
  const ul = $("team-proposals"); ul.replaceChildren();
  const texts = new Map((s.choices || []).map((c, i) => [c.index, `${i + 1}. ${c.text}`]));
  if (s.status === "choosing") {
    for (const p of t.proposals) ul.append(el("li", { text: `${memberName(p.member)} proposes ${texts.get(p.index) || "a choice"}` }));
    if (!t.proposals.length) ul.append(el("li", { class: "muted", text: "No proposals yet for this decision." }));
    const counts = t.counts.map(c => `choice ${texts.get(c.index) ? texts.get(c.index).split(".")[0] : "?"}: ${c.count}`).join("; ");
    if (t.proposals.length) ul.append(el("li", { class: "muted", text: `${t.proposals.length} of ${t.members.length} have proposed (${counts}).` }));
  }
  const last = t.last;
  const said = last ? (last.text || `choice ${last.index + 1}`).replace(/[.!?]*$/, ".") : "";
  $("team-last").textContent = last ? `Your team's last decision: ${said} ${last.for} of ${last.voters} proposed it; ${HOW[last.how] || last.how}.` : "";
  teamClock();
}

function renderOutcome(s) {
  const box = $("notices"); box.replaceChildren();
  for (const n of s.notices) {
    if (!n.text && !n.title) continue;
    const d = el("div", { class: "notice" });
    const label = { event: "Event: ", delayed: "Later: " }[n.kind] || "";
    if (n.title) d.append(el("h3", { text: label + n.title }));
    if (n.cause) d.append(el("p", { class: "muted", text: n.cause }));
    const t = el("div"); paragraphs(t, n.text); d.append(t);
    box.append(d);
  }
  if (!box.children.length) box.append(el("p", { text: "Time passes." }));
  $("do-advance").disabled = S.busy || !!(S.room && (S.room.paused || S.room.ended));
  $("do-advance").textContent = S.team ? "Continue (moves your whole team on)" : "Continue";
}

function renderEnding(s) {
  const e = s.ending;
  $("ending-title").textContent = e.title;
  paragraphs($("ending-text"), e.text);
  const dl = $("triangle"); dl.replaceChildren();
  for (const [k, v] of Object.entries(e.triangle || {})) dl.append(el("dt", { text: k.replace(/_/g, " ") }), el("dd", { text: Math.round(v) }));
  if (typeof loadDebrief === "function") loadDebrief();  // the player's own debrief and place (debrief.js)
}

function showReveal(msg) {
  const body = $("reveal-body"); body.replaceChildren();
  $("reveal-title").textContent = `How the room chose in round ${msg.round}`;
  body.append(el("p", { class: "muted", text: "Anonymous: nobody's name is attached to a choice." }));
  for (const d of msg.decisions) body.append(barChart(d));
  $("reveal").classList.remove("hidden");
}

function showLeaderboard(msg) {
  const body = $("lb-body"); body.replaceChildren();
  const parts = Object.entries(msg.parts).map(([k, v]) => `${k.replace(/_/g, " ")} ${v}`).join(", ");
  body.append(el("p", {}, el("strong", { text: `You are ${ordinal(msg.rank)} of ${msg.of}` }), ` with a score of ${msg.score} (${parts}).`));
  body.append(el("p", { class: "muted", text: "The score is the mean of the strategic triangle's three parts: public value, legitimacy and capacity, in the game's teaching model. Speed plays no part." }));
  const ul = el("ol", { "aria-label": "Every score in the room, best first, without names" });
  msg.scores.forEach((sc) => ul.append(el("li", { text: String(sc) })));
  body.append(el("details", {}, el("summary", { text: "Every score in the room (no names)" }), ul));
  $("leaderboard").classList.remove("hidden");
}

function ordinal(n) { const s = ["th", "st", "nd", "rd"], v = n % 100; return n + (s[(v - 20) % 10] || s[v] || s[0]); }

window.addEventListener("DOMContentLoaded", () => {
  const params = new URLSearchParams(location.search);
  const code = (params.get("code") || localStorage.getItem("balcony.last") || "").toUpperCase();
  $("code").value = code;
  if (params.get("team")) $("team-number").value = params.get("team");
  $("join-form").addEventListener("submit", (e) => {
    e.preventDefault();
    const c = $("code").value.trim(), n = $("name").value.trim(), tn = $("team-number").value.trim();
    if (tn && !/^[0-9]{1,2}$/.test(tn)) { $("join-error").textContent = "The team number is a number, like 3 (or leave it empty)."; $("team-number").focus(); return; }
    if (!/^[A-Za-z0-9]{4,12}$/.test(c)) { $("join-error").textContent = "The join code is the letters and digits on the projector."; $("code").focus(); return; }
    if (!n && !localStorage.getItem(tokenKey(c.toUpperCase()))) { $("join-error").textContent = "Type a display name."; $("name").focus(); return; }
    $("join-error").textContent = "";
    join(c, n, tn ? parseInt(tn, 10) : null);
  });
  setInterval(teamClock, 1000);
  $("do-balcony").addEventListener("click", () => intent("perceive", { kind: "balcony" }));
  $("do-listen").addEventListener("click", () => intent("perceive", { kind: "listen" }));
  $("do-one").addEventListener("click", () => intent("perceive", { kind: "one_to_one", who: $("one-who").value }));
  $("do-advance").addEventListener("click", () => intent("advance", {}));
  document.addEventListener("keydown", (e) => {
    if (!S.snap || S.snap.status !== "choosing" || e.target.tagName === "INPUT" || e.target.tagName === "SELECT") return;
    const n = parseInt(e.key, 10);
    const buttons = [...$("choices").querySelectorAll("button")];
    if (n >= 1 && n <= buttons.length && !buttons[n - 1].disabled) buttons[n - 1].click();
  });
  if (code && localStorage.getItem(tokenKey(code))) join(code, "");  // this device holds a seat: take it back
});
