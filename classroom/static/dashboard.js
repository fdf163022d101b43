// The facilitator's dashboard for the projector. The secret travels in the address's #fragment, which
// browsers never send to a server; the page sends it once, in the socket's hello.
"use strict";
const $ = (id) => document.getElementById(id);
const D = { channel: null, data: null, session: null, secret: null, key: null, tick: null };

function fragment() {
  const h = new URLSearchParams(location.hash.slice(1));
  return { key: h.get("k"), s: h.get("s") };
}

function start() {
  if (D.channel) D.channel.close();
  const f = fragment();
  $("problem").textContent = "";
  if (f.s && f.s.includes(".")) {
    [D.session, D.secret] = f.s.split(".");
    $("host").classList.add("hidden"); $("session").classList.remove("hidden");
    D.channel = new Channel(() => ({ role: "facilitator", session: D.session, secret: D.secret }), onMessage, onState);
  } else if (f.key) {
    D.key = f.key;
    $("session").classList.add("hidden"); $("host").classList.remove("hidden");
    D.channel = new Channel(() => ({ role: "host", key: D.key }), onMessage, onState);
  } else {
    $("problem").textContent = "Open this page with the link that balcony host printed.";
    return;
  }
  D.channel.open();
}

function onState(state) { if (state === "reconnecting") $("problem").textContent = "Connection lost: reconnecting…"; }

function onMessage(msg) {
  if (msg.type !== "error") $("problem").textContent = "";
  if (msg.type === "welcome" && msg.role === "host") return renderHost(msg);
  if (msg.type === "welcome" && msg.role === "facilitator") { D.data = msg.dashboard; return renderSession(); }
  if (msg.type === "dashboard") { D.data = msg.dashboard; return renderSession(); }
  if (msg.type === "created") { location.hash = `s=${msg.session.session}.${msg.session.secret}`; return; }
  if (msg.type === "error") {
    if (msg.id === undefined) $("problem").textContent = msg.message;
    else $("control-error").textContent = msg.message;
  }
}

function renderHost(msg) {
  const sel = $("scenario");
  sel.replaceChildren(...msg.scenarios.map(s => el("option", { value: s.key, text: s.title })));
  const ul = $("sessions"); ul.replaceChildren();
  for (const s of msg.sessions) {
    const a = el("a", { href: `#s=${s.session}.${s.secret}`, text: `${s.scenario} (${s.mode === "lockstep" ? "lock-step" : "free play"}), ${s.players} players` });
    ul.append(el("li", {}, a, s.ended ? " · ended" : ` · code ${s.code}`));
  }
  if (!msg.sessions.length) ul.append(el("li", { text: "None yet." }));
}

function label(seat, index) { return seat.team || D.data.control.names ? seat.name : `Player ${index}`; }

function teamCell(s, index) {
  // a team's seat: its name, then its members (names only when names are shown), the captain, proposals pending
  const cell = el("td", { text: label(s, index) });
  if (!s.team) return cell;
  const c = D.data.control, t = s.team, here = t.members.filter(m => m.connected).length;
  const who = c.names ? t.members.map(m => m.name + (m.captain && c.teams && c.teams.rule === "captain" ? " (captain)" : "") + (m.connected ? "" : " (away)")).join(", ")
                      : `${t.members.length} member${t.members.length === 1 ? "" : "s"}, ${here} connected`;
  cell.append(el("div", { class: "muted", text: who + (t.pending ? ` · ${t.pending} proposal${t.pending === 1 ? "" : "s"} pending` : "") }));
  return cell;
}

function renderSession() {
  const d = D.data, c = d.control;
  $("session-title").textContent = `${d.scenario} · ${d.mode === "lockstep" ? "lock-step rounds" : "free play"}`;
  $("join-url").textContent = `${location.protocol}//${location.host}/`;
  $("join-code").textContent = d.code || "ended";
  if (c.teams) {
    const ms = d.seats.flatMap(s => s.team ? s.team.members : []);
    $("player-count").textContent = `${ms.length} player${ms.length === 1 ? "" : "s"} in ${d.seats.length} team${d.seats.length === 1 ? "" : "s"}, ${ms.filter(m => m.connected).length} connected. ` +
      (c.teams.rule === "captain" ? "Each team's captain decides." : `Teams decide by majority within ${c.teams.window} seconds.`);
  } else
  $("player-count").textContent = `${d.seats.length} player${d.seats.length === 1 ? "" : "s"} joined, ${d.seats.filter(s => s.connected).length} connected.`;
  const order = new Map(d.seats.map((s, i) => [s.seat, i + 1]));
  // controls that fit the state
  const can = {
    start: !c.started && !c.ended,
    close_round: d.mode === "lockstep" && c.open && !c.ended,
    reveal: d.mode === "lockstep" && c.started && !c.open && !c.revealed && !c.ended,
    next_round: d.mode === "lockstep" && c.started && !c.open && !c.ended,
    pause: c.started && !c.paused && !c.ended, resume: c.paused && !c.ended, end: !c.ended,
  };
  for (const b of document.querySelectorAll("#controls button")) {
    const a = b.dataset.action;
    b.classList.toggle("hidden", (a === "close_round" || a === "reveal" || a === "next_round") && d.mode !== "lockstep");
    b.disabled = !can[a];
  }
  $("export-proposals").classList.toggle("hidden", !c.teams);
  $("show-names").checked = !!c.names; $("show-leaderboard").checked = !!c.leaderboard;
  $("timer").value = c.timer ? String(c.timer) : "";
  updateStatus();
  // the round's reveal
  const rr = $("round-reveal-body"); rr.replaceChildren();
  $("round-reveal").classList.toggle("hidden", !(d.mode === "lockstep" && c.revealed && d.round_decisions.length));
  $("round-reveal-title").textContent = `How the room chose in round ${c.round}`;
  for (const dec of d.round_decisions) rr.append(barChart(dec));
  // leaderboard
  const lb = $("leaderboard").tBodies[0]; lb.replaceChildren();
  for (const r of d.leaderboard) {
    const seat = d.seats.find(s => s.seat === r.seat);
    const p = r.parts;
    lb.append(el("tr", {}, el("td", { class: "num", text: r.rank }), el("td", { text: label(seat, order.get(r.seat)) }),
      el("td", { class: "num", text: r.score }), el("td", { class: "num", text: p.public_value ?? "" }),
      el("td", { class: "num", text: p.legitimacy ?? "" }), el("td", { class: "num", text: p.capacity ?? "" }),
      el("td", { text: r.ending || "playing" })));
  }
  // the room
  const st = $("seats").tBodies[0]; st.replaceChildren();
  for (const s of d.seats) {
    const now = { choosing: !c.started ? "in the lobby" : s.waiting ? "chosen, waiting" : "deciding",
      outcome: "reading the outcome", ended: "finished" }[s.status];
    st.append(el("tr", {}, teamCell(s, order.get(s.seat)), el("td", { text: s.quarter }),
      el("td", { class: "num", text: s.decisions }), el("td", { text: now }), el("td", { text: s.connected ? "yes" : "no" })));
  }
  const box = $("decisions"); box.replaceChildren();
  for (const dec of d.decisions) box.append(barChart(dec));
  if (!d.decisions.length) box.append(el("p", { class: "muted", text: d.mode === "lockstep" ? "Nothing revealed yet." : "No decisions yet." }));
}

