// The dashboard's "Cohort debrief" (docs/classroom.md): the report of how the room played, for the projector.
// The facilitator secret goes in a header, never in an address: the server answers a link signed with it,
// valid for an hour, which the page shows in a frame and offers to open in its own tab or download.
"use strict";

async function openCohort() {
  const err = document.getElementById("cohort-error");
  err.textContent = "";
  const view = document.getElementById("cohort-view");
  view.classList.remove("hidden");
  document.getElementById("cohort-status").textContent = "Building the cohort debrief from every seat's decisions…";
  try {
    const r = await fetch(`/cohort/link?session=${encodeURIComponent(D.session)}`,
                          { method: "POST", headers: { Authorization: `Bearer ${D.secret}` } });
    const body = await r.json();
    if (!r.ok) throw new Error(body.message || r.statusText);
    const frame = document.getElementById("cohort-frame");
    frame.onload = () => { document.getElementById("cohort-status").textContent = "Up to date as of " + new Date().toLocaleTimeString() + "."; };
    frame.src = body.url;
    document.getElementById("cohort-tab").href = body.url;
    document.getElementById("cohort-download").href = body.url + "&download=1";
    view.scrollIntoView({ block: "start" });
  } catch (e) {
    document.getElementById("cohort-status").textContent = "";
    err.textContent = `The cohort debrief could not be made: ${e.message}`;
  }
}

window.addEventListener("DOMContentLoaded", () => {
  document.getElementById("cohort-open").addEventListener("click", openCohort);
  document.getElementById("cohort-refresh").addEventListener("click", openCohort);
  document.getElementById("cohort-close").addEventListener("click", () => {
    document.getElementById("cohort-view").classList.add("hidden");
    document.getElementById("cohort-frame").removeAttribute("src");
  });
});
