"""The rules brain's replies: what a careful consultant would say, in English or Egyptian Arabic, written from the tool
results alone (every listing, price and size comes from them)."""

from __future__ import annotations

import random
import re
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from pydantic_ai.messages import ToolReturnPart

from osool_agent.brains.rules import VALUATION_ASKED, Reading, fold, offer_question
from osool_agent.counting import counted, counted_ar
from osool_agent.leads.slots import INVEST, SELL, renting
from osool_agent.viewings.slots import CAIRO
from osool_common.listing_filters import NON_RESIDENTIAL_TYPES

FALLBACK_NOTICE = {
    "en": "(Quick mode: the full assistant is briefly unavailable, so I am answering from our listings directly.)\n\n",
    "ar": "(وضع سريع: المساعد الكامل مش متاح دلوقتي، فبرد عليك من بيانات الوحدات مباشرة.)\n\n",
}
TYPE_AR = {
    "Apartment": "شقة", "Villa": "فيلا", "Townhouse": "تاون هاوس", "Twinhouse": "توين هاوس", "Duplex": "دوبلكس",
    "Penthouse": "بنتهاوس", "Studio": "ستوديو", "Chalet": "شاليه", "Office": "مكتب", "Retail": "محل",
    "Clinic": "عيادة",
}  # fmt: skip
STATUS = {
    "en": {"available": "available on the registry", "reserved": "already reserved on the registry",
           "sold": "sold on the registry", "not_registered": "not registered on the blockchain registry yet",
           "unknown": "of unknown registry status right now", "pending": "being registered"},
    "ar": {"available": "متاحة على السجل", "reserved": "محجوزة بالفعل على السجل", "sold": "اتباعت على السجل",
           "not_registered": "لسه مش متسجلة على سجل البلوكتشين", "unknown": "حالتها على السجل مش معروفة دلوقتي",
           "pending": "بتتسجل دلوقتي"},
}  # fmt: skip


def egp(value: float | None) -> str:
    return "?" if value is None else f"{value:,.0f}"


def _units_ar(n: int, *, other: bool = False) -> str:
    if other:
        return counted_ar(n, "وحدة تانية", "وحدتين تانيين", "وحدات تانية", "وحدة تانية")
    return counted_ar(n, "وحدة واحدة", "وحدتين", "وحدات", "وحدة")


def _m2(value: float | None) -> str:
    return "?" if value is None else f"{value:,.0f}"


def _pick(options: Sequence[str], seed: str) -> str:
    # Varied but stable for the same request, so a retry reads the same.
    return random.Random(seed).choice(list(options))  # noqa: S311 - wording, not security


def _where(listing: dict[str, Any], ar: bool) -> str:
    """The listing's compound and place; in Arabic by their Arabic names where search knows them ("ميفيدا، القاهرة
    الجديدة"), else as written."""
    location = (ar and listing.get("location_ar")) or listing["location"]
    if not listing.get("compound") or listing["compound"] == listing["location"]:  # Madinaty in Madinaty: once
        return str(location)
    if ar:
        return f"{listing.get('compound_ar') or listing['compound']}، {location}"
    return f"{listing['compound']}, {location}"


def _delivery(listing: dict[str, Any], ar: bool) -> str:
    if listing.get("is_delivered"):
        return "استلام فوري" if ar else "ready to move in"
    year = listing.get("delivery_year")
    if year is None:
        return "ميعاد الاستلام مش محدد" if ar else "delivery date not stated"
    return f"استلام {year}" if ar else f"delivery {year}"


def _plan(listing: dict[str, Any], ar: bool, amount: bool = False) -> str:
    """The payment plan in words; `amount` adds the down payment in pounds (when the buyer said what they have)."""
    if listing.get("is_cash_only"):
        return "كاش بس" if ar else "cash only"
    years, down = listing.get("installment_years"), listing.get("down_payment_pct")
    monthly = listing.get("monthly_installment")
    pounds = listing.get("down_payment") if amount else None
    if not years:
        return ""
    if ar:
        text = f"مقدم {down:g}%" + (f" ({egp(pounds)} جنيه)" if pounds else "") if down is not None else ""
        term = f"تقسيط على {_years_ar(years)}"
        text = f"{text} و{term}" if text else term
        return text + (f" (حوالي {egp(monthly)} جنيه في الشهر)" if monthly else "")
    text = f"{down:g}% down" + (f" (EGP {egp(pounds)})" if pounds else "") if down is not None else ""
    term = "1 year of instalments" if years == 1 else f"{years} years of instalments"
    text = f"{text}, {term}" if text else term
    return text + (f" (EGP {egp(monthly)} a month)" if monthly else "")


def _years_ar(years: int) -> str:
    """A number of years as said in Arabic: "سنة", "سنتين", "3 سنين", "15 سنة"."""
    return counted_ar(years, "سنة", "سنتين", "سنين", "سنة")


def _stale(listing: dict[str, Any], ar: bool) -> str:
    if not listing.get("stale"):
        return ""
    day = str(listing.get("updated_at", ""))[:10]
    if ar:
        return f" بيانات الوحدة دي آخر تحديث ليها {day}، فلازم نتأكد من السعر قبل ما نعتمد عليه."
    return f" Note: this listing was last updated on {day}, so its price needs confirming before you rely on it."


def _rooms(rooms: int, ar: bool) -> str:
    """A listing's bedrooms as said aloud: "1 bedroom", "3 bedrooms"; Arabic counts its nouns: "غرفة واحدة", "غرفتين",
    "3 غرف", "11 غرفة". A studio's none is not said (its type says it)."""
    return counted_ar(rooms, "غرفة واحدة", "غرفتين", "غرف", "غرفة") if ar else counted(rooms, "bedroom", "bedrooms")


def _baths(baths: int, ar: bool) -> str:
    """A listing's bathrooms as said aloud: "1 bathroom", "2 bathrooms"; "حمام واحد", "حمامين", "3 حمامات"."""
    return counted_ar(baths, "حمام واحد", "حمامين", "حمامات", "حمام") if ar else counted(baths, "bathroom", "bathrooms")


def _name(listing: dict[str, Any], ar: bool) -> str:
    """A listing's title and, in Arabic always, in English unless its title already says so ("3BR Apartment for
    sale in Mivida, New Cairo"), what it is and where."""
    if ar:
        return f"{listing['title']} ({TYPE_AR.get(listing['type'], listing['type'])} في {_where(listing, ar)})"
    said = all(str(name).casefold() in listing["title"].casefold()
               for name in (listing["type"], listing["location"], listing.get("compound") or ""))  # fmt: skip
    return listing["title"] if said else f"{listing['title']} ({listing['type']} in {_where(listing, ar)})"


def listing_line(
    listing: dict[str, Any],
    ar: bool,
    index: int | None = None,
    *,
    baths: bool = False,
    down: bool = False,
    finish: bool = False,
    wanted: Sequence[str] = (),
    floor: bool = False,
) -> str:
    """One listing said in a line; `baths` adds its bathrooms (when the buyer asked for a number of them), `down` its
    down payment in pounds (when the buyer said how much they have), `finish` its finishing (when the buyer asked for
    one, or ruled one out) unless its title says it, `wanted` the features asked for that it has ("with a pool"), and
    `floor` its floor (when the buyer asked for one, or ruled one out: "on the ground floor")."""
    lead = f"{index}. " if index is not None else ""
    rooms = listing.get("bedrooms")
    bathrooms = listing.get("bathrooms") if baths else None
    plan = _plan(listing, ar, down)
    finishing = FINISHING_WORDS.get(str(listing.get("finishing"))) if finish else None
    if finishing and not ar and finishing[0].replace("-", " ") in listing["title"].casefold().replace("-", " "):
        finishing = None
    if ar:
        parts = [f"{lead}{_name(listing, ar)}: {egp(listing['price'])} جنيه",
                 f"{_m2(listing['size_sqm'])} متر ({egp(listing['price_per_sqm'])} جنيه للمتر)"]  # fmt: skip
    else:
        parts = [f"{lead}{_name(listing, ar)}: EGP {egp(listing['price'])}",
                 f"{_m2(listing['size_sqm'])} m² (EGP {egp(listing['price_per_sqm'])}/m²)"]  # fmt: skip
    if rooms:
        parts.append(_rooms(rooms, ar))
    if bathrooms:
        parts.append(_baths(bathrooms, ar))
    if finishing:
        parts.append(finishing[1] if ar else finishing[0])
    if floor and listing.get("floor") is not None:
        parts.append(_floor_words(int(listing["floor"]), ar))
    parts += [_having(f, ar) for f in wanted if f in (listing.get("features") or []) and f in FEATURE_WORDS]
    parts.append(_delivery(listing, ar))
    if plan:
        parts.append(plan)
    status = listing.get("on_chain_status")
    if status in ("reserved", "sold"):
        parts.append(STATUS["ar" if ar else "en"][status])
    return "، ".join(parts) + "." + _stale(listing, ar) if ar else ", ".join(parts) + "." + _stale(listing, ar)


# How a reply names a feature search reports that no listing has (search's feature names).
FEATURE_WORDS: dict[str, tuple[str, str]] = {
    "pool": ("a pool", "حمام سباحة"),
    "garden": ("a garden", "جنينة"),
    "roof": ("a roof", "روف"),
    "parking": ("parking", "جراج"),
    "sea_view": ("a sea view", "فيو بحر"),
    "lagoon_view": ("a lagoon view", "فيو لاجون"),
    "nile_view": ("a Nile view", "فيو النيل"),
    "open_view": ("an open view", "فيو مفتوح"),
    "garden_view": ("a garden view", "فيو جاردن"),
    "north_facing": ("facing north", "إنها بحري"),
    "corner": ("a corner position", "ناصية"),
    "balcony": ("a balcony", "بلكونة"),
    "elevator": ("an elevator", "أسانسير"),
    "security": ("security", "أمن وحراسة"),
    "maids_room": ("a maid's room", "أوضة دادة"),
    "basement": ("a basement", "بدروم"),
    "near_beach": ("being near the beach", "قربها من البحر"),
    "near_schools": ("being near schools", "قربها من المدارس"),
    "near_mall": ("being near a mall", "قربها من مول"),
    "near_club": ("a club house nearby", "قربها من النادي"),
    "near_metro": ("being near the metro", "قربها من المترو"),
    "near_airport": ("being near the airport", "قربها من المطار"),
    "near_auc": ("being near the AUC", "قربها من الجامعة الأمريكية"),
}


def _having(feature: str, ar: bool) -> str:
    """A feature a listing has, said in its line: "with a pool", "near the AUC", "فيها جنينة", "قريبة من المترو"."""
    english, arabic = FEATURE_WORDS[feature]
    if ar:
        return arabic.replace("قربها من", "قريبة من") if arabic.startswith("قربها") else f"فيها {arabic}"
    return english.removeprefix("being ") if english.startswith("being ") else f"with {english}"


def _unmatched_line(content: dict[str, Any], ar: bool) -> str | None:
    names = [
        FEATURE_WORDS.get(f, (f.replace("_", " "), f.replace("_", " ")))
        for f in content.get("unmatched_features") or []
    ]
    if not names:
        return None
    if ar:
        return (
            f"مفيش وحدة بباقي المواصفات دي مكتوب فيها {' و'.join(n[1] for n in names)}، فدي أقرب الاختيارات من غيرها:"
        )
    return (f"None of the listings that match the rest mentions {' or '.join(n[0] for n in names)}, so these are the "
            "closest without it:")  # fmt: skip


# What a search would find with one group of its filters given up, as the buyer would say it.
RELAXED = {
    "price": ("without the budget limit", "من غير حد الميزانية"),
    "bedrooms": ("with any number of bedrooms", "بأي عدد غرف"),
    "bathrooms": ("with any number of bathrooms", "بأي عدد حمامات"),
    "size": ("in any size", "بأي مساحة"),
    "floor": ("on any floor", "في أي دور"),
    "finishing": ("with any finishing", "بأي تشطيب"),
    "delivery": ("with any delivery date", "بأي ميعاد استلام"),
    "payment": ("with any payment terms", "بأي نظام سداد"),
    "features": ("without the amenities you asked for", "من غير المميزات اللي طلبتها"),
    "compound": ("in any compound", "في أي كمبوند"),
    "developer": ("from any developer", "من أي مطور"),
    "property_type": ("of any type", "من أي نوع"),
    "location": ("in any area", "في أي منطقة"),
    "exclusions": ("including what you ruled out", "لو رجعنا اللي استبعدته"),
}


IN_OR_OUT_OF_A_COMPOUND = ("in or out of a compound", "جوه الكمبوند أو براه")
WITH_COMMERCIAL = ("counting offices, shops and clinics", "لو حسبنا المكاتب والمحلات والعيادات")
COMMERCIAL_TYPES = sorted(NON_RESIDENTIAL_TYPES)  # what search's homes_only leaves out, as applied_filters says it


def _only_homes(content: dict[str, Any]) -> bool:
    """The search left out the commercial units and nothing else (homes_only, or the buyer ruling out just those)."""
    applied = content.get("applied_filters") or {}
    others = [key for key in applied if key.startswith("exclude_") and key != "exclude_property_types"]
    return applied.get("exclude_property_types") == COMMERCIAL_TYPES and not others


def _relaxed_line(content: dict[str, Any], ar: bool) -> str | None:
    """Nothing matched: the two groups of filters that, given up alone, would find the most, with the cheapest price
    for the budget ("Without the budget limit there are 2, the cheapest at EGP 20,000,000"). The budget's is always
    one of the two when it finds any: what the cheapest costs is what a buyer with a budget needs to hear."""
    relaxations = [r for r in content.get("relaxations") or [] if (r.get("count") or 0) > 0]
    budget = next((r for r in relaxations if r.get("group") == "price"), None)
    stated = relaxations[:2] if budget is None or budget in relaxations[:2] else [relaxations[0], budget]
    parts, groups = [], []
    for relaxation in stated:
        words = RELAXED.get(relaxation.get("group", ""))
        if relaxation.get("group") == "compound" and "compounds" not in (relaxation.get("without") or []):
            words = IN_OR_OUT_OF_A_COMPOUND  # the buyer asked to be in a compound, or outside one, and named none
        if relaxation.get("group") == "exclusions" and _only_homes(content):
            words = WITH_COMMERCIAL  # left out for a buyer after a home (homes_only), not ruled out by them
        count, at_most = relaxation.get("count") or 0, relaxation.get("at_most") or 0
        if words is None or count <= 0:
            continue
        groups.append(relaxation["group"])
        many = f"{count}+" if at_most and count >= at_most else str(count)
        cheapest = relaxation.get("cheapest_price")
        if ar:
            if many == "1":
                part = f"{words[1]} فيه وحدة واحدة" + (f" بـ{egp(cheapest)} جنيه" if cheapest else "")
            else:
                part = f"{words[1]} فيه {many}" + (f"، أرخصهم بـ{egp(cheapest)} جنيه" if cheapest else "")
        else:
            are = "is" if many == "1" else "are"
            part = f"{words[0]} there {are} {many}" + (
                (", at EGP " if many == "1" else ", the cheapest at EGP ") + egp(cheapest) if cheapest else ""
            )
        parts.append(part)
    if not parts:
        return None
    # No yes-or-no question: the rules brain reads each message on its own, so the buyer is told what to say.
    budget_first = groups[0] == "price"
    if ar:
        ask = "قولي ميزانية من عند الرقم ده" if budget_first else "قولي تحب تغير إيه"
        return f"ملقتش وحدات عندنا بالمواصفات دي كلها. {'، و'.join(parts)}. {ask} وأنا أدورلك تاني."
    joined = "; ".join(parts)
    ask = "Tell me a budget from there" if budget_first else "Tell me what to change"
    return f"Nothing we have matches all of that. {joined[0].upper()}{joined[1:]}. {ask} and I will search again."


