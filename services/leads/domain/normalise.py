"""Cleaning what a lead arrives with: trimmed names, lower-cased checked emails, ISO 3166 alpha-2 countries."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from shared.errors import InvalidInput

_EMAIL = re.compile(r"^[a-z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9-]{1,63})+$")
# Mailbox providers: their domain says nothing about the lead's company, so it never joins two leads.
FREE_MAIL = frozenset({"gmail.com", "googlemail.com", "yahoo.com", "hotmail.com", "outlook.com", "live.com",
                       "icloud.com", "me.com", "aol.com", "gmx.de", "gmx.net", "web.de", "proton.me",
                       "protonmail.com", "mail.com", "yandex.ru", "orange.fr", "free.fr", "libero.it", "qq.com"})

# Country names and common aliases → ISO 3166-1 alpha-2 (the codes themselves are accepted as they are).
COUNTRY_ALIASES = {
    "united states": "US", "united states of america": "US", "usa": "US", "u.s.": "US", "u.s.a.": "US",
    "america": "US", "united kingdom": "GB", "uk": "GB", "great britain": "GB", "england": "GB",
    "scotland": "GB", "wales": "GB", "britain": "GB", "germany": "DE", "deutschland": "DE", "france": "FR",
    "spain": "ES", "españa": "ES", "espana": "ES", "italy": "IT", "italia": "IT", "netherlands": "NL",
    "the netherlands": "NL", "holland": "NL", "belgium": "BE", "switzerland": "CH", "schweiz": "CH",
    "austria": "AT", "österreich": "AT", "ireland": "IE", "portugal": "PT", "sweden": "SE", "norway": "NO",
    "denmark": "DK", "finland": "FI", "poland": "PL", "czech republic": "CZ", "czechia": "CZ", "canada": "CA",
    "mexico": "MX", "méxico": "MX", "brazil": "BR", "brasil": "BR", "argentina": "AR", "chile": "CL",
    "colombia": "CO", "australia": "AU", "new zealand": "NZ", "japan": "JP", "china": "CN", "india": "IN",
    "singapore": "SG", "south korea": "KR", "korea": "KR", "israel": "IL", "united arab emirates": "AE",
    "uae": "AE", "south africa": "ZA", "turkey": "TR", "türkiye": "TR", "greece": "GR", "hungary": "HU",
    "romania": "RO", "luxembourg": "LU", "hong kong": "HK", "taiwan": "TW", "indonesia": "ID",
    "philippines": "PH", "vietnam": "VN", "thailand": "TH", "malaysia": "MY", "saudi arabia": "SA",
    "egypt": "EG", "nigeria": "NG", "kenya": "KE", "ukraine": "UA", "estonia": "EE", "latvia": "LV",
    "lithuania": "LT", "iceland": "IS", "slovakia": "SK", "slovenia": "SI", "croatia": "HR", "bulgaria": "BG",
}
ISO_CODES = frozenset(COUNTRY_ALIASES.values()) | frozenset({"LI", "MT", "CY", "RS", "PE", "UY", "PK", "BD"})
TEXT_FIELDS = ("company", "title", "phone", "region", "postal_code", "industry", "source", "website")
# One set of limits for every way a lead arrives (JSON API, CSV import, CRM webhooks): the API schema declares
# these same numbers, and they are what the columns hold.
MAX_CHARS = {"email": 254, "name": 300, "first_name": 150, "last_name": 150, "company": 300, "website": 300,
             "title": 200, "phone": 50, "country": 100, "region": 100, "postal_code": 20, "industry": 100,
             "source": 100}
MAX_DOMAIN_CHARS = 253  # RFC 1035
MAX_COUNT = 2**31 - 1  # employee and activity counts (a 32-bit column)


@dataclass(frozen=True)
class LeadFields:
    """A lead's descriptive fields after cleaning (what dedupe, scoring and routing look at)."""

    email: str | None = None
    name: str | None = None
    company: str | None = None
    company_domain: str | None = None
    title: str | None = None
    phone: str | None = None
    country: str | None = None
    region: str | None = None
    postal_code: str | None = None
    industry: str | None = None
    employee_count: int | None = None
    source: str | None = None
    activity_count: int = 0


