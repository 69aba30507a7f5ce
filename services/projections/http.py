"""What every router of the read API shares: the pool dependency, error replies, pages, CSV responses."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from typing import Annotated, Any
from urllib.parse import quote

import asyncpg
from fastapi import Depends, Query, Request
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field

from shared.errors import ErrorCode


class ApiError(BaseModel):
    code: ErrorCode = Field(description="stable, for programs")
    message: str = Field(description="for people")
    details: list[dict[str, Any]] | None = None


class ErrorResponse(BaseModel):
    error: ApiError


class Problem(Exception):
    """An error reply with an HTTP status and a stable code."""

    def __init__(self, status: int, code: ErrorCode, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


async def get_pool(request: Request) -> asyncpg.Pool:
    # async: FastAPI runs a plain `def` dependency in a worker thread, a thread hop on every request
    pool: asyncpg.Pool = request.app.state.pool
    return pool


Pool = Annotated[asyncpg.Pool, Depends(get_pool)]
Limit = Annotated[int, Query(ge=1, le=500, description="page size")]
Offset = Annotated[int, Query(ge=0, le=2**62, description="rows to skip")]
PERIOD = r"^20\d{2}(-H[12]|-Q[1-4]|-(0[1-9]|1[0-2]))?$"
PeriodQuery = Annotated[str, Query(pattern=PERIOD, description="2026, 2026-H1, 2026-Q2 or 2026-05")]


def csv_response(filename: str, header: Sequence[str], rows: Iterable[Sequence[object]]) -> StreamingResponse:
    """A UTF-8 CSV download (with a BOM, so spreadsheet programs read the Chinese names right)."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    # RFC 6266: an ASCII fallback name plus the UTF-8 name (a header must be latin-1)
    ascii_name = re.sub(r"[^A-Za-z0-9._-]", "_", filename)
    headers = {"Content-Disposition": f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"}
    return StreamingResponse(iter([buffer.getvalue()]), media_type="text/csv; charset=utf-8", headers=headers)
