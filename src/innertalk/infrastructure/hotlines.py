"""Reading an operator's hotline file (TOML or JSON) onto the built-in hotline directory.

The format and the merge rule belong to the domain (``innertalk.domain.safety.hotlines``);
this module only reads bytes. It runs once at start-up and fails loudly: a deployment that
asked for its own crisis numbers must not quietly run with other ones.
"""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

from innertalk.domain.safety.hotlines import (
    DEFAULT_HOTLINES,
    HotlineDirectory,
    HotlineFormatError,
    merge_hotlines,
    parse_hotlines,
)


class HotlineFileError(Exception):
    """The hotline file cannot be read or is not in the documented format."""


def load_hotlines(
    path: Path | str, *, base: HotlineDirectory = DEFAULT_HOTLINES
) -> HotlineDirectory:
    """``base`` (the built-in directory) with the hotlines in ``path`` applied.

    ``.toml`` files are read as TOML, anything else as JSON. Raises ``HotlineFileError``
    naming the file and the problem.
    """
    file = Path(path)
    try:
        raw = file.read_text(encoding="utf-8")
        data = tomllib.loads(raw) if file.suffix.lower() == ".toml" else json.loads(raw)
        if not isinstance(data, dict):
            raise HotlineFormatError("the file must hold a table (an object) at the top")
        return merge_hotlines(base, parse_hotlines(data))
    except (OSError, UnicodeDecodeError, ValueError) as error:
        raise HotlineFileError(f"hotline file {file}: {error}") from error
