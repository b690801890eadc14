"""HTTP requests for the API fuzzer, as the bytes a client sends on the wire.

Written by hand rather than by an HTTP client, which would refuse to send most of them:
mutated bodies (``api_bodies``), odd methods and paths, broken headers, compressed bodies
that are not or that unpack to megabytes, framing that contradicts itself (two lengths,
chunked and a length, less or more body than announced, pipelining), a client that goes
away mid-request, and bytes that are not HTTP at all.
"""

from __future__ import annotations

import gzip
import json
import random
import zlib
from dataclasses import dataclass

from tests.fuzz.api_bodies import GOOD_BODIES, mutated_body

GETS = ["/api/health", "/api/status", "/api/alarms", "/api/alarms?all=1", "/api/alarms?all="]
METHODS = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "TRACE", "CONNECT",
           "FOO", "get", "P\x00ST", "POST ", "G(T", "M" * 300]  # fmt: skip
PATH_PARTS = ["band:F1", "ghost", "done", "%2F", "%00", "%ff", "%zz", "..", ".", "", "a" * 9000,
              "\u00e9", "%e2%82", "a%20b", "?", "#", ";x=1", "%252F", "//", "\\", "*"]  # fmt: skip
CONTENT_TYPES = ["application/json", "text/plain", "", "application/json; charset=latin-1",
                 "multipart/form-data; boundary=x", "application/x-www-form-urlencoded",
                 "application/json\x00", "\u00e9"]  # fmt: skip


@dataclass(frozen=True)
class Case:
    """One connection's bytes; ``answers``: how many answers a correct server may send;
    ``half_close``: the client then says it sends no more (aiohttp stops answering)."""

    kind: str
    data: bytes
    answers: int = 1
    half_close: bool = False


def request(
    method: str,
    path: str,
    body: bytes = b"",
    headers: list[str] | None = None,
    length: bool = True,
    version: str = "HTTP/1.1",
) -> bytes:
    lines = [f"{method} {path} {version}", "Host: 127.0.0.1", "Connection: close"]
    lines += headers if headers is not None else ["Content-Type: application/json"]
    if length and body:
        lines.append(f"Content-Length: {len(body)}")
    head = "\r\n".join(lines) + "\r\n\r\n"
    return head.encode("utf-8", "surrogateescape") + body


def generate(rng: random.Random) -> Case:
    kind = rng.choices(
        ["body", "path", "headers", "framing", "garbage"], weights=[40, 15, 15, 15, 15]
    )[0]
    case = {
        "body": _body,
        "path": _path,
        "headers": _headers,
        "framing": _framing,
        "garbage": _garbage,
    }[kind](rng)
    if not case.half_close and rng.random() < 0.1:
        # aiohttp takes the end of what the client sends for its going away, at whatever
        # stage the request is: the handler is cancelled and there is nobody to answer.
        return Case(case.kind + " (client gone)", case.data, 0, half_close=True)
    return case


def _body(rng: random.Random) -> Case:
    path, good = rng.choice(list(GOOD_BODIES.items()))
    what, body = mutated_body(rng, good)
    headers = [f"Content-Type: {rng.choice(CONTENT_TYPES)}"] if rng.random() < 0.3 else None
    return Case(f"body: {what}", request("POST", path, body, headers))


def _path(rng: random.Random) -> Case:
    method = rng.choice(METHODS)
    if rng.random() < 0.5:
        path = rng.choice([*GETS, *GOOD_BODIES])
    else:
        template = rng.choice(
            [
                "/api/alarms/{}/ack",
                "/api/cycles/{}/abort",
                "/api/{}",
                "/{}",
                "/api/alarms?all={}",
                "{}",
                "http://x/api/{}",
            ]
        )
        path = template.format("".join(rng.choice(PATH_PARTS) for _ in range(rng.randrange(1, 4))))
    good = GOOD_BODIES.get(path.split("?")[0])
    body = json.dumps(good).encode() if good and rng.random() < 0.7 else b""
    return Case(f"path: {method[:8]!r}", request(method, path, body))


def _headers(rng: random.Random) -> Case:
    path, good = rng.choice(list(GOOD_BODIES.items()))
    body = json.dumps(good).encode()
    roll = rng.randrange(8)
    if roll == 0:
        coding = rng.choice(
            ["gzip", "deflate", "br", "zstd", "identity", "x-unknown", "gzip, gzip"]
        )
        return Case(
            f"headers: encoding {coding}",
            request("POST", path, body, [f"Content-Encoding: {coding}"]),
        )
    if roll == 1:
        packed = rng.choice(
            [gzip.compress(body), zlib.compress(body), gzip.compress(b" " * 5_000_000)]
        )
        coding = "gzip" if packed[:2] == b"\x1f\x8b" else "deflate"
        return Case(
            "headers: compressed", request("POST", path, packed, [f"Content-Encoding: {coding}"])
        )
    odd = rng.choice(
        [
            "X-A: " + "a" * 9000,
            "Bad Name: 1",
            "X-A:\x00",
            "X-A: \u00e9\u20ac",
            " folded: 1",
            "X-A: 1\r\n\tcontinued",
            ":empty",
            "X-" + "a" * 300 + ": 1",
            "Expect: 100-continue",
            "Content-Type: application/json\r\nContent-Type: text/plain",
            "Host: a\r\nHost: b",
            "Upgrade: websocket\r\nConnection: Upgrade",
            "Authorization: Basic \xff",
        ]
    )
    headers = ["Content-Type: application/json", odd]
    if roll == 2:
        headers = [f"X-{i}: {i}" for i in range(rng.choice([50, 120, 500]))]
    return Case("headers: odd", request("POST", path, body, headers))


