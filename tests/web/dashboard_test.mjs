// The dashboard in a real browser: headless Debian chromium, driven over the DevTools protocol
// (cdp.mjs), against real processes: two greeter-server nodes found over mDNS (Avahi), `micro web`,
// `micro publish` and `micro bench`. Checks what a person would look at:
//   1. the two live nodes are listed, healthy;
//   2. bad input in the form gets a coded error (and the page stays up);
//   3. a call from the form returns the greeter's reply, with status and latency;
//   4. a publication on a topic appears in the topic viewer;
//   5. the charts move under load (micro bench);
//   6. a SIGKILLed node disappears from the page within seconds;
//   7. the stream viewer shows a stream endpoint's messages (stream-server's Counter.Count);
//   8. open viewers are bounded: one more event stream than --max_streams is a coded 503;
//   9. `micro api` serves the same page under /web/.
// Every wait awaits a DOM change (cdp.mjs until()), bounded; no fixed sleeps.
// Usage: node dashboard_test.mjs BIN_DIR WORK_DIR [SCREENSHOT.png]. Exit 77 (skipped) without chromium.
import { spawn } from "node:child_process";
import { get } from "node:http";
import { mkdirSync, writeFileSync, openSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Browser, findChromium } from "./cdp.mjs";

const [bin, work, shot] = process.argv.slice(2);
if (!bin || !work) {
  console.error("usage: node dashboard_test.mjs BIN_DIR WORK_DIR [SCREENSHOT.png]");
  process.exit(2);
}
const chromium = findChromium();
if (!chromium) {
  console.log("SKIPPED: no chromium (apt-get install chromium, or scripts/install-deps; or set CHROMIUM=path)");
  process.exit(77);
}
mkdirSync(work, { recursive: true });
const env = { ...process.env, MICRO_REGISTRY: "mdns", MICRO_SERVER_ADDRESS: "127.0.0.1:0" };
delete env.MICRO_REGISTRY_ADDRESS;
const procs = [];
const started = Date.now();
const elapsed = () => ((Date.now() - started) / 1000).toFixed(2) + " s";

// Starts a process with its output in WORK_DIR/NAME.log.
function start(name, args, extraEnv = {}) {
  const log = join(work, name + ".log");
  const fd = openSync(log, "w");
  const p = spawn(join(bin, args[0]), args.slice(1), { env: { ...env, ...extraEnv }, stdio: ["ignore", fd, fd] });
  p.logFile = log;
  procs.push(p);
  return p;
}
// Waits until the process' log matches `re` (20 s at most, or the process ended); returns the match.
async function awaitLog(p, re, what) {
  const until = Date.now() + 20000;
  let exited = false;
  p.once("exit", () => { exited = true; });
  for (;;) {
    const m = readFileSync(p.logFile, "utf8").match(re);
    if (m) return m;
    if (exited || Date.now() > until)
      throw new Error(`no ${what} in ${p.logFile}:\n${readFileSync(p.logFile, "utf8")}`);
    await new Promise(r => setTimeout(r, 25));  // polling a log file: there is no event for it
  }
}
function cleanup() {
  for (const p of procs) if (p.exitCode === null) try { p.kill("SIGKILL"); } catch { /* gone */ }
}
process.on("exit", cleanup);