def _sale_only(reading: Reading, ar: bool) -> str:
    """What Amr says first to someone who asked to rent a home (a tenant, not a landlord renting one out): Osool lists
    homes for sale only, so what follows is for sale, never offered as a rental."""
    text = fold(str(reading.arguments.get("query", "")))
    if not renting(text) or INVEST.search(text) or SELL.search(text) or reading.note == "to_buy":
        return ""  # "to_buy": the buyer, told so, asked for the same homes to buy
    if ar:
        return "إحنا بنعرض وحدات للبيع بس، مش للإيجار. لو الشرا وارد عندك، دي الوحدات المعروضة للبيع بالمواصفات دي.\n"
    return "We list homes for sale only, not for rent. If buying is an option for you, here is what is for sale.\n"


# A search in price, size or price-per-metre order says so ("the cheapest", "أغلى", "the biggest", "أقل سعر للمتر"):
# (English, Arabic).
_ORDER_INTROS = {
    "size_desc": (
        "These match what you asked for, biggest first:",
        "دي الوحدات المناسبة لطلبك، من الأكبر مساحة للأصغر:",
    ),
    "size_asc": (
        "These match what you asked for, smallest first:",
        "دي الوحدات المناسبة لطلبك، من الأصغر مساحة للأكبر:",
    ),
    "price_asc": ("These match what you asked for, cheapest first:", "دي الوحدات المناسبة لطلبك، من الأرخص للأغلى:"),
    "price_desc": (
        "These match what you asked for, most expensive first:",
        "دي الوحدات المناسبة لطلبك، من الأغلى للأرخص:",
    ),
    "price_per_sqm_asc": (
        "These match what you asked for, the cheapest price per square metre first:",
        "دي الوحدات المناسبة لطلبك، من أقل سعر للمتر لأعلى سعر:",
    ),
    "price_per_sqm_desc": (
        "These match what you asked for, the highest price per square metre first:",
        "دي الوحدات المناسبة لطلبك، من أعلى سعر للمتر لأقل سعر:",
    ),
}


# The last search continued ("show me more", "any cheaper ones?", "bigger?"): how the reply opens, and what it says
# when the search has nothing more (indexed by "in Arabic").
CONTINUED_INTROS = {
    "more": ("More that match the same search:", "دي اختيارات تانية بنفس المواصفات:"),
    "cheaper": ("Cheaper ones that match the same search:", "دي وحدات أرخص بنفس المواصفات:"),
    "bigger": ("Bigger ones that match the same search:", "دي وحدات أكبر بنفس المواصفات:"),
}
CONTINUED_NONE = {
    "more": ("That is everything we have that matches this search. Tell me what to change (the area, the budget, the "
             "type) and I will look again.",
             "دي كل الوحدات اللي عندنا بالمواصفات دي. قولي تحب تغير إيه (المنطقة، الميزانية، النوع) وأدورلك تاني."),
    "cheaper": ("Nothing cheaper matches this search. Shall I look in a nearby area, or at a smaller unit?",
                "مفيش حاجة أرخص بنفس المواصفات. تحب أدور في منطقة قريبة، أو على وحدة أصغر؟"),
    "bigger": ("Nothing bigger matches this search. Shall I look with a higher budget, or in a nearby area?",
               "مفيش حاجة أكبر بنفس المواصفات. تحب أدور بميزانية أعلى، أو في منطقة قريبة؟"),
}  # fmt: skip


def _currency_line(content: dict[str, Any], ar: bool) -> str | None:
    """A budget said in another currency, left out of the search: listings are priced in pounds."""
    code = content.get("currency")
    if not code:
        return None
    return (f"أسعارنا بالجنيه المصري، فدورت من غير الميزانية اللي بالـ{code}؛ قولهالي بالجنيه وأنا أضيّق البحث." if ar
            else f"Our prices are in Egyptian pounds, so I searched without your budget in {code}; tell me it in "
            "pounds and I will narrow the search.")  # fmt: skip


def _search(content: dict[str, Any], reading: Reading, ar: bool, seed: str) -> str:
    text = _search_text(content, reading, ar, seed)
    currency = _currency_line(content, ar)
    return f"{currency}\n{text}" if currency else text


def _search_text(content: dict[str, Any], reading: Reading, ar: bool, seed: str) -> str:
    listings = content.get("listings") or []
    unmatched = _unmatched_line(content, ar)
    if not listings and reading.note in CONTINUED_NONE:
        return CONTINUED_NONE[reading.note][ar]
    if not listings:
        relaxed = _relaxed_line(content, ar)
        if relaxed:
            return relaxed
        if ar:
            return ("ملقتش وحدات موجودة عندنا بالمواصفات دي بالظبط. تحب نوسع الميزانية شوية، أو ندور في منطقة "
                    "قريبة، أو نغير عدد الغرف؟")  # fmt: skip
        return ("I could not find listings that match all of that. Shall I widen the budget a little, look in a "
                "nearby area, or change the number of bedrooms?")  # fmt: skip
    intro_en = ["Here is what I found that matches:", "These listings match what you asked for:",
                "I found these options for you:"]  # fmt: skip
    intro_ar = ["دي الوحدات اللي لقيتها مناسبة لطلبك:", "لقيتلك الاختيارات دي:", "دي الوحدات المتاحة بالمواصفات دي:"]
    by_price = _ORDER_INTROS.get(str(content.get("order")))
    continued = CONTINUED_INTROS.get(reading.note or "")
    intro = continued[ar] if continued else by_price[ar] if by_price else _pick(intro_ar if ar else intro_en, seed)
    if reading.stretched:
        budget = egp(reading.stretched)
        intro = (f"مفيش حاجة في حدود ميزانيتك ({budget} جنيه). دي أقرب الاختيارات، فوقها بشوية، الأرخص الأول:" if ar
                 else f"Nothing is within your budget of EGP {budget}. These are the closest, a little above it, "
                 "cheapest first:")  # fmt: skip
    given_up = [RELAXED[g][ar] for g in reading.arguments.get("relax") or [] if g in RELAXED]
    if reading.note == "relaxed" and given_up:  # "yes" to what giving up a filter would find: said as such
        said = " و".join(given_up) if ar else " and ".join(given_up)
        intro = f"دي اللي لقيتها {said}:" if ar else f"Here is what there is {said}:"
    applied = content.get("applied_filters") or {}
    if reading.note == "feature_size" and applied.get("features") and listings:
        # "which one has the biggest garden?": a listing states a garden, never its size
        names = [FEATURE_WORDS.get(f, (f.replace("_", " "),) * 2)[1 if ar else 0] for f in applied["features"]]
        named = " و".join(names) if ar else " and ".join(names)
        intro = (f"الإعلانات بتقول فيه {named} ولا لأ، بس مش بتقول المساحة. دول اللي فيهم {named}:" if ar else
                 f"Listings say whether there is {named}, not how big it is. These have {named}:")  # fmt: skip
    near = [f for f in applied.get("features") or [] if str(f).startswith("near_")]
    if reading.note == "feature_distance" and near and listings:
        # "which one is closest to the beach?": a listing states being near it, never how far
        names = [FEATURE_WORDS.get(f, (f.replace("_", " "),) * 2)[1 if ar else 0] for f in near]
        named = " و".join(names) if ar else " and ".join(name.removeprefix("being ") for name in names)
        intro = (f"الإعلانات بتقول {named} من غير مسافات. دول اللي مذكور فيهم ده:" if ar else
                 f"Listings say whether a home is {named}, not how far it is. These say so:")  # fmt: skip
    lines = [unmatched or intro]
    baths, down = "min_bathrooms" in applied, "max_down_payment" in applied
    finish = "finishing" in applied or "exclude_finishing" in applied
    wanted = list(applied.get("features") or [])
    floor = any(key in applied for key in ("floors", "min_floor", "max_floor", "exclude_floors"))
    lines += [listing_line(listing, ar, i, baths=baths, down=down, finish=finish, wanted=wanted, floor=floor)
              for i, listing in enumerate(listings[:3], start=1)]  # fmt: skip
    if len(listings) > 3:
        more = len(listings) - 3
        lines.append(f"و{_units_ar(more, other=True)} في الكروت." if ar else
                     f"{more} more {'is' if more == 1 else 'are'} on the cards below.")  # fmt: skip
    reserved = sum(1 for listing in listings if listing.get("on_chain_status") == "reserved")
    if reserved == 1:
        lines.append("خد بالك: واحدة من دول محجوزة بالفعل على السجل." if ar else
                     "Worth knowing: one of these is already reserved on the registry.")  # fmt: skip
    elif reserved:
        lines.append(f"خد بالك: {reserved} من دول محجوزين بالفعل على السجل." if ar else
                     f"Worth knowing: {reserved} of these are already reserved on the registry.")  # fmt: skip
    closing_en = [offer_question(key, False) for key in ("registry_or_compare", "true_cost_or_compare", "which_one")]
    closing_ar = [offer_question(key, True) for key in ("registry_or_compare", "true_cost_or_compare", "which_one")]
    if reading.note == "invest" and len(listings) == 1:  # the yield of the one shown is the next step
        lines.append("قولي الإيجار اللي متوقعه ليها وأنا أحسبلك العائد بتاعها." if ar else
                     "Tell me the rent you expect for it and I will work out its yield.")  # fmt: skip
    elif reading.note == "invest":  # a budget to invest, no rent said: the yield of one of these is the next step
        lines.append("قولي الإيجار اللي متوقعه لواحدة منهم وأنا أحسبلك العائد بتاعها." if ar else
                     "Tell me the rent you expect for one of them and I will work out its yield.")  # fmt: skip
    elif len(listings) == 1:  # one listing: nothing to compare it with among these
        lines.append("تحب أتأكد إنها متاحة على السجل، ولا أحسبلك التمويل، ولا نحجز معاد معاينة؟" if ar else
                     "Shall I check it on the registry, work out its mortgage, or book a viewing?")  # fmt: skip
    elif not (applied or content.get("order") not in (None, "relevance") or reading.note):
        # "a place for my family": nothing said that narrows the search (a place, a type, a budget, rooms), so the
        # listings are only the nearest to the words; what would narrow them is the next step, not a comparison
        lines.append("قولي المنطقة والميزانية وعدد الغرف اللي محتاجها، وأنا أضيقلك الاختيارات." if ar else
                     "Tell me the area, your budget and how many bedrooms you need, and I will narrow these "
                     "down.")  # fmt: skip
    else:
        lines.append(_pick(closing_ar if ar else closing_en, seed + "close"))
    return "\n".join(lines)


# "Which one is the biggest?" answered: what the one named is, of the listings shown (rules: note "of_these:<order>").
OF_THESE = {
    "size_desc": ("the biggest", "الأكبر"), "size_asc": ("the smallest", "الأصغر"),
    "price_asc": ("the cheapest", "الأرخص"), "price_desc": ("the most expensive", "الأغلى"),
    "price_per_sqm_asc": ("the cheapest per m²", "الأرخص في سعر المتر"),
    "price_per_sqm_desc": ("the dearest per m²", "الأغلى في سعر المتر"),
}  # fmt: skip


def _property(content: dict[str, Any], reading: Reading, ar: bool) -> str:
    listing = content["listing"]
    status = STATUS["ar" if ar else "en"].get(str(listing.get("on_chain_status")), "")
    more = (f" الوحدة {status}." if ar else f" It is {status}.") if status else ""
    superlative = OF_THESE.get((reading.note or "").removeprefix("of_these:"))
    if superlative:
        title, place = listing.get("title"), (reading.places or (0,))[0]
        which = _place_name(place, ar)
        if ar:
            head = f"{superlative[1]} من دول{f' هي {which}' if which else ''}: {title}."
        else:
            head = f"Of these, {superlative[0]} is {f'{which}: ' if which else ''}{title}."
    answer = _answers(listing, reading.asked, ar)
    if reading.brief and (answer or reading.asked.get("fair_price")) and not superlative:
        # Asked of the listing whose details the last reply gave: the answer, and what else to ask, not all again
        more_asked = "تحب تعرف حاجة تانية عنها؟" if ar else "Anything else you would like to know about it?"
        return "\n".join([answer, *_true_cost(content, reading, ar), *_fair_price(content, reading, ar), more_asked])
    lines = [head if superlative else "", answer, *_true_cost(content, reading, ar), *_fair_price(content, reading, ar),
             listing_line(listing, ar) + more, _details(listing, ar)]  # fmt: skip
    lines.append("تحب أحسبلك القسط الشهري أو أقارنها بوحدة تانية؟" if ar else
                 "Shall I work out the monthly payment, or compare it with another unit?")  # fmt: skip
    return "\n".join(line for line in lines if line)


def _fair_price(content: dict[str, Any], reading: Reading, ar: bool) -> list[str]:
    """Asked whether its price is good ("is the first one a good price?"): its price per m² beside the median asking
    price of its place and type (and bedrooms), and what that does and does not tell; asking prices, not sales."""
    if not reading.asked.get("fair_price"):
        return []
    listing, market = content["listing"], content.get("market")
    if not market:
        return ["ملقتش وحدات شبهها كفاية عشان أقارن سعرها بالسوق." if ar else
                "There are too few listings like it to set its price beside the market's."]  # fmt: skip
    own, median, count, pct = (egp(listing["price_per_sqm"]), egp(market["median_price_per_sqm"]), market["count"],
                               f"{market['difference_pct']:g}%")  # fmt: skip
    kind, rooms, where = market["property_type"], market.get("bedrooms"), market["location"]
    if ar:
        place = listing.get("location_ar") or where
        peers = f"{TYPE_PLURAL_AR.get(kind, kind)}{f' {_rooms(int(rooms), ar)}' if rooms else ''} في {place}"
        said = {"in_line": "في حدود", "above": f"أعلى بـ {pct} من", "below": f"أقل بـ {pct} من"}[market["position"]]
        why = {
            "in_line": "سعرها في المتوسط.",
            "above": "ممكن يبقى فيه مجال للتفاوض، أو سبب يستاهل تسأل عنه (التشطيب، الفيو، الدور).",
            "below": "سعر كويس على الورق؛ اسأل ليه (الحالة، الاستلام، الدور) قبل ما تلتزم.",
        }[market["position"]]
        return [f"سعر المتر فيها {own} جنيه، {said} متوسط سعر المعروض لـ {_units_ar(count)} من {peers} ({median} جنيه "
                f"للمتر). {why} دي أسعار معروضة، مش أسعار بيع فعلية."]  # fmt: skip
    peers = f"{f'{rooms}-bedroom ' if rooms else ''}{TYPE_PLURAL.get(kind, kind).lower()} in {where}"
    said = {"in_line": "in line with", "above": f"{pct} above", "below": f"{pct} below"}[market["position"]]
    why = {
        "in_line": "Its price is about the going rate.",
        "above": "There may be room to negotiate, or a reason worth asking about (finishing, view, floor).",
        "below": "A good price on paper; ask why (condition, delivery, floor) before you commit.",
    }[market["position"]]
    return [f"At EGP {own}/m², it is {said} the median asking price of {counted(count, 'listing', 'listings')} of "
            f"{peers} (EGP {median}/m²). {why} These are asking prices, not what homes sold for."]  # fmt: skip


def _true_cost(content: dict[str, Any], reading: Reading, ar: bool) -> list[str]:
    """Asked the true cost of one listing ("احسبلي التكلفة الحقيقية للأولى"): its plan's payments added up, and what
    they are worth in today's money against paying cash, with what that assumes."""
    cost = content.get("true_cost") or {}
    if not reading.asked.get("true_cost") or cost.get("present_value") is None:
        return []
    if cost.get("is_cash"):
        lines = [f"دي بتتدفع كاش: {egp(cost['cash_present_value'])} جنيه بفلوس النهارده، بوديعة الصيانة." if ar else
                 f"It is paid in cash: EGP {egp(cost['cash_present_value'])} in today's money, with the maintenance "
                 "deposit."]  # fmt: skip
    else:
        saving = int(cost.get("saving_vs_cash") or 0)
        lines = [
            f"خطة السداد بتاعتها إجماليها {egp(cost['nominal_total'])} جنيه، وقيمتها بفلوس النهارده "
            f"{egp(cost['present_value'])} جنيه مقابل {egp(cost['cash_present_value'])} جنيه لو دفعت كاش"
            + (f"، يعني التقسيط أوفر بـ {egp(saving)} جنيه." if saving > 0 else "، يعني الكاش أوفر.")
            if ar else
            f"Its plan's payments add up to EGP {egp(cost['nominal_total'])}, worth EGP {egp(cost['present_value'])} "
            f"in today's money against EGP {egp(cost['cash_present_value'])} paying cash"
            + (f": the plan is EGP {egp(saving)} cheaper." if saving > 0 else ": paying cash is cheaper.")
        ]  # fmt: skip
    lines += [("افتراض: " if ar else "Assumption: ") + item for item in assumptions_of(cost, ar)]
    return lines


