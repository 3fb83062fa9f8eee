"""Names shared by the test suites of every area."""

PERSONAS = (
    "secretariat",
    "convener",
    "member",
    "monitor",
    "observer",
    "outsider",
    "other_secretariat",
)
ALL_PERSONAS = (*PERSONAS, "public")
DEMO_TABLE = "morona-santiago"
OTHER_TABLE = "sucumbios"
# Demo users beyond the personas: "ngo" represents Fundación Kutukú Vivo (civil society).
EXTRA_DEMO_USERS = ("ngo",)