const service = `web-test-${process.pid}`;
const topic = `web-topic-${process.pid}`;
let browser;
try {
  const nodes = [];
  for (let i = 0; i < 2; ++i) {
    const p = start(`greeter-${i}`, ["greeter-server", "--server_name", service]);
    const m = await awaitLog(p, /service \S+ \((\S+)\) listening on (\S+)/, "listening line");
    nodes.push({ proc: p, id: m[1], address: m[2] });
  }
  const streamer = `web-streamer-${process.pid}`;
  start("streamer", ["stream-server", "--server_name", streamer]);
  const maxStreams = 3;
  const web = start("web", ["micro", "web", "--address", "127.0.0.1:0", "--interval", "500ms", "--max_streams", String(maxStreams)]);
  const url = (await awaitLog(web, /listening on (http:\/\/\S+)/, "listening line"))[1];
  console.log(`processes up: ${elapsed()} (${url})`);

  browser = await Browser.launch(chromium);
  await browser.goto(url);
  const css = JSON.stringify;

  // 1. Both live nodes listed and healthy.
  await browser.until(`document.querySelector('#services li[data-service=${css(service)}]')`, 20000, "the service in the list");
  await browser.eval(`document.querySelector('#services li[data-service=${css(service)}]').click()`);
  const ids = nodes.map(n => n.id);
  await browser.until(`(() => { const rows = [...document.querySelectorAll('#nodes tbody tr')];
      return ${css(ids)}.every(id => rows.some(r => r.dataset.node === id && r.textContent.includes('ok'))); })()`,
    20000, "both nodes listed as healthy");
  console.log(`1. two live nodes listed: ${elapsed()}`);

  // 2. Bad input: a body that is not JSON (caught in the page), and the API's own answers.
  await browser.until(`[...document.querySelectorAll('#call-endpoint option')].some(o => o.value === 'Greeter.Hello')`, 10000, "Greeter.Hello in the form");
  await browser.eval(`(() => { document.getElementById('call-endpoint').value = 'Greeter.Hello';
      document.getElementById('call-body').value = '{"name":'; document.getElementById('call-go').click(); })()`);
  await browser.until(`document.getElementById('call-status').textContent.startsWith('400')`, 5000, "a 400 for a malformed body");
  const api = await browser.eval(`(async () => {
      const post = async body => { const r = await fetch('api/call', { method: 'POST', body }); return [r.status, (await r.json()).code]; };
      return { malformed: await post('{"service":'), unknown: await post(JSON.stringify({ service: 'no-such-service-${process.pid}', endpoint: 'A.B' })),
               endpoint: await post(JSON.stringify({ service: ${css(service)}, endpoint: 'Greeter.Nope' })),
               huge: await post('{"service":"' + 'x'.repeat(300 << 10) + '"}') }; })()`);
  const expect = { malformed: 400, unknown: 404, endpoint: 404, huge: 413 };
  for (const [k, code] of Object.entries(expect))
    if (api[k][0] !== code || api[k][1] !== code) throw new Error(`bad input ${k}: got ${JSON.stringify(api[k])}, expected ${code}`);
  console.log(`2. bad input answered with coded errors ${JSON.stringify(api)}: ${elapsed()}`);

  // 3. A call from the form.
  await browser.eval(`(() => { document.getElementById('call-endpoint').value = 'Greeter.Hello';
      document.getElementById('call-body').value = '{"name":"Browser"}';
      document.getElementById('call-go').click(); })()`);
  const result = await browser.until(`document.getElementById('call-result').textContent.includes('Hello Browser')
      && document.getElementById('call-status').textContent`, 10000, "the call's reply");
  if (!/^200 OK in [0-9.]+ ms from /.test(result)) throw new Error(`unexpected call status: ${result}`);
  console.log(`3. call from the form: "${result}": ${elapsed()}`);

  // 4. A publication from another process appears in the topic viewer.
  await browser.eval(`(() => { document.getElementById('topic-name').value = ${css(topic)}; document.getElementById('topic-go').click(); })()`);
  await browser.until(`document.getElementById('topic-status').dataset.topic === ${css(topic)}`, 20000, "the topic viewer subscribed");
  const pub = start("publish", ["micro", "publish", topic, `{"greeting":"hello from ${process.pid}"}`]);
  await browser.until(`[...document.querySelectorAll('#topic-messages li')].some(li => li.textContent.includes('hello from ${process.pid}'))`,
    10000, "the publication in the topic viewer");
  console.log(`4. publication shown in the topic viewer: ${elapsed()} (micro publish exit ${pub.exitCode ?? "running"})`);

  // 5. The charts move under load.
  const load = start("bench", ["micro", "bench", service, "Greeter.Hello", '{"name":"load"}', "--duration", "30s", "--concurrency", "2", "--rate", "300"]);
  const rate = await browser.until(`(() => { const s = document.getElementById('chart-rate');
      return Number(s.dataset.last) > 20 && s.querySelector('polyline') && s.dataset.last; })()`, 20000, "the calls/s chart to rise");
  await browser.until(`document.getElementById('chart-latency').querySelector('polyline')
      && document.getElementById('chart-latency').dataset.last !== ''`, 10000, "the latency chart to draw");
  // A few more points under load, for a screenshot that shows the rise.
  await browser.until(`(() => { const pts = document.getElementById('chart-rate').querySelector('polyline');
      return pts && pts.getAttribute('points').split(' ').length >= 8; })()`, 15000, "a longer line under load");
  console.log(`5. charts moved under load (calls/s ${rate} when first seen): ${elapsed()}`);
  if (shot) {
    writeFileSync(shot, await browser.screenshot());
    console.log(`   screenshot: ${shot}`);
  }
  // One node's own charts, one click away: its row.
  await browser.eval(`[...document.querySelectorAll('#nodes tbody tr')].find(r => r.dataset.node === ${css(nodes[1].id)}).click()`);
  const own = await browser.until(`document.getElementById('chart-rate').dataset.node === ${css(nodes[1].id)}
      && Number(document.getElementById('chart-rate').dataset.last) > 5 && document.getElementById('chart-rate').dataset.last`,
    10000, "the node's own calls/s chart");
  console.log(`   node ${nodes[1].id}'s own chart: ${own} calls/s of the ${rate} summed: ${elapsed()}`);
  await browser.eval(`[...document.querySelectorAll('#nodes tbody tr')].find(r => r.dataset.node === ${css(nodes[1].id)}).click()`);
  await browser.until(`document.getElementById('chart-rate').dataset.node === ''`, 5000, "back to all nodes");
  load.kill("SIGKILL");

  // 6. A SIGKILLed node disappears.
  const victim = nodes[0];
  const killedAt = Date.now();
  victim.proc.kill("SIGKILL");
  await browser.until(`(() => { const rows = [...document.querySelectorAll('#nodes tbody tr')];
      return !rows.some(r => r.dataset.node === ${css(victim.id)}) && rows.some(r => r.dataset.node === ${css(nodes[1].id)}); })()`,
    20000, "the killed node to disappear");
  console.log(`6. SIGKILLed node gone from the page after ${((Date.now() - killedAt) / 1000).toFixed(2)} s: ${elapsed()}`);

  // 7. The stream viewer.
  await browser.until(`document.querySelector('#services li[data-service=${css(streamer)}]')`, 20000, "the stream service in the list");
  await browser.eval(`document.querySelector('#services li[data-service=${css(streamer)}]').click()`);
  await browser.until(`[...document.querySelectorAll('#call-endpoint option')].some(o => o.value === 'Counter.Count')`, 10000, "Counter.Count in the form");
  await browser.eval(`(() => { document.getElementById('call-endpoint').value = 'Counter.Count';
      document.getElementById('call-body').value = '{"from":1,"to":3,"delay_ms":20}';
      document.getElementById('stream-go').click(); })()`);
  const streamed = await browser.until(`document.getElementById('call-status').textContent === 'stream ended'
      && [...document.querySelectorAll('#stream-messages li')].map(li => li.textContent).join(' ')`, 10000, "the stream's messages");
  if (streamed !== '{"value":1} {"value":2} {"value":3}') throw new Error(`unexpected stream messages: ${streamed}`);
  console.log(`7. stream viewer showed ${streamed}: ${elapsed()}`);

  // 8. Viewers are bounded: the topic viewer holds one event stream; fill the rest, then one more.
  const base = new URL(url);
  const open = path => new Promise((resolve, reject) => {
    const req = get({ host: base.hostname, port: base.port, path: base.pathname + path }, res => resolve({ req, res }));
    req.on("error", reject);
  });
  const held = [];
  for (let i = 1; i < maxStreams; ++i) {
    const { req, res } = await open(`api/subscribe/${topic}-${i}`);
    held.push(req);
    if (res.statusCode !== 200) throw new Error(`event stream ${i} of ${maxStreams}: HTTP ${res.statusCode}`);
  }
  const over = await open(`api/subscribe/${topic}-over`);
  const overBody = await new Promise(r => { let b = ""; over.res.on("data", d => { b += d; }); over.res.on("end", () => r(b)); });
  held.forEach(r => r.destroy());
  if (over.res.statusCode !== 503 || JSON.parse(overBody).code !== 503)
    throw new Error(`stream ${maxStreams + 1} of ${maxStreams}: HTTP ${over.res.statusCode} ${overBody}`);
  console.log(`8. event stream ${maxStreams + 1} refused: ${overBody}: ${elapsed()}`);

  // 9. The gateway serves the page too.
  const gw = start("api", ["micro", "api", "--address", "127.0.0.1:0"]);
  const apiUrl = (await awaitLog(gw, /listening on (http:\/\/\S+?) /, "listening line"))[1] + "/web/";
  await browser.goto(apiUrl);
  await browser.until(`document.querySelector('#services li[data-service=${css(service)}]')`, 20000, "the service on the gateway's page");
  console.log(`9. micro api serves the dashboard at ${apiUrl}: ${elapsed()}`);

  if (browser.pageErrors.length) throw new Error(`errors in the page: ${browser.pageErrors.join("; ")}`);
  console.log(`dashboard browser test: passed in ${elapsed()}`);
  await browser.close();
  cleanup();
  process.exit(0);
} catch (e) {
  console.error(`FAILED at ${elapsed()}: ${e.stack || e}`);
  if (browser) {
    try { writeFileSync(join(work, "failure.png"), await browser.screenshot()); console.error(`page: ${join(work, "failure.png")}`); } catch { /* no page */ }
    await browser.close();
  }
  cleanup();
  process.exit(1);
}
