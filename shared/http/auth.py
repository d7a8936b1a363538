"""JWT bearer auth with roles (CONTRACT.md "Auth"); each route declares the roles it admits."""
from __future__ import annotations

from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import jwt
from fastapi import Request

from shared.http.problems import Problem

ROLES = frozenset({"admin", "ops", "manager", "rep", "integration"})
_CHALLENGE = {"WWW-Authenticate": "Bearer"}


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
        claims = jwt.decode(token, secret, algorithms=["HS256"], issuer=issuer, options={"require": ["sub", "exp"]})
    except jwt.PyJWTError as exc:
        raise Problem(401, f"invalid bearer token: {exc}", headers=_CHALLENGE) from None
    roles = frozenset(r for r in claims.get("roles", []) if r in ROLES)
    if not roles:
        raise Problem(401, "the token carries no known role", headers=_CHALLENGE)
    if "rep" in roles and not claims.get("rep_id"):
        raise Problem(401, "a rep's token must carry rep_id", headers=_CHALLENGE)
    return Principal(sub=str(claims["sub"]), roles=roles, rep_id=claims.get("rep_id"),
                     team_ids=frozenset(claims.get("team_ids", [])))


def authenticate(request: Request) -> Principal:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise Problem(401, "missing bearer token (Authorization: Bearer <JWT>)", headers=_CHALLENGE)
    platform = request.app.state.runtime.settings.platform
    return decode_token(token.strip(), platform.jwt_secret, issuer=platform.jwt_issuer)


def require_roles(*roles: str) -> Callable[[Request], Coroutine[Any, Any, Principal]]:
    """A dependency admitting only these roles: `Annotated[Principal, Depends(require_roles("ops"))]`."""

    async def dependency(request: Request) -> Principal:
        principal = authenticate(request)
        if not principal.has_any(*roles):
            raise Problem(403, f"this needs one of the roles: {', '.join(sorted(roles))}")
        return principal

    return dependency
