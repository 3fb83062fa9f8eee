"""The gateways SMS and WhatsApp messages go through, chosen by the operator.

Each adapter posts one message and returns the provider's id, or raises :class:`Refused` (the
gateway said no: a wrong number, a bad credential; trying again would not help) or
:class:`Unavailable` (a 5xx answer, a timeout, no connection: the worker tries again later).

- ``http``: minga's own contract, for any gateway behind a small bridge. ``POST`` JSON
  ``{"channel": "sms" | "whatsapp", "to": "+593…", "text": "…"}`` with ``Authorization: Bearer
  <token>``; a 2xx answer, optionally JSON ``{"id": "…"}``, means accepted.
- ``android``: SMS Gateway for Android (capcom6/android-sms-gateway, open source), its local
  server on the phone or its cloud server: ``POST <url>/message`` with basic authentication and
  ``{"textMessage": {"text": "…"}, "phoneNumbers": ["+593…"]}``; it answers ``{"id", "state"}``.
- ``whatsapp``: the WhatsApp Business Cloud API, ``POST <url>/<phone-number-id>/messages`` with
  a bearer token: a text message, or, with ``MINGA_WHATSAPP_TEMPLATE``, that approved template
  with the text as its one body parameter (needed outside the 24 hours after the person last
  wrote).
"""

from __future__ import annotations

import base64
import json
import urllib.error
import urllib.request
from typing import Any

from django.conf import settings

from minga.notices.models import Channel


class Refused(Exception):
    """The gateway refused the message: sending it again would not help."""


class Unavailable(Exception):
    """The gateway could not be reached or failed: try again later."""


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A gateway that redirects is misconfigured: following it would resend the credentials to
    another address and turn the POST into a GET."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_opener = urllib.request.build_opener(_NoRedirects)
# WhatsApp's template languages (https://developers.facebook.com/docs/whatsapp/…/supported-languages)
WHATSAPP_LANGUAGES = {"es": "es", "pt": "pt_BR", "en": "en"}


def configured(channel: str) -> bool:
    if channel == Channel.EMAIL:
        return True
    if channel == Channel.SMS:
        return bool(settings.MINGA_SMS_GATEWAY and settings.MINGA_SMS_GATEWAY_URL)
    if channel == Channel.WHATSAPP:
        return bool(settings.MINGA_WHATSAPP_PHONE_ID and settings.MINGA_WHATSAPP_TOKEN)
    return False


def _post(url: str, body: dict[str, Any], headers: dict[str, str]) -> dict[str, Any]:
    if not url.startswith(("https://", "http://")):
        raise Refused(f"not an http(s) address: {url[:80]}")
    request = urllib.request.Request(  # noqa: S310 - http(s) only, checked above
        url,
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", "Accept": "application/json", **headers},
        method="POST",
    )
    try:
        with _opener.open(request, timeout=settings.MINGA_NOTICE_TIMEOUT) as response:
            raw = response.read(65536)
    except urllib.error.HTTPError as exc:
        detail = exc.read(300).decode("utf-8", "replace").strip()
        message = f"HTTP {exc.code}: {detail}"[:300]
        if exc.code >= 500 or exc.code in (408, 429):
            raise Unavailable(message) from None
        raise Refused(message) from None
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise Unavailable(f"{type(reason).__name__}: {reason}"[:300]) from None
    try:
        answer = json.loads(raw or b"{}")
    except ValueError:
        answer = {}
    return answer if isinstance(answer, dict) else {}


def _http(channel: str, to: str, text: str) -> str:
    headers = {}
    if settings.MINGA_SMS_GATEWAY_TOKEN:
        headers["Authorization"] = f"Bearer {settings.MINGA_SMS_GATEWAY_TOKEN}"
    answer = _post(
        settings.MINGA_SMS_GATEWAY_URL, {"channel": channel, "to": to, "text": text}, headers
    )
    return str(answer.get("id", ""))


def _android(to: str, text: str) -> str:
    pair = f"{settings.MINGA_SMS_GATEWAY_USER}:{settings.MINGA_SMS_GATEWAY_PASSWORD}"
    headers = {"Authorization": "Basic " + base64.b64encode(pair.encode()).decode()}
    url = settings.MINGA_SMS_GATEWAY_URL.rstrip("/") + "/message"
    answer = _post(url, {"textMessage": {"text": text}, "phoneNumbers": [to]}, headers)
    return str(answer.get("id", ""))


def _whatsapp(to: str, text: str, language: str) -> str:
    url = f"{settings.MINGA_WHATSAPP_URL.rstrip('/')}/{settings.MINGA_WHATSAPP_PHONE_ID}/messages"
    body: dict[str, Any] = {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": to.lstrip("+"),
    }
    if settings.MINGA_WHATSAPP_TEMPLATE:
        body |= {
            "type": "template",
            "template": {
                "name": settings.MINGA_WHATSAPP_TEMPLATE,
                "language": {"code": WHATSAPP_LANGUAGES.get(language, language)},
                "components": [{"type": "body", "parameters": [{"type": "text", "text": text}]}],
            },
        }
    else:
        body |= {"type": "text", "text": {"preview_url": False, "body": text}}
    answer = _post(url, body, {"Authorization": f"Bearer {settings.MINGA_WHATSAPP_TOKEN}"})
    messages = answer.get("messages") or [{}]
    return str(messages[0].get("id", "")) if isinstance(messages[0], dict) else ""


def send(channel: str, to: str, text: str, *, language: str = "es") -> str:
    """Send ``text`` to the number ``to`` by SMS or WhatsApp; the provider's message id."""
    if not configured(channel):
        raise Refused(f"no {channel} gateway is configured")
    if channel == Channel.WHATSAPP:
        return _whatsapp(to, text, language)
    if settings.MINGA_SMS_GATEWAY == "android":
        return _android(to, text)
    return _http(channel, to, text)
