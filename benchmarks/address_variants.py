"""The ways people really write a US address in a web form, against a small county in memory.

Builds 977 parcels over 13 towns in ten counties, written as an assessor writes them
(upper case, USPS Publication 28 abbreviations: `123 N MAIN ST`, `45 MARTIN LUTHER KING JR BLVD`,
`9 ST CHARLES AVE`, `300 STATE ROUTE 17`, `77 COUNTY ROAD 5`, `1200 US HIGHWAY 1`, condo units
in the address, `12 1/2` and `16A` house numbers, New Jersey ZIPs with their leading zero; one
county exports the ZIP as a number, 7828), each target beside its hard negatives: neighbouring
house numbers, sibling streets (S MAIN ST, MAIN AVE, W 4TH ST, 17TH ST beside STATE ROUTE 17,
CHARLES ST beside ST CHARLES AVE), the same address in another town or county, and one household
record per parcel. Then writes each target the ways a web form receives it, class by class (what
benchmarks/holdout_data.py does not already cover: highway and county-road forms, Saint / Mount /
Fort, MLK, spelled ordinals, post-directionals, units in every spelling, fractional and lettered
house numbers, city, state and ZIP typed into the Address field, the state in the City field,
ZIPs without their zero, PO boxes, ...), and decides each with `matching.services.match_row`,
exactly as benchmarks/matching_data.py does.

Each case says what a careful clerk would do: LINK it (the one parcel is plain), send it to
REVIEW (truly ambiguous: the right parcel must be among the candidates, and nothing linked),
LINK_OR_REVIEW (either is fine, a wrong link is not), or link NONE (a PO box, a house number or
town that has no parcel). Every case runs as a newcomer (a name on no household record: the
address alone must carry it) and, unless the case is NONE, as the resident named on the target's
household record (the name may then break a REVIEW tie, so those become LINK_OR_REVIEW).

Prints per mode one line per class (cases, linked to the right parcel, left for review with the
right parcel first, right parcel lower among the candidates, right parcel not found, wrong links,
failures), then every failure: the written form → what happened, the right parcel and the first
two candidates. Runs in about a second, in memory, with no store.

Measured on 2026-12-03 with the default thresholds: of 386 written forms, the newcomer failed 124
(4 wrong links), the resident 25 of 356 (3 wrong links: `16 A Elm St` → 16 ELM ST beside 16A) on
the matcher of 05:42 UTC (62365a6); 5 and 4, none wrong, at 06:50 UTC (4e005ae).

The classes from grid_address on (216 more forms, 240 more parcels kept after the first 737 so
those keep their ids and household names; the first classes' figures do not move) cover what
other states write: Salt Lake grid addresses (`1385 E 500 S`), Wisconsin grid numbers
(`N1234 County Road K`, `W156N8480 Pilgrim Rd`), Queens hyphenated numbers (`108-25`), street
types before the name (`Calle Sol`, `Via Verde`, `Avenue of the Americas`, `Avenue J` beside
`J St`, `The Strand`), names that are suffix words (`Terrace Rd` beside `Hill Ter`), spelled
ordinals with directionals (`Seventh Ave S`, `NE 8th Ave`), `12 1/2 St`, `Ext`, Texas `FM`
roads, misspellings with abbreviations, house-number typos, building / lot / trailer units,
HC / PSC / APO boxes and city aliases (`St. Paul`, `Manhattan`). Measured on 2026-12-03 at
main 4e005ae: of 602 forms the newcomer fails 42 (4 wrong links: `15 Verde` → 15 VERDE CT
beside 15 VIA VERDE, `15 J` → 15 J ST beside 15 AVENUE J, `Lot 14 Oak Hollow Dr` and
`Space 12 Oak Hollow Dr` → the house numbered 14 / 12), the resident 11 of 541 (2 wrong); at
07:21 UTC (43fd347) 38 and 9, none wrong; at 09:33 UTC 19 and 6; with Wisconsin's grid numbers
and lettered county highways read (11:30 UTC) 11 and 5, and with house numbers written in words
(11:40 UTC) 8 and 2, none wrong.

    .venv/bin/python benchmarks/address_variants.py [--class NAME ...] [--mode newcomer|resident]
"""

import argparse
import os
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from random import Random

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "empowersave.settings")

import django  # noqa: E402

django.setup()

from matching import scoring, services  # noqa: E402
from matching.index import build_index  # noqa: E402

LINK, REVIEW, EITHER, NONE = "LINK", "REVIEW", "LINK_OR_REVIEW", "NONE"

# --- The county -----------------------------------------------------------------------------------

TOWNS = {  # town: (county, ZIP as the county's export writes it, how a person writes both)
    "ORANGE": ("ESSEX", "07050", ("Orange", "07050")),
    "WEST ORANGE": ("ESSEX", "07052", ("West Orange", "07052")),
    "EAST ORANGE": ("ESSEX", "07017", ("East Orange", "07017")),
    "MONTCLAIR": ("ESSEX", "07043", ("Montclair", "07043")),
    "FORT LEE": ("BERGEN", "07024", ("Fort Lee", "07024")),
    "MOUNT OLIVE": ("MORRIS", 7828, ("Mount Olive", "07828")),  # an int ZIP, as the demo's
    "SALT LAKE CITY": ("SALT LAKE", "84102", ("Salt Lake City", "84102")),
    "MENOMONEE FALLS": ("WAUKESHA", "53051", ("Menomonee Falls", "53051")),
    "FOREST HILLS": ("QUEENS", "11375", ("Forest Hills", "11375")),
    "SANTA FE": ("SANTA FE", "87501", ("Santa Fe", "87501")),
    "NEW YORK": ("NEW YORK", "10036", ("New York", "10036")),
    "HOUSTON": ("HARRIS", "77069", ("Houston", "77069")),
    "SAINT PAUL": ("RAMSEY", "55102", ("Saint Paul", "55102")),
}


def _numbers(start, stop, step=2, *, missing=()):
    return [n for n in range(start, stop + 1, step) if n not in missing]


