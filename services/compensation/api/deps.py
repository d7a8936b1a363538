"""What is specific to compensation's routes; the unit of work and the role sets come from shared.http.deps."""
from __future__ import annotations

from typing import Annotated

from shared.http.ids import path_id

RepId = Annotated[str, path_id("the rep's id")]
