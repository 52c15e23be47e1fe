"""The people of a chunk: CRM customers with their customer records and web accounts, and web-only shoppers.

``Person`` is the latent person the other families simulate (value, preferences, active spans);
``People`` draws them and writes the customers and web_accounts tables. Three planted faults are
drawn here, among the people's own draws, because moving their draws would change every value
after them: the retailer's internal test accounts, customers without a region, and web accounts
whose e-mail address is written differently from the CRM's.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import numpy as np

from . import reference as ref
from . import simulate
from .draws import Draws, cdf
from .faults import tally
from .records import Counters, Customer, IdText, WebAccount
from .simulate import Reference, iso, stamp


@dataclass
class Person:
    customer_id: int  # 0: a web-only shopper, unknown to the CRM
    first_name: str
    last_name: str
    email: str | None
    phone_digits: str | None  # country code + national number
    country: ref.Country
    region: str
    city: str
    customer_type: str
    signup: date
    value: float
    price_sensitivity: float
    preferred_channel: int  # index into ref.CHANNELS
    single_channel: bool
    category_preference: np.ndarray
    is_internal: bool
    web_account_id: int | None = None
    order_days: list[int] = field(default_factory=list)  # organic orders (campaign responses aside)
    # Active spans: (first active day, first day no longer active; None: active at the end of the history).
    spans: list[tuple[int, int | None]] = field(default_factory=list)
    responded_at: list[int] = field(default_factory=list)  # campaign responses so far, seconds since HISTORY_EPOCH

    def __post_init__(self) -> None:
        self.category_cdf = cdf(self.category_preference)

    def is_lapsed(self, day: int) -> bool:
        """Not in an active span on this day, having been in one before (new customers are not lapsed)."""
        spans = self.spans
        if not spans or day < spans[0][0]:
            return False
        for start, end in spans:
            if start <= day and (end is None or day < end):
                return False
        return True


# Fixed choice(p=...) weights as cdfs (see draws.cdf).
_COUNTRY_CDF = cdf([c.share for c in ref.COUNTRIES])
_GENDER_CDF = cdf([0.42, 0.42, 0.06, 0.06, 0.04])
_CATEGORY_ALPHA = np.full(len(ref.CATEGORY_TREE), 0.4)  # Dirichlet prior of a person's category preference


def _format_phone(digits: str, calling_code: str, style: int) -> str:
    national = digits[len(calling_code):]
    if style == 0:
        return f"+{calling_code} {national[:3]} {national[3:6]} {national[6:]}"
    if style == 1:
        return f"00{calling_code}{national}"
    if style == 2:
        return f"+{calling_code}-{national[:3]}-{national[3:6]}-{national[6:]}"
    return f"(+{calling_code}) {national}"


def _mangle_email(rng: Draws, email: str) -> str:
    """Same address, written differently: capitals and stray whitespace."""
    local, domain = email.split("@")
    variant = int(rng.integers(3))
    if variant == 0:
        return f"{local.title()}@{domain.upper()}"
    if variant == 1:
        return f"  {email.upper()} "
    return f"{local.capitalize()}@{domain} "


class People:
    """Draws a chunk's people; writes their customer records and web accounts."""

    def __init__(self, reference: Reference, rng: Draws, ids: Counters, faults: dict[str, int],
                 customers: list[Customer], web_accounts: list[WebAccount]) -> None:
        self.ref, self.rng, self.ids, self.faults = reference, rng, ids, faults
        self.customers, self.web_accounts = customers, web_accounts

    def crm_customers(self, first_customer_id: int, size: int) -> list[Person]:
        """``size`` CRM customers from ``first_customer_id`` on, each with a customer record, some with a web account.

        The internal test accounts and the missing regions (planted faults) are drawn here too.
        """
        rng = self.rng
        n_internal = max(1, round(simulate.FAULT_RATES["internal_accounts"] * size))
        internal = set(rng.choice(size, size=n_internal, replace=False).tolist())
        tally(self.faults, "customers_internal_test_account", n_internal)
        people = [self._person(first_customer_id + i, i in internal) for i in range(size)]
        region_missing = rng.randoms(size) < simulate.FAULT_RATES["region_missing"]
        for p, no_region in zip(people, region_missing):
            customer = self._customer(p)
            if no_region:
                customer.region = None
                tally(self.faults, "customers_region_missing")
            self.customers.append(customer)
            if rng.random() < 0.55 and not p.is_internal:
                self._web_account(p, max(p.signup, ref.HISTORY_START))
        return people

    def web_only_shoppers(self, n: int) -> list[Person]:
        """``n`` people registered in the web shop only, never entered into the CRM master."""
        rng = self.rng
        shoppers = []
        for _ in range(n):
            q = self._person(0, False)
            q.single_channel, q.preferred_channel = True, 1 + int(rng.random() < 0.4)  # web or app
            q.web_account_id = self._web_account(None, max(q.signup, ref.HISTORY_START)).web_account_id
            shoppers.append(q)
        return shoppers

    def _person(self, customer_id: int, is_internal: bool) -> Person:
        rng = self.rng
        country = ref.COUNTRIES[bisect_right(_COUNTRY_CDF, rng.random())]
        region, city = country.regions[int(rng.integers(len(country.regions)))]
        first = ref.FIRST_NAMES[int(rng.integers(len(ref.FIRST_NAMES)))]
        last = ref.LAST_NAMES[int(rng.integers(len(ref.LAST_NAMES)))]
        domain = ref.EMAIL_DOMAINS[int(rng.integers(len(ref.EMAIL_DOMAINS)))]
        if is_internal:
            first, domain = "Test", ref.INTERNAL_EMAIL_DOMAIN
        email = f"{first.lower()}.{last.lower()}{customer_id}@{domain}" if rng.random() > 0.04 or is_internal else None
        phone: str | None = f"{country.calling_code}{int(rng.integers(200, 999))}{int(rng.integers(1000000, 9999999))}"
        if rng.random() < 0.04 and email is not None:
            phone = None
        if rng.random() < 0.25:  # the existing customer base at the start of the history
            signup = ref.HISTORY_START - timedelta(days=int(rng.integers(1, 1500)))
        else:
            signup = self.ref.days[bisect_right(self.ref.signup_cdf, rng.random())]
        is_business = rng.random() < 0.08
        value = float(rng.lognormal(0.0, 1.0)) * (2.5 if is_business else 1.0)
        preferred = bisect_right(self.ref.channel_cdfs[max(0, (signup - ref.HISTORY_START).days)], rng.random())
        if is_business and rng.random() < 0.6:
            preferred = 4  # field sales
        return Person(
            customer_id=customer_id, first_name=first, last_name=last, email=email, phone_digits=phone,
            country=country, region=region, city=city,
            customer_type="business" if is_business else "individual", signup=signup, value=value,
            price_sensitivity=float(rng.beta(2, 5)), preferred_channel=preferred,
            single_channel=rng.random() < 0.4,
            category_preference=rng.dirichlet(_CATEGORY_ALPHA),
            is_internal=is_internal,
        )

    def _customer(self, p: Person) -> Customer:
        rng = self.rng
        birth = date(1950, 1, 1) + timedelta(days=int(rng.integers(0, 365 * 55)))
        updated = datetime.combine(max(p.signup, ref.HISTORY_START), datetime.min.time()) + timedelta(
            days=int(rng.integers(0, 400)), seconds=int(rng.integers(0, 86400)))
        gender = ("female", "male", "F", "M", None)[bisect_right(_GENDER_CDF, rng.random())]
        # Businesses have no birth date, income, education or marital status; individuals no industry.
        birth_date = income_band = education = marital_status = industry = None
        if p.customer_type == "business":
            industry = ref.INDUSTRIES[int(rng.integers(len(ref.INDUSTRIES)))]
        else:
            birth_date = iso(birth)
            income_band = ref.INCOME_BANDS[int(rng.integers(len(ref.INCOME_BANDS)))]
            education = ref.EDUCATION_LEVELS[int(rng.integers(len(ref.EDUCATION_LEVELS)))]
            marital_status = ref.MARITAL_STATUSES[int(rng.integers(len(ref.MARITAL_STATUSES)))]
        return Customer(
            customer_id=p.customer_id, first_name=p.first_name, last_name=p.last_name, email=p.email,
            phone=_format_phone(p.phone_digits, p.country.calling_code, 0) if p.phone_digits else None,
            gender=gender, birth_date=birth_date, income_band=income_band, education=education,
            marital_status=marital_status, city=p.city, region=p.region, country_code=p.country.code,
            customer_type=p.customer_type, industry=industry, signup_date=iso(p.signup),
            signup_channel=ref.CHANNELS[p.preferred_channel].code,
            updated_at=stamp(min(updated, datetime(2025, 12, 31, 23, 0))),
        )

    def _web_account(self, p: Person | None, registered: date) -> WebAccount:
        """A web-shop registration, for a known customer (p) or for a web-only person; writes and returns it."""
        rng = self.rng
        self.ids.web_account_id += 1
        account_id = self.ids.web_account_id
        email: str | IdText | None
        if p is None:
            # The account's name and country are those of another person drawn here, not the shopper's.
            q = self._person(0, False)
            email = IdText(f"{q.first_name.lower()}.{q.last_name.lower()}.w", account_id, f"@{ref.EMAIL_DOMAINS[0]}")
            phone = None
            if q.phone_digits:
                phone = _format_phone(q.phone_digits, q.country.calling_code, int(rng.integers(4)))
            first, last, country = q.first_name, q.last_name, q.country.code
        else:
            p.web_account_id = account_id
            roll = rng.random()
            email = p.email
            if p.email is not None and roll < 0.40:
                email = _mangle_email(rng, p.email)
                tally(self.faults, "identity_email_variant")
            elif p.email is None or roll > 0.92:
                # A different address altogether: only the phone can match this account.
                email = IdText(p.first_name.lower(), account_id, f"@{ref.EMAIL_DOMAINS[-1]}")
            phone = None
            if p.phone_digits:
                phone = _format_phone(p.phone_digits, p.country.calling_code, int(rng.integers(1, 4)))
            first, last, country = p.first_name, p.last_name, p.country.code
        registered_at = datetime.combine(registered, datetime.min.time()) + timedelta(
            seconds=int(rng.integers(0, 86400)))
        last_login = min(registered_at + timedelta(days=int(rng.integers(0, 900))), datetime(2025, 12, 31, 22, 0))
        account = WebAccount(
            web_account_id=account_id, email=email, phone=phone, first_name=first, last_name=last,
            country_code=country, registered_at=stamp(registered_at), last_login_at=stamp(last_login),
        )
        self.web_accounts.append(account)
        return account
