"""The ASGI middleware in front of the API: request id, bearer token, body size, access log.

For every HTTP request it gives an id (``X-Request-ID`` in the response) and writes one
structured log line when the response is sent (JSON: request id, method, path, status,
caller, milliseconds). For the scoring endpoints it also, before anything is parsed:

1. checks the bearer token (one store read, which also gives the active model version):
   none, unknown or revoked -> 401, recorded;
2. refuses a body larger than ``api.max_body_kb`` -> 413, recorded: at once from its
   ``Content-Length``; without one (chunked), as soon as the bytes read pass the limit.

The caller and model version go to ``scope["state"]`` for the endpoint.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from anyio import to_thread

from core.api.service import ScoringService, new_request_id
from core.api.texts import locale_of, size_text, text

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

access_log = logging.getLogger("core.api.access")
PROTECTED = ("/predict", "/predict/batch")


class ApiGuard:
    """See the module docstring."""

    def __init__(self, app: ASGIApp, service: ScoringService, max_body_bytes: int) -> None:
        self.app = app
        self.service = service
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        request_id = new_request_id()
        state = scope.setdefault("state", {})
        state["request_id"] = request_id
        status = {"code": 500}

        async def send_logged(message: Message) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
                headers = list(message.get("headers", []))
                headers.append((b"x-request-id", request_id.encode("ascii")))
                message["headers"] = headers
            await send(message)

        try:
            if scope["path"] in PROTECTED and scope["method"] == "POST":
                receive = await self._guard(scope, receive, send_logged, state)
                if receive is None:
                    return
            await self.app(scope, receive, send_logged)
        finally:
            access_log.info(
                json.dumps(
                    {
                        "event": "api.request",
                        "request_id": request_id,
                        "method": scope["method"],
                        "path": scope["path"],
                        "status": status["code"],
                        "caller": state.get("caller"),
                        "claims": state.get("claims"),
                        "ms": round((time.perf_counter() - started) * 1000, 2),
                    },
                    ensure_ascii=False,
                )
            )

    async def _guard(
        self, scope: Scope, receive: Receive, send: Send, state: dict[str, Any]
    ) -> Receive | None:
        """The receive to use (the body replayed), or None when a refusal was sent."""
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        locale = locale_of(headers.get("accept-language"))
        token = _bearer(headers.get("authorization"))
        stamp = await to_thread.run_sync(self.service.stamp, token)
        state["model_version"] = stamp.model_version
        if stamp.caller is None:
            reason = text("no_token" if token is None else "bad_token", locale)
            await self._refuse(scope, send, state, 401, reason, None, stamp.model_version)
            return None
        state["caller"] = stamp.caller
        declared = headers.get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_body_bytes:
            size = int(declared)
        else:
            body, size = await _read_body(receive, self.max_body_bytes)
            if body is not None:
                return _replay(body, receive)
        limit = size_text(self.max_body_bytes)
        reason = text("body_too_large", locale, size=size_text(size), limit=limit)
        await self._refuse(scope, send, state, 413, reason, stamp.caller, stamp.model_version)
        return None

    async def _refuse(
        self,
        scope: Scope,
        send: Send,
        state: dict[str, Any],
        status: int,
        reason: str,
        caller: str | None,
        model_version: str | None,
    ) -> None:
        await to_thread.run_sync(
            lambda: self.service.refuse(
                request_id=state["request_id"],
                caller=caller,
                path=scope["path"],
                status=status,
                reason=reason,
                model_version=model_version,
            )
        )
        extra = [(b"www-authenticate", b"Bearer")] if status == 401 else []
        await send_json(send, status, {"detail": [{"field": "body", "reason": reason}]}, extra)


async def send_json(
    send: Send, status: int, payload: Any, headers: list[tuple[bytes, bytes]] | None = None
) -> None:
    body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json; charset=utf-8"),
                (b"content-length", str(len(body)).encode("ascii")),
                (b"connection", b"close"),  # the unread rest of a refused body is dropped
                *(headers or []),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def _bearer(value: str | None) -> str | None:
    if not value:
        return None
    scheme, _, token = value.strip().partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None


async def _read_body(receive: Receive, limit: int) -> tuple[bytes | None, int]:
    """(the whole body, its size), or (None, bytes read so far) once it passes ``limit``."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return None, size
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks), size


def _replay(body: bytes, original: Receive) -> Receive:
    """The body read by the guard, then the connection's own messages (a disconnect)."""
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await original()

    return receive
