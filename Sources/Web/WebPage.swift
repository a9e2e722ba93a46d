/// The dashboard: one self-contained page (HTML, CSS and JavaScript inline, no CDN, no
/// build step; the gateway may be offline). It opens `/events` and redraws from each
/// `state` snapshot it receives. Readings come first: each service's typed `readings`
/// (values large, with units, and a sparkline from `/api/trends` for those with a trend);
/// below, a card per service whose diagnostics (its `state` block) sit in a collapsed
/// "details" section, as do the gateway's uplink and tasks.
///
/// The page carries the snapshot of the moment it was requested, so it shows real values
/// at once (before its stream connects, and to a browser that only loads it, such as a
/// headless screenshot); the stream keeps them live after that.
enum WebPage {
    /// The page with `snapshot` (the `state` JSON) inside it, and the token its actions send.
    static func html(snapshot: String, csrfToken: String = "", settings: String = "{\"forms\":[]}") -> String {
        var page = head
        page.reserveCapacity(head.utf8.count + snapshot.utf8.count + script.utf8.count + 128)
        // The token is hex (or empty): nothing in it needs escaping.
        page += "<meta name=\"csrf\" content=\"" + csrfToken + "\">\n"
        page += "<script id=\"snapshot\" type=\"application/json\">"
        page += scriptSafe(snapshot)
        page += "</script>\n"
        // The settings forms too, so they are there at once (`WebSettingsForm`, no secrets).
        page += "<script id=\"settings-data\" type=\"application/json\">"
        page += scriptSafe(settings)
        page += "</script>\n"
        page += script
        return page
    }

    /// JSON made safe inside a script element: `</` (as in a value containing `</script>`)
    /// becomes `<\/`, which JSON reads back as the same text.
    static func scriptSafe(_ json: String) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(json.utf8.count)
        var previous: UInt8 = 0
        for byte in json.utf8 {
            if previous == UInt8(ascii: "<") && byte == UInt8(ascii: "/") { bytes.append(UInt8(ascii: "\\")) }
            bytes.append(byte)
            previous = byte
        }
        return String(decoding: bytes, as: UTF8.self)
    }


    static let head = #"""