MAIN = _numbers(101, 141, missing=(127,)) + _numbers(100, 140)  # 127 N MAIN ST does not exist
STREETS = [  # (town, street, house numbers)
    ("ORANGE", "N MAIN ST", MAIN),
    ("ORANGE", "S MAIN ST", MAIN),
    ("ORANGE", "MAIN AVE", _numbers(101, 131)),
    ("ORANGE", "MARTIN LUTHER KING JR BLVD", _numbers(41, 61)),
    ("ORANGE", "KING ST", _numbers(41, 61)),
    ("ORANGE", "ST CHARLES AVE", _numbers(1, 21)),
    ("ORANGE", "CHARLES ST", _numbers(1, 21)),
    ("ORANGE", "SAINT JAMES PL", _numbers(3, 13)),
    ("ORANGE", "MOUNT VERNON RD", _numbers(2, 30)),
    ("ORANGE", "VERNON AVE", _numbers(2, 30)),
    ("ORANGE", "MT PLEASANT AVE", _numbers(101, 121)),
    ("ORANGE", "STATE ROUTE 17", _numbers(280, 320, 20)),
    ("ORANGE", "17TH ST", _numbers(290, 320, 10)),  # has 310, which ROUTE 17 has not
    ("ORANGE", "COUNTY ROAD 5", _numbers(61, 93, 4)),
    ("ORANGE", "5TH ST", _numbers(61, 93)),  # has 79, which COUNTY ROAD 5 has not
    ("ORANGE", "US HIGHWAY 1", _numbers(1100, 1300, 20)),
    ("ORANGE", "1ST ST", _numbers(1180, 1220, 10)),  # has 1210, which US HIGHWAY 1 has not
    ("ORANGE", "E 4TH ST", _numbers(2, 30)),
    ("ORANGE", "W 4TH ST", _numbers(2, 30)),
    ("ORANGE", "4TH AVE", _numbers(2, 30)),
    ("ORANGE", "21ST AVE", _numbers(200, 220)),
    ("ORANGE", "2ND ST", _numbers(30, 50)),
    ("ORANGE", "OLD MILL LN", _numbers(2, 20)),
    ("ORANGE", "MILL LN", _numbers(2, 20)),
    ("ORANGE", "LAKE SHORE DR", _numbers(10, 40)),
    ("ORANGE", "LAKE DR", _numbers(10, 40)),
    ("ORANGE", "PARK AVE", _numbers(1, 21, missing=(5,))),  # 5 is a condo building
    ("ORANGE", "PARK PL", _numbers(1, 21)),
    ("ORANGE", "ELM ST", _numbers(2, 18) + [24, 26, 28, 30, 40]),
    ("ORANGE", "BROAD ST W", _numbers(41, 61)),
    ("ORANGE", "BROAD ST E", _numbers(41, 61)),
    ("ORANGE", "NORTH ST", _numbers(11, 21)),
    ("ORANGE", "BROADWAY", _numbers(100, 120)),
    ("ORANGE", "AVENUE C", _numbers(10, 20)),
    ("ORANGE", "COURT ST", _numbers(10, 20)),
    ("ORANGE", "GATEWAY CTR", [1, 2, 3]),
    ("ORANGE", "RIVER RD", _numbers(50, 70, missing=(60,))),  # 60 is a condo building
    ("ORANGE", "OBRIEN CT", _numbers(2, 20)),  # assessors drop apostrophes and hyphens
    ("ORANGE", "BRIEN AVE", _numbers(2, 20)),
    ("ORANGE", "WILKES BARRE BLVD", _numbers(21, 41)),
    ("ORANGE", "ST MARYS PL", _numbers(1, 11)),
    ("ORANGE", "PENA ST", _numbers(2, 20)),
    ("WEST ORANGE", "N MAIN ST", MAIN),
    ("WEST ORANGE", "MARTIN LUTHER KING JR BLVD", _numbers(41, 61)),
    ("WEST ORANGE", "PARK AVE", _numbers(1, 21)),
    ("EAST ORANGE", "CENTRAL AVE", _numbers(100, 140)),
    ("MONTCLAIR", "BLOOMFIELD AVE", _numbers(300, 340)),
    ("MONTCLAIR", "VALLEY RD", _numbers(10, 40)),
    ("FORT LEE", "FORT LEE RD", _numbers(100, 120)),
    ("FORT LEE", "MAIN ST", _numbers(100, 140)),
    ("MOUNT OLIVE", "N MAIN ST", MAIN),
    ("MOUNT OLIVE", "US HIGHWAY 46", _numbers(100, 140, 10)),
    ("MOUNT OLIVE", "SAND SHORE RD", _numbers(100, 140)),
]
EXTRA = [  # (town, address): condos and house numbers that are not plain integers
    *(("ORANGE", f"5 PARK AVE APT {unit}") for unit in range(1, 5)),
    *(("ORANGE", f"60 RIVER RD UNIT {unit}") for unit in ("1A", "1B", "2A", "2B", "3A", "3B")),
    ("ORANGE", "12 1/2 ELM ST"),
    ("ORANGE", "16A ELM ST"),
    ("ORANGE", "16B ELM ST"),
    ("ORANGE", "20-22 ELM ST"),
]
LATER = [  # (town, address) for the classes from grid_address on, after EXTRA so that the
    # parcels above keep their ids and household names
    *(("SALT LAKE CITY", f"{n} {d} 500 S") for n in (1385, 1391) for d in ("E", "W")),
    ("SALT LAKE CITY", "1385 E 500 N"),
    ("SALT LAKE CITY", "1385 S 500 E"),  # the house at 1385 South on 500 East
    ("SALT LAKE CITY", "500 E 1385 S"),
    *(("MENOMONEE FALLS", f"N{n} COUNTY ROAD K") for n in (1234, 1240, 1250)),
    ("MENOMONEE FALLS", "N1234 COUNTY ROAD J"),
    ("MENOMONEE FALLS", "W156N8480 PILGRIM RD"),
    ("MENOMONEE FALLS", "W156N8490 PILGRIM RD"),
    ("MENOMONEE FALLS", "W158N8480 PILGRIM RD"),
    *(("FOREST HILLS", f"{n} QUEENS BLVD") for n in ("108-25", "108-27", "108-52", "110-25")),
    ("FOREST HILLS", "71-10 AUSTIN ST"),
    *(("SANTA FE", f"{n} CALLE SOL") for n in _numbers(2, 20)),
    *(("SANTA FE", f"{n} VIA VERDE") for n in _numbers(1, 21)),
    *(("SANTA FE", f"{n} VERDE CT") for n in _numbers(1, 21)),
    *(("SANTA FE", f"{n} EL CAMINO REAL") for n in _numbers(100, 140, 10)),
    *(("NEW YORK", f"{n} AVENUE OF THE AMERICAS") for n in (1180, 1185, 1200)),
    *(("NEW YORK", f"{n} W 44TH ST") for n in (20, 22)),
    *(("ORANGE", f"{n} {street}") for street in ("AVENUE J", "J ST") for n in _numbers(11, 21)),
    *(("ORANGE", f"{n} THE STRAND") for n in _numbers(1, 11)),
    *(("ORANGE", f"{n} {s}") for s in ("TERRACE RD", "HILL TER") for n in _numbers(2, 20)),
    *(("ORANGE", f"{n} LOVERS LN") for n in _numbers(1, 11)),
    *(("ORANGE", f"{n} 7TH AVE {d}") for d in ("S", "N") for n in _numbers(100, 120)),
    *(("ORANGE", f"{n} {s}") for s in ("12 1/2 ST", "12TH ST") for n in _numbers(100, 110)),
    *(("ORANGE", f"{n} {s}") for s in ("OCONNELL ST", "CONNELL ST") for n in _numbers(2, 12)),
    *(("ORANGE", f"{n} ST JOHNS PL") for n in _numbers(1, 9)),
    *(("ORANGE", f"{n} {d} 8TH AVE") for d in ("NE", "NW") for n in _numbers(500, 520)),
    *(("ORANGE", f"{n} {s}") for s in ("FOREST CIR", "FOREST TER") for n in _numbers(1, 11)),
    *(("ORANGE", f"{n} POMPTON TPKE") for n in _numbers(10, 20)),
    *(("ORANGE", f"{n} ESSEX PKWY") for n in _numbers(20, 30)),
    *(("ORANGE", f"{n} HAMILTON SQ") for n in _numbers(1, 11)),
    *(("ORANGE", f"{n} STONE XING") for n in _numbers(2, 8)),
    ("MOUNT OLIVE", "77 OAK HOLLOW DR"),  # a mobile-home park: one parcel, many lots
    *(("MOUNT OLIVE", f"{n} OAK HOLLOW DR") for n in _numbers(10, 20)),
    *(("MONTCLAIR", f"{n} VALLEY RD EXT") for n in _numbers(10, 20)),
    *(("HOUSTON", f"{n} FM {road}") for road in (1960, 2920) for n in (5010, 5020)),
    *(("SAINT PAUL", f"{n} SUMMIT AVE") for n in _numbers(200, 220)),
]
GIVEN = ["JAMES", "MARY", "ROBERT", "PATRICIA", "JOHN", "JENNIFER", "MICHAEL", "LINDA", "DAVID",
         "ELIZABETH", "WILLIAM", "BARBARA", "RICHARD", "SUSAN", "JOSEPH", "JESSICA", "THOMAS",
         "SARAH", "CARLOS", "KAREN", "DANIEL", "NANCY", "LUIS",
         "LISA", "ANDRE", "MARIA"]  # fmt: skip
