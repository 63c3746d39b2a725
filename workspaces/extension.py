"""How the working-group spaces plug into the council application (see council.extensions)."""

from __future__ import annotations

from council.extensions import Extension


def extension() -> Extension:
    return Extension(name="workspaces", routes=[])
