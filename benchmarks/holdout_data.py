"""A held-out, US-style matching set that the matcher was never tuned on.

Built from Faker's en_US provider and US contact-form habits, not from the demo generator or the
matcher: a county of parcels ("123 N OAK ST", towns, 5-digit ZIPs) with household records
("SURNAME, GIVEN", email, mobile), and contacts who write their address as people do (case,
abbreviated or spelled-out suffixes, directionals and ordinals, unit lines, ZIP+4, missing or
misspelt city, keyboard typos, nicknames, moved people), plus hard negatives: a house number
missing between its neighbours, the same number on a sibling street (OAK ST / OAK AVE, N / S) in
the same ZIP, the same street and number in another town, and people who share a resident's name
elsewhere. Their truth is None.

`generate` returns the county documents, the contact rows, the truth and each contact's case and
noise tags (for analysing the misses); the same seed gives the same set.
"""

from collections import defaultdict
from random import Random

from faker import Faker

COUNTY = "Holdout"

SUFFIXES = {  # USPS abbreviations of the suffixes forms use, with a typical weight
    "STREET": ("ST", 30),
    "AVENUE": ("AVE", 16),
    "ROAD": ("RD", 12),
    "DRIVE": ("DR", 14),
    "LANE": ("LN", 8),
    "COURT": ("CT", 7),
    "CIRCLE": ("CIR", 4),
    "BOULEVARD": ("BLVD", 3),
    "PLACE": ("PL", 4),
    "WAY": ("WAY", 4),
    "TERRACE": ("TER", 2),
    "TRAIL": ("TRL", 2),
    "PARKWAY": ("PKWY", 1),
    "HIGHWAY": ("HWY", 1),
    "CROSSING": ("XING", 1),
    "RIDGE": ("RDG", 1),
    "SQUARE": ("SQ", 1),
    "LOOP": ("LOOP", 1),
    "RUN": ("RUN", 1),
    "PIKE": ("PIKE", 1),
}
ABBREVIATED = {abbr: word for word, (abbr, _w) in SUFFIXES.items()}
# What people also write for a suffix besides the word and the USPS form.
SUFFIX_VARIANTS = {
    "AVE": ["AV", "AVE.", "AVENUE", "Ave"],
    "ST": ["STR", "ST.", "STREET", "St"],
    "RD": ["RD.", "ROAD"],
    "DR": ["DR.", "DRIVE", "DRV"],
    "LN": ["LANE", "LN."],
    "CT": ["COURT", "CRT", "CT."],
    "BLVD": ["BOULEVARD", "BLV", "BLVD."],
    "CIR": ["CIRCLE", "CIRC"],
    "PKWY": ["PARKWAY", "PKY"],
    "TER": ["TERRACE", "TERR"],
    "TRL": ["TRAIL", "TR"],
}
DIRECTIONS = {"N": "NORTH", "S": "SOUTH", "E": "EAST", "W": "WEST"}
OPPOSITE = {"N": "S", "S": "N", "E": "W", "W": "E"}
ORDINALS = ["FIRST", "SECOND", "THIRD", "FOURTH", "FIFTH", "SIXTH", "SEVENTH", "EIGHTH",
            "NINTH", "TENTH", "ELEVENTH", "TWELFTH", "THIRTEENTH", "FOURTEENTH", "FIFTEENTH",
            "SIXTEENTH", "SEVENTEENTH", "EIGHTEENTH", "NINETEENTH", "TWENTIETH"]  # fmt: skip
