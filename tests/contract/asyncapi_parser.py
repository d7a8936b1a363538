"""Runs the official AsyncAPI parser (@asyncapi/parser, pinned by tests/contract/asyncapi/package-lock.json)
on a document. `npm ci` installs it into tests/contract/asyncapi/node_modules once per lock file: a stamp holds
the lock's hash, so later runs reuse the installed copy (about 20 s the first time, nothing after)."""
from __future__ import annotations

import hashlib
import shutil
import subprocess
from pathlib import Path

HERE = Path(__file__).parent / "asyncapi"
STAMP = HERE / "node_modules" / ".coxswain-lock-sha256"


def install_parser() -> None:
    lock = hashlib.sha256((HERE / "package-lock.json").read_bytes()).hexdigest()
    if STAMP.is_file() and STAMP.read_text() == lock:
        return
    npm = shutil.which("npm")
    if npm is None:
        raise RuntimeError("npm (Node.js 20+) is needed to check docs/asyncapi.json with the official parser")
    subprocess.run([npm, "ci", "--no-audit", "--no-fund", "--ignore-scripts", "--loglevel=error"], cwd=HERE,
                   check=True, timeout=600)
    STAMP.write_text(lock)


def parse_with_official_parser(document: Path) -> tuple[bool, str]:
    """(no error diagnostic, the parser's report): warnings are reported but do not fail."""
    install_parser()
    node = shutil.which("node") or "node"
    done = subprocess.run([node, str(HERE / "validate.mjs"), str(document)], capture_output=True, text=True,
                          timeout=120)
    return done.returncode == 0, done.stdout + done.stderr
