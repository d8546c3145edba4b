"""What an oversize body costs daphne's memory, reached directly and through nginx (issue 46, point 12).

daphne hands the application a whole body at once (it reads the request into its own buffer before Walker's
ASGI middleware can answer 413), so a client that reaches daphne directly makes it hold every byte it sends. In
production nginx stands in front (client_max_body_size, the ingress's proxy-body-size) and refuses the body from
its Content-Length before reading it; the embedded default binds daphne to loopback. This script starts daphne
(embedded settings, a scratch SQLite file) and a minimal nginx in front of it, sends `--posts` bodies of `--mb`
MiB to /healthz each way, and prints daphne's resident memory before and after each.

    .venv/bin/python bench/body_memory.py --mb 256 --posts 3
"""

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NGINX_CONF = """daemon off; worker_processes 1; pid {dir}/nginx.pid; error_log stderr warn;
events {{ worker_connections 64; }}
http {{
    client_body_temp_path {dir}/body; proxy_temp_path {dir}/proxy; access_log off;
    fastcgi_temp_path {dir}/fastcgi; uwsgi_temp_path {dir}/uwsgi; scgi_temp_path {dir}/scgi;
    server {{
        listen 127.0.0.1:{port};
        client_max_body_size 32m;
        location / {{ proxy_pass http://127.0.0.1:{upstream}; }}
    }}
}}
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def wait_for_port(port: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"nothing listens on {port}")


def post(port: int, mib: int) -> str:
    """POST `mib` MiB with a Content-Length, a MiB at a time; the status line, or how the connection ended."""
    chunk = b"x" * 1024 * 1024
    with socket.create_connection(("127.0.0.1", port), timeout=120) as sock:
        sock.sendall(
            f"POST /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: {mib * len(chunk)}\r\n"
            "Content-Type: application/octet-stream\r\nConnection: close\r\n\r\n".encode()
        )
        try:
            for _ in range(mib):
                sock.sendall(chunk)
        except OSError as err:  # refused before the end: the server answered and closed
            reason = f"closed after sending part ({err.__class__.__name__})"
        else:
            reason = ""
        answer = sock.recv(200).split(b"\r\n", 1)[0].decode(errors="replace")
    return answer or reason


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mb", type=int, default=256, help="MiB per body")
    parser.add_argument("--posts", type=int, default=3)
    args = parser.parse_args()
    print(f"load average: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f}")
    with tempfile.TemporaryDirectory(prefix="walker-body-bench-") as scratch:
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", "WALKER_VAR_DIR": scratch}
        subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
        daphne_port, nginx_port = free_port(), free_port()
        daphne_bin = str(Path(sys.executable).parent / "daphne")
        daphne = subprocess.Popen(
            [daphne_bin, "-b", "127.0.0.1", "-p", str(daphne_port), "config.asgi:application"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        conf = Path(scratch, "nginx.conf")
        conf.write_text(NGINX_CONF.format(dir=scratch, port=nginx_port, upstream=daphne_port))
        nginx = subprocess.Popen(["nginx", "-c", str(conf), "-p", scratch], stderr=subprocess.DEVNULL)
        try:
            wait_for_port(daphne_port)
            wait_for_port(nginx_port)
            time.sleep(2)
            print(f"daphne at rest: {rss_mib(daphne.pid):.0f} MiB")
            for way, port in (("through nginx", nginx_port), ("directly", daphne_port)):
                before = rss_mib(daphne.pid)
                answers = [post(port, args.mb) for _ in range(args.posts)]
                time.sleep(2)
                print(
                    f"{args.posts} × {args.mb} MiB {way}: answers {sorted(set(answers))}; daphne "
                    f"{before:.0f} → {rss_mib(daphne.pid):.0f} MiB"
                )
        finally:
            nginx.terminate()
            daphne.terminate()
            nginx.wait(10)
            daphne.wait(10)


if __name__ == "__main__":
    main()
