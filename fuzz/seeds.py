#!/usr/bin/env python3
"""Writes the hand-made seeds of fuzz/corpus/ (run from anywhere; idempotent). Files that
libFuzzer or a crash added to a corpus are kept: this only (re)writes the seed-*.bin files.
Hand encoders, so no Python package is needed."""
import base64, json, os, struct

HERE = os.path.dirname(os.path.abspath(__file__))

def put(harness, name, data):
    d = os.path.join(HERE, "corpus", harness)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(d, "seed-" + name + ".bin"), "wb") as f:
        f.write(data)

# --- protobuf wire format
def varint(n):
    out = b""
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out += bytes([b | 0x80])
        else:
            return out + bytes([b])

def field(num, wt, payload):
    key = varint((num << 3) | wt)
    if wt == 0:
        return key + varint(payload)
    if wt == 1:
        return key + payload
    return key + varint(len(payload)) + payload

inner = field(1, 2, b"inner") + field(2, 2, varint(1) + varint(300)) + field(3, 2, b"\x00\xff")
sample = (field(1, 2, b"hello") + field(2, 0, 42) + field(3, 0, 2**63) + field(4, 1, struct.pack("<d", 1.5))
          + field(5, 0, 1) + field(6, 2, inner) + field(7, 2, inner) + field(8, 2, field(1, 2, b"k") + field(2, 2, b"v"))
          + field(9, 2, b"choice") + field(13, 0, 2) + field(14, 2, varint(3) + varint(4)) + field(15, 1, b"\x01" * 8))
struct_value = field(1, 2, field(1, 2, b"key") + field(2, 2, field(3, 2, b"text")))
put("codec_protobuf", "sample", sample)
put("codec_protobuf", "nested", field(12, 2, field(12, 2, field(1, 2, b"deep"))))
put("codec_protobuf", "struct", field(11, 2, struct_value))
put("codec_protobuf", "empty", b"")

# --- JSON: first byte picks the target (0 protobuf, 1 json, 2 map<string, vector<int>>, 3 vector<string>)
put("codec_json", "proto", b"\x00" + json.dumps({"text": "hi", "i32": 5, "u64": "18446744073709551615", "d": 1e308,
    "flag": True, "inner": {"name": "x", "values": ["1", 2], "data": "AAE="}, "items": [{}],
    "labels": {"a": "b"}, "child": {"name": "c"}, "extra": {"k": [1, None, {"z": True}]}, "next": {"next": {}},
    "kind": "KIND_B", "packed": [-1, 2], "f64": "7"}).encode())
put("codec_json", "any", b"\x01" + json.dumps({"a": [1, 2.5, "s", None, True, {"b": []}], "u": "\u00e9\ud83d\ude00"}).encode())
put("codec_json", "map", b"\x02" + b'{"a":[1,2,3],"b":[]}')
put("codec_json", "list", b"\x03" + b'["x","y\\n","\\u0000"]')
put("codec_json", "deep", b"\x01" + b"[" * 64 + b"]" * 64)

# --- msgpack
def mp_str(s):
    s = s.encode()
    return bytes([0xA0 | len(s)]) + s if len(s) < 32 else b"\xd9" + bytes([len(s)]) + s
def mp_int(n):
    return bytes([n]) if 0 <= n < 128 else b"\xd3" + struct.pack(">q", n)
point = b"\x95" + mp_str("p") + mp_int(-5) + b"\xcb" + struct.pack(">d", 2.5) + b"\x92" + mp_str("a") + mp_str("b") + b"\x81" + mp_str("c") + mp_int(1)
put("codec_msgpack", "point", b"\x00" + point)
put("codec_msgpack", "map", b"\x01" + b"\x82" + mp_str("a") + b"\x92\x01\x02" + mp_str("b") + b"\x90")
put("codec_msgpack", "list", b"\x02" + b"\x93" + mp_str("x") + mp_str("yy") + mp_str(""))
put("codec_msgpack", "string", b"\x03" + mp_str("hello"))
put("codec_msgpack", "truncated", b"\x00" + point[:7])

# --- content type + bytes
put("codec_bytes", "octet", "application/octet-stream\nraw bytes \x00\x01")
put("codec_bytes", "params", "Application/JSON; charset=utf-8\n\"text\"")
put("codec_bytes", "alias", "application/x-protobuf\n\x0a\x01x")
put("codec_bytes", "unknown", "text/plain\nhello")

