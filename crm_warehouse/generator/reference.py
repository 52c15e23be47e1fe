"""Static reference data for the generated retailer: catalogue, channels, stores, geography.

Everything here is plain data so that the simulation in ``simulate.py`` stays readable and
an analyst can see at a glance what the fictional business looks like.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

REPORTING_CURRENCY = "USD"
HISTORY_START = date(2022, 1, 1)
HISTORY_END = date(2025, 12, 31)


@dataclass(frozen=True)
class Country:
    code: str
    currency: str
    calling_code: str
    share: float  # share of the customer base
    regions: tuple[tuple[str, str], ...]  # (region, city)
    usd_rate: float  # 1 unit of the currency in USD at the start of the history


COUNTRIES: tuple[Country, ...] = (
    Country("US", "USD", "1", 0.40, (("West", "Seattle"), ("West", "San Diego"), ("East", "Boston"),
                                      ("East", "New York"), ("South", "Austin"), ("Midwest", "Chicago")), 1.0),
    Country("GB", "GBP", "44", 0.15, (("London", "London"), ("North", "Manchester"), ("Scotland", "Glasgow")), 1.35),
    Country("DE", "EUR", "49", 0.15, (("Bavaria", "Munich"), ("Berlin", "Berlin"), ("Hesse", "Frankfurt")), 1.13),
    Country("FR", "EUR", "33", 0.10, (("Ile-de-France", "Paris"), ("Auvergne-Rhone-Alpes", "Lyon")), 1.13),
    Country("CN", "CNY", "86", 0.20, (("East", "Shanghai"), ("North", "Beijing"), ("South", "Shenzhen")), 0.157),
)

FIRST_NAMES = (
    "James", "Mary", "John", "Patricia", "Robert", "Jennifer", "Michael", "Linda", "David", "Elizabeth",
    "William", "Susan", "Oliver", "Amelia", "Harry", "Isla", "Lukas", "Mia", "Felix", "Emma", "Louis",
    "Chloe", "Hugo", "Lea", "Wei", "Fang", "Jun", "Li", "Min", "Xiu", "Hao", "Yan", "Sofia", "Noah",
    "Lena", "Paul", "Anna", "Jack", "Grace", "Leo",
)
LAST_NAMES = (
    "Smith", "Johnson", "Brown", "Garcia", "Miller", "Davis", "Wilson", "Taylor", "Clarke", "Walker",
    "Wright", "Mueller", "Schmidt", "Schneider", "Fischer", "Weber", "Martin", "Bernard", "Dubois",
    "Laurent", "Wang", "Li", "Zhang", "Liu", "Chen", "Yang", "Huang", "Zhao", "Wu", "Zhou",
)
EMAIL_DOMAINS = ("mail.com", "inbox.net", "post.org", "webmail.cn", "example.co.uk", "posteo.de")
# Accounts on this domain are the retailer's own test accounts (see the internal_email_domains var).
INTERNAL_EMAIL_DOMAIN = "test.crm-retail.internal"

INCOME_BANDS = ("low", "lower_middle", "middle", "upper_middle", "high")
EDUCATION_LEVELS = ("secondary", "vocational", "bachelor", "master", "doctorate")
MARITAL_STATUSES = ("single", "married", "divorced", "widowed")
INDUSTRIES = ("retail", "hospitality", "education", "healthcare", "construction", "technology")


@dataclass(frozen=True)
class Channel:
    channel_id: int
    code: str
    name: str
    channel_type: str
    is_online: bool
    # (weight at the start of the history, weight at its end): the mix shifts online over time
    weight_start: float
    weight_end: float
    spellings: tuple[str, ...]  # how the order system writes this channel besides its code


CHANNELS: tuple[Channel, ...] = (
    Channel(1, "store", "Retail store", "store", False, 0.52, 0.33, ("Store", "STORE", "retail store", "in-store")),
    Channel(2, "web", "Web shop", "web", True, 0.24, 0.30, ("Web", "WEB", "online", "website")),
    Channel(3, "app", "Mobile app", "app", True, 0.06, 0.22, ("App", "mobile app", "MOBILE")),
    Channel(4, "call_centre", "Call centre", "call_centre", False, 0.08, 0.05, ("Call Center", "call-centre", "phone")),
    Channel(5, "field_sales", "Field sales", "field_sales", False, 0.06, 0.06, ("Field Sales", "field")),
    Channel(6, "partner", "Partner marketplace", "partner", True, 0.04, 0.04, ("Partner", "marketplace")),
)

ORDER_STATUSES: dict[str, tuple[str, ...]] = {
    "completed": ("Completed", "COMPLETE", "complete", "done", "completed "),
    "returned": ("Returned", "RETURNED", "return"),
    "cancelled": ("Cancelled", "canceled", "CANCELED", "cancel"),
}

# (department, category, brands, price range in USD, margin range)
CATEGORY_TREE: tuple[tuple[str, str, tuple[str, ...], tuple[float, float], tuple[float, float]], ...] = (
    ("Electronics", "Phones", ("Nova", "Orbit"), (199, 999), (0.10, 0.25)),
    ("Electronics", "Phone accessories", ("Nova", "Kable"), (9, 59), (0.45, 0.65)),
    ("Electronics", "Laptops", ("Orbit", "Lumen"), (499, 1999), (0.08, 0.20)),
    ("Electronics", "Laptop accessories", ("Kable", "Lumen"), (15, 129), (0.40, 0.60)),
    ("Electronics", "Audio", ("Echo", "Nova"), (29, 399), (0.30, 0.50)),
    ("Home", "Kitchen", ("Hearth", "Casa"), (12, 249), (0.30, 0.50)),
    ("Home", "Furniture", ("Casa", "Oak&Co"), (59, 899), (0.25, 0.45)),
    ("Home", "Decor", ("Casa", "Lumina"), (8, 120), (0.45, 0.65)),
    ("Fashion", "Shoes", ("Stride", "Peak"), (39, 220), (0.40, 0.60)),
    ("Fashion", "Apparel", ("Peak", "Thread"), (12, 180), (0.45, 0.65)),
    ("Fashion", "Bags", ("Thread", "Carry"), (25, 320), (0.45, 0.60)),
    ("Sports", "Fitness", ("Peak", "Pulse"), (15, 650), (0.30, 0.50)),
    ("Sports", "Outdoor", ("Summit", "Pulse"), (20, 480), (0.30, 0.50)),
    ("Grocery", "Coffee & tea", ("Bean", "Leaf"), (5, 45), (0.20, 0.35)),
    ("Grocery", "Snacks", ("Crunch", "Leaf"), (2, 20), (0.20, 0.35)),
)

# Categories whose products are bought with a product of a partner category more often than
# chance: a phone with a case, a laptop with a bag, coffee with snacks.
AFFINITY_CATEGORY_PAIRS: tuple[tuple[str, str], ...] = (
    ("Phones", "Phone accessories"),
    ("Laptops", "Laptop accessories"),
    ("Laptops", "Bags"),
    ("Shoes", "Apparel"),
    ("Coffee & tea", "Snacks"),
    ("Fitness", "Apparel"),
)

TICKET_CATEGORIES = ("inquiry", "complaint", "repair", "return")
TICKET_PRIORITIES = ("low", "medium", "high", "urgent")
CAMPAIGN_TYPES = ("email", "sms", "direct_mail", "social", "loyalty_event", "telemarketing")
TARGET_SEGMENTS = ("all", "new", "loyal", "at_risk", "lapsed", "high_value")
REP_TEAMS = ("Enterprise", "SMB", "Key accounts", "Inside sales")
OPPORTUNITY_STAGES = ("prospecting", "qualification", "proposal", "negotiation")
LEAD_STATUSES = ("new", "contacted", "qualified", "unqualified", "converted")


def fixed_holidays(year: int) -> list[tuple[date, str, str]]:
    """Public holidays of each country for one year: (date, name, country)."""
    out: list[tuple[date, str, str]] = []
    for country in ("US", "GB", "DE", "FR"):
        out.append((date(year, 1, 1), "New Year's Day", country))
        out.append((date(year, 12, 25), "Christmas Day", country))
    out.append((date(year, 12, 26), "Boxing Day", "GB"))
    out.append((date(year, 12, 26), "Second Christmas Day", "DE"))
    out.append((date(year, 7, 4), "Independence Day", "US"))
    out.append((thanksgiving(year), "Thanksgiving", "US"))
    out.append((date(year, 10, 3), "German Unity Day", "DE"))
    out.append((date(year, 7, 14), "Bastille Day", "FR"))
    out.append((date(year, 5, 1), "Labour Day", "FR"))
    out.append((date(year, 5, 1), "Labour Day", "DE"))
    out.append((date(year, 5, 1), "Labour Day", "CN"))
    for offset in range(3):
        out.append((date(year, 10, 1 + offset), "National Day", "CN"))
    out.append((date(year, 1, 1), "New Year's Day", "CN"))
    return sorted(out)


def thanksgiving(year: int) -> date:
    """Fourth Thursday of November."""
    first = date(year, 11, 1)
    first_thursday = 1 + (3 - first.weekday()) % 7
    return date(year, 11, first_thursday + 21)
