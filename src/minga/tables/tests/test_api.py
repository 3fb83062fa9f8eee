from django.core.management import call_command
from django.test import Client

from minga.core.models import ApiToken
from minga.core.tokens import create_api_token


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


def test_it_issues_tokens_from_the_command_line(personas, capsys):
    call_command("token", "create", "secretariat", "--name", "integración")
    token = capsys.readouterr().out.strip()
    assert token.startswith("mng_")
    assert ApiToken.objects.filter(user=personas["secretariat"], name="integración").exists()
    response = Client().get("/api/v1/me", headers=bearer(token))
    assert response.status_code == 200
    assert response.json()["full_name"] == "Lucía Tsamaraint"


def test_it_issues_tokens_on_the_profile_page(client_for):
    client = client_for("member")
    page = client.post("/accounts/profile/", {"name": "mi teléfono"}).content.decode()
    token = page.split('id="new-token">')[1].split("<")[0]
    assert Client().get("/api/v1/me", headers=bearer(token)).status_code == 200


def test_it_refuses_a_wrong_token(db):
    response = Client().get(
        "/api/v1/tables", headers={**bearer("mng_nope"), "Accept-Language": "es"}
    )
    assert response.status_code == 401
    assert response.json()["detail"] == "El token de la API falta, es incorrecto o fue revocado."


def test_it_lets_the_secretariat_edit_its_table(personas):
    _r, token = create_api_token(user=personas["secretariat"], name="t")
    response = Client().patch(
        "/api/v1/tables/morona-santiago",
        {"description": "Editada"},
        content_type="application/json",
        headers=bearer(token),
    )
    assert response.status_code == 200
    assert response.json()["description"] == "Editada"
    assert response.json()["hectares"] > 1_229_000


def test_it_lists_memberships_without_hidden_names(personas):
    public = Client().get("/api/v1/tables/morona-santiago/memberships").json()
    _r, token = create_api_token(user=personas["observer"], name="t")
    observer = (
        Client().get("/api/v1/tables/morona-santiago/memberships", headers=bearer(token)).json()
    )
    assert len(public) == len(observer) >= 30
    assert sum(1 for m in public if m["person"]) < sum(1 for m in observer if m["person"])


def test_it_publishes_the_openapi_schema(db):
    schema = Client().get("/api/v1/openapi.json").json()
    assert "/api/v1/tables/{slug}/memberships" in schema["paths"]
    assert schema["components"]["securitySchemes"]["BearerToken"]["scheme"] == "bearer"
