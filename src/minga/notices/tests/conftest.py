"""A gateway on 127.0.0.1, started for real, speaking the three contracts minga sends through:
SMS Gateway for Android's ``POST /message``, the WhatsApp Cloud API's ``POST /<id>/messages``,
and minga's own ``POST /send``. Each test says how it answers: ``ok``, ``400``, ``500`` or
``slow`` (longer than minga waits)."""

from __future__ import annotations

import base64
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

USER, PASSWORD, PHONE_ID = "minga", "s3cret", "106540352242922"
TOKEN, WHATSAPP_TOKEN = "tok-123", "EAAG-whatsapp-456"


class Quiet(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # minga hung up on a "slow" answer, as it should: nothing to report


class Gateway:
    def __init__(self) -> None:
        self.mode = "ok"
        self.received: list[dict[str, Any]] = []
        self.server = Quiet(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _answer(self, status: int, body: dict[str, Any]) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                auth = self.headers.get("Authorization", "")
                gateway.received.append({"path": self.path, "auth": auth, "body": body})
                if gateway.mode == "slow":
                    time.sleep(2.5)
                if gateway.mode == "500":
                    return self._answer(500, {"message": "modem not ready"})
                if gateway.mode == "429":
                    return self._answer(429, {"message": "slow down"})
                if gateway.mode == "redirect":
                    self.send_response(307)
                    self.send_header("Location", f"{gateway.url}/elsewhere")
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return None
                if self.path == "/message":  # SMS Gateway for Android
                    pair = base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
                    if auth != f"Basic {pair}":
                        return self._answer(401, {"message": "unauthorized"})
                    if gateway.mode == "400" or not body.get("phoneNumbers"):
                        return self._answer(400, {"message": "invalid phone number"})
                    return self._answer(202, {"id": "PyDmBQZZXYmyxMwED8Fzy", "state": "Pending"})
                if self.path == f"/v21.0/{PHONE_ID}/messages":  # WhatsApp Cloud API
                    if auth != f"Bearer {WHATSAPP_TOKEN}":
                        return self._answer(401, {"error": {"message": "Invalid OAuth"}})
                    if gateway.mode == "400":
                        return self._answer(
                            400,
                            {"error": {"message": "Recipient not in allowed list", "code": 131030}},
                        )
                    return self._answer(
                        200,
                        {
                            "messaging_product": "whatsapp",
                            "contacts": [{"input": body["to"], "wa_id": body["to"]}],
                            "messages": [{"id": "wamid.HBgLNTkzOTg3NjU0MzIxFQIAERgS"}],
                        },
                    )
                if self.path == "/send":  # minga's own contract
                    if auth != f"Bearer {TOKEN}":
                        return self._answer(401, {"error": "unauthorized"})
                    if gateway.mode == "400":
                        return self._answer(422, {"error": "no such number"})
                    return self._answer(200, {"id": "gw-1"})
                return self._answer(404, {})

        return Handler


@pytest.fixture
def gateway(settings: Any) -> Any:
    found = Gateway()
    settings.MINGA_NOTICE_TIMEOUT = 1
    settings.MINGA_NOTICE_RETRIES = 2
    settings.MINGA_SMS_GATEWAY = "android"
    settings.MINGA_SMS_GATEWAY_URL = found.url
    settings.MINGA_SMS_GATEWAY_USER, settings.MINGA_SMS_GATEWAY_PASSWORD = USER, PASSWORD
    settings.MINGA_SMS_GATEWAY_TOKEN = TOKEN
    settings.MINGA_WHATSAPP_URL = f"{found.url}/v21.0"
    settings.MINGA_WHATSAPP_PHONE_ID, settings.MINGA_WHATSAPP_TOKEN = PHONE_ID, WHATSAPP_TOKEN
    settings.MINGA_SMS_WEBHOOK_SECRET = "webhook-key"
    yield found
    found.server.shutdown()
    found.server.server_close()
