"""Time from posting a question to having the agent's answer, on a running Walker (e.g. `make run`).

The answer is produced by the Celery worker, so this measures the message path end to end:
accept in daphne, the broker (the filesystem broker on the embedded default), the worker's
engine run, and how the answer comes back: the API's long poll (`?wait=`), and a chat socket
(/ws/chat/ with a widget token; websocket-client from requirements-dev.txt), which on the
embedded default reads the answer from the event store every EVENT_POLL_SECONDS.

    WALKER_PORT=8017 make run        # in one terminal
    .venv/bin/python bench/embedded_answer_bench.py --base http://127.0.0.1:8017 --messages 8
"""

import argparse
import json
import statistics
import time
import urllib.request


def call(base, method, path, body=None, token=None):
    headers = {"Content-Type": "application/json", **({"Authorization": f"Token {token}"} if token else {})}
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(base + path, data=data, method=method, headers=headers)
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.status, json.loads(response.read())


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default="http://127.0.0.1:8000")
    parser.add_argument("--messages", type=int, default=8)
    parser.add_argument("--email", default="member@acme.test")
    parser.add_argument("--password", default="walker-demo")
    args = parser.parse_args()
    _, body = call(args.base, "POST", "/api/auth/token/", {"email": args.email, "password": args.password})
    token = body["token"]
    _, conversation = call(args.base, "POST", "/api/conversations/", {"channel": "api"}, token)
    url = f"/api/conversations/{conversation['id']}/messages/?wait=10"
    times, missing = [], 0
    for _ in range(args.messages):
        started = time.monotonic()
        _, answer = call(args.base, "POST", url, {"message": "How is my Summer Sale campaign doing?"}, token)
        times.append((time.monotonic() - started) * 1000)
        missing += answer["reply"] is None
    print(f"API: {args.messages} questions, {missing} without an answer within 10 s")
    print(f"API question to answer: p50 {statistics.median(times):.0f} ms, max {max(times):.0f} ms")
    print("all (ms):", [round(t) for t in times])
    chat(args, token)


def chat(args, api_token):
    import websocket  # websocket-client

    _, widget = call(args.base, "POST", "/api/chat/token/", {}, api_token)
    ws = websocket.create_connection(args.base.replace("http", "ws", 1) + f"/ws/chat/?token={widget['token']}")
    ws.recv()  # history
    times = []
    for n in range(args.messages):
        started = time.monotonic()
        ws.send(json.dumps({"type": "send_message", "message": "How is my Summer Sale campaign doing?",
                            "client_msg_id": f"bench-{time.time_ns()}-{n}"}))  # fmt: skip
        while json.loads(ws.recv()).get("type") != "agent_response":
            pass
        times.append((time.monotonic() - started) * 1000)
    ws.close()
    print(f"chat question to answer: p50 {statistics.median(times):.0f} ms, max {max(times):.0f} ms")
    print("all (ms):", [round(t) for t in times])


if __name__ == "__main__":
    main()
