"""A Responses API (`POST /v1/responses`, SSE) for the real codex CLI, mounted on the rig's FakeBackend.

The n-th request is answered with usage input 1200 + 100(n-1) (200 cached), output 30 + 10(n-1)
(10 of them reasoning), like the harness's `fake_backend.py --vary`, and remembered (model, session
id, usage, time) so a test can check what codex logged against what it was served. A newest user
message containing "[tool]" gets an `exec_command` call first, so that turn makes two requests.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
import uuid
from typing import Any

from tests.rig.fake_backend import Reply
from tests.rig.served import Served


def sse(event: str, data: dict[str, Any]) -> str:
    return f"event: {event}\ndata: {json.dumps(dict(data, type=event), separators=(',', ':'))}\n\n"


def usage_for(n: int) -> dict[str, Any]:
    inp, out = 1200 + 100 * (n - 1), 30 + 10 * (n - 1)
    return {"input_tokens": inp, "input_tokens_details": {"cached_tokens": 200}, "output_tokens": out,
            "output_tokens_details": {"reasoning_tokens": 10}, "total_tokens": inp + out}


def wants_tool(body: Any) -> bool:
    try:
        last = body["input"][-1]
    except (KeyError, IndexError, TypeError):
        return False
    return last.get("type") == "message" and last.get("role") == "user" and "[tool]" in json.dumps(
        last.get("content", ""))


class ResponsesAPI:
    """`backend.route("POST", "/v1/responses", api.handle)`; `api.served` lists every answer."""

    def __init__(self) -> None:
        self.served: list[Served] = []
        self._lock = threading.Lock()

    def handle(self, req: dict[str, Any]) -> Reply:
        body = req.get("body") if isinstance(req.get("body"), dict) else {}
        model = str(body.get("model") or "unknown")
        with self._lock:
            n = len(self.served) + 1
            usage = usage_for(n)
            self.served.append(Served(model, usage, dt.datetime.now(dt.timezone.utc),
                                      req["headers"].get("session-id")))
        stream = self._tool_call(n, model, usage) if wants_tool(body) else self._message(n, model, usage)
        return Reply(body=stream.encode(), headers={"Content-Type": "text/event-stream",
                                                    "x-request-id": f"req_fake_{n}"})

    @staticmethod
    def _response(n: int, model: str) -> dict[str, Any]:
        return {"id": f"resp_fake_{n:04d}_{uuid.uuid4().hex[:12]}", "object": "response",
                "created_at": int(dt.datetime.now().timestamp()), "status": "in_progress", "model": model,
                "output": []}

    def _tool_call(self, n: int, model: str, usage: dict[str, Any]) -> str:
        resp = self._response(n, model)
        call = {"id": f"fc_fake_{n:04d}", "type": "function_call", "status": "completed",
                "call_id": f"call_fake_{n:04d}", "name": "exec_command",
                "arguments": json.dumps({"cmd": "echo tool-ok"})}
        return "".join([
            sse("response.created", {"sequence_number": 0, "response": resp}),
            sse("response.output_item.added", {"sequence_number": 1, "output_index": 0,
                                               "item": dict(call, status="in_progress", arguments="")}),
            sse("response.function_call_arguments.done", {"sequence_number": 2, "item_id": call["id"],
                                                          "output_index": 0, "arguments": call["arguments"]}),
            sse("response.output_item.done", {"sequence_number": 3, "output_index": 0, "item": call}),
            sse("response.completed", {"sequence_number": 4, "response": dict(
                resp, status="completed", output=[call], usage=usage)}),
        ])

    def _message(self, n: int, model: str, usage: dict[str, Any]) -> str:
        resp = self._response(n, model)
        msg_id, text = f"msg_fake_{n:04d}", "Hi! (fake backend)"
        part = {"type": "output_text", "text": text, "annotations": []}
        done = {"id": msg_id, "type": "message", "status": "completed", "role": "assistant", "content": [part]}
        return "".join([
            sse("response.created", {"sequence_number": 0, "response": resp}),
            sse("response.in_progress", {"sequence_number": 1, "response": resp}),
            sse("response.output_item.added", {"sequence_number": 2, "output_index": 0, "item": dict(
                done, status="in_progress", content=[])}),
            sse("response.content_part.added", {"sequence_number": 3, "item_id": msg_id, "output_index": 0,
                                                "content_index": 0, "part": dict(part, text="")}),
            sse("response.output_text.delta", {"sequence_number": 4, "item_id": msg_id, "output_index": 0,
                                               "content_index": 0, "delta": text}),
            sse("response.output_text.done", {"sequence_number": 5, "item_id": msg_id, "output_index": 0,
                                              "content_index": 0, "text": text}),
            sse("response.content_part.done", {"sequence_number": 6, "item_id": msg_id, "output_index": 0,
                                               "content_index": 0, "part": part}),
            sse("response.output_item.done", {"sequence_number": 7, "output_index": 0, "item": done}),
            sse("response.completed", {"sequence_number": 8, "response": dict(
                resp, status="completed", output=[done], usage=usage)}),
        ])
