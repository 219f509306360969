"""The HTTP parser (httptools) with a bound on a request's head: past 64 KiB, a 431 and a
closed connection; a large body after small headers is not counted as head."""

from __future__ import annotations

import socket
from urllib.parse import urlsplit

from gridsvc.api.http import MAX_HEADER_BYTES
from tests.api.conftest import Live


def exchange(live: Live, data: bytes) -> bytes:
    parts = urlsplit(live.url)
    with socket.create_connection((parts.hostname, parts.port), timeout=30) as s:
        s.sendall(data)
        answer = b""
        while chunk := s.recv(65536):
            answer += chunk
            if b"\r\n\r\n" in answer and b"connection: close" not in answer.lower():
                break
        return answer


def test_headers_past_the_bound_get_431(live: Live) -> None:
    big = b"a" * (MAX_HEADER_BYTES + 10)
    answer = exchange(
        live, b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + big + b"\r\n\r\n"
    )
    assert answer.startswith(b"HTTP/1.1 431") and b"exceed" in answer
    # a header that never ends is refused too, once past the bound
    answer = exchange(live, b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + big)
    assert answer.startswith(b"HTTP/1.1 431")


def test_headers_under_the_bound_and_large_bodies_pass(live: Live) -> None:
    near = b"a" * (MAX_HEADER_BYTES - 1000)
    request = b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + near + b"\r\n"
    answer = exchange(live, request + b"Connection: close\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 200")
    body = b"{" + b" " * (3 * MAX_HEADER_BYTES) + b"}"
    head = (
        b"POST /requests HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        b"Connection: close\r\nContent-Length: " + str(len(body)).encode() + b"\r\n\r\n"
    )
    answer = exchange(live, head + body)  # one packet: head and body together
    assert answer.startswith(b"HTTP/1.1 4") and not answer.startswith(b"HTTP/1.1 431")
