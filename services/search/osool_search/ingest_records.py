"""Listing exports into ListingIn: reading JSON and CSV files, mapping their field names and value formats onto the
canonical fields, and a short human reason for every record that cannot be used.

Decisions where exports are ambiguous:
- Field names are compared case- and separator-insensitively ("priceEGP", "Price (EGP)", "price_egp" are one name);
  unknown fields are ignored, so an export may carry columns we do not store. Arabic headers as Egyptian brokerages
  write them (العنوان, النوع, المنطقة, السعر, المساحة, عدد الغرف, التشطيب, الاستلام, ...) are names like any other,
  compared with hamza, ta marbuta, alef maqsura, tatweel, diacritics and direction marks folded away.
- `area` is the size when its value is a number (with or without a unit: 150, "150 m²"), as Egyptian exports mostly
  mean it, and the location when it is text ("New Cairo"). An explicit size field (size, bua, sqm, ...) wins over it.
- Location: among location-like fields (location, district, neighbourhood, area, region, city) the first that names a
  gazetteer area or compound wins, most specific field first; governorates ("Cairo", "Giza") only when nothing else
  is given, and then a region of the gazetteer is filed under its name ("الجيزة", "Giza Governorate": "Giza"), which a
  search in the region matches. A value may name several places ("Mivida, New Cairo", "التجمع الخامس - القاهرة").
  Unknown places are kept as given (title-cased when written all in one case).
- A known compound fills in a missing location (its area) and a missing developer, from the gazetteer.
- Down payment: "10%" and 10 are ten per cent; a bare number strictly between 0 and 1 (0.1) is a fraction, as
  spreadsheets store percentages. A bare 1 is one per cent: "1% down" offers are common; full payment is cash.
- Prices: "8,500,000", "EGP 8.5M", "850K", "8.5 مليون", "٤ مليون و ٨٠٠ ألف", "٣ مليون ونص", "3,200,000 جنيه" and
  Arabic-Indic digits with the Arabic thousands and decimal separators (U+066C, U+066B) are understood; for sizes
  "m" and "م" are metres.
- Delivery: a year anywhere in the text ("Q3 2027", "ديسمبر ٢٠٢٦") is the delivery year; "RTM", "ready to move",
  "استلام فوري", "جاهز", "تم الاستلام" and the like mean delivered, with no year.
- Floors: 0 is the ground floor ("G", "GF", "أرضي"), -1 a basement or lower ground ("B", "LG", "بدروم"); numbers, "3rd",
  "third floor", "الدور التالت", "الطابق الثالث", "دور ٣" are read. A floor that names no number ("roof", "typical",
  "الأخير", "ميزانين") is absent, not an error: the listing is still good, its floor unknown.
- Source ids keep their text but not their digit script: "١٢٣" is "123", so the listing answers at /source/123.
- Values are converted where they can be; a value that cannot be read is passed on as given, so the reason names the
  field and shows the value ("price: not a number ('call us')").
- Empty strings, "-", "N/A" and null mean the field is absent (its default applies, or it is reported as required).
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import math
import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, NamedTuple

from pydantic import ValidationError

from osool_common.errors import DomainError
from osool_search.gazetteer import (
    AR_ORDINALS,
    AREA_SPELLINGS,
    AREAS,
    DEVELOPERS,
    EN_ORDINALS,
    FINISHINGS,
    HOUSE_TYPES,
    PROPERTY_TYPES,
    REGIONS,
    SALE_TYPE_PHRASES,
    area_of_compound,
)
from osool_search.listing import ListingIn
from osool_search.normalise import fold_letters


class IngestFileError(DomainError):
    """The file as a whole cannot be read (not JSON or CSV, no listings in it); no record of it was used."""

    status_code = 422
    code = "invalid_file"


class RawRecord(NamedTuple):
    """One record as found in the file, before any mapping; unpacks as (position, data)."""

    # Where to find it: the record's number in a JSON list (from 1), or the line a CSV row starts on, which is the
    # row number a spreadsheet shows (the header is row 1).
    position: int
    data: Any  # a dict for any sensible file; anything else is rejected by validate_record


@dataclass(frozen=True)
class Rejection:
    position: int
    source_id: str | None
    reason: str


# ---- Reading files -------------------------------------------------------------------------------------------------

_JSON_WRAPPERS = ("properties", "listings", "data", "items", "results", "records", "units")
_DELIMITERS = ",;\t|"
# Marks a CSV row that had more cells than its header: its columns are shifted and no field of it can be trusted.
_EXTRA_CELLS = "\x00extra_cells"


def read_records(data: bytes, filename_or_format: str) -> Iterator[RawRecord]:
    """The records of a JSON or CSV export. The file's structure is checked before this returns, so a file that is
    not JSON or CSV at all raises IngestFileError here; records are then produced one by one."""
    text = _decode(data)
    fmt = _format_of(filename_or_format, text)
    if fmt == "json":
        return _json_records(text)
    return _csv_records(text)


def _format_of(filename_or_format: str, text: str) -> str:
    name = filename_or_format.strip().lower()
    if name.endswith("json"):  # "json", "export.json", "application/json"
        return "json"
    if name.endswith(("csv", "tsv")):
        return "csv"
    # An unknown name or extension (".txt", an upload without one): the content decides.
    return "json" if text.lstrip()[:1] in ("[", "{") else "csv"


def _decode(data: bytes) -> str:
    if not data.strip():
        raise IngestFileError("the file is empty")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16")  # Excel's "Unicode text" export
    if data.startswith(b"PK\x03\x04"):
        raise IngestFileError("this is an Excel workbook (or another zip file): save it as CSV (UTF-8) and upload that")
    if b"\x00" in data[:8192]:
        raise IngestFileError("this is a binary file, not JSON or CSV text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        # Excel on an Arabic Windows saves "CSV" in Windows-1256 without asking; accept it when it decodes to text.
        try:
            text = data.decode("cp1256")
        except UnicodeDecodeError:
            text = ""
        if text and not re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", text):
            return text
        raise IngestFileError(f"the file is not UTF-8 text (bad byte at offset {exc.start})") from None


def _json_records(text: str) -> Iterator[RawRecord]:
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise IngestFileError(f"not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from None
    except RecursionError:
        raise IngestFileError("not valid JSON: nested too deeply") from None
    items = _json_list(document)
    return (RawRecord(position, item) for position, item in enumerate(items, start=1))


def _json_list(document: Any, depth: int = 0) -> list[Any]:
    if isinstance(document, list):
        return document
    if isinstance(document, dict):
        keys = {str(k).casefold(): k for k in document}
        for wrapper in _JSON_WRAPPERS:
            if wrapper in keys:
                inner = document[keys[wrapper]]
                if isinstance(inner, list):
                    return inner
                if isinstance(inner, dict) and depth == 0:  # {"data": {"items": [...]}}
                    return _json_list(inner, depth + 1)
        raise IngestFileError(
            "the JSON object holds no list of listings: expected a top-level list, or an object with a "
            "'properties', 'listings', 'data' or 'items' list"
        )
    kind = "null" if document is None else type(document).__name__
    raise IngestFileError(f"the JSON document is a single {kind}: expected a list of listings")


def _csv_records(text: str) -> Iterator[RawRecord]:
    delimiter = _sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header: list[str] = []
    for header in reader:
        if any(cell.strip() for cell in header):
            break
    names = _unique_names(header)
    recognised = [name for name in names if _key(name) in _FIELD_OF_KEY or _key(name) in _SPECIAL_KEYS]
    if not recognised:
        raise IngestFileError(
            f"no listing column found in the CSV header ({', '.join(names[:8]) or 'empty'}): expected columns such as "
            "title, type, location, price, size"
        )
    return _csv_rows(reader, names)


def _csv_rows(reader: Any, names: list[str]) -> Iterator[RawRecord]:
    last_line = reader.line_num
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            # A broken quote or an oversized field: everything after it is misaligned, so the file stops here.
            raise IngestFileError(f"the CSV breaks near line {reader.line_num}: {exc}") from None
        start, last_line = last_line + 1, reader.line_num
        if not any(cell.strip() for cell in row):
            continue  # blank lines and the ";;;;" rows spreadsheets leave at the end
        record: dict[str, Any] = dict(zip(names, row, strict=False))
        if len(row) > len(names) and any(cell.strip() for cell in row[len(names) :]):
            record[_EXTRA_CELLS] = len(row)
        yield RawRecord(start, record)


def _sniff_delimiter(text: str) -> str:
    sample = text[:65536]
    if len(text) > len(sample) and "\n" in sample:
        sample = sample[: sample.rindex("\n")]  # a cut line would look like an inconsistent row
    lines = [line for line in sample.splitlines() if line.strip()][:50]
    if not lines:
        raise IngestFileError("the CSV has no header row")
    try:
        sniffed: str | None = csv.Sniffer().sniff("\n".join(lines), delimiters=_DELIMITERS).delimiter
    except csv.Error:
        sniffed = None
    # The Sniffer is easily fooled by descriptions full of commas; keep its answer only when the rows agree with the
    # header under it, else take the delimiter under which they agree best.
    scores = {d: _delimiter_score(lines, d) for d in _DELIMITERS}
    best = max(_DELIMITERS, key=lambda d: scores[d])
    choice = sniffed if sniffed is not None and scores[sniffed] >= scores[best] else best
    if scores[choice][1] < 2:
        raise IngestFileError("not a CSV table: no comma, semicolon or tab separates the header into columns")
    return choice


def _delimiter_score(lines: list[str], delimiter: str) -> tuple[float, int]:
    rows = list(csv.reader(io.StringIO("\n".join(lines), newline=""), delimiter=delimiter))
    if not rows:
        return (0.0, 0)
    width = len(rows[0])
    if width < 2:
        return (0.0, width)
    agreeing = sum(1 for row in rows[1:] if len(row) == width)
    return (agreeing / max(1, len(rows) - 1) if len(rows) > 1 else 1.0, width)


def _unique_names(header: list[str]) -> list[str]:
    names: list[str] = []
    seen: set[str] = set()
    for position, cell in enumerate(header, start=1):
        name = cell.strip() or f"column {position}"
        while name in seen:
            name += " (again)"  # a repeated header keeps its first column's meaning; the copy maps to nothing
        seen.add(name)
        names.append(name)
    return names


# ---- Field names -------------------------------------------------------------------------------------------------


# Direction marks that Arabic spreadsheets leave around numbers and words ("\u200f4,500,000"): invisible, meaningless.
_BIDI_MARKS = "\u200e\u200f\u061c\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\ufeff"
_ARABIC_DIGITS = "٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹"
_ASCII_DIGITS = str.maketrans(_ARABIC_DIGITS, "0123456789" * 2)
# For numbers: Arabic-Indic and Persian digits, the Arabic thousands (٬) and decimal (٫) separators, the Arabic comma
# (written as a thousands separator, "٤،٥٠٠،٠٠٠") and the Arabic percent sign.
_DIGITS = str.maketrans(_ARABIC_DIGITS + "٬٫،٪", "0123456789" * 2 + ",.,%", _BIDI_MARKS)


@lru_cache(maxsize=4096)  # an export repeats the same few dozen names on every record
def _key(name: Any) -> str:
    """A field name reduced to letters and digits, lower case: 'Price (EGP)', 'priceEGP', 'price_egp' -> 'priceegp';
    'السعر الإجمالي', 'السعر_الاجمالى' -> 'السعرالاجمالي'."""
    text = fold_letters(unicodedata.normalize("NFKC", str(name)).casefold())
    return "".join(ch for ch in text if ch.isalnum())


_FIELD_ALIASES: dict[str, tuple[str, ...]] = {
    "source_id": (
        "source_id",
        "id",
        "listing_id",
        "property_id",
        "unit_id",
        "ref",
        "reference",
        "ref_no",
        "reference_no",
        "reference_number",
        "unit_code",
        "code",
        "كود",
        "الكود",
        "كود الوحدة",
        "كود الإعلان",
        "رقم الإعلان",
        "المعرف",
        "معرف",
        "الرقم المرجعي",
        "رقم المرجع",
    ),
    "title": (
        "title",
        "name",
        "listing_title",
        "headline",
        "listing_name",
        "العنوان",
        "عنوان",
        "عنوان الإعلان",
        "اسم الإعلان",
        "اسم الوحدة",
    ),
    "description": (
        "description",
        "desc",
        "details",
        "body",
        "summary",
        "about",
        "الوصف",
        "وصف",
        "وصف الوحدة",
        "التفاصيل",
        "تفاصيل",
    ),
    "features": (
        "features",
        "amenities",
        "facilities",
        "extras",
        "المميزات",
        "مميزات",
        "الخدمات",
        "خدمات",
        "الكماليات",
        "المرافق",
    ),
    "type": (
        "type",
        "property_type",
        "unit_type",
        "category",
        "property_category",
        "kind",
        "النوع",
        "نوع",
        "نوع الوحدة",
        "نوع العقار",
        "الفئة",
    ),
    "compound": (
        "compound",
        "compound_name",
        "project",
        "project_name",
        "development",
        "الكمبوند",
        "كمبوند",
        "الكومباوند",
        "كومباوند",
        "اسم الكمبوند",
        "المشروع",
        "مشروع",
        "اسم المشروع",
    ),
    "developer": (
        "developer",
        "developer_name",
        "builder",
        "developed_by",
        "المطور",
        "مطور",
        "المطور العقاري",
        "اسم المطور",
        "الشركة المطورة",
        "شركة التطوير",
    ),
    "price": (
        "price",
        "total_price",
        "price_egp",
        "asking_price",
        "sale_price",
        "list_price",
        "price_le",
        "السعر",
        "سعر",
        "السعر الإجمالي",
        "إجمالي السعر",
        "السعر بالجنيه",
        "السعر جنيه",
        "سعر الوحدة",
        "السعر المطلوب",
    ),
    "price_per_sqm": (
        "price_per_sqm",
        "price_per_meter",
        "price_per_metre",
        "price_per_m2",
        "price_per_square_meter",
        "ppsqm",
        "price_sqm",
        "sqm_price",
        "meter_price",
        "سعر المتر",
        "سعر المتر المربع",
        "سعر م2",
    ),
    "size_sqm": (
        "size_sqm",
        "size",
        "sqm",
        "bua",
        "built_up_area",
        "builtup_area",
        "area_sqm",
        "area_m2",
        "unit_area",
        "unit_size",
        "bua_m2",
        "bua_sqm",
        "size_m2",
        "المساحة",
        "مساحة",
        "مساحة الوحدة",
        "المساحة بالمتر",
        "المساحة بالمتر المربع",
        "المساحة م2",
        "المسطح",
        "مسطح الوحدة",
        "المساحة المبنية",
    ),
    "bedrooms": (
        "bedrooms",
        "beds",
        "bedroom",
        "bed",
        "rooms",
        "br",
        "no_of_bedrooms",
        "number_of_bedrooms",
        "num_bedrooms",
        "الغرف",
        "غرف",
        "عدد الغرف",
        "غرف النوم",
        "عدد غرف النوم",
    ),
    "bathrooms": (
        "bathrooms",
        "baths",
        "bathroom",
        "bath",
        "no_of_bathrooms",
        "number_of_bathrooms",
        "الحمامات",
        "حمامات",
        "عدد الحمامات",
    ),
    "floor": (
        "floor",
        "floor_no",
        "floor_number",
        "floor no.",
        "level",
        "unit_floor",
        "الدور",
        "دور",
        "الطابق",
        "طابق",
        "رقم الدور",
        "رقم الطابق",
    ),
    "finishing": (
        "finishing",
        "finish",
        "finishing_type",
        "finish_type",
        "finishing_status",
        "التشطيب",
        "تشطيب",
        "نوع التشطيب",
        "حالة التشطيب",
        "مستوى التشطيب",
    ),
    "delivery_year": (
        "delivery_year",
        "delivery_date",
        "delivery",
        "handover",
        "handover_date",
        "handover_year",
        "completion",
        "completion_date",
        "completion_year",
        "ready_by",
        "الاستلام",
        "استلام",
        "موعد الاستلام",
        "سنة الاستلام",
        "تاريخ الاستلام",
        "التسليم",
        "موعد التسليم",
        "سنة التسليم",
        "تاريخ التسليم",
    ),
    "is_delivered": (
        "is_delivered",
        "delivered",
        "ready_to_move",
        "ready",
        "ready_to_move_in",
        "immediate_delivery",
        "rtm",
        "استلام فوري",
        "جاهز للاستلام",
        "جاهز للسكن",
    ),
    "sale_type": ("sale_type", "sales_type", "market", "listing_type", "نوع البيع", "طريقة البيع"),
    "down_payment_pct": (
        "down_payment_pct",
        "down_payment",
        "down_payment_percent",
        "down_payment_percentage",
        "down_payment_amount",
        "down_payment_egp",
        "deposit",
        "dp",
        "المقدم",
        "مقدم",
        "نسبة المقدم",
        "قيمة المقدم",
        "الدفعة المقدمة",
    ),
    "installment_years": (
        "installment_years",
        "installments_years",
        "years",
        "installment_period",
        "installment_duration",
        "payment_years",
        "tenor",
        "سنوات التقسيط",
        "سنين التقسيط",
        "عدد سنوات التقسيط",
        "عدد سنين التقسيط",
        "مدة التقسيط",
        "فترة التقسيط",
        "مدة السداد",
        "سنوات السداد",
    ),
    "monthly_installment": (
        "monthly_installment",
        "monthly",
        "monthly_payment",
        "installment",
        "installment_amount",
        "القسط الشهري",
        "القسط",
        "قيمة القسط",
        "قيمة القسط الشهري",
    ),
    "is_cash_only": ("is_cash_only", "cash", "cash_only", "cash_payment", "كاش", "كاش فقط", "نقدا"),
    "image_url": (
        "image_url",
        "image",
        "images",
        "photo",
        "photos",
        "picture",
        "pictures",
        "thumbnail",
        "main_image",
        "cover_image",
        "img",
        "الصورة",
        "صورة",
        "الصور",
        "رابط الصورة",
        "صورة الوحدة",
    ),
    "source_url": (
        "source_url",
        "url",
        "link",
        "listing_url",
        "permalink",
        "href",
        "web_url",
        "الرابط",
        "رابط",
        "رابط الإعلان",
        "اللينك",
        "لينك",
    ),
    "is_available": ("is_available", "available", "availability", "متاح", "الإتاحة"),
}
# Location-like fields, most specific first; `area` (when text) sits between the neighbourhood and the region.
_LOCATION_ALIASES = (
    "location",
    "location_name",
    "district",
    "neighbourhood",
    "neighborhood",
    "sub_area",
    "zone",
    "area_name",
    "الموقع",
    "المكان",
    "الحي",
    "المنطقة",
    "area",
    "region",
    "city",
    "المدينة",
    "المحافظة",
)
_PLAN_ALIASES = (
    "payment_plan",
    "installment_plan",
    "payment_terms",
    "plan",
    "payment",
    "payment_method",
    "طريقة الدفع",
    "طريقة السداد",
    "نظام السداد",
    "نظام الدفع",
    "خطة السداد",
)
_STATUS_ALIASES = ("status", "listing_status", "unit_status", "الحالة", "حالة الوحدة")
_MONTHS_ALIASES = (
    "installment_months",
    "months",
    "installments_months",
    "tenor_months",
    "شهور التقسيط",
    "عدد شهور التقسيط",
)

_FIELD_OF_KEY: dict[str, str] = {
    _key(alias): canonical for canonical, aliases in _FIELD_ALIASES.items() for alias in aliases
}
_CANONICAL_KEYS = {_key(name): name for name in _FIELD_ALIASES}
_LOCATION_RANK = {_key(alias): rank for rank, alias in enumerate(_LOCATION_ALIASES)}
_PLAN_KEYS = frozenset(_key(alias) for alias in _PLAN_ALIASES)
_STATUS_KEYS = frozenset(_key(alias) for alias in _STATUS_ALIASES)
_MONTHS_KEYS = frozenset(_key(alias) for alias in _MONTHS_ALIASES)
_LOCATION_ALIAS_KEYS = [_key(alias) for alias in _LOCATION_ALIASES]
# The keys under which a nested object holds its value: {"developer": {"name": "SODIC", "id": 7}}.
_NAME_KEYS = frozenset({"name", "en", "nameen", "title", "value", "amount", "url", "src"})
_SPECIAL_KEYS = frozenset(_LOCATION_RANK) | _PLAN_KEYS | _STATUS_KEYS | _MONTHS_KEYS
assert not set(_FIELD_OF_KEY) & _SPECIAL_KEYS, "a field name must have one meaning"
assert all(_FIELD_OF_KEY[_key(a)] == field for field, aliases in _FIELD_ALIASES.items() for a in aliases), (
    "a field name must have one meaning"
)
assert set(_FIELD_ALIASES) | {"location"} == set(ListingIn.model_fields)


# ---- Phrases: types, finishings, places ----------------------------------------------------------------------------


@lru_cache(maxsize=8192)  # types, places and finishings repeat from record to record
def _phrase(text: str) -> str:
    """Text reduced for matching names: case, Arabic spelling variants, digit script ("٦ اكتوبر"), punctuation and
    spacing folded."""
    text = fold_letters(unicodedata.normalize("NFKC", text).casefold()).translate(_ASCII_DIGITS)
    return " ".join(re.sub(r"[-_/.,;:()'\"|+،؛]+", " ", text).split())


def _phrase_table(groups: Mapping[str, Iterable[str]]) -> dict[str, str]:
    table: dict[str, str] = {}
    for canonical, phrases in groups.items():
        for phrase in phrases:
            table.setdefault(_phrase(phrase), canonical)
    return table


def _match(text: str, table: Mapping[str, str], by_length: list[str]) -> str | None:
    """The canonical name for `text`: an exact phrase, else the longest known phrase it contains as whole words."""
    phrase = _phrase(text)
    if phrase in table:
        return table[phrase]
    padded = f" {phrase} "
    for candidate in by_length:
        if f" {candidate} " in padded:
            return table[candidate]
    return None


def _longest_first(table: Mapping[str, str]) -> list[str]:
    return sorted(table, key=len, reverse=True)


_EXTRA_TYPES: dict[str, tuple[str, ...]] = {
    "Villa": (
        "standalone villa",
        "stand alone villa",
        "villa standalone",
        "independent villa",
        "detached villa",
        "i villa",
        "ivilla",
    ),
    "Twinhouse": ("twin villa", "semi detached", "semi detached villa", "twin", "توين فيلا"),
    "Townhouse": ("town villa", "row house", "تاون فيلا"),
    "Apartment": (
        "serviced apartment",
        "hotel apartment",
        "garden apartment",
        "residential unit",
        "وحدة سكنية",
        "ابارتمنت",
    ),
    "Duplex": ("garden duplex", "roof duplex"),
    "Studio": ("استديو",),
    "Retail": ("commercial", "showroom", "commercial shop", "وحدة تجارية", "تجارية"),
    "Office": (
        "administrative",
        "admin",
        "administrative unit",
        "office space",
        "admin office",
        "وحدة إدارية",
        "إدارية",
        "مقر إداري",
    ),
    "Clinic": ("medical", "medical clinic", "medical office", "وحدة طبية", "طبية"),
}
_TYPES = _phrase_table(
    {name: (name, *aliases, *_EXTRA_TYPES.get(name, ())) for name, aliases in PROPERTY_TYPES.items()}
)
_TYPES_BY_LENGTH = _longest_first(_TYPES)

# The model has four finishings: "super lux" and "lux" are a grade of full finishing, "على المحارة" (plastered walls,
# nothing more) is core and shell, a half-furnished unit is furnished.
_EXTRA_FINISHINGS: dict[str, tuple[str, ...]] = {
    # Words that name a finishing only in a finishing column (free text has the gazetteer's own phrases).
    # In a query "غير متشطبة" rules full finishing out (a negation); in a column it is core and shell.
    "core_and_shell": ("core", "shell", "without finishing", "no finishing", "محارة", "مش متشطب", "غير متشطب"),
    "semi_finished": ("semi", "نص", "نصف"),
    "fully_finished": ("lux", "fully finished with acs", "fully", "لوكس", "كامل"),
    "furnished": ("semi furnished", "furnished with appliances", "نص فرش"),
}
_FINISH_TABLE = _phrase_table(
    {name: (name, name.replace("_", " "), *aliases, *_EXTRA_FINISHINGS[name]) for name, aliases in FINISHINGS.items()}
)
_FINISH_BY_LENGTH = _longest_first(_FINISH_TABLE)

_EXTRA_SALE_TYPES: dict[str, tuple[str, ...]] = {
    "developer": ("new", "launch", "مطور", "المطور", "بريمري"),
    "resale": ("secondary", "resell", "second hand", "owner", "ري سيل", "إعادة البيع", "المالك"),
}
_SALE_TYPES = _phrase_table(
    {name: (name, *SALE_TYPE_PHRASES[name], *_EXTRA_SALE_TYPES[name]) for name in ("developer", "resale")}
)
_SALE_BY_LENGTH = _longest_first(_SALE_TYPES)

_AREA_TABLE = _phrase_table(AREA_SPELLINGS)
_COMPOUND_TABLE = _phrase_table({c.name: (c.name, *c.aliases) for area in AREAS for c in area.compounds})
_DEVELOPER_TABLE = _phrase_table({d.name: (d.name, *d.aliases) for d in DEVELOPERS})
_DEVELOPER_OF = {c.name: c.developer for area in AREAS for c in area.compounds}
_REGION_TABLE = _phrase_table({region.name: (region.name, *region.aliases) for region in REGIONS})
_GOVERNORATES = frozenset(
    _phrase(name)
    for name in (
        "Cairo",
        "Giza",
        "Alexandria",
        "Matrouh",
        "Suez",
        "Red Sea",
        "Qalyubia",
        "Egypt",
        "Greater Cairo",
        "القاهرة",
        "الجيزة",
        "الإسكندرية",
        "مطروح",
        "السويس",
        "البحر الأحمر",
        "مصر",
    )
)

_TRUE = frozenset({"true", "yes", "y", "t", "1", "نعم", "ايوه", "اه", "ايوا"})
_FALSE = frozenset({"false", "no", "n", "f", "0", "لا", "لأ"})
_DELIVERED_WORDS = _phrase_table(
    {
        "yes": (
            "ready",
            "delivered",
            "ready to move",
            "ready to move in",
            "move in ready",
            "rtm",
            "immediate",
            "immediate delivery",
            "handed over",
            "استلام فوري",
            "تسليم فوري",
            "فوري",
            "جاهز",
            "جاهزة",
            "جاهز للسكن",
            "جاهزة للسكن",
            "جاهز للاستلام",
            "جاهزة للاستلام",
            "تم الاستلام",
            "تم التسليم",
            "مستلم",
            "مستلمة",
        ),
        "no": (
            "off plan",
            "offplan",
            "under construction",
            "not delivered",
            "not ready",
            "تحت الإنشاء",
            "قيد الإنشاء",
            "لم يتم الاستلام",
            "غير جاهز",
            "اوف بلان",
        ),
    }
)
_AVAILABLE_WORDS = _phrase_table(
    {
        "yes": ("available", "active", "for sale", "listed", "متاح", "متاحه"),
        "no": (
            "sold",
            "sold out",
            "reserved",
            "unavailable",
            "not available",
            "off market",
            "withdrawn",
            "مباع",
            "محجوز",
        ),
    }
)
_CASH_WORDS = _phrase_table(
    {
        "yes": ("cash", "cash only", "full payment", "كاش", "كاش فقط", "كاش بس", "نقدا", "نقدي", "نقدا فقط"),
        "no": ("installments", "installment", "instalments", "payment plan", "plan", "تقسيط", "اقساط", "بالتقسيط"),
    }
)
_EMPTY = frozenset({"", "-", "--", "—", "n/a", "na", "null", "none", "nil", "nan", "غير محدد"})


# ---- Values --------------------------------------------------------------------------------------------------------

_NUMBER = re.compile(r"(?P<pre>.*?)(?P<num>[-+]?\d(?:[\d,.\s]*\d)?)(?P<post>.*)", re.DOTALL)
_MONEY_WORDS = {
    "": 1.0,
    "egp": 1.0,
    "le": 1.0,
    "l e": 1.0,
    "e£": 1.0,
    "£": 1.0,
    "pounds": 1.0,
    "جنيه": 1.0,
    "جنيه مصري": 1.0,
    "جنيها": 1.0,
    "جنيهات": 1.0,
    "ج": 1.0,
    "جم": 1.0,
    "ج م": 1.0,
    "k": 1e3,
    "thousand": 1e3,
    "الف": 1e3,
    "الاف": 1e3,
    "m": 1e6,
    "mn": 1e6,
    "mil": 1e6,
    "million": 1e6,
    "مليون": 1e6,
    "ملايين": 1e6,
    "b": 1e9,
    "bn": 1e9,
    "billion": 1e9,
    "مليار": 1e9,
}
_SIZE_WORDS = dict.fromkeys(
    "|m2|m|sqm|sq m|sq meter|sq meters|square meter|square meters|square metres|meter|meters|metre|metres"
    "|متر|متر مربع|م|م2|مترمربع".split("|"),
    1.0,
)
_COUNT_WORDS = dict.fromkeys(
    "|br|bed|beds|bedroom|bedrooms|room|rooms|bath|baths|bathroom|bathrooms"
    "|غرف|غرفه|غرفتين|غرف نوم|غرفه نوم|حمام|حمامات".split("|"),
    1.0,
)
_YEAR_WORDS = {
    **{w: 1.0 for w in ("", "y", "yr", "yrs", "year", "years", "سنه", "سنوات", "سنين", "عام", "اعوام")},
    **{w: 1 / 12 for w in ("month", "months", "mo", "شهر", "شهرا", "شهور", "اشهر")},
}
_PERCENT_WORDS = {w: 1.0 for w in ("%", "percent", "pct", "down", "% down", "down payment", "% down payment", "مقدم")}


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and value.strip().casefold() in _EMPTY)


def _number_from_text(digits: str) -> float | None:
    """'8,500,000' '8.500.000' '8 500 000' '1,5' '150.75' -> a float; anything else -> None."""
    s = re.sub(r"[\s\u00a0\u202f\u2009]", "", digits)
    if re.fullmatch(r"[-+]?\d{1,3}(,\d{3})+(\.\d+)?", s):
        s = s.replace(",", "")
    elif re.fullmatch(r"[-+]?\d{1,3}(\.\d{3}){2,}", s):
        s = s.replace(".", "")  # 8.500.000, the European way
    elif re.fullmatch(r"[-+]?\d+,\d{1,2}", s):
        s = s.replace(",", ".")  # 1,5 as a decimal comma
    if not re.fullmatch(r"[-+]?\d+(\.\d+)?", s):
        return None
    return float(s)


def _quantity(value: Any, words: Mapping[str, float], prefixes: Mapping[str, float] | None = None) -> float | None:
    """A number from a JSON number or a text with known unit words before or after it; None when it is not one."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value) if math.isfinite(value) else None
    if not isinstance(value, str):
        return None
    read = _number_and_unit(value, words, prefixes)
    return None if read is None else read[0] * read[1]


