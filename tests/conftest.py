"""Test-wide settings: cheap Argon2 parameters (hashing stays real Argon2, just faster)."""

from __future__ import annotations

import os

os.environ.setdefault("SLM_ARGON2_TIME_COST", "1")
os.environ.setdefault("SLM_ARGON2_MEMORY_COST_KIB", "1024")
