"""A/B: one benchmark on two commits, one run after the other on the same machine.

    .venv/bin/python bench/ab.py --base 24d7169 -- bench/chat_bench.py --clients 1,200 --messages 20,3
    .venv/bin/python bench/ab.py --base HEAD~1 --rounds 3 -- bench/api_bench.py --only bare

Each side is a tree of its own: the head is this checkout as it stands (uncommitted changes included) unless
--head names a commit; the base, and a named head, are detached git worktrees in a temporary folder, removed at
the end (--keep-trees leaves them). Both sides run this checkout's bench/ folder and virtualenv, so only the
product differs. Each side gets its own PostgreSQL database (walker_ab_base, walker_ab_head), made anew, migrated
and seeded with the demo tenant (--reuse-databases skips that when they exist), and the bench is handed
--database-url and --redis-url (every bench in this folder that starts Walker takes both); the Redis database is
shared and emptied before each run.

Runs alternate base, head, base, head, … (--rounds pairs), so a machine that slows down over the sitting shows as
spread, not as a difference. Before each run the machine's idle share over two seconds and its load average are
printed; a run that starts on a machine under --busy-idle % idle is marked busy (its figures are a shared
machine's, never a quiet one's). The end prints each run's table lines (those starting with "|") under its side.
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import redis

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.chat_bench import BENCH_SECRETS  # noqa: E402  (after the checkout is importable)

PYTHON = ROOT / ".venv" / "bin" / "python"
SIDES = ("base", "head")


@dataclass
class Side:
    name: str
    commit: str  # what the side runs: a commit id, or "working tree"
    tree: Path
    database_url: str


@dataclass
class Run:
    side: Side
    round: int
    idle_before: float
    load_before: float
    seconds: float
    exit_code: int
    table: list[str]


def git(*args: str) -> str:
    return subprocess.run(["git", *args], cwd=ROOT, check=True, capture_output=True, text=True).stdout.strip()


def idle_share(seconds: float = 2.0) -> float:
    """The share of the machine's processor time that was idle over `seconds` (Linux /proc/stat), in %."""

    def sample():
        fields = [int(value) for value in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
        return fields[3] + fields[4], sum(fields)  # idle + iowait, all

    idle0, total0 = sample()
    time.sleep(seconds)
    idle1, total1 = sample()
    return 100 * (idle1 - idle0) / max(1, total1 - total0)


def make_tree(rev: str, folder: Path) -> Path:
    tree = folder / rev.replace("/", "_").replace("~", "-").replace("^", "-")
    git("worktree", "add", "--detach", "--quiet", str(tree), rev)
    shutil.rmtree(tree / "bench")
    shutil.copytree(ROOT / "bench", tree / "bench", ignore=shutil.ignore_patterns("__pycache__"))
    return tree


def prepare_database(side: Side, admin_url: str, reuse: bool, redis_url: str) -> None:
    name = side.database_url.rsplit("/", 1)[1]
    exists = bool(psql(admin_url, f"SELECT 1 FROM pg_database WHERE datname = '{name}'"))
    if reuse and exists:
        print(f"{side.name}: reusing database {name}", flush=True)
        return
    psql(admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    psql(admin_url, f'CREATE DATABASE "{name}"')
    env = {**os.environ, **BENCH_SECRETS, "DATABASE_URL": side.database_url, "REDIS_URL": redis_url}
    for command in (["migrate", "--no-input", "-v", "0"], ["seed_demo"]):
        print(f"{side.name}: manage.py {' '.join(command)} on {name} ({side.commit}) …", flush=True)
        subprocess.run([str(PYTHON), "manage.py", *command], cwd=side.tree, env=env, check=True,
                       stdout=subprocess.DEVNULL)  # fmt: skip


def psql(admin_url: str, sql: str) -> str:
    return subprocess.run(["psql", admin_url, "-qAtc", sql], check=True, capture_output=True, text=True).stdout.strip()


def run_once(side: Side, round_: int, bench: list[str], redis_url: str, busy_idle: float, log_folder: Path) -> Run:
    idle = idle_share()
    load = os.getloadavg()[0]
    mark = "" if idle >= busy_idle else "  ** BUSY: not a quiet machine's figure **"
    print(f"\n=== round {round_}, {side.name} ({side.commit}): idle {idle:.0f} %, load {load:.2f}{mark}", flush=True)
    # Each side's database is its own, the Redis database is shared: emptied, so that no run reads what the one
    # before left (a cached tenant of the other side's database, a queue of its tasks).
    redis.Redis.from_url(redis_url).flushdb()
    script, *args = bench
    command = [str(PYTHON), str(side.tree / script), *args, "--database-url", side.database_url,
               "--redis-url", redis_url]  # fmt: skip
    log_path = log_folder / f"round{round_}-{side.name}.log"
    started = time.monotonic()
    with (
        open(log_path, "w") as log,
        subprocess.Popen(command, cwd=side.tree, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True) as proc,
    ):
        for line in proc.stdout:
            sys.stdout.write(line)
            log.write(line)
    return Run(side, round_, idle, load, time.monotonic() - started, proc.returncode, tables(log_path.read_text()))


def tables(output: str) -> list[str]:
    """The output's markdown table lines, a blank line between tables."""
    found = []
    for line in output.splitlines():
        if line.startswith("|"):
            found.append(line)
        elif found and found[-1]:
            found.append("")
    return found[:-1] if found and not found[-1] else found


def summary(runs: list[Run], busy_idle: float) -> str:
    lines = ["", "=== A/B summary (runs in the order they ran)"]
    for run in runs:
        quiet = "quiet" if run.idle_before >= busy_idle else "BUSY"
        lines.append(
            f"\n{run.side.name} {run.side.commit}, round {run.round}: {quiet} (idle {run.idle_before:.0f} % before, "
            f"load {run.load_before:.2f}), {run.seconds:.0f} s, exit {run.exit_code}"
        )
        lines.extend(run.table or ["(no table printed)"])
    return "\n".join(lines)


def parse_args(argv=None):
    p = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--base", required=True, help="the commit to compare against (any git revision)")
    p.add_argument("--head", help="a commit for the other side (default: this checkout as it stands)")
    p.add_argument("--rounds", type=int, default=2, help="base-then-head pairs to run (2)")
    p.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432", help="the server for both databases")
    p.add_argument("--redis-url", default="redis://127.0.0.1:6379/5", help="never database 0: the suite flushes it")
    p.add_argument("--reuse-databases", action="store_true", help="keep walker_ab_base/head when they exist")
    p.add_argument("--keep-trees", action="store_true", help="leave the worktrees for a look afterwards")
    p.add_argument("--busy-idle", type=float, default=85.0, help="idle %% below which a run is marked busy (85)")
    p.add_argument("bench", nargs=argparse.REMAINDER, help="-- then the bench script (a path in bench/) and its args")
    args = p.parse_args(argv)
    if args.bench[:1] == ["--"]:
        args.bench = args.bench[1:]
    if not args.bench or not args.bench[0].startswith("bench/"):
        p.error("name the benchmark after --, as a path in bench/ (e.g. -- bench/chat_bench.py --clients 1,200)")
    if any(arg in ("--database-url", "--redis-url") for arg in args.bench):
        p.error("the databases are the A/B's own: give --redis-url to ab.py, not to the benchmark")
    if args.rounds < 1:
        p.error("--rounds is at least 1")
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    folder = Path(tempfile.mkdtemp(prefix="walker-ab-"))
    trees = []
    try:
        sides = []
        for name, rev in zip(SIDES, (args.base, args.head), strict=True):
            if rev is None:
                tree, commit = ROOT, f"{git('rev-parse', '--short', 'HEAD')} + working tree"
            else:
                tree, commit = make_tree(rev, folder), git("rev-parse", "--short", rev)
                trees.append(tree)
            sides.append(Side(name, commit, tree, f"{args.postgres}/walker_ab_{name}"))
        for side in sides:
            prepare_database(side, f"{args.postgres}/postgres", args.reuse_databases, args.redis_url)
        runs = [
            run_once(side, round_, args.bench, args.redis_url, args.busy_idle, folder)
            for round_ in range(1, args.rounds + 1)
            for side in sides
        ]
        print(summary(runs, args.busy_idle))
        print(f"\nEach run's whole output: {folder}/round<N>-<side>.log")
        return max(run.exit_code for run in runs)
    finally:
        if not args.keep_trees:
            for tree in trees:
                git("worktree", "remove", "--force", str(tree))


if __name__ == "__main__":
    sys.exit(main())