def _number_and_unit(
    text: str, words: Mapping[str, float], prefixes: Mapping[str, float] | None = None
) -> tuple[float, float] | None:
    """(number, the factor of its unit words) from a text such as '4.5 مليون ج.م'; None when it is not one number."""
    text = unicodedata.normalize("NFKC", text).translate(_DIGITS).casefold().strip()
    match = _NUMBER.fullmatch(text)
    if match is None:
        return None
    number = _number_from_text(match["num"])
    if number is None:
        return None
    pre = " ".join(fold_letters(match["pre"]).replace(".", " ").replace(":", " ").split())
    post = " ".join(fold_letters(match["post"]).replace(".", " ").split())
    prefix = (prefixes or {"": 1.0}).get(pre)
    factor = _unit_factor(post, words)
    if prefix is None or factor is None:
        return None
    return number, factor * prefix


def _unit_factor(text: str, words: Mapping[str, float]) -> float | None:
    """The product of the unit words in `text`, longest first so that a unit of two words ("ج م", "متر مربع") is read
    as one: 'مليون ج م' -> 1,000,000. None when a word is not a unit."""
    tokens = re.findall(r"%|[^\s%]+", text)
    factor, start = 1.0, 0
    while start < len(tokens):
        for end in range(len(tokens), start, -1):
            unit = " ".join(tokens[start:end])
            if unit in words:
                factor *= words[unit]
                start = end
                break
        else:
            return None
    return factor


