"""Run test code in a fresh Python process where some top-level packages cannot be imported.

For the checks that the core works without an optional extra and names the extra when a call needs it.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from collections.abc import Iterable

_PRELUDE = """
import sys
class _Block:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in {blocked!r}:
            raise ImportError("blocked: " + name)
sys.meta_path.insert(0, _Block())
"""


def run_without(blocked: Iterable[str], body: str, timeout: float = 300) -> None:
    """Run ``body`` (dedented) with the packages ``blocked`` unimportable; it must print ``ok`` last."""
    code = _PRELUDE.format(blocked=tuple(blocked)) + textwrap.dedent(body)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=timeout)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip().endswith("ok"), out.stdout[-500:]
