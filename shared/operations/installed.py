"""The services installed beside shared/, found through their entry points (shared imports none of them).

Each service registers itself in pyproject.toml:

    [project.entry-points."coxswain.services"]   name -> its composition root (a module with SPEC, create_app)
    [project.entry-points."coxswain.settings"]   name -> its settings class
    [project.entry-points."coxswain.commands"]   command name -> a typer-style function (e.g. import-leads)
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from importlib.metadata import entry_points
from typing import Any

from shared.runtime import ServiceSpec
from shared.settings import ServiceSettings

SERVICES_GROUP, SETTINGS_GROUP, COMMANDS_GROUP = "coxswain.services", "coxswain.settings", "coxswain.commands"


class UnknownService(LookupError):
    pass


@dataclass(frozen=True)
class InstalledService:
    name: str
    spec: ServiceSpec
    settings_class: type[ServiceSettings]
    create_app: Callable[..., Any]

    def settings(self, **overrides: Any) -> ServiceSettings:
        return self.settings_class(**overrides)


def service_names() -> tuple[str, ...]:
    """Installed services in their declared order (the order `coxswain up` prints them)."""
    return tuple(ep.name for ep in entry_points(group=SERVICES_GROUP))


@cache
def installed_service(name: str) -> InstalledService:
    found = {ep.name: ep for ep in entry_points(group=SERVICES_GROUP)}
    settings = {ep.name: ep for ep in entry_points(group=SETTINGS_GROUP)}
    if name not in found or name not in settings:
        known = ", ".join(found) or "none (is the project installed? pip install -e .)"
        raise UnknownService(f"unknown service {name!r}; installed: {known}")
    root = found[name].load()
    return InstalledService(name, root.SPEC, settings[name].load(), root.create_app)


def installed_services() -> list[InstalledService]:
    return [installed_service(name) for name in service_names()]


def extra_commands() -> dict[str, Callable[..., Any]]:
    """CLI commands a service contributes (loaded lazily: only the chosen one is imported)."""
    return {ep.name: ep.load for ep in entry_points(group=COMMANDS_GROUP)}
