"""The demo's facts. Public institutions named in the paper keep their names; every other
organization, community, person, boundary and figure is invented and flagged ``is_demo``."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

# The demo organizations that other modules and the tests lean on, by the part they play: the
# one place to rename them.
PREFECTURE = "Gobierno Provincial de Morona Santiago"
FEDERATION = "Federación Shuar del Upano y Kutukú"
COMMUNITY = "Comunidad Shuar Tsapau"
MUNICIPALITY = "Gobierno Municipal de Taisha"
NGO = "Fundación Kutukú Vivo"
BANK = "Banco Interamericano de Desarrollo (BID)"
FUNDER = "Fondo Amazonía Viva"
RIVERS_FUND = "Fondo Ríos Vivos"
OTHER_PREFECTURE = "Gobierno Provincial de Sucumbíos"

DEMO_PASSWORD = "minga-demo"  # noqa: S105 - published in the README on purpose

# username, full name, table, organization, role
DEMO_USERS = [
    (
        "secretariat",
        "Lucía Tsamaraint",
        "morona-santiago",
        PREFECTURE,
        "secretariat",
    ),
    (
        "convener",
        "Rafael Antun Wampash",
        "morona-santiago",
        PREFECTURE,
        "convener",
    ),
    (
        "member",
        "Nantar Jimpikit",
        "morona-santiago",
        FEDERATION,
        "member",
    ),
    ("monitor", "Yampik Tiwiram", "morona-santiago", COMMUNITY, "monitor"),
    ("ngo", "Elena Paredes Vaca", "morona-santiago", NGO, "member"),
    (
        "observer",
        "Daniela Ortiz Brandt",
        "morona-santiago",
        BANK,
        "observer",
    ),
    (
        "other_secretariat",
        "Marcelo Aguinda Criollo",
        "sucumbios",
        OTHER_PREFECTURE,
        "secretariat",
    ),
]
OUTSIDER = ("outsider", "Pedro Outsider Vega")
ADMIN = "admin"

# Identifiers registered with IATI (the Inter-American Development Bank's OECD DAC code).
IATI_IDENTIFIERS = {BANK: "XM-DAC-46012"}
# The funders' own IATI activities their money here comes from (the IDB's demo operation).
FUNDING_ACTIVITIES = {BANK: "XM-DAC-46012-EC-L0000-DEMO"}

# name, acronym, sector, demo?
MORONA_ORGANIZATIONS = [
    (PREFECTURE, "GPMS", "provincial_government", False),
    (FEDERATION, "FESUK", "indigenous", True),
    ("Nacionalidad Achuar del Pastaza Alto", "NAPA", "indigenous", True),
    ("Asociación de Centros Shuar de Transkutukú", "ACSHT", "indigenous", True),
    ("Consejo de Mujeres Shuar y Achuar Nunkui", "CMSAN", "indigenous", True),
    (COMMUNITY, "", "community", True),
    ("Comunidad Achuar Wayusentsa", "", "community", True),
    ("Gobierno Municipal de Morona", "GAD Morona", "local_government", True),
    (MUNICIPALITY, "GAD Taisha", "local_government", True),
    ("Junta Parroquial de Sevilla Don Bosco", "", "local_government", True),
    (
        "Ministerio del Ambiente, Agua y Transición Ecológica — Dirección Zonal 6",
        "MAATE",
        "ministry",
        True,
    ),
    (
        "Ministerio de Agricultura y Ganadería — Dirección Distrital Morona Santiago",
        "MAG",
        "ministry",
        True,
    ),
    ("Ministerio de Educación — Distrito Morona", "MINEDUC", "ministry", True),
    (NGO, "", "ngo_local", True),
    ("Asociación de Monitores Territoriales Arutam", "AMTA", "ngo_local", True),
    ("Selva Viva Internacional", "", "ngo_international", True),
    ("Alianza Cabeceras Amazónicas", "", "ngo_international", True),
    ("Universidad Amazónica del Upano", "UAU", "academia", True),
    ("Instituto de Investigación en Bosques Tropicales", "IIBT", "academia", True),
    ("Cooperativa de Cacao Fino Arutam", "", "private", True),
    (BANK, "BID", "funder", False),
    (FUNDER, "", "funder", True),
]


SUCUMBIOS_ORGANIZATIONS = [
    (OTHER_PREFECTURE, "GPS", "provincial_government", False),
    ("Nacionalidad A'i Cofán de Sucumbíos", "", "indigenous", True),
    ("Nacionalidad Siona del Aguarico", "", "indigenous", True),
    ("Nacionalidad Siekopai del Cuyabeno", "", "indigenous", True),
    ("Federación Kichwa de Sucumbíos", "FEKIS", "indigenous", True),
    ("Asociación Shuar de Sucumbíos", "", "indigenous", True),
    ("Comunidad Cofán Dureno Tsampi", "", "community", True),
    ("Comunidad Kichwa Playas del Cuyabeno", "", "community", True),
    ("Comunidad Siona Puerto Bolívar Demo", "", "community", True),
    ("Gobierno Municipal de Lago Agrio", "GAD Lago Agrio", "local_government", True),
    ("Gobierno Municipal de Shushufindi", "GAD Shushufindi", "local_government", True),
    ("Gobierno Municipal de Cascales", "GAD Cascales", "local_government", True),
    ("Gobierno Municipal de Cuyabeno", "GAD Cuyabeno", "local_government", True),
    ("Gobierno Municipal de Putumayo", "GAD Putumayo", "local_government", True),
    ("Gobierno Municipal de Gonzalo Pizarro", "GAD Gonzalo Pizarro", "local_government", True),
    ("Junta Parroquial de Pacayacu", "", "local_government", True),
    (
        "Ministerio del Ambiente, Agua y Transición Ecológica — Dirección Zonal Sucumbíos",
        "MAATE-S",
        "ministry",
        True,
    ),
    (
        "Ministerio de Agricultura y Ganadería — Dirección Distrital Sucumbíos",
        "MAG-S",
        "ministry",
        True,
    ),
    ("Ministerio de Salud Pública — Distrito Lago Agrio", "MSP", "ministry", True),
    ("Fundación Aguarico Limpio", "", "ngo_local", True),
    ("Red de Mujeres Emprendedoras del Cuyabeno", "", "ngo_local", True),
    ("Frente de Defensa de la Amazonía Norte", "", "ngo_local", True),
    ("Colectivo Juvenil Selva Joven", "", "ngo_local", True),
    ("Conservación Amazónica Global", "", "ngo_international", True),
    ("Aliados por los Ríos del Norte", "", "ngo_international", True),
    ("Universidad Estatal del Norte Amazónico", "UENA", "academia", True),
    ("Asociación de Productores de Café Robusta de Sucumbíos", "", "private", True),
    ("Cámara de Turismo Comunitario de Sucumbíos", "", "private", True),
    (RIVERS_FUND, "", "funder", True),
]


GIVEN_NAMES = [
    "Ana",
    "Luis",
    "Rosa",
    "Carlos",
    "Nampir",
    "Tiwi",
    "Marina",
    "Jorge",
    "Esther",
    "Wilson",
    "Nancy",
    "Tsenkush",
    "Olga",
    "Fausto",
    "Yolanda",
    "Kar",
    "Silvia",
    "Bolívar",
    "Gloria",
    "Andrés",
    "Mercedes",
    "Patricio",
    "Juana",
    "Manuel",
    "Inés",
    "Santiago",
    "Delia",
    "Hernán",
    "Lidia",
]
FAMILY_NAMES = [
    "Aguinda",
    "Yiyoguaje",
    "Piaguaje",
    "Criollo",
    "Grefa",
    "Tanguila",
    "Mashian",
    "Chimbo",
    "Lucitante",
    "Quenamá",
    "Andi",
    "Cerda",
    "Salazar",
    "Vargas",
    "Shiguango",
    "Alvarado",
    "Payaguaje",
    "Jaramillo",
]


@dataclass(frozen=True)
class TableSpec:
    name: str
    slug: str
    province: str
    launched_on: dt.date
    description: str
    organizations: list[tuple[str, str, str, bool]]
    convener: str  # the organization that convenes and holds the secretariat
    territory: str
    territory_description: str
    territory_shape: dict[str, Any]  # arguments of minga.demo.shapes.blob
    representatives: int  # people with a seat, demo users included
    seed: int
    instruments: list[dict[str, Any]] = field(default_factory=list)


TABLES = [
    TableSpec(
        name="Mesa de Cooperación para la Conservación y el Desarrollo Sostenible de Morona Santiago",
        slug="morona-santiago",
        province="Morona Santiago",
        launched_on=dt.date(2024, 3, 15),
        description="La primera mesa de cooperación de la Amazonía ecuatoriana, convocada por la "
        "Oficina de Cooperación Internacional de la Prefectura: más de 20 instituciones alrededor "
        "del Territorio de Vida y Uso Ancestral Tarímiat Pujutai Nunka.",
        organizations=MORONA_ORGANIZATIONS,
        convener=PREFECTURE,
        territory="Territorio de Vida y Uso Ancestral Tarímiat Pujutai Nunka",
        territory_description="Límite de demostración con la superficie declarada (1,23 millones de ha).",
        territory_shape={"center": (-77.75, -2.45), "hectares": 1_230_000, "seed": 7},
        representatives=30,
        seed=1,
        instruments=[
            {
                "kind": "ordinance",
                "title": "Ordenanza provincial que institucionaliza la Mesa de Cooperación",
                "reference": "ORD-GPMS-2024-007 (demo)",
                "signed_on": dt.date(2024, 6, 20),
            },
            {
                "kind": "multi_year_agreement",
                "title": "Convenio marco plurianual de cooperación 2025–2028",
                "reference": "CONV-2025-012 (demo)",
                "signed_on": dt.date(2025, 1, 15),
                "valid_until": dt.date(2028, 12, 31),
            },
        ],
    ),
    TableSpec(
        name="Mesa de Cooperación para la Conservación y el Desarrollo Sostenible de Sucumbíos",
        slug="sucumbios",
        province="Sucumbíos",
        launched_on=dt.date(2025, 7, 30),
        description="Lanzada el 30 de julio de 2025 con 50 representantes de organizaciones "
        "ambientales y sociales, con una hoja de ruta participativa en tres ejes: conservación de "
        "la biodiversidad, producción sostenible y gobernanza.",
        organizations=SUCUMBIOS_ORGANIZATIONS,
        convener=OTHER_PREFECTURE,
        territory="Provincia de Sucumbíos",
        territory_description="Límite de demostración de la provincia.",
        territory_shape={
            "center": (-76.6, -0.05),
            "hectares": 1_800_000,
            "seed": 11,
            "stretch": 2.0,
        },
        representatives=50,
        seed=2,
        instruments=[
            {
                "kind": "statute",
                "title": "Acta de constitución y reglamento de la Mesa",
                "reference": "ACTA-001-2025 (demo)",
                "signed_on": dt.date(2025, 7, 30),
            }
        ],
    ),
]