SURNAMES = ["SMITH", "JOHNSON", "WILLIAMS", "BROWN", "JONES", "GARCIA", "MILLER", "DAVIS",
            "RODRIGUEZ", "MARTINEZ", "HERNANDEZ", "LOPEZ", "GONZALEZ", "WILSON", "ANDERSON",
            "THOMAS", "TAYLOR", "MOORE", "JACKSON", "MARTIN", "LEE", "PEREZ", "THOMPSON",
            "WHITE", "HARRIS", "SANCHEZ", "CLARK", "RAMIREZ", "LEWIS", "ROBINSON", "WALKER",
            "YOUNG", "ALLEN", "KING", "WRIGHT", "SCOTT", "TORRES", "NGUYEN", "HILL", "FLORES",
            "GREEN", "ADAMS", "NELSON", "BAKER", "HALL", "RIVERA", "CAMPBELL", "MITCHELL",
            "CARTER", "ROBERTS", "OKAFOR", "PATEL", "KOWALSKI", "DIAZ",
            "REYES", "MORRIS"]  # fmt: skip
NEWCOMER = ("Quintessa", "Vandermolen")  # on no household record


def county():
    """(residential docs, demographic docs, {(town, address): (county, parcel_id)}, the
    household name of each parcel)."""
    rng = Random(20261203)
    addresses = [(town, f"{n} {street}") for town, street, numbers in STREETS for n in numbers]
    addresses += EXTRA + LATER
    residential, demographic, keys, names = [], [], {}, {}
    people = rng.sample([(g, s) for g in GIVEN for s in SURNAMES], len(addresses))  # one each
    for i, (town, address) in enumerate(addresses):
        county_name, zip_code, _written = TOWNS[town]
        parcel_id = f"{county_name[:2]}{i:05d}"
        key = (county_name, parcel_id)
        keys[(town, address)] = key
        residential.append(
            {
                "county": county_name,
                "parcel_id": parcel_id,
                "address": address,
                "parcel_city": town,
                "parcel_zip": zip_code,
            }
        )
        names[key] = people[i]
        demographic.append(
            {
                "county": county_name,
                "parcel_id": parcel_id,
                "customer_name": f"{names[key][1]}, {names[key][0]}",
            }
        )
    return residential, demographic, keys, names


# --- The written forms ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    kind: str  # the variant class
    address: str
    city: str
    zip_code: str
    target: tuple | None  # (town, address as the county writes it)
    expect: str


class _Cases(list):
    def add(self, kind, expect, target, *forms, town=None):
        """`forms`: an Address (with the target town's City and ZIP as a person writes them)
        or an (Address, City, ZIP) tuple. `town` places a NONE case without a target."""
        city, zip_code = TOWNS[target[0] if target else town][2]
        for form in forms:
            written = form if isinstance(form, tuple) else (form, city, zip_code)
            self.append(Case(kind, *written, target, expect))


