// The dashboard page: polls api/services and api/stats once a second, draws the tables and
// charts, and runs the call form, the topic viewer and the stream viewer (Server-Sent Events).
// Every value from the cluster goes in through textContent, never as HTML.
"use strict";
const $ = id => document.getElementById(id);
const state = { catalog: null, service: null, node: "", endpoint: "*", topic: null, stream: null };

function td(tr, text, cls) {
  const c = document.createElement("td");
  c.textContent = text === undefined || text === null ? "" : String(text);
  if (cls) c.className = cls;
  tr.appendChild(c);
  return c;
}
function option(select, value, text) {
  const o = document.createElement("option");
  o.value = value;
  o.textContent = text;
  select.appendChild(o);
}
function bytes(n) { return n > 1 << 20 ? (n / (1 << 20)).toFixed(1) + " MiB" : n > 1024 ? (n / 1024).toFixed(0) + " KiB" : n + " B"; }
function uptime(s) { return s >= 3600 ? (s / 3600).toFixed(1) + " h" : s >= 60 ? Math.floor(s / 60) + " min" : s + " s"; }
function addLine(list, text, max) {
  const li = document.createElement("li");
  li.textContent = text;
  list.appendChild(li);
  while (list.children.length > (max || 200)) list.removeChild(list.firstChild);
  list.scrollTop = list.scrollHeight;
}
async function getJSON(url) {
  const r = await fetch(url, { cache: "no-store" });
  const body = await r.json().catch(() => ({ detail: "not JSON" }));
  if (!r.ok) throw new Error((body && body.detail) || r.statusText);
  return body;
}

async function refresh() {
  try {
    const catalog = await getJSON("api/services");
    state.catalog = catalog;
    $("problem").textContent = catalog.error || "";
    $("registry").textContent = "registry " + (catalog.registry || "?");
    $("updated").textContent = catalog.updated ? "updated " + new Date(catalog.updated * 1000).toLocaleTimeString() : "";
    drawServices();
    if (state.service) {
      drawService();
      await refreshStats();
    }
  } catch (e) {
    $("problem").textContent = "dashboard unreachable: " + e.message;
  }
}

function currentService() {
  return state.catalog && state.catalog.services.find(s => s.name === state.service);
}

function drawServices() {
  const ul = $("services");
  ul.textContent = "";
  for (const s of state.catalog.services) {
    const li = document.createElement("li");
    li.dataset.service = s.name;
    if (s.name === state.service) li.className = "selected";
    const name = document.createElement("span");
    name.textContent = s.name;
    const health = document.createElement("span");
    const up = s.nodes.filter(n => n.health === "ok").length;
    health.textContent = up + "/" + s.nodes.length;
    health.className = up === s.nodes.length && up > 0 ? "ok" : up > 0 ? "warn" : "bad";
    health.title = "nodes healthy / registered";
    li.append(name, health);
    li.onclick = () => select(s.name);
    ul.appendChild(li);
  }
}

function select(name) {
  state.service = name;
  state.node = "";
  state.endpoint = "*";
  $("service").hidden = false;
  $("call-result").textContent = "";
  $("call-status").textContent = "";
  drawServices();
  drawService(true);
  refreshStats();
}

