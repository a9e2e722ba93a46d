import Foundation
import TestSupport

/// Headless Chromium driven over the DevTools protocol (by Node's built-in WebSocket), for
/// what `--dump-dom` cannot do: click a button on a live page, accept its confirmation, and
/// wait for what the page shows afterwards.
struct ChromiumPage {
    /// What the script saw: `{"clicked":true,"message":"...","after":true,"fits":true}`.
    struct Outcome: Decodable {
        let clicked: Bool
        let message: String
        let after: Bool
        let fits: Bool
    }

    /// Opens `url` at `width`×`height`, clicks the first element matching `selector` (answering
    /// any confirm() with OK), then waits up to 15 s for `afterSelector` to exist.
    /// `selector` "-" clicks nothing; `whenLoaded` runs once the page has loaded (to change
    /// something under it, such as stopping the gateway).
    static func click(_ selector: String, url: String, width: Int, height: Int, waitFor afterSelector: String,
                      scratch: TemporaryDirectory, whenLoaded: () -> Void = {}) throws -> Outcome {
        let script = scratch.file("cdp-\(UUID().uuidString).js")
        try ChromiumPage.script.write(toFile: script, atomically: true, encoding: .utf8)
        let output = scratch.file("cdp-\(UUID().uuidString).out")
        let process = try Subprocess("/usr/bin/env", [
            "node", "--experimental-websocket", "--no-warnings", script, url, String(width), String(height),
            selector, afterSelector, scratch.file("cdp-profile-\(UUID().uuidString)"),
        ], stdout: .file(output))
        let loadDeadline = Date().addingTimeInterval(30)
        while Date() < loadDeadline && !((try? String(contentsOfFile: output, encoding: .utf8)) ?? "").contains("LOADED") {
            usleep(50_000)
        }
        whenLoaded()
        if process.wait(timeout: 60) == nil { process.signal(SIGKILL) }
        let text = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
        guard let line = text.split(separator: "\n").last(where: { $0.hasPrefix("{") }) else {
            throw CocoaError(.fileReadCorruptFile, userInfo: [NSLocalizedDescriptionKey: "no outcome from the CDP script: " + text])
        }
        return try JSONDecoder().decode(Outcome.self, from: Data(line.utf8))
    }

    static let script = #"""
"use strict";
const { spawn } = require("child_process");
const [url, width, height, selector, after, profile] = process.argv.slice(2);
const chrome = spawn("/usr/bin/chromium", ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
  "--remote-debugging-port=0", "--user-data-dir=" + profile, "about:blank"], { stdio: ["ignore", "ignore", "pipe"] });
const done = (result) => { console.log(JSON.stringify(result)); chrome.kill("SIGKILL"); process.exit(0); };
setTimeout(() => done({ clicked: false, message: "timeout", after: false, fits: false }), 45000);
let buffered = "";
chrome.stderr.on("data", async chunk => {
  buffered += chunk;
  const match = /DevTools listening on (ws:\/\/[^\s]+)/.exec(buffered);
  if (!match || buffered === null) return;
  buffered = null;
  const port = new URL(match[1]).port;
  const targets = await (await fetch("http://127.0.0.1:" + port + "/json/list")).json();
  const page = targets.find(t => t.type === "page");
  const socket = new WebSocket(page.webSocketDebuggerUrl);
  let id = 0; const pending = new Map(); const waiters = [];
  const send = (method, params = {}) => new Promise(resolve => { pending.set(++id, resolve); socket.send(JSON.stringify({ id, method, params })); });
  socket.onmessage = async e => {
    const m = JSON.parse(e.data);
    if (m.id && pending.has(m.id)) { pending.get(m.id)(m.result || m.error); pending.delete(m.id); }
    if (m.method === "Page.javascriptDialogOpening") send("Page.handleJavaScriptDialog", { accept: true });
    if (m.method === "Page.loadEventFired") waiters.splice(0).forEach(w => w());
  };
  socket.onopen = async () => {
    await send("Page.enable");
    await send("Emulation.setDeviceMetricsOverride", { width: +width, height: +height, deviceScaleFactor: 1, mobile: false });
    const loaded = new Promise(resolve => waiters.push(resolve));
    await send("Page.navigate", { url });
    await loaded;
    console.log("LOADED");
    const evaluate = async expression => (await send("Runtime.evaluate", { expression, returnByValue: true })).result.value;
    const sleep = ms => new Promise(r => setTimeout(r, ms));
    let clicked = selector === "-";
    for (let i = 0; i < 100 && !clicked; i++) {
      clicked = await evaluate(`(() => { const b = document.querySelector(${JSON.stringify(selector)}); if (!b) return false; b.click(); return true; })()`);
      if (!clicked) await sleep(100);
    }
    let seen = false;
    for (let i = 0; i < 150 && clicked && !seen; i++) {
      seen = await evaluate(`document.querySelector(${JSON.stringify(after)}) !== null`);
      if (!seen) await sleep(100);
    }
    const message = await evaluate(`document.getElementById("msg").textContent`);
    const fits = await evaluate(`document.documentElement.scrollWidth <= document.documentElement.clientWidth`);
    done({ clicked, message, after: seen, fits });
  };
});
"""#
}
