"""The PostgreSQL fixtures themselves: a real server, one fresh database per use."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text

from tests.helpers.postgres import temporary_database, to_sqlalchemy_url


def scalar(url: str, query: str, **params: object) -> object:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(text(query), params).scalar_one()
    finally:
        engine.dispose()


@pytest.mark.postgres
def test_select_one_on_a_fresh_empty_database(postgres_url: str) -> None:
    assert postgres_url.startswith("postgresql+psycopg://")
    assert scalar(postgres_url, "select 1") == 1
    tables = "select count(*) from information_schema.tables where table_schema = 'public'"
    assert scalar(postgres_url, tables) == 0


@pytest.mark.postgres
def test_each_call_gets_its_own_database_and_drops_it(postgres_server: str, postgres_url: str) -> None:
    first = scalar(postgres_url, "select current_database()")
    with temporary_database(postgres_server) as other_url:
        second = scalar(other_url, "select current_database()")
        assert first != second
        # A connection the test forgets to close must not block the drop.
        leftover = create_engine(other_url).connect()
    exists = "select count(*) from pg_database where datname = :name"
    assert scalar(postgres_server, exists, name=second) == 0
    leftover.invalidate()  # its server session was terminated by the drop


def test_env_urls_are_normalised_to_psycopg3() -> None:
    url = to_sqlalchemy_url("postgresql://ci:secret@db.example:5433/youthcase")
    assert url.drivername == "postgresql+psycopg"
    assert (url.username, url.password, url.port) == ("ci", "secret", 5433)
