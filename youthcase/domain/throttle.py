"""Growing delay after failed unlocks. The counter is kept in the key store, so it survives a restart."""

from __future__ import annotations

FREE_ATTEMPTS = 3
FIRST_DELAY_SECONDS = 5.0
MAX_DELAY_SECONDS = 15 * 60.0


def delay_after(failures: int) -> float:
    """Seconds to wait after ``failures`` consecutive failures: 0, 0, 5, 10, 20, ... up to 15 minutes."""
    if failures < FREE_ATTEMPTS:
        return 0.0
    return min(MAX_DELAY_SECONDS, FIRST_DELAY_SECONDS * 2.0 ** (failures - FREE_ATTEMPTS))
