// The reference MCP SDK's client against `micro mcp`: lists the tools, calls TOOL, stops the
// service (SIGTERM to PID) and waits for notifications/tools/list_changed, then sees TOOL gone.
//   node check.mjs stdio MICRO_BINARY PID TOOL
//   node check.mjs http URL PID TOOL [schema]   (schema: TOOL's input schema has name: string)
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { ToolListChangedNotificationSchema } from "@modelcontextprotocol/sdk/types.js";

const [mode, target, pid, tool, schema] = process.argv.slice(2);
const fail = (why) => { console.error(`mcp_sdk ${mode}: FAILED: ${why}`); process.exit(1); };
const within = (ms, p, what) =>
  Promise.race([p, new Promise((_, reject) => setTimeout(() => reject(new Error(`${what}: no answer in ${ms} ms`)), ms))]);

const client = new Client({ name: "micro-test", version: "1.0.0" });
let changed = () => {};
client.setNotificationHandler(ToolListChangedNotificationSchema, () => changed());
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const transport = mode === "stdio"
  ? new StdioClientTransport({ command: target, args: ["mcp", "--refresh", "200ms"], env: process.env, stderr: "inherit" })
  : new StreamableHTTPClientTransport(new URL(target));
try {
  await within(20000, client.connect(transport), "connect");
  // A registry still browsing (mdns, just started) may list the tool a moment later.
  let names = [];
  for (let i = 0; i < 100 && !names.includes(tool); ++i) {
    if (i > 0) await sleep(100);
    names = (await within(20000, client.listTools(), "tools/list")).tools.map((t) => t.name);
  }
  if (!names.includes(tool)) fail(`${tool} not in ${JSON.stringify(names)}`);
  if (schema) {
    const listed = (await client.listTools()).tools.find((t) => t.name === tool);
    if (listed?.inputSchema?.properties?.name?.type !== "string")
      fail(`no schema from the descriptors: ${JSON.stringify(listed)}`);
  }
  const res = await within(20000, client.callTool({ name: tool, arguments: { name: "John" } }), "tools/call");
  const text = res.content?.[0]?.text ?? "";
  if (res.isError || JSON.parse(text).msg !== "Hello John") fail(`call answered ${JSON.stringify(res)}`);
  const missing = await within(20000, client.callTool({ name: "nosuch.Tool.Call", arguments: {} }).then(
    () => "answered", (e) => String(e)), "unknown tool");
  if (!/unknown tool/.test(missing)) fail(`an unknown tool was not refused: ${missing}`);
  // Each list_changed (other services may come and go too) makes the client list again, as an
  // agent would; done once TOOL is no longer listed.
  const gone = new Promise((resolve) => {
    changed = async () => {
      const now = (await client.listTools()).tools.map((t) => t.name);
      if (!now.includes(tool)) resolve();
    };
  });
  process.kill(Number(pid), "SIGTERM");
  await within(20000, gone, `notifications/tools/list_changed without ${tool}`);
  console.log(`mcp_sdk ${mode}: ok: listed and called ${tool}, saw it vanish`);
  await client.close();
  process.exit(0);
} catch (e) {
  fail(e.stack ?? String(e));
}