def _details(listing: dict[str, Any], ar: bool) -> str:
    """What one listing's line leaves out, for a buyer who asked about it: the developer, bathrooms, finishing, floor,
    whether it is a resale, and its features."""
    parts = []
    developer = (ar and listing.get("developer_ar")) or listing.get("developer")
    if developer:
        parts.append(f"المطور {developer}" if ar else f"developer {developer}")
    if listing.get("bathrooms"):
        parts.append(_baths(int(listing["bathrooms"]), ar))
    finishing = FINISHING_WORDS.get(str(listing.get("finishing")))
    if finishing:
        parts.append(finishing[1] if ar else finishing[0])
    if listing.get("floor") is not None:
        parts.append(_floor_words(int(listing["floor"]), ar))
    if listing.get("sale_type") in ("resale", "developer"):
        resale = listing["sale_type"] == "resale"
        parts.append(("ريسيل" if resale else "من المطور") if ar else ("resale" if resale else "from the developer"))
    named = [FEATURE_WORDS[f][1 if ar else 0] for f in listing.get("features") or [] if f in FEATURE_WORDS]
    has = [word for word in named if not word.startswith(("being ", "قربها"))]
    near = [word.removeprefix("being ").replace("قربها من", "قريبة من") for word in named if word not in has]
    if has:
        parts.append(("فيها " + " و".join(has)) if ar else "with " + ", ".join(has))
    parts += near
    if not parts:
        return ""
    return ("التفاصيل: " + "، ".join(parts) + ".") if ar else ("Details: " + "; ".join(parts) + ".")


FINISHING_WORDS = {
    "core_and_shell": ("core and shell", "على الطوب"), "semi_finished": ("semi-finished", "نص تشطيب"),
    "fully_finished": ("fully finished", "متشطبة"), "furnished": ("furnished", "مفروشة"),
}  # fmt: skip


def _floor_words(floor: int, ar: bool) -> str:
    if floor == 0:
        return "في الدور الأرضي" if ar else "on the ground floor"
    if floor < 0:
        return "في البدروم" if ar else "in the basement"
    return f"في الدور {floor}" if ar else f"on floor {floor}"


def _answers(listing: dict[str, Any], asked: dict[str, list[Any]], ar: bool) -> str:
    """The answer to what a question asked the listing has ("does it have a garden?", "is it furnished?", "is it on
    the ground floor?"), from its listing alone: a feature is mentioned or not (not mentioned is not "no")."""
    lines = []
    wanted = asked.get("features") or []
    if wanted and asked.get("feature_size"):
        # "how big is the roof?": a listing states a roof, never its size; whether it has one, and its own size
        named = (" و" if ar else " and ").join(FEATURE_WORDS.get(f, (f.replace("_", " "),) * 2)[1 if ar else 0]
                                                for f in wanted)  # fmt: skip
        lines.append(f"الإعلانات بتقول فيه {named} ولا لأ، بس مش بتقول المساحة." if ar else
                     f"Listings say whether there is {named}, not how big it is.")  # fmt: skip
    if wanted:
        names = {f: FEATURE_WORDS.get(f, (f.replace("_", " "),) * 2)[1 if ar else 0] for f in wanted}
        has = [names[f] for f in wanted if f in (listing.get("features") or [])]
        lacks = [names[f] for f in wanted if names[f] not in has]
        join = " و".join if ar else " and ".join
        if has and lacks:
            lines.append(f"الإعلان ذاكر {join(has)}، بس مش ذاكر {join(lacks)}." if ar else
                         f"Its listing mentions {join(has)}, but not {join(lacks)}.")  # fmt: skip
        elif has:
            lines.append(f"أيوه، الإعلان ذاكر {join(has)}." if ar else f"Yes: its listing mentions {join(has)}.")
        else:
            lines.append(f"الإعلان مش ذاكر {join(lacks)}." if ar else f"Its listing does not mention {join(lacks)}.")
    finishings = [f for f in asked.get("finishing") or [] if f in FINISHING_WORDS]
    if finishings:
        actual = listing.get("finishing")
        said = " أو ".join if ar else " or ".join
        wanted_words = said([FINISHING_WORDS[f][1 if ar else 0] for f in finishings])
        if actual not in FINISHING_WORDS:
            lines.append("الإعلان مش ذاكر التشطيب." if ar else "Its listing does not say how it is finished.")
        elif actual in finishings:
            lines.append(f"أيوه، {FINISHING_WORDS[actual][1]}." if ar else f"Yes, it is {FINISHING_WORDS[actual][0]}.")
        else:
            lines.append(f"لا، {FINISHING_WORDS[actual][1]} مش {wanted_words}." if ar else
                         f"No: it is {FINISHING_WORDS[actual][0]}, not {wanted_words}.")  # fmt: skip
    floors, lowest, highest = (asked.get(key) or [] for key in ("floors", "min_floor", "max_floor"))
    if floors or lowest or highest:
        floor = listing.get("floor")
        if floor is None:
            lines.append("الإعلان مش ذاكر الدور." if ar else "Its listing does not state a floor.")
        elif (not floors or floor in floors) and all(floor >= n for n in lowest) and all(floor <= n for n in highest):
            lines.append(f"أيوه، هي {_floor_words(floor, ar)}." if ar else f"Yes, it is {_floor_words(floor, ar)}.")
        else:
            lines.append(f"لا، هي {_floor_words(floor, ar)}." if ar else f"No, it is {_floor_words(floor, ar)}.")
    if asked.get("plan"):
        plan = _plan(listing, ar, amount=True)
        if plan:
            lines.append(
                f"خطة السداد: {plan}. ولو عايز تمويل بنكي بدل كده، قولي وأحسبهولك."
                if ar
                else f"Its payment plan: {plan}. A bank mortgage instead? Say so and I will work it out."
            )
    if asked.get("developer"):
        developer = (ar and listing.get("developer_ar")) or listing.get("developer")  # as its details name it
        lines.append((f"المطور: {developer}." if ar else f"Its developer is {developer}.") if developer else
                     ("الإعلان مش ذاكر مطور." if ar else "Its listing does not name a developer."))  # fmt: skip
    if asked.get("negotiable"):
        lines.append(f"{egp(listing.get('price'))} جنيه ده السعر اللي البايع طالبه؛ التفاوض عليه قرار البايع، "
                     "ومستشارينا بيتفاوضوا بالنيابة عنك لما تكون جاد في وحدة." if ar else
                     f"EGP {egp(listing.get('price'))} is the seller's asking price; whether it comes down is the "
                     "seller's call, and our consultants negotiate on your behalf once you are serious about a "
                     "unit.")  # fmt: skip
    if asked.get("photos"):
        link = listing.get("source_url")
        if listing.get("image_url"):
            lines.append("صورتها في الكارت تحت." if ar else "Its photo is on its card below.")
        else:
            lines.append("الإعلان لسه مفيهوش صور." if ar else "Its listing has no photos yet.")
        if link:
            lines.append(f"الإعلان كامل: {link}" if ar else f"The full listing: {link}")
    if asked.get("maintenance"):
        lines.append("الإعلان مش ذاكر وديعة الصيانة ولا مصاريف الخدمة؛ مستشارنا يأكدهالك مع البايع قبل ما تلتزم." if ar
                     else "Its listing does not state a maintenance deposit or service charge; our consultant will "
                     "confirm it with the seller before you commit.")  # fmt: skip
    if asked.get("delivery"):
        when = asked["delivery"] == ["when"]  # "when is it delivered?" rather than "is it delivered?"
        if listing.get("is_delivered"):
            lines.append(("جاهزة للاستلام فورًا." if when else "أيوه، جاهزة للاستلام فورًا.") if ar else
                         ("It is ready to move in now." if when else "Yes: it is ready to move in."))  # fmt: skip
        elif listing.get("delivery_year"):
            year = listing["delivery_year"]
            lines.append(
                (f"استلامها سنة {year}." if when else f"لا، استلامها سنة {year}.")
                if ar
                else (f"It is due for delivery in {year}." if when else f"No: it is due for delivery in {year}.")
            )
        else:
            lines.append("الإعلان مش ذاكر ميعاد الاستلام." if ar else "Its listing does not say when it is delivered.")
    if asked.get("age"):  # a listing states its delivery, not when it was built
        year = listing.get("delivery_year")
        if not listing.get("is_delivered") and year:
            lines.append(
                f"لسه مبنيتش: استلامها سنة {year}." if ar else f"It is not built yet: it is due for delivery in {year}."
            )
        elif year:
            lines.append(f"اتسلمت سنة {year}." if ar else f"It was delivered in {year}.")
        else:
            lines.append("الإعلان مش ذاكر سنة البنا، بس هي جاهزة للاستلام." if ar else
                         "Its listing does not say when it was built; it is ready to move in.")  # fmt: skip
    if asked.get("which_floor"):
        floor = listing.get("floor")
        lines.append((f"هي {_floor_words(int(floor), ar)}." if ar else f"It is {_floor_words(int(floor), ar)}.")
                     if floor is not None else
                     ("الإعلان مش ذاكر الدور." if ar else "Its listing does not say which floor."))  # fmt: skip
    if asked.get("price") and listing.get("price"):
        per_m2 = listing.get("price_per_sqm")
        lines.append(
            (f"سعرها {egp(listing['price'])} جنيه" + (f" ({egp(per_m2)} جنيه للمتر)." if per_m2 else ".")) if ar else
            (f"It is EGP {egp(listing['price'])}" + (f" (EGP {egp(per_m2)}/m²)." if per_m2 else "."))
        )  # fmt: skip
    if asked.get("size"):
        rooms = listing.get("bedrooms")
        rooms_said = (f"، {_rooms(int(rooms), ar)}" if ar else f", {_rooms(int(rooms), ar)}") if rooms else ""
        # after "how big is the roof?": the home's size, said to be the home's
        lead = (
            ("الوحدة نفسها" if ar else "The home itself is")
            if asked.get("feature_size")
            else ("مساحتها" if ar else "It is")
        )
        lines.append(f"{lead} {egp(listing.get('size_sqm'))} متر{rooms_said}." if ar else
                     f"{lead} {egp(listing.get('size_sqm'))} m²{rooms_said}.")  # fmt: skip
    # "how many bedrooms?", "كام حمام؟": the count its listing gives, or that it gives none.
    for key, number_of, missing in (
        ("bedrooms", _rooms, ("الأوض", "bedrooms")),
        ("bathrooms", _baths, ("الحمامات", "bathrooms")),
    ):
        if not asked.get(key):
            continue
        count = listing.get(key)
        if count:
            lines.append(f"فيها {number_of(int(count), ar)}." if ar else f"It has {number_of(int(count), ar)}.")
        else:
            lines.append(f"الإعلان مش ذاكر عدد {missing[0]}." if ar else f"Its listing does not give its {missing[1]}.")
    if asked.get("where"):
        compound = (ar and listing.get("compound_ar")) or listing.get("compound")
        place = ((ar and listing.get("location_ar")) or listing.get("location")) or ""
        # No compound: the district its title names before the place ("... in District 10, Sheikh Zayed"), if any
        located = str(listing.get("location") or "")
        titled = re.search(rf"\bin ([^,]{{2,40}}), {re.escape(located)}\b", str(listing.get("title") or ""))
        district = titled.group(1) if titled and located and not compound else None
        within = compound or district
        where = f"{within}، {place}" if within and ar else f"{within}, {place}" if within else place
        if ar:
            gives = "الكمبوند والمنطقة" if compound else "الحي والمنطقة" if district else "المنطقة"
            lines.append(f"مكانها: {where}. الإعلان بيذكر {gives}، مش العنوان بالتفصيل.")
        else:
            gives = ("the compound and the area" if compound else "the district and the area" if district
                     else "the area")  # fmt: skip
            lines.append(f"It is in {where}. Its listing gives {gives}, not a street address.")
    if asked.get("distance"):
        place = ((ar and listing.get("location_ar")) or listing.get("location")) or ""
        lines.append(f"معنديش مسافات أو مدة الطريق للوحدات، بس مكانها: {place}." if ar else
                     f"I have no distances or travel times for listings, only where they are: {place}.")  # fmt: skip
    in_compound = asked.get("in_compound") or []
    if in_compound:
        compound = (ar and listing.get("compound_ar")) or listing.get("compound")
        if compound:
            lines.append(f"{'أيوه' if in_compound[0] else 'لا'}، في كمبوند {compound}." if ar else
                         f"{'Yes' if in_compound[0] else 'No'}: it is in {compound}.")  # fmt: skip
        elif ar:
            lines.append("لا، مش في كمبوند." if in_compound[0] else "أيوه، مش في كمبوند.")
        else:
            lines.append("No, it is not in a compound." if in_compound[0] else "Yes, it is not in a compound.")
    cash_only = asked.get("is_cash_only") or []
    if cash_only:
        plan = _plan(listing, ar)
        if listing.get("is_cash_only"):
            yes = "أيوه، كاش بس." if ar else "Yes, it is cash only."
            lines.append(yes if cash_only[0] else ("لا، دي كاش بس." if ar else "No: it is for cash only."))
        elif plan:
            lines.append(f"{'لا، ' if cash_only[0] else 'أيوه، '}{plan}." if ar else
                         f"{'No' if cash_only[0] else 'Yes'}: {plan}.")  # fmt: skip
        else:
            lines.append("الإعلان مش ذاكر خطة سداد." if ar else "Its listing states no payment plan.")
    return " ".join(lines)


def assumptions_of(content: dict[str, Any], ar: bool) -> list[str]:
    """A calculation's assumptions in the reply's language (the finance tools state them in both)."""
    return [str(item) for item in (ar and content.get("assumptions_ar")) or content.get("assumptions") or []]


WINNER_LABELS = {
    "best_value_per_sqm": ("Best value per m²", "أرخص سعر للمتر"), "longest_plan": ("Longest plan", "أطول تقسيط"),
    "lowest_monthly": ("Lowest monthly", "أقل قسط شهري"), "lowest_true_cost": ("Lowest true cost", "أقل تكلفة حقيقية"),
    "lowest_down_payment": ("Lowest down payment", "أقل مقدم"),
}  # fmt: skip


def _compare(content: dict[str, Any], ar: bool, reading: Reading) -> str:
    asked = reading.note  # the winner asked for ("which has the lowest monthly?"), said first
    listings = {item["id"]: item for item in content.get("listings", [])}
    comparison = content.get("comparison") or {}
    units = comparison.get("units", [])
    # Each unit by its number in the comparison: two listings may share a title, and an id means nothing to a buyer;
    # by its place in the list shown where the buyer named them so ("compare the first and the third").
    number = {unit.get("id"): n for n, unit in enumerate(units, start=1)}
    compared = reading.arguments.get("property_ids") or []
    by_place = dict(zip(compared, reading.places, strict=False))  # none, or one each
    if len(by_place) == len(compared) and set(number) <= set(by_place):
        number = {unit_id: by_place[unit_id] for unit_id in number}
    else:
        by_place = {}
    lines = ["مقارنة الوحدات:" if ar else "Side by side:"]
    for unit in units:
        listing = listings.get(unit.get("id"), {})
        if listing:
            lines.append(listing_line(listing, ar, number[unit.get("id")]))
        cost = unit.get("true_cost") or {}
        if cost.get("present_value") is not None and not cost.get("is_cash"):
            lines.append(
                f"  التكلفة الحقيقية للخطة بفلوس النهارده: {egp(cost['present_value'])} جنيه مقابل "
                f"{egp(cost.get('cash_present_value'))} جنيه كاش." if ar else
                f"  True cost of the plan in today's money: EGP {egp(cost['present_value'])} against "
                f"EGP {egp(cost.get('cash_present_value'))} paying cash."
            )  # fmt: skip
        own = assumptions_of(cost, ar)  # this unit's defaults: its delivery month, a typical down payment
        if own:
            lines.append(f"  افتراضات: {'؛ '.join(own)}." if ar else f"  Assumed: {'; '.join(own)}.")

    def title(key: str) -> str | None:
        winner = (comparison.get("winners") or {}).get(key)
        if not winner or winner not in number:
            return None
        name = listings.get(winner, {}).get("title")
        said = (by_place and _place_name(number[winner], ar)) or (
            f"رقم {number[winner]}" if ar else f"number {number[winner]}"
        )
        return f"{said} ({name})" if name else said

    named = False
    for key, (en, arabic) in WINNER_LABELS.items():
        name = title(key)
        if name and key == asked:
            named = True
            # The question the comparison answers goes first: "Of these, the lowest down payment: number 2 (...)."
            lines.insert(0, f"من دول، {arabic}: {name}." if ar else f"Of these, {en.lower()}: {name}.")
        elif name and key != "lowest_down_payment":
            lines.append(f"{arabic}: {name}." if ar else f"{en}: {name}.")
    lines += [("افتراض: " if ar else "Assumption: ") + item for item in assumptions_of(comparison, ar)]
    # The one asked for named first: its availability offered (rules.compared_winner reads which); else which one
    lines.append(offer_question("winner_available" if named else "which_one", ar))
    return "\n".join(lines)