function drawService(fresh) {
  const s = currentService();
  if (!s) { $("service-name").textContent = state.service + " (gone)"; return; }
  $("service-name").textContent = s.name;
  $("service-versions").textContent = s.versions.filter(v => v).map(v => "version " + v).join(", ");
  const body = $("nodes").querySelector("tbody");
  body.textContent = "";
  for (const n of s.nodes) {
    const tr = document.createElement("tr");
    tr.dataset.node = n.id;
    if (n.id === state.node) tr.className = "selected";
    td(tr, n.id).title = n.id;
    td(tr, n.address);
    td(tr, n.version);
    td(tr, (n.metadata || {}).host || "");
    const h = td(tr, n.health + (n.health_ms !== null ? " (" + n.health_ms + " ms)" : ""), n.health);
    h.title = n.health_detail || "";
    for (const k of ["rate", "errors", "p50", "p99", "in_flight", "memory", "uptime"]) td(tr, "").dataset.k = k;
    tr.onclick = () => { state.node = state.node === n.id ? "" : n.id; drawService(); refreshStats(); };
    body.appendChild(tr);
  }
  const scopeNode = $("scope-node"), keepNode = state.node;
  scopeNode.textContent = "";
  option(scopeNode, "", "all nodes (" + s.nodes.length + ")");
  for (const n of s.nodes) option(scopeNode, n.id, "node " + n.id);
  scopeNode.value = keepNode;
  scopeNode.onchange = () => { state.node = scopeNode.value; drawService(); refreshStats(); };
  const eps = $("endpoints").querySelector("tbody");
  eps.textContent = "";
  const callSel = $("call-endpoint"), keepCall = callSel.value;
  callSel.textContent = "";
  for (const e of s.endpoints) {
    const meta = e.metadata || {};
    const kind = meta.subscriber === "true" ? "subscriber " + (meta.topic || "") : meta.stream === "true" ? "stream" : "unary";
    const tr = document.createElement("tr");
    tr.dataset.endpoint = e.name;
    td(tr, e.name);
    td(tr, e.request);
    td(tr, e.response);
    td(tr, kind);
    const use = document.createElement("button");
    use.textContent = kind === "stream" ? "stream" : "call";
    use.disabled = kind.startsWith("subscriber");
    use.onclick = () => { callSel.value = e.name; $("call-body").focus(); };
    td(tr, "").appendChild(use);
    eps.appendChild(tr);
    if (!kind.startsWith("subscriber")) option(callSel, e.name, e.name + (kind === "stream" ? " (stream)" : ""));
  }
  if (keepCall && !fresh) callSel.value = keepCall;
}

async function refreshStats() {
  if (!state.service) return;
  const asked = { service: state.service, node: state.node };
  let view;
  try {
    view = await getJSON("api/stats?service=" + encodeURIComponent(asked.service) + "&node=" + encodeURIComponent(asked.node));
  } catch (e) {
    view = { endpoints: {}, nodes: [] };
  }
  if (asked.service !== state.service || asked.node !== state.node) return;  // a click changed the view meanwhile
  const sel = $("scope-endpoint"), keep = state.endpoint;
  sel.textContent = "";
  option(sel, "*", "all endpoints");
  for (const name of Object.keys(view.endpoints).filter(n => n !== "*")) option(sel, name, name);
  sel.value = view.endpoints[keep] ? keep : "*";
  state.endpoint = sel.value;
  sel.onchange = () => { state.endpoint = sel.value; refreshStats(); };
  const pts = view.endpoints[state.endpoint] || [];
  const col = i => pts.map(p => [p[0], p[i]]);
  drawChart($("chart-rate"), [{ name: "calls/s", color: "#2f6fdf", points: col(1) }], "calls/s");
  drawChart($("chart-errors"), [{ name: "errors/s", color: "#c62828", points: col(2) }], "errors/s");
  drawChart($("chart-latency"), [
    { name: "p50", color: "#1a7f37", points: col(3) },
    { name: "p90", color: "#b26a00", points: col(4) },
    { name: "p99", color: "#c62828", points: col(5) }], "ms");
  for (const id of ["chart-rate", "chart-errors", "chart-latency"]) $(id).dataset.node = asked.node;  // whose figures
  for (const n of view.nodes || []) {
    const tr = [...$("nodes").querySelectorAll("tbody tr")].find(r => r.dataset.node === n.id);
    if (!tr) continue;
    for (const c of tr.querySelectorAll("td[data-k]")) {
      const v = n[c.dataset.k];
      c.textContent = v === undefined || v === null ? "" : c.dataset.k === "memory" ? bytes(v) : c.dataset.k === "uptime" ? uptime(v) : String(v);
    }
  }
}

