"""JWT bearer auth with roles (CONTRACT.md "Auth"); each route declares the roles it admits.

A token is verified once per request and the outcome kept on the ASGI scope, so the rate limit and
Idempotency-Key (middleware, before routing) and the route's own role check all see the same principal.
"""
from __future__ import annotations

from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Annotated, Any

import jwt
from fastapi import Request
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError
from starlette.types import Scope

from shared.http.ids import EntityId
from shared.http.problems import Problem
from shared.settings import PlatformSettings

ROLES = frozenset({"admin", "ops", "manager", "rep", "integration"})
_CHALLENGE = {"WWW-Authenticate": "Bearer"}
_SCOPE_KEY = "coxswain.principal"
ROLES_ATTRIBUTE = "coxswain_roles"  # set on each require_roles dependency; shared/http/openapi.py documents it


@dataclass(frozen=True)
class Principal:
    sub: str
    roles: frozenset[str]
    rep_id: str | None = None
    team_ids: frozenset[str] = field(default_factory=frozenset)  # for a manager: the teams they lead

    def has_any(self, *roles: str) -> bool:
        return bool(self.roles & set(roles))

    @property
    def sees_everything(self) -> bool:
        return self.has_any("admin", "ops", "integration")


class Claims(BaseModel):
    """The claims Coxswain reads, strictly typed: a signed token of the wrong shape is a bad token, not a 500.

    Unknown roles are ignored (a token may serve other systems too); unknown claims are ignored."""

    model_config = ConfigDict(strict=True, extra="ignore", frozen=True)

    # No control characters: sub keys rate limits and Idempotency-Keys and appears in logs and events.
    sub: Annotated[str, StringConstraints(min_length=1, max_length=200, pattern=r"^[^\x00-\x1f\x7f]+$")]
    roles: list[Annotated[str, StringConstraints(max_length=40)]] = Field(default=[], max_length=20)
    rep_id: EntityId | None = None
    team_ids: list[EntityId] = Field(default=[], max_length=1000)


def issue_token(secret: str, *, sub: str, roles: list[str], rep_id: str | None = None,
                team_ids: list[str] | None = None, issuer: str = "coxswain", now: datetime,
                ttl: timedelta = timedelta(hours=12)) -> str:
    claims: dict[str, Any] = {"sub": sub, "roles": roles, "iss": issuer, "iat": int(now.timestamp()),
                              "exp": int((now + ttl).timestamp())}
    if rep_id:
        claims["rep_id"] = rep_id
    if team_ids:
        claims["team_ids"] = team_ids
    return jwt.encode(claims, secret, algorithm="HS256")


def decode_token(token: str, secret: str, *, issuer: str) -> Principal:
    try:
        raw = jwt.decode(token, secret, algorithms=["HS256"], issuer=issuer, options={"require": ["sub", "exp"]})
        claims = Claims.model_validate(raw)
    except jwt.PyJWTError as exc:
        raise Problem(401, f"invalid bearer token: {exc}", headers=_CHALLENGE) from None
    except ValidationError as exc:
        wrong = ", ".join(sorted({".".join(str(p) for p in e["loc"]) or "claims" for e in exc.errors()}))
        raise Problem(401, f"invalid bearer token: malformed claims ({wrong})", headers=_CHALLENGE) from None
    roles = frozenset(r for r in claims.roles if r in ROLES)
    if not roles:
        raise Problem(401, "the token carries no known role", headers=_CHALLENGE)
    if "rep" in roles and not claims.rep_id:
        raise Problem(401, "a rep's token must carry rep_id", headers=_CHALLENGE)
    return Principal(sub=claims.sub, roles=roles, rep_id=claims.rep_id, team_ids=frozenset(claims.team_ids))


def bearer_token(scope: Scope) -> str | None:
    """The token of `Authorization: Bearer <token>`; the scheme is case-insensitive and spaces do not count."""
    header = dict(scope.get("headers", [])).get(b"authorization", b"").decode("latin-1")
    parts = header.split(maxsplit=1)
    if len(parts) != 2 or parts[0].lower() != "bearer":
        return None
    return parts[1].strip() or None


def verify(scope: Scope, platform: PlatformSettings) -> Principal:
    """The request's principal, or a 401 problem; decided once per request."""
    state = scope.setdefault("state", {})
    outcome: Principal | Problem | None = state.get(_SCOPE_KEY)
    if outcome is None:
        outcome = _verify(scope, platform)
        state[_SCOPE_KEY] = outcome
    if isinstance(outcome, Problem):
        raise outcome
    return outcome


def verified_principal(scope: Scope, platform: PlatformSettings) -> Principal | None:
    """The principal when the request carries a valid token; None for anonymous or failed requests."""
    try:
        return verify(scope, platform)
    except Problem:
        return None


def _verify(scope: Scope, platform: PlatformSettings) -> Principal | Problem:
    token = bearer_token(scope)
    if token is None:
        return Problem(401, "missing bearer token (Authorization: Bearer <JWT>)", headers=_CHALLENGE)
    try:
        return decode_token(token, platform.jwt_secret, issuer=platform.jwt_issuer)
    except Problem as problem:
        return problem


def authenticate(request: Request) -> Principal:
    return verify(request.scope, request.app.state.runtime.settings.platform)


def require_roles(*roles: str) -> Callable[[Request], Coroutine[Any, Any, Principal]]:
    """A dependency admitting only these roles: `Annotated[Principal, Depends(require_roles("ops"))]`."""

    async def dependency(request: Request) -> Principal:
        principal = authenticate(request)
        if not principal.has_any(*roles):
            raise Problem(403, f"this needs one of the roles: {', '.join(sorted(roles))}")
        return principal

    setattr(dependency, ROLES_ATTRIBUTE, frozenset(roles))
    return dependency