def cases():
    c = _Cases()
    main = ("ORANGE", "123 N MAIN ST")
    c.add("baseline", LINK, main, "123 N Main St", "123 N MAIN ST", "123 n main st")
    c.add("baseline", LINK, ("ORANGE", "9 PARK AVE"), "9 Park Ave")

    c.add("suffix_word_typo", LINK, main, "123 N Main Street", "123 N Main Str",
          "123 N Main Stret", "123 N Main Steet", "123 N Main Sreet",
          "123 N Main Streeet")  # fmt: skip
    c.add("suffix_word_typo", LINK, ("ORANGE", "9 PARK AVE"), "9 Park Avenue",
          "9 Park Av", "9 Park Aveune", "9 Park Avnue", "9 Park Avenu", "9 Park Ave.")  # fmt: skip
    c.add("suffix_word_typo", LINK, ("ORANGE", "9 PARK PL"), "9 Park Place",
          "9 Park Pl.", "9 Park Plc")  # fmt: skip
    c.add("suffix_word_typo", LINK, ("ORANGE", "45 MARTIN LUTHER KING JR BLVD"),
          "45 Martin Luther King Jr Boulevard", "45 Martin Luther King Jr Bolevard",
          "45 Martin Luther King Jr Bvld")  # fmt: skip
    c.add("suffix_word_typo", LINK, ("ORANGE", "12 MOUNT VERNON RD"),
          "12 Mount Vernon Road", "12 Mount Vernon Raod", "12 Mount Vernon Rd.")  # fmt: skip
    c.add("suffix_word_typo", LINK, ("ORANGE", "8 OLD MILL LN"), "8 Old Mill Lane",
          "8 Old Mill Lnae", "8 Old Mill Ln.")  # fmt: skip
    c.add("suffix_word_typo", LINK, ("ORANGE", "20 LAKE SHORE DR"),
          "20 Lake Shore Drive", "20 Lake Shore Dirve", "20 Lake Shore Drv")  # fmt: skip

    c.add("suffix_missing", LINK, main, "123 N Main")
    c.add("suffix_missing", LINK, ("ORANGE", "8 OLD MILL LN"), "8 Old Mill")
    c.add("suffix_missing", LINK, ("ORANGE", "20 LAKE SHORE DR"), "20 Lake Shore")
    c.add("suffix_missing", LINK, ("ORANGE", "45 MARTIN LUTHER KING JR BLVD"),
          "45 Martin Luther King Jr")  # fmt: skip
    c.add("suffix_missing", REVIEW, ("ORANGE", "9 PARK AVE"), "9 Park")  # PARK AVE or PARK PL

    c.add("directional", LINK, main, "123 North Main St", "123 N. Main St",
          "123 No. Main St", "123 No Main St", "123 Main St North", "123 Main St N",
          "123 Main St. N.", "123 Nrth Main St")  # fmt: skip
    c.add("directional", LINK, ("ORANGE", "123 S MAIN ST"), "123 South Main St",
          "123 So. Main St", "123 Main St South", "123 Main St S")  # fmt: skip
    c.add("directional", REVIEW, main, "123 Main St")  # N, S (and MAIN AVE)
    c.add("directional", LINK, ("ORANGE", "45 BROAD ST W"), "45 West Broad St",
          "45 W Broad St", "45 W. Broad Street", "45 Broad St West", "45 Broad St W")  # fmt: skip
    c.add("directional", REVIEW, ("ORANGE", "45 BROAD ST W"), "45 Broad St")
    c.add("directional", LINK, ("ORANGE", "15 NORTH ST"), "15 North St", "15 North Street")

    fourth = ("ORANGE", "14 E 4TH ST")
    c.add("ordinal", LINK, fourth, "14 E Fourth St", "14 East 4th Street",
          "14 E 4 th St", "14 E 4th. St", "14 E. 4TH ST.", "14 E Forth St",
          "14 E Fouth St", "14 E 4 St", "14 4th St E", "14 Fourth St East",
          "14 East Fourth Street")  # fmt: skip
    c.add("ordinal", REVIEW, fourth, "14 4th St")  # E or W
    c.add("ordinal", LINK, ("ORANGE", "14 4TH AVE"), "14 Fourth Ave", "14 4th Avenue")
    c.add("ordinal", LINK, ("ORANGE", "210 21ST AVE"), "210 Twenty-First Ave",
          "210 Twenty First Ave", "210 Twentyfirst Ave", "210 21 st Ave",
          "210 21st Avenue", "210 21th Ave")  # fmt: skip
    c.add("ordinal", LINK, ("ORANGE", "40 2ND ST"), "40 Second St", "40 2nd Street",
          "40 2d St", "40 Secnd St")  # fmt: skip

    c.add("saint_mount_fort", LINK, ("ORANGE", "9 ST CHARLES AVE"),
          "9 Saint Charles Ave", "9 St. Charles Ave", "9 St Charles Avenue",
          "9 Saint Charles Avenue", "9 Snt Charles Ave", "9 St.Charles Ave")  # fmt: skip
    c.add("saint_mount_fort", LINK, ("ORANGE", "9 CHARLES ST"), "9 Charles St", "9 Charles Street")
    c.add("saint_mount_fort", LINK, ("ORANGE", "7 SAINT JAMES PL"), "7 St James Pl",
          "7 St. James Place", "7 Saint James Pl")  # fmt: skip
    c.add("saint_mount_fort", LINK, ("ORANGE", "12 MOUNT VERNON RD"), "12 Mt Vernon Rd",
          "12 Mt. Vernon Road", "12 Mount Vernon Rd", "12 Mnt Vernon Rd")  # fmt: skip
    c.add("saint_mount_fort", LINK, ("ORANGE", "105 MT PLEASANT AVE"),
          "105 Mount Pleasant Ave", "105 Mt Pleasant Ave", "105 Mt. Pleasant Avenue")  # fmt: skip
    c.add("saint_mount_fort", LINK, ("FORT LEE", "110 FORT LEE RD"), "110 Ft Lee Rd",
          "110 Ft. Lee Road", ("110 Fort Lee Rd", "Ft Lee", "07024"))  # fmt: skip

    us1 = ("ORANGE", "1200 US HIGHWAY 1")
    c.add("highway_us", LINK, us1, "1200 US Highway 1", "1200 US Hwy 1",
          "1200 U.S. Hwy 1", "1200 Hwy 1", "1200 Highway 1", "1200 US-1", "1200 US 1",
          "1200 U.S. Route 1", "1200 Route 1", "1200 Rt 1", "1200 Rte 1",
          "1200 Rt. 1 South", "1200 US Rt 1", "1200 US Route 1 N")  # fmt: skip
    c.add("highway_us", LINK, ("ORANGE", "1200 1ST ST"), "1200 1st St", "1200 First Street")
    c.add("highway_us", LINK, ("MOUNT OLIVE", "120 US HIGHWAY 46"), "120 Route 46",
          "120 Rt 46 West", "120 US-46", "120 Hwy 46", "120 US Highway 46")  # fmt: skip

    sr17 = ("ORANGE", "300 STATE ROUTE 17")
    c.add("highway_state", LINK, sr17, "300 State Route 17", "300 State Rte 17",
          "300 SR 17", "300 SR-17", "300 Route 17", "300 Rt 17", "300 Rt. 17 N",
          "300 Route 17 North", "300 NJ-17", "300 NJ 17", "300 NJ Route 17",
          "300 Hwy 17", "300 State Hwy 17", "300 State Highway 17")  # fmt: skip
    c.add("highway_state", LINK, ("ORANGE", "300 17TH ST"), "300 17th St", "300 Seventeenth St")

    cr5 = ("ORANGE", "77 COUNTY ROAD 5")
    c.add("county_road", LINK, cr5, "77 County Road 5", "77 County Rd 5", "77 CR 5",
          "77 CR-5", "77 Co Rd 5", "77 Co. Rd. 5", "77 Cnty Rd 5", "77 County Route 5",
          "77 Co Rte 5")  # fmt: skip
    c.add("county_road", LINK, ("ORANGE", "77 5TH ST"), "77 5th St", "77 Fifth Street")

    mlk = ("ORANGE", "45 MARTIN LUTHER KING JR BLVD")
    c.add("mlk", LINK, mlk, "45 Martin Luther King Jr Blvd",
          "45 Martin Luther King Jr. Blvd.", "45 Martin Luther King Blvd", "45 MLK Blvd",
          "45 MLK Jr Blvd", "45 M L King Jr Blvd", "45 M.L.K. Blvd",
          "45 Dr Martin Luther King Jr Blvd", "45 Dr. MLK Jr. Blvd",
          "45 Martin L King Jr Blvd", "45 Martin Luther King Junior Boulevard")  # fmt: skip
    c.add("mlk", LINK, ("ORANGE", "45 KING ST"), "45 King St", "45 King Street")

    c.add("compound_name", LINK, ("ORANGE", "20 LAKE SHORE DR"), "20 Lakeshore Dr",
          "20 LakeShore Drive", "20 Lake-Shore Dr")  # fmt: skip
    c.add("compound_name", LINK, ("ORANGE", "20 LAKE DR"), "20 Lake Dr")
    c.add("compound_name", LINK, ("ORANGE", "8 MILL LN"), "8 Mill Ln", "8 Mill Lane")
    c.add("compound_name", LINK, ("ORANGE", "8 OLD MILL LN"), "8 Oldmill Ln")
    c.add("compound_name", LINK, ("ORANGE", "110 BROADWAY"), "110 Broadway",
          "110 Broadway St", "110 Broad Way")  # fmt: skip
    c.add("compound_name", LINK, ("ORANGE", "14 AVENUE C"), "14 Avenue C", "14 Ave C", "14 Ave. C")
    c.add("compound_name", LINK, ("ORANGE", "14 COURT ST"), "14 Court Street", "14 Ct St")
    c.add("compound_name", LINK, ("ORANGE", "1 GATEWAY CTR"), "1 Gateway Center",
          "One Gateway Center", "One Gateway Ctr")  # fmt: skip
    c.add("compound_name", LINK, ("ORANGE", "2 GATEWAY CTR"), "Two Gateway Center")

    elm40 = ("ORANGE", "40 ELM ST")  # a house or apartment building: the parcel has no unit
    c.add("unit_no_unit_parcel", LINK, elm40, "40 Elm St Apt 3", "40 Elm St Apt. 3",
          "40 Elm St #3", "40 Elm St # 3", "40 Elm St Unit 3", "40 Elm St Ste 3",
          "40 Elm St, Apt 3B", "40 Elm St Apt 3-B", "40 Elm St 3B", "40 Elm St Apt #3",
          "40 Elm St Apartment 3", "40 Elm St, Unit 3", "40 Elm St 2nd Floor",
          "40 Elm St Fl 2", "40 Elm St Rear", "40 Elm St Bsmt", "40 Elm St Upper",
          "Apt 3, 40 Elm St", "Apt 3 40 Elm St", "#3 40 Elm St", "40 Elm St\nApt 3",
          "40 Elm St\n#3")  # fmt: skip
    c.add("unit_no_unit_parcel", LINK, ("WEST ORANGE", "5 PARK AVE"), "5 Park Ave Apt 3")

    apt3 = ("ORANGE", "5 PARK AVE APT 3")
    c.add("unit_condo", LINK, apt3, "5 Park Ave Apt 3", "5 Park Ave Apt. 3",
          "5 Park Ave #3", "5 Park Ave Unit 3", "5 Park Ave, Apt 3",
          "5 Park Avenue Apartment 3", "Apt 3, 5 Park Ave", "#3, 5 Park Ave",
          "5 Park Ave\nApt 3", "5 Park Ave Apt #3", "5 park ave apt 3")  # fmt: skip
    u3b = ("ORANGE", "60 RIVER RD UNIT 3B")
    c.add("unit_condo", LINK, u3b, "60 River Rd Unit 3B", "60 River Rd Apt 3B",
          "60 River Rd #3B", "60 River Rd 3-B", "60 River Rd Apt 3-B",
          "60 River Rd Unit 3 B", "60 River Rd #3b", "60 River Road, Unit 3B",
          "Unit 3B, 60 River Rd")  # fmt: skip
    c.add("unit_condo", REVIEW, apt3, "5 Park Ave", "5 Park Ave Apt 7")  # which unit?
    c.add("unit_condo", REVIEW, u3b, "60 River Rd Unit 3")  # 3A or 3B?

    c.add("house_number_form", LINK, ("ORANGE", "12 1/2 ELM ST"), "12 1/2 Elm St",
          "12-1/2 Elm St", "12\u00bd Elm St", "12.5 Elm St")  # fmt: skip
    c.add("house_number_form", LINK, ("ORANGE", "12 ELM ST"), "12 Elm St")
    c.add("house_number_form", LINK, ("ORANGE", "16A ELM ST"), "16A Elm St",
          "16 A Elm St", "16-A Elm St", "16a elm st")  # fmt: skip
    c.add("house_number_form", LINK, ("ORANGE", "16 ELM ST"), "16 Elm St")
    c.add("house_number_form", REVIEW, ("ORANGE", "16A ELM ST"), "16 Elm St Apt A")  # or 16?
    c.add("house_number_form", LINK, ("ORANGE", "20-22 ELM ST"), "20-22 Elm St", "20 - 22 Elm St")
    c.add("house_number_form", EITHER, ("ORANGE", "20-22 ELM ST"), "20 Elm St", "22 Elm St")

    c.add("spacing_punctuation", LINK, main, "123N Main St", "123 N Main St.",
          "123 N. Main St.,", "  123  N  Main   St ", "123 N Main St;", "123, N Main St",
          "#123 N Main St", "123 N MainSt", "123 N.Main St", "123 N Main St .",
          "123\tN Main St", "123N. Main St", "123 N Main St ,", "123 N Main St #",
          "123 N Main St - ", "123\u00a0N Main St")  # fmt: skip
    c.add("spacing_punctuation", LINK, ("ORANGE", "8 OLD MILL LN"), "8Old Mill Ln")

    def written(address):
        return (address, "", "")

    c.add("city_zip_in_address", LINK, main,
          ("123 N Main St, Orange, NJ 07050", "Orange", "07050"),
          written("123 N Main St, Orange, NJ 07050"),
          written("123 N Main St Orange NJ 07050"), written("123 N Main St, Orange NJ"),
          written("123 N Main St, Orange, New Jersey 07050"),
          written("123 N Main St 07050"), written("123 N Main St, NJ 07050"),
          written("123 N Main St, Orange, NJ 07050, USA"),
          written("123 N Main St\nOrange, NJ 07050"),
          ("123 N Main St, Orange", "", "07050"),
          ("123 N Main St, Orange NJ 07050", "Orange", ""))  # fmt: skip
    c.add("city_zip_in_address", LINK, ("WEST ORANGE", "123 N MAIN ST"),
          written("123 N Main St, West Orange, NJ 07052"),
          written("123 N Main St West Orange NJ"))  # fmt: skip
    c.add("city_zip_in_address", LINK, ("EAST ORANGE", "120 CENTRAL AVE"),
          written("120 Central Ave, East Orange, NJ 07017"))  # fmt: skip

    c.add("state_in_city", LINK, main, ("123 N Main St", "Orange NJ", "07050"),
          ("123 N Main St", "Orange, NJ", "07050"),
          ("123 N Main St", "Orange, New Jersey", "07050"),
          ("123 N Main St", "Orange NJ 07050", "07050"),
          ("123 N Main St", "ORANGE, N.J.", "07050"),
          ("123 N Main St", "Orange, NJ 07050", ""), ("123 N Main St", "Orange NJ", ""),
          ("123 N Main St", "Orange, NJ", ""),
          ("123 N Main St", "City of Orange", "07050"),
          ("123 N Main St", "Orange Twp", "07050"),
          ("123 N Main St", "Orange Township", ""))  # fmt: skip
    c.add("state_in_city", LINK, ("WEST ORANGE", "123 N MAIN ST"),
          ("123 N Main St", "West Orange, NJ", ""),
          ("123 N Main St", "West Orange NJ 07052", ""))  # fmt: skip

    c.add("zip_form", LINK, main, ("123 N Main St", "Orange", "7050"),
          ("123 N Main St", "Orange", "07050-1234"),
          ("123 N Main St", "Orange", "070501234"),
          ("123 N Main St", "Orange", "07050 1234"),
          ("123 N Main St", "Orange", "7050.0"), ("123 N Main St", "Orange", " 07050 "),
          ("123 N Main St", "Orange", "NJ 07050"), ("123 N Main St", "Orange", "07050-"),
          ("123 N Main St", "Orange", "0705"), ("123 N Main St", "Orange", "07051"),
          ("123 N Main St", "", "07050"), ("123 N Main St", "", "7050"),
          ("123 N Main St", "", "07050-1234"), ("123 N Main St", "", "70501234"))  # fmt: skip
    c.add("zip_form", REVIEW, main, ("123 N Main St", "Orange", "07052"))  # West Orange's ZIP
    c.add("zip_form", LINK, ("MOUNT OLIVE", "110 SAND SHORE RD"), "110 Sand Shore Rd",
          ("110 Sand Shore Rd", "Mount Olive", "7828"),
          ("110 Sand Shore Rd", "", "07828"),
          ("110 Sand Shore Rd", "Mount Olive", "07828-2201"),
          ("110 Sand Shore Rd", "", "7828"))  # fmt: skip
    c.add("zip_form", LINK, ("MOUNT OLIVE", "123 N MAIN ST"),
          ("123 N Main St", "", "07828"), ("123 N Main St", "Mt Olive", ""))  # fmt: skip

    central = ("EAST ORANGE", "120 CENTRAL AVE")
    c.add("city_abbrev_typo", LINK, central, ("120 Central Ave", "E Orange", "07017"),
          ("120 Central Ave", "E. Orange", ""), ("120 Central Ave", "East Orage", ""),
          ("120 Central Ave", "E Orange", ""), ("120 Central Ave", "Orange", "07017"),
          ("120 Central Ave", "EastOrange", ""), ("120 Central Ave", "", "07018"))  # fmt: skip
    wo = ("WEST ORANGE", "123 N MAIN ST")
    c.add("city_abbrev_typo", LINK, wo, ("123 N Main St", "W Orange", ""),
          ("123 N Main St", "W. Orange", ""), ("123 N Main St", "West Orang", ""),
          ("123 N Main St", "Wset Orange", ""), ("123 N Main St", "W Orange", "07052"))  # fmt: skip
    c.add("city_abbrev_typo", LINK, main, ("123 N Main St", "Ornage", ""),
          ("123 N Main St", "Orang", ""))  # fmt: skip
    c.add("city_abbrev_typo", LINK, ("MOUNT OLIVE", "123 N MAIN ST"),
          ("123 N Main St", "Mt Olive", "07828"), ("123 N Main St", "Mt. Olive", ""),
          ("123 N Main St", "Mount Olive Twp", ""),
          ("123 N Main St", "Budd Lake", "07828"))  # fmt: skip
    c.add("city_abbrev_typo", LINK, ("MONTCLAIR", "320 BLOOMFIELD AVE"),
          ("320 Bloomfield Ave", "Montclar", ""),
          ("320 Bloomfield Ave", "Upper Montclair", "07043"),
          ("320 Bloomfield Ave", "Montclair Twp", ""))  # fmt: skip
    c.add("city_abbrev_typo", LINK, ("FORT LEE", "120 MAIN ST"),
          ("120 Main St", "Ft Lee", ""), ("120 Main St", "Ft. Lee", ""))  # fmt: skip

    c.add("apostrophe_accent", LINK, ("ORANGE", "12 OBRIEN CT"), "12 O'Brien Ct", "12 O Brien Ct",
          "12 Obrien Court", "12 O\u2019Brien Ct")  # fmt: skip
    c.add("apostrophe_accent", LINK, ("ORANGE", "31 WILKES BARRE BLVD"), "31 Wilkes-Barre Blvd",
          "31 Wilkesbarre Blvd")  # fmt: skip
    c.add("apostrophe_accent", LINK, ("ORANGE", "5 ST MARYS PL"), "5 St. Mary's Pl",
          "5 Saint Marys Place", "5 St Mary\u2019s Pl")  # fmt: skip
    c.add("apostrophe_accent", LINK, ("ORANGE", "12 PENA ST"), "12 Pe\u00f1a St", "12 Pena Street")
    c.add("house_number_form", EITHER, main, "123-125 N Main St")  # one house of a double?

    c.add("missing_city_zip", REVIEW, main, ("123 N Main St", "", ""))  # three towns have it
    c.add("missing_city_zip", LINK, main, ("123 N Main St", "Orange", ""))
    c.add("missing_city_zip", LINK, ("MOUNT OLIVE", "110 SAND SHORE RD"),
          ("110 Sand Shore Rd", "Mount Olive", ""))  # fmt: skip
    c.add("missing_city_zip", EITHER, ("ORANGE", "8 OLD MILL LN"), ("8 Old Mill Ln", "", ""))
    c.add("swapped_fields", LINK, main, ("Orange", "123 N Main St", "07050"),
          ("123 N Main St", "07050", "Orange"))  # fmt: skip
    c.add("extra_words", LINK, main, "c/o Jane Doe, 123 N Main St",
          "Attn: Accounts, 123 N Main St", "123 N Main St (rear house)",
          "123 N Main St - 2nd floor", "123 N Main St, Orange")  # fmt: skip
    c.add("extra_words", LINK, apt3, "Park Towers, 5 Park Ave Apt 3")

    c.add("po_box_rural", NONE, None, "PO Box 123", "P.O. Box 123",
          "Post Office Box 123", "POB 123", "Box 123", "P O Box 123",
          "PO Box 123 Orange NJ", "RR 2 Box 123", "General Delivery", "PO BOX 45",
          town="ORANGE")  # fmt: skip
    c.add("no_such_parcel", NONE, None, "127 N Main St", "1210 US Hwy 1", "1210 Hwy 1",
          "310 Route 17", "310 State Rte 17", "79 CR 5", "79 County Rd 5", "16C Elm St",
          "5 Park Ave Apt 9B", town="ORANGE")  # fmt: skip
    c.add("no_such_parcel", NONE, None, "123 N Main St", "45 MLK Blvd",
          "9 St Charles Ave", town="EAST ORANGE")  # fmt: skip
    c.add("no_house_number", NONE, None, "N Main St", "Old Mill Ln", "Park Ave Apt 3",
          "N Main St & Park Ave", "Corner of Elm St and 2nd St", town="ORANGE")  # fmt: skip
    c.add("no_such_parcel", NONE, None, ("123 N Main St", "Orange, CA", "92866"),
          ("123 N Main St", "Orange", "92866"), ("1200 Hwy 1", "Orange", "92866"),
          town="ORANGE")  # fmt: skip

    slc = ("SALT LAKE CITY", "1385 E 500 S")
    c.add("grid_address", LINK, slc, "1385 E 500 S", "1385 East 500 South",
          "1385 E 500 South St", "1385 E. 500 S.", "1385 E 500 S St", "1385 East 500 S",
          "1385 E 500 So")  # fmt: skip
    c.add("grid_address", LINK, ("SALT LAKE CITY", "1385 S 500 E"), "1385 S 500 E",
          "1385 South 500 East")  # fmt: skip
    c.add("grid_address", LINK, ("SALT LAKE CITY", "500 E 1385 S"), "500 E 1385 S")
    c.add("grid_address", REVIEW, slc, "1385 500 S")  # E or W
    c.add("grid_address", NONE, None, "1387 E 500 S", "1385 E 600 S", town="SALT LAKE CITY")

    wi = ("MENOMONEE FALLS", "N1234 COUNTY ROAD K")
    c.add("alphanumeric_number", LINK, wi, "N1234 County Road K", "N1234 County Rd K",
          "N1234 Cty Rd K", "N1234 CTH K", "N1234 County Hwy K", "N 1234 County Road K",
          "n1234 county road k", "N1234 Co Rd K")  # fmt: skip
    c.add("alphanumeric_number", EITHER, wi, "1234 County Rd K")
    c.add("alphanumeric_number", LINK, ("MENOMONEE FALLS", "N1234 COUNTY ROAD J"),
          "N1234 County Rd J")  # fmt: skip
    pilgrim = ("MENOMONEE FALLS", "W156N8480 PILGRIM RD")
    c.add("alphanumeric_number", LINK, pilgrim, "W156N8480 Pilgrim Rd", "W156 N8480 Pilgrim Rd",
          "W156N8480 Pilgrim Road", "w156n8480 pilgrim rd", "W 156 N 8480 Pilgrim Rd",
          "W156-N8480 Pilgrim Rd")  # fmt: skip
    c.add("alphanumeric_number", NONE, None, "N1236 County Rd K", "W156N8470 Pilgrim Rd",
          "N1234 County Rd M", town="MENOMONEE FALLS")  # fmt: skip

    queens = ("FOREST HILLS", "108-25 QUEENS BLVD")
    c.add("queens_hyphen", LINK, queens, "108-25 Queens Blvd", "10825 Queens Blvd",
          "108 25 Queens Blvd", "108-25 Queens Boulevard", "108 - 25 Queens Blvd",
          ("108-25 Queens Blvd", "Queens", "11375"),
          ("108-25 Queens Blvd", "Flushing", "11375"))  # fmt: skip
    c.add("queens_hyphen", LINK, ("FOREST HILLS", "71-10 AUSTIN ST"), "71-10 Austin St",
          "7110 Austin St", "71 10 Austin Street")  # fmt: skip
    c.add("queens_hyphen", NONE, None, "108 Queens Blvd", "25 Queens Blvd", "108-29 Queens Blvd",
          "10829 Queens Blvd", town="FOREST HILLS")  # fmt: skip

    sol = ("SANTA FE", "12 CALLE SOL")
    c.add("pre_type_street", LINK, sol, "12 Calle Sol", "12 calle sol", "12 Calle Sol St")
    c.add("pre_type_street", EITHER, sol, "12 Calle del Sol", "12 Sol St", "12 Sol")
    c.add("pre_type_street", LINK, ("SANTA FE", "15 VIA VERDE"), "15 Via Verde", "15 Via Verde Dr")
    c.add("pre_type_street", LINK, ("SANTA FE", "15 VERDE CT"), "15 Verde Ct", "15 Verde Court")
    c.add("pre_type_street", REVIEW, ("SANTA FE", "15 VIA VERDE"), "15 Verde")  # or VERDE CT
    c.add("pre_type_street", LINK, ("SANTA FE", "110 EL CAMINO REAL"), "110 El Camino Real",
          "110 Camino Real", "110 El Camino Real Rd")  # fmt: skip
    aoa = ("NEW YORK", "1185 AVENUE OF THE AMERICAS")
    c.add("pre_type_street", LINK, aoa, "1185 Avenue of the Americas",
          "1185 Ave of the Americas", "1185 Ave. of Americas", "1185 Avenue of Americas",
          ("1185 Avenue of the Americas", "NYC", "10036"),
          ("1185 Ave of the Americas", "New York, NY", ""))  # fmt: skip
    c.add("pre_type_street", LINK, ("NEW YORK", "22 W 44TH ST"), "22 W 44th St",
          "22 West 44th Street")  # fmt: skip
    c.add("pre_type_street", LINK, ("ORANGE", "15 AVENUE J"), "15 Avenue J", "15 Ave J",
          "15 Ave. J")  # fmt: skip
    c.add("pre_type_street", LINK, ("ORANGE", "15 J ST"), "15 J St", "15 J Street", "15 J. St")
    c.add("pre_type_street", REVIEW, ("ORANGE", "15 AVENUE J"), "15 J")  # AVENUE J or J ST
    c.add("pre_type_street", LINK, ("ORANGE", "7 THE STRAND"), "7 The Strand", "7 Strand",
          "7 The Strand St")  # fmt: skip

    c.add("suffix_word_name", LINK, ("ORANGE", "10 TERRACE RD"), "10 Terrace Rd",
          "10 Terrace Road")  # fmt: skip
    c.add("suffix_word_name", EITHER, ("ORANGE", "10 TERRACE RD"), "10 Terrace")
    c.add("suffix_word_name", LINK, ("ORANGE", "10 HILL TER"), "10 Hill Ter", "10 Hill Terrace",
          "10 Hill Terr")  # fmt: skip
    c.add("suffix_word_name", LINK, ("ORANGE", "5 LOVERS LN"), "5 Lovers Lane", "5 Lover's Ln",
          "5 Lovers Ln", "5 Lovers")  # fmt: skip
    c.add("suffix_word_name", LINK, ("ORANGE", "14 COURT ST"), "14 Court St", "14 Court")

    seventh = ("ORANGE", "110 7TH AVE S")
    c.add("ordinal_directional", LINK, seventh, "110 Seventh Ave S", "110 Seventh Avenue South",
          "110 7th Ave. So.", "110 7th Ave South", "110 S 7th Ave", "110 South Seventh Avenue",
          "110 7 Ave S", "110 Seventh Av S")  # fmt: skip
    c.add("ordinal_directional", REVIEW, seventh, "110 7th Ave")  # S or N
    c.add("ordinal_directional", LINK, ("ORANGE", "110 7TH AVE N"), "110 Seventh Ave N",
          "110 Seventh Avenue North")  # fmt: skip
    ne8 = ("ORANGE", "510 NE 8TH AVE")
    c.add("ordinal_directional", LINK, ne8, "510 NE 8th Ave", "510 N.E. 8th Ave",
          "510 Northeast 8th Ave", "510 North East 8th Avenue", "510 8th Ave NE",
          "510 NE Eighth Ave", "510 N E 8th Ave")  # fmt: skip
    c.add("ordinal_directional", REVIEW, ne8, "510 8th Ave", "510 N 8th Ave")  # NE or NW

    half = ("ORANGE", "104 12 1/2 ST")
    c.add("half_street", LINK, half, "104 12 1/2 St", "104 12\u00bd St", "104 12-1/2 St",
          "104 Twelve and a Half St", "104 12 1/2 Street")  # fmt: skip
    c.add("half_street", LINK, ("ORANGE", "104 12TH ST"), "104 12th St", "104 Twelfth St")

    oconnell = ("ORANGE", "8 OCONNELL ST")
    c.add("apostrophe_name", LINK, oconnell, "8 O'Connell St", "8 O Connell St",
          "8 Oconnell Street", "8 O`Connell St", "8 O\u2019Connell St",
          "8 OConnell St")  # fmt: skip
    c.add("apostrophe_name", LINK, ("ORANGE", "8 CONNELL ST"), "8 Connell St")
    c.add("apostrophe_name", LINK, ("ORANGE", "5 ST JOHNS PL"), "5 St. John's Pl",
          "5 Saint Johns Place", "5 St Johns Pl", "5 St John's Place", "5 St Johns")  # fmt: skip
    c.add("apostrophe_name", LINK, ("ORANGE", "31 WILKES BARRE BLVD"), "31 Wilkes Barre Blvd",
          "31 Wilkes-Barre Boulevard", "31 Wilkes - Barre Blvd")  # fmt: skip

    c.add("typo_with_abbrev", LINK, ("ORANGE", "12 MOUNT VERNON RD"), "12 Mt Vernnon Rd",
          "12 Mt. Vernon Rd.", "12 Mt Vernon Raod", "12 Mt Vrenon Rd")  # fmt: skip
    c.add("typo_with_abbrev", LINK, mlk, "45 Martin Lutherking Blvd", "45 Martin Luter King Blvd",
          "45 MLK Jr Bvld", "45 Martin Luther Kng Jr Blvd")  # fmt: skip
    c.add("typo_with_abbrev", LINK, ("ORANGE", "9 ST CHARLES AVE"), "9 St Charels Ave",
          "9 St. Chrles Ave.")  # fmt: skip
    c.add("typo_with_abbrev", LINK, ("ORANGE", "105 MT PLEASANT AVE"), "105 Mt Plesant Ave",
          "105 Mount Pleasent Av")  # fmt: skip
    c.add("typo_with_abbrev", LINK, main, "123 N Mian St", "123 No Mainn St")

    c.add("house_number_typo", LINK, ("ORANGE", "132 N MAIN ST"), "132 N Main St")  # it exists
    c.add("house_number_typo", REVIEW, ("ORANGE", "24 ELM ST"), "42 Elm St")  # no 42: 24?
    c.add("house_number_typo", NONE, None, "1233 N Main St", "23 N Main St", "0 N Main St",
          "1123 N Main St", town="ORANGE")  # fmt: skip

    c.add("unit_building_lot", LINK, elm40, "40 Elm St Bldg 2 Apt 3", "40 Elm St Building 2, Apt 3",
          "40 Elm St Bldg B Unit 3", "40 Elm St Ste 200", "40 Elm St Suite 2B",
          "40 Elm St Rm 5", "40 Elm St Apt 3 Bldg 2", "40 Elm St, 3rd Fl", "40 Elm St Lowr",
          "40 Elm St Frnt", "40 Elm St Apt A", "40 Elm St No. 3", "40 Elm St Apt3")  # fmt: skip
    park = ("MOUNT OLIVE", "77 OAK HOLLOW DR")
    c.add("unit_building_lot", LINK, park, "77 Oak Hollow Dr Lot 14",
          "77 Oak Hollow Dr Space 12", "77 Oak Hollow Dr Trlr 5", "77 Oak Hollow Dr Spc 12",
          "Lot 14, 77 Oak Hollow Dr", "77 Oak Hollow Dr #14", "77 Oak Hollow Dr Trailer 5",
          "77 Oak Hollow Dr Site 3")  # fmt: skip
    c.add("unit_building_lot", NONE, None, "Lot 14 Oak Hollow Dr", "Space 12 Oak Hollow Dr",
          "Trlr 16 Oak Hollow Dr", town="MOUNT OLIVE")  # fmt: skip

    c.add("rural_military_box", NONE, None, "HC 2 Box 5", "HC 68 Box 12A", "Rural Route 2 Box 14",
          "RFD 2 Box 14", "Star Route Box 5", "PSC 123 Box 456", "Unit 2050 Box 4190",
          "CMR 450 Box 12", ("PSC 123 Box 456", "APO", "09096"),
          ("Unit 2050 Box 4190", "APO AE", "09096"), ("PSC 1005 Box 16", "FPO", "96349"),
          "PMB 12, 10 Main St", "HCR 1 Box 14", town="ORANGE")  # fmt: skip
    c.add("rural_military_box", EITHER, main, "123 N Main St, PO Box 45")
    c.add("street_extension", LINK, ("MONTCLAIR", "12 VALLEY RD EXT"), "12 Valley Rd Ext",
          "12 Valley Road Extension", "12 Valley Rd Extd", "12 Valley Rd. Ext.")  # fmt: skip
    c.add("street_extension", EITHER, ("MONTCLAIR", "12 VALLEY RD"), "12 Valley Rd",
          "12 Valley Road")  # or EXT with the word left off  # fmt: skip

    fm = ("HOUSTON", "5010 FM 1960")
    c.add("farm_to_market", LINK, fm, "5010 FM 1960", "5010 Farm to Market Rd 1960",
          "5010 Farm-to-Market 1960", "5010 F.M. 1960", "5010 FM-1960", "5010 FM Rd 1960",
          "5010 Farm Market Road 1960", "5010 FM 1960 Rd")  # fmt: skip
    c.add("farm_to_market", NONE, None, "5030 FM 1960", "5010 FM 1961", town="HOUSTON")

    summit = ("SAINT PAUL", "210 SUMMIT AVE")
    c.add("city_alias", LINK, summit, ("210 Summit Ave", "St. Paul", "55102"),
          ("210 Summit Ave", "St Paul", ""), ("210 Summit Ave", "Saint Paul, MN", ""),
          ("210 Summit Ave", "St.Paul", ""), ("210 Summit Ave", "Sant Paul", ""),
          written("210 Summit Ave, St Paul, MN 55102"))  # fmt: skip
    c.add("city_alias", LINK, ("NEW YORK", "1185 AVENUE OF THE AMERICAS"),
          ("1185 Avenue of the Americas", "Manhattan", "10036"),
          ("1185 Avenue of the Americas", "New York City", ""),
          ("1185 Avenue of the Americas", "NY", "10036"))  # fmt: skip
    c.add("street_extension", LINK, ("MONTCLAIR", "30 VALLEY RD"), "30 Valley Rd Ext")  # no 30 EXT
    return c