def _each(content: dict[str, Any], reading: Reading, ar: bool) -> str:
    """A question asked of several listings ("does the first and the third have a garden?"): each one's answer, named
    as the buyer named it (its place in the list shown) with its title, in the order named."""
    listings = {item["id"]: item for item in content.get("listings", [])}
    lines = []
    for n, listing_id in enumerate(reading.arguments.get("property_ids") or []):
        listing = listings.get(listing_id)
        if not listing:
            continue
        place = reading.places[n] if n < len(reading.places) else None
        title = str(listing.get("title") or "")
        if place is None:  # "do all of them have a garden?": none named by its place, so by its title and price
            price = listing.get("price")
            which = title if not price else f"{title} ({egp(price)} جنيه)" if ar else f"{title} (EGP {egp(price)})"
        else:
            named = _place_name(place, ar) or (f"رقم {place}" if ar else f"number {place}")
            which = f"{named[0].upper()}{named[1:]} ({title})"
        lines.append(f"{which}: {_answers(listing, reading.asked, ar)}")
    lines.append(offer_question("side_by_side", ar))
    return "\n".join(lines)


# The names an Arabic reply gives the rates the finance tool did not take from a named programme, and the yield grades.
PROGRAMME_AR = {"market": "سعر السوق في البنوك", "custom": "الفايدة اللي انت قلتها"}
GRADE_AR = {"Excellent": "ممتاز", "Good": "كويس", "Fair": "مقبول"}
CONFIDENCE_AR = {"high": "عالية", "medium": "متوسطة", "low": "ضعيفة", "none": "مفيش مقارنات كفاية"}


# Said before the loan on a listing with no instalment plan of its own (or one shorter than the term asked for): its
# monthly over that term can only be a bank's.
UNPLANNED = {
    "cash_only": ("It is sold for cash only (the seller takes no instalments), so a bank mortgage would finance it.",
                  "الوحدة دي كاش بس (البايع مش بيقسط)، فالتمويل هيكون بقرض من البنك."),
    "no_plan": ("Its listing states no instalment plan, so a bank mortgage would finance it.",
                "الإعلان مش مذكور فيه تقسيط، فالتمويل هيكون بقرض من البنك."),
    "plan_shorter": ("Its own instalment plan is shorter than that, so over that term a bank mortgage would "
                     "finance it.", "خطة التقسيط بتاعتها أقصر من كده، فعلى المدة دي التمويل هيكون بقرض من البنك."),
    "plan_down": ("Its own instalment plan asks for another down payment, so with the one you said a bank mortgage "
                  "would finance it.",
                  "خطة التقسيط بتاعتها بمقدم تاني، فبالمقدم اللي قلته التمويل هيكون بقرض من البنك."),
}  # fmt: skip


def _mortgage(content: dict[str, Any], reading: Reading, ar: bool) -> str:
    rate = content.get("annual_rate_pct")
    programme = (content.get("programme") or {}).get("name", "")
    if ar:
        programme = PROGRAMME_AR.get((content.get("programme") or {}).get("id", ""), programme)
        lines = [
            f"على قرض {egp(content['loan_amount'])} جنيه لمدة {_years_ar(content['years'])} بفايدة {rate:g}% "
            f"({programme}): القسط الشهري {egp(content['monthly_payment'])} جنيه، إجمالي الفوايد "
            f"{egp(content['total_interest'])} جنيه، وإجمالي الأقساط {egp(content['total_paid'])} جنيه."
        ]
    else:
        lines = [f"On a loan of EGP {egp(content['loan_amount'])} over {content['years']} years at {rate:g}% "
                 f"({programme}): EGP {egp(content['monthly_payment'])} a month, EGP {egp(content['total_interest'])} "
                 f"of interest, EGP {egp(content['total_paid'])} paid in all."]  # fmt: skip
    if reading.note in UNPLANNED:
        lines.insert(0, UNPLANNED[reading.note][ar])
    if reading.note == "joint_income" and reading.arguments.get("monthly_income"):
        joint = egp(reading.arguments["monthly_income"])
        lines.insert(0, f"دخلكم مع بعض: {joint} جنيه في الشهر." if ar else
                     f"Your incomes together: EGP {joint} a month.")  # fmt: skip
    reach = None
    if content.get("down_payment") and (content.get("affordability") or {}).get("max_price_for_income"):
        # An income alone: the price that largest loan buys, with the down payment it takes (after the loan it is)
        within = egp(content["affordability"]["max_price_for_income"])
        reach = (f"ومع مقدم {egp(content['down_payment'])} جنيه، ده يشتريلك وحدة لحد {within} جنيه." if ar else
                 f"With a down payment of EGP {egp(content['down_payment'])}, that buys a home of up to EGP "
                 f"{within}.")  # fmt: skip
    elif content.get("down_payment"):
        lines.append(f"المقدم {egp(content['down_payment'])} جنيه." if ar else
                     f"Down payment: EGP {egp(content['down_payment'])}.")  # fmt: skip
    afford = content.get("affordability")
    if afford:
        lines.append(
            f"بدخلك، البنك يقبل قسط لحد {egp(afford['max_payment_for_income'])} جنيه، يعني قرض لحد "
            f"{egp(afford['max_loan_for_income'])} جنيه." if ar else
            f"With your income a lender accepts an instalment up to EGP {egp(afford['max_payment_for_income'])}, "
            f"so a loan of up to EGP {egp(afford['max_loan_for_income'])}."
        )  # fmt: skip
    if reach:
        lines.append(reach)
    if afford and afford.get("subsidised"):
        lines.append(_subsidised(afford["subsidised"], ar))
    lines += [("افتراض: " if ar else "Assumption: ") + item for item in assumptions_of(content, ar)]
    # On a listing shown, seeing it is the next step; on a price said, the listings at it
    lines.append(offer_question("viewing" if reading.arguments.get("property_id") else "budget", ar))
    return "\n".join(lines)


def _subsidised(reach: dict[str, Any], ar: bool) -> str:
    """What the subsidised programme an income qualifies for would buy: said as an if, since such initiatives close to
    new applicants or change, with the date of the figures."""
    programme = reach["programme"]
    rate, years, as_of = f"{programme['annual_rate_pct']:g}", reach["years"], programme["as_of"]
    price, loan, monthly, down = (egp(reach[key]) for key in ("max_price", "loan_amount", "monthly_payment",
                                                              "down_payment"))  # fmt: skip
    if ar:
        capped = " (ده أقصى سعر وحدة في البرنامج)" if reach.get("capped_by_programme") else ""
        return (f"لو {programme['name']} لسه بتقبل طلبات جديدة (اتأكد من البنك؛ أرقامها من {as_of})، بفايدة {rate}% "
                f"على {_years_ar(years)} دخلك يشتري وحدة لحد {price} جنيه{capped}: قرض {loan} جنيه بقسط {monthly} "
                f"جنيه في الشهر ومقدم {down} جنيه، لوحدة متشطبة ومتسجلة تكون سكنك الأساسي.")  # fmt: skip
    capped = " (the programme's price limit)" if reach.get("capped_by_programme") else ""
    return (f"If the {programme['name']} still takes new applicants (check with your bank; its figures date from "
            f"{as_of}), at {rate}% over {years} years your income could buy a home of up to EGP {price}{capped}: a "
            f"loan of EGP {loan} at EGP {monthly} a month with EGP {down} down, for a finished, registered home that "
            f"is your primary residence.")  # fmt: skip


def _roi(content: dict[str, Any], reading: Reading, ar: bool) -> str:
    if ar:
        lines = [
            f"على سعر {egp(content['property_price'])} جنيه وإيجار {egp(content['annual_rent'])} جنيه في السنة: "
            f"العائد الإجمالي {content['gross_yield_pct']:g}% والصافي {content['net_yield_pct']:g}% بعد مصاريف "
            f"{egp(content['annual_costs'])} جنيه في السنة."
        ]
        if content.get("break_even_years"):
            grade = GRADE_AR.get(content["grade"], content["grade"])
            lines.append(f"ترجع تمنها في حوالي {content['break_even_years']:g} سنة. التقييم: {grade}.")
    else:
        lines = [f"At EGP {egp(content['property_price'])} with EGP {egp(content['annual_rent'])} of rent a year: "
                 f"{content['gross_yield_pct']:g}% gross yield and {content['net_yield_pct']:g}% net after "
                 f"EGP {egp(content['annual_costs'])} of yearly costs."]  # fmt: skip
        if content.get("break_even_years"):
            lines.append(f"It pays for itself in about {content['break_even_years']:g} years. "
                         f"Grade: {content['grade']}.")  # fmt: skip
    lines += [("افتراض: " if ar else "Assumption: ") + item for item in assumptions_of(content, ar)]
    if reading.note == "season":  # asked of a summer let, with no summer rent said: the usual rent is all year's
        lines.append("ده على إيجار السنة كلها. لو هتأجرها في الصيف بس، قولي الإيجار الشهري اللي متوقعه في الصيف وأنا "
                     "أحسبلك العائد على الشهور دي." if ar else
                     "That is at a whole year's rent. Let only in the summer, tell me the monthly summer rent you "
                     "expect and I will work out its yield over those months.")  # fmt: skip
    if "property_id" in reading.arguments:  # a listing's yield
        lines.append("تحب أقارنها بوحدة تانية؟" if ar else "Shall I compare it with another unit?")
    elif reading.note != "own_home":  # a price the buyer named: the listings at it are the next step
        lines.append(offer_question("budget", ar))
    return "\n".join(lines)


def _finished_alike(content: dict[str, Any], ar: bool, supposed: bool = False) -> str:
    """How many of a valuation's comparables are finished as the home is, when its finishing was given: " (7 of them
    fully finished, as yours is)"; none of them, said so. A finishing `supposed` ("لو متشطبة؟") is not called the
    seller's."""
    words = FINISHING_WORDS.get(str(content.get("finishing")))
    if not words:
        return ""
    same, n = int(content.get("same_finishing") or 0), int(content["comparables_count"])
    if ar:
        yours = "" if supposed else " زي وحدتك"
        if not same:
            return f" (مفيش منهم {words[1]}{yours}، فخد التقدير ده تقريبي)"
        return f" ({'كلهم' if same == n else f'منهم {same}'} {words[1]}{yours})"
    yours = "" if supposed else " as yours is"
    if not same:
        return f" (none of them {words[0]}{yours}, so take it as rough)"
    return f" ({'all' if same == n else f'{same}'} of them {words[0]}{',' if yours else ''}{yours})"


def _valuation(
    content: dict[str, Any], ar: bool, asking: int | None = None, before: int | None = None, supposed: bool = False
) -> str:
    n, estimate = int(content["comparables_count"]), int(content["estimate"])
    alike = _finished_alike(content, ar, supposed)
    # Between the estimate and the caveat: how far it moved from the estimate before ("لو متشطبة؟", "3 bedrooms"), and
    # the price the seller said before it could be made, set against it.
    between = []
    if before and estimate != before:
        up, share = estimate > before, round(abs(estimate - before) / before * 100)
        # (the share only: a difference in pounds is a figure no tool stated, which grounding would strike out)
        between.append(
            f"يعني {'أعلى' if up else 'أقل'} بـ{share}% من التقدير اللي قبله ({egp(before)} جنيه)."
            if ar
            else f"That is {share}% {'above' if up else 'below'} the estimate before (EGP {egp(before)})."
        )
    if asking:
        had = f"السعر اللي في بالك {egp(asking)} جنيه." if ar else f"You have EGP {egp(asking)} in mind."
        between.append(f"{had} {_against_estimate(asking, estimate, ar)}")
    if ar:
        where = content.get("location_ar") or content["location"]
        similar = counted_ar(n, "وحدة واحدة مشابهة", "وحدتين مشابهتين", "وحدات مشابهة", "وحدة مشابهة")
        trust = CONFIDENCE_AR.get(content["confidence"], content["confidence"])
        return "\n".join([
            f"على أساس {similar} في {where}{alike}: القيمة التقديرية "
            f"حوالي {egp(estimate)} جنيه (من {egp(content['low'])} لـ {egp(content['high'])})، "
            f"بمتوسط {egp(content['median_price_per_sqm'])} جنيه للمتر. درجة الثقة: {trust}.",
            *between,
            "ده تقدير من إعلانات حقيقية مش تثمين رسمي، ومستشارينا يقدروا يعرضوها للبيع بالسعر اللي تختاره.",
        ])  # fmt: skip
    return "\n".join([
        f"From {counted(n, 'comparable listing', 'comparable listings')} in {content['location']}{alike}: about "
        f"EGP {egp(estimate)} (range EGP {egp(content['low'])} to EGP {egp(content['high'])}), at a "
        f"median of EGP {egp(content['median_price_per_sqm'])}/m². Confidence: {content['confidence']}.",
        *between,
        # A statement, not a question: the seller's own questions follow (what prompts the sale, ...), and a reply
        # asking two things at once leaves a "yes" answering neither.
        "This is an estimate from real listings, not a formal appraisal; our consultants can list it for you at the "
        "price you choose.",
    ])  # fmt: skip


# The market's figures of one type, in Arabic: "الشقق في التجمع الخامس", not "في التجمع الخامس شقة".
TYPE_PLURAL_AR = {
    "Apartment": "الشقق", "Villa": "الفلل", "Townhouse": "التاون هاوس", "Twinhouse": "التوين هاوس",
    "Duplex": "الدوبلكسات", "Penthouse": "البنتهاوسات", "Studio": "الستوديوهات", "Chalet": "الشاليهات",
    "Office": "المكاتب", "Retail": "المحلات", "Clinic": "العيادات",
}  # fmt: skip
TYPE_PLURAL = {
    "Apartment": "apartments", "Villa": "villas", "Townhouse": "townhouses", "Twinhouse": "twin houses",
    "Duplex": "duplexes", "Penthouse": "penthouses", "Studio": "studios", "Chalet": "chalets", "Office": "offices",
    "Retail": "shops", "Clinic": "clinics",
}  # fmt: skip


# "Which area is best for rental yield?": listings for sale state no rents to rank areas by, said, and what to do.
_NO_RENTS = {
    True: "الوحدات عندنا للبيع ومش مذكور فيها إيجار، فمقدرش أرتب المناطق بعائد الإيجار؛ كل ما سعر المتر يقل قصاد "
    "الإيجار اللي تتوقعه هناك، العائد يزيد. اختار وحدة وقولي الإيجار اللي متوقعه وأنا أحسبلك عائدها.",
    False: "Our listings are for sale and state no rents, so I cannot rank areas by rental yield: the lower the price "
    "per m² against the rent you expect there, the higher the yield. Pick a unit and tell me the rent you expect, and "
    "I will work out its yield.",
}