def _framing(rng: random.Random) -> Case:
    path, good = rng.choice(list(GOOD_BODIES.items()))
    body = json.dumps(good).encode()
    roll = rng.randrange(10)
    json_type = "Content-Type: application/json"
    if roll == 0:
        length = rng.choice(["-1", "abc", "1, 1", " 5", "+5", "99999999999999999999", "0x10"])
        return Case(
            "framing: bad length",
            request("POST", path, body, [json_type, f"Content-Length: {length}"], length=False),
        )
    if roll == 1:
        return Case(
            "framing: two lengths",
            request(
                "POST",
                path,
                body,
                [json_type, f"Content-Length: {len(body)}", "Content-Length: 3"],
                length=False,
            ),
        )
    if roll == 2:
        chunk = f"{len(body):x}\r\n".encode() + body + b"\r\n0\r\n\r\n"
        chunk = rng.choice(
            [
                chunk,
                chunk.replace(b"\r\n", b"\n"),
                b"zz\r\n" + body,
                chunk[:-5],
                b"0;x=" + b"a" * 9000 + b"\r\n\r\n",
            ]
        )
        return Case(
            "framing: chunked",
            request("POST", path, chunk, [json_type, "Transfer-Encoding: chunked"], length=False),
        )
    if roll == 3:
        return Case(
            "framing: chunked and length",
            request(
                "POST",
                path,
                body,
                [json_type, "Transfer-Encoding: chunked", f"Content-Length: {len(body)}"],
                length=False,
            ),
        )
    if roll == 4:
        # Fewer bytes than announced, then the client says it sends no more.
        return Case(
            "framing: short body",
            request(
                "POST", path, body, [json_type, f"Content-Length: {len(body) + 50}"], length=False
            ),
        )
    if roll == 5:
        # Fewer bytes than announced and the connection left open: the body's time runs out.
        data = request(
            "POST", path, body, [json_type, f"Content-Length: {len(body) + 50}"], length=False
        )
        return Case("framing: stalled body", data, half_close=False)
    if roll == 6:
        # More bytes than announced: the rest is read as the next request.
        return Case(
            "framing: long body",
            request(
                "POST",
                path,
                body + b"GET / HTTP/1.1\r\n\r\n",
                [json_type, f"Content-Length: {len(body)}"],
                length=False,
            ),
            answers=2,
        )
    if roll == 7:
        first = request("GET", "/api/health", headers=[]).replace(b"Connection: close\r\n", b"")
        return Case("framing: pipelined", first + request("POST", path, body), answers=2)
    if roll == 8:
        # The client asks whether to send the body, then goes away before the answer.
        data = request(
            "POST",
            path,
            b"",
            [json_type, "Expect: 100-continue", f"Content-Length: {len(body)}"],
            length=False,
        )
        return Case("framing: expect, then gone", data, 0, half_close=True)
    version = rng.choice(
        ["HTTP/1.0", "HTTP/0.9", "HTTP/2.0", "HTTP/1.1x", "HTTP/9.9", "", "http/1.1"]
    )
    return Case(f"framing: version {version!r}", request("POST", path, body, version=version))


def _garbage(rng: random.Random) -> Case:
    roll = rng.randrange(6)
    if roll == 0:
        return Case("garbage: random bytes", rng.randbytes(rng.randrange(1, 3000)))
    if roll == 1:
        return Case("garbage: HTTP/2 preface", b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n")
    if roll == 2:
        return Case(
            "garbage: TLS hello", bytes.fromhex("16030100a5010000a10303") + rng.randbytes(160)
        )
    if roll == 3:
        return Case("garbage: nothing", b"", answers=0, half_close=True)
    if roll == 4:
        return Case("garbage: bare LF", b"GET /api/health HTTP/1.1\nHost: x\n\n")
    data = bytearray(request("POST", "/api/lots", json.dumps(GOOD_BODIES["/api/lots"]).encode()))
    for _ in range(rng.randrange(1, 6)):
        data[rng.randrange(len(data))] = rng.randrange(256)
    return Case("garbage: request bytes flipped", bytes(data))