_MONEY_PREFIXES = {
    **dict.fromkeys(("", "egp", "le", "l e", "e£", "£", "~", "approx"), 1.0),
    **dict.fromkeys(("جنيه", "ج م", "جم", "حوالي", "تقريبا"), 1.0),
}
# "٣ مليون ونص" is three and a half million, "٣ مليون وربع" three and a quarter.
_FRACTION_WORDS = {"نص": 0.5, "نصف": 0.5, "ربع": 0.25}


def _money(value: Any) -> Any:
    amount = _quantity(value, _MONEY_WORDS, _MONEY_PREFIXES)
    if amount is None and isinstance(value, str):
        amount = _amount_in_two_parts(value)
    return value if amount is None else round(amount)


def _amount_in_two_parts(text: str) -> float | None:
    """'٤ مليون و ٨٠٠ ألف', '4 million and 800 thousand', '٣ مليون ونص': an amount written as Egyptians say it, a
    number of millions (or thousands) and then the rest, or a fraction of the same unit."""
    parts = re.split(r"\s+(?:و|and)\s*", fold_letters(text.casefold()).strip(), maxsplit=1)
    if len(parts) != 2:
        return None
    head = _number_and_unit(parts[0], _MONEY_WORDS, _MONEY_PREFIXES)
    if head is None or head[1] < 1e3:  # "5 and 6" is not an amount; "5 million and 600 thousand" is
        return None
    number, unit = head
    words = parts[1].split()
    if words and words[0] in _FRACTION_WORDS and _unit_factor(" ".join(words[1:]), _MONEY_WORDS) == 1.0:
        return (number + _FRACTION_WORDS[words[0]]) * unit
    rest = _number_and_unit(parts[1], _MONEY_WORDS)
    if rest is None or rest[0] * rest[1] >= unit:
        return None
    return number * unit + rest[0] * rest[1]