<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>Switchyard</title>
<style>
:root { --bg:#f4f5f7; --card:#fff; --fg:#1d232b; --muted:#66707c; --line:#e2e5ea; --tile:#f0f2f5; --accent:#2b6cb0; --ok:#1f8a4c; --warn:#b7791f; --bad:#c53030; --off:#8a939e; }
@media (prefers-color-scheme: dark) { :root { --bg:#14171b; --card:#1e2228; --fg:#e6e9ed; --muted:#9aa4af; --line:#2d333b; --tile:#262b32; --accent:#63b3ed; } }
* { box-sizing: border-box; }
html { overflow-x:hidden; }
body { margin:0; font:15px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; background:var(--bg); color:var(--fg); overflow-wrap:anywhere; }
header { display:flex; align-items:center; gap:.75rem; flex-wrap:wrap; padding:.8rem 1rem; background:var(--card); border-bottom:1px solid var(--line); position:sticky; top:0; z-index:1; }
header h1 { font-size:1.2rem; margin:0; }
.sub { color:var(--muted); font-size:.85rem; }
#live { margin-left:auto; font-size:.85rem; padding:.15rem .6rem; border-radius:1rem; background:var(--off); color:#fff; }
#live[data-live="live"] { background:var(--ok); } #live[data-live="reconnecting"] { background:var(--warn); } #live[data-live="offline"] { background:var(--bad); }
h2.sec { font-size:.8rem; text-transform:uppercase; letter-spacing:.06em; color:var(--muted); margin:.9rem 1rem 0; }
main { display:grid; grid-template-columns:repeat(auto-fill, minmax(min(100%, 21rem), 1fr)); gap:.8rem; padding:.8rem; align-items:start; }
.card { background:var(--card); border:1px solid var(--line); border-radius:.6rem; padding:.7rem .9rem; min-width:0; }
.card h2 { font-size:1rem; margin:0 0 .4rem; display:flex; align-items:center; gap:.5rem; flex-wrap:wrap; }
.group + .group { margin-top:.7rem; }
.group h3 { font-size:.9rem; margin:0 0 .35rem; display:flex; gap:.4rem; align-items:center; flex-wrap:wrap; }
.vals { display:grid; grid-template-columns:repeat(auto-fill, minmax(7.2rem, 1fr)); gap:.45rem; }
.r { background:var(--tile); border-radius:.45rem; padding:.3rem .5rem; min-width:0; }
.r .n { display:block; color:var(--muted); font-size:.78rem; }
.r b { font-size:1.45rem; font-weight:600; font-variant-numeric:tabular-nums; }
.r small { color:var(--muted); }
.r b.t { font-size:1rem; }
.r svg { display:block; width:100%; height:1.4rem; fill:none; stroke:var(--accent); stroke-width:1.5; }
.badge { font-size:.75rem; font-weight:600; padding:.05rem .5rem; border-radius:1rem; color:#fff; background:var(--off); }
.badge.ok, .badge.connected, .badge.approved, .badge.charging, .badge.open { background:var(--ok); } .badge.degraded, .badge.connecting { background:var(--warn); } .badge.failed, .badge.disconnected { background:var(--bad); }
.detail { color:var(--bad); font-size:.85rem; margin:.2rem 0 .4rem; }
dl.kv { display:grid; grid-template-columns:minmax(0, max-content) minmax(0, 1fr); gap:.1rem .8rem; margin:0; }
dl.kv dt { color:var(--muted); } dl.kv dd { margin:0; min-width:0; font-variant-numeric:tabular-nums; }
dl.kv dl.kv { font-size:.92em; }
.warn { color:var(--bad); font-weight:600; }
.scroll { overflow-x:auto; max-width:100%; }
table { border-collapse:collapse; width:100%; font-size:.88rem; font-variant-numeric:tabular-nums; }
th, td { text-align:left; padding:.2rem .4rem; border-bottom:1px solid var(--line); white-space:nowrap; }
th { color:var(--muted); font-weight:500; }
progress { width:100%; }
details { margin:.2rem 0; } summary { cursor:pointer; color:var(--muted); }
footer { color:var(--muted); font-size:.8rem; padding:0 1rem 1rem; }
a { color:var(--accent); }
button { font:inherit; padding:.25rem .7rem; border-radius:.4rem; border:1px solid var(--line); background:var(--tile); color:var(--fg); cursor:pointer; }
.group button { font-size:.78rem; padding:.05rem .5rem; }
form label { display:block; margin:.2rem 0; color:var(--muted); font-size:.85rem; }
form label small { display:block; }
input, select { font:inherit; width:100%; padding:.2rem .4rem; border:1px solid var(--line); border-radius:.3rem; background:var(--bg); color:var(--fg); }
.bad { color:var(--bad); } .good { color:var(--ok); }
</style>
</head>
<body>
<header>
  <h1 id="node">switchyard</h1>
  <span class="sub" id="version"></span>
  <span id="live" data-live="connecting">connecting</span>
</header>
<h2 class="sec">Readings</h2>
<main id="readings"></main>
<h2 class="sec">Gateway and services</h2>
<main id="cards"></main>
<h2 class="sec">Actions</h2>
<main id="actions">
<section class="card"><h2>Gateway</h2>
  <p id="msg" class="sub" role="status">Actions ask before they change anything.</p>
  <button data-action="restart" data-ask="Restart the gateway now?">Restart</button>
  <button data-action="bmw_login">BMW login</button>
</section>
<div id="settings" style="display:contents"></div>
<section class="card" id="firmware"><h2>Firmware</h2>
  <p id="otastate" class="sub">–</p>
  <form id="ota"><label>Signed update file (from <code>switchyard ota sign</code>) <input type="file" name="update"></label>
  <progress id="otaprog" max="100" value="0" hidden></progress>
  <p id="otamsg" class="sub" role="status"></p>
  <button>Upload and install</button></form>
</section>
</main>
<footer>Updated <span id="updated">never</span>. Data: <a href="api/state">/api/state</a> · <a href="api/trends">/api/trends</a> · <a href="metrics">/metrics</a></footer>

"""#

    static let script = #"""
<script>
"use strict";
const WARN = /drop|error|malformed|overrun|fail|refused|superseded|lost|invalid/i;
let trends = {}, last = null;
function el(tag, attrs, ...kids) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) { if (v !== undefined && v !== null) node.setAttribute(k, v); }
  for (const kid of kids) { if (kid !== null && kid !== undefined) node.append(kid instanceof Node ? kid : String(kid)); }
  return node;
}
function isScalar(v) { return v === null || typeof v !== "object"; }
function num(v) { return Number.isInteger(v) ? v.toLocaleString("en") : String(+v.toFixed(3)); }
function uptime(s) {
  const d = Math.floor(s / 86400), h = Math.floor(s % 86400 / 3600), m = Math.floor(s % 3600 / 60);
  return (d ? d + "d " : "") + (d || h ? h + "h " : "") + (d || h || m ? m + "m " : "") + (s % 60) + "s";
}
function unitValue(o) {
  if (!o || isScalar(o) || Array.isArray(o) || !("value" in o) || !("unit" in o)) return null;
  return (typeof o.value === "number" ? num(o.value) : String(o.value)) + (o.unit ? " " + o.unit : "");
}
function scalarText(key, v) {
  if (v === null) return "–";
  if (typeof v === "boolean") return v ? "yes" : "no";
  if (typeof v === "number") return /uptime/.test(key) ? uptime(v) : num(v);
  return String(v);
}
function value(key, v) {
  if (isScalar(v)) {
    const span = el("span", {}, scalarText(key, v));
    if (typeof v === "number" && v > 0 && WARN.test(key)) span.className = "warn";
    return span;
  }
  const withUnit = unitValue(v);
  if (withUnit !== null) return el("span", {}, withUnit);
  if (Array.isArray(v)) {
    if (v.every(isScalar)) return el("span", {}, v.length ? v.map(x => scalarText(key, x)).join(", ") : "none");
    const nested = v.some(row => !isScalar(row) && Object.values(row).some(x => !isScalar(x) && unitValue(x) === null));
    if (nested) return el("div", {}, ...v.map((row, i) => el("div", {}, el("b", {}, label(row, i)),
                                                               isScalar(row) ? scalarText(key, row) : kv(row))));
    return table(v);
  }
  if (typeof v.progress === "number" || typeof v.percent === "number") {
    const p = typeof v.progress === "number" ? v.progress : v.percent;
    const box = el("div", {}, el("progress", {max: 100, value: p}), " " + num(p) + "%");
    box.append(kv(v, ["progress", "percent"]));
    return box;
  }
  return kv(v);
}
function label(row, i) {
  for (const k of ["name", "id", "uid", "mac", "address", "vin", "device", "port"]) {
    if (row && typeof row[k] === "string") return row[k];
  }
  return "#" + (i + 1);
}
function kv(object, skip) {
  const dl = el("dl", {class: "kv"});
  for (const [k, v] of Object.entries(object)) {
    if (skip && skip.includes(k)) continue;
    dl.append(el("dt", {}, k.replace(/_/g, " ")), el("dd", {"data-key": k}, value(k, v)));
  }
  return dl;
}
function table(rows) {
  const cols = [];
  for (const row of rows) {
    if (isScalar(row)) continue;
    for (const [k, v] of Object.entries(row)) { if ((isScalar(v) || unitValue(v) !== null) && !cols.includes(k)) cols.push(k); }
  }
  const head = el("tr", {}, ...cols.map(c => el("th", {}, c.replace(/_/g, " "))));
  const body = rows.map(row => el("tr", {}, ...cols.map(c => {
    const v = isScalar(row) ? undefined : row[c];
    return el("td", {}, v === undefined ? "" : (unitValue(v) ?? value(c, v)));
  })));
  return el("div", {class: "scroll"}, el("table", {}, el("thead", {}, head), el("tbody", {}, ...body)));
}
function card(title, badge, body, attrs) {
  const h2 = el("h2", {}, title);
  if (badge) h2.append(el("span", {class: "badge " + badge}, badge));
  return el("section", Object.assign({class: "card"}, attrs || {}), h2, body);
}
function folded(id, body) { return el("details", {"data-id": id}, el("summary", {}, "details"), body); }
const SVG = "http://www.w3.org/2000/svg";
function spark(values) {
  const v = values.filter(x => typeof x === "number" && isFinite(x));
  if (v.length < 2) return null;
  const lo = Math.min(...v), hi = Math.max(...v), span = hi - lo || 1;
  const svg = document.createElementNS(SVG, "svg"), line = document.createElementNS(SVG, "polyline");
  svg.setAttribute("viewBox", "0 0 100 24");
  svg.setAttribute("preserveAspectRatio", "none");
  line.setAttribute("points", v.map((x, i) => (i * 100 / (v.length - 1)).toFixed(1) + "," + (22 - (x - lo) * 20 / span).toFixed(1)).join(" "));
  line.setAttribute("vector-effect", "non-scaling-stroke");
  svg.append(line);
  return svg;
}
function group(service, g) {
  const h3 = el("h3", {}, g.title, ...(g.badges || []).map(b => el("span", {class: "badge " + b}, b)));
  if (service === "ble") {
    const approved = (g.badges || []).includes("approved"), paired = (g.badges || []).includes("paired");
    h3.append(approved ? el("button", {"data-action": "remove", "data-address": g.id, "data-ask": "Remove " + g.title + "?"}, "Remove")
                       : el("button", {"data-action": "approve", "data-address": g.id}, "Approve"),
              paired ? el("button", {"data-action": "unpair", "data-address": g.id, "data-ask": "Unpair " + g.title + "?"}, "Unpair")
                     : el("button", {"data-action": "pair", "data-address": g.id, "data-ask": "Pair with " + g.title + "?"}, "Pair"));
  }
  const vals = el("div", {class: "vals"});
  for (const r of g.values || []) {
    const key = service + "/" + g.id + "/" + r.key;
    const text = typeof r.value === "number" ? num(r.value) : (r.value ?? "–");
    const cell = el("div", {class: "r", "data-reading": key}, el("span", {class: "n"}, r.name),
                    el("b", typeof r.value === "number" ? {} : {class: "t"}, text),
                    r.unit ? el("small", {}, " " + r.unit) : null);
    if (r.trend) { const s = spark((trends[key] || []).concat([r.value])); if (s) cell.append(s); }
    vals.append(cell);
  }
  return el("div", {class: "group", "data-group": service + "/" + g.id}, h3, vals);
}
function render(state) {
  last = state;
  const open = new Set([...document.querySelectorAll("details[open]")].map(d => d.dataset.id));
  document.getElementById("node").textContent = state.node || "switchyard";
  document.title = (state.node || "switchyard") + " · Switchyard";
  document.getElementById("version").textContent = [state.version, state.arch, state.board].filter(Boolean).join(" · ");
  const readings = [];
  for (const [name, entry] of Object.entries(state.services || {})) {
    if (!Array.isArray(entry.readings) || !entry.readings.length) continue;
    readings.push(card(name, entry.health, el("div", {}, ...entry.readings.map(g => group(name, g))), {"data-readings": name}));
  }
  if (!readings.length) readings.push(el("p", {class: "sub"}, "No readings yet: enable a service with devices (BLE, CAN, Benchlab, a car)."));
  document.getElementById("readings").replaceChildren(...readings);
  const slot = state.slot ?? state.services?.ota?.state?.slot;
  const node = {uptime: state.uptime_s, version: state.version, architecture: state.arch, board: state.board,
                slot: slot ?? "–", led: state.led};
  // What a person must fix or know: a setting the gateway could not use, safe mode, the last crash.
  for (const p of state.problems || []) node["setting " + p.key] = p.reason;
  if (state.safe_mode) node["safe mode"] = "console, uplink and OTA only";
  if (state.last_crash) node["last crash"] = state.last_crash;
  const nodeBody = kv(node);
  nodeBody.querySelector('[data-key="uptime"]').id = "uptime";
  nodeBody.querySelector('[data-key="led"]').id = "led";
  const cards = [card("Gateway", null, nodeBody, {id: "gateway"})];
  if (state.uplink) {
    const {state: link, ...rest} = state.uplink;
    cards.push(card("MQTT uplink", link, folded("uplink", kv(rest)), {id: "uplink"}));
  }
  if (Array.isArray(state.tasks)) cards.push(card("Tasks", null, folded("tasks", table(state.tasks)), {id: "tasks"}));
  for (const [name, entry] of Object.entries(state.services || {})) {
    const body = el("div", {});
    if (entry.detail) body.append(el("div", {class: "detail"}, entry.detail));
    if (entry.enabled === false) body.append(el("div", {class: "sub"}, "disabled"));
    else if (entry.state && !isScalar(entry.state)) body.append(folded(name, kv(entry.state)));
    cards.push(card(name, entry.health, body, {"data-service": name}));
  }
  document.getElementById("cards").replaceChildren(...cards);
  for (const d of document.querySelectorAll("details")) { if (open.has(d.dataset.id)) d.open = true; }
  document.getElementById("updated").textContent = new Date().toLocaleTimeString();
  // Whether the page fits its window without sideways scrolling (the browser test reads it).
  const root = document.documentElement;
  root.dataset.fits = root.scrollWidth <= root.clientWidth ? "yes" : "no";
  showUpdate(state.services?.ota);
}
// Where an update stands (from the OTA service's state): after the upload, its progress.
function showUpdate(ota) {
  const line = document.getElementById("otastate"), u = ota?.state?.update;
  if (!ota?.state) { line.textContent = ota ? "updates are off (ota.enabled)" : "–"; return; }
  let text = "running " + ota.state.running + " from slot " + ota.state.slot;
  if (u && u.state !== "idle") text += " · " + u.state.replace(/_/g, " ") + (u.version ? " " + u.version : "")
    + (u.state === "receiving" || u.state === "verifying" ? " " + u.percent + "%" : "") + (u.reason ? ": " + u.reason : "");
  line.textContent = text;
  const bar = document.getElementById("otaprog");
  if (!uploading && u && (u.state === "receiving" || u.state === "verifying")) { bar.hidden = false; bar.value = u.percent; }
}
let uploading = false;
function live(mode) {
  const badge = document.getElementById("live");
  badge.dataset.live = mode;
  badge.textContent = mode;
}
const CSRF = document.querySelector('meta[name="csrf"]')?.content || "";
function say(text, ok, where) {
  const msg = document.getElementById(where || "msg");
  msg.className = ok ? "good" : "bad";
  const link = /https?:\/\/\S+/.exec(text);
  msg.replaceChildren(link ? text.slice(0, link.index) : text);
  if (link) msg.append(el("a", {href: link[0], target: "_blank", rel: "noopener"}, link[0]), text.slice(link.index + link[0].length));
}
// Every action is a POST with the page's token; privileged ones ask first and say so.
function act(body, ask) {
  if (ask) { if (!confirm(ask)) return Promise.resolve(false); body.confirm = true; }
  return fetch("api/action", {method: "POST", headers: {"Content-Type": "application/json", "X-CSRF-Token": CSRF},
                              body: JSON.stringify(body)})
    .then(r => r.json().then(j => { say(typeof j.output === "string" ? j.output : JSON.stringify(j.output), j.ok); return j.ok; }))
    .catch(err => { say(String(err), false); return false; });
}
document.addEventListener("click", e => {
  const b = e.target.closest("button[data-action]");
  if (!b) return;
  const body = {action: b.dataset.action};
  if (b.dataset.address) body.address = b.dataset.address;
  act(body, b.dataset.ask);
});
// The settings forms, drawn from the gateway's catalogue (a field per key it has; a secret
// shows only whether it is set). An empty field leaves its setting as it is.
function field(f) {
  const hint = f.secret ? (f.set ? "set (hidden)" : "not set") : (f.current || "empty");
  const input = f.choices || f.kind === "boolean"
    ? el("select", {name: f.key}, el("option", {value: ""}, "unchanged (" + hint + ")"),
         ...(f.choices || ["true", "false"]).map(c => el("option", {value: c}, c)))
    : el("input", {name: f.key, placeholder: hint, autocomplete: f.secret ? "new-password" : "off",
                   type: f.secret ? "password" : "text", inputmode: /^integer/.test(f.kind) ? "numeric" : null});
  return el("label", {title: f.help}, f.key, input, el("small", {class: "bad", "data-error": f.key}));
}
function showSettings(s) {
  document.getElementById("settings").replaceChildren(...s.forms.map(f =>
    el("section", {class: "card"}, el("h2", {}, f.title),
       el("form", {"data-form": f.id}, ...f.fields.map(field), el("p", {class: "sub", role: "status"}), el("button", {}, "Save")))));
}
function loadSettings() { fetch("api/settings").then(r => r.json()).then(showSettings).catch(() => {}); }
document.getElementById("settings").addEventListener("submit", e => {
  e.preventDefault();
  const form = e.target, note = form.querySelector("p");
  const values = Object.fromEntries([...new FormData(form)].filter(([, v]) => v !== ""));
  for (const s of form.querySelectorAll("[data-error]")) s.textContent = "";
  if (!Object.keys(values).length) { note.className = "bad"; note.textContent = "nothing to change"; return; }
  if (!confirm("Change " + Object.keys(values).join(", ") + "? The gateway applies it at once.")) return;
  fetch("api/action", {method: "POST", headers: {"Content-Type": "application/json", "X-CSRF-Token": CSRF},
                       body: JSON.stringify({action: "settings", values, confirm: true})})
    .then(r => r.json()).then(j => {
      for (const [k, m] of Object.entries(j.errors || {})) { const s = form.querySelector('[data-error="' + k + '"]'); if (s) s.textContent = m; }
      note.className = j.ok ? "good" : "bad";
      note.textContent = j.ok ? "saved" : (typeof j.output === "string" ? j.output : JSON.stringify(j.output));
      if (j.ok) { form.reset(); loadSettings(); }
    }).catch(err => { note.className = "bad"; note.textContent = String(err); });
});
// The update file goes as the request body with the page's token, once the person said yes.
document.getElementById("ota").addEventListener("submit", e => {
  e.preventDefault();
  const file = e.target.update.files[0];
  if (!file) return say("choose an update file first", false, "otamsg");
  if (!confirm("Install " + file.name + "? The gateway checks its signature, restarts into it and rolls back if it fails.")) return;
  const xhr = new XMLHttpRequest(), bar = document.getElementById("otaprog");
  xhr.open("POST", "api/ota");
  xhr.setRequestHeader("X-CSRF-Token", CSRF);
  xhr.setRequestHeader("X-Confirm", "yes");
  bar.hidden = false;
  bar.value = 0;
  uploading = true;
  say("uploading " + file.name + "…", true, "otamsg");
  xhr.upload.onprogress = p => { if (p.lengthComputable) bar.value = p.loaded * 100 / p.total; };
  xhr.onload = () => {
    uploading = false;
    let j = null;
    try { j = JSON.parse(xhr.responseText); } catch (err) {}
    say(j ? (typeof j.output === "string" ? j.output : JSON.stringify(j.output)) : xhr.status + " " + xhr.statusText, j?.ok, "otamsg");
  };
  xhr.onerror = () => { uploading = false; say("the upload broke off: connection lost", false, "otamsg"); };
  xhr.send(file);
});
function loadTrends() {
  fetch("api/trends").then(r => r.json()).then(t => { trends = t.series || {}; if (last) render(last); }).catch(() => {});
}
try { render(JSON.parse(document.getElementById("snapshot").textContent)); } catch (err) { console.error(err); }
loadTrends();
try { showSettings(JSON.parse(document.getElementById("settings-data").textContent)); } catch (err) { console.error(err); }
setInterval(loadTrends, 10000);
// The stream: a whole state first (and now and then), then "delta" events with only the parts
// that changed ("services/can/readings" and the like). Each carries its id and the id it
// applies to; a gap (a delta missed) means reconnecting for a whole state.
let events = null, seen = null, heard = 0, lostSince = 0;
function put(path, v) {
  const keys = path.split("/"), end = keys.pop();
  let at = last;
  for (const k of keys) at = at[k] = (at[k] && typeof at[k] === "object") ? at[k] : {};
  if (v === undefined) delete at[end]; else at[end] = v;
}
function connect() {
  if (events) events.close();
  events = new EventSource("events");
  events.onopen = () => { heard = Date.now(); lostSince = 0; live("live"); };
  events.onmessage = e => { try { seen = e.lastEventId; heard = Date.now(); render(JSON.parse(e.data)); live("live"); } catch (err) { console.error(err); } };
  events.addEventListener("delta", e => {
    heard = Date.now();
    const d = JSON.parse(e.data);
    if (!last || String(d.base) !== seen) return connect();
    seen = e.lastEventId;
    for (const [path, v] of Object.entries(d.set)) put(path, v);
    for (const path of d.gone) put(path, undefined);
    render(last);
    live("live");
  });
  events.addEventListener("ping", () => { heard = Date.now(); });
  // The browser retries by itself (retry: 3000) while readyState is CONNECTING; CLOSED means it gave up.
  events.onerror = () => { lostSince = lostSince || Date.now(); status(); };
}
// Live only while events arrive (at least a ping every 15 s); reconnecting while the browser
// retries; offline when it gave up, the machine is offline, or 30 s of retrying got nowhere.
function status() {
  if (events.readyState === EventSource.OPEN && Date.now() - heard > 40000) { lostSince = Date.now(); return connect(); }
  if (events.readyState === EventSource.OPEN) return;
  const gaveUp = events.readyState === EventSource.CLOSED || navigator.onLine === false || (lostSince && Date.now() - lostSince > 30000);
  live(gaveUp ? "offline" : "reconnecting");
  if (events.readyState === EventSource.CLOSED) setTimeout(connect, 5000);
}
connect();
setInterval(status, 5000);
</script>
</body>
</html>
"""#
}