# --- tcp transport frames: u32 length, u8 version, u8 kind, u16 flags, u64 id, body
def frame(kind, body=b"", flags=0, ident=0, version=1):
    return struct.pack(">IBBHQ", len(body), version, kind, flags, ident) + body
def s32(b):
    return struct.pack(">I", len(b)) + b
def mdmap(m):
    return struct.pack(">I", len(m)) + b"".join(s32(k) + s32(v) for k, v in sorted(m.items()))
request = (s32(b"greeter") + s32(b"Greeter.Hello") + s32(b"application/json") + s32(b"") + mdmap({b"trace": b"1"})
           + struct.pack(">q", 5_000_000_000) + s32(b'{"name":"x"}'))
response = struct.pack(">i", 0) + s32(b"") + s32(b"") + s32(b"application/json") + mdmap({}) + s32(b"{}")
error_response = struct.pack(">i", 404) + s32(b"go.micro.client") + s32(b"not found") + s32(b"") + mdmap({b"a": b"b", b"c": b""}) + s32(b"")
hello = frame(1, b"micro-transport")
put("transport_frame", "hello-request", b"\x00" + hello + frame(3, request, ident=1))
put("transport_frame", "pieces", b"\x05" + hello + frame(4, response, ident=1) + frame(7, b"", ident=9))
put("transport_frame", "too-large", b"\x00" + struct.pack(">IBBHQ", 1 << 30, 1, 3, 0, 1))
put("transport_frame", "bad-version", b"\x02" + frame(3, b"x", version=2))
put("transport_handshake", "hello", hello + frame(3, request, ident=1) + frame(2, b"bye", flags=4))
put("transport_handshake", "goaway", frame(2, b"too many connections", flags=11))
put("transport_handshake", "no-hello", frame(3, request, ident=1))
put("transport_handshake", "second-hello", hello + hello)

# --- BASP: 32-byte header: op, 2 padding, flags, u32 payload length, u64 operation data, u64 source, u64 destination
def basp(op, payload=b"", data=0):
    return struct.pack(">BxxBIQQQ", op, 0, len(payload), data, 0, 0) + payload
put("basp_guard", "inbound", b"\x01" + basp(1, b"\x00" * 40) + basp(2, b"m" * 20) + basp(6))
put("basp_guard", "outbound", b"\x00" + basp(0, b"\x01" * 60) + basp(4))
put("basp_guard", "wrong-first", b"\x01" + basp(0, b"x"))
put("basp_guard", "huge", b"\x03" + struct.pack(">BxxBIQQQ", 1, 0, 1 << 31, 0, 0, 0))

# --- wire bodies: first byte odd = request, even = response
put("wire_body", "request", b"\x01" + request)
put("wire_body", "response", b"\x00" + response)
put("wire_body", "error", b"\x00" + error_response)
put("wire_body", "lying-count", b"\x01" + s32(b"s") + s32(b"e") + s32(b"") + s32(b"") + struct.pack(">I", 0xFFFFFFFF))

# --- mDNS TXT: strings of one length byte each
def txt(*strings):
    return b"".join(bytes([len(s)]) + s for s in (x.encode() for x in strings))
put("mdns_txt", "node", txt("service=greeter", "version=1.0.0", "node=greeter-1", "address=127.0.0.1:9000",
                            "svc.md.team=core", "md.transport=tcp", "ep.0=Greeter.Hello;greeter.Request;greeter.Response",
                            "ep.0.md.idempotent=true", "ep.1=Greeter.Stream;;", "ep.1.md.stream=true"))
put("mdns_txt", "split", txt("service=s", "node=n", "md.big~0=" + "a" * 200, "md.big~1=" + "b" * 50, "ep.7=X"))
put("mdns_txt", "not-micro", txt("path=/", "model=printer"))

# --- static registry address
put("static_address", "plain", "greeter=127.0.0.1:9001,greeter=127.0.0.1:9002")
put("static_address", "options", " greeter=[::1]:9001;idempotent=Greeter.Hello;transport=tcp , users=localhost:80 ")
put("static_address", "bad-port", "greeter=h:99999")

