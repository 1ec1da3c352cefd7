"""Make sure the PostgreSQL database named by DATABASE_URL exists, with the extensions we use.

Reads DATABASE_URL from the environment or .env (default postgres://postgres@127.0.0.1:5432/pms).
Exits 2 with a message naming DATABASE_URL and `docker compose up` when no server answers.
"""

import os
import sys
from pathlib import Path
from urllib.parse import urlparse

import psycopg
from psycopg import sql

EXTENSIONS = ("btree_gist", "pg_trgm", "pgcrypto")


def database_url() -> str:
    if os.environ.get("DATABASE_URL"):
        return os.environ["DATABASE_URL"]
    env = Path(".env")
    if env.exists():
        for line in env.read_text().splitlines():
            if line.startswith("DATABASE_URL="):
                return line.split("=", 1)[1].strip()
    return "postgres://postgres@127.0.0.1:5432/pms"


def main() -> int:
    url = urlparse(sys.argv[1] if len(sys.argv) > 1 else database_url())
    name = url.path.lstrip("/") or "pms"
    admin = url._replace(path="/postgres").geturl()
    try:
        with psycopg.connect(admin, autocommit=True, connect_timeout=5) as conn:
            if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
                print(f"Created database {name}.")
        with psycopg.connect(
            url._replace(path=f"/{name}").geturl(), autocommit=True, connect_timeout=5
        ) as conn:
            for ext in EXTENSIONS:
                conn.execute(sql.SQL("CREATE EXTENSION IF NOT EXISTS {}").format(sql.Identifier(ext)))
    except psycopg.OperationalError as exc:
        print(
            f"Cannot reach PostgreSQL at {url.hostname or 'the local socket'}:{url.port or 5432} ({exc}).\n"
            "Install PostgreSQL 15+ locally, or set DATABASE_URL to a server you can reach, "
            "or start one with `docker compose up -d postgres redis`.",
            file=sys.stderr,
        )
        return 2
    print(f"Database {name} ready with extensions {', '.join(EXTENSIONS)}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
