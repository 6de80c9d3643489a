"""A realistic, noisy demo: an EmailOctopus source export, three counties of parcel and household
data, and the ground truth that scores the matcher.

Everything is drawn from one seeded `random.Random` and the clock passed in, so a seed always
gives the same data. The noise is the kind real exports carry (see `Noise`), and a few records
are malformed on purpose (see `Malformed`), so the migration and the matcher are exercised on
what they will meet, not on clean rows.
"""

import logging
import struct
import time
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import timedelta
from random import Random

from tqdm import tqdm

from empowersave import mongodb
from matching.county_index import ensure_county_indexes
from participants.identity import contact_id_for, normalize_phone

DEFAULT_PARTICIPANTS = 20_000  # source documents, one per (campaign, person)
DEFAULT_SEED = 2024
MIN_PARCELS = 600
BATCH_SIZE = 5_000

# In each database the demo writes: {_id: collection name, documents: N, seeded_at}, one per
# collection it filled. Re-seeding replaces only what this records (see `seed`).
MANIFEST_COLLECTION = "demo_manifest"

logger = logging.getLogger(__name__)


class NotDemoData(ValueError):
    """A collection the demo would replace holds documents the demo did not write."""


def default_parcels(participants):
    """Parcels scale with the source: about four per person, so most parcels have no
    participant, as in a real county."""
    return max(MIN_PARCELS, participants)


class Residence:
    """Where a demo person really lives (`residence` in the ground truth)."""

    PARCEL = "parcel"  # at a parcel of the county data
    NEAR_MISS = "near_miss"  # on a street of the county data, at a house number with no parcel
    OUTSIDE = "outside"  # in a town the county data does not cover


class Noise:
    """Kinds of noise in the source rows; each is counted in the seeding summary."""

    CASE = "case"
    WHITESPACE = "whitespace"
    SUFFIX_SPELLED = "suffix_spelled"  # "Street"
    SUFFIX_DOT = "suffix_dot"  # "St."
    SUFFIX_MISSING = "suffix_missing"  # "123 Main"
    DIRECTIONAL_SPELLED = "directional_spelled"  # "North Main St"
    DIRECTIONAL_MISSING = "directional_missing"  # "Main St" for N MAIN ST (ambiguous beside S)
    ORDINAL_SPELLED = "ordinal_spelled"  # "First Ave"
    ORDINAL_MISSPELLED = "ordinal_misspelled"  # "Forth Ave", "Eqeventh St"
    TYPO = "typo"  # a letter dropped, swapped or doubled in the street name
    SUFFIX_TYPO = "suffix_typo"  # "Stteet", "Cerscent"
    UNIT = "unit"  # "Apt 3", "#12", "Unit B"
    FULL_LINE = "full_line"  # "street, city, ST zip" in Address
    ADDRESS_MISSING = "address_missing"
    CITY_TYPO = "city_typo"
    CITY_MISSING = "city_missing"
    CITY_WRONG = "city_wrong"  # a neighbouring town of the same county
    ZIP_MISSING = "zip_missing"
    ZIP_WRONG = "zip_wrong"  # another ZIP of the same county
    ZIP_ONE_DIGIT = "zip_one_digit"  # one digit of the ZIP replaced
    ZIP_PLUS4 = "zip_plus4"
    ZIP_LOST_ZERO = "zip_lost_zero"  # "7102" for 07102
    NUMBER_THOUSANDS = "number_thousands"  # "12,400"
    NUMBER_CURRENCY = "number_currency"  # "$1,234.50"
    NUMBER_NA = "number_na"  # "n/a"
    NUMBER_NATIVE = "number_native"  # 12400 as a number, not a string
    EMAIL_VARIANT = "email_variant"  # case or whitespace variant of the person's email
    PHONE_ONLY = "phone_only"  # no email: the person is keyed by phone
    UNKNOWN_KEY = "unknown_key"  # a custom field the schema does not know
    FIELD_CONFLICT = "field_conflict"  # an earlier campaign holds an older value
    NAME_CASE = "name_case"  # "JANE", " jane "
    # The household record of their parcel names someone else (a previous occupant): set when
    # the household records are built, never forced.
    MOVED = "moved"

    ALL = (
        CASE,
        WHITESPACE,
        SUFFIX_SPELLED,
        SUFFIX_DOT,
        SUFFIX_MISSING,
        DIRECTIONAL_SPELLED,
        DIRECTIONAL_MISSING,
        ORDINAL_SPELLED,
        ORDINAL_MISSPELLED,
        TYPO,
        SUFFIX_TYPO,
        UNIT,
        FULL_LINE,
        ADDRESS_MISSING,
        CITY_TYPO,
        CITY_MISSING,
        CITY_WRONG,
        ZIP_MISSING,
        ZIP_WRONG,
        ZIP_ONE_DIGIT,
        ZIP_PLUS4,
        ZIP_LOST_ZERO,
        NUMBER_THOUSANDS,
        NUMBER_CURRENCY,
        NUMBER_NA,
        NUMBER_NATIVE,
        EMAIL_VARIANT,
        PHONE_ONLY,
        UNKNOWN_KEY,
        FIELD_CONFLICT,
        NAME_CASE,
        MOVED,
    )
    # Noise that only residents of a parcel get, so that the ground truth stays fair: a near
    # miss or an outsider with no street suffix, or no city and no ZIP, cannot be told apart
    # from a real parcel.
    RESIDENT_ONLY = (SUFFIX_MISSING, DIRECTIONAL_MISSING, ADDRESS_MISSING, CITY_MISSING)
    RESIDENT_ONLY += (CITY_WRONG, ZIP_MISSING, ZIP_WRONG, ZIP_ONE_DIGIT)


class Malformed:
    """Broken source rows; each kind appears at least once."""

    NO_CONTACT = "no_contact"  # no email and no phone
    INVALID_EMAIL = "invalid_email"  # an email that is not one, and no phone
    FIELDS_NOT_DICT = "fields_not_dict"
    MISSING_ENGAGEMENT = "missing_engagement"

    ALL = (NO_CONTACT, INVALID_EMAIL, FIELDS_NOT_DICT, MISSING_ENGAGEMENT)
    RATE = 0.004  # of the source documents, per kind


# --- Reference data ----------------------------------------------------------------------------

