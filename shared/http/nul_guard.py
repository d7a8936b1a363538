"""A NUL character in a path, a query or a JSON body is a 400, before any route runs.

PostgreSQL text cannot hold U+0000: a NUL that reached a query (`?owner_id=%00`, `/v1/deals/a%00b`) or a stored
field (`{"name": "a\\u0000b"}`) failed in the driver, a 500, on every service. No field of the API has a use
for it, so it is refused once, here, for all of them. (Cost: a JSON string holding the six characters
`\\u0000` as text, escaped as `\\\\u0000`, is refused too.)
"""
from __future__ import annotations

import re

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.errors import FieldError
from shared.http.problems import problem_response

_QUERY_NUL = re.compile(rb"%00|\x00")


def _refusal(where: str) -> ASGIApp:
    return problem_response(400, f"the {where} contains a NUL character, which no field accepts",
                            [FieldError(where, "contains a NUL character")])


class RefuseNul:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        if "\x00" in scope["path"]:
            return await _refusal("path")(scope, receive, send)
        if _QUERY_NUL.search(scope.get("query_string", b"")):
            return await _refusal("query")(scope, receive, send)
        content_type = dict(scope["headers"]).get(b"content-type", b"")
        if b"json" not in content_type.lower():
            return await self.app(scope, receive, send)
        # a JSON body is read whole by the route anyway (the body limit outside this bounds it): read it here,
        # look, and hand the same bytes on
        chunks, more = [], True
        while more:
            message = await receive()
            if message["type"] != "http.request":  # the client left
                return await self.app(scope, receive, send)
            chunks.append(message.get("body", b""))
            more = message.get("more_body", False)
        body = b"".join(chunks)
        if b"\\u0000" in body:
            return await _refusal("body")(scope, receive, send)
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if replayed:
                return await receive()
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)
