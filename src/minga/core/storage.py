"""Static files in production: hashed names (cached for a year), gzip and Brotli copies."""

from __future__ import annotations

from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticStorage(CompressedManifestStaticFilesStorage):  # type: ignore[misc]
    """WhiteNoise's storage, without rewriting source-map comments: the vendored libraries
    (Leaflet, Swagger UI) ship without their .map files, which browsers only fetch with the
    developer tools open. ``url(...)`` and ``@import`` in CSS are still hashed."""

    patterns = (
        (
            "*.css",
            (
                r"""(?P<matched>url\((?P<quote>['"]{0,1})\s*(?P<url>.*?)(?P=quote)\))""",
                (
                    r"""(?P<matched>@import\s*["']\s*(?P<url>.*?)["'])""",
                    """@import url("%(url)s")""",
                ),
            ),
        ),
    )