COUNTIES = (
    {
        "county": "Franklin",
        "state": "OH",
        "weight": 0.42,
        "area_codes": ("614", "380"),
        "house_numbers": (100, 5999),
        "directional_rate": 0.25,
        "utility": "AEP Ohio",
        "streets": ("HIGH", "BROAD", "LIVINGSTON", "PARSONS", "CLEVELAND", "KARL", "MORSE"),
        "cities": (
            ("COLUMBUS", 0.55, ("43201", "43204", "43206", "43211", "43215", "43219", "43223")),
            ("WESTERVILLE", 0.12, ("43081", "43082")),
            ("GROVE CITY", 0.1, ("43123",)),
            ("HILLIARD", 0.09, ("43026",)),
            ("REYNOLDSBURG", 0.08, ("43068",)),
            ("WHITEHALL", 0.06, ("43213",)),
        ),
        "outside": (("Dublin", "43017"), ("Delaware", "43015"), ("Lancaster", "43130")),
    },
    {
        # New Jersey ZIPs start with a zero, which the county's int `parcel_zip` loses (7102).
        "county": "Essex",
        "state": "NJ",
        "weight": 0.3,
        "area_codes": ("973", "862"),
        "house_numbers": (1, 999),
        "directional_rate": 0.05,
        "utility": "PSE&G",
        "streets": ("BLOOMFIELD", "SPRINGFIELD", "CLINTON", "ORANGE", "MOUNT PROSPECT", "FERRY"),
        "cities": (
            ("NEWARK", 0.45, ("07102", "07103", "07104", "07105", "07106", "07107", "07108")),
            ("EAST ORANGE", 0.14, ("07017", "07018")),
            ("BLOOMFIELD", 0.1, ("07003",)),
            ("MONTCLAIR", 0.1, ("07042", "07043")),
            ("IRVINGTON", 0.08, ("07111",)),
            ("WEST ORANGE", 0.07, ("07052",)),
            ("NUTLEY", 0.06, ("07110",)),
        ),
        "outside": (("Paterson", "07501"), ("Clifton", "07011"), ("Jersey City", "07302")),
    },
    {
        "county": "Maricopa",
        "state": "AZ",
        "weight": 0.28,
        "area_codes": ("602", "480", "623"),
        "house_numbers": (1000, 9999),
        "directional_rate": 0.7,
        "utility": "APS",
        "streets": ("CAMELBACK", "INDIAN SCHOOL", "MCDOWELL", "VAN BUREN", "BASELINE", "ELLIOT"),
        "cities": (
            ("PHOENIX", 0.5, ("85003", "85006", "85008", "85013", "85016", "85018", "85021")),
            ("MESA", 0.16, ("85201", "85203", "85204", "85210")),
            ("TEMPE", 0.12, ("85281", "85282", "85283")),
            ("CHANDLER", 0.12, ("85224", "85225", "85226")),
            ("GLENDALE", 0.1, ("85301", "85302", "85304")),
        ),
        "outside": (("Scottsdale", "85251"), ("Gilbert", "85233"), ("Peoria", "85345")),
    },
)

# fmt: off
STREET_NAMES = (
    "MAIN", "OAK", "MAPLE", "ELM", "WASHINGTON", "LINCOLN", "PARK", "LAKE", "HILL", "CEDAR",
    "PINE", "WALNUT", "CHESTNUT", "SPRUCE", "CHURCH", "MILL", "RIVER", "SPRING", "CENTER",
    "JEFFERSON", "FRANKLIN", "MADISON", "ADAMS", "JACKSON", "MONROE", "HARRISON", "GRANT",
    "SUNSET", "RIDGE", "FOREST", "MEADOW", "WILLOW", "BIRCH", "HICKORY", "SYCAMORE", "LAUREL",
    "GARFIELD", "HOLLY", "MAGNOLIA", "ORCHARD", "VALLEY", "HIGHLAND", "FAIRVIEW", "WOODLAND",
    "CHERRY", "DOGWOOD", "ASPEN", "POPLAR", "BEECH", "LOCUST", "PROSPECT", "PLEASANT", "UNION",
    "LIBERTY", "MARKET", "BRIDGE", "WATER", "CANAL", "COLLEGE", "ACADEMY", "SCHOOL", "MEADOWBROOK",
    "BROOKSIDE", "GREENWOOD", "KENSINGTON", "ARLINGTON", "BELMONT", "CAMBRIDGE", "STRATFORD",
    "WINDSOR", "HAMPTON", "LEXINGTON", "CHARLES", "WILLIAM", "GEORGE", "ELIZABETH", "VICTORIA",
    "MARTIN LUTHER KING JR", "OLD STATE", "COUNTRY CLUB", "INDIAN HILLS", "SILVER LAKE",
)
# fmt: on
ORDINALS = (
    ("1ST", "First"), ("2ND", "Second"), ("3RD", "Third"), ("4TH", "Fourth"), ("5TH", "Fifth"),
    ("6TH", "Sixth"), ("7TH", "Seventh"), ("8TH", "Eighth"), ("9TH", "Ninth"), ("10TH", "Tenth"),
    ("11TH", "Eleventh"), ("12TH", "Twelfth"), ("13TH", "Thirteenth"), ("14TH", "Fourteenth"),
    ("15TH", "Fifteenth"), ("16TH", "Sixteenth"), ("17TH", "Seventeenth"),
    ("18TH", "Eighteenth"), ("19TH", "Nineteenth"), ("20TH", "Twentieth"),
)  # fmt: skip
ORDINAL_WORDS = dict(ORDINALS)
SUFFIXES = (
    ("ST", "Street", 22), ("AVE", "Avenue", 20), ("RD", "Road", 12), ("DR", "Drive", 12),
    ("LN", "Lane", 7), ("CT", "Court", 6), ("BLVD", "Boulevard", 4), ("WAY", "Way", 4),
    ("PL", "Place", 4), ("TER", "Terrace", 3), ("CIR", "Circle", 3), ("PKWY", "Parkway", 2),
    ("TRL", "Trail", 1), ("CRES", "Crescent", 1),
)  # fmt: skip
SUFFIX_WORDS = {abbr: word for abbr, word, _ in SUFFIXES}
DIRECTIONALS = {"N": "North", "S": "South", "E": "East", "W": "West"}