# --- etcd values and gateway answers
value = {"name": "greeter", "version": "1.0.0", "metadata": {"a": "b"},
         "endpoints": [{"name": "Greeter.Hello", "request": {"name": "greeter.Request", "type": "greeter.Request"},
                        "response": None, "metadata": {"stream": "false"}}],
         "nodes": [{"id": "greeter-1", "address": "127.0.0.1:9000", "metadata": {"transport": "tcp"}}]}
put("etcd_value", "go-micro", json.dumps(value))
put("etcd_value", "null-fields", '{"name":"s","version":null,"metadata":null,"endpoints":null,"nodes":[{"id":"i","address":"a","metadata":null}]}')
put("etcd_value", "two-nodes", '{"name":"s","nodes":[{"id":"1","address":"a"},{"id":"2","address":"b"}]}')
b64 = lambda s: base64.b64encode(s.encode()).decode()
kv = {"key": b64("/micro/registry/greeter/greeter-1"), "value": b64(json.dumps(value)), "mod_revision": "7"}
put("etcd_answer", "range", json.dumps({"header": {"revision": "9"}, "kvs": [kv, {"key": b64("x"), "value": b64("not json")}]}))
put("etcd_answer", "watch", json.dumps({"result": {"header": {"revision": "10"}, "events": [
    {"kv": kv}, {"type": "DELETE", "kv": {"key": b64("/micro/registry/greeter/greeter-2"), "mod_revision": "10"}}]}}))
put("etcd_answer", "canceled", '{"result":{"canceled":true,"cancel_reason":"compacted"}}')
put("etcd_answer", "wrong-types", '{"result":{"canceled":"yes","events":[1,{"kv":5},{"kv":{"key":7,"value":[]}}]},"header":[],"kvs":{}}')

# --- base64
for name, text in [("empty", ""), ("one", "YQ=="), ("two", "YWI="), ("three", "YWJj"), ("bad-pad", "YQ=a"), ("bad-char", "Y!==")]:
    put("base64", name, text)

# --- CLI JSON
put("cli_json", "object", '{"name":"x","n":[1,2,{"b":null}]}')
put("cli_json", "text", "not json at all")
put("cli_json", "binary", b"\x0a\x05\xff\xfe\x00hello")
put("cli_json", "unicode", '"\\ud83d\\ude00 \u00e9"')

# --- NATS envelope
put("nats_envelope", "plain", "orders.created\napplication/json")
put("nats_envelope", "escaped", "orders.*\n%25%20value%0A with spaces %FF")
put("nats_envelope", "empty", "a..b\n%")
put("nats_envelope", "wildcard", ">\n\x7f\x01")

# --- CAF's binary format (caf_wire): strings and sequences as a varint length, integers big-endian
def cs(x):
    x = x.encode() if isinstance(x, str) else x
    return varint(len(x)) + x
def cm(d):
    return varint(len(d)) + b"".join(cs(k) + cs(v) for k, v in sorted(d.items()))
caf_request = (cs("greeter") + cs("Greeter.Hello") + cs("application/json") + cs("") + cm({"trace": "1"})
               + struct.pack(">q", 5_000_000_000) + cs('{"name":"x"}'))
caf_response = struct.pack(">i", 0) + cs("") + cs("") + cs("application/json") + cm({}) + cs("{}")
caf_pub = cs("orders") + cs("application/json") + cm({"a": "b"}) + cs("{}") + varint(2) + cs("") + cs("workers")
put("caf_wire", "request", b"\x00" + caf_request)
put("caf_wire", "response", b"\x01" + caf_response)
put("caf_wire", "publication", b"\x02" + caf_pub)
put("caf_wire", "publications", b"\x03" + varint(2) + caf_pub + caf_pub)
put("caf_wire", "ack", b"\x04" + struct.pack(">i", 0) + cs("") + varint(2) + struct.pack(">ii", 0, 503))
put("caf_wire", "frames", b"\x05" + varint(3) + cs("a") + cs("") + cs("ccc"))
put("caf_wire", "end", b"\x06" + struct.pack(">i", 500) + cs("id") + cs("detail"))
put("caf_wire", "huge-string", b"\x00" + b"\xff\xff\xff\xff\x0f")
