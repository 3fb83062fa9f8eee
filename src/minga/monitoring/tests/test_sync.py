"""Sources on their servers, against a real HTTP server on 127.0.0.1: KoboToolbox answers as
recorded from a live server (../shared/field-samples/kobo), ODK Central, CoMapeo and GFW answers
in their documented shapes; paging, a 401, a 500, a timeout and a malformed page."""

import io
import json
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from minga.core.access import SYSTEM
from minga.core.testing import require_shared
from minga.monitoring import connectors, mapping, services, sync
from minga.monitoring.models import CategoryMapping, FieldSource, Observation, Quarantined
from minga.tables.models import Table

KOBO_ASSET = "aYuTZn9vegi3Z49MXwKjep"
GEO_ASSET = "a9NCKTJxBPKdy49gX57WL5"


class Server:
    """Answers by path: (status, bytes) or a callable(handler) -> (status, bytes)."""

    def __init__(self):
        self.routes = {}
        self.seen = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _answer(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                outer.seen.append((self.command, self.path, dict(self.headers), body))
                route = outer.routes.get(self.path.split("?")[0])
                if route is None:
                    status, data = 404, b'{"detail": "not found"}'
                elif callable(route):
                    status, data = route(self)
                else:
                    status, data = route
                if status is None:
                    self.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n{")
                    return  # a dropped connection
                if status == "sent":
                    return  # the route answered by itself
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = _answer

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server():
    found = Server()
    yield found
    found.close()


@pytest.fixture
def fast(settings):
    settings.MINGA_SYNC_LOCAL_SERVERS = True  # the test's servers listen on 127.0.0.1
    settings.MINGA_SYNC_TIMEOUT = 1
    settings.MINGA_SYNC_RETRIES = 2
    original = connectors.Connection.__dataclass_fields__["backoff"].default
    connectors.Connection.__dataclass_fields__["backoff"].default = 0.01
    yield
    connectors.Connection.__dataclass_fields__["backoff"].default = original


def recorded(name):
    return require_shared("field-samples", "kobo", name).read_bytes()


def kobo_paged(server):
    """The recorded first page (its `next` pointing at kobo.unhcr.org, moved to this server)
    and a second page holding the other submission the query matches, from the same asset."""
    first = json.loads(recorded("robotoolbox_kobo_data_query__paged_next.json"))
    first["next"] = first["next"].replace("https://kobo.unhcr.org", server.url)
    everyone = json.loads(recorded("robotoolbox_kobo_data__multilang_5subs.json"))["results"]
    second_record = [r for r in everyone if r["pet_yesno"] == "0"][1]
    second = {"count": 2, "next": None, "previous": first["next"], "results": [second_record]}

    def pages(handler):
        page = second if "start=1" in handler.path else first
        return 200, json.dumps(page).encode()

    return pages


def kobo_source(table, server, asset=KOBO_ASSET, credential="tok-123secret"):
    source, secret = sync.add_source(
        by=SYSTEM, table=table, tool="kobo", name="Encuesta", url=server.url, ref=asset,
        credential=credential,
    )  # fmt: skip
    export = sync.test_connection(by=SYSTEM, source=source)
    services.confirm_mapping(by=SYSTEM, source=source, chosen=mapping.propose(export))
    source.refresh_from_db()
    return source, secret


def test_kobo_pages_are_followed_with_the_token_in_a_header_and_resumed_from_the_cursor(
    db, server, fast
):
    table = Table.objects.get(slug="sucumbios")
    server.routes[f"/api/v2/assets/{KOBO_ASSET}/"] = (200, b'{"uid": "x", "name": "Encuesta"}')
    server.routes[f"/api/v2/assets/{KOBO_ASSET}/data.json"] = kobo_paged(server)
    source, _secret = kobo_source(table, server)
    summary = sync.sync_source(by=SYSTEM, source=source)
    # Two submissions over two pages, neither with a location: both counted in quarantine.
    assert (summary.new, summary.quarantined) == (0, 2)
    pages = [p for m, p, h, b in server.seen if "data.json" in p]
    assert any("start=1" in p for p in pages)
    assert all(h.get("Authorization") == "Token tok-123secret" for m, p, h, b in server.seen)
    assert all("tok-123secret" not in p for m, p, h, b in server.seen)
    source.refresh_from_db()
    # The cursor is the latest submission time served (the second page's record).
    everyone = json.loads(recorded("robotoolbox_kobo_data__multilang_5subs.json"))["results"]
    latest = [r for r in everyone if r["pet_yesno"] == "0"][1]["_submission_time"]
    assert source.cursor == latest and source.last_error == ""
    server.seen.clear()
    sync.sync_source(by=SYSTEM, source=source)
    asked = next(p for m, p, h, b in server.seen if "data.json" in p)
    assert "%24gt" in asked and latest.replace(":", "%3A") in asked


def test_a_kobo_source_brings_observations_tracks_and_attachments(db, server, fast, settings):
    table = Table.objects.get(slug="sucumbios")
    answer = json.loads(recorded("robotoolbox_kobo_data_geodata__geopoint_geotrace_geoshape.json"))
    answer["results"][0]["_attachments"] = [
        {"filename": "user/attachments/x/foto.jpg", "mimetype": "image/jpeg",
         "download_url": f"{server.url}/media/foto.jpg"}
    ]  # fmt: skip
    server.routes[f"/api/v2/assets/{GEO_ASSET}/"] = (200, b"{}")
    server.routes[f"/api/v2/assets/{GEO_ASSET}/data.json"] = (200, json.dumps(answer).encode())
    server.routes["/media/foto.jpg"] = (200, b"\xff\xd8\xff" + b"0" * 100)
    source, _secret = kobo_source(table, server, GEO_ASSET)
    assert sync.sync_source(by=SYSTEM, source=source).new == 1
    observation = Observation.objects.get(table=table, field_source=source)
    photo = observation.photos[0]
    assert photo["name"] == "foto.jpg" and photo["size"] == 103 and photo["file"].endswith(".jpg")
    assert (settings.MEDIA_ROOT / photo["file"]).read_bytes().startswith(b"\xff\xd8\xff")
    again = sync.sync_source(by=SYSTEM, source=source)
    assert (again.new, again.updated, again.unchanged) == (0, 0, 1)


@pytest.mark.parametrize(
    ("answer", "code"),
    [
        ((401, b'{"detail": "Invalid token."}'), "auth"),
        ((500, b"<html>Server Error</html>"), "server"),
        ("slow", "timeout"),
        ((200, b"<html>not json</html>"), "malformed"),
        ((200, b'{"count": 1, "results": 7}'), "malformed"),
        ((None, b""), "network"),
    ],
)
def test_a_failed_sync_says_why_and_writes_nothing(db, server, fast, answer, code):
    table = Table.objects.get(slug="sucumbios")
    good = json.loads(recorded("robotoolbox_kobo_data_geodata__geopoint_geotrace_geoshape.json"))
    server.routes[f"/api/v2/assets/{GEO_ASSET}/"] = (200, b"{}")
    server.routes[f"/api/v2/assets/{GEO_ASSET}/data.json"] = (200, json.dumps(good).encode())
    source, _secret = kobo_source(table, server, GEO_ASSET)
    # The first page is good; the second fails: nothing of the first may be written either.
    good["next"] = f"{server.url}/api/v2/assets/{GEO_ASSET}/data.json?start=1"

    def pages(handler):
        if "start=1" not in handler.path:
            return 200, json.dumps(good).encode()
        if answer == "slow":
            time.sleep(1.5)
            return 200, b"{}"
        return answer

    server.routes[f"/api/v2/assets/{GEO_ASSET}/data.json"] = pages
    with pytest.raises(connectors.SyncError) as caught:
        sync.sync_source(by=SYSTEM, source=source)
    assert caught.value.code == code
    assert not Observation.objects.filter(table=table).exists()
    assert not Quarantined.objects.filter(table=table).exists()
    source.refresh_from_db()
    assert source.last_error.startswith(code) and source.cursor == ""
    if code in ("server", "timeout", "network"):  # retried, then given up
        tries = [p for m, p, h, b in server.seen if "start=1" in p]
        assert len(tries) == 1 + 2
    if code == "auth":
        assert len([p for m, p, h, b in server.seen if "start=1" in p]) == 1


def test_odk_central_pages_by_next_link_with_basic_auth_or_an_app_user_token(db, server, fast):
    table = Table.objects.get(slug="sucumbios")
    submission = {
        "__id": "uuid:c1", "start": "2026-10-01T07:00:00.000-05:00",
        "__system": {"submissionDate": "2026-10-01T13:00:00.000Z", "updatedAt": None,
                     "submitterName": "Nantu", "reviewState": None},
        "lugar": {"type": "Point", "coordinates": [-76.9, 0.08, 250], "properties": {"accuracy": 4}},
        "amenaza": "mineria", "notas": "Draga en el río",
    }  # fmt: skip
    second = {**submission, "__id": "uuid:c2", "amenaza": "caza"}
    path = "/v1/projects/3/forms/vigilancia.svc/Submissions"

    def pages(handler):
        if "deletedAt" in urllib.parse.unquote_plus(handler.path):  # nothing deleted on Central
            return 200, json.dumps({"value": []}).encode()
        if "skiptoken" in handler.path:
            return 200, json.dumps({"value": [second]}).encode()
        return 200, json.dumps({
            "@odata.context": f"{server.url}/v1/projects/3/forms/vigilancia.svc/$metadata#Submissions",
            "@odata.count": 2, "value": [submission],
            "@odata.nextLink": f"{server.url}{path}?$skiptoken=abc",
        }).encode()  # fmt: skip

    server.routes[path] = pages
    server.routes["/v1/key/app-token-9/projects/3/forms/vigilancia.svc/Submissions"] = pages
    server.routes["/v1/projects/3/forms/vigilancia.xlsx"] = (200, _xlsform())
    server.routes["/v1/key/app-token-9/projects/3/forms/vigilancia.xlsx"] = (200, _xlsform())
    for credential, header in (("ana@example.org:clave", "Basic "), ("app-token-9", None)):
        FieldSource.objects.filter(table=table, tool="odk").delete()  # the same form, again
        source, _secret = sync.add_source(
            by=SYSTEM, table=table, tool="odk", name=credential, url=server.url + "/",
            ref="3/vigilancia", credential=credential,
        )  # fmt: skip
        export = sync.test_connection(by=SYSTEM, source=source)
        chosen = mapping.propose(export)
        assert (chosen.where, chosen.what, chosen.notes) == ("lugar", "amenaza", ["notas"])
        services.confirm_mapping(by=SYSTEM, source=source, chosen=chosen)
        source.refresh_from_db()
        server.seen.clear()
        summary = sync.sync_source(by=SYSTEM, source=source)
        assert summary.new + summary.unchanged == 2
        asked = [urllib.parse.unquote_plus(p) for m, p, h, b in server.seen]
        assert any("not __system/deletedAt eq null" in p for p in asked)
        auth = [h.get("Authorization", "") for m, p, h, b in server.seen]
        assert all(a.startswith(header) for a in auth) if header else not any(auth)
    found = Observation.objects.get(table=table, source_key="uuid:c1")
    assert found.kind == "mining" and found.observer == "Nantu"
    # The form's choices name the categories in its languages.
    assert CategoryMapping.objects.get(table=table, code="caza").labels == {
        "es": "Caza", "pt": "Caça"
    }  # fmt: skip


def _xlsform():
    from openpyxl import Workbook

    book = Workbook()
    survey = book.active
    survey.title = "survey"
    survey.append(["type", "name", "label::Español (es)", "label::Português (pt)"])
    survey.append(["geopoint", "lugar", "Lugar", "Local"])
    survey.append(["select_one amenazas", "amenaza", "Amenaza", "Ameaça"])
    choices = book.create_sheet("choices")
    choices.append(["list_name", "name", "label::Español (es)", "label::Português (pt)"])
    choices.append(["amenazas", "mineria", "Minería", "Mineração"])
    choices.append(["amenazas", "caza", "Caza", "Caça"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_a_comapeo_archive_server_project_and_its_deletions(db, server, fast):
    table = Table.objects.get(slug="sucumbios")
    doc = {
        "docId": "d1", "versionId": "v1", "createdAt": "2026-10-01T14:00:00.000Z",
        "updatedAt": "2026-10-01T14:00:00.000Z", "deleted": False, "lat": 0.08, "lon": -76.9,
        "attachments": [], "tags": {"type": "threat", "threat": "mining"},
    }  # fmt: skip
    server.routes["/projects/p1/observations"] = (200, json.dumps({"data": [doc]}).encode())
    server.routes["/projects/p1/presets"] = (
        200,
        json.dumps({"data": [{"docId": "pr", "name": "Minería", "tags": doc["tags"]}]}).encode(),
    )
    source, _secret = sync.add_source(
        by=SYSTEM, table=table, tool="comapeo", name="CoMapeo", url=server.url, ref="p1",
        credential="bearer-7",
    )  # fmt: skip
    export = sync.test_connection(by=SYSTEM, source=source)
    services.confirm_mapping(by=SYSTEM, source=source, chosen=mapping.propose(export))
    source.refresh_from_db()
    assert sync.sync_source(by=SYSTEM, source=source).new == 1
    assert Observation.objects.get(source_key="d1").kind == "mining"
    assert all(h.get("Authorization") == "Bearer bearer-7" for m, p, h, b in server.seen)
    gone = {**doc, "versionId": "v2", "deleted": True, "updatedAt": "2026-10-02T00:00:00.000Z"}
    server.routes["/projects/p1/observations"] = (200, json.dumps({"data": [gone]}).encode())
    assert sync.sync_source(by=SYSTEM, source=source).deleted == 1
    assert not Observation.objects.filter(source_key="d1").exists()


def test_gfw_alerts_become_located_dated_alerts(
    db, server, fast, django_capture_on_commit_callbacks
):
    table = Table.objects.get(slug="morona-santiago")
    territory = table.territories.first().shape.representative_point()
    alerts = {
        "status": "success",
        "data": [
            {"latitude": territory.y, "longitude": territory.x,
             "gfw_integrated_alerts__date": "2026-11-20", "gfw_integrated_alerts__confidence": "high"},
            {"latitude": territory.y + 0.001, "longitude": territory.x,
             "gfw_integrated_alerts__date": "2026-11-21", "gfw_integrated_alerts__confidence": "highest"},
        ],
    }  # fmt: skip
    server.routes["/dataset/gfw_integrated_alerts/latest/query/json"] = (
        200,
        json.dumps(alerts).encode(),
    )
    source, _secret = sync.add_source(
        by=SYSTEM, table=table, tool="gfw", name="GFW", url=server.url,
        ref="gfw_integrated_alerts", credential="key-5",
    )  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        summary = sync.sync_source(by=SYSTEM, source=source)
    assert summary.new == 2
    method, _path, headers, body = server.seen[-1]
    asked = json.loads(body)
    headers = {k.lower(): v for k, v in headers.items()}
    assert method == "POST" and headers["x-api-key"] == "key-5"
    assert asked["geometry"]["type"] == "Polygon" and ">= '2015-01-01'" in asked["sql"]
    found = Observation.objects.filter(field_source=source).order_by("observed_at")
    assert [o.categories for o in found] == [["gfw/integrated"]] * 2
    assert {o.kind for o in found} == {"illegal_logging"} and not any(o.outside for o in found)
    source.refresh_from_db()
    assert source.cursor == "2026-11-21"
    # The next sync asks 90 days back (late alerts) and a raised confidence updates the alert.
    alerts["data"][0]["gfw_integrated_alerts__confidence"] = "highest"
    server.routes["/dataset/gfw_integrated_alerts/latest/query/json"] = (
        200,
        json.dumps(alerts).encode(),
    )
    again = sync.sync_source(by=SYSTEM, source=source)
    assert (again.new, again.updated, again.unchanged) == (0, 1, 1)
    assert ">= '2026-08-23'" in json.loads(server.seen[-1][3])["sql"]


def test_credentials_are_sealed_with_a_key_outside_the_database(db, server, fast, settings):
    """(That a backup holds only the ciphertext is checked in tests/test_backups.py.)"""
    table = Table.objects.get(slug="sucumbios")
    source, _secret = sync.add_source(
        by=SYSTEM, table=table, tool="kobo", name="K", url=server.url, ref="a1",
        credential="very-secret-token-42",
    )  # fmt: skip
    stored = bytes(FieldSource.objects.get(pk=source.pk).credential)
    assert b"very-secret-token-42" not in stored and stored
    assert sync.connection_for(source).credential == "very-secret-token-42"
    assert settings.MINGA_SECRETS_KEY_FILE.stat().st_mode & 0o077 == 0
    settings.MINGA_SECRETS_KEY_FILE.write_bytes(b"Cw3Bt3EuGkM0C3e0eC4jvM4K8wfV0ZnUf4vX1y2z3A4=")
    from minga.core.secrets import SecretUnreadable

    with pytest.raises(SecretUnreadable):
        sync.connection_for(source)


def test_kobo_rest_services_push_needs_the_secret(db, server, fast, client):
    table = Table.objects.get(slug="sucumbios")
    answer = json.loads(recorded("robotoolbox_kobo_data_geodata__geopoint_geotrace_geoshape.json"))
    server.routes[f"/api/v2/assets/{GEO_ASSET}/"] = (200, b"{}")
    server.routes[f"/api/v2/assets/{GEO_ASSET}/data.json"] = (200, json.dumps(answer).encode())
    source, secret = kobo_source(table, server, GEO_ASSET)
    url = f"/hooks/kobo/{source.public_id}/"
    body = json.dumps(answer["results"][0])
    refused = client.post(url, body, content_type="application/json", HTTP_X_MINGA_SECRET="no")
    assert refused.status_code == 403 and not Observation.objects.filter(table=table).exists()
    taken = client.post(url, body, content_type="application/json", HTTP_X_MINGA_SECRET=secret)
    assert taken.status_code == 200 and taken.json()["new"] == 1


def test_kobo_category_names_come_in_the_forms_languages(db, server, fast, client_for):
    table = Table.objects.get(slug="morona-santiago")
    answer = json.loads(recorded("robotoolbox_kobo_data_geodata__geopoint_geotrace_geoshape.json"))
    answer["results"][0]["amenaza"] = "balsa"
    asset = {
        "uid": GEO_ASSET,
        "content": {
            "survey": [{"name": "amenaza", "type": "select_one", "select_from_list_name": "amenazas"}],
            "choices": [{"list_name": "amenazas", "name": "balsa",
                         "label": ["Balsa minera", "Balsa de garimpo"]}],
            "translations": ["Español (es)", "Português (pt)"],
        },
    }  # fmt: skip
    server.routes[f"/api/v2/assets/{GEO_ASSET}/"] = (200, json.dumps(asset).encode())
    server.routes[f"/api/v2/assets/{GEO_ASSET}/data.json"] = (200, json.dumps(answer).encode())
    source, _secret = kobo_source(table, server, GEO_ASSET)
    assert source.mapping["what"] == "amenaza"
    sync.sync_source(by=SYSTEM, source=source)
    category = CategoryMapping.objects.get(table=table, code="balsa")
    assert category.labels == {"es": "Balsa minera", "pt": "Balsa de garimpo"}
    assert category.kind == "mining"  # recognised from its name ("minera", "garimpo")
    page = client_for("secretariat").get("/t/morona-santiago/monitoring/categories/?lang=pt")
    assert "Balsa de garimpo" in page.content.decode()


def test_minga_sync_prints_a_line_per_source_and_fails_when_one_fails(db, server, fast, capsys):
    from django.core.management import call_command
    from django.core.management.base import CommandError

    table = Table.objects.get(slug="sucumbios")
    answer = recorded("robotoolbox_kobo_data_geodata__geopoint_geotrace_geoshape.json")
    server.routes[f"/api/v2/assets/{GEO_ASSET}/"] = (200, b"{}")
    server.routes[f"/api/v2/assets/{GEO_ASSET}/data.json"] = (200, answer)
    source, _secret = kobo_source(table, server, GEO_ASSET)
    call_command("sync", "--source", source.public_id)
    out = capsys.readouterr()
    assert out.out.strip() == "Encuesta: 1 new, 0 updated, 0 unchanged, 0 quarantined"
    assert "1/1" in out.err  # the progress bar
    server.routes[f"/api/v2/assets/{GEO_ASSET}/data.json"] = (401, b"{}")
    with pytest.raises(CommandError, match="1 of 1 sources failed"):
        call_command("sync", "--table", "sucumbios")
    assert "failed: auth" in capsys.readouterr().err
    with pytest.raises(CommandError, match="no server source"):
        call_command("sync", "--source", "nope")


def test_a_mapped_server_source_starts_its_chain_of_scheduled_syncs(
    db, server, fast, django_capture_on_commit_callbacks
):
    from django_tasks_db.models import DBTaskResult

    from minga.monitoring.tasks import sync_source_task

    table = Table.objects.get(slug="sucumbios")
    answer = recorded("robotoolbox_kobo_data_geodata__geopoint_geotrace_geoshape.json")
    server.routes[f"/api/v2/assets/{GEO_ASSET}/"] = (200, b"{}")
    server.routes[f"/api/v2/assets/{GEO_ASSET}/data.json"] = (200, answer)
    # One capture for the whole test transaction: its hooks run once, as after a real commit.
    with django_capture_on_commit_callbacks(execute=True):
        source, _secret = sync.add_source(
            by=SYSTEM, table=table, tool="kobo", name="K", url=server.url, ref=GEO_ASSET,
            credential="t", every_minutes=30,
        )  # fmt: skip
        export = sync.test_connection(by=SYSTEM, source=source)
        services.confirm_mapping(by=SYSTEM, source=source, chosen=mapping.propose(export))
    source.refresh_from_db()
    first = DBTaskResult.objects.get(task_path__endswith=".sync_source_task")
    assert first.args_kwargs["kwargs"] == {"source_id": source.pk, "token": source.schedule_token}
    assert sync_source_task.call(**first.args_kwargs["kwargs"]).startswith("1 new")
    later = DBTaskResult.objects.filter(task_path__endswith=".sync_source_task").exclude(
        pk=first.pk
    )
    assert later.count() == 1 and later.get().run_after is not None  # the next, in 30 minutes
    assert sync_source_task.call(source_id=source.pk, token="an-older-chain") == "superseded"


def test_the_credential_never_leaves_the_servers_origin(db, server, fast):
    other = Server()
    try:
        other.routes["/steal"] = (200, b"{}")
        server.routes["/api/v2/assets/a1/data.json"] = lambda h: (302, b"")
        connection = connectors.Connection("kobo", server.url, "a1", credential="tok-9")
        assert "tok-9" not in repr(connection)
        # A redirect to another server is refused (the token would follow it).
        server.routes["/api/v2/assets/a1/data.json"] = _redirect(f"{other.url}/steal")
        with pytest.raises(connectors.SyncError, match="another server"):
            list(connectors.kobo_pages(connection))
        # An attachment on another server is fetched without it.
        connectors.download(connection, f"{other.url}/steal", 1000)
        assert all("Authorization" not in h for m, p, h, b in other.seen)
    finally:
        other.close()
    with translation.override("en"), pytest.raises(ValidationError, match="own field"):
        sync._check_url("https://ana:clave@kf.kobotoolbox.org")


def _redirect(target):
    def answer(handler):
        handler.send_response(302)
        handler.send_header("Location", target)
        handler.send_header("Content-Length", "0")
        handler.end_headers()
        return "sent", b""

    return answer


def test_this_machines_own_addresses_are_not_field_servers(settings):
    settings.MINGA_SYNC_LOCAL_SERVERS = False
    with translation.override("en"):
        for url in ("http://127.0.0.1:8000", "http://169.254.169.254/latest", "http://[::1]/"):
            with pytest.raises(ValidationError, match="own addresses"):
                sync._check_url(url)
    assert sync._check_url("http://192.168.1.20:8383/") == "http://192.168.1.20:8383"


def test_an_address_is_checked_again_at_each_sync(db, server, fast, settings):
    """A name that pointed at a field server when it was added may point at this machine later
    (DNS rebinding): each connection checks it again, and the sync says so and writes nothing."""
    table = Table.objects.get(slug="sucumbios")
    answer = recorded("robotoolbox_kobo_data_geodata__geopoint_geotrace_geoshape.json")
    server.routes[f"/api/v2/assets/{GEO_ASSET}/"] = (200, b"{}")
    server.routes[f"/api/v2/assets/{GEO_ASSET}/data.json"] = (200, answer)
    source, _secret = kobo_source(table, server, GEO_ASSET)
    settings.MINGA_SYNC_LOCAL_SERVERS = False
    before = len(server.seen)
    with pytest.raises(connectors.SyncError) as refused:
        sync.sync_source(by=SYSTEM, source=source)
    assert refused.value.code == "refused" and len(server.seen) == before
    source.refresh_from_db()
    assert source.last_error.startswith("refused:")
    assert not Observation.objects.filter(field_source=source).exists()


def test_sync_now_runs_in_the_worker_with_its_progress(
    db, server, fast, client_for, django_capture_on_commit_callbacks
):
    from django_tasks_db.models import DBTaskResult

    from minga.monitoring.models import SourceSync
    from minga.monitoring.tasks import run_source_sync_task

    table = Table.objects.get(slug="morona-santiago")
    answer = recorded("robotoolbox_kobo_data_geodata__geopoint_geotrace_geoshape.json")
    server.routes[f"/api/v2/assets/{GEO_ASSET}/"] = (200, b"{}")
    server.routes[f"/api/v2/assets/{GEO_ASSET}/data.json"] = (200, answer)
    source, _secret = kobo_source(table, server, GEO_ASSET)
    client = client_for("secretariat")
    url = f"/t/morona-santiago/monitoring/sources/{source.public_id}/"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"action": "sync"}, HTTP_ACCEPT_LANGUAGE="pt")
        again = client.post(url, {"action": "sync"})
    job = SourceSync.objects.get(field_source=source)  # the second click found the first
    assert response.status_code == again.status_code == 302
    assert response["Location"] == f"/t/morona-santiago/monitoring/syncs/{job.public_id}/"
    assert not Observation.objects.filter(field_source=source).exists()  # nothing in-request
    waiting = client.get(response["Location"])
    assert waiting.status_code == 200 and b"hx-trigger" in waiting.content
    assert (
        "Sincronización en curso"
        in client.get("/t/morona-santiago/monitoring/sources/").content.decode()
    )
    task = DBTaskResult.objects.get(task_path__endswith=".run_source_sync_task")
    assert run_source_sync_task.call(**task.args_kwargs["kwargs"]) == "done"
    job.refresh_from_db()
    assert job.summary["new"] == 1 and job.done == job.total > 0 and job.percent == 100
    page = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "1 new, 0 updated" in page and "hx-trigger" not in page
    # A failure says why on the same page (the hooks ran once: the test is one transaction).
    server.routes[f"/api/v2/assets/{GEO_ASSET}/data.json"] = (401, b'{"detail": "no"}')
    failed = client.post(url, {"action": "sync"})
    second = SourceSync.objects.exclude(pk=job.pk).get(field_source=source)
    assert run_source_sync_task.call(job_id=second.pk) == "failed"
    page = client.get(failed["Location"], HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "refused the credential" in page
