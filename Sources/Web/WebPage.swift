/// The dashboard: one self-contained page (HTML, CSS and JavaScript inline, no CDN, no
/// build step; the gateway may be offline). It opens `/events` and redraws from each
/// `state` snapshot it receives, so it shows whatever services the gateway has: a card per
/// service from its block in `state`, with nested values as lists and arrays of devices as
/// tables. Values the page cannot know (names, units) come from the services' own blocks.
///
/// The page carries the snapshot of the moment it was requested, so it shows real values
/// at once (before its stream connects, and to a browser that only loads it, such as a
/// headless screenshot); the stream keeps them live after that.
enum WebPage {
    /// The page with `snapshot` (the `state` JSON) inside it.
    static func html(snapshot: String) -> String {
        var page = head
        page.reserveCapacity(head.utf8.count + snapshot.utf8.count + script.utf8.count + 64)
        page += "<script id=\"snapshot\" type=\"application/json\">"
        page += scriptSafe(snapshot)
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
<title>Switchyard</title>
<style>
:root { --bg:#f4f5f7; --card:#fff; --fg:#1d232b; --muted:#66707c; --line:#e2e5ea; --ok:#1f8a4c; --warn:#b7791f; --bad:#c53030; --off:#8a939e; }
@media (prefers-color-scheme: dark) { :root { --bg:#14171b; --card:#1e2228; --fg:#e6e9ed; --muted:#9aa4af; --line:#2d333b; } }
* { box-sizing: border-box; }
body { margin:0; font:15px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; background:var(--bg); color:var(--fg); }
header { display:flex; align-items:center; gap:.75rem; flex-wrap:wrap; padding:.8rem 1rem; background:var(--card); border-bottom:1px solid var(--line); position:sticky; top:0; z-index:1; }
header h1 { font-size:1.2rem; margin:0; }
header .sub { color:var(--muted); font-size:.85rem; }
#live { margin-left:auto; font-size:.85rem; padding:.15rem .6rem; border-radius:1rem; background:var(--off); color:#fff; }
#live[data-live="yes"] { background:var(--ok); }
main { display:grid; grid-template-columns:repeat(auto-fill, minmax(min(100%, 21rem), 1fr)); gap:.8rem; padding:.8rem; }
.card { background:var(--card); border:1px solid var(--line); border-radius:.6rem; padding:.7rem .9rem; min-width:0; }
.card h2 { font-size:1rem; margin:0 0 .4rem; display:flex; align-items:center; gap:.5rem; }
.badge { font-size:.75rem; font-weight:600; padding:.05rem .5rem; border-radius:1rem; color:#fff; background:var(--off); }
.badge.ok, .badge.connected { background:var(--ok); } .badge.degraded, .badge.connecting { background:var(--warn); } .badge.failed, .badge.disconnected { background:var(--bad); }
.detail { color:var(--bad); font-size:.85rem; margin:.2rem 0 .4rem; }
dl.kv { display:grid; grid-template-columns:max-content 1fr; gap:.1rem .8rem; margin:0; }
dl.kv dt { color:var(--muted); } dl.kv dd { margin:0; font-variant-numeric:tabular-nums; overflow-wrap:anywhere; }
dl.kv dl.kv { font-size:.92em; }
.warn { color:var(--bad); font-weight:600; }
.scroll { overflow-x:auto; }
table { border-collapse:collapse; width:100%; font-size:.88rem; font-variant-numeric:tabular-nums; }
th, td { text-align:left; padding:.2rem .4rem; border-bottom:1px solid var(--line); white-space:nowrap; }
th { color:var(--muted); font-weight:500; }
progress { width:100%; }
details { margin:.2rem 0; } summary { cursor:pointer; font-weight:600; overflow-wrap:anywhere; }
footer { color:var(--muted); font-size:.8rem; padding:0 1rem 1rem; }
</style>
</head>
<body>
<header>
  <h1 id="node">switchyard</h1>
  <span class="sub" id="version"></span>
  <span id="live" data-live="no">connecting</span>
</header>
<main id="cards"></main>
<footer>Updated <span id="updated">never</span>. Data: <a href="api/state">/api/state</a> · <a href="metrics">/metrics</a></footer>

"""#

    static let script = #"""
<script>
"use strict";
const WARN = /drop|error|malformed|overrun|fail|refused|superseded|lost|invalid/i;
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
    // Devices with readings inside (Benchlab power, BLE values): one block each, all shown.
    const nested = v.some(row => !isScalar(row) && Object.values(row).some(x => !isScalar(x) && unitValue(x) === null));
    if (nested) return el("div", {}, ...v.map((row, i) => el("details", {open: ""}, el("summary", {}, label(row, i)),
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
function render(state) {
  document.getElementById("node").textContent = state.node || "switchyard";
  document.title = (state.node || "switchyard") + " · Switchyard";
  document.getElementById("version").textContent = [state.version, state.arch, state.board].filter(Boolean).join(" · ");
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
    cards.push(card("MQTT uplink", link, kv(rest), {id: "uplink"}));
  }
  if (Array.isArray(state.tasks)) cards.push(card("Tasks", null, table(state.tasks), {id: "tasks"}));
  for (const [name, entry] of Object.entries(state.services || {})) {
    const body = el("div", {});
    if (entry.detail) body.append(el("div", {class: "detail"}, entry.detail));
    if (entry.enabled === false) body.append(el("div", {class: "sub"}, "disabled"));
    else if (entry.state && !isScalar(entry.state)) body.append(kv(entry.state));
    cards.push(card(name, entry.health, body, {"data-service": name}));
  }
  document.getElementById("cards").replaceChildren(...cards);
  document.getElementById("updated").textContent = new Date().toLocaleTimeString();
}
function live(on) {
  const badge = document.getElementById("live");
  badge.dataset.live = on ? "yes" : "no";
  badge.textContent = on ? "live" : "offline, retrying";
}
try { render(JSON.parse(document.getElementById("snapshot").textContent)); } catch (err) { console.error(err); }
const events = new EventSource("events");
events.onmessage = e => { try { render(JSON.parse(e.data)); live(true); } catch (err) { console.error(err); } };
events.onerror = () => live(false);
</script>
</body>
</html>
"""#
}