# --- Deciding and scoring -------------------------------------------------------------------------


def _row(n, case, name):
    first, last = name
    return {
        "contact_id": f"v{n:04d}",
        "email_address": f"{first.lower()}.{last.lower()}@example.org",
        "phone_number": None,
        "fields": {
            "Address": case.address,
            "City": case.city,
            "ZIP": case.zip_code,
            "FirstName": first.title(),
            "LastName": last.title(),
            "Phone": None,
        },
    }


def outcome(expect, target, linked, candidates):
    """(outcome, failed): linked / wrong_link / review_first / review_lower / not_found."""
    if linked is not None and linked == target:
        what = "linked"
    elif linked is not None:
        what = "wrong_link"
    elif target is not None and candidates[:1] == [target]:
        what = "review_first"
    elif target is not None and target in candidates:
        what = "review_lower"
    else:
        what = "not_found"
    if expect == LINK:
        failed = what != "linked"
    elif expect == REVIEW:
        failed = what not in ("review_first", "review_lower")
    elif expect == EITHER:
        failed = what not in ("linked", "review_first", "review_lower")
    else:
        failed = linked is not None
    return what, failed


def run(index, thresholds, keys, names, selected, mode):
    results = []
    for n, case in enumerate(selected):
        if mode == "resident" and case.expect == NONE:
            continue
        target = keys[case.target] if case.target else None
        expect = EITHER if mode == "resident" and case.expect == REVIEW else case.expect
        name = names[target] if mode == "resident" else NEWCOMER
        match, residence, _demographic = services.match_row(index, _row(n, case, name), thresholds)
        linked = (residence["county"], residence["parcel_id"]) if residence else None
        candidates = [(c["county"], c["parcel_id"]) for c in match["candidates"]]
        what, failed = outcome(expect, target, linked, candidates)
        results.append((case, expect, what, failed, match, residence))
    return results


