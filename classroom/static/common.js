// Shared by the player page and the dashboard: the socket with reconnection, and small DOM helpers.
"use strict";
const PROTOCOL = 1;

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "class") node.className = v;
    else if (k === "text") node.textContent = v;
    else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else if (v !== null && v !== undefined && v !== false) node.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children) node.append(c);
  return node;
}

function paragraphs(target, text) {
  target.replaceChildren();
  for (const block of String(text || "").split(/\n\s*\n/)) {
    const t = block.split("\n").map(s => s.trim()).filter(Boolean).join(" ");
    if (t) target.append(el("p", { text: t }));
  }
}

function barChart(decision) {
  // One decision point: a bar per choice with its count and share, readable as text too.
  const wrap = el("figure", { class: "chart" });
  const total = decision.total || 0;
  wrap.append(el("figcaption", { text: `${decision.title}: ${total} decision${total === 1 ? "" : "s"}` }));
  for (const c of decision.choices) {
    const share = total ? Math.round(100 * c.count / total) : 0;
    const row = el("div", { class: "bar-row" });
    row.append(el("span", { text: c.text }));
    const bar = el("div", { class: "bar", role: "img", "aria-label": `${c.count} of ${total}, ${share} percent` });
    const fill = el("span"); fill.style.width = share + "%"; bar.append(fill);
    row.append(bar, el("span", { class: "bar-count", text: `${c.count} (${share}%)` }));
    wrap.append(row);
  }
  return wrap;
}

class Channel {
  // A WebSocket to /ws that says hello again after a drop and hands every message to onMessage.
  constructor(hello, onMessage, onState) {
    this.hello = hello; this.onMessage = onMessage; this.onState = onState || (() => {});
    this.nextId = 1; this.pending = new Map(); this.delay = 250; this.closedByUs = false;
  }
  open() {
    const url = (location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/ws";
    const ws = new WebSocket(url);
    this.ws = ws;
    ws.onopen = () => { this.delay = 250; ws.send(JSON.stringify({ v: PROTOCOL, type: "hello", ...this.hello() })); };
    ws.onmessage = (e) => {
      let msg; try { msg = JSON.parse(e.data); } catch (_) { return; }
      if (msg.id !== undefined && this.pending.has(msg.id)) { const cb = this.pending.get(msg.id); this.pending.delete(msg.id); cb(msg); }
      this.onMessage(msg);
    };
    ws.onclose = (e) => {
      for (const cb of this.pending.values()) cb({ type: "error", code: "disconnected", message: "The connection dropped." });
      this.pending.clear();
      if (this.closedByUs || e.code === 4000) { this.onState("closed", e.code); return; }
      this.onState("reconnecting");
      setTimeout(() => this.open(), this.delay);
      this.delay = Math.min(this.delay * 2, 5000);
    };
  }
  send(msg, cb) {
    const id = this.nextId++;
    if (cb) this.pending.set(id, cb);
    if (!this.ws || this.ws.readyState !== WebSocket.OPEN) {
      if (cb) { this.pending.delete(id); cb({ type: "error", code: "disconnected", message: "Not connected yet: try again in a moment." }); }
      return;
    }
    this.ws.send(JSON.stringify({ v: PROTOCOL, id, ...msg }));
  }
  close() { this.closedByUs = true; if (this.ws) this.ws.close(); }
}
