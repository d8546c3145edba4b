"""The big tenant's fill (bench/big_tenant_fill.py, never run by the suite) writes its chunks in several processes:
each chunk once, in a process of its own when there are jobs for it, a failure stopping the fill with the chunk's
error, and the count of what was written summed."""

import os

import pytest

from bench.big_tenant_fill import Progress, in_processes


def recording(tmp_path, fail_at=None):
    def chunk(start: int) -> int:
        if start == fail_at:
            raise ValueError(f"chunk {start} failed")
        with open(tmp_path / f"chunk-{start}", "a") as written:
            written.write(f"{os.getpid()}\n")
        return start + 1

    return chunk


def written(tmp_path) -> dict[int, list[int]]:
    return {int(f.name.split("-")[1]): [int(p) for p in f.read_text().split()] for f in tmp_path.glob("chunk-*")}


def test_each_chunk_is_written_once_in_the_jobs_processes_and_the_rows_add_up(tmp_path, capsys):
    starts = [0, 10, 20, 30, 40, 50]
    progress = Progress("things", len(starts))

    in_processes(recording(tmp_path), starts, 2, progress)

    by_start = written(tmp_path)
    assert sorted(by_start) == starts and all(len(pids) == 1 for pids in by_start.values())
    pids = {pid for pids in by_start.values() for pid in pids}
    assert os.getpid() not in pids and 1 <= len(pids) <= 2
    assert (progress.done, progress.rows) == (6, sum(s + 1 for s in starts))
    assert "things: chunk 6/6, 156 rows" in capsys.readouterr().out


def test_one_job_writes_here(tmp_path):
    progress = Progress("things", 2)

    in_processes(recording(tmp_path), [0, 5], 1, progress)

    assert written(tmp_path) == {0: [os.getpid()], 5: [os.getpid()]} and progress.rows == 7


def test_a_failed_chunk_stops_the_fill_with_its_error(tmp_path):
    with pytest.raises(ValueError, match="chunk 20 failed"):
        in_processes(recording(tmp_path, fail_at=20), [0, 10, 20, 30], 2, Progress("things", 4))