COLUMNS = ("linked", "review_first", "review_lower", "not_found", "wrong_link")


def print_table(results, mode):
    by_kind = {}
    for case, _expect, what, failed, _match, _residence in results:
        tally = by_kind.setdefault(case.kind, Counter())
        tally["cases"] += 1
        tally[what] += 1
        tally["failed"] += failed
    header = ("class", "cases", "linked", "review 1st", "review lower", "not found", "WRONG",
              "failed")  # fmt: skip
    print(f"\n{mode}: " + ("the resident named on the household record" if mode == "resident"
                           else "a name on no household record (the address alone)"))  # fmt: skip
    print(f"{header[0]:<22}" + "".join(f"{h:>13}" for h in header[1:]))
    total = Counter()
    for kind, tally in by_kind.items():
        total.update(tally)
        cells = [tally["cases"], *(tally[col] for col in COLUMNS), tally["failed"]]
        print(f"{kind:<22}" + "".join(f"{v:>13}" for v in cells))
    cells = [total["cases"], *(total[col] for col in COLUMNS), total["failed"]]
    print(f"{'total':<22}" + "".join(f"{v:>13}" for v in cells))


def print_failures(results, mode):
    failures = [r for r in results if r[3]]
    print(f"\n{mode}: {len(failures)} failures")
    for case, expect, what, _failed, match, residence in failures:
        written = " | ".join(repr(v) for v in (case.address, case.city, case.zip_code))
        shown = "; ".join(
            f"{c['address']}, {c['parcel_city']} ({c['probability']:.3f})"
            for c in match["candidates"][:2]
        )
        linked = (
            f" → linked {residence['address']}, {residence['parcel_city']}" if residence else ""
        )
        target = f"{case.target[1]}, {case.target[0]}" if case.target else "no parcel"
        print(
            f"  [{case.kind}] {written}: expect {expect} {target}; got {what}{linked} "
            f"({match['quality']}, {match['reason']}); first candidates: {shown or 'none'}"
        )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--class", dest="kinds", nargs="*", help="only these variant classes")
    parser.add_argument("--mode", choices=("newcomer", "resident"), nargs="*",
                        default=["newcomer", "resident"])  # fmt: skip
    args = parser.parse_args()
    residential, demographic, keys, names = county()
    index = build_index(residential_docs=residential, demographic_docs=demographic)
    thresholds = scoring.Thresholds.from_settings()
    selected = [case for case in cases() if not args.kinds or case.kind in args.kinds]
    print(
        f"{len(residential)} parcels in {len(TOWNS)} towns, {len(demographic)} household records, "
        f"{len(selected)} written forms; thresholds: accept {thresholds.accept}, "
        f"gap {thresholds.min_gap}, review {thresholds.review}, parameters "
        f"v{thresholds.parameters.version} ({thresholds.parameters.source})"
    )
    runs = {mode: run(index, thresholds, keys, names, selected, mode) for mode in args.mode}
    for mode, results in runs.items():
        print_table(results, mode)
    for mode, results in runs.items():
        print_failures(results, mode)


if __name__ == "__main__":
    main()