# fmt: off
FIRST_NAMES = (
    "James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda", "David",
    "Elizabeth", "William", "Barbara", "Richard", "Susan", "Joseph", "Jessica", "Thomas", "Sarah",
    "Charles", "Karen", "Christopher", "Lisa", "Daniel", "Nancy", "Matthew", "Betty", "Anthony",
    "Margaret", "Mark", "Sandra", "Donald", "Ashley", "Steven", "Kimberly", "Paul", "Emily",
    "Andrew", "Donna", "Joshua", "Michelle", "Kenneth", "Carol", "Kevin", "Amanda", "Brian",
    "Dorothy", "George", "Melissa", "Timothy", "Deborah", "Ronald", "Stephanie", "Edward",
    "Rebecca", "Jason", "Sharon", "Jeffrey", "Laura", "Ryan", "Cynthia", "Jacob", "Kathleen",
    "Gary", "Amy", "Nicholas", "Angela", "Eric", "Shirley", "Jonathan", "Anna", "Stephen",
    "Brenda", "Larry", "Pamela", "Justin", "Emma", "Scott", "Nicole", "Brandon", "Helen",
    "Benjamin", "Samantha", "Samuel", "Katherine", "Gregory", "Christine", "Alexander", "Debra",
    "Patrick", "Rachel", "Frank", "Carolyn", "Raymond", "Janet", "Jack", "Maria", "Dennis",
    "Olivia", "Jerry", "Heather", "Tyler", "Diane", "Aaron", "Julie", "Jose", "Joyce", "Adam",
    "Victoria", "Nathan", "Ruth", "Henry", "Virginia", "Zachary", "Lauren", "Douglas", "Kelly",
    "Peter", "Christina", "Kyle", "Joan", "Noah", "Evelyn", "Ethan", "Judith", "Jeremy", "Andrea",
    "Christian", "Hannah", "Walter", "Megan", "Keith", "Cheryl", "Austin", "Jacqueline", "Roger",
    "Martha", "Terry", "Madison", "Sean", "Teresa", "Gerald", "Gloria", "Carl", "Sara", "Dylan",
    "Janice", "Harold", "Ann", "Jordan", "Kathryn", "Jesse", "Abigail", "Bryan", "Sophia",
    "Lawrence", "Frances", "Arthur", "Jean", "Gabriel", "Alice", "Bruce", "Judy", "Logan",
    "Isabella", "Juan", "Denise", "Luis", "Amber", "Wei", "Mei", "Aisha", "Omar", "Fatima",
    "Priya", "Raj", "Nguyen", "Thanh", "Carlos", "Lucia", "Miguel", "Rosa", "DeShawn", "Keisha",
)
# fmt: on
# fmt: off
LAST_NAMES = (
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez",
    "Martinez", "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor",
    "Moore", "Jackson", "Martin", "Lee", "Perez", "Thompson", "White", "Harris", "Sanchez",
    "Clark", "Ramirez", "Lewis", "Robinson", "Walker", "Young", "Allen", "King", "Wright", "Scott",
    "Torres", "Nguyen", "Hill", "Flores", "Green", "Adams", "Nelson", "Baker", "Hall", "Rivera",
    "Campbell", "Mitchell", "Carter", "Roberts", "Gomez", "Phillips", "Evans", "Turner", "Diaz",
    "Parker", "Cruz", "Edwards", "Collins", "Reyes", "Stewart", "Morris", "Morales", "Murphy",
    "Cook", "Rogers", "Gutierrez", "Ortiz", "Morgan", "Cooper", "Peterson", "Bailey", "Reed",
    "Kelly", "Howard", "Ramos", "Kim", "Cox", "Ward", "Richardson", "Watson", "Brooks", "Chavez",
    "Wood", "James", "Bennett", "Gray", "Mendoza", "Ruiz", "Hughes", "Price", "Alvarez",
    "Castillo", "Sanders", "Patel", "Myers", "Long", "Ross", "Foster", "Jimenez", "Powell",
    "Jenkins", "Perry", "Russell", "Sullivan", "Bell", "Coleman", "Butler", "Henderson", "Barnes",
    "Gonzales", "Fisher", "Vasquez", "Simmons", "Romero", "Jordan", "Patterson", "Alexander",
    "Hamilton", "Graham", "Reynolds", "Griffin", "Wallace", "Moreno", "West", "Cole", "Hayes",
    "Bryant", "Herrera", "Gibson", "Ellis", "Tran", "Medina", "Aguilar", "Stevens", "Murray",
    "Ford", "Castro", "Marshall", "Owens", "Harrison", "Fernandez", "McDonald", "Woods",
    "Washington", "Kennedy", "Wells", "Vargas", "Henry", "Chen", "Freeman", "Webb", "Tucker",
    "Guzman", "Burns", "Crawford", "Olson", "Simpson", "Porter", "Hunter", "Gordon", "Mendez",
    "Silva", "Shaw", "Snyder", "Mason", "Dixon", "Munoz", "Hunt", "Hicks", "Holmes", "Palmer",
    "Wagner", "Black", "Robertson", "Boyd", "Rose", "Stone", "Salazar", "Fox", "Warren", "Mills",
    "Meyer", "Rice", "Schmidt", "Garza", "Daniels", "Ferguson", "Nichols", "Stephens", "Soto",
    "Weaver", "Ryan", "Gardner", "Payne", "Grant", "Dunn", "Kelley", "Spencer", "Hawkins",
    "O'Brien", "Van Dyke", "St. John", "Okafor", "Kowalski", "Nowak", "Yamamoto", "Singh",
)
# fmt: on
EMAIL_DOMAINS = (
    ("gmail.com", 40), ("yahoo.com", 18), ("outlook.com", 8), ("hotmail.com", 9), ("aol.com", 5),
    ("icloud.com", 6), ("comcast.net", 5), ("verizon.net", 3), ("att.net", 3), ("msn.com", 3),
)  # fmt: skip
INVALID_EMAILS = (
    "{first}.{last}@", "{first}.{last} at gmail.com", "{first}@@yahoo.com", "n/a",
    "{first}.{last}@gmail", "none", "{first} {last}@hotmail.com", "@aol.com",
)  # fmt: skip
CAMPAIGN_NAMES = (
    "Heating Assistance", "Energy Savings Kickoff", "Home Energy Audit Invitation",
    "Cooling Cost Tips", "LED Bulb Giveaway", "Weatherization Program Launch",
    "Smart Thermostat Rebate", "Energy Burden Survey", "Community Solar Info Night",
    "Heat Pump Info Session", "Savings Check-in", "Energy Tips Newsletter",
    "Efficiency Challenge", "Bill Assistance Reminder", "Energy Savings Kickoff (resend)",
)  # fmt: skip
CAMPAIGN_COUNT = 14
LISTS = ("Residential Outreach", "Energy Assistance")
UNKNOWN_KEYS = (
    ("HomeType", ("Single family", "Duplex", "Apartment", "Condo", "Mobile home")),
    ("PreferredLanguage", ("English", "Spanish", "Vietnamese", "Arabic")),
    ("HeardFrom", ("Flyer", "Facebook", "Neighbor", "Utility bill insert", "Library")),
    ("Renter", ("yes", "no", "Y", "N")),
)
COMPOUND_HEADS = (
    "OAK", "MAPLE", "CEDAR", "PINE", "WILLOW", "BIRCH", "ASPEN", "HOLLY", "SPRING", "STONE",
    "FOX", "DEER", "EAGLE", "RED", "GREEN", "SILVER", "GOLDEN", "WINDY", "SHADY", "QUAIL",
)  # fmt: skip
COMPOUND_TAILS = (
    "HILL", "GROVE", "RIDGE", "CREEK", "VIEW", "WOOD", "BROOK", "FIELD", "CREST", "HOLLOW",
    "POINT", "GLEN", "RUN", "BEND",
)  # fmt: skip
DWELLING_TYPES = ("Single family", "Single family", "Duplex", "Townhouse", "Mobile home")
UNITS = ("Apt {n}", "#{n}", "Unit {l}", "Apt. {n}{l}", "Ste {n}", ", Apt {n}", "APT {n}")
DOCS_PER_PERSON_WEIGHTS = (18, 17, 15, 13, 11, 9, 7, 5, 3, 2)  # 1..10 campaigns, mean ~3.9


# --- Internal records ----------------------------------------------------------------------------


@dataclass(slots=True)
class Street:
    county: int  # index into COUNTIES
    city: str
    predir: str | None
    name: str
    suffix: str
    numbers: list = field(default_factory=list)


@dataclass(slots=True)
class Parcel:
    county: int
    city: str
    zip: str
    number: int
    street: Street
    parcel_id: str
    residents: list = field(default_factory=list)
    demographic: bool = False


@dataclass(slots=True)
class Person:
    first: str
    last: str
    email: str | None
    phone: str | None
    residence: str
    county: int | None
    parcel: Parcel | None
    address: tuple = ()  # (number, predir, name, suffix, city, zip, state): where they live
    kwh: float = 0.0
    noise: set = field(default_factory=set)


# --- Small helpers --------------------------------------------------------------------------------


def _weighted(rng, pairs):
    """Pick from (value, weight) pairs."""
    values, weights = zip(*pairs, strict=True)
    return rng.choices(values, weights=weights)[0]


def _object_id(rng, at):
    from bson import ObjectId

    return ObjectId(struct.pack(">I", int(at.timestamp())) + rng.getrandbits(64).to_bytes(8, "big"))