def _places(content: dict[str, Any], reading: Reading, ar: bool) -> list[str]:
    """A region's or the whole market's places (the most listings first), and for "which area?" where ready homes
    sell furthest above off-plan ones per m²: what delivery has added there, said as no promise."""
    places = content.get("by_location") or []
    if not places:
        return []
    rents = _NO_RENTS[ar] if reading.note == "which_area_rent" else None
    if content.get("budget"):  # what the budget buys where, rather than what delivery adds
        return (
            _places_in_budget(places, content["budget"], ar) + _side_by_side(content, ar) + ([rents] if rents else [])
        )
    lines = ["حسب المنطقة:" if ar else "By place:"]
    for place in places[:6]:
        name = (ar and place.get("location_ar")) or place["location"]
        ready, off_plan = place.get("ready_median_price_per_sqm"), place.get("off_plan_median_price_per_sqm")
        if ar:
            split = f" (الجاهز {egp(ready)}، تحت الإنشاء {egp(off_plan)})" if ready and off_plan else ""
            lines.append(
                f"- {name}: {_units_ar(place['count'])}، {egp(place['median_price_per_sqm'])} جنيه للمتر{split}"
            )
        else:
            split = f" (ready EGP {egp(ready)}, off-plan EGP {egp(off_plan)})" if ready and off_plan else ""
            lines.append(f"- {name}: {counted(place['count'], 'listing', 'listings')}, "
                         f"EGP {egp(place['median_price_per_sqm'])}/m²{split}")  # fmt: skip
    lines += _side_by_side(content, ar)
    if rents:
        lines.append(rents)
    if reading.note not in ("which_area", "which_area_rent"):
        return lines
    gaps = sorted(
        ((round((p["ready_median_price_per_sqm"] / p["off_plan_median_price_per_sqm"] - 1) * 100),
          (ar and p.get("location_ar")) or p["location"])
         for p in places
         if p.get("ready_median_price_per_sqm") and p.get("off_plan_median_price_per_sqm") and p["count"] >= 5),
        reverse=True,
    )  # fmt: skip
    if not gaps:  # no place has both ready and off-plan listings to set side by side
        return lines
    gaps = [(gap, name) for gap, name in gaps if gap >= 3][:3]  # a gap of a point or two is noise, not a premium
    if not gaps:
        lines.append("مفيش مكان الجاهز فيه أغلى بوضوح من تحت الإنشاء في سعر المتر دلوقتي، يعني الاستلام مزودش قيمة "
                     "واضحة في أي حتة. أسعار النهارده مش ضمان لأسعار بكره." if ar else
                     "Nowhere do ready homes sell clearly above off-plan ones per m² right now: delivery has added no "
                     "clear premium anywhere. Today's prices promise nothing about tomorrow's.")  # fmt: skip
    else:
        listed = "، ".join if ar else ", ".join
        said = listed([f"{name} ({gap:+d}%)" for gap, name in gaps])
        lines.append(f"أكتر أماكن الجاهز فيها أغلى من تحت الإنشاء في سعر المتر (يعني الاستلام زود قيمتها): {said}. "
                     "أسعار النهارده مش ضمان لأسعار بكره." if ar else
                     f"Where ready homes sell furthest above off-plan ones per m² (what delivery has added there): "
                     f"{said}. Today's prices promise nothing about tomorrow's.")  # fmt: skip
    return lines


def _side_by_side(content: dict[str, Any], ar: bool) -> list[str]:
    """The places the buyer set side by side ("New Cairo or Zayed?"): which costs less a square metre, by how much,
    and which has more listings to choose from; figures, not a verdict on which is better."""
    places = [p for p in content.get("by_location") or [] if p.get("median_price_per_sqm")]
    if not content.get("places") or len(places) < 2:
        return []
    name = {p["location"]: (ar and p.get("location_ar")) or p["location"] for p in places}
    cheap, dear = (
        min(places, key=lambda p: p["median_price_per_sqm"]),
        max(places, key=lambda p: p["median_price_per_sqm"]),
    )
    most = max(places, key=lambda p: p["count"])
    low, high = egp(cheap["median_price_per_sqm"]), egp(dear["median_price_per_sqm"])
    gap = round((dear["median_price_per_sqm"] / cheap["median_price_per_sqm"] - 1) * 100)
    if ar:
        price = (f"سعر المتر تقريبًا واحد ({low} و{high} جنيه)" if gap < 3 else
                 f"سعر المتر في {name[cheap['location']]} أقل من {name[dear['location']]} بحوالي {gap}% ({low} جنيه "
                 f"مقابل {high})")  # fmt: skip
        return [f"{price}، و{name[most['location']]} فيها اختيارات أكتر ({_units_ar(most['count'])}). الأحسن "
                "يتوقف على اللي يهمك: المكان والمساحة والاستلام؛ والأرقام دي أسعار المعروض النهارده."]  # fmt: skip
    price = (f"A square metre costs about the same (EGP {low} and EGP {high})" if gap < 3 else
             f"A square metre costs {gap}% less in {name[cheap['location']]} than in {name[dear['location']]} "
             f"(EGP {low} against EGP {high})")  # fmt: skip
    return [f"{price}, and {name[most['location']]} has the most to choose from "
            f"({counted(most['count'], 'listing', 'listings')}). Which is better turns on what matters to you: the "
            "place, the space and when you move in; these are today's asking prices."]  # fmt: skip


def _places_in_budget(places: list[dict[str, Any]], budget: int, ar: bool) -> list[str]:
    """Each place's listings within the budget and the size they typically have, and where it buys the most space
    (of the places with a few listings in it: one cheap flat is no pattern)."""
    lines = [f"بـ {egp(budget)} جنيه أو أقل، حسب المنطقة:" if ar else f"At or under EGP {egp(budget)}, by place:"]
    for place in places[:6]:
        name = (ar and place.get("location_ar")) or place["location"]
        size = place.get("median_size_sqm")
        if ar:
            typical = f"، في المتوسط {_m2(size)} متر" if size else ""
            lines.append(f"- {name}: {_units_ar(place['count'])}{typical}، {egp(place['median_price_per_sqm'])} جنيه "
                         "للمتر")  # fmt: skip
        else:
            typical = f", typically {_m2(size)} m²" if size else ""
            lines.append(f"- {name}: {counted(place['count'], 'listing', 'listings')}{typical}, "
                         f"EGP {egp(place['median_price_per_sqm'])}/m²")  # fmt: skip
    roomy = sorted(
        (p for p in places if p.get("median_size_sqm") and p["count"] >= 3),
        key=lambda p: (-p["median_size_sqm"], p["location"]),
    )[:3]
    if roomy:
        listed = "، ".join if ar else ", ".join
        said = listed(
            f"{(ar and p.get('location_ar')) or p['location']} ({_m2(p['median_size_sqm'])} {'متر' if ar else 'm²'})"
            for p in roomy
        )
        lines.append(f"ميزانيتك بتجيب أكبر مساحة في: {said}. الأرقام من الإعلانات المعروضة دلوقتي." if ar else
                     f"Your budget buys the most space in: {said}. These are today's listed prices.")  # fmt: skip
    return lines


def _offer_after_trends(content: dict[str, Any], ar: bool) -> str:
    """Listings in the place of the figures (in the places set side by side); after a whole market's or a region's
    under a budget, within it."""
    if content.get("budget") and content.get("by_location"):
        return offer_question("budget", ar)
    if not (content.get("location") or content.get("places")):
        # The whole market's figures: no "there" to show listings in, so which of its places, and the budget
        return (
            "قولي أنهي منطقة من دول تهمك وميزانيتك، وأنا أوريك الوحدات اللي فيها."
            if ar
            else "Tell me which of these places interests you and your budget, and I will show you listings there."
        )
    return offer_question("in_those" if content.get("places") else "there", ar)


def _movement(content: dict[str, Any], reading: Reading, ar: bool) -> list[str]:
    """Asked how prices move over time: that the figures are today's asking prices, and what moved in the last days
    (new listings, price cuts and the middle cut), the only movement the catalogue holds."""
    recent = content.get("recent")
    if reading.note != "over_time" or not recent:
        return []
    days, new, drops, cut = recent["days"], recent["new_listings"], recent["price_drops"], recent.get("median_drop_pct")
    if ar:
        cuts = (f"و{counted_ar(drops, 'تخفيض سعر واحد', 'تخفيضين في السعر', 'تخفيضات في السعر', 'تخفيض في السعر')} "
                f"(التخفيض المعتاد حوالي {cut or 0:g}%)" if drops else "ومفيش ولا تخفيض في السعر")  # fmt: skip
        return [f"دي أسعار المعروض النهاردة، ومعنديش مؤشر أسعار على مدار الوقت. في آخر {days} يوم: "
                f"{_units_ar(new)} جديدة {cuts}."]  # fmt: skip
    cuts = f"{counted(drops, 'price cut', 'price cuts')} (median cut {cut or 0:g}%)" if drops else "no price cuts"
    return [f"These are asking prices today; I keep no price index over time. In the last {days} days: "
            f"{counted(new, 'new listing', 'new listings')} and {cuts}."]  # fmt: skip


# "Is the North Coast a good investment?": what decides it, after the place's figures, with no forecast.
_WORTH_IT = {
    False: "Whether {where} is a good investment turns on the rent a home there brings against its price, and on what "
    "it sells for later, which nobody can promise. Our listings are for sale and state no rents: pick a unit, tell me "
    "the rent you expect (and the months a year, for a holiday home let in the summer), and I will work out its "
    "yield.",
    True: "هل {where} استثمار كويس؟ ده بيتحدد بالإيجار اللي الوحدة هناك تجيبه قصاد سعرها، وباللي هتتباع بيه بعدين، ودي "
    "محدش يقدر يضمنها. الوحدات عندنا للبيع ومش مذكور فيها إيجار: اختار وحدة وقولي الإيجار اللي متوقعه (وكام شهر في "
    "السنة، لو مصيف بيتأجر في الصيف) وأنا أحسبلك عائدها.",
}


def _trends(content: dict[str, Any], reading: Reading, ar: bool) -> str:
    named = {p["location"]: (ar and p.get("location_ar")) or p["location"] for p in content.get("by_location") or []}
    compared = [named.get(place, place) for place in content.get("places") or []]  # "New Cairo and Sheikh Zayed"
    where = (
        (ar and content.get("location_ar")) or content.get("location")
        or ((" و".join(compared) if ar else " and ".join(compared)) if compared else None)
        or ("السوق كله" if ar else "the whole market")
    )  # fmt: skip
    kind = content.get("property_type") or ""
    rooms = content.get("bedrooms")
    # The four latest delivery years (the coming ones, or the last delivered), not the oldest: 1995's handful of
    # resales says little of today's prices.
    years = sorted((y for y in content.get("by_delivery_year", []) if y.get("delivery_year")),
                   key=lambda y: y["delivery_year"])[-4:]  # fmt: skip
    if (content.get("budget") and content.get("by_location")) or compared:
        years = []  # "which area for 4 million?", "New Cairo or Zayed?" ask where: the places say it, not the years
    if ar:
        heading = f"{TYPE_PLURAL_AR.get(kind, kind)} في {where}" if kind else f"في {where}"
        if rooms:  # "الشقق 3 غرف في المعادي", "الوحدات غرفتين في زايد"
            heading = f"{TYPE_PLURAL_AR.get(kind, kind) if kind else 'الوحدات'} {_rooms(rooms, ar)} في {where}"
        if content.get("budget"):
            heading += f" بـ {egp(content['budget'])} جنيه أو أقل"
        lines = [
            f"{heading}: {_units_ar(content['count'])} معروضة، متوسط سعر المتر "
            f"{egp(content['median_price_per_sqm'])} جنيه، ومتوسط السعر {egp(content['median_price'])} جنيه "
            f"(من {egp(content['min_price'])} لـ {egp(content['max_price'])})."
        ]
        lines += _movement(content, reading, ar)
        lines += [f"- استلام {y['delivery_year']}: {_units_ar(y['count'])}، {egp(y['median_price_per_sqm'])} جنيه للمتر"
                  for y in years]  # fmt: skip
        lines += _places(content, reading, ar)
        if reading.note == "invest_place":
            lines.append(_WORTH_IT[ar].format(where=where))
        lines.append(_offer_after_trends(content, ar))
    else:
        listings = counted(content["count"], "listing", "listings")
        place = f"in {where}" if content.get("location") or compared else "across the market"
        heading = f"{TYPE_PLURAL.get(kind, kind)} {place}" if kind else str(where)
        if rooms:  # "3-bedroom apartments in Maadi", "2-bedroom homes across the market"
            heading = f"{rooms}-bedroom {TYPE_PLURAL.get(kind, kind) if kind else 'homes'} {place}"
        heading = heading[0].upper() + heading[1:]
        if content.get("budget"):
            heading += f" at or under EGP {egp(content['budget'])}"
        lines = [f"{heading}: {listings}, median EGP {egp(content['median_price_per_sqm'])}/m², "
                 f"median price EGP {egp(content['median_price'])} (from EGP {egp(content['min_price'])} to "
                 f"EGP {egp(content['max_price'])})."]  # fmt: skip
        lines += _movement(content, reading, ar)
        lines += [f"- delivery {y['delivery_year']}: {counted(y['count'], 'listing', 'listings')} at "
                  f"EGP {egp(y['median_price_per_sqm'])}/m²" for y in years]  # fmt: skip
        lines += _places(content, reading, ar)
        if reading.note == "invest_place":
            lines.append(_WORTH_IT[ar].format(where=where))
        lines.append(_offer_after_trends(content, ar))
    return "\n".join(lines)


def _availability(content: dict[str, Any], ar: bool) -> str:
    status = STATUS["ar" if ar else "en"].get(str(content.get("status")), str(content.get("status")))
    title = content.get("title")
    if content.get("listed") is False and content.get("status") in ("not_registered", "available"):
        return f"{title} مبقتش معروضة للبيع." if ar else f"{title} is no longer listed for sale."
    if content.get("status") == "not_registered":
        # Not on the registry is not "unavailable": the listing is offered, and no reservation of it is recorded.
        said = (f"{title} لسه معروضة للبيع، ومش متسجلة على سجل البلوكتشين لسه، يعني مفيش حجز ليها متسجل هناك." if ar
                else f"{title} is still listed for sale, and not on the blockchain registry yet, so no reservation of "
                "it is recorded there.")  # fmt: skip
        return said + " " + offer_question("viewing_or_reserve", ar)
    if ar:
        text = f"{content['title']}: {status}."
        if content.get("status") == "available":
            text += " " + offer_question("viewing", ar)
        return text
    text = f"{content['title']} is {status}."
    if content.get("status") == "available":
        text += " " + offer_question("viewing", ar)
    return text


def _reservation(content: dict[str, Any], ar: bool) -> str:
    title, deposit, status = content.get("title"), egp(content.get("deposit_egp")), content.get("status")
    if status == "quote":  # "العربون كام؟": what reserving it takes, nothing reserved
        hours = int(content.get("hold_hours") or 0)
        return (f"حجز {title} بعربون {deposit} جنيه، وبيثبتهالك {hours} ساعة. {offer_question('reserve', ar)}" if ar
                else f"Reserving {title} takes a deposit of EGP {deposit} and holds it for you for {hours} hours. "
                f"{offer_question('reserve', ar)}")  # fmt: skip
    if status == "confirmed":
        return (f"تم! {title} محجوزة ليك ومسجلة على سجل العقارات. العربون: {deposit} جنيه." if ar else
                f"Done: {title} is reserved for you and recorded on the property registry. "
                f"Deposit: EGP {deposit}.")  # fmt: skip
    return (f"سجلت حجزك لـ {title} (العربون {deposit} جنيه) ومستني تأكيد سجل العقارات؛ تقدر تتابعه من حجوزاتك." if ar
            else f"Your reservation of {title} is recorded (deposit EGP {deposit}) and waiting for the property "
            "registry to confirm it; you can follow it under your reservations.")  # fmt: skip


WEEKDAY_NAMES = {
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
    "ar": ("الاتنين", "التلات", "الأربع", "الخميس", "الجمعة", "السبت", "الحد"),
}
MONTH_NAMES = {
    "en": ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December"),
    "ar": ("يناير", "فبراير", "مارس", "أبريل", "مايو", "يونيو", "يوليو", "أغسطس", "سبتمبر", "أكتوبر", "نوفمبر",
           "ديسمبر"),
}  # fmt: skip


