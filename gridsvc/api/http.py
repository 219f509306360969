"""The HTTP parser: uvicorn's httptools protocol (C, ~5x less CPU per request than h11), with
a bound on what a client can make the server read before a request's headers end."""

from __future__ import annotations

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

MAX_HEADER_BYTES = 64 * 1024  # a request line and headers beyond this are refused
_SLICE = 4096  # bytes fed to the parser at once while a request's head is being read
_REFUSAL = (
    b"HTTP/1.1 431 Request Header Fields Too Large\r\n"
    b"content-type: application/json\r\n"
    b"content-length: %d\r\nconnection: close\r\n\r\n%s"
)
_BODY = (
    b'{"error":"InputError","detail":"the request line and headers exceed %d bytes"}'
    % MAX_HEADER_BYTES
)


class BoundedHttpToolsProtocol(HttpToolsProtocol):
    """httptools keeps an unfinished header in memory with no limit (h11 has one, at a cost
    in speed): here the bytes of each request's head are counted as they arrive, fed to the
    parser in small slices so that a body in the same packet is not counted, and a head
    beyond MAX_HEADER_BYTES gets a 431 and a closed connection."""

    _head_bytes = 0
    _in_head = True

    def on_headers_complete(self) -> None:
        self._in_head = False
        super().on_headers_complete()

    def data_received(self, data: bytes) -> None:
        if not self._in_head:
            super().data_received(data)
            return
        if len(data) <= _SLICE:  # the usual request: one small packet
            self._head_bytes += len(data)
            if self._head_bytes > MAX_HEADER_BYTES:
                self._refuse()
                return
            super().data_received(data)
            return
        view = memoryview(data)
        for start in range(0, len(data), _SLICE):
            if self.transport.is_closing():
                return
            piece = view[start : start + _SLICE]
            if self._in_head:
                self._head_bytes += len(piece)
                if self._head_bytes > MAX_HEADER_BYTES:
                    self._refuse()
                    return
                super().data_received(bytes(piece))
            else:  # the head ended inside an earlier slice: the rest goes at once
                super().data_received(bytes(view[start:]))
                return

    def on_message_complete(self) -> None:
        # the next request's head counts from here (a pipelined one already in this packet
        # is fed uncounted: at most one read, so the bound still holds, a read looser)
        super().on_message_complete()
        self._in_head = True
        self._head_bytes = 0

    def _refuse(self) -> None:
        self.transport.write(_REFUSAL % (len(_BODY), _BODY))
        self.transport.close()