COMMON_NAMES = [
    "MAIN", "OAK", "PINE", "MAPLE", "CEDAR", "ELM", "WASHINGTON", "PARK", "LAKE", "HILL",
    "CHURCH", "MILL", "WALNUT", "SPRING", "CHESTNUT", "JEFFERSON", "LINCOLN", "MADISON",
    "FRANKLIN", "HIGHLAND", "RIVER", "CENTER", "SUNSET", "WILLOW",
]  # fmt: skip
NICKNAMES = {
    "ROBERT": ["BOB", "ROB", "BOBBY"], "WILLIAM": ["BILL", "WILL", "BILLY"],
    "JAMES": ["JIM", "JIMMY"], "JOHN": ["JACK", "JOHNNY"], "RICHARD": ["RICK", "DICK"],
    "MICHAEL": ["MIKE"], "JOSEPH": ["JOE"], "THOMAS": ["TOM"], "CHRISTOPHER": ["CHRIS"],
    "DANIEL": ["DAN", "DANNY"], "MATTHEW": ["MATT"], "ANTHONY": ["TONY"], "DAVID": ["DAVE"],
    "STEVEN": ["STEVE"], "EDWARD": ["ED", "EDDIE"], "KENNETH": ["KEN"], "RONALD": ["RON"],
    "TIMOTHY": ["TIM"], "GREGORY": ["GREG"], "JENNIFER": ["JEN", "JENNY"],
    "ELIZABETH": ["LIZ", "BETH", "BETTY"], "PATRICIA": ["PAT", "TRISH"], "KATHERINE": ["KATE"],
    "MARGARET": ["MAGGIE", "PEGGY"], "SUSAN": ["SUE"], "DEBORAH": ["DEBBIE", "DEB"],
    "JESSICA": ["JESS"], "REBECCA": ["BECKY"], "KIMBERLY": ["KIM"], "CYNTHIA": ["CINDY"],
    "SAMANTHA": ["SAM"], "ALEXANDER": ["ALEX"], "BENJAMIN": ["BEN"], "NICHOLAS": ["NICK"],
}  # fmt: skip
KEYBOARD = ["QWERTYUIOP", "ASDFGHJKL", "ZXCVBNM"]
AREA_CODES = ["336", "919", "704", "910", "252", "828", "980", "984"]


def _neighbours():
    where = {key: (row, col) for row, keys in enumerate(KEYBOARD) for col, key in enumerate(keys)}
    return {
        key: [
            other
            for other, (r, c) in where.items()
            if other != key and abs(r - row) <= 1 and abs(c - col) <= 1
        ]
        for key, (row, col) in where.items()
    }


ADJACENT = _neighbours()


def typo(rng, word):
    """One slip of a typist: a neighbouring key, a dropped, doubled or swapped letter."""
    letters = [i for i, ch in enumerate(word) if ch.isalpha()]
    if len(letters) < 3:
        return word
    i = rng.choice(letters[1:])  # people rarely get the first letter wrong
    kind = rng.choice(("adjacent", "adjacent", "drop", "swap", "double"))
    if kind == "adjacent" and word[i].upper() in ADJACENT:
        return word[:i] + rng.choice(ADJACENT[word[i].upper()]) + word[i + 1 :]
    if kind == "swap" and i + 1 < len(word) and word[i + 1].isalpha() and word[i] != word[i + 1]:
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    if kind == "double":
        return word[:i] + word[i] + word[i:]
    return word[:i] + word[i + 1 :]


# --- The county ---------------------------------------------------------------------------------


def _suffix(rng, fake):
    """Mostly the common suffixes; one in six from Faker's full list, as the county writes it."""
    if rng.random() < 1 / 6:
        word = fake.street_suffix().upper()
        return SUFFIXES[word][0] if word in SUFFIXES else word
    words = list(SUFFIXES)
    return SUFFIXES[rng.choices(words, weights=[SUFFIXES[w][1] for w in words])[0]][0]


def _name_pool(rng, fake):
    """Street names: Faker's (a first or last name), common US names and ordinals; the
    common ones recur across towns."""
    pool = [fake.street_name().upper().rsplit(" ", 1)[0] for _ in range(900)]
    pool = sorted({name for name in pool if name.replace("-", "").replace("'", "").isalpha()})
    rng.shuffle(pool)
    ordinals = [f"{n}{_ordinal_end(n)}" for n in range(1, 21)]
    names = COMMON_NAMES + ordinals + pool
    weights = [12] * len(COMMON_NAMES) + [6] * len(ordinals) + [1] * len(pool)
    return names, weights


def _ordinal_end(n):
    if 10 <= n % 100 <= 20:
        return "TH"
    return {1: "ST", 2: "ND", 3: "RD"}.get(n % 10, "TH")


