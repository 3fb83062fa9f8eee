from __future__ import annotations

import hashlib
import hmac
import json
import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from minga.notices import gateways, services
from minga.notices.models import Channel, Kind, Message, Status
from minga.tables import queries as tables

SIGNATURE_AGE = 300  # seconds a signed reply stays acceptable


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request: HttpRequest) -> HttpResponse:
    """Each person chooses, per kind of notice, e-mail, SMS, WhatsApp or nothing; SMS and
    WhatsApp once their number is verified."""
    user = request.user
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "phone":
                services.send_phone_code(
                    user=user, number=request.POST.get("number", ""), language=request.LANGUAGE_CODE
                )
                messages.success(request, _("We sent a code to that number: type it in below."))
            elif action == "verify":
                services.verify_phone(user=user, code=request.POST.get("code", ""))
                messages.success(request, _("Your number is verified."))
            else:
                services.choose(
                    user=user,
                    chosen={kind: request.POST.get(f"kind-{kind}", "") for kind in Kind.values},
                    language=request.LANGUAGE_CODE,
                )
                messages.success(request, _("Your notice preferences were saved."))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return _preferences_page(request, status=400)
        return redirect("notices")
    return _preferences_page(request)


def _preferences_page(request: HttpRequest, status: int = 200) -> HttpResponse:
    user = request.user
    chosen = services.choices_of(user)
    offered = services.offered(user)
    rows = [
        {
            "kind": kind,
            "label": label,
            "options": [{"value": "", "label": _("None"), "checked": kind not in chosen}]
            + [
                {"value": value, "label": name, "checked": chosen.get(kind) == value}
                for value, name in Channel.choices
                if value in offered
            ],
        }
        for kind, label in Kind.choices
    ]
    return render(
        request,
        "notices/preferences.html",
        {
            "rows": rows,
            "phone": services.phone_of(user, verified=False),
            "phones_offered": gateways.configured(Channel.SMS)
            or gateways.configured(Channel.WHATSAPP),
            "sms": gateways.configured(Channel.SMS),
        },
        status=status,
    )


@require_GET
def short(request: HttpRequest, code: str) -> HttpResponse:
    """A short link from a message: to its page (the page asks for a login if it needs one)."""
    path = services.resolve(code)
    if path is None:
        raise Http404
    return HttpResponseRedirect(path)


def _signed(request: HttpRequest) -> bool:
    secret = settings.MINGA_SMS_WEBHOOK_SECRET
    stamp = request.headers.get("X-Timestamp", "")
    given = request.headers.get("X-Signature", "")
    if not (secret and stamp.isdigit() and given):
        return False
    if abs(time.time() - int(stamp)) > SIGNATURE_AGE:
        return False
    expected = hmac.new(secret.encode(), request.body + stamp.encode(), hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, given.lower())


@csrf_exempt
@require_POST
def reply(request: HttpRequest) -> JsonResponse:
    """An SMS someone sent back, from the gateway: SMS Gateway for Android's ``sms:received``
    webhook, or minga's own contract ``{"from", "text"}``; signed either way."""
    if not _signed(request):
        return JsonResponse({"error": "bad signature"}, status=403)
    try:
        body = json.loads(request.body)
    except ValueError:
        return JsonResponse({"error": "not JSON"}, status=400)
    if not isinstance(body, dict):
        return JsonResponse({"error": "not an object"}, status=400)
    if "event" in body:
        payload = body.get("payload") or {}
        if body.get("event") == "sms:failed":
            # the phone could not deliver what the gateway accepted: the secretariat sees it
            failed = services.delivery_failed(
                provider_id=str(payload.get("messageId", "")), reason=str(payload.get("reason", ""))
            )
            return JsonResponse({"failed": failed})
        if body.get("event") != "sms:received":
            return JsonResponse({"ignored": body.get("event")})
        number, text = payload.get("phoneNumber", ""), payload.get("message", "")
    else:
        number, text = body.get("from", ""), body.get("text", "")
    user, answer = services.answer_reply(number=str(number), text=str(text))
    if user is not None and answer and gateways.configured(Channel.SMS):
        services.queue(
            user=user, channel=Channel.SMS, to=services.normalized(number), text=answer, kind=""
        )
    return JsonResponse({"recorded": user is not None, "answer": answer})


@login_required
@require_GET
def deliveries(request: HttpRequest, slug: str) -> HttpResponse:
    """The secretariat sees what was sent on its table's behalf, and what failed."""
    table = tables.get_table(slug)
    tables.require(request.user, table, "notices.manage")
    found = Message.objects.filter(table=table).select_related("user")
    failing = found.filter(status__in=[Status.FAILED, Status.RETRYING])
    return render(
        request,
        "notices/deliveries.html",
        {
            "table": table,
            "failing": list(failing[:100]),
            "recent": list(found.exclude(pk__in=failing.values("pk"))[:50]),
            "counts": {s: found.filter(status=s).count() for s in Status.values},
        },
    )


@login_required
@require_POST
def send_again(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    table = tables.get_table(slug)
    tables.require(request.user, table, "notices.manage")
    message = get_object_or_404(Message, pk=pk, table=table, status=Status.FAILED)
    services.send_again(message=message)
    messages.success(request, _("The message is queued again."))
    return redirect("notice-deliveries", slug=table.slug)
