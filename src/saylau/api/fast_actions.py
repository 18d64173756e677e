"""The protocol actions of a machine client, answered before FastAPI's routing.

The routes of :mod:`saylau.api.routes_protocols` define the actions (their OpenAPI spec,
bodies and answers). On election night nearly every request is one of them, sent with a
bearer token, and FastAPI's routing among all the service's and the portal's routes and its
dependency solving cost more processor time than the service's own work. This ASGI layer
answers such a request itself with the same steps and the same functions: the body read
into the route's model, the token's principal, :func:`saylau.api.routes_protocols.run`, the
answer validated by the route's response model, an error in the service's envelope
(:func:`saylau.api.errors.error_response`).

Anything else goes to FastAPI unchanged (the body it read is handed on): another path or
method, a request without exactly one ``Bearer`` token (a browser's session cookie and its
CSRF check stay FastAPI's), a body that is not valid for the route's model (FastAPI's own
422 answer names the field), an ``Idempotency-Key`` over 200 characters.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

import orjson
from pydantic import ValidationError

from saylau.api import routes_protocols
from saylau.api.auth import authenticate_secret
from saylau.api.errors import error_response
from saylau.api.schemas import EntryOut
from saylau.services.entry import ProtocolRef
from saylau.store.db import Store

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

_PATH = re.compile(
    r"/api/elections/(?P<election>[^/]+)/protocols/(?P<station>[^/]+)/(?P<contest>[^/]+)"
    r"/(?P<action>[a-z]+)"
)
_BEARER = re.compile(rb"Bearer ([^\s]+)")
_KEY_LIMIT = 200
_JSON = [(b"content-type", b"application/json")]


class ProtocolActions:
    """The ASGI layer (see the module's description) in front of ``app``."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        found = _PATH.fullmatch(scope.get("path", "")) if scope["type"] == "http" else None
        if found is None or scope["method"] != "POST" or found["action"] not in ACTIONS:
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        token = _BEARER.fullmatch(headers.get(b"authorization", b""))
        key = headers.get(b"idempotency-key")
        if token is None or (key is not None and len(key.decode("latin-1")) > _KEY_LIMIT):
            await self.app(scope, receive, send)
            return
        body, messages = await _read(receive)
        model = routes_protocols.BODIES[found["action"]]
        try:
            parsed = model.model_validate_json(body)
        except ValidationError:
            await self.app(scope, _replay(messages, receive), send)
            return
        store = scope["app"].state.store
        assert isinstance(store, Store)
        ref = ProtocolRef(found["election"], found["station"], found["contest"])
        try:
            principal = await authenticate_secret(store, token[1].decode("latin-1"), "token")
            answer = await routes_protocols.run(
                store,
                principal,
                ref,
                found["action"],
                parsed,
                key=None if key is None else key.decode("latin-1"),
            )
            content = EntryOut.model_validate(answer).model_dump(mode="json")
        except Exception as error:
            await error_response(error)(scope, receive, send)
            return
        data = orjson.dumps(content)
        length = [(b"content-length", str(len(data)).encode())]
        await send({"type": "http.response.start", "status": 200, "headers": _JSON + length})
        await send({"type": "http.response.body", "body": data})


ACTIONS = frozenset(routes_protocols.BODIES)


async def _read(receive: Receive) -> tuple[bytes, list[Message]]:
    """The request's body and the messages it came in."""
    messages: list[Message] = []
    chunks: list[bytes] = []
    while True:
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(chunks), messages


def _replay(messages: list[Message], receive: Receive) -> Receive:
    """A ``receive`` that gives ``messages`` again, then what ``receive`` gives."""
    pending = list(messages)

    async def again() -> Message:
        if pending:
            return pending.pop(0)
        return await receive()

    return again
