"""Test-wide settings: cheap Argon2 parameters (hashing stays real Argon2, just faster), a key
file of the run's own, and a cache directory of the run's own (the holiday tables' cache is
not the user's)."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path

from servicelevel.settings import Settings

os.environ.setdefault("SLM_ARGON2_TIME_COST", "1")
os.environ.setdefault("SLM_ARGON2_MEMORY_COST_KIB", "1024")
# The deployment's key is made at run time, outside any working tree: one per test run.
if "SLM_SECRET_FILE" not in os.environ:
    _keys = tempfile.mkdtemp(prefix="slm-key-")
    atexit.register(shutil.rmtree, _keys, True)
    os.environ["SLM_SECRET_FILE"] = str(Path(_keys) / "key")
_cache = tempfile.mkdtemp(prefix="slm-cache-")
atexit.register(shutil.rmtree, _cache, True)
os.environ["XDG_CACHE_HOME"] = _cache
if not os.environ.get("SLM_SECRET_KEY"):  # made here as `slm serve` would (no other process does)
    Settings(secret_file=os.environ["SLM_SECRET_FILE"]).secret(create=True)
