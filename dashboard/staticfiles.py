"""Serves plotly.js from the installed `plotly` PyPI package, so the site needs no CDN."""

from pathlib import Path

import plotly
from django.contrib.staticfiles.finders import BaseFinder
from django.core.files.storage import FileSystemStorage

PLOTLY_DIR = Path(plotly.__file__).resolve().parent / "package_data"
PLOTLY_FILE = "plotly.min.js"
PREFIX = "plotly"
STATIC_PATH = f"{PREFIX}/{PLOTLY_FILE}"  # {% static "plotly/plotly.min.js" %}


class PlotlyFinder(BaseFinder):
    """Finds exactly one file, `plotly/plotly.min.js`, and nothing else of the package."""

    def __init__(self, *args, **kwargs):
        self.storage = FileSystemStorage(location=str(PLOTLY_DIR))
        self.storage.prefix = PREFIX  # collectstatic copies it to STATIC_ROOT/plotly/

    def check(self, **kwargs):
        return []

    def find(self, path, find_all=False, **kwargs):
        find_all = find_all or kwargs.get("all", False)
        if path != STATIC_PATH:
            return []
        match = str(PLOTLY_DIR / PLOTLY_FILE)
        return [match] if find_all else match

    def list(self, ignore_patterns):
        yield PLOTLY_FILE, self.storage