def _size(value: Any) -> Any:
    size = _quantity(value, _SIZE_WORDS)
    return value if size is None else size


def _count(value: Any, studio_is_zero: bool = False) -> Any:
    if isinstance(value, str):
        if studio_is_zero and _phrase(value) in ("studio", "ستوديو", "استوديو"):
            return 0
        plus = re.fullmatch(r"\s*(\d+)\s*\+\s*\d+\s*", value.translate(_DIGITS))
        if plus:  # "3+1": three bedrooms and a maid's room
            return int(plus[1])
    number = _quantity(value, _COUNT_WORDS)
    if number is None:
        return value
    return int(number) if number.is_integer() else number  # 2.5 bedrooms stays a fraction, for validation to refuse


# Floors are read by hand from a table: no library knows Egyptian floor words ("التالت", "دور تاني", "بدروم", "GF").
# A value is folded like a phrase, the words that only say "floor" are dropped ("الدور التالت" -> "التالت", "3rd floor"
# -> "3rd"), and what is left is a word in the table or a number ("3", "3rd", "B1").
_FLOOR_NOUNS = frozenset(
    {"floor", "flr", "fl", "level", "lvl", "no", "number", "الدور", "دور", "الطابق", "طابق", "رقم"}
)
_FLOOR_GROUND = ("g", "gf", "g f", "ground", "grnd", "upper ground", "ug", "u g", "أرضي", "أرضي مرتفع")
_FLOOR_BASEMENT = ("b", "basement", "lower ground", "lg", "l g", "semi basement", "بدروم", "نص بدروم", "بيزمنت")
# Words for a floor with no number: a roof unit, "typical" (any of the middle floors), the last floor, a mezzanine.
_FLOOR_UNSTATED = (
    "roof", "rooftop", "typical", "last", "top", "mezzanine", "mezz", "روف", "متكرر", "أخير", "آخر", "ميزانين",
)  # fmt: skip