def _uuid(rng):
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _typo(rng, word):
    """One keyboard slip in a word: a letter dropped, two swapped, or one doubled."""
    letters = [i for i, char in enumerate(word) if char.isalpha()][1:-1]
    while True:
        i = rng.choice(letters)
        kind = rng.randrange(3)
        if kind == 0:
            slipped = word[:i] + word[i + 1 :]
        elif kind == 1 and word[i + 1].isalpha():
            slipped = word[:i] + word[i + 1] + word[i] + word[i + 2 :]
        else:
            slipped = word[:i] + word[i] + word[i:]
        if slipped != word:
            return slipped


def _parcel_id(rng, county, seen):
    """A parcel id in the county's own format, unique within the county."""
    name = COUNTIES[county]["county"]
    while True:
        if name == "Franklin":  # Franklin, OH: 010-123456-00
            value = f"{rng.randint(10, 610):03d}-{rng.randint(0, 999_999):06d}-00"
        elif name == "Essex":  # Essex, NJ: municipality-block-lot
            value = f"{rng.randint(1, 22):02d}-{rng.randint(1, 9999):05d}-{rng.randint(1, 99):04d}"
        else:  # Maricopa, AZ: book-map-parcel with an optional split letter
            letter = rng.choice("AABCD") if rng.random() < 0.2 else ""
            value = f"{rng.randint(100, 999)}-{rng.randint(1, 99):02d}-{rng.randint(1, 999):03d}"
            value += letter
        if value not in seen:
            seen.add(value)
            return value


def street_label(predir, name, suffix):
    """The county's clean upper-case style: "N HIGH ST"."""
    return " ".join(part for part in (predir, name, suffix) if part)


# --- County data ---------------------------------------------------------------------------------


def _street_names(county_index):
    """Street names a town of the county may use: common names, local ones, numbered streets,
    surnames and compounds such as "OAKWOOD" or "FOX HOLLOW"."""
    surnames = tuple(name.upper() for name in LAST_NAMES if name.isalpha())
    compounds = tuple(
        f"{head}{tail}" if len(head + tail) <= 9 else f"{head} {tail}"
        for head in COMPOUND_HEADS
        for tail in COMPOUND_TAILS
    )
    ordinals = tuple(abbr for abbr, _ in ORDINALS)
    return STREET_NAMES + COUNTIES[county_index]["streets"] + ordinals + surnames + compounds


def _next_street_keys(rng, county_index):
    """(predir, name, suffix) keys for one town, in the order it uses them: most names once,
    some two or three times (MAPLE ST and MAPLE AVE, N and S HIGH ST)."""
    rate = COUNTIES[county_index]["directional_rate"]
    suffixes = [(abbr, weight) for abbr, _word, weight in SUFFIXES]
    names = list(_street_names(county_index))
    rng.shuffle(names)
    for name in names:
        variants = _weighted(rng, ((1, 70), (2, 20), (3, 10)))
        suffix = _weighted(rng, suffixes)
        for _ in range(variants):
            predir = rng.choice(tuple(DIRECTIONALS)) if rng.random() < rate else None
            yield predir, name, suffix
            if rng.random() < 0.5:
                suffix = _weighted(rng, suffixes)


TWIN_STREET_RATE = 0.03  # a town's street that repeats another town's, numbers and all


def _twin(rng, streets, city, used):
    """A street of another town of the county to repeat in this one (the same addresses in two
    towns, such as 2084 FRANKLIN CIR), or None."""
    if not streets or rng.random() >= TWIN_STREET_RATE:
        return None
    twin = rng.choice(streets)
    key = (twin.predir, twin.name, twin.suffix)
    return twin if twin.city != city and key not in used else None


def build_parcels(rng, count):
    """Parcels of three counties, street by street, with gaps in the house numbers; a few
    streets repeat in a second town of the county with the same house numbers."""
    parcels = []
    for county_index, spec in enumerate(COUNTIES):
        seen_ids = set()
        county_streets = []
        county_count = round(count * spec["weight"])
        low, high = spec["house_numbers"]
        for city, weight, zips in spec["cities"]:
            remaining = max(10, round(county_count * weight))
            used = set()
            keys = _next_street_keys(rng, county_index)
            while remaining > 0:
                if twin := _twin(rng, county_streets, city, used):
                    used.add((twin.predir, twin.name, twin.suffix))
                    street = Street(county_index, city, twin.predir, twin.name, twin.suffix)
                    zip_code = rng.choice(zips)
                    for number in twin.numbers[:remaining]:
                        street.numbers.append(number)
                        parcel_id = _parcel_id(rng, county_index, seen_ids)
                        parcels.append(
                            Parcel(county_index, city, zip_code, number, street, parcel_id)
                        )
                    remaining -= len(street.numbers)
                    continue
                key = next(keys, None)
                if key is None:  # a big town: a second round of the same names
                    keys = _next_street_keys(rng, county_index)
                    continue
                if key in used:
                    continue
                used.add(key)
                predir, name, suffix = key
                size = min(remaining, rng.randint(8, 60))
                street = Street(county_index, city, predir, name, suffix)
                county_streets.append(street)
                step = rng.choice((2, 2, 2, 4, 6, 10))
                number = rng.randrange(low, max(low + 1, high - size * step * 2))
                number = max(low, number - number % 2 + rng.randrange(2))  # one side or the other
                split = rng.randrange(size) if len(zips) > 1 and rng.random() < 0.2 else None
                zip_a, zip_b = rng.sample(zips, 2) if split is not None else (rng.choice(zips),) * 2
                for i in range(size):
                    while rng.random() < 0.15:  # a gap: a house number with no parcel
                        number += step
                    street.numbers.append(number)
                    parcels.append(
                        Parcel(
                            county=county_index,
                            city=city,
                            zip=zip_b if split is not None and i >= split else zip_a,
                            number=number,
                            street=street,
                            parcel_id=_parcel_id(rng, county_index, seen_ids),
                        )
                    )
                    number += step
                remaining -= size
    return parcels


def _residential_doc(parcel):
    street = parcel.street
    return {
        "county": COUNTIES[parcel.county]["county"],
        "parcel_id": parcel.parcel_id,
        "address": f"{parcel.number} {street_label(street.predir, street.name, street.suffix)}",
        "parcel_city": parcel.city,
        "parcel_zip": int(parcel.zip),
    }


# --- People --------------------------------------------------------------------------------------


class _Identities:
    """Unique emails and phone numbers for people and household records."""

    def __init__(self, rng):
        self.rng = rng
        self.emails = set()
        self.phones = set()
        self._valid_prefixes = {}  # area code + exchange → valid; phonenumbers is slow

    def email(self, first, last):
        rng = self.rng
        first = first.lower().replace(" ", "")
        last = last.lower().replace(" ", "").replace("'", "").replace(".", "")
        pattern = rng.choice(("{f}.{l}", "{f}{l}", "{i}{l}", "{f}_{l}", "{l}.{f}", "{f}{l}{n}"))
        domain = _weighted(rng, EMAIL_DOMAINS)
        local = pattern.format(f=first, l=last, i=first[0], n=rng.randint(1, 99))
        candidate = f"{local}@{domain}"
        while candidate in self.emails:
            candidate = f"{local}{rng.randint(1, 9999)}@{domain}"
        self.emails.add(candidate)
        return candidate

    def phone(self, county_index):
        rng = self.rng
        area = rng.choice(COUNTIES[county_index]["area_codes"])
        while True:
            digits = f"{area}{rng.randint(200, 999)}{rng.randint(0, 9999):04d}"
            prefix = digits[:6]
            if prefix not in self._valid_prefixes:
                self._valid_prefixes[prefix] = prefix[3:] != "555" and bool(normalize_phone(digits))
            if not self._valid_prefixes[prefix] or digits in self.phones:
                continue
            self.phones.add(digits)
            return digits


