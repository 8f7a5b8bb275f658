"""Clip upload to the server's evidence store on loopback, beside a plain file copy (not a test; prints figures).

Run: ``.venv/bin/python bench/bench_upload.py [--mb 64] [--runs 5] [--chunk-mb 4]``. Starts ``packgate
serve`` (SQLite) in its own process, enrols a bench, and uploads a clip-sized file through the
bench's uploader (index row, chunks of ``--chunk-mb``, the server's SHA-256 of the whole file, the
move into the store) ``--runs`` times; beside it, in the same run, ``shutil.copyfile`` of the same
file and the SHA-256 of it on its own (what the bench and the server each compute once). Medians.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> int:
    import httpx

    from app.client.evidence import Uploader
    from app.client.remote import enrol
    from app.evidence import clipfile
    from app.evidence.journal import ClipJournal, JournalIndex

    ap = argparse.ArgumentParser()
    ap.add_argument("--mb", type=int, default=64, help="size of the clip (16 MB is about a minute of 720p15)")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--chunk-mb", type=float, default=4)
    opts = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-upload-"))
    env = {**os.environ, "PACKGATE_HOME": str(work / "server-home")}
    env.pop("PACKGATE_DB", None)
    url = f"sqlite:///{work / 'server.db'}"
    py = [sys.executable, str(ROOT / "main.py"), "--db", url]
    code = json.loads(subprocess.run([*py, "stations", "add", "BENCH-B", "--json"], env=env, check=True,
                                     capture_output=True, text=True).stdout)["code"]
    port = free_port()
    server = subprocess.Popen([*py, "serve", "--listen", f"127.0.0.1:{port}", "--no-sender",
                               "--evidence", str(work / "store")], env=env, stdout=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{base}/api/v1/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise SystemExit("server not ready")
            time.sleep(0.05)
        link = enrol(base, "BENCH-B", code)
        size = opts.mb * 1024 * 1024
        upload_s, copy_s, hash_s = [], [], []
        for run in range(opts.runs):
            folder = work / f"bench-{run}"
            index = JournalIndex(ClipJournal(folder, "BENCH-B"))
            day = folder / "BENCH-B" / "2026-12-01"
            day.mkdir(parents=True)
            path = day / f"PDD-{run}_SF14000000000{run:02d}_20261201-100000-000.mp4"
            path.write_bytes(os.urandom(size))
            handle = index.create(order_no=f"PDD-{run}", packer="p", path=path, started_at=datetime.now(UTC),
                                  fps=15, width=1280, height=720)
            index.finish(handle, state="complete", end_reason="packed", frames=0, bytes=size,
                         sha256=clipfile.sha256_file(path), marks=[], ended_at=datetime.now(UTC))
            copy_to = work / f"copy-{run}.mp4"
            t = time.perf_counter()
            shutil.copyfile(path, copy_to)
            copy_s.append(time.perf_counter() - t)
            t = time.perf_counter()
            clipfile.sha256_file(copy_to)
            hash_s.append(time.perf_counter() - t)
            copy_to.unlink()
            done: list = []
            uploader = Uploader(link, ClipJournal(folder, "BENCH-B"), chunk=int(opts.chunk_mb * 1024 * 1024),
                                on_event=done.append)
            t = time.perf_counter()
            uploader.run_once()
            upload_s.append(time.perf_counter() - t)
            uploader.stop()
            assert done and not path.exists(), "upload not confirmed"
        mb = size / 1e6
        up, cp, hs = statistics.median(upload_s), statistics.median(copy_s), statistics.median(hash_s)
        print(f"clip {opts.mb} MiB, chunks {opts.chunk_mb} MiB, {opts.runs} runs, medians:")
        print(f"  upload to the evidence store (loopback, verified): {up:.3f} s = {mb / up:.0f} MB/s")
        print(f"  plain file copy, same disk:                        {cp:.3f} s = {mb / cp:.0f} MB/s")
        print(f"  SHA-256 of the file alone:                         {hs:.3f} s = {mb / hs:.0f} MB/s")
    finally:
        server.terminate()
        server.wait(20)
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