def _towns(rng, fake, *, towns, zips):
    prefixes = sorted({fake.zipcode()[:3] for _ in range(8)})[:3]
    codes = sorted({f"{rng.choice(prefixes)}{rng.randrange(100):02d}" for _ in range(zips * 2)})
    rng.shuffle(codes)
    codes = codes[:zips]
    names = []
    while len(names) < towns:
        city = fake.city().upper()
        if city not in names:
            names.append(city)
    zips_of = {town: [codes[i]] for i, town in enumerate(names)}
    for code in codes[towns:]:
        zips_of[rng.choice(names)].append(code)
    return zips_of


def build_county(rng, fake, *, parcels, towns, zips):
    """(parcel dicts, zips of each town): streets per ZIP, dense house numbers with gaps, a
    predirectional on some streets, sibling streets (same name, other suffix or direction)."""
    zips_of = _towns(rng, fake, towns=towns, zips=zips)
    names, weights = _name_pool(rng, fake)
    streets = []  # (town, zip, predir, name, suffix)
    seen = set()
    per_zip = max(1, parcels // 25 // zips)
    for town, codes in zips_of.items():
        for code in codes:
            for _ in range(per_zip):
                if streets and streets[-1][0] == town and rng.random() < 0.18:
                    _t, _z, predir, name, suffix = rng.choice(
                        [s for s in streets[-12:] if s[0] == town]
                    )
                    if predir and rng.random() < 0.5:
                        predir = OPPOSITE[predir]  # N OAK ST beside S OAK ST
                    else:
                        suffix = _suffix(rng, fake)  # OAK ST beside OAK AVE
                else:
                    name = rng.choices(names, weights=weights)[0]
                    predir = rng.choice("NSEW") if rng.random() < 0.15 else None
                    suffix = _suffix(rng, fake)
                street = (town, code, predir, name, suffix)
                if (town, predir, name, suffix) not in seen:
                    seen.add((town, predir, name, suffix))
                    streets.append(street)
    result = []
    for town, code, predir, name, suffix in streets:
        number = rng.choice([1, 2, 100, 101, 200, 300, 500, 1000, 1200, 2000, 3100])
        for _ in range(rng.randint(10, 46)):
            number += rng.choice((1, 1, 2, 2, 2, 3, 4, 6, 10))  # gaps: numbers that do not exist
            result.append(
                {
                    "number": number,
                    "predir": predir,
                    "name": name,
                    "suffix": suffix,
                    "town": town,
                    "zip": code,
                    "units": rng.randint(4, 40) if rng.random() < 0.06 else 0,
                }
            )
    for i, parcel in enumerate(result):
        parcel["parcel_id"] = f"HP{i:06d}"
    return result, zips_of


def county_address(parcel):
    parts = [str(parcel["number"]), parcel["predir"], parcel["name"], parcel["suffix"]]
    return " ".join(part for part in parts if part)


# --- People and household records ---------------------------------------------------------------


def _person(rng, fake, surname=None):
    first = (fake.first_name_male() if rng.random() < 0.5 else fake.first_name_female()).upper()
    if rng.random() < 0.12:  # the common given names that have nicknames
        first = rng.choice(list(NICKNAMES))
    return {"first": first, "last": surname or fake.last_name().upper()}


def _email(rng, fake, person):
    first, last = person["first"].lower(), person["last"].lower().replace("'", "")
    user = rng.choice(
        (f"{first}.{last}", f"{first[0]}{last}", f"{first}{last}{rng.randint(1, 99)}",
         f"{last}.{first}{rng.randint(60, 99)}", f"{first}_{last}")
    )  # fmt: skip
    return f"{user}@{fake.free_email_domain()}"


def _phone(rng):
    exchange = f"{rng.randint(2, 9)}{rng.randint(10, 99)}"
    return f"{rng.choice(AREA_CODES)}{exchange}{rng.randint(0, 9999):04d}"


def _record_name(rng, person):
    middle = f" {rng.choice('ABCDEFGHJKLMNPRSTW')}" if rng.random() < 0.2 else ""
    return f"{person['last']}, {person['first']}{middle}"


def build_households(rng, fake, parcels):
    """Household records: most houses one, some two, some none; apartment buildings several.
    Each record keeps its person, for the contacts who are that person."""
    records = []
    for parcel in parcels:
        if parcel["units"]:
            count = sum(rng.random() < 0.7 for _ in range(parcel["units"]))
        else:
            count = rng.choices((0, 1, 2), weights=(15, 78, 7))[0]
        surname = None
        for _ in range(count):
            person = _person(rng, fake, surname if rng.random() < 0.8 else None)
            surname = person["last"] if not parcel["units"] else None
            records.append(
                {
                    "parcel": parcel,
                    "person": person,
                    "customer_name": _record_name(rng, person),
                    "email": _email(rng, fake, person) if rng.random() < 0.35 else None,
                    "mobile": _phone(rng) if rng.random() < 0.45 else None,
                }
            )
    return records


# --- How people write their address -------------------------------------------------------------


def _case(rng, text):
    return rng.choices((text.title(), text.upper(), text.lower()), weights=(70, 20, 10))[0]


def _write_street(rng, parcel, tags, *, allow_errors, drop_suffix_ok, drop_predir_ok):
    number, predir, name, suffix = (parcel["number"], parcel["predir"], parcel["name"],
                                    parcel["suffix"])  # fmt: skip
    words = [str(number)]
    if predir:
        if drop_predir_ok and rng.random() < 0.08:
            tags.append("predir_dropped")
        else:
            words.append(rng.choice((predir, predir, DIRECTIONS[predir], predir + ".")))
    if name[0].isdigit() and rng.random() < 0.35:
        name = ORDINALS[int(name[:-2]) - 1]
        tags.append("ordinal_spelled")
    if allow_errors and len(name) >= 4 and rng.random() < 0.16:
        name = typo(rng, name)
        tags.append("name_typo")
    words.append(name)
    if drop_suffix_ok and rng.random() < 0.07:
        tags.append("suffix_dropped")
    else:
        written = rng.choice(
            [suffix, suffix, ABBREVIATED.get(suffix, suffix), *SUFFIX_VARIANTS.get(suffix, [])]
        )
        if allow_errors and len(written) >= 4 and rng.random() < 0.12:
            written = typo(rng, written)
            tags.append("suffix_typo")
        words.append(written)
    text = _case(rng, " ".join(words))
    if rng.random() < 0.1:
        unit = rng.choice(("Apt {}", "Apt. {}", "#{}", "Unit {}", "APT {}", "Apt #{}"))
        text += rng.choice((" ", ", ")) + unit.format(rng.choice(("4B", "12", "3", "2A", "101")))
        tags.append("unit")
    elif parcel["units"]:
        text += f" Apt {rng.randint(1, parcel['units'])}"
        tags.append("unit")
    if rng.random() < 0.04:
        text = text.replace(" ", "  ", 1) + rng.choice((".", ",", ""))
        tags.append("punctuation")
    return text


def _write_city(rng, town, tags, *, allow_errors, allow_missing):
    if allow_missing and rng.random() < 0.12:
        tags.append("city_missing")
        return ""
    city = town
    for long, short in (("PORT ", "PT "), ("LAKE ", "LK "), ("NORTH ", "N "), ("SOUTH ", "S "),
                        ("EAST ", "E "), ("WEST ", "W "), ("MOUNT ", "MT ")):  # fmt: skip
        if city.startswith(long) and rng.random() < 0.3:
            city = short + city[len(long) :]
            tags.append("city_abbreviated")
    if allow_errors and rng.random() < 0.06:
        city = typo(rng, city)
        tags.append("city_typo")
    return _case(rng, city)


def _write_zip(rng, code, tags, *, allow_errors, city_given):
    """ZIP+4, one digit off or missing; the last two only beside a city (a form with neither is
    rare, and then no one can place the address)."""
    roll = rng.random()
    if roll < 0.08:
        tags.append("zip4")
        return f"{code}-{rng.randint(1, 9999):04d}"
    if allow_errors and city_given and roll < 0.12:
        i = rng.randrange(3, 5)
        digit = str((int(code[i]) + rng.choice((1, -1, 2))) % 10)
        tags.append("zip_off")
        return code[:i] + digit + code[i + 1 :]
    if allow_errors and city_given and roll < 0.14:
        tags.append("zip_missing")
        return ""
    return code


def _write_phone(rng, digits):
    a, b, c = digits[:3], digits[3:6], digits[6:]
    return rng.choice((f"({a}) {b}-{c}", f"{a}-{b}-{c}", f"{a}.{b}.{c}", f"+1 {a} {b} {c}",
                       f"{a}{b}{c}"))  # fmt: skip


def _given(rng, person, tags):
    first = person["first"]
    if first in NICKNAMES and rng.random() < 0.3:
        tags.append("nickname")
        first = rng.choice(NICKNAMES[first])
    return first


def _contact(rng, *, contact_id, person, street, city, code, email, phone, tags):
    first = _given(rng, person, tags)
    fields = {
        "Address": street,
        "City": city,
        "ZIP": code,
        "FirstName": _case(rng, first),
        "LastName": _case(rng, person["last"]),
        "Phone": _write_phone(rng, phone) if phone else None,
    }
    return {
        "contact_id": contact_id,
        "email_address": email.upper() if email and rng.random() < 0.05 else email,
        "phone_number": fields["Phone"],
        "fields": fields,
    }


# --- The set -------------------------------------------------------------------------------------


class _County:
    def __init__(self, parcels, zips_of):
        self.parcels = parcels
        self.zips_of = zips_of
        self.by_address = defaultdict(list)  # (town, number, name) → parcels
        self.numbers = defaultdict(set)  # (town, predir, name, suffix) → numbers
        for parcel in parcels:
            self.by_address[(parcel["town"], parcel["number"], parcel["name"])].append(parcel)
            self.numbers[_street_key(parcel)].add(parcel["number"])

    def siblings(self, parcel):
        """Other parcels with the same number and name in the same town."""
        same = self.by_address[(parcel["town"], parcel["number"], parcel["name"])]
        return [p for p in same if p is not parcel]


def _street_key(parcel):
    return (parcel["town"], parcel["predir"], parcel["name"], parcel["suffix"])


DEFAULT_SEED = 20261203


def generate(*, contacts=20_000, seed=DEFAULT_SEED, parcels=60_000, towns=40, zips=240):
    rng = Random(seed)
    fake = Faker("en_US")
    fake.seed_instance(seed)
    parcel_list, zips_of = build_county(rng, fake, parcels=parcels, towns=towns, zips=zips)
    county = _County(parcel_list, zips_of)
    records = build_households(rng, fake, parcel_list)
    by_parcel = defaultdict(list)
    for record in records:
        by_parcel[record["parcel"]["parcel_id"]].append(record)
    rows, truth, cases = [], {}, {}
    used = set()
    for n in range(contacts):
        contact_id = f"hc{n:05d}"
        tags = []
        roll = rng.random()
        if roll < 0.84:
            case, parcel, person, email, phone, written = _resident(
                rng, fake, county, by_parcel, used, tags
            )
        else:
            case, parcel, person, email, phone, written = _negative(
                rng, fake, county, records, roll, tags
            )
        street, city, code = written
        rows.append(
            _contact(rng, contact_id=contact_id, person=person, street=street, city=city,
                     code=code, email=email, phone=phone, tags=tags)
        )  # fmt: skip
        truth[contact_id] = (COUNTY, parcel["parcel_id"]) if parcel else None
        cases[contact_id] = {"case": case, "tags": tags}
    residential = [
        {
            "county": COUNTY,
            "parcel_id": p["parcel_id"],
            "address": county_address(p),
            "parcel_city": p["town"],
            "parcel_zip": p["zip"],
        }
        for p in parcel_list
    ]
    demographic = [
        {
            "county": COUNTY,
            "parcel_id": r["parcel"]["parcel_id"],
            "customer_name": r["customer_name"],
            "email": r["email"],
            "mobile": _write_phone(rng, r["mobile"]) if r["mobile"] else None,
        }
        for r in records
    ]
    return {
        "residential": residential,
        "demographic": demographic,
        "rows": rows,
        "truth": truth,
        "cases": cases,
        "parcels": {p["parcel_id"]: p for p in parcel_list},
        "records": {r["parcel"]["parcel_id"]: r["customer_name"] for r in records},
    }


def _resident(rng, fake, county, by_parcel, used, tags):
    """Someone who lives at a parcel: the household record's person, a family member, someone
    who moved in (the record names the previous occupant), or at a parcel with no record."""
    while True:
        parcel = rng.choice(county.parcels)
        if parcel["parcel_id"] not in used or parcel["units"]:
            break
    used.add(parcel["parcel_id"])
    household = by_parcel[parcel["parcel_id"]]
    email = phone = None
    if household and rng.random() < 0.8:
        record = rng.choice(household)
        if rng.random() < 0.75:
            case, person = "record_person", record["person"]
            email = record["email"] if rng.random() < 0.5 else None
            phone = record["mobile"] if rng.random() < 0.5 else None
        else:
            case, person = "family_member", _person(rng, fake, record["person"]["last"])
    else:
        case = "moved_in" if household else "no_record"
        person = _person(rng, fake)
    email = email or (_email(rng, fake, person) if rng.random() < 0.85 else None)
    phone = phone or (_phone(rng) if rng.random() < 0.4 else None)
    siblings = county.siblings(parcel)
    if siblings:
        tags.append("sibling_same_number")
    allow_errors = rng.random() < 0.55  # the other half write their address right
    street = _write_street(
        rng, parcel, tags, allow_errors=allow_errors,
        drop_suffix_ok=not any(p["predir"] == parcel["predir"] for p in siblings),
        drop_predir_ok=not any(p["suffix"] == parcel["suffix"] for p in siblings),
    )  # fmt: skip
    city = _write_city(rng, parcel["town"], tags, allow_errors=allow_errors, allow_missing=True)
    code = _write_zip(
        rng, parcel["zip"], tags, allow_errors=allow_errors, city_given="city_missing" not in tags
    )
    return case, parcel, person, email, phone, (street, city, code)


def _negative(rng, fake, county, records, roll, tags):
    """Someone who lives at no parcel of the county, written so that a careless matcher would
    link them to one."""
    parcel = rng.choice(county.parcels)
    person = _person(rng, fake)
    written = dict(parcel)
    town, code = parcel["town"], parcel["zip"]
    if roll < 0.88:
        case = "number_missing"  # between or just past the neighbours on a real street
        numbers = county.numbers[_street_key(parcel)]
        gaps = [n for n in range(min(numbers), max(numbers) + 3) if n not in numbers]
        written["number"] = rng.choice(gaps)
    elif roll < 0.91:
        case = "sibling_street"  # the same number on OAK AVE / S OAK ST, which does not exist
        taken = {(p["predir"], p["suffix"]) for p in county.siblings(parcel)}
        taken.add((parcel["predir"], parcel["suffix"]))
        options = [(parcel["predir"], s) for s in ("ST", "AVE", "RD", "DR", "LN", "CT", "PL")]
        if parcel["predir"]:
            options.append((OPPOSITE[parcel["predir"]], parcel["suffix"]))
        written["predir"], written["suffix"] = rng.choice([o for o in options if o not in taken])
        if _street_key(written) in county.numbers:
            tags.append("street_exists")  # with other numbers
    elif roll < 0.94:
        case = "other_town"  # the same street and number, in a town that has no such parcel
        others = [
            t
            for t in county.zips_of
            if t != town and not county.by_address[(t, parcel["number"], parcel["name"])]
        ]
        town = rng.choice(others)
        code = rng.choice(county.zips_of[town])
        written["town"] = town
    elif roll < 0.97:
        case = "name_elsewhere"  # a resident's name, and an address outside the county
        person = dict(rng.choice(records)["person"])
        return case, None, person, None, None, _outside(rng, fake, tags)
    else:
        case = "outside"
        return case, None, person, _email(rng, fake, person), None, _outside(rng, fake, tags)
    street = _write_street(rng, written, tags, allow_errors=False, drop_suffix_ok=False,
                           drop_predir_ok=False)  # fmt: skip
    city = _write_city(rng, town, tags, allow_errors=False, allow_missing=case != "other_town")
    zip_code = _write_zip(rng, code, tags, allow_errors=False, city_given=False)
    email = _email(rng, fake, person) if rng.random() < 0.85 else None
    return case, None, person, email, None, (street, city, zip_code)


def _outside(rng, fake, tags):
    street = _case(rng, fake.street_address().upper())
    return street, _case(rng, fake.city().upper()), fake.zipcode()