def _format_phone(rng, digits):
    return rng.choice(
        (
            f"({digits[:3]}) {digits[3:6]}-{digits[6:]}",
            f"{digits[:3]}-{digits[3:6]}-{digits[6:]}",
            f"{digits[:3]}.{digits[3:6]}.{digits[6:]}",
            f"+1 {digits[:3]} {digits[3:6]} {digits[6:]}",
            digits,
        )
    )


def _near_miss_number(rng, street, taken):
    """A house number on the street that no parcel of that street name in the town has."""
    numbers = street.numbers
    step = max(2, (numbers[-1] - numbers[0]) // max(1, len(numbers) - 1))
    options = [numbers[-1] + step * rng.randint(1, 6), numbers[0] + 1, numbers[-1] + 1]
    options += [n for n in range(numbers[0], numbers[-1], 2) if n not in taken][:5]
    rng.shuffle(options)
    for number in options:
        if number > 0 and number not in taken:
            return number
    return numbers[-1] + 1000


def build_people(rng, *, parcels, count, identities):
    """People of the three counties: most at a parcel, some near misses, some outside."""
    streets = list({id(p.street): p.street for p in parcels}.values())
    taken_by_name = defaultdict(set)  # (county, city, street name) → numbers with a parcel
    for parcel in parcels:
        taken_by_name[(parcel.county, parcel.city, parcel.street.name)].add(parcel.number)
    zips_of_street = defaultdict(list)
    for parcel in parcels:
        zips_of_street[id(parcel.street)].append(parcel.zip)
    free = list(range(len(parcels)))
    rng.shuffle(free)
    people = []
    for index in range(count):
        roll = rng.random()
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        kwh = round(rng.lognormvariate(9.2, 0.35))
        if roll < 0.87 and free:
            residents = [p for p in people[-40:] if p.parcel is not None]
            if residents and rng.random() < 0.04:  # a second person of a household
                parcel = rng.choice(residents).parcel
                last = parcel.residents[0].last
            else:
                parcel = parcels[free.pop()]
            street = parcel.street
            spec = COUNTIES[parcel.county]
            address = (
                parcel.number,
                street.predir,
                street.name,
                street.suffix,
                parcel.city,
                parcel.zip,
                spec["state"],
            )
            person = Person(first, last, None, None, Residence.PARCEL, parcel.county, parcel)
            parcel.residents.append(person)
        elif roll < 0.935:
            street = rng.choice(streets)
            number = _near_miss_number(
                rng, street, taken_by_name[(street.county, street.city, street.name)]
            )
            zip_code = rng.choice(zips_of_street[id(street)])
            address = (
                number,
                street.predir,
                street.name,
                street.suffix,
                street.city,
                zip_code,
                COUNTIES[street.county]["state"],
            )
            person = Person(first, last, None, None, Residence.NEAR_MISS, street.county, None)
        else:
            county_index = rng.randrange(len(COUNTIES))
            spec = COUNTIES[county_index]
            city, zip_code = rng.choice(spec["outside"])
            low, high = spec["house_numbers"]
            name = rng.choice(STREET_NAMES + tuple(abbr for abbr, _ in ORDINALS))
            address = (
                rng.randint(low, high),
                rng.choice(tuple(DIRECTIONALS))
                if rng.random() < spec["directional_rate"]
                else None,
                name,
                _weighted(rng, [(abbr, weight) for abbr, _, weight in SUFFIXES]),
                city.upper(),
                zip_code,
                spec["state"],
            )
            # The county only picks the phone's area code; the ground truth says None.
            person = Person(first, last, None, None, Residence.OUTSIDE, county_index, None)
        person.address = address
        person.kwh = kwh
        phone_only = index % 33 == 5  # one person in 33 gave a phone and no email
        if rng.random() < 0.3 or phone_only:
            person.phone = identities.phone(person.county)
        if not phone_only:
            person.email = identities.email(first, last)
        else:
            person.noise.add(Noise.PHONE_ONLY)
        people.append(person)
    return people


# --- Rendering what a person typed ---------------------------------------------------------------


def _render_street(rng, person, noise, forced):
    number, predir, name, suffix, *_ = person.address
    resident = person.residence == Residence.PARCEL
    parts = [str(number)]
    if predir:
        roll = rng.random()
        if resident and (Noise.DIRECTIONAL_MISSING in forced or roll < 0.06):
            noise.add(Noise.DIRECTIONAL_MISSING)
        elif Noise.DIRECTIONAL_SPELLED in forced or roll < 0.3:
            parts.append(DIRECTIONALS[predir])
            noise.add(Noise.DIRECTIONAL_SPELLED)
        else:
            parts.append(predir + ("." if rng.random() < 0.1 else ""))
    if name in ORDINAL_WORDS:
        roll = rng.random()
        word = ORDINAL_WORDS[name]
        if len(word) >= 6 and (Noise.ORDINAL_MISSPELLED in forced or roll < 0.06):
            parts.append(_typo(rng, word))  # "Forth", "Eqeventh"
            noise.add(Noise.ORDINAL_MISSPELLED)
        elif Noise.ORDINAL_SPELLED in forced or roll < 0.3:
            parts.append(word)
            noise.add(Noise.ORDINAL_SPELLED)
        else:
            parts.append(name)
    else:
        words = name.split()
        longest = max(range(len(words)), key=lambda i: len(words[i]))
        if len(words[longest]) >= 5 and (Noise.TYPO in forced or rng.random() < 0.05):
            words[longest] = _typo(rng, words[longest])
            noise.add(Noise.TYPO)
        parts.append(" ".join(words))
    roll = rng.random()
    if resident and (Noise.SUFFIX_MISSING in forced or roll < 0.03):
        noise.add(Noise.SUFFIX_MISSING)
    elif len(SUFFIX_WORDS[suffix]) >= 5 and (Noise.SUFFIX_TYPO in forced or roll < 0.05):
        parts.append(_typo(rng, SUFFIX_WORDS[suffix]))  # "Stteet", "Cerscent"
        noise.add(Noise.SUFFIX_TYPO)
    elif Noise.SUFFIX_SPELLED in forced or roll < 0.28:
        parts.append(SUFFIX_WORDS[suffix])
        noise.add(Noise.SUFFIX_SPELLED)
    elif Noise.SUFFIX_DOT in forced or roll < 0.38:
        parts.append(suffix + ".")
        noise.add(Noise.SUFFIX_DOT)
    else:
        parts.append(suffix)
    text = " ".join(parts)
    roll = rng.random()
    if Noise.CASE in forced or roll < 0.3:
        text = text.lower() if roll < 0.15 or Noise.CASE in forced else text.upper()
        noise.add(Noise.CASE)
    else:
        text = " ".join(word if word[0].isdigit() else word.capitalize() for word in text.split())
    if Noise.UNIT in forced or rng.random() < 0.08:
        unit = rng.choice(UNITS).format(n=rng.randint(1, 30), l=rng.choice("ABCD"))
        text += unit if unit.startswith(",") else " " + unit
        noise.add(Noise.UNIT)
    return text


def _render_city(rng, person, noise, forced, *, zip_broken):
    city = person.address[4]
    resident = person.residence == Residence.PARCEL
    roll = rng.random()
    if resident and not zip_broken and (Noise.CITY_MISSING in forced or roll < 0.03):
        noise.add(Noise.CITY_MISSING)
        return ""
    if resident and not zip_broken and (Noise.CITY_WRONG in forced or roll < 0.05):
        others = [c for c, _, _ in COUNTIES[person.county]["cities"] if c != city]
        noise.add(Noise.CITY_WRONG)
        city = rng.choice(others)
    elif len(city) >= 6 and (Noise.CITY_TYPO in forced or roll < 0.08):
        noise.add(Noise.CITY_TYPO)
        city = _typo(rng, city)
    return city.title() if rng.random() < 0.8 else city


def _render_zip(rng, person, noise, forced):
    """The ZIP as typed, and whether it is missing or wrong (then the city stays intact)."""
    zip_code = person.address[5]
    city_noise = Noise.CITY_MISSING in forced or Noise.CITY_WRONG in forced
    resident = person.residence == Residence.PARCEL and not city_noise
    roll = rng.random()
    if resident and (Noise.ZIP_MISSING in forced or roll < 0.04):
        noise.add(Noise.ZIP_MISSING)
        return "", True
    if resident and (Noise.ZIP_WRONG in forced or roll < 0.07):
        county_zips = [z for _, _, zips in COUNTIES[person.county]["cities"] for z in zips]
        noise.add(Noise.ZIP_WRONG)
        return rng.choice([z for z in county_zips if z != zip_code]), True
    if resident and (Noise.ZIP_ONE_DIGIT in forced or roll < 0.09):
        noise.add(Noise.ZIP_ONE_DIGIT)
        position = rng.randrange(2, 5)
        digit = rng.choice([d for d in "0123456789" if d != zip_code[position]])
        return zip_code[:position] + digit + zip_code[position + 1 :], True
    if Noise.ZIP_PLUS4 in forced or roll < 0.15:
        noise.add(Noise.ZIP_PLUS4)
        return f"{zip_code}-{rng.randint(1, 9999):04d}", False
    if zip_code.startswith("0") and (Noise.ZIP_LOST_ZERO in forced or roll < 0.45):
        noise.add(Noise.ZIP_LOST_ZERO)
        return zip_code.lstrip("0"), False
    return zip_code, False


def _render_number(rng, value, noise, *, currency):
    roll = rng.random()
    if roll < 0.05:
        noise.add(Noise.NUMBER_NA)
        return rng.choice(("n/a", "N/A", "-", "unknown"))
    if roll < 0.1:
        return ""
    if roll < 0.18:
        noise.add(Noise.NUMBER_NATIVE)
        return round(value, 2) if currency else int(value)
    if currency and roll < 0.6:
        noise.add(Noise.NUMBER_CURRENCY)
        return f"${value:,.2f}"
    if roll < 0.6:
        noise.add(Noise.NUMBER_THOUSANDS)
        return f"{value:,.0f}"
    return f"{value:.2f}" if currency else f"{value:.0f}"


def _render_name(rng, name, noise, forced):
    roll = rng.random()
    if Noise.NAME_CASE in forced or roll < 0.08:
        noise.add(Noise.NAME_CASE)
        return rng.choice((name.upper(), name.lower(), f" {name} ", f"{name}  "))
    return name


def render_fields(rng, person, forced=()):
    """The EmailOctopus custom fields of a person, as their latest export shows them."""
    noise = person.noise
    zip_text, zip_broken = _render_zip(rng, person, noise, forced)
    city = _render_city(rng, person, noise, forced, zip_broken=zip_broken)
    if person.residence == Residence.PARCEL and (
        Noise.ADDRESS_MISSING in forced or rng.random() < 0.004
    ):
        noise.add(Noise.ADDRESS_MISSING)
        address = ""
    else:
        address = _render_street(rng, person, noise, forced)
        if Noise.FULL_LINE in forced or rng.random() < 0.05:
            state = person.address[6]
            address = f"{address}, {person.address[4].title()}, {state} {person.address[5]}"
            noise.add(Noise.FULL_LINE)
        if Noise.WHITESPACE in forced or rng.random() < 0.08:
            address = rng.choice((f"  {address}", f"{address} ", address.replace(" ", "  ", 1)))
            noise.add(Noise.WHITESPACE)
    rate = rng.uniform(0.11, 0.19)
    cost = person.kwh * rate
    fields = {
        "FirstName": _render_name(rng, person.first, noise, forced),
        "LastName": _render_name(rng, person.last, noise, forced),
        "Address": address,
        "City": city,
        "ZIP": zip_text,
        "kWh": _render_number(rng, person.kwh, noise, currency=False),
        "annualcost": _render_number(rng, cost, noise, currency=True),
        "AnnualSavings": _render_number(rng, cost * rng.uniform(0.08, 0.22), noise, currency=True),
    }
    if person.phone and (person.email is None or rng.random() < 0.7):
        fields["Phone"] = _format_phone(rng, person.phone)
    if Noise.UNKNOWN_KEY in forced or rng.random() < 0.06:
        key, values = rng.choice(UNKNOWN_KEYS)
        fields[key] = rng.choice(values)
        noise.add(Noise.UNKNOWN_KEY)
    return fields


def _older_fields(rng, person, fields):
    """What an earlier campaign held before the person's record was corrected."""
    older = dict(fields)
    kind = rng.randrange(4)
    if kind == 0 and fields["City"]:
        older["City"] = _typo(rng, fields["City"]) if len(fields["City"]) >= 6 else ""
    elif kind == 1:
        older["ZIP"] = ""
    elif kind == 2:
        older["Address"] = _render_street(rng, person, set(), ())
    else:
        older["kWh"] = f"{round(person.kwh * rng.uniform(0.8, 1.2)):,}"
    return older


def _email_variant(rng, email):
    return rng.choice((email.upper(), f" {email}", f"{email} ", email.capitalize(), f"{email}\t"))


# --- Campaigns and source documents -----------------------------------------------------------


def build_campaigns(rng, *, now):
    """A dozen-odd campaigns spread over the last eighteen months, oldest first."""
    names = rng.sample(CAMPAIGN_NAMES, CAMPAIGN_COUNT)
    list_ids = [_uuid(rng) for _ in LISTS]
    campaigns = []
    for i, name in enumerate(names):
        sent_at = now - timedelta(days=540 - i * 38 - rng.randint(0, 20), hours=rng.randint(0, 9))
        list_index = 1 if rng.random() < 0.25 else 0
        campaigns.append(
            {
                "_id": _uuid(rng),
                "name": f"{name}, {sent_at:%b %Y}",
                "subject": f"{name}: what it means for your bill",
                "status": "SENT",
                "list_id": list_ids[list_index],
                "list_name": LISTS[list_index],
                "sent_at": sent_at.replace(microsecond=0),
                "synced_at": (sent_at + timedelta(days=rng.randint(3, 14))).replace(microsecond=0),
                "open_rate": rng.uniform(0.22, 0.48),
                "weight": rng.uniform(0.5, 1.5),
            }
        )
    return campaigns


def _engagement(rng, campaign, propensity):
    bounced = rng.random() < 0.018
    opened = not bounced and rng.random() < campaign["open_rate"] * propensity
    clicked = opened and rng.random() < 0.22
    return {
        "opened": opened,
        "clicked": clicked,
        "bounced": bounced,
        "complained": opened and rng.random() < 0.003,
        "unsubscribed": not bounced and rng.random() < (0.03 if opened else 0.004),
    }


def _docs_for_person(rng, person, campaigns, k, forced):
    weights = [c["weight"] for c in campaigns]
    keyed = sorted(range(len(campaigns)), key=lambda i: rng.random() ** (1 / weights[i]))
    chosen = sorted(keyed[-k:])
    fields = render_fields(rng, person, forced)
    eo_contacts = {}
    propensity = rng.uniform(0.4, 1.6)
    unsubscribed = False
    docs = []
    for position, index in enumerate(chosen):
        campaign = campaigns[index]
        latest = position == len(chosen) - 1
        doc_fields = fields
        if not latest and (Noise.FIELD_CONFLICT in forced or rng.random() < 0.2):
            doc_fields = _older_fields(rng, person, fields)
            person.noise.add(Noise.FIELD_CONFLICT)
        doc_fields = dict(doc_fields)
        if rng.random() < 0.06:
            doc_fields.pop(rng.choice(("AnnualSavings", "kWh", "annualcost")), None)
        email = person.email or ""
        if email and (Noise.EMAIL_VARIANT in forced or rng.random() < 0.1):
            email = _email_variant(rng, email)
            person.noise.add(Noise.EMAIL_VARIANT)
        engagement = _engagement(rng, campaign, propensity)
        if unsubscribed:
            engagement = dict.fromkeys(engagement, False)
            status = "UNSUBSCRIBED"
        elif engagement["unsubscribed"]:
            unsubscribed = True
            status = "UNSUBSCRIBED"
        else:
            status = "PENDING" if position == 0 and rng.random() < 0.01 else "SUBSCRIBED"
        synced_at = campaign["synced_at"] + timedelta(seconds=rng.randint(0, 3600))
        list_id = campaign["list_id"]
        if list_id not in eo_contacts:
            eo_contacts[list_id] = _uuid(rng)
        docs.append(
            {
                "_id": _object_id(rng, synced_at),
                "campaign_id": campaign["_id"],
                "contact_id": eo_contacts[list_id],
                "email_address": email,
                "engagement": engagement,
                "fields": doc_fields,
                "status": status,
                "synced_at": synced_at,
            }
        )
    return docs


def _malformed_doc(rng, kind, campaigns, identities):
    """A row with no usable contact: nobody can be keyed from it."""
    campaign = rng.choice(campaigns)
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    if kind == Malformed.NO_CONTACT:
        email = rng.choice(("", None, "   "))
    else:
        email = rng.choice(INVALID_EMAILS).format(first=first.lower(), last=last.lower())
    synced_at = campaign["synced_at"] + timedelta(seconds=rng.randint(0, 3600))
    doc = {
        "_id": _object_id(rng, synced_at),
        "campaign_id": campaign["_id"],
        "contact_id": _uuid(rng),
        "email_address": email,
        "engagement": _engagement(rng, campaign, 1.0),
        "fields": {"FirstName": first, "LastName": last, "City": "", "ZIP": "", "Address": ""},
        "status": "SUBSCRIBED",
        "synced_at": synced_at,
    }
    if email is None:
        del doc["email_address"]
    return doc


def _break_shape(rng, doc, kind):
    if kind == Malformed.FIELDS_NOT_DICT:
        flat = ";".join(f"{k}={v}" for k, v in doc["fields"].items())
        doc["fields"] = rng.choice((flat, [flat], None))
    else:
        del doc["engagement"]


def _docs_per_person(rng, total):
    sizes = []
    while total > 0:
        k = min(total, rng.choices(range(1, 11), weights=DOCS_PER_PERSON_WEIGHTS)[0])
        sizes.append(k)
        total -= k
    return sizes


# --- Household (demographic) records ----------------------------------------------------------


def _customer_name(rng, first, last):
    roll = rng.random()
    if roll < 0.55:
        return f"{last.upper()}, {first.upper()}"
    if roll < 0.65:
        return f"{last.upper()}, {first.upper()} {rng.choice('ABCDEJKLMRST')}"
    return f"{first} {last}"


MOVED_RATE = 0.08  # household records of an occupied parcel that name a previous occupant


def build_demographics(rng, *, parcels, identities):
    """Household records for about three parcels in four, some with the resident's contact."""
    docs = []
    for parcel in parcels:
        if rng.random() >= 0.76:
            continue
        parcel.demographic = True
        spec = COUNTIES[parcel.county]
        email = mobile = None
        if parcel.residents and rng.random() < MOVED_RATE:
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            name = _customer_name(rng, first, last)  # a previous occupant's record
            for resident in parcel.residents:
                resident.noise.add(Noise.MOVED)
        elif parcel.residents:
            resident = rng.choice(parcel.residents)
            first = resident.first if rng.random() < 0.8 else rng.choice(FIRST_NAMES)
            name = _customer_name(rng, first, resident.last)
            roll = rng.random()
            if resident.email and roll < 0.35:
                email = resident.email if rng.random() < 0.8 else resident.email.upper()
            elif roll < 0.45:
                email = identities.email(first, resident.last)
            if resident.phone and rng.random() < 0.4:
                mobile = _format_phone(rng, resident.phone)
        else:
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            name = _customer_name(rng, first, last)
            if rng.random() < 0.35:
                email = identities.email(first, last)
            if rng.random() < 0.3:
                mobile = _format_phone(rng, identities.phone(parcel.county))
        income = round(rng.lognormvariate(10.9, 0.5), -2)
        cost = round(rng.uniform(650, 3400), 2)
        docs.append(
            {
                "county": spec["county"],
                "parcel_id": parcel.parcel_id,
                "customer_name": name,
                "email": email,
                "mobile": mobile,
                "annual_kwh_cost": cost,
                "total_energy_burden": round(min(45.0, 100 * cost / max(income, 8000)), 2),
                "household_income": income,
                "household_size": rng.randint(1, 6),
                "dwelling_type": rng.choice(DWELLING_TYPES),
                "utility": spec["utility"],
            }
        )
    return docs


# --- Seeding -------------------------------------------------------------------------------------


def generate(*, participants, seed, now, parcels=None):
    """All demo collections as lists of documents, plus the summary; writes nothing."""
    rng = Random(seed)
    parcel_count = parcels or default_parcels(participants)
    parcel_list = build_parcels(rng, parcel_count)
    campaigns = build_campaigns(rng, now=now)
    identities = _Identities(rng)

    malformed_only = {
        kind: max(1, round(participants * Malformed.RATE))
        for kind in (Malformed.NO_CONTACT, Malformed.INVALID_EMAIL)
    }
    person_docs = participants - sum(malformed_only.values())
    if person_docs < len(Noise.ALL) * 2:
        raise ValueError(f"--participants must be at least {len(Noise.ALL) * 2 + 2}")
    sizes = _docs_per_person(rng, person_docs)
    people = build_people(rng, parcels=parcel_list, count=len(sizes), identities=identities)

    source = []
    wanted = list(Noise.ALL)  # the first people that can carry a kind get it, so a small demo
    for person, k in zip(people, sizes, strict=True):  # still shows every kind
        kind = next((kind for kind in wanted if _can_carry(person, k, kind)), None)
        if kind:
            wanted.remove(kind)
        source.extend(_docs_for_person(rng, person, campaigns, k, (kind,) if kind else ()))

    # Broken shapes go to people with other, healthy rows (never their latest one).
    shape_breaks = max(1, round(participants * Malformed.RATE))
    multi = [i for i, k in enumerate(sizes) if k >= 3]
    rng.shuffle(multi)
    malformed = Counter()
    offsets = []
    start = 0
    for k in sizes:
        offsets.append(start)
        start += k
    kinds = [Malformed.FIELDS_NOT_DICT, Malformed.MISSING_ENGAGEMENT] * shape_breaks
    for person_index, kind in zip(multi, kinds, strict=False):
        doc = source[offsets[person_index] + rng.randrange(sizes[person_index] - 1)]
        _break_shape(rng, doc, kind)
        malformed[kind] += 1
    for kind, count in malformed_only.items():
        for _ in range(count):
            source.append(_malformed_doc(rng, kind, campaigns, identities))
            malformed[kind] += 1
    source.sort(key=lambda doc: (doc["synced_at"], doc["_id"]))

    demographics = build_demographics(rng, parcels=parcel_list, identities=identities)
    truth = [_truth_doc(person) for person in people]

    noise = Counter()
    for person in people:
        noise.update(person.noise)
    summary = {
        "source_documents": len(source),
        "campaigns": len(campaigns),
        "people": len(people),
        "ground_truth": len(truth),
        "residence": dict(Counter(person.residence for person in people)),
        "phone_only": sum(1 for person in people if person.email is None),
        "parcels": dict(Counter(COUNTIES[p.county]["county"] for p in parcel_list)),
        "demographic_records": len(demographics),
        "people_with_demographic_record": sum(1 for t in truth if t["demographic_parcel_id"]),
        "malformed": {kind: malformed[kind] for kind in Malformed.ALL},
        "noise": {kind: noise[kind] for kind in Noise.ALL},
    }
    return {
        "source": source,
        "campaigns": [_campaign_doc(c) for c in campaigns],
        "residential": [_residential_doc(p) for p in parcel_list],
        "demographic": demographics,
        "ground_truth": truth,
        "summary": summary,
    }


def _can_carry(person, k, kind):
    """Whether a kind of noise can show on this person (forced on the first people)."""
    number, predir, name, suffix, city, zip_code, _state = person.address
    resident = person.residence == Residence.PARCEL
    checks = {
        Noise.FIELD_CONFLICT: k >= 2,
        Noise.EMAIL_VARIANT: bool(person.email),
        Noise.PHONE_ONLY: Noise.PHONE_ONLY in person.noise,
        Noise.ZIP_LOST_ZERO: zip_code.startswith("0"),
        Noise.ORDINAL_SPELLED: name in ORDINAL_WORDS,
        Noise.DIRECTIONAL_SPELLED: bool(predir),
        Noise.DIRECTIONAL_MISSING: bool(predir),
        Noise.TYPO: name not in ORDINAL_WORDS and max(map(len, name.split())) >= 5,
        Noise.CITY_TYPO: len(city) >= 6,
        Noise.ORDINAL_MISSPELLED: len(ORDINAL_WORDS.get(name, "")) >= 6,
        Noise.SUFFIX_TYPO: len(SUFFIX_WORDS[suffix]) >= 5,
        Noise.MOVED: False,
    }
    return checks.get(kind, True) and (resident or kind not in Noise.RESIDENT_ONLY)


def _truth_doc(person):
    parcel = person.parcel
    return {
        "contact_id": contact_id_for(email=person.email, phone=person.phone),
        "county": COUNTIES[person.county]["county"]
        if person.residence != Residence.OUTSIDE
        else None,
        "parcel_id": parcel.parcel_id if parcel else None,
        "demographic_parcel_id": parcel.parcel_id if parcel and parcel.demographic else None,
        "residence": person.residence,
        "noise": sorted(person.noise),
    }


def _campaign_doc(campaign):
    return {key: value for key, value in campaign.items() if key not in ("open_rate", "weight")}


def _manifest(collection):
    return collection.database[MANIFEST_COLLECTION]


def _ensure_demo_owned(collection):
    """Raise NotDemoData unless `collection` is empty or holds exactly what a seed wrote."""
    held = collection.estimated_document_count()
    if not held:
        return
    seeded = _manifest(collection).find_one({"_id": collection.name})
    if seeded is None or seeded["documents"] != held:
        raise NotDemoData(
            f"{collection.database.name}.{collection.name} holds {held:,} documents that "
            "seed_demo_data did not write, and it never drops data it did not create. Seed into "
            "other databases (EMAILOCTOPUS_DB_NAME, COUNTY_DB_NAME) or remove them yourself."
        )


def _replace(collection, docs, *, now, bar):
    """Drop then write in batches, so that re-seeding never mixes two demos; record it."""
    collection.drop()
    for start in range(0, len(docs), BATCH_SIZE):
        batch = docs[start : start + BATCH_SIZE]
        collection.insert_many(batch, ordered=False)
        bar.update(len(batch))
    _manifest(collection).replace_one(
        {"_id": collection.name},
        {"documents": len(docs), "seeded_at": now},
        upsert=True,
    )
    logger.info("wrote %s: %s documents", collection.full_name, f"{len(docs):,}")


def seed(*, participants=DEFAULT_PARTICIPANTS, seed=DEFAULT_SEED, now, parcels=None):
    """Replace the demo source, county and ground-truth collections; return the summary.

    Raises NotDemoData, before writing anything, when one of them holds documents that no seed
    wrote (a user's real data): the demo replaces only what it created. Says what it does as it
    goes: a log line per step (plain lines when stderr is not a terminal) and, on a terminal, a
    progress bar over the documents written.
    """
    started = time.perf_counter()
    targets = {
        "source": mongodb.source_collection(),
        "campaigns": mongodb.source_campaigns_collection(),
        "residential": mongodb.county_residential_collection(),
        "demographic": mongodb.county_demographic_collection(),
        "ground_truth": mongodb.ground_truth_collection(),
    }
    for collection in targets.values():
        _ensure_demo_owned(collection)
    logger.info("generating the demo: %s source documents (seed %s)", f"{participants:,}", seed)
    data = generate(participants=participants, seed=seed, now=now, parcels=parcels)
    generated = time.perf_counter()
    total = sum(len(data[key]) for key in targets)
    logger.info(
        "generated in %.1f s; writing %s documents to %d collections",
        generated - started,
        f"{total:,}",
        len(targets),
    )
    with tqdm(total=total, desc="writing demo data", unit="doc", disable=None) as bar:
        for key, collection in targets.items():
            _replace(collection, data[key], now=now, bar=bar)
    # As a load of county data would: the key a reviewer's parcels and household records are read
    # by, built once here, where the data is written, and not by the first migration, whose every
    # other read the build would hold up (the local store builds an index under its global lock:
    # at full scale 27.6 s of its CPU, during which the source read waited).
    indexing = time.perf_counter()
    ensure_county_indexes()
    logger.info("indexed the county collections in %.1f s", time.perf_counter() - indexing)
    summary = data["summary"]
    summary["seconds_generate"] = round(generated - started, 2)
    summary["seconds"] = round(time.perf_counter() - started, 2)
    return summary
