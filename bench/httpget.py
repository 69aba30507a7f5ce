"""A minimal HTTP/1.1 GET client for the reads benchmark: keep-alive connections over asyncio streams.

The benchmark shares the machine's two cores with the server it measures, so the client must be cheap:
httpx spent about 3.6 ms of CPU per request here, several times the server's cost, and at 500 requests/s
the client, not the server, set the pace. This client does only what the probe needs (a prebuilt request,
the status line, a Content-Length body) at a small fraction of that; a reply without Content-Length is an
error, as is any status the caller does not expect.
"""

from __future__ import annotations

import asyncio
from urllib.parse import urlsplit

Connection = tuple[asyncio.StreamReader, asyncio.StreamWriter]
TIMEOUT_S = 10.0


class HttpGet:
    """GETs of one path against one base URL over at most `max_connections` keep-alive connections."""

    def __init__(self, base: str, path: str, max_connections: int = 64) -> None:
        url = urlsplit(base)
        self.host, self.port = url.hostname or "127.0.0.1", url.port or 80
        self.request = f"GET {path} HTTP/1.1\r\nHost: {url.netloc}\r\nAccept: */*\r\n\r\n".encode()
        self._slots = asyncio.Semaphore(max_connections)
        self._idle: list[Connection] = []

    async def get(self) -> tuple[int, bytes]:
        """(status, body); raises OSError (TimeoutError included), ValueError or IncompleteReadError."""
        async with self._slots:
            conn, reused = await self._connection()
            try:
                return await self._on(conn)
            except (asyncio.IncompleteReadError, ConnectionError):
                if not reused:
                    raise
            # the server closed a kept-alive connection as this request went out (its idle timeout): a GET can
            # be sent again, once, on a new connection, as HTTP clients do
            return await self._on(await asyncio.open_connection(self.host, self.port))

    async def _on(self, conn: Connection) -> tuple[int, bytes]:
        try:
            async with asyncio.timeout(TIMEOUT_S):
                status, body, keep = await self._exchange(*conn)
        except BaseException:
            conn[1].close()
            raise
        if keep:
            self._idle.append(conn)
        else:
            conn[1].close()
        return status, body

    async def _connection(self) -> tuple[Connection, bool]:
        """A kept-alive connection (True) or a new one (False)."""
        while self._idle:
            reader, writer = self._idle.pop()
            if not reader.at_eof():
                return (reader, writer), True
            writer.close()  # the server closed it while idle (keep-alive timeout)
        return await asyncio.open_connection(self.host, self.port), False

    async def _exchange(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> tuple[int, bytes, bool]:
        writer.write(self.request)
        head = (await reader.readuntil(b"\r\n\r\n")).lower()
        status = int(head[9:12])
        start = head.find(b"\r\ncontent-length:")
        if start < 0:
            raise ValueError("reply without Content-Length")
        length = int(head[start + 17 : head.index(b"\r\n", start + 2)])
        return status, await reader.readexactly(length), b"\r\nconnection: close" not in head

    async def close(self) -> None:
        for _, writer in self._idle:
            writer.close()
        self._idle.clear()
