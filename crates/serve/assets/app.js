// The parley workbench page: plain JavaScript, no build step, no network beyond this server.
// Every number comes from the API (/api/v1, documented at /api/v1/openapi.json).
"use strict";

const state = {
  scenario: null,      // the scenario's id
  detail: null,        // GET /api/v1/scenarios/{id}
  edits: new Map(),    // path -> {op, path, value, reason}
  levers: new Set(),   // lever ids pulled
  inFlight: false,
  pending: false,
  pendingCompare: false,
  run: null,           // the current run's id
  events: null,        // its EventSource
};

const $ = (id) => document.getElementById(id);

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "class") e.className = v;
    else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else if (v !== undefined && v !== null && v !== false) e.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children) {
    if (c === null || c === undefined) continue;
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}

async function api(method, path, body) {
  const init = { method, headers: {} };
  if (body !== undefined) {
    init.headers["content-type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  const response = await fetch(path, init);
  const type = response.headers.get("content-type") || "";
  const data = type.includes("json") ? await response.json() : await response.text();
  return { ok: response.ok, status: response.status, data };
}

function fmt(x) {
  if (typeof x !== "number") return String(x);
  return Math.abs(x) >= 1000 ? x.toLocaleString("en") : String(Math.round(x * 1000) / 1000);
}

function editList() {
  return [...state.edits.values()].map((e) => e.op === "set"
    ? { op: "set", path: e.path, value: e.value, reason: e.reason }
    : { op: "drop", path: e.path, reason: e.reason });
}

// ---- loading a scenario ----

async function loadScenarios() {
  const r = await api("GET", "/api/v1/scenarios");
  const select = $("scenario");
  select.replaceChildren(...r.data.map((s) => el("option", { value: s.id }, s.id + (s.writable ? "" : " (read-only)"))));
  select.addEventListener("change", () => openScenario(select.value));
  if (r.data.length) await openScenario(r.data[0].id);
}

async function openScenario(id) {
  const r = await api("GET", "/api/v1/scenarios/" + encodeURIComponent(id));
  if (!r.ok) return showErrors(r.data);
  state.scenario = id;
  state.detail = r.data;
  state.edits.clear();
  state.levers.clear();
  $("title").textContent = r.data.title + " — " + r.data.name;
  $("save").disabled = !r.data.writable;
  renderInputs();
  renderEdits();
  analyse();
}

function numberByPath(path) {
  return state.detail.numbers.find((n) => n.path === path);
}

// ---- inputs ----

function field(n) {
  const edit = state.edits.get(n.path);
  const value = edit ? edit.value : n.value;
  const lo = n.min ?? Math.min(0, n.value);
  const hi = n.max ?? Math.max(1, Math.abs(n.value) * 2);
  const step = hi - lo > 50 ? 1 : 0.01;
  const id = "f-" + n.path;
  const slider = el("input", { type: "range", min: lo, max: hi, step, value, "aria-label": n.path, "data-path": n.path });
  const box = el("input", { type: "number", step: "any", value, id, "data-path": n.path, "aria-label": n.path + " value" });
  // While dragging, the other levers are not compared (faster); letting go compares them.
  slider.addEventListener("input", () => { box.value = slider.value; setNumber(n.path, Number(slider.value), false); });
  slider.addEventListener("change", () => analyse(true));
  box.addEventListener("change", () => {
    const v = Number(box.value);
    if (box.value.trim() === "" || !Number.isFinite(v)) {
      showFieldError(n.path, "not a number");
      return;
    }
    slider.value = v;
    setNumber(n.path, v);
  });
  const prov = el("div", { class: "prov " + (edit ? "assumption" : n.provenance) },
    edit ? "assumption (your edit): " + (edit.reason || "reason not given yet") : n.text);
  return el("div", { class: "field", "data-field": n.path },
    el("label", { for: id }, n.path),
    el("div", { class: "row" }, slider, box),
    prov,
    el("div", { class: "field-error", "data-error": n.path }));
}

function renderInputs() {
  const d = state.detail;
  $("actors").replaceChildren(
    el("table", {}, el("tr", {}, el("th", {}, "actor"), el("th", {}, "role"), el("th", {}, "veto")),
      ...d.actors.map((a) => el("tr", {}, el("td", {}, a.name + " (" + a.id + ")"), el("td", {}, a.role), el("td", {}, a.veto ? "yes" : "no")))),
    el("table", {}, el("tr", {}, el("th", {}, "issue"), el("th", {}, "options")),
      ...d.issues.map((i) => el("tr", {}, el("td", {}, i.name), el("td", {}, i.options.join(", "))))));
  $("levers").replaceChildren(...d.levers.map((l) => el("div", {},
    el("label", { title: l.description },
      el("input", { type: "checkbox", "data-lever": l.id, onchange: (ev) => {
        if (ev.target.checked) state.levers.add(l.id); else state.levers.delete(l.id);
        analyse();
      } }),
      " " + l.name + " ", el("span", { class: "prov" }, "(" + l.provenance + ")")))));
  if (!d.levers.length) $("levers").textContent = "This scenario defines no levers.";
  const reservations = d.numbers.filter((n) => n.editable && /^preferences\.[^.]+\.reservation$/.test(n.path));
  $("reservations").replaceChildren(...reservations.map(field));
  $("rules").replaceChildren(...d.rules.map((r) => el("div", { class: "field" },
    el("label", {},
      el("input", { type: "checkbox", "data-rule": r.path, checked: state.edits.has(r.path), onchange: (ev) => {
        if (ev.target.checked) state.edits.set(r.path, { op: "drop", path: r.path, reason: "" });
        else state.edits.delete(r.path);
        renderEdits();
        analyse();
      } }),
      " drop " + r.kind.replace("_", " ") + " " + r.actor + "/" + r.id),
    el("div", { class: "prov" }, "when " + r.when + " — " + r.reason))));
  renderNumbers();
}

function renderNumbers() {
  const filter = $("filter").value.trim();
  const shown = state.detail.numbers.filter((n) => n.editable && n.path.includes(filter)).slice(0, 200);
  $("numbers").replaceChildren(...shown.map(field));
}

function setNumber(path, value, compare = true) {
  const old = state.edits.get(path);
  state.edits.set(path, { op: "set", path, value, reason: old ? old.reason : "" });
  // Keep the other copy of the field (reservations appear twice) in step.
  for (const input of document.querySelectorAll('input[data-path="' + CSS.escape(path) + '"]')) {
    if (document.activeElement !== input) input.value = value;
  }
  renderEdits();
  analyse(compare);
}

function renderEdits() {
  const items = [...state.edits.values()].map((e) => {
    const reason = el("input", { type: "text", value: e.reason, placeholder: "why? (required to save)",
      "aria-label": "reason for " + e.path, "data-reason": e.path, class: e.reason ? "" : "missing" });
    reason.addEventListener("input", () => {
      e.reason = reason.value;
      reason.className = e.reason.trim() ? "" : "missing";
    });
    const what = e.op === "set"
      ? e.path + " = " + fmt(e.value) + " (was " + fmt(numberByPath(e.path)?.value) + ")"
      : "drop " + e.path;
    return el("div", { class: "edit" }, el("div", {}, what), reason);
  });
  $("edits").replaceChildren(...items);
  $("edit-count").textContent = state.edits.size ? "(" + state.edits.size + ")" : "";
}

// ---- analysis while dragging: at most one request in flight, then the latest edits ----

async function analyse(compare = true) {
  // Until this analysis (or a later one) is drawn, what is shown is out of date.
  $("status").textContent = "analysing…";
  if (state.inFlight) {
    state.pending = true;
    state.pendingCompare = state.pendingCompare || compare;
    return;
  }
  state.inFlight = true;
  state.pending = false;
  state.pendingCompare = false;
  const started = performance.now();
  const id = state.scenario;
  let r;
  try {
    r = await api("POST", "/api/v1/scenarios/" + encodeURIComponent(id) + "/analysis",
      { edits: editList(), levers: [...state.levers], compare });
  } catch (e) {
    r = { ok: false, data: { error: { message: String(e) } } };
  }
  state.inFlight = false;
  if (state.pending) { analyse(state.pendingCompare); return; }
  if (id !== state.scenario) return;
  if (r.ok) {
    clearErrors();
    renderAnalysis(r.data, compare);
    // Request, analysis and charts drawn: the round trip of an edit.
    const ms = (performance.now() - started).toFixed(1);
    $("elapsed").textContent = "(" + ms + " ms round trip, " + r.data.elapsed_ms.toFixed(1) + " ms on the server)";
    console.info("parley-timing scenario=" + id + " levers_compared=" + compare + " round_trip_ms=" + ms + " server_ms=" + r.data.elapsed_ms.toFixed(1));
    $("status").textContent = "up to date";
    document.body.dataset.analyses = String(Number(document.body.dataset.analyses || 0) + 1);
  } else {
    showErrors(r.data);
    $("status").textContent = "not analysed: see the error";
  }
}

function packageText(p) {
  return p.terms.map((t) => t.issue + ": " + t.option).join("; ");
}

function renderAnalysis(a, compare) {
  $("zone").textContent = String(a.zone);
  $("outcomes").textContent = fmt(a.outcomes);
  $("admissible").textContent = fmt(a.admissible);
  const d = a.deals;
  const actors = d.actors;
  const sol = d.solutions.map((s) => el("tr", {},
    el("td", {}, s.concept.replace("_", " ")),
    el("td", {}, packageText(s.package)),
    ...s.package.utilities.map((u) => el("td", {}, fmt(u)))));
  $("solutions").replaceChildren(
    d.reference ? el("p", { class: "hint" }, "The zone is empty: the reference solutions over the admissible packages.") : "",
    el("table", {}, el("tr", {}, el("th", {}, "solution"), el("th", {}, "package"), ...actors.map((n) => el("th", {}, n))), ...sol),
    d.near_miss ? el("p", {}, "Nearest miss: " + packageText(d.near_miss.package) + " — " + d.near_miss.binding + " short by " + fmt(d.near_miss.shortfall)) : "");
  const charts = $("charts");
  charts.replaceChildren();
  for (const c of a.charts) {
    const fig = el("figure", { "data-pair": c.x + "-" + c.y });
    fig.innerHTML = c.svg; // SVG drawn and escaped by parley-report
    charts.append(fig);
  }
  $("blocks").replaceChildren(...a.blocks.map((issue) => el("table", {},
    el("caption", {}, issue.name),
    el("tr", {}, el("th", {}, "option"), el("th", {}, "ruled out by"), el("th", {}, "packages in the zone")),
    ...issue.options.map((o) => el("tr", {}, el("td", {}, o.label), el("td", {}, o.ruled_out_by.join(", ") || "—"), el("td", {}, fmt(o.zone_packages)))))));
  if (!compare) return; // the table of levers stays as it was until the slider is let go
  $("lever-table").replaceChildren(el("table", {},
    el("tr", {}, el("th", {}, "lever"), el("th", {}, "packages"), el("th", {}, "in the zone"), el("th", {}, "Nash package")),
    ...d.levers.map((l) => el("tr", {}, el("td", {}, l.name), el("td", {}, fmt(l.outcomes)), el("td", {}, fmt(l.zone)),
      el("td", {}, l.nash ? packageText(l.nash) : "none")))));
}

// ---- errors, at the field when they point at an edit ----

function clearErrors() {
  $("errors").replaceChildren();
  for (const e of document.querySelectorAll("[data-error]")) e.textContent = "";
  for (const i of document.querySelectorAll("input[aria-invalid]")) i.removeAttribute("aria-invalid");
}

function showFieldError(path, message) {
  let shown = false;
  for (const e of document.querySelectorAll('[data-error="' + CSS.escape(path) + '"]')) { e.textContent = message; shown = true; }
  for (const i of document.querySelectorAll('input[data-path="' + CSS.escape(path) + '"]')) i.setAttribute("aria-invalid", "true");
  return shown;
}

function showErrors(body) {
  clearErrors();
  const error = (body && body.error) || { message: String(body) };
  const general = [];
  for (const d of error.diagnostics || []) {
    const where = d.line ? " (line " + d.line + ", column " + d.column + ")" : "";
    const text = d.message + where + (d.help ? "\nhelp: " + d.help : "");
    if (!(d.path && showFieldError(d.path, text))) general.push(text);
  }
  if (!(error.diagnostics || []).length) general.push(error.message);
  $("errors").replaceChildren(...general.map((t) => el("div", { class: "error" }, t)));
}

// ---- saving ----

async function showDiff() {
  const r = await api("POST", "/api/v1/scenarios/" + encodeURIComponent(state.scenario) + "/diff",
    { edits: editList(), version: state.detail.version });
  if (!r.ok) { $("save-status").textContent = r.data.error.message; return showErrors(r.data); }
  $("diff-text").textContent = r.data.diff || "(no change)";
  $("save-panel").hidden = false;
  $("save-status").textContent = r.data.current ? "" : "The file changed on disk since you loaded it: saving will be refused.";
}

async function save() {
  const r = await api("POST", "/api/v1/scenarios/" + encodeURIComponent(state.scenario) + "/save",
    { edits: editList(), version: state.detail.version });
  if (!r.ok) { $("save-status").textContent = "Not saved: " + r.data.error.message; return; }
  $("save-panel").hidden = true;
  $("save-status").textContent = "Saved (version " + r.data.version + ").";
  await openScenario(state.scenario);
  $("save-status").textContent = "Saved and reloaded (version " + r.data.version + ").";
}

async function download() {
  const r = await fetch("/api/v1/scenarios/" + encodeURIComponent(state.scenario) + "/download", {
    method: "POST", headers: { "content-type": "application/json" },
    body: JSON.stringify({ edits: editList(), levers: [] }),
  });
  if (!r.ok) { const body = await r.json(); $("save-status").textContent = body.error.message; return; }
  const blob = await r.blob();
  const a = el("a", { href: URL.createObjectURL(blob), download: state.scenario.endsWith(".toml") ? state.scenario : "scenario.toml" });
  document.body.append(a);
  a.click();
  a.remove();
}

// ---- runs, with progress as server-sent events ----

async function startRun() {
  const body = {
    scenario: state.scenario, kind: $("run-kind").value, edits: editList(), levers: [...state.levers],
    runs: Number($("run-runs").value), months: Number($("run-months").value), samples: 8, particles: 100,
  };
  const r = await api("POST", "/api/v1/runs", body);
  if (!r.ok) { $("run-stage").textContent = r.data.error.message; return; }
  state.run = r.data.id;
  $("run-result").hidden = true;
  $("run-cancel").disabled = false;
  $("run-start").disabled = true;
  showRun(r.data);
  const events = new EventSource("/api/v1/runs/" + r.data.id + "/events");
  state.events = events;
  events.addEventListener("status", (ev) => {
    const s = JSON.parse(ev.data);
    showRun(s);
    if (s.state !== "running") events.close();
  });
  events.onerror = () => events.close();
}

function showRun(s) {
  $("run-progress").value = s.percent;
  $("run-percent").textContent = Math.floor(s.percent) + "%";
  $("run-stage").textContent = s.state === "running"
    ? (s.stage || "starting") + (s.total ? " — " + s.done + " of " + s.total : "")
    : s.state + (s.message ? ": " + s.message : "");
  if (s.state !== "running") {
    $("run-cancel").disabled = true;
    $("run-start").disabled = false;
  }
  if (s.result) {
    $("run-result").href = s.result;
    $("run-result").hidden = false;
  }
}

async function cancelRun() {
  if (state.run) await api("POST", "/api/v1/runs/" + state.run + "/cancel");
}

// ---- wiring ----

document.addEventListener("DOMContentLoaded", () => {
  $("filter").addEventListener("input", renderNumbers);
  $("diff").addEventListener("click", showDiff);
  $("save").addEventListener("click", save);
  $("save-cancel").addEventListener("click", () => { $("save-panel").hidden = true; });
  $("download").addEventListener("click", download);
  $("reset").addEventListener("click", () => { state.edits.clear(); renderInputs(); renderEdits(); analyse(); });
  $("run-start").addEventListener("click", startRun);
  $("run-cancel").addEventListener("click", cancelRun);
  loadScenarios();
});
