// A small Chrome DevTools Protocol client over --remote-debugging-pipe (fd 3: to the browser,
// fd 4: from it; each message one JSON text ended by a NUL byte). No WebSocket and no npm
// package: node and Debian's chromium are all the browser tests need.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

// $CHROMIUM, else Debian's chromium; null when there is none.
export function findChromium() {
  for (const p of [process.env.CHROMIUM, "/usr/bin/chromium", "/usr/bin/chromium-browser"])
    if (p && existsSync(p)) return p;
  return null;
}

export class Browser {
  static async launch(path, { width = 1360, height = 1000 } = {}) {
    const profile = mkdtempSync(join(tmpdir(), "micro-web-test-"));
    const proc = spawn(path, [
      "--headless=new", "--remote-debugging-pipe", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
      "--no-first-run", "--no-default-browser-check", "--disable-extensions", "--disable-background-networking",
      "--disable-component-update", "--disable-sync", "--mute-audio", `--window-size=${width},${height}`,
      `--user-data-dir=${profile}`, "about:blank",
    ], { stdio: ["ignore", "ignore", "pipe", "pipe", "pipe"] });
    const b = new Browser(proc, profile);
    for (const s of [proc.stdio[3], proc.stdio[4]]) s.on("error", () => { /* the browser went away: exit says so */ });
    proc.stderr.on("data", d => { b.stderr += d.toString(); if (b.stderr.length > 20000) b.stderr = b.stderr.slice(-20000); });
    const { targetId } = await b.send("Target.createTarget", { url: "about:blank" });
    const { sessionId } = await b.send("Target.attachToTarget", { targetId, flatten: true });
    b.session = sessionId;
    await b.send("Page.enable", {}, sessionId);
    await b.send("Runtime.enable", {}, sessionId);
    await b.send("Emulation.setDeviceMetricsOverride", { width, height, deviceScaleFactor: 1, mobile: false }, sessionId);
    return b;
  }

  constructor(proc, profile) {
    this.proc = proc;
    this.profile = profile;
    this.next = 1;
    this.waiting = new Map();
    this.events = [];
    this.stderr = "";
    this.pageErrors = [];
    let buffered = Buffer.alloc(0);
    proc.stdio[4].on("data", chunk => {
      buffered = Buffer.concat([buffered, chunk]);
      let end;
      while ((end = buffered.indexOf(0)) >= 0) {
        const msg = JSON.parse(buffered.subarray(0, end).toString());
        buffered = buffered.subarray(end + 1);
        this.dispatch(msg);
      }
    });
    proc.on("exit", code => {
      for (const [, w] of this.waiting) w.reject(new Error(`chromium exited (${code}): ${this.stderr.slice(-2000)}`));
      this.waiting.clear();
    });
  }

  dispatch(msg) {
    if (msg.id !== undefined) {
      const w = this.waiting.get(msg.id);
      this.waiting.delete(msg.id);
      if (!w) return;
      if (msg.error) w.reject(new Error(`${w.method}: ${msg.error.message}`));
      else w.resolve(msg.result);
      return;
    }
    if (msg.method === "Runtime.exceptionThrown")
      this.pageErrors.push(msg.params.exceptionDetails.exception?.description || msg.params.exceptionDetails.text);
    if (msg.method === "Page.loadEventFired") this.loaded = true;
  }

  send(method, params = {}, sessionId = undefined) {
    const id = this.next++;
    const msg = { id, method, params };
    if (sessionId) msg.sessionId = sessionId;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject, method });
      this.proc.stdio[3].write(JSON.stringify(msg) + "\0");
    });
  }

  async goto(url) {
    this.loaded = false;
    const r = await this.send("Page.navigate", { url }, this.session);
    if (r.errorText) throw new Error(`cannot open ${url}: ${r.errorText}`);
    await this.until("document.readyState === 'complete'", 15000, "the page to load");
  }

  // Runs `expression` in the page (awaiting a promise) and returns its value.
  async eval(expression) {
    const r = await this.send("Runtime.evaluate", { expression, awaitPromise: true, returnByValue: true }, this.session);
    if (r.exceptionDetails)
      throw new Error(`in the page: ${r.exceptionDetails.exception?.description || r.exceptionDetails.text}`);
    return r.result.value;
  }

  // Waits in the page until `predicate` (an expression) is truthy, checking on every DOM change
  // (a MutationObserver) and every 100 ms; fails after `ms` naming `what`. Returns the value.
  async until(predicate, ms, what) {
    const expr = `new Promise(resolve => {
      const check = () => { try { return (${predicate}); } catch (e) { return false; } };
      let v = check();
      if (v) return resolve(v);
      const done = value => { obs.disconnect(); clearInterval(timer); clearTimeout(limit); resolve(value); };
      const obs = new MutationObserver(() => { const x = check(); if (x) done(x); });
      obs.observe(document, { subtree: true, childList: true, characterData: true, attributes: true });
      const timer = setInterval(() => { const x = check(); if (x) done(x); }, 100);
      const limit = setTimeout(() => done(null), ${ms});
    })`;
    const v = await this.eval(expr);
    if (!v) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    return v;
  }

  async screenshot() {
    const r = await this.send("Page.captureScreenshot", { format: "png", captureBeyondViewport: false }, this.session);
    return Buffer.from(r.data, "base64");
  }

  async close() {
    const exited = this.proc.exitCode !== null ? Promise.resolve() : new Promise(r => this.proc.once("exit", r));
    this.send("Browser.close").catch(() => { /* it exits before it answers */ });
    await Promise.race([exited, new Promise(r => setTimeout(r, 5000))]);
    if (this.proc.exitCode === null && this.proc.signalCode === null) {
      this.proc.kill("SIGKILL");
      await exited;
    }
    try { rmSync(this.profile, { recursive: true, force: true, maxRetries: 5 }); } catch { /* a leftover temp dir */ }
  }
}