def clean_text(value: Any, field: str | None = None) -> str | None:
    if value is None:
        return None
    text = " ".join(str(value).split())
    if field is None:
        return text or None
    if len(text) > MAX_CHARS[field]:
        raise InvalidInput(field, f"at most {MAX_CHARS[field]} characters")
    if "\x00" in text:
        raise InvalidInput(field, "must not contain a NUL character")
    return text or None


def normalise_email(value: Any) -> str | None:
    text = clean_text(value, "email")
    if text is None:
        return None
    email = text.lower()
    if len(email) > 254 or not _EMAIL.match(email):
        raise InvalidInput("email", f"'{text}' is not a valid email address")
    return email


def normalise_country(value: Any) -> str | None:
    text = clean_text(value, "country")
    if text is None:
        return None
    if len(text) == 2 and text.upper() in ISO_CODES:
        return text.upper()
    code = COUNTRY_ALIASES.get(text.lower())
    if code is None:
        raise InvalidInput("country", f"'{text}' is not a known country name or ISO 3166 alpha-2 code")
    return code


def _count(value: Any, field: str) -> int | None:
    text = clean_text(value)
    if text is None:
        return None
    if len(text) > 20:  # int() of a long digit string costs quadratic time; no count has 20 digits
        raise InvalidInput(field, f"must be a whole number from 0 to {MAX_COUNT}")
    try:
        number = int(text.replace(",", "").replace("_", ""))
    except ValueError:
        raise InvalidInput(field, f"'{text}' is not a whole number") from None
    if not 0 <= number <= MAX_COUNT:
        raise InvalidInput(field, f"must be a whole number from 0 to {MAX_COUNT}")
    return number


def company_domain(email: str | None, website: str | None) -> str | None:
    """The company's web domain: from the website when given, else from a business email."""
    if website:
        host = re.sub(r"^[a-z]+://", "", website.lower()).split("/")[0].split(":")[0].removeprefix("www.")
        if len(host) > MAX_DOMAIN_CHARS:
            raise InvalidInput("website", f"a domain has at most {MAX_DOMAIN_CHARS} characters")
        return host or None
    if email:
        domain = email.split("@", 1)[1]
        return None if domain in FREE_MAIL else domain
    return None


def normalise_lead(raw: dict[str, Any]) -> LeadFields:
    """Every field cleaned; a lead needs an email, or a name with a company, to be worth anything."""
    email = normalise_email(raw.get("email"))
    text = {k: clean_text(raw.get(k), k) for k in TEXT_FIELDS}
    first, last = clean_text(raw.get("first_name"), "first_name"), clean_text(raw.get("last_name"), "last_name")
    name = clean_text(raw.get("name"), "name") or clean_text(" ".join(filter(None, (first, last))))
    if name and len(name.casefold()) > MAX_CHARS["name"]:  # the dedupe key is the casefolded name (ß → ss)
        raise InvalidInput("name", f"at most {MAX_CHARS['name']} characters, first and last name together")
    if email is None and not (name and text["company"]):
        raise InvalidInput("email", "a lead needs an email, or a name and a company")
    website = text.pop("website")
    return LeadFields(
        email=email, name=name, company_domain=company_domain(email, website),
        country=normalise_country(raw.get("country")),
        employee_count=_count(raw.get("employee_count"), "employee_count"),
        activity_count=_count(raw.get("activity_count"), "activity_count") or 0,
        **{k: v.lower() if k == "source" and v else v for k, v in text.items()},
    )


def name_key(name: str | None) -> str | None:
    """The name as dedupe compares it: case and spacing do not make a different person."""
    return name.casefold() if name else None