function updateStatus() {
  const d = D.data; if (!d) return;
  const c = d.control;
  let t;
  if (c.ended) t = "The session has ended. The leaderboard is final.";
  else if (!c.started) t = "The lobby: players are joining. Start when the room is ready.";
  else if (c.paused) t = "Paused.";
  else if (d.mode === "lockstep") {
    const playing = d.seats.length - d.finished;
    t = `Round ${c.round} is ${c.open ? "open" : "closed"}: ${d.chosen_this_round} of ${playing}${c.teams ? " teams" : ""}` +
      `${d.finished ? " still playing" : ""} have made this round's decision` +
      `${d.finished ? `; ${d.finished} ${d.finished === 1 ? "has" : "have"} finished` : ""}.`;
    if (c.open && c.deadline) t += ` ${Math.max(0, Math.round(c.deadline - Date.now() / 1000))} seconds left.`;
    if (!c.open) t += c.revealed ? " Revealed." : " Reveal when the room is ready to discuss.";
  } else t = "Free play: everyone goes at their own pace.";
  $("round-status").textContent = t;
}

function control(action, extra) {
  $("control-error").textContent = "";
  D.channel.send({ type: "control", session: D.session, action, ...extra }, (reply) => {
    if (reply.type === "done") { D.data.control = reply.control; renderSession(); }
  });
}

// The results as files (docs/classroom.md, "Exporting the results"). The secret goes in a header, not the address.
async function download(table) {
  $("control-error").textContent = "";
  try {
    const r = await fetch(`/export?session=${encodeURIComponent(D.session)}&table=${table}`,
                          { headers: { Authorization: `Bearer ${D.secret}` } });
    if (!r.ok) throw new Error((await r.json()).message || r.statusText);
    const name = (r.headers.get("Content-Disposition") || "").match(/filename="([^"]+)"/);
    const a = el("a", { href: URL.createObjectURL(await r.blob()) });
    a.download = name ? name[1] : `export.${table === "json" ? "json" : "csv"}`;
    document.body.appendChild(a); a.click(); a.remove();
    setTimeout(() => URL.revokeObjectURL(a.href), 10000);
  } catch (e) { $("control-error").textContent = `The download failed: ${e.message}`; }
}

window.addEventListener("DOMContentLoaded", () => {
  for (const b of document.querySelectorAll("#exports button")) b.addEventListener("click", () => download(b.dataset.export));
  for (const b of document.querySelectorAll("#controls button")) {
    b.addEventListener("click", () => {
      if (b.dataset.action === "end" && !confirm("End the session for everyone? Its join code stops working.")) return;
      control(b.dataset.action, {});
    });
  }
  $("show-names").addEventListener("change", (e) => control("names", { on: e.target.checked }));
  $("show-leaderboard").addEventListener("change", (e) => control("leaderboard", { on: e.target.checked }));
  $("timer").addEventListener("change", (e) => control("timer", { seconds: e.target.value ? parseInt(e.target.value, 10) : null }));
  $("create-form").addEventListener("submit", (e) => {
    e.preventDefault();
    const mode = document.querySelector("input[name=mode]:checked").value;
    const t = $("create-timer").value, teams = $("create-teams").value;
    const msg = { type: "create", scenario: $("scenario").value, mode, seconds: t ? parseInt(t, 10) : null };
    if (teams) { msg.teams = teams === "auto" ? "auto" : parseInt(teams, 10); msg.team_rule = $("create-rule").value; }
    D.channel.send(msg);
  });
  window.addEventListener("hashchange", start);
  setInterval(updateStatus, 1000);
  start();
});
