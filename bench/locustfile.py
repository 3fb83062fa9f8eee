"""The load test's users (locust, headless, loopback only): see bench/load.py.

Public visitors read the portal and the tables' public pages, secretariat members work on their
own table's pages, programs read the API; every user waits 1 s between requests. ``/healthz``
(one ``SELECT 1``) is the trivial endpoint every user also calls: its latency is the floor the
other routes are compared with.
"""

from __future__ import annotations

import json
import os
import random
import re

from locust import HttpUser, constant, task

TARGETS = json.loads(open(os.environ["MINGA_LOAD_TARGETS"], encoding="utf-8").read())  # noqa: PTH123, SIM115
TABLES: list[str] = TARGETS["tables"]
REGIONS: list[str] = TARGETS["regions"]
LOG_SIZE: int = TARGETS["log_size"]
MEMBER_TABLE: str = TARGETS["member_table"]


def _table() -> str:
    return random.choice(TABLES)


class PublicVisitor(HttpUser):
    weight = 3
    wait_time = constant(1)

    @task(2)
    def healthz(self) -> None:
        self.client.get("/healthz", name="/healthz (trivial)")

    @task(2)
    def network(self) -> None:
        self.client.get("/", name="/ (network)")

    @task(2)
    def portal(self) -> None:
        self.client.get("/portal/", name="/portal/")

    @task(1)
    def portal_page_2(self) -> None:
        self.client.get("/portal/?page=2", name="/portal/?page=N")

    @task(2)
    def portal_region(self) -> None:
        self.client.get(f"/portal/r/{random.choice(REGIONS)}/", name="/portal/r/[region]/")

    @task(3)
    def portal_table(self) -> None:
        self.client.get(f"/portal/t/{_table()}/", name="/portal/t/[table]/")

    @task(4)
    def table(self) -> None:
        self.client.get(f"/t/{_table()}/", name="/t/[table]/")

    @task(3)
    def initiatives(self) -> None:
        self.client.get(f"/t/{_table()}/initiatives/", name="/t/[table]/initiatives/")

    @task(2)
    def commitments(self) -> None:
        self.client.get(f"/t/{_table()}/commitments/", name="/t/[table]/commitments/")

    @task(2)
    def observations(self) -> None:
        self.client.get(f"/t/{_table()}/monitoring/", name="/t/[table]/monitoring/")

    @task(1)
    def decisions(self) -> None:
        self.client.get(f"/t/{_table()}/decisions/", name="/t/[table]/decisions/")

    @task(1)
    def log_entry(self) -> None:
        self.client.get(f"/log/entries/{random.randrange(LOG_SIZE)}", name="/log/entries/[i]")


class SecretariatMember(HttpUser):
    weight = 1
    wait_time = constant(1)

    def on_start(self) -> None:
        page = self.client.get("/accounts/login/", name="/accounts/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        self.client.post(
            "/accounts/login/",
            {
                "username": TARGETS["member_user"],
                "password": TARGETS["member_password"],
                "csrfmiddlewaretoken": token.group(1) if token else "",
            },
            headers={"Referer": f"{self.host}/accounts/login/"},
            name="/accounts/login/ (POST)",
        )

    @task(1)
    def healthz(self) -> None:
        self.client.get("/healthz", name="/healthz (trivial)")

    @task(3)
    def home(self) -> None:
        self.client.get(f"/t/{MEMBER_TABLE}/", name="member: /t/[own]/")

    @task(2)
    def commitments(self) -> None:
        self.client.get(f"/t/{MEMBER_TABLE}/commitments/", name="member: /t/[own]/commitments/")

    @task(2)
    def observations(self) -> None:
        self.client.get(f"/t/{MEMBER_TABLE}/monitoring/", name="member: /t/[own]/monitoring/")

    @task(1)
    def health(self) -> None:
        self.client.get(f"/t/{MEMBER_TABLE}/health/", name="member: /t/[own]/health/")

    @task(1)
    def members(self) -> None:
        self.client.get(f"/t/{MEMBER_TABLE}/members/", name="member: /t/[own]/members/")


class ApiClient(HttpUser):
    weight = 1
    wait_time = constant(1)

    @task(1)
    def healthz(self) -> None:
        self.client.get("/healthz", name="/healthz (trivial)")

    @task(2)
    def tables(self) -> None:
        self.client.get("/api/v1/tables", name="/api/v1/tables")

    @task(2)
    def table(self) -> None:
        self.client.get(f"/api/v1/tables/{_table()}", name="/api/v1/tables/[table]")

    @task(2)
    def portal_table(self) -> None:
        self.client.get(f"/api/v1/portal/tables/{_table()}", name="/api/v1/portal/tables/[table]")

    @task(2)
    def inclusion(self) -> None:
        size = LOG_SIZE
        index = random.randrange(size)
        self.client.get(
            f"/api/v1/log/proof/inclusion?index={index}&size={size}",
            name="/api/v1/log/proof/inclusion",
        )

    @task(1)
    def checkpoint(self) -> None:
        self.client.get("/log/checkpoint", name="/log/checkpoint")