def viewing_time(value: Any, ar: bool) -> str:
    """A slot on the Cairo wall clock as people say it ("Tuesday 2 June at 11:00"): an instant, or the tool's
    local_start (already Cairo time); the words are the ones the rules brain reads back when the buyer picks."""
    moment = datetime.fromisoformat(str(value))
    local = moment.astimezone(ZoneInfo(CAIRO)) if moment.tzinfo else moment
    names = "ar" if ar else "en"
    day, month = WEEKDAY_NAMES[names][local.weekday()], MONTH_NAMES[names][local.month - 1]
    if ar:
        return f"يوم {day} {local.day} {month} الساعة {local:%H:%M}"
    return f"{day} {local.day} {month} at {local:%H:%M}"


def viewing_day(value: Any, ar: bool) -> str:
    """A day as the buyer hears it ("Saturday 12 December", "يوم السبت 12 ديسمبر")."""
    day = date.fromisoformat(str(value)[:10])
    names = "ar" if ar else "en"
    weekday, month = WEEKDAY_NAMES[names][day.weekday()], MONTH_NAMES[names][day.month - 1]
    return f"يوم {weekday} {day.day} {month}" if ar else f"{weekday} {day.day} {month}"


PERIOD_WORDS = {"morning": ("morning", "الصبح"), "afternoon": ("afternoon", "بعد الضهر"),
                "evening": ("evening", "بالليل")}  # fmt: skip


def _asked_head(content: dict[str, Any], ar: bool) -> str | None:
    """What the reply says of the day and time the buyer asked for, before the times offered (None: nothing asked)."""
    day, at, free = content.get("asked_day"), content.get("asked_time"), content.get("asked_free")
    period = PERIOD_WORDS.get(str(content.get("asked_period")))
    if not (day or at or period):
        return None
    nearest = "دي أقرب المواعيد الفاضية (بتوقيت القاهرة):" if ar else "The nearest free viewing times (Cairo time):"
    if free and at:
        return None  # the one slot offered is the time asked for: the reply asks to book it
    if free and period:
        when = (f" {viewing_day(day, ar)}" if ar else f" from {viewing_day(day, ar)}") if day else ""
        return (f"دي المواعيد الفاضية {period[1]}{when} (بتوقيت القاهرة):" if ar else
                f"The free {period[0]} viewing times{when} (Cairo time):")  # fmt: skip
    if free:
        return (f"دي المواعيد الفاضية من {viewing_day(day, ar)} (بتوقيت القاهرة):" if ar else
                f"The free viewing times from {viewing_day(day, ar)} (Cairo time):")  # fmt: skip
    if period:
        if ar:
            return f"مفيش مواعيد فاضية{f' {viewing_day(day, ar)}' if day else ''} {period[1]}. {nearest}"
        return (
            f"There is no free viewing time{f' on {viewing_day(day, ar)}' if day else ''} in the {period[0]}. {nearest}"
        )
    if at and day:
        asked = f"{viewing_day(day, ar)} الساعة {at}" if ar else f"{viewing_day(day, ar)} at {at}"
    elif at:
        asked = f"الساعة {at}" if ar else at
    else:
        return (f"مفيش مواعيد فاضية {viewing_day(day, ar)}. {nearest}" if ar else
                f"There is no free viewing time on {viewing_day(day, ar)}. {nearest}")  # fmt: skip
    return f"ميعاد {asked} مش فاضي. {nearest}" if ar else f"{asked} is not free. {nearest}"


def _viewed(content: dict[str, Any], ar: bool) -> str | None:
    """The listing a viewing is of, named as the buyer saw it in the list ("1BR Apartment for sale in New Cairo,
    EGP 4,620,000"), so the times offered or the booking are never for a listing the buyer did not mean."""
    listing = content.get("viewed") or {}
    if not (listing.get("title") and listing.get("type") and listing.get("location") and listing.get("price")):
        return None
    return (
        f"{_name(listing, ar)}، {egp(listing['price'])} جنيه"
        if ar
        else f"{_name(listing, ar)}, EGP {egp(listing['price'])}"
    )


def _viewing(content: dict[str, Any], reading: Reading, ar: bool) -> str:
    viewed = _viewed(content, ar)
    if content.get("viewing_id"):
        when = viewing_time(content["starts_at"], ar)
        of = f" لـ {viewed}" if viewed and ar else f" of {viewed}" if viewed else ""
        return (f"تمام، حجزتلك المعاينة{of} {when} (بتوقيت القاهرة). هيوصلك تأكيد بالإيميل وفي رسالة SMS، فيه دعوة "
                "للتقويم ولينكات للإلغاء أو تغيير الميعاد." if ar else
                f"Booked: your viewing{of} is on {when} (Cairo time). A confirmation with a calendar invitation is "
                "on its way to you by email and SMS, with links to cancel or reschedule.")  # fmt: skip
    text = _offered(content, reading, ar)
    if viewed:
        text = (f"معاينة {viewed}.\n" if ar else f"Viewing {viewed}.\n") + text
    return text


def _offered(content: dict[str, Any], reading: Reading, ar: bool) -> str:
    lines = [f"{index}. {viewing_time(slot['local_start'], ar)}"
             for index, slot in enumerate(content.get("slots") or [], start=1)]  # fmt: skip
    which = reading.note == "which_time"  # the buyer's pick named none of the times offered, or several
    if content.get("asked_free") and content.get("asked_time") and len(lines) == 1 and not which:
        when = viewing_time(content["slots"][0]["local_start"], ar)
        return (
            f"ميعاد {when} فاضي (بتوقيت القاهرة). أحجزهولك؟" if ar else f"{when} is free (Cairo time). Shall I book it?"
        )
    if which:
        head = ("اختار ميعاد من المواعيد الفاضية دي (بتوقيت القاهرة):" if ar else
                "Please pick one of these free viewing times (Cairo time):")  # fmt: skip
    elif (asked := _asked_head(content, ar)) is not None:
        head = asked
    else:
        head = "دي أقرب مواعيد معاينة فاضية (بتوقيت القاهرة):" if ar else "The next free viewing times (Cairo time):"
    tail = ("أنهي ميعاد يناسبك؟ قولي رقمه أو اليوم والساعة." if ar else
            "Which one suits you? Tell me its number, or its day and time.")  # fmt: skip
    return "\n".join([head, *lines, tail])


def _booked_lines(viewings: list[dict[str, Any]], ar: bool) -> list[str]:
    """The buyer's viewings, numbered soonest first: the listing and the Cairo time."""
    lines = []
    for index, viewing in enumerate(viewings, start=1):
        viewed = _viewed(viewing, ar)
        when = viewing_time(viewing["local_start"], ar)
        lines.append(f"{index}. {viewed}: {when}" if viewed else f"{index}. {when}")
    return lines


def _my_viewings(content: dict[str, Any], reading: Reading, ar: bool) -> str:
    """The buyer's upcoming viewings, or the one just cancelled (and those left)."""
    viewings = content.get("viewings") or []
    cancelled = content.get("cancelled")
    if cancelled:
        viewed = _viewed(cancelled, ar)
        when = viewing_time(cancelled["local_start"], ar)
        of = (f" لـ {viewed}" if ar else f" of {viewed}") if viewed else ""
        head = (f"تمام، لغيت المعاينة{of} {when}، والمستشار اتبلغ." if ar else
                f"Done: your viewing{of} on {when} is cancelled, and the agent is told.")  # fmt: skip
        tail = "تحب أشوفلك ميعاد تاني؟" if ar else "Shall I find you another time?"
        return "\n".join([head, tail])
    if not viewings:
        return ("معندكش معاينات جاية. تحب أدورلك على وحدة تشوفها؟" if ar else
                "You have no upcoming viewings. Shall I find you a listing to see?")  # fmt: skip
    head = "معايناتك الجاية (بتوقيت القاهرة):" if ar else "Your upcoming viewings (Cairo time):"
    if reading.note == "reschedule":  # "can I change my viewing time?": how, with what there is
        tail = ("عشان تغير ميعاد، افتح اللينك اللي في رسالة التأكيد واختار ميعاد فاضي، أو قولي ألغيها ونحجز ميعاد "
                "جديد سوا." if ar else "To move one, open the link in its confirmation and pick a free time, or "
                "tell me to cancel it and we will book a new time together.")  # fmt: skip
    else:
        tail = "لو عايز تلغي واحدة قولي رقمها." if ar else "To cancel one, tell me its number."
    return "\n".join([head, *_booked_lines(viewings, ar), tail])


CLAUSE_NAMES = {
    "payment_schedule": ("payment schedule", "جدول السداد"), "delivery_date": ("delivery date", "ميعاد الاستلام"),
    "late_delivery_penalty": ("late-delivery penalty", "غرامة التأخير في التسليم"),
    "maintenance_deposit": ("maintenance deposit", "وديعة الصيانة"),
    "finishing_specification": ("finishing specification", "مواصفات التشطيب"),
    "unit_area": ("unit area", "مساحة الوحدة"),
    "ownership_registration": ("ownership registration", "تسجيل الملكية"),
    "cancellation_refund": ("cancellation and refund", "الفسخ ورد المبالغ"),
    "developer_obligations": ("developer's obligations", "التزامات المطور"),
    "dispute_resolution": ("dispute resolution", "فض النزاعات"),
}  # fmt: skip
_SEVERITY_ORDER = {"high": 0, "medium": 1, "low": 2, "info": 3}


def _contract(content: dict[str, Any], ar: bool) -> str:
    """A contract's review: its score, what is missing or risky (the most serious first, each with why it matters, in
    the contract's own language), what is there, and that it is a checklist, not legal advice."""
    findings = sorted(content.get("findings") or [], key=lambda f: _SEVERITY_ORDER.get(f.get("severity"), 9))
    name = {key: names[1 if ar else 0] for key, names in CLAUSE_NAMES.items()}
    lines = [f"راجعت العقد: {content.get('score', 0)}% من البنود اللي لازم تكون فيه موجودة ومفيهاش مشكلة." if ar else
             f"I reviewed the contract: {content.get('score', 0)}% of the clauses a buyer must see are there and "
             "sound."]  # fmt: skip
    flagged = [f for f in findings if f.get("status") in ("missing", "risky")]
    for finding in flagged:
        state = {"missing": ("missing", "مش موجود"), "risky": ("needs care", "محتاج مراجعة")}[finding["status"]][ar]
        lines.append(f"- {name.get(finding['clause'], finding['clause'])} ({state}): {finding.get('why', '')}")
    present = [name.get(f["clause"], f["clause"]) for f in findings if f.get("status") == "present"]
    if present:
        lines.append(f"موجود: {'، '.join(present)}." if ar else f"There: {', '.join(present)}.")
    lines.append("دي قايمة مراجعة مش استشارة قانونية: خلي محامي يراجع العقد قبل ما تمضي." if ar else
                 "This is a checklist, not legal advice: have a lawyer read the contract before you sign.")  # fmt: skip
    return "\n".join(lines)


# How an alert's channel is named: "you will hear by email", "هبعتلك على الإيميل".
CHANNEL_NAMES = {"email": ("email", "الإيميل"), "sms": ("SMS", "رسالة SMS")}


def _channel(channel: Any, ar: bool) -> str:
    return CHANNEL_NAMES.get(str(channel), CHANNEL_NAMES["email"])[ar]


def _alert_lines(alerts: list[dict[str, Any]], ar: bool) -> list[str]:
    return [f"{n}. {alert['query']} ({'على' if ar else 'by'} {_channel(alert['channel'], ar)})"
            for n, alert in enumerate(alerts, start=1)]  # fmt: skip


def _my_alerts(content: dict[str, Any], ar: bool) -> str:
    """The buyer's saved searches that alert, or the one just stopped."""
    alerts, stopped = content.get("alerts") or [], content.get("stopped")
    if stopped:
        return (f"تمام، وقفت التنبيه بتاع \"{stopped['query']}\"، ومش هيوصلك منه حاجة تاني. تقدر ترجعه من صفحة البحث "
                "المحفوظ (/saved-searches)." if ar else
                f"Done: the alert for \"{stopped['query']}\" is stopped, and you will get nothing more from it. You "
                "can switch it on again on Saved searches (/saved-searches).")  # fmt: skip
    if not alerts:
        return ("معندكش تنبيهات شغالة. قولي بتدور على إيه وأنا أبلغك أول ما يظهر جديد." if ar else
                "You have no alerts on. Tell me what you are looking for and I will let you know when something new "
                "appears.")  # fmt: skip
    head = "التنبيهات الشغالة عندك:" if ar else "Your alerts:"
    tail = "لو عايز توقف واحد قولي رقمه." if ar else "To stop one, tell me its number."
    return "\n".join([head, *_alert_lines(alerts, ar), tail])