# A minus before a digit at the start of a word is a sign ("-1", "floor -1"); anywhere else it separates ("G-F").
_FLOOR_PUNCTUATION = re.compile(r"(?P<sign>(?<!\S)-(?=\d))|[-_/.,;:()'\"|+#،؛]")
# What is left of a floor once its words for "floor" are gone: a number, "3rd", "B1" (the first basement).
_FLOOR_NUMBER = re.compile(r"(?P<basement>b\s*)?(?P<number>-?\d{1,3})(?:\s*(?:st|nd|rd|th))?")


def _floor_phrase(text: str) -> str:
    """A floor value folded for the table: case, Arabic spelling, digit script and punctuation; 'the floor' words
    dropped."""
    text = fold_letters(unicodedata.normalize("NFKC", text).casefold()).translate(_ASCII_DIGITS).replace("\u2212", "-")
    text = _FLOOR_PUNCTUATION.sub(lambda m: "-" if m["sign"] else " ", text)
    return " ".join(word for word in text.split() if word not in _FLOOR_NOUNS)


def _floor_table() -> dict[str, int | None]:
    groups: dict[int | None, list[str]] = {0: [*_FLOOR_GROUND], -1: [*_FLOOR_BASEMENT], None: [*_FLOOR_UNSTATED]}
    for n, word in enumerate(EN_ORDINALS, start=1):
        groups.setdefault(n, []).append(word)
    for n, ordinals in AR_ORDINALS.items():
        groups.setdefault(n, []).extend(ordinals)
    table: dict[str, int | None] = {}
    for floor, words in groups.items():
        for word in words:
            phrase = _floor_phrase(word)
            table[phrase] = floor
            if "\u0600" <= phrase[:1] <= "\u06ff":  # "الأرضي", "البدروم", "الحادي عشر": the article on the first word
                table.setdefault("ال" + phrase, floor)
    return table


