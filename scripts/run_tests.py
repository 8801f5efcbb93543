"""`make test`: the whole suite on SQLite, then again on PostgreSQL (and with Redis) when they are reachable.

Under CI (CI=true) PostgreSQL and Redis are started if they are down, and the PostgreSQL run is required.
Off CI, an absent service skips that run (or the tests that need Redis) with a clear message.
Extra arguments are passed to pytest (``make test ARGS="-k annex"``).
"""

import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTEST = [sys.executable, "-m", "pytest"]
CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
START_COMMANDS = {
    5432: "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start",
    6379: 'redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no '
    "--dir /var/lib/redis --logfile /var/log/redis/ci.log",
}


def reachable(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


def ensure_service(port: int) -> bool:
    if reachable(port):
        return True
    if not CI:
        return False
    print("CI: starting the service on port {} ...".format(port), flush=True)
    subprocess.run(START_COMMANDS[port], shell=True, check=False)
    for _ in range(30):
        if reachable(port):
            return True
        time.sleep(1)
    return False


def main(args: list[str]) -> int:
    env = dict(os.environ)
    env.pop("DATABASE_URL", None)
    has_redis = ensure_service(6379)
    has_postgres = ensure_service(5432)
    if CI and not (has_redis and has_postgres):
        print("CI: PostgreSQL or Redis could not be started; the tests that need them cannot run.", flush=True)
        return 1
    if has_redis:
        env.setdefault("TEST_REDIS_URL", "redis://127.0.0.1:6379/{}".format(os.environ.get("TEST_REDIS_DB", "9")))

    print("\n=== test run 1: SQLite ===", flush=True)
    results = [subprocess.run(PYTEST + ["-m", "not postgresql"] + args, cwd=ROOT, env=env).returncode]

    if has_postgres:
        # One database name per checkout, so several checkouts on one machine do not share a test database.
        name = "sanlian_" + re.sub(r"[^a-z0-9]+", "_", ROOT.name.lower())
        pg_env = dict(env, DATABASE_URL="postgresql://postgres@127.0.0.1:5432/{}".format(name))
        print("\n=== test run 2: PostgreSQL ({}) ===".format(name), flush=True)
        results.append(subprocess.run(PYTEST + ["-m", "not browser"] + args, cwd=ROOT, env=pg_env).returncode)
    else:
        print("\nPostgreSQL is not reachable on 127.0.0.1:5432: the PostgreSQL run is skipped (CI runs it).")
    return 0 if all(code == 0 for code in results) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
