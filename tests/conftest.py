"""Shared pytest fixtures."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import pytest

# ============================================================================================
# PostgreSQL fixtures (team mode). Logic lives in tests/helpers/postgres.py.
#
#   postgres_server  session: base URL "postgresql+psycopg://..." of a running server, from
#                    $YOUTHCASE_TEST_PG_URL or a throwaway local initdb cluster; skips when
#                    none can be had, fails instead when YOUTHCASE_REQUIRE_PG=1 (CI).
#   postgres_url     function: URL of a fresh, empty database on that server, dropped after.
# ============================================================================================
from tests.helpers import postgres as pg_helpers


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    with contextlib.ExitStack() as stack:
        try:
            url = stack.enter_context(pg_helpers.running_server())
        except pg_helpers.PostgresUnavailable as exc:
            reason = str(exc)
        else:
            reason = ""
        if reason:  # outside the except block, so the report is not a chained traceback
            pg_helpers.skip_or_fail(reason)
        yield url


@pytest.fixture
def postgres_url(postgres_server: str) -> Iterator[str]:
    with pg_helpers.temporary_database(postgres_server) as url:
        yield url


# ============================================================================================
# End of PostgreSQL fixtures.
# ============================================================================================