$("call-form").onsubmit = async ev => {
  ev.preventDefault();
  const status = $("call-status"), out = $("call-result");
  let request;
  try {
    request = JSON.parse($("call-body").value || "{}");
  } catch (e) {
    status.className = "bad";
    status.textContent = "400: the body is not valid JSON (" + e.message + ")";
    return;
  }
  status.className = "muted";
  status.textContent = "calling…";
  const req = { service: state.service, endpoint: $("call-endpoint").value, request, timeout_ms: Number($("call-timeout").value) || undefined };
  if (state.node) req.node = state.node;
  try {
    const r = await fetch("api/call", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(req) });
    const body = await r.json().catch(() => ({ detail: "the answer is not JSON" }));
    status.className = r.ok ? "ok" : "bad";
    status.textContent = r.status + (r.ok ? " OK" : " " + (body.status || "")) + (body.latency_ms !== undefined ? " in " + body.latency_ms + " ms" : "") + (body.node ? " from " + body.node : "");
    out.textContent = JSON.stringify(r.ok ? body.reply : body, null, 2);
  } catch (e) {
    status.className = "bad";
    status.textContent = "failed: " + e.message;
  }
};

$("stream-go").onclick = () => {
  closeStream();
  let body;
  try { body = JSON.stringify(JSON.parse($("call-body").value || "{}")); } catch (e) {
    $("call-status").className = "bad";
    $("call-status").textContent = "400: the body is not valid JSON (" + e.message + ")";
    return;
  }
  const path = "api/stream/" + encodeURIComponent(state.service) + "/" + $("call-endpoint").value.split(".").map(encodeURIComponent).join("/");
  const list = $("stream-messages");
  list.textContent = "";
  const es = new EventSource(path + "?body=" + encodeURIComponent(body));
  state.stream = es;
  $("stream-stop").disabled = false;
  $("call-status").className = "muted";
  $("call-status").textContent = "stream open";
  es.onmessage = m => addLine(list, m.data);
  es.addEventListener("end", () => { $("call-status").textContent = "stream ended"; closeStream(); });
  es.addEventListener("error", m => {
    $("call-status").className = "bad";
    $("call-status").textContent = m.data ? "stream failed: " + m.data : "stream closed";
    closeStream();
  });
};
function closeStream() {
  if (state.stream) state.stream.close();
  state.stream = null;
  $("stream-stop").disabled = true;
}
$("stream-stop").onclick = closeStream;

$("topic-form").onsubmit = ev => {
  ev.preventDefault();
  const topic = $("topic-name").value.trim();
  if (state.topic) state.topic.close();
  state.topic = null;
  $("topic-messages").textContent = "";
  if (!topic) return;
  const status = $("topic-status");
  status.textContent = "subscribing to " + topic + "…";
  const es = new EventSource("api/subscribe/" + encodeURIComponent(topic));
  state.topic = es;
  es.addEventListener("subscribed", () => { status.textContent = "subscribed to " + topic; status.dataset.topic = topic; });
  es.onmessage = m => addLine($("topic-messages"), m.data);
  es.addEventListener("error", m => {
    status.textContent = m.data ? "failed: " + m.data : "disconnected from " + topic + " (retrying)";
    delete status.dataset.topic;
  });
};
$("publish-form").onsubmit = async ev => {
  ev.preventDefault();
  const topic = $("topic-name").value.trim();
  if (!topic) { $("topic-status").textContent = "name a topic first"; return; }
  const r = await fetch("api/publish/" + encodeURIComponent(topic), { method: "POST", headers: { "Content-Type": "application/json" }, body: $("publish-body").value || "{}" });
  if (!r.ok) $("topic-status").textContent = "publish failed: " + ((await r.json().catch(() => ({}))).detail || r.status);
};

refresh();
setInterval(refresh, 1000);