_FLOOR_TABLE = _floor_table()


# A unit on two floors ("G+1", "1st & 2nd", "أرضي وأول": a duplex) is on the lower one; the Arabic "and" is a prefix.
_FLOOR_JOINS = re.compile(r"\+|&|\band\b|(?<=\s)و", re.IGNORECASE)


def _floor(value: Any) -> Any:
    """The floor a value names: 0 the ground floor, -1 a basement, None when it names none ("roof", "typical"). A
    value that is no floor at all is passed on as given, for validation to report."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if not isinstance(value, str):
        return value
    floors: list[int] = []
    for part in _FLOOR_JOINS.split(value):
        phrase = _floor_phrase(part)
        number = _FLOOR_NUMBER.fullmatch(phrase)
        if phrase in _FLOOR_TABLE:
            floor = _FLOOR_TABLE[phrase]
            floors += [] if floor is None else [floor]
        elif number is not None:
            floors.append(-int(number["number"]) if number["basement"] else int(number["number"]))
        else:
            return value
    return min(floors, default=None)


def _years(value: Any, per_year: float = 1.0) -> Any:
    number = _quantity(value, _YEAR_WORDS)
    if number is None:
        return value
    years = number * per_year
    return round(years) if abs(years - round(years)) < 1e-6 else years


def _marked_percent(value: Any) -> bool:
    """Whether a value says it is a percentage ("10%", "10٪", "10 percent")."""
    return isinstance(value, str) and re.search(r"[%٪]|percent|pct", value.casefold()) is not None


def _percent(value: Any) -> Any:
    if _marked_percent(value):
        number = _quantity(value, _PERCENT_WORDS)
        return value if number is None else round(number, 6)
    number = _quantity(value, _PERCENT_WORDS)
    if number is None:
        return value
    return round(number * 100, 6) if 0 < number < 1 else number


def _percent_or_pounds(value: Any) -> Any:
    """A down payment column: a share ("10%", "0.1", "10") or pounds ("EGP 450,000", "٤٥٠ ألف"; normalise_record
    turns those into the share of the price they are)."""
    share = _percent(value)
    return _money(value) if isinstance(share, str) else share


def _delivery(value: Any) -> tuple[Any, bool | None]:
    """(delivery year or the raw value, delivered flag when the value says "Ready")."""
    if isinstance(value, bool):
        return value, None
    if isinstance(value, int | float):
        return (int(value) if math.isfinite(value) and float(value).is_integer() else value), None
    if not isinstance(value, str):
        return value, None
    text = value.translate(_DIGITS)
    word = _DELIVERED_WORDS.get(_phrase(text))
    if word is not None:
        return None, word == "yes"
    year = re.search(r"(?<!\d)(19|20)\d{2}(?!\d)", text)
    return (int(year[0]), None) if year else (value, None)


def _boolean(value: Any, words: Mapping[str, str] | None = None) -> Any:
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        phrase = _phrase(value)
        if phrase in _TRUE:
            return True
        if phrase in _FALSE:
            return False
        if words and phrase in words:
            return words[phrase] == "yes"
    return value


def _text(value: Any) -> Any:
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return str(value)  # numeric ids are common in JSON exports
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return value.strip() if isinstance(value, str) else value


_ID_DIGITS = str.maketrans(_ARABIC_DIGITS, "0123456789" * 2, _BIDI_MARKS)


def _features(value: Any) -> Any:
    # "pool, garden" or ["pool", "garden"]: words, which ingestion reads into canonical names (features.py).
    if isinstance(value, str):
        return [value.strip()] if value.strip() else []
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return [v.strip() for v in value if v.strip()]
    return value


def _source_id(value: Any) -> Any:
    # "١٢٣٤" and "1234" are one listing to the brokerage that wrote it; ASCII digits make it one to us, and
    # addressable at /api/properties/source/{id}.
    value = _text(value)
    return value.translate(_ID_DIGITS).strip() if isinstance(value, str) else value


def _url(value: Any) -> Any:
    if isinstance(value, list):
        value = next((v for v in value if not _blank(v)), None)
    if isinstance(value, dict):
        value = next((value[k] for k in ("url", "src", "href", "link") if k in value), None)
    if not isinstance(value, str):
        return value
    url = value.strip()
    if url.startswith("//"):
        return "https:" + url
    if url.startswith("www."):
        return "https://" + url
    return url


def _title_case(text: str) -> str:
    # "abu rawash" and "ABU RAWASH" -> "Abu Rawash"; mixed case ("O West") was written on purpose.
    if text == text.lower() or text == text.upper():
        return " ".join(w[:1].upper() + w[1:].lower() for w in text.split())
    return " ".join(text.split())


def _name(value: Any, table: Mapping[str, str]) -> Any:
    if not isinstance(value, str):
        return _text(value)
    return table.get(_phrase(value), " ".join(value.split()))


def _property_type(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    return _match(value, _TYPES, _TYPES_BY_LENGTH) or value.strip()


def _finishing(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    return _match(value, _FINISH_TABLE, _FINISH_BY_LENGTH) or value.strip()


def _sale_type(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    return _match(value, _SALE_TYPES, _SALE_BY_LENGTH) or value.strip()


# "Mivida, New Cairo", "التجمع الخامس - القاهرة": a place and the places around it. A dash only between spaces, since
# names have hyphens ("Sidi Abdel-Rahman").
_PLACE_SEPARATORS = re.compile(r"[,|/،]|\s[-–—]\s")


def _place(candidates: list[tuple[int, str]]) -> tuple[str | None, str | None]:
    """(location, compound found among the location fields) from location-like values, most specific first."""
    compound_found: str | None = None
    for _, text in sorted(candidates, key=lambda c: c[0]):
        for part in _PLACE_SEPARATORS.split(text):
            phrase = _phrase(part)
            if phrase in _AREA_TABLE:
                return _AREA_TABLE[phrase], compound_found
            if phrase in _COMPOUND_TABLE and compound_found is None:
                compound_found = _COMPOUND_TABLE[phrase]
    if compound_found is not None:
        return area_of_compound(compound_found), compound_found
    for _, text in sorted(candidates, key=lambda c: (_phrase(c[1]) in _GOVERNORATES, c[0])):
        parts = [p.strip() for p in _PLACE_SEPARATORS.split(text) if p.strip()]
        specific = [p for p in parts if _phrase(p) not in _GOVERNORATES] or parts
        if specific:
            # A region alone ("الجيزة", "Giza Governorate") is filed under its name, which a search there matches.
            return _REGION_TABLE.get(_phrase(specific[0])) or _title_case(specific[0]), None
    return None, None


_CONVERTERS: dict[str, Any] = {
    "source_id": _source_id,
    "title": _text,
    "description": _text,
    "type": _property_type,
    "compound": lambda v: _name(v, _COMPOUND_TABLE),
    "developer": lambda v: _name(v, _DEVELOPER_TABLE),
    "price": _money,
    "price_per_sqm": _money,
    "monthly_installment": _money,
    "size_sqm": _size,
    "bedrooms": lambda v: _count(v, studio_is_zero=True),
    "bathrooms": _count,
    "floor": _floor,
    "finishing": _finishing,
    "sale_type": _sale_type,
    "down_payment_pct": _percent_or_pounds,
    "installment_years": _years,
    "is_delivered": lambda v: _boolean(v, _DELIVERED_WORDS),
    "is_cash_only": lambda v: _boolean(v, _CASH_WORDS),
    "is_available": lambda v: _boolean(v, _AVAILABLE_WORDS),
    "image_url": _url,
    "source_url": _url,
    "features": _features,
}


# ---- Records -------------------------------------------------------------------------------------------------------


class _Collected:
    """Raw values gathered from a record under their canonical names; a canonical field name beats an alias, and
    otherwise the first value met is kept (top-level fields are met before nested ones)."""

    def __init__(self) -> None:
        self.values: dict[str, Any] = {}
        self.exact: set[str] = set()
        self.places: list[tuple[int, str]] = []
        self.numeric_area: Any = None
        self.plan_texts: list[str] = []
        self.status: list[str] = []

    def put(self, canonical: str, value: Any, exact: bool) -> None:
        if canonical in self.values and (canonical in self.exact or not exact):
            return
        self.values[canonical] = value
        if exact:
            self.exact.add(canonical)

    def take(self, raw: Mapping[Any, Any], in_plan: bool = False, place_rank: int | None = None) -> None:
        nested: list[tuple[str, Mapping[Any, Any]]] = []
        for name, value in raw.items():
            if name == _EXTRA_CELLS:
                continue
            key = _key(name)
            if isinstance(value, dict):  # JSON objects are dicts; an ABC check here costs a tenth of the time
                nested.append((key, value))
                continue
            if isinstance(value, str):
                value = value.strip()
            if _blank(value) or (isinstance(value, list) and not value):
                continue
            if place_rank is not None and key in _NAME_KEYS:
                key = _LOCATION_ALIAS_KEYS[place_rank]  # {"location": {"name": "New Cairo"}}
            self._one(key, value, in_plan)
        for key, inner in nested:
            # Nested objects are read after the record's own fields: a payment plan's fields are the plan's, a
            # location block's name is a place, {"developer": {"name": ...}} is the developer, and anything else
            # is read as if its fields were the record's own.
            if key in _PLAN_KEYS:
                self.take(inner, in_plan=True)
            elif key in _LOCATION_RANK:
                self.take(inner, in_plan, place_rank=_LOCATION_RANK[key])
            elif key in _FIELD_OF_KEY:
                scalar = next((inner[k] for k in inner if _key(k) in _NAME_KEYS and not _blank(inner[k])), None)
                if scalar is not None and not isinstance(scalar, Mapping):
                    self._one(key, scalar, in_plan)
            else:
                self.take(inner, in_plan, place_rank)

    def _one(self, key: str, value: Any, in_plan: bool) -> None:
        if key in _LOCATION_RANK and not in_plan:
            if key == "area" and _quantity(value, _SIZE_WORDS) is not None:
                self.numeric_area = value if self.numeric_area is None else self.numeric_area
            elif isinstance(value, str):
                self.places.append((_LOCATION_RANK[key], value))
            return
        if key in _MONTHS_KEYS:
            months = _years(value, per_year=1 / 12)
            self.put("installment_years", months, exact=False)
            return
        if key in _PLAN_KEYS or (in_plan and key in ("type", "method")):
            if isinstance(value, str):
                self.plan_texts.append(value)
            return
        if key in _STATUS_KEYS:
            if isinstance(value, str):
                self.status.append(value)
            return
        canonical = _FIELD_OF_KEY.get(key)
        if canonical is not None:
            self.put(canonical, value, exact=key in _CANONICAL_KEYS and not in_plan)


def normalise_record(raw: Mapping[Any, Any]) -> dict[str, Any]:
    """A raw export record with its fields renamed to ListingIn's and its values converted where they can be read.
    Fields it cannot map are dropped; values it cannot read are passed on as given for validation to report."""
    got = _Collected()
    got.take(raw)
    out: dict[str, Any] = {}
    delivered_hint: bool | None = None
    for name, value in got.values.items():
        if name == "delivery_year":
            year, delivered_hint = _delivery(value)  # "Ready" in a delivery column is a state, not a year
            if year is not None:
                out[name] = year
        else:
            out[name] = _CONVERTERS[name](value)
    if delivered_hint is not None:
        out.setdefault("is_delivered", delivered_hint)
    if out.get("type") in HOUSE_TYPES:
        # A house's floor column counts its storeys ("G+1", "أرضي وأول") if it says anything: never a reason to refuse
        # the house, which has no floor of its own (ListingIn drops one given directly).
        out.pop("floor", None)

    if "size_sqm" not in out and got.numeric_area is not None:
        out["size_sqm"] = _size(got.numeric_area)
    _down_payment_in_pounds(got.values.get("down_payment_pct"), out)

    location, compound_in_place = _place(got.places)
    if location is not None:
        out["location"] = location
    if "compound" not in out and compound_in_place is not None:
        out["compound"] = compound_in_place
    compound = out.get("compound")
    if isinstance(compound, str) and compound in _DEVELOPER_OF:
        out.setdefault("location", area_of_compound(compound))
        out.setdefault("developer", _DEVELOPER_OF[compound])

    for text in got.status:
        phrase = _phrase(text)
        if phrase in _AVAILABLE_WORDS:
            out.setdefault("is_available", _AVAILABLE_WORDS[phrase] == "yes")
        elif phrase in _DELIVERED_WORDS:
            out.setdefault("is_delivered", _DELIVERED_WORDS[phrase] == "yes")
    for text in got.plan_texts:
        _read_plan_text(text, out)
    return out


def _down_payment_in_pounds(raw: Any, out: dict[str, Any]) -> None:
    """A down payment column in pounds ("المقدم: 500,000", as brokerages often export it) becomes the share of the
    price it is: a share is never over 100, a down payment in pounds never under 100. One marked as a percentage
    ("150%") or over the price stays as read, for validation to refuse."""
    share, price = out.get("down_payment_pct"), out.get("price")
    if _marked_percent(raw):
        return
    if isinstance(share, int | float) and isinstance(price, int | float) and 0 < price and 100 < share <= price:
        out["down_payment_pct"] = round(share / price * 100, 4)


def _read_plan_text(text: str, out: dict[str, Any]) -> None:
    """'Cash', 'Installments', '10% down over 8 years': a payment field written as words."""
    phrase = _phrase(text)
    if phrase in _CASH_WORDS:
        out.setdefault("is_cash_only", _CASH_WORDS[phrase] == "yes")
        return
    digits = text.translate(_DIGITS).casefold()
    down = re.search(r"(\d+(?:\.\d+)?)\s*%", digits)
    years = re.search(r"(\d+)\s*(?:years?|yrs?|سنوات|سنين|سنه)", fold_letters(digits))
    if down:
        out.setdefault("down_payment_pct", float(down[1]))
    if years:
        out.setdefault("installment_years", int(years[1]))
    if (down or years) and "is_cash_only" not in out:
        out["is_cash_only"] = False
    elif not (down or years) and re.search(r"\bcash\b|كاش", digits) and not re.search(r"install|تقسيط|اقساط", digits):
        out.setdefault("is_cash_only", True)


def validate_record(raw: Any, position: int) -> ListingIn | Rejection:
    """The listing a raw record describes, or why it cannot be used. Never raises: one bad record never stops a file."""
    if not isinstance(raw, Mapping):
        kind = "null" if raw is None else type(raw).__name__
        return Rejection(position, None, f"not an object (a {kind})")
    try:
        record = normalise_record(raw)
    except Exception as exc:  # a record must never stop the file; report what broke
        return Rejection(position, None, f"could not be read: {exc}")
    source_id = _shown_id(record.get("source_id"))
    if _EXTRA_CELLS in raw:
        reason = f"the row has {raw[_EXTRA_CELLS]} cells, more than the header names (a stray delimiter?)"
        return Rejection(position, source_id, reason)
    try:
        return ListingIn.model_validate(record)
    except ValidationError as exc:
        return Rejection(position, source_id, rejection_reason(exc))


def _shown_id(value: Any) -> str | None:
    if isinstance(value, str) and value.strip():
        return value.strip()[:100]
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return None


_CHOICE_NAMES = {"type": "property type", "finishing": "finishing", "sale_type": "sale type"}


def _shown(value: Any) -> str:
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= 40 else text[:39] + "…"


def _bound(value: Any) -> str:
    # The float fields' bounds are floats ("0.0"); a person reads "0" and "2,000,000,000".
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return f"{value:,}" if isinstance(value, int | float) else str(value)


def _problem(error: Mapping[str, Any]) -> str:
    kind: str = error["type"]
    ctx: Mapping[str, Any] = error.get("ctx") or {}
    value = error.get("input")
    loc = error.get("loc") or ()
    if kind == "missing":
        return "required"
    if kind == "greater_than":
        return f"must be greater than {_bound(ctx['gt'])}"
    if kind == "greater_than_equal":
        return f"must be at least {_bound(ctx['ge'])}"
    if kind == "less_than_equal":
        return f"must be at most {_bound(ctx['le'])}"
    if kind == "int_parsing" and loc and loc[0] == "delivery_year":
        return f"not a year nor a word for delivered ({_shown(value)})"
    if kind == "int_parsing" and loc and loc[0] == "floor":
        return f"not a floor ({_shown(value)})"
    if kind in ("int_parsing", "float_parsing", "int_type", "float_type", "finite_number"):
        return f"not a number ({_shown(value)})"
    if kind == "int_from_float":
        return f"must be a whole number ({_shown(value)})"
    if kind in ("bool_parsing", "bool_type"):
        return f"not yes or no ({_shown(value)})"
    if kind == "literal_error":
        what = _CHOICE_NAMES.get(str(loc[0]) if loc else "", "value")
        return f"unknown {what} {_shown(value)}"
    if kind == "string_type":
        return f"must be text ({_shown(value)})"
    if kind == "string_too_short":
        return f"too short (at least {ctx['min_length']} characters)"
    if kind == "string_too_long":
        return f"too long (at most {ctx['max_length']:,} characters)"
    if kind.startswith("url"):
        return f"not a web address ({_shown(value)})"
    message: str = error["msg"]
    return message.removeprefix("Value error, ")


def rejection_reason(exc: ValidationError) -> str:
    """Pydantic's errors as one short line: 'price: must be greater than 0; title: required'."""
    problems: list[str] = []
    for error in exc.errors():
        loc = ".".join(str(part) for part in error["loc"])
        problem = _problem(error)
        text = f"{loc}: {problem}" if loc else problem
        if text not in problems:
            problems.append(text)
    return "; ".join(problems)