def _failure(name: str, content: dict[str, Any], reading: Reading, ar: bool, offered_after: bool = False) -> str:
    error = content.get("error")
    if name == "my_alerts":
        if error == "sign_in_required":
            return ("عشان أشوف تنبيهاتك أو أوقف واحد، سجل دخول الأول وبعدها قولي تاني." if ar else
                    "To see or stop your alerts, please sign in first; then ask me again.")  # fmt: skip
        if error == "no_alerts":
            return "معندكش تنبيهات شغالة أوقفها." if ar else "You have no alerts on to stop."
        if error in ("which_alert", "not_found") and content.get("alerts"):
            head = "عندك أكتر من تنبيه شغال:" if ar else "You have more than one alert on:"
            ask = "أنهي واحد أوقفه؟ قولي رقمه." if ar else "Which one shall I stop? Tell me its number."
            return "\n".join([head, *_alert_lines(content["alerts"], ar), ask])
    if name == "my_viewings":
        if error == "sign_in_required":
            return ("عشان أشوف معايناتك أو ألغي واحدة، سجل دخول الأول وبعدها قولي تاني." if ar else
                    "To see or cancel your viewings, please sign in first; then ask me again.")  # fmt: skip
        if error == "no_viewings":
            return "معندكش معاينة جاية ألغيها." if ar else "You have no upcoming viewing to cancel."
        if error in ("which_viewing", "not_found") and content.get("viewings"):
            head = ("عندك أكتر من معاينة جاية (بتوقيت القاهرة):" if ar else
                    "You have more than one upcoming viewing (Cairo time):")  # fmt: skip
            ask = "أنهي واحدة ألغيها؟ قولي رقمها." if ar else "Which one shall I cancel? Tell me its number."
            return "\n".join([head, *_booked_lines(content["viewings"], ar), ask])
    if name == "schedule_viewing":
        picked = reading.arguments.get("starts_at") if reading.tool == name else None
        when = viewing_time(picked, ar) if picked else None
        if error == "sign_in_required" and when:
            return (f"عشان أحجزلك المعاينة {when} سجل دخول الأول، وبعدها قولي وأنا أحجزهالك." if ar else
                    f"To book your viewing on {when}, please sign in first; then tell me and I will book "
                    "it.")  # fmt: skip
        if error == "sign_in_required":
            return ("عشان أحجزلك معاينة سجل دخول الأول." if ar else
                    "To book a viewing, please sign in first.")  # fmt: skip
        if error in ("slot_taken", "not_a_free_slot") and when:
            # The free times follow when they could be fetched again (or that there are none left).
            if ar:
                return f"للأسف ميعاد {when} اتحجز دلوقتي." + (" اختار ميعاد تاني من دول." if offered_after else "")
            return f"Sorry, {when} has just been taken." + (" Please pick another one." if offered_after else "")
        if error == "no_slots":
            return ("مفيش مواعيد معاينة فاضية الأسبوعين الجايين. تحب حد من مستشارينا يكلمك يحدد ميعاد؟" if ar else
                    "There is no free viewing time in the next two weeks. Shall one of our consultants call you "
                    "to arrange one?")  # fmt: skip
        if error in ("slot_taken", "not_a_free_slot"):
            return ("الميعاد ده مبقاش متاح. " if ar else "That time is no longer free. ") + offer_question(
                "free_times", ar
            )
    if name == "save_search":
        if error == "sign_in_required":
            return ("عشان أبعتلك أول ما تنزل وحدة زي دي، سجل دخول الأول وبعدها قولي تاني." if ar else
                    "To hear when a listing like this appears, please sign in first; then ask me again.")  # fmt: skip
        if error == "too_many":
            return ("عندك أقصى عدد من عمليات البحث المحفوظة. امسح واحدة الأول من صفحة البحث." if ar else
                    "You already have the most saved searches allowed; delete one first.")  # fmt: skip
        if error == "invalid":
            return ("قولي بتدور على إيه بالظبط (المنطقة، النوع، الغرف أو الميزانية) وأنا أحفظ البحث." if ar else
                    "Tell me what to watch for (an area, a type, rooms or a budget) and I will save "
                    "it.")  # fmt: skip
    if name == "reserve_property":
        if error == "sign_in_required" and content.get("deposit_egp"):
            # What it would take, before signing in: the deposit and how long the hold lasts.
            hours = int(content.get("hold_hours") or 0)
            return (f"حجزها بعربون {egp(content['deposit_egp'])} جنيه بيثبتهالك {hours} ساعة. عشان تحجزها سجل دخول "
                    "الأول، وبعدها قولي وأنا أحجزهالك." if ar else
                    f"Reserving it takes a deposit of EGP {egp(content['deposit_egp'])} and holds it for you for "
                    f"{hours} hours. Please sign in first; then ask me again and I will hold it for you.")  # fmt: skip
        if error == "sign_in_required":
            return ("عشان تحجز وحدة لازم تسجل دخول الأول، وبعدها قولي وأنا أحجزهالك." if ar else
                    "To reserve a unit, please sign in first; then ask me again and I will hold it "
                    "for you.")  # fmt: skip
        if error in ("unavailable", "failed"):
            return ("للأسف الوحدة دي اتحجزت أو مبقتش متاحة. تحب أوريك وحدات شبهها؟" if ar else
                    "Sorry, this unit has just been reserved or is no longer available. Shall I show you similar "
                    "ones?")  # fmt: skip
    if error == "not_found" and name == "run_valuation":
        where = (ar and content.get("location_ar")) or content.get("location") or reading.arguments.get("location")
        kind = content.get("property_type") or reading.arguments.get("property_type") or ""
        return (f"معنديش إعلانات مشابهة في {where} أقارن بيها، فمش هقدر أقيمها من أسعار حقيقية. حد من مستشارينا "
                "يقدر يقيمها في زيارة لو تحب." if ar else
                f"I have no comparable {TYPE_PLURAL.get(kind, 'listings')} in {where} to value it against, "
                "so I cannot estimate it from real prices. One of our consultants can value it on a visit if you "
                "like.")  # fmt: skip
    if error == "not_found" and name == "check_market_trends":
        where = (ar and content.get("location_ar")) or content.get("location") or reading.arguments.get("location")
        if content.get("budget"):
            kind = content.get("property_type") or reading.arguments.get("property_type") or ""
            there = (f" في {where}" if ar else f" in {where}") if where else ""
            return (f"معنديش {TYPE_AR.get(kind, 'وحدات')}{there} بـ {egp(content['budget'])} جنيه أو أقل "
                    "دلوقتي. تحب أشوف بميزانية أعلى شوية، أو نوع تاني؟" if ar else
                    f"I have no {TYPE_PLURAL.get(kind, 'listings')}{there} at or under EGP {egp(content['budget'])} "
                    "right now. Shall I look with a somewhat higher budget, or at another type?")  # fmt: skip
        if rooms := content.get("bedrooms") or reading.arguments.get("bedrooms"):
            kind = content.get("property_type") or reading.arguments.get("property_type") or ""
            there = (f" في {where}" if ar else f" in {where}") if where else ""
            return (f"معنديش {TYPE_AR.get(kind, 'وحدات')} {_rooms(rooms, ar)}{there} دلوقتي عشان أديك أرقامها. "
                    "تحب أرقامها بأي عدد غرف، أو بعدد غرف تاني؟" if ar else
                    f"I have no {rooms}-bedroom {TYPE_PLURAL.get(kind, 'homes')}{there} right now to give their "
                    "figures. Shall I give them for any number of bedrooms, or for another?")  # fmt: skip
        if where:
            return (f"معنديش إعلانات في {where} دلوقتي عشان أديك أرقامها. تحب أرقام منطقة تانية أو السوق كله؟" if ar
                    else f"I have no listings in {where} right now to give its figures. Another area, or the whole "
                    "market?")  # fmt: skip
    if error == "not_found":
        ref = reading.arguments.get("property_id")
        if ref and name in ("get_property", "check_availability", "compare_units"):
            return (f"ملقتش وحدة بالرقم {ref} عندنا. ممكن تتأكد من الرقم؟ أنا بتكلم بس عن وحدات موجودة فعلاً." if ar
                    else f"I could not find a listing with id {ref} in our database. Could you check the id? I only "
                    "talk about listings that really exist.")  # fmt: skip
        return ("ملقتش بيانات كفاية عن ده عندنا. تحب نجرب منطقة أو نوع تاني؟" if ar else
                "I do not have enough listings to answer that. Shall we try another area or type?")  # fmt: skip
    if error == "invalid":
        if ar:
            return "محتاج تفاصيل أكتر عشان أحسبها صح: السعر، ومدة التقسيط، وقيمة المقدم."
        return "I need a little more to work that out: the price, the term in years and the down payment."
    return ("الخدمة دي مش متاحة دلوقتي، جرب كمان شوية." if ar else
            "That service is not answering right now; please try again in a moment.")  # fmt: skip


SMALLTALK = {
    "greeting": {
        "en": ["Hello, I'm Amr, your property consultant. Are you looking to buy, rent out or sell? Tell me the "
               "area, the type and your budget, and I'll show you real listings.",
               "Welcome! I'm Amr. What are you looking for: an apartment, a villa, a chalet? Which area and budget?"],
        "ar": ["أهلاً بيك، أنا عمرو مستشارك العقاري. بتدور على شراء ولا بيع ولا استثمار؟ قولي المنطقة والنوع "
               "والميزانية وأنا أوريك وحدات حقيقية.",
               "أهلاً وسهلاً! أنا عمرو. بتدور على إيه: شقة، فيلا، شاليه؟ وفي أنهي منطقة وبميزانية كام؟"],
    },
    # "which gives the best yield?" of listings for sale: none states a rent, and at the usual one (a share of the
    # price) they all yield the same; a figure for one of them would answer a question not asked.
    "which_plan": {
        "en": ["Each one's down payment and instalments (or cash only) are in its line above. Which one interests "
               "you? Tell me its number (\"the second\") and I will go through its plan with you."],
        "ar": ["المقدم والأقساط (أو كاش بس) لكل واحدة مكتوبين في السطر بتاعها فوق. أنهي واحدة عجبتك؟ قولي رقمها "
               "(\"التانية\") وأنا أقولك خطة السداد بتاعتها."],
    },
    "which_delivery": {
        "en": ["Each one's delivery (ready to move in, or the year it is due) is in its line above. Which one "
               "interests you? Tell me its number (\"the second\") and I will go through it with you."],
        "ar": ["ميعاد استلام كل واحدة (استلام فوري أو السنة) مكتوب في السطر بتاعها فوق. أنهي واحدة عجبتك؟ قولي رقمها "
               "(\"التانية\") وأنا أقولك تفاصيلها."],
    },
    "which_rent": {
        "en": ["Listings for sale do not state a rent. Tell me which one (\"the second\") and I will work out what it "
               "would rent for at the usual rate and what it would yield, or tell me the rent you expect."],
        "ar": ["الإعلانات دي للبيع ومش مكتوب فيها إيجار. قولي أنهي واحدة (\"التانية\") وأنا أحسبلك هتتأجر بكام "
               "بالإيجار المعتاد وعائدها، أو قولي الإيجار اللي متوقعه."],
    },
    "yield_which": {
        "en": ["Which yields most turns on the rent each would fetch, and listings for sale do not state one: at the "
               "usual rent, a share of the price, they would all yield the same. Tell me the rent you expect for one "
               "of them and I will work out its yield."],
        "ar": ["العائد بيفرق على حسب الإيجار اللي كل وحدة هتجيبه، والإعلانات دي للبيع ومش مكتوب فيها إيجار: بالإيجار "
               "المعتاد، نسبة من السعر، كلهم هيطلعوا نفس العائد. قولي الإيجار اللي متوقعه لواحدة منهم وأحسبلك "
               "عائدها."],
    },
    # A yes to "Which one interests you?": which one, and what to do with it.
    "nothing_to_compare": {
        "en": ["I have not shown you any listings to compare yet. Tell me the area, the type of unit and your budget, "
               "and I will find some and set them side by side."],
        "ar": ["لسه ماعرضتش عليك وحدات نقارن بينها. قولي المنطقة ونوع الوحدة والميزانية، وأنا أدورلك وأقارنهم "
               "ببعض."],
    },
    "which_price": {
        "en": ["Each one's price is in its line above. Which one interests you? Tell me its number (\"the second\") "
               "and I will go through it with you."],
        "ar": ["سعر كل واحدة مكتوب في السطر بتاعها فوق. أنهي واحدة عجبتك؟ قولي رقمها (\"التانية\") وأنا أقولك "
               "تفاصيلها."],
    },
    "which_view": {
        "en": ["Which one would you like to view? Tell me its number (\"the second\") and I will show you its free "
               "times."],
        "ar": ["أنهي واحدة تحب تعاينها؟ قولي رقمها (\"التانية\") وأنا أوريك المواعيد الفاضية."],
    },
    "which_reserve": {
        "en": ["Which one would you like to reserve? Tell me its number (\"the second\")."],
        "ar": ["أنهي واحدة تحب تحجزها؟ قولي رقمها (\"التانية\")."],
    },
    "which_one": {
        "en": ["Which one? Tell me its number (\"the second\") and whether I should check its availability, work "
               "out its mortgage or book a viewing."],
        "ar": ["أنهي واحدة؟ قولي رقمها (\"التانية\") وتحب أتأكد إنها متاحة، ولا أحسبلك التمويل، ولا نحجز معاد معاينة."],
    },
    "thanks": {"en": ["You're welcome. Anything else I can check for you?"],
               "ar": ["العفو! أقدر أساعدك في حاجة تانية؟"]},
    "valuation_details": {
        "en": ["To value a property I need its area, its type and its size in m² (and bedrooms if you know)."],
        "ar": ["عشان أقيم الوحدة محتاج المنطقة والنوع والمساحة بالمتر (وعدد الغرف لو تعرفه)."],
    },
    "alert_what": {
        "en": ["Happy to let you know. What should I watch for: the area, the type, bedrooms and your budget?"],
        "ar": ["أكيد هبلغك. قولي أدورلك على إيه: المنطقة والنوع وعدد الغرف والميزانية؟"],
    },
    "contact_noted": {
        "en": ["Thank you, I have noted your contact details."],
        "ar": ["شكرًا، سجلت بيانات التواصل بتاعتك."],
    },
    "seller_noted": {"en": ["Thank you, noted."], "ar": ["تمام، سجلت ده."]},
    "nothing_shown": {
        "en": ["I have not shown you any listings yet, so there is none to look at. Tell me the area, the type or the "
               "budget you have in mind and I will search."],
        "ar": ["لسه ماعرضتش عليك أي وحدات، فمفيش واحدة أشوفها. قولي المنطقة أو النوع أو الميزانية اللي في بالك وأنا "
               "أدورلك."],
    },
    "seller_skipped": {"en": ["No problem, we can leave that for now."], "ar": ["ولا يهمك، نسيبها دلوقتي."]},
    "consent_given": {
        "en": ["Thank you. One of our consultants will call you soon; meanwhile, I am here for anything else."],
        "ar": ["شكرًا. حد من مستشارينا هيكلمك قريب، ولحد ما يكلمك أنا موجود لأي حاجة تانية."],
    },
    "cancel_reservation": {
        "en": ["Your reservations are on My bookings (/bookings), where you can cancel a confirmed one; a hold you do "
               "not go on with lapses by itself when its time runs out. I have reserved nothing now."],
        "ar": ["حجوزاتك موجودة في صفحة حجوزاتي (/bookings)، ومنها تقدر تلغي الحجز المؤكد؛ والحجز اللي مش هتكمله بيتلغي "
               "لوحده لما مدته تخلص. أنا محجزتش حاجة دلوقتي."],
    },
    # A consultant asked for: the number to call (the lead records the request as leave to call).
    "call_when": {
        "en": ["One of our consultants calls you on the number you left me as soon as they are free; if they have not "
               "called in time, your request passes to the next one on duty. If you have not left me a number yet, "
               "tell me it and I will pass it on."],
        "ar": ["حد من مستشارينا هيكلمك على الرقم اللي سبته أول ما يفضى؛ ولو ماكلمكش في الوقت، طلبك بيتحول للي بعده في "
               "الشيفت. ولو لسه ماسبتليش رقمك، قولهولي وأنا أوصله."],
    },
    "human": {"en": ["Of course. What phone number should one of our consultants call you on?"],
              "ar": ["أكيد. حد من مستشارينا يكلمك على رقم كام؟"]},
    # ... with the number to call in the same message: that call promised
    "human_number": {
        "en": ["Of course. One of our consultants will call you on the number you gave, soon; meanwhile, I am here for "
               "anything else."],
        "ar": ["أكيد. حد من مستشارينا هيكلمك على الرقم اللي اديتهولي قريب، ولحد ما يكلمك أنا موجود لأي حاجة تانية."],
    },
    "who_am_i": {
        "en": ["I'm Amr, Osool's AI property consultant: I search real listings and work out real figures, and our "
               "consultants, people, take over whenever you like. Shall one of them call you?"],
        "ar": ["أنا عمرو، مستشار عقاري بالذكاء الاصطناعي من أصول: بدورلك في وحدات حقيقية وبحسبلك أرقام حقيقية، "
               "ومستشارينا من البشر موجودين وقت ما تحب. تحب حد منهم يكلمك؟"],
    },
    # A buyer's general questions (rules.GUIDES): what to weigh and what to check, then what Amr can do for it.
    "guide_start": {
        "en": ["Welcome! A first home comes down to four things: your budget (cash, a developer's instalment plan or "
               "a bank mortgage; tell me your income and I will work out what it buys), the area (near work, schools "
               "or family), the type and size you need, and ready to move or off-plan (less per m², but you wait for "
               "delivery). Tell me your budget and the area you have in mind and I will show you real listings; "
               "before you sign, paste the contract here and I will check it."],
        "ar": ["أهلًا بيك! أول بيت بيتحدد بأربع حاجات: ميزانيتك (كاش، أو تقسيط من المطور، أو تمويل من البنك؛ قولي "
               "دخلك وأنا أحسبلك يشتري بكام)، والمنطقة (قريب من الشغل أو المدارس أو العيلة)، والنوع والمساحة اللي "
               "محتاجها، واستلام فوري ولا أوف بلان (المتر أرخص بس هتستنى الاستلام). قولي ميزانيتك والمنطقة اللي في "
               "بالك وأنا أوريك وحدات حقيقية؛ وقبل ما تمضي، ابعتلي العقد هنا وأنا أراجعه."],
    },
    "guide_off_plan": {
        "en": ["Off-plan (delivered later) usually costs less per m² and is paid over a longer instalment plan, but "
               "you wait for it and carry the risk that delivery slips: check the developer's delivered projects and"
               " the contract's late-delivery penalty. Ready to move costs more per m² and is usually paid in cash "
               "or over a short plan, but you see exactly what you buy and can live in it or let it now. Tell me the"
               " area and budget you have in mind and I will show you both kinds there."],
        "ar": ["الأوف بلان (استلام بعدين) غالبًا سعر المتر فيه أقل وبيتقسط على مدة أطول، بس هتستنى الاستلام وممكن "
               "يتأخر: شوف مشاريع المطور اللي اتسلمت قبل كده وشرط غرامة التأخير في العقد. الاستلام الفوري سعر المتر "
               "فيه أعلى وغالبًا كاش أو تقسيط قصير، بس بتشوف اللي بتشتريه بعينك وتسكن أو تأجر على طول. قولي المنطقة "
               "والميزانية اللي في بالك وأنا أوريك النوعين هناك."],
    },
    "guide_off_plan_risks": {
        "en": ["Buying off-plan, the risks are a delivery later than promised, a unit finished differently from what"
               " was sold, a developer short of money, and a contract that leaves you little recourse. To reduce "
               "them, buy from a developer whose delivered projects you can visit, and make sure the contract states"
               " the delivery date, a late-delivery penalty, the exact area and finishing, the full payment schedule"
               " and your right to a refund; keep a receipt for every payment. Paste the contract here and I will "
               "check those clauses for you."],
        "ar": ["في الأوف بلان المخاطر إن الاستلام يتأخر عن المعاد، أو الوحدة تتسلم بتشطيب غير اللي اتباع، أو المطور "
               "يقع ماليًا، أو العقد ميديكش حقك. عشان تقللها: اشتري من مطور تقدر تزور مشاريعه اللي اتسلمت، واتأكد إن"
               " العقد فيه ميعاد الاستلام وغرامة التأخير والمساحة والتشطيب بالظبط وجدول الدفع كله وحقك في استرداد "
               "فلوسك، وخد إيصال بكل دفعة. ابعتلي العقد هنا وأنا أراجعلك البنود دي."],
    },
    "guide_developer": {
        "en": ["Judge a developer by what it has delivered: visit one of its finished projects, ask the residents "
               "about delays and maintenance, and set the delivery dates it promised against when it delivered. Make"
               " sure the contract names the developer and who owns the land, and states the delivery date and a "
               "late-delivery penalty. I can show you listings by a developer you name, or review its contract if "
               "you paste it here."],
        "ar": ["المطور بيتقاس باللي سلمه: زور مشروع من مشاريعه اللي اتسلمت، واسأل السكان عن التأخير والصيانة، وقارن "
               "مواعيد الاستلام اللي وعد بيها باللي سلم فيه فعلًا. واتأكد إن العقد فيه اسم المطور ومين مالك الأرض "
               "وميعاد الاستلام وغرامة التأخير. أقدر أوريك وحدات لمطور تسميه، أو أراجع العقد بتاعه لو بعتهولي هنا."],
    },
    "guide_registration": {
        "en": ["A home is registered in your name at the Real Estate Publicity Department (الشهر العقاري), with the "
               "seller's title and the chain of contracts back to a registered owner, and both parties' IDs. Many "
               "homes, in compounds especially, are not registered yet; a court validation of signature (صحة توقيع) "
               "then protects your contract. Our consultants walk you through it for the unit you choose, and I can "
               "review its contract if you paste it here."],
        "ar": ["تسجيل الوحدة باسمك بيبقى في الشهر العقاري، بسند ملكية البايع وتسلسل العقود لحد مالك مسجل، وبطايق "
               "الطرفين. وحدات كتير، خصوصًا في الكمبوندات، لسه مش متسجلة؛ وساعتها دعوى صحة توقيع بتحمي عقدك. "
               "مستشارينا يمشوا معاك في الخطوات للوحدة اللي تختارها، وأقدر أراجع عقدها لو بعتهولي هنا."],
    },
    "about_us": {
        "en": ["I am here in this chat at any hour. Our office, its hours and any fees, one of our consultants will "
               "tell you directly. Shall one of them call you?"],
        "ar": ["أنا موجود هنا في الشات في أي وقت. المكتب ومواعيده وأي رسوم، حد من مستشارينا هيقولك عليها بالظبط. تحب "
               "حد منهم يكلمك؟"],
    },
    "number_please": {"en": ["Happy to arrange it. What phone number should they call you on?"],
                      "ar": ["تحت أمرك. يكلموك على رقم كام؟"]},
    "consent_refused": {
        "en": ["No problem, nobody will call you. Tell me whenever there is something else I can look up."],
        "ar": ["ولا يهمك، محدش هيكلمك. قولي لو في أي حاجة تانية أدورلك عليها."],
    },
    "currency": {
        "en": ["Our listings are priced in Egyptian pounds. Paying in dollars or another currency is agreed with the "
               "seller; one of our consultants can ask for you. Tell me your budget in pounds and I will search."],
        "ar": ["أسعار الوحدات عندنا بالجنيه المصري. الدفع بالدولار أو بعملة تانية بيتفق عليه مع البايع، وممكن حد من "
               "مستشارينا يسأله لك. قولي ميزانيتك بالجنيه وأنا أدورلك."],
    },
    "discovery": {
        "en": ["Happy to help. Tell me what you are after: the area, the type of unit, bedrooms and your budget, or "
               "ask me about a mortgage, rental yield or what a property is worth."],
        "ar": ["تحت أمرك. قولي بتدور على إيه: المنطقة، نوع الوحدة، عدد الغرف والميزانية، أو اسألني عن التمويل "
               "العقاري أو العائد من الإيجار أو قيمة وحدتك."],
    },
}  # fmt: skip

