"""`python -m minga` and the `minga` console script: Django's management commands."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "minga.settings")
    # Imported here: after DJANGO_SETTINGS_MODULE is set.
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
