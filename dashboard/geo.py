"""The map page's data: ZIP centroids and the state and county outlines, all from local files.

- ZIP centroids, towns and counties come from the `zipcodes` package (PyPI), which embeds its
  data set: no network.
- Outlines come from `dashboard/data/us-shapes.json`, derived from npm's us-atlas (U.S. Census
  Bureau, 1:10,000,000) by `manage.py build_map_shapes`; decoded once per process.

The ZIP figures are the dashboard's ZIP rollups. A ZIP the data set does not know (a typo, a
new ZIP) is listed as "not on the map" instead of being placed somewhere.
"""

import functools
import itertools
import json
from pathlib import Path

import zipcodes

SHAPES_FILE = Path(__file__).resolve().parent / "data" / "us-shapes.json"
NATIONAL_TOLERANCE = 0.02  # degrees: the state outlines of the whole country are drawn coarser
MARGIN = 0.15  # share of an area's size added around it when the map zooms to it
MIN_SPAN = 0.2  # degrees: the smallest area the map zooms to
COUNTY_SUFFIXES = (
    " county",
    " parish",
    " borough",
    " census area",
    " municipality",
    " municipio",
    " city",
)


def county_key(name):
    """ "Franklin County" (zipcodes) and "Franklin" (Census shapes) → "franklin"."""
    key = (name or "").strip().lower()
    for suffix in COUNTY_SUFFIXES:
        if key.endswith(suffix):
            return key[: -len(suffix)]
    return key


def simplify(points, tolerance):
    """Douglas-Peucker on one line; the first and last points always stay (lines still meet)."""
    if len(points) < 3:
        return list(points)
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        (x1, y1), (x2, y2) = points[first], points[last]
        length = ((x2 - x1) ** 2 + (y2 - y1) ** 2) ** 0.5
        farthest, distance = None, tolerance
        for i in range(first + 1, last):
            x, y = points[i]
            if length:
                d = abs((y2 - y1) * x - (x2 - x1) * y + x2 * y1 - y2 * x1) / length
            else:
                d = ((x - x1) ** 2 + (y - y1) ** 2) ** 0.5
            if d > distance:
                farthest, distance = i, d
        if farthest is not None:
            keep[farthest] = True
            stack.extend([(first, farthest), (farthest, last)])
    return [point for point, kept in zip(points, keep, strict=True) if kept]


@functools.cache
def shapes():
    """{"arcs": [[(lon, lat)…]…], "states": {fips: …}, "counties": {fips: …}, "by_name": …}."""
    raw = json.loads(SHAPES_FILE.read_text())
    unit = raw["unit"]
    arcs = []
    for encoded in raw["arcs"]:
        x = y = 0
        points = []
        for i in range(0, len(encoded), 2):
            x, y = x + encoded[i], y + encoded[i + 1]
            points.append((round(x * unit, 3), round(y * unit, 3)))
        arcs.append(points)
    for area in (*raw["states"].values(), *raw["counties"].values()):
        area["arcs"] = list(itertools.accumulate(area["arcs"]))  # stored delta-encoded
    for county in raw["counties"].values():
        county["bbox"] = _box([point for n in county["arcs"] for point in arcs[n]])
    abbr = {fips: state["abbr"] for fips, state in raw["states"].items()}
    by_name = {
        (abbr.get(fips[:2], ""), county_key(county["name"])): fips
        for fips, county in raw["counties"].items()
    }
    return {**raw, "arcs": arcs, "by_name": by_name}


@functools.lru_cache(maxsize=100_000)
def zip_place(zip5):
    """{lat, lon, city, state, county, county_fips} of a 5-digit ZIP, or None when unknown."""
    try:
        found = zipcodes.matching(zip5)
    except (TypeError, ValueError):
        return None
    if not found or not found[0].get("lat"):
        return None
    entry = found[0]
    county = entry.get("county") or ""
    return {
        "lat": float(entry["lat"]),
        "lon": float(entry["long"]),
        "city": entry.get("city") or "",
        "state": entry.get("state") or "",
        "county": county,
        "county_fips": shapes()["by_name"].get((entry.get("state"), county_key(county))),
    }


def _lines(arc_numbers, arcs):
    """Plotly line coordinates: {lon: […], lat: […]} with None between arcs."""
    lon, lat = [], []
    for number in arc_numbers:
        for x, y in arcs[number]:
            lon.append(x)
            lat.append(y)
        lon.append(None)
        lat.append(None)
    return {"lon": lon, "lat": lat}


@functools.cache
def _national_arcs():
    """Every state's outline, simplified for the whole-country view."""
    data = shapes()
    numbers = sorted({n for state in data["states"].values() for n in state["arcs"]})
    arcs = {n: simplify(data["arcs"][n], NATIONAL_TOLERANCE) for n in numbers}
    return numbers, arcs


def _box(points):
    lons, lats = [p[0] for p in points], [p[1] for p in points]
    return [min(lons), min(lats), max(lons), max(lats)]


def view_range(box):
    """lon and lat ranges around a bounding box, with a margin, never narrower than MIN_SPAN."""
    west, south, east, north = box
    pad_x = max((east - west) * MARGIN, (MIN_SPAN - (east - west)) / 2, 0)
    pad_y = max((north - south) * MARGIN, (MIN_SPAN - (north - south)) / 2, 0)
    return {
        "lon": [round(west - pad_x, 3), round(east + pad_x, 3)],
        "lat": [round(south - pad_y, 3), round(north + pad_y, 3)],
    }


def map_figures(zip_rows):
    """Points (one per placed ZIP), the ZIPs not on the map, areas to zoom to, outlines."""
    data = shapes()
    points, unplaced = [], []
    for row in zip_rows:
        place = zip_place(row["zip"])
        if place is None:
            unplaced.append(row)
            continue
        points.append({**row, **place})
    areas = {}
    for point in points:
        key = point["county_fips"] or f"{point['state']}:{point['county']}"
        area = areas.setdefault(
            key,
            {"id": key, "label": f"{point['county'] or 'Unknown county'}, {point['state']}"},
        )
        area["participants"] = area.get("participants", 0) + point["participants"]
        area.setdefault("points", []).append((point["lon"], point["lat"]))
    for key, area in areas.items():
        county = data["counties"].get(key)
        box = county["bbox"] if county else _box(area.pop("points"))
        area.pop("points", None)
        area["range"] = view_range(box)
    ordered = sorted(areas.values(), key=lambda area: (-area["participants"], area["label"]))
    everything = {
        "id": "all",
        "label": "All ZIP codes",
        "participants": sum(area["participants"] for area in ordered),
        "range": view_range(_box([(p["lon"], p["lat"]) for p in points])) if points else None,
    }
    states = {point["county_fips"][:2] for point in points if point["county_fips"]}
    county_arcs = sorted(
        {
            n
            for fips, county in data["counties"].items()
            if fips[:2] in states
            for n in county["arcs"]
        }
    )
    national_numbers, national_arcs = _national_arcs()
    return {
        "points": points,
        "unplaced": unplaced,
        "areas": [everything, *ordered],
        "state_lines": _lines(national_numbers, national_arcs),
        "county_lines": _lines(county_arcs, data["arcs"]),
    }
