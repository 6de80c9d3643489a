"""`manage.py build_map_shapes`: regenerate dashboard/data/us-shapes.json from npm's us-atlas.

The map page draws state and county outlines from that committed file, so the site fetches
nothing from outside. This command is how the file was made; run it again to update it:

    ./run manage build_map_shapes                       # npm pack us-atlas@3.0.1 in a temp dir
    ./run manage build_map_shapes --atlas DIR           # or a folder holding counties-10m.json

It decodes the TopoJSON (quantised, delta-encoded arcs), simplifies every arc
(Douglas-Peucker, `--tolerance` degrees, end points kept so that arcs still meet), rounds to
`--unit` degrees and writes the arcs delta-encoded again, with each state's and each county's
arc numbers (delta-encoded), names and USPS abbreviations.
"""

import json
import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from dashboard.geo import SHAPES_FILE, simplify

US_ATLAS = "us-atlas@3.0.1"
# Census state FIPS code → USPS abbreviation (the ZIP data names states by abbreviation).
STATE_ABBREVIATIONS = {
    "01": "AL", "02": "AK", "04": "AZ", "05": "AR", "06": "CA", "08": "CO", "09": "CT",
    "10": "DE", "11": "DC", "12": "FL", "13": "GA", "15": "HI", "16": "ID", "17": "IL",
    "18": "IN", "19": "IA", "20": "KS", "21": "KY", "22": "LA", "23": "ME", "24": "MD",
    "25": "MA", "26": "MI", "27": "MN", "28": "MS", "29": "MO", "30": "MT", "31": "NE",
    "32": "NV", "33": "NH", "34": "NJ", "35": "NM", "36": "NY", "37": "NC", "38": "ND",
    "39": "OH", "40": "OK", "41": "OR", "42": "PA", "44": "RI", "45": "SC", "46": "SD",
    "47": "TN", "48": "TX", "49": "UT", "50": "VT", "51": "VA", "53": "WA", "54": "WV",
    "55": "WI", "56": "WY", "60": "AS", "66": "GU", "69": "MP", "72": "PR", "78": "VI",
}  # fmt: skip


def decode_arcs(topology):
    """Every arc as a list of (lon, lat) from the quantised, delta-encoded TopoJSON arcs."""
    (scale_x, scale_y), (shift_x, shift_y) = (
        topology["transform"]["scale"],
        topology["transform"]["translate"],
    )
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((x * scale_x + shift_x, y * scale_y + shift_y))
        arcs.append(points)
    return arcs


def encode(points, unit):
    """[x0, y0, dx1, dy1, …] in whole `unit`s, repeated points left out."""
    out, last = [], None
    for lon, lat in points:
        current = (round(lon / unit), round(lat / unit))
        if current == last:
            continue
        if last is None:
            out.extend(current)
        else:
            out.extend((current[0] - last[0], current[1] - last[1]))
        last = current
    return out


def arc_numbers(geometry):
    """The arcs a Polygon or MultiPolygon uses, ascending and delta-encoded ([3, 1, 1] for
    arcs 3, 4, 5); direction is dropped, the map draws outlines only."""
    rings = geometry["arcs"] if geometry["type"] == "Polygon" else sum(geometry["arcs"], [])
    numbers = sorted({index if index >= 0 else ~index for ring in rings for index in ring})
    return [number - before for number, before in zip(numbers, [0, *numbers], strict=False)]


def build(topology, *, unit, tolerance):
    arcs = decode_arcs(topology)
    objects = topology["objects"]
    states = {
        g["id"]: {
            "name": g["properties"]["name"],
            "abbr": STATE_ABBREVIATIONS.get(g["id"], ""),
            "arcs": arc_numbers(g),
        }
        for g in objects["states"]["geometries"]
    }
    counties = {
        g["id"]: {"name": g["properties"]["name"], "arcs": arc_numbers(g)}
        for g in objects["counties"]["geometries"]
    }
    return {
        "source": f"{US_ATLAS} counties-10m.json: U.S. Census Bureau cartographic boundaries "
        "1:10,000,000 (ISC licence, Copyright 2013-2019 Michael Bostock)",
        "unit": unit,
        "arcs": [encode(simplify(arc, tolerance), unit) for arc in arcs],
        "states": states,
        "counties": counties,
    }


def npm_pack_atlas(directory):
    npm = shutil.which("npm")
    if npm is None:
        raise CommandError("npm is not installed: install it, or pass --atlas DIR")
    # Fixed arguments: the package name is a constant of this module.
    subprocess.run([npm, "pack", US_ATLAS], cwd=directory, check=True, capture_output=True)  # noqa: S603
    (archive,) = Path(directory).glob("us-atlas-*.tgz")
    with tarfile.open(archive) as tar:
        tar.extractall(directory, filter="data")
    return Path(directory) / "package"


class Command(BaseCommand):
    help = "Regenerate the map's state and county outlines from npm's us-atlas."

    def add_arguments(self, parser):
        parser.add_argument("--atlas", help="a folder holding us-atlas's counties-10m.json")
        parser.add_argument("--unit", type=float, default=0.005, help="degrees per stored step")
        parser.add_argument("--tolerance", type=float, default=0.005, help="simplification, °")
        parser.add_argument("--output", default=str(SHAPES_FILE))

    def handle(self, *args, atlas, unit, tolerance, output, **options):
        with tempfile.TemporaryDirectory() as scratch:
            folder = Path(atlas) if atlas else npm_pack_atlas(scratch)
            source = folder / "counties-10m.json"
            if not source.exists():
                raise CommandError(f"{source} does not exist")
            shapes = build(json.loads(source.read_text()), unit=unit, tolerance=tolerance)
        Path(output).write_text(json.dumps(shapes, separators=(",", ":")) + "\n")
        size = Path(output).stat().st_size
        self.stdout.write(
            f"Wrote {output}: {len(shapes['states'])} states, {len(shapes['counties']):,} "
            f"counties, {sum(len(a) for a in shapes['arcs']) // 2:,} points, {size:,} bytes."
        )
