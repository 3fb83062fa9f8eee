"""The demo's facts. Public institutions named in the paper keep their names; every other
organization, community, person, boundary and figure is invented and flagged ``is_demo``."""

from __future__ import annotations

import datetime as dt

DEMO_PASSWORD = "minga-demo"  # noqa: S105 - published in the README on purpose

# username, full name, table, organization, role
DEMO_USERS = [
    (
        "secretariat",
        "Lucía Tsamaraint",
        "morona-santiago",
        "Gobierno Provincial de Morona Santiago",
        "secretariat",
    ),
    (
        "convener",
        "Rafael Antun Wampash",
        "morona-santiago",
        "Gobierno Provincial de Morona Santiago",
        "convener",
    ),
    (
        "member",
        "Nantar Jimpikit",
        "morona-santiago",
        "Federación Shuar del Upano y Kutukú",
        "member",
    ),
    ("monitor", "Yampik Tiwiram", "morona-santiago", "Comunidad Shuar Tsapau", "monitor"),
    (
        "observer",
        "Daniela Ortiz Brandt",
        "morona-santiago",
        "Banco Interamericano de Desarrollo (BID)",
        "observer",
    ),
    (
        "other_secretariat",
        "Marcelo Aguinda Criollo",
        "sucumbios",
        "Gobierno Provincial de Sucumbíos",
        "secretariat",
    ),
]
OUTSIDER = ("outsider", "Pedro Outsider Vega")
ADMIN = "admin"

# name, acronym, sector, demo?
MORONA_ORGANIZATIONS = [
    ("Gobierno Provincial de Morona Santiago", "GPMS", "provincial_government", False),
    ("Federación Shuar del Upano y Kutukú", "FESUK", "indigenous", True),
    ("Nacionalidad Achuar del Pastaza Alto", "NAPA", "indigenous", True),
    ("Asociación de Centros Shuar de Transkutukú", "ACSHT", "indigenous", True),
    ("Consejo de Mujeres Shuar y Achuar Nunkui", "CMSAN", "indigenous", True),
    ("Comunidad Shuar Tsapau", "", "community", True),
    ("Comunidad Achuar Wayusentsa", "", "community", True),
    ("Gobierno Municipal de Morona", "GAD Morona", "local_government", True),
    ("Gobierno Municipal de Taisha", "GAD Taisha", "local_government", True),
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
    ("Fundación Kutukú Vivo", "", "ngo_local", True),
    ("Asociación de Monitores Territoriales Arutam", "AMTA", "ngo_local", True),
    ("Selva Viva Internacional", "", "ngo_international", True),
    ("Alianza Cabeceras Amazónicas", "", "ngo_international", True),
    ("Universidad Amazónica del Upano", "UAU", "academia", True),
    ("Instituto de Investigación en Bosques Tropicales", "IIBT", "academia", True),
    ("Cooperativa de Cacao Fino Arutam", "", "private", True),
    ("Banco Interamericano de Desarrollo (BID)", "BID", "funder", False),
    ("Fondo Amazonía Viva", "", "funder", True),
]

MORONA_COMMUNITY_NAMES = [
    "Comunidad Shuar Tsapau",
    "Comunidad Achuar Wayusentsa",
]

SUCUMBIOS_ORGANIZATIONS = [
    ("Gobierno Provincial de Sucumbíos", "GPS", "provincial_government", False),
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
    ("Fondo Ríos Vivos", "", "funder", True),
]

SUCUMBIOS_AXES = ["Biodiversity conservation", "Sustainable production", "Governance"]

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

MORONA_LAUNCH = dt.date(2024, 3, 15)
SUCUMBIOS_LAUNCH = dt.date(2025, 7, 30)