_WRITERS = {
    "search_properties": lambda c, r, ar, seed: _sale_only(r, ar) + _search(c, r, ar, seed),
    "get_property": lambda c, r, ar, seed: _property(c, r, ar),
    "compare_units": lambda c, r, ar, seed: _each(c, r, ar) if r.asked else _compare(c, ar, r),
    "calculate_mortgage": lambda c, r, ar, seed: _mortgage(c, r, ar),
    "calculate_investment_roi": lambda c, r, ar, seed: _roi(c, r, ar),
    "run_valuation": lambda c, r, ar, seed: _valuation(c, ar, r.asking, r.before, supposed=r.note == "what_if"),
    "check_market_trends": lambda c, r, ar, seed: _trends(c, r, ar),
    "check_availability": lambda c, r, ar, seed: _availability(c, ar),
    "reserve_property": lambda c, r, ar, seed: _reservation(c, ar),
    "schedule_viewing": lambda c, r, ar, seed: _viewing(c, r, ar),
    "save_search": lambda c, r, ar, seed: _saved_search(c, ar),
    "my_viewings": lambda c, r, ar, seed: _my_viewings(c, r, ar),
    "my_alerts": lambda c, r, ar, seed: _my_alerts(c, ar),
    "audit_contract": lambda c, r, ar, seed: _contract(c, ar),
}


def _saved_search(content: dict[str, Any], ar: bool) -> str:
    query = content.get("query") or ""
    by = _channel(content.get("channel"), ar)
    if ar:
        return (
            f'تمام، حفظت البحث "{query}". أول ما تنزل وحدة مطابقة أو يقل سعر وحدة شفتها هبعتلك على {by}، '
            "مرة واحدة في اليوم بالكتير، وتقدر توقف التنبيهات من اللينك اللي في الرسالة."
        )
    return (
        f'Done: I saved your search "{query}". When a matching listing appears, or one you were shown drops in '
        f"price, you will hear by {by}, at most once a day; every alert has a link to stop them."
    )


# How a seller's asking price is noted: asking_noted reads the price back from the reply, so the valuation made after
# it (when the size comes last) is set against it.
_NOTED = (("Noted: EGP ", "."), ("تمام، سجلت السعر: ", " جنيه."))


def asking_noted(said: str) -> int | None:
    """The asking price a reply of Amr's noted (_asking_price), else None."""
    for start, end in _NOTED:
        if said.startswith(start) and (figure := said[len(start) :].split(end, 1)[0].replace(",", "")).isdigit():
            return int(figure)
    return None


def _asking_price(arguments: dict[str, Any], ar: bool) -> str:
    """A seller's asking price, noted and set against the estimate just made from comparable listings."""
    asking, estimate = arguments["asking"], arguments.get("estimate")
    start, end = _NOTED[ar]
    noted = f"{start}{egp(asking)}{end}"
    if not estimate:
        return noted
    return f"{noted} {_against_estimate(asking, estimate, ar)}"


def _against_estimate(asking: int, estimate: int, ar: bool) -> str:
    """An asking price ("That is ...") set against a valuation's estimate: in line, above it (it would sell slower) or
    below it (the seller may ask more)."""
    gap = round((asking - estimate) / estimate * 100)
    basis = f"التقدير ({egp(estimate)} جنيه من وحدات مشابهة)" if ar else (
        f"the estimate of EGP {egp(estimate)} from comparable listings")  # fmt: skip
    if abs(gap) <= 10:
        return f"ده في حدود {basis}." if ar else f"That is in line with {basis}."
    if gap > 0:
        return (f"ده أعلى من {basis} بـ{gap}%، ولو السعر أقرب للتقدير غالبًا هتتباع أسرع." if ar else
                f"That is {gap}% above {basis}; priced nearer the estimate it would likely sell sooner.")  # fmt: skip
    return (f"ده أقل من {basis} بـ{-gap}%، فممكن تطلب أكتر." if ar else
            f"That is {-gap}% below {basis}, so you may be able to ask for more.")  # fmt: skip


_EN_ORDINAL = {2: "second", 3: "third", 4: "fourth", 5: "fifth", 6: "sixth", 7: "seventh", 8: "eighth", 9: "ninth",
               10: "tenth"}  # fmt: skip
_AR_ORDINAL = {2: "تانية", 3: "تالتة", 4: "رابعة", 5: "خامسة", 6: "سادسة", 7: "سابعة", 8: "تامنة", 9: "تاسعة",
               10: "عاشرة"}  # fmt: skip


def _place_name(place: int, ar: bool) -> str | None:
    """A listing named by its place in the list shown: "the first", "the third", "الأولى", "التالتة" (None past ten)."""
    if ar:
        return "الأولى" if place == 1 else f"ال{_AR_ORDINAL[place]}" if place in _AR_ORDINAL else None
    return "the first" if place == 1 else f"the {_EN_ORDINAL[place]}" if place in _EN_ORDINAL else None


def _beyond_shown(shown: int, asked: int, ar: bool) -> str:
    """An ordinal past the listings shown ("the second" when one was): how many there are, and what to do next."""
    if ar:
        which = f"ال{_AR_ORDINAL[asked]}" if asked in _AR_ORDINAL else f"رقم {asked}"
        if shown == 1:
            return f"عرضت عليك وحدة واحدة بس، فمفيش {which}. تقصد دي، ولا أدورلك تاني بميزانية أو منطقة أوسع؟"
        return (f"عرضت عليك {_units_ar(shown)} بس، فمفيش {which}. تقصد أنهي واحدة فيهم، ولا أدورلك تاني بميزانية أو "
                "منطقة أوسع؟")  # fmt: skip
    which = f"{_EN_ORDINAL[asked]} one" if asked in _EN_ORDINAL else f"number {asked}"
    if shown == 1:
        return (f"I showed you only one listing, so there is no {which}. Do you mean that one, or shall I search again "
                "with a wider budget or area?")  # fmt: skip
    return (f"I showed you {shown} listings, so there is no {which}. Which of them do you mean, or shall I search "
            "again with a wider budget or area?")  # fmt: skip


def _valued_again(estimate: int, ar: bool) -> str:
    """The estimate just made, said again when the seller asks what the home is worth."""
    return (f"تقديري ليها حوالي {egp(estimate)} جنيه، من الوحدات المشابهة اللي فوق. لو المساحة أو المنطقة مختلفة قولي "
            "وأقيمها تاني." if ar else
            f"My estimate is about EGP {egp(estimate)}, from the comparable listings above. If its size or area "
            "differ, tell me and I will value it again.")  # fmt: skip


def _time_to_sell(estimate: int | None, ar: bool) -> str:
    """How long a sale takes: not known from asking prices, and what decides it (the price asked against the estimate,
    when one was just made)."""
    if ar:
        head = ("مقدرش أوعدك بمدة: الإعلانات اللي عندي فيها الأسعار المطلوبة، مش المدة اللي الوحدات أخدتها لحد ما "
                "اتباعت. ")  # fmt: skip
        if estimate:
            return (head + f"اللي بيفرق هو السعر: لو طلبت قريب من تقديري (حوالي {egp(estimate)} جنيه) بتبقى منافسة "
                    "للوحدات المشابهة، ولو أعلى منه غالبًا هتاخد وقت أطول. مستشارينا يقدروا يعرضوهالك ويتابعوا معاك "
                    "الطلب عليها.")  # fmt: skip
        return head + "اللي بيفرق هو السعر: قولي المنطقة والنوع والمساحة وأقيمهالك من الوحدات المشابهة الأول."
    head = "I cannot promise a time: my listings show asking prices, not how long homes took to sell. "
    if estimate:
        return (head + f"What decides it is the price: asked near my estimate (about EGP {egp(estimate)}) it competes "
                "with the comparable listings; asked above it, it will likely wait longer. Our consultants can list "
                "it for you and tell you how buyers respond.")  # fmt: skip
    return head + "What decides it is the price: tell me its area, type and size and I will value it first."


# What a valuation needs, each named as the reply asks for it.
_VALUATION_NEEDS = {
    "location": ("its area", "المنطقة"),
    "property_type": ("its type (apartment, villa, ...)", "النوع (شقة، فيلا، ...)"),
    "size_sqm": ("its size in m²", "المساحة بالمتر"),
}


def _valuation_details(missing: Sequence[str], ar: bool, seed: str) -> str:
    """The details a valuation still needs: only those the seller has not given ("To value it I still need its size in
    m²" after "I want to sell my apartment in New Cairo")."""
    if not missing or len(missing) == len(_VALUATION_NEEDS):
        return _pick(SMALLTALK["valuation_details"]["ar" if ar else "en"], seed)
    needs = [_VALUATION_NEEDS[name][1 if ar else 0] for name in missing]
    if ar:
        return f"{VALUATION_ASKED[1]}ها لسه محتاج {' و'.join(needs)} (وعدد الغرف لو تعرفه)."
    listed = needs[0] if len(needs) == 1 else f"{', '.join(needs[:-1])} and {needs[-1]}"
    return f"{VALUATION_ASKED[0]}it I still need {listed} (and bedrooms if you know)."


def write_reply(reading: Reading, returns: list[ToolReturnPart], seed: str = "", notice: bool = False) -> str:
    ar = reading.language == "ar"
    prefix = FALLBACK_NOTICE["ar" if ar else "en"] if notice else ""
    if not returns and reading.smalltalk == "seller_price":
        return prefix + _asking_price(reading.arguments, ar)
    if not returns and reading.smalltalk == "valued_again":
        return prefix + _valued_again(reading.arguments["estimate"], ar)
    if not returns and reading.smalltalk == "time_to_sell":
        return prefix + _time_to_sell(reading.arguments.get("estimate"), ar)
    if not returns and reading.smalltalk == "beyond_shown":
        return prefix + _beyond_shown(reading.arguments["shown"], reading.arguments["asked"], ar)
    if not returns and reading.smalltalk == "named":  # "my name is Sara": greeted by it, then what to tell
        name, what = reading.arguments.get("name", ""), _pick(SMALLTALK["discovery"]["ar" if ar else "en"], seed)
        return prefix + (f"تشرفنا يا {name}. {what}" if ar else f"Nice to meet you, {name}. {what}")
    if not returns and reading.smalltalk == "valuation_details":
        return prefix + _valuation_details(reading.arguments.get("missing") or (), ar, seed)
    if not returns:
        return prefix + _pick(SMALLTALK[reading.smalltalk or "discovery"]["ar" if ar else "en"], seed)
    if reading.stretched and len(returns) == 2 and all(part.tool_name == "search_properties" for part in returns):
        # Nothing within the budget, then the search a little above it: only the second is said, as above the budget
        returns = returns[1:]
    if reading.note == "no_whatsapp":  # alerts go by email or SMS: said before what was done
        prefix += ("مش بنبعت تنبيهات على واتساب لسه، فهبلغك بالإيميل (أو برسالة SMS لو تحب).\n" if ar else
                   "Alerts do not go by WhatsApp yet, so I will tell you by email (or by SMS, if you "
                   "prefer).\n")  # fmt: skip
    texts = []
    for index, part in enumerate(returns):
        content = part.content if isinstance(part.content, dict) else {}
        if not content.get("ok", True):
            offered_after = any(isinstance(later.content, dict) and later.content.get("slots")
                                for later in returns[index + 1 :])  # fmt: skip
            texts.append(_failure(part.tool_name, content, reading, ar, offered_after))
        else:
            texts.append(_WRITERS[part.tool_name](content, reading, ar, seed))
    return prefix + "\n\n".join(texts)
