""" "Which area should I buy in?" is the market's places side by side: each place's median per m², ready against
off-plan, and where ready homes sell furthest above off-plan ones, said as no promise."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pydantic import ValidationError
from pydantic_ai.messages import ToolReturnPart

from osool_agent.brains.replies import write_reply
from osool_agent.brains.rules import LastSearch, Reading, offered_next, places_searched, read_message
from osool_agent.tools.market import TrendsArgs


@pytest.mark.parametrize(
    ("text", "parsed", "arguments"),
    [("which area is best to invest in now?", {}, {}),
     ("ايه احسن منطقة استثمار دلوقتي؟", {}, {}),
     ("where should I buy a villa?", {"filters": {"property_types": ["Villa"]}}, {"property_type": "Villa"}),
     ("a7san mante2a fel qahera el kobra?", {"filters": {"locations": ["New Cairo", "Maadi"]},
                                            "regions": ["Greater Cairo"]}, {"location": "Greater Cairo"})],
)  # fmt: skip
def test_which_area_is_the_markets_places_side_by_side(
    text: str, parsed: dict[str, Any], arguments: dict[str, Any]
) -> None:
    reading = read_message(text, {"filters": {}, **parsed}, [], "auto")
    assert (reading.tool, reading.arguments, reading.note) == ("check_market_trends", arguments, "which_area")


@pytest.mark.parametrize(
    ("text", "filters"),
    [("which area is the first one in?", {}),
     # A floor under the price, or rooms, is a search: the figures are taken under a ceiling only
     ("best area for a villa between 8 and 10M", {"min_price": 8_000_000, "max_price": 10_000_000,
                                                  "property_types": ["Villa"]}),
     ("best area for a 3 bedroom apartment", {"bedrooms": 3, "property_types": ["Apartment"]})],
)  # fmt: skip
def test_which_area_of_a_listing_or_of_a_search_is_no_market_question(text: str, filters: dict[str, Any]) -> None:
    reading = read_message(text, {"filters": filters}, [{"id": "a"}], "auto")
    assert reading.tool != "check_market_trends"


@pytest.mark.parametrize(
    ("text", "filters", "arguments"),
    [("best area for a villa under 10M", {"max_price": 10_000_000, "property_types": ["Villa"]},
      {"property_type": "Villa", "max_price": 10_000_000}),
     ("ايه احسن منطقة اشتري فيها شقة بـ 4 مليون؟", {"max_price": 4_000_000, "property_types": ["Apartment"]},
      {"property_type": "Apartment", "max_price": 4_000_000}),
     ("I have 5 million, where should I invest?", {"max_price": 5_000_000}, {"max_price": 5_000_000})],
)  # fmt: skip
def test_which_area_within_a_budget_is_the_places_of_the_listings_under_it(
    text: str, filters: dict[str, Any], arguments: dict[str, Any]
) -> None:
    reading = read_message(text, {"filters": filters}, [], "auto")
    assert (reading.tool, reading.arguments, reading.note) == ("check_market_trends", arguments, "which_area")
    # "and for 6 million?" takes the same figures under the new budget; "show me the ones in Shorouk" is listings
    again = read_message("and for 6 million?", {"filters": {"max_price": 6_000_000}}, [], "auto",
                         calculation=("check_market_trends", arguments))  # fmt: skip
    assert (again.tool, again.arguments) == ("check_market_trends", {**arguments, "max_price": 6_000_000})
    shorouk = {"filters": {"locations": ["Shorouk City"]}}
    shown = read_message(
        "show me the ones in Shorouk", shorouk, [], "auto", calculation=("check_market_trends", arguments)
    )
    assert shown.tool == "search_properties"


BUDGET = {
    "ok": True, "location": None, "property_type": "Apartment", "budget": 4_000_000, "count": 83,
    "median_price_per_sqm": 31_322, "median_price": 3_650_000, "min_price": 2_390_000, "max_price": 4_000_000,
    "by_delivery_year": [{"delivery_year": 2027, "count": 5, "median_price_per_sqm": 36_875}],
    "by_location": [
        {"location": "Nasr City", "location_ar": "مدينة نصر", "count": 27, "median_price_per_sqm": 30_153,
         "median_size_sqm": 112},
        {"location": "Shorouk City", "location_ar": "الشروق", "count": 13, "median_price_per_sqm": 25_736,
         "median_size_sqm": 129},
        {"location": "Maadi", "location_ar": "المعادي", "count": 5, "median_price_per_sqm": 38_000,
         "median_size_sqm": 93},
        {"location": "Obour", "location_ar": "العبور", "count": 2, "median_price_per_sqm": 20_000,
         "median_size_sqm": 180},
    ],
}  # fmt: skip


def test_the_places_within_a_budget_say_what_it_buys_there_and_where_it_buys_most() -> None:
    reading = Reading("en", "check_market_trends", {"property_type": "Apartment", "max_price": 4_000_000},
                      note="which_area")  # fmt: skip
    text = write_reply(reading, [ToolReturnPart("check_market_trends", BUDGET, "c1")])
    assert text.startswith("Apartments across the market at or under EGP 4,000,000: 83 listings")
    assert "At or under EGP 4,000,000, by place:\n- Nasr City: 27 listings, typically 112 m², EGP 30,153/m²\n" in text
    # Two listings are no pattern: Obour is listed but not named as where the budget goes furthest
    assert "Your budget buys the most space in: Shorouk City (129 m²), Nasr City (112 m²), Maadi (93 m²)." in text
    assert "delivery 2027" not in text and "furthest above" not in text
    assert text.endswith("Shall I look for listings within that budget?")
    arabic = write_reply(Reading("ar", reading.tool, reading.arguments, note="which_area"),
                         [ToolReturnPart("check_market_trends", BUDGET, "c1")])  # fmt: skip
    assert "بـ 4,000,000 جنيه أو أقل، حسب المنطقة:" in arabic and "- الشروق: 13 وحدة، في المتوسط 129 متر" in arabic
    assert "ميزانيتك بتجيب أكبر مساحة في: الشروق (129 متر)" in arabic
    nothing = {"ok": False, "error": "not_found", "message": "…", "location": None, "property_type": "Villa",
               "budget": 4_000_000}  # fmt: skip
    none = write_reply(Reading("en", reading.tool, {"property_type": "Villa", "max_price": 4_000_000}),
                       [ToolReturnPart("check_market_trends", nothing, "c1")])  # fmt: skip
    assert none == ("I have no villas at or under EGP 4,000,000 right now. Shall I look with a somewhat higher "
                    "budget, or at another type?")  # fmt: skip


MARKET = {
    "ok": True, "location": None, "property_type": None, "count": 900, "median_price_per_sqm": 50_000,
    "median_price": 8_000_000, "min_price": 1_000_000, "max_price": 90_000_000, "by_delivery_year": [],
    "by_location": [
        {"location": "New Cairo", "location_ar": "التجمع الخامس", "count": 300, "median_price_per_sqm": 60_000,
         "ready_median_price_per_sqm": 66_000, "off_plan_median_price_per_sqm": 55_000},
        {"location": "Sheikh Zayed", "location_ar": "الشيخ زايد", "count": 200, "median_price_per_sqm": 55_000,
         "ready_median_price_per_sqm": 57_750, "off_plan_median_price_per_sqm": 55_000},
        {"location": "Maadi", "location_ar": "المعادي", "count": 100, "median_price_per_sqm": 45_000,
         "ready_median_price_per_sqm": 45_000, "off_plan_median_price_per_sqm": None},
    ],
}  # fmt: skip


def reply(note: str | None, language: str = "en") -> str:
    reading = Reading(language, "check_market_trends", {}, note=note)
    return write_reply(reading, [ToolReturnPart("check_market_trends", MARKET, "c1")])


def test_the_places_are_listed_with_ready_against_off_plan() -> None:
    text = reply(None)
    assert "By place:\n- New Cairo: 300 listings, EGP 60,000/m² (ready EGP 66,000, off-plan EGP 55,000)\n" in text
    assert "- Maadi: 100 listings, EGP 45,000/m²\n" in text
    assert "furthest above" not in text  # only when asked which area


def test_which_area_says_where_delivery_added_most_as_no_promise() -> None:
    text = reply("which_area")
    assert ("Where ready homes sell furthest above off-plan ones per m² (what delivery has added there): New Cairo "
            "(+20%), Sheikh Zayed (+5%). Today's prices promise nothing about tomorrow's.") in text  # fmt: skip
    arabic = reply("which_area", "ar")
    assert "التجمع الخامس (+20%)، الشيخ زايد (+5%)" in arabic and "- المعادي: 100 وحدة" in arabic


def test_no_clear_premium_anywhere_is_said_so() -> None:
    flat = [{**place, "ready_median_price_per_sqm": place["off_plan_median_price_per_sqm"]}
            for place in MARKET["by_location"]]  # fmt: skip
    reading = Reading("en", "check_market_trends", {}, note="which_area")
    text = write_reply(reading, [ToolReturnPart("check_market_trends", {**MARKET, "by_location": flat}, "c1")])
    assert "Nowhere do ready homes sell clearly above off-plan ones per m² right now" in text
    assert "furthest above" not in text


def test_a_change_of_type_after_the_figures_keeps_asking_which_area() -> None:
    reading = read_message("which area is best for villas?", {"filters": {"property_types": ["Villa"]}}, [], "auto",
                           calculation=("check_market_trends", {}))  # fmt: skip
    assert (reading.tool, reading.arguments, reading.note) == (
        "check_market_trends", {"property_type": "Villa"}, "which_area")  # fmt: skip


@pytest.mark.parametrize(
    "text", ["بكام المتر هناك؟", "what's the price per meter there?", "how much a meter?", "el metr b kam henak?"]
)
def test_the_price_per_meter_there_is_the_last_searchs_place_and_type(text: str) -> None:
    previous = LastSearch({"query": "فيلا في الشيخ زايد", "location": "Sheikh Zayed", "property_type": "Villa"},
                          ("a",), (25_000_000,), (400.0,))  # fmt: skip
    reading = read_message(text, {"filters": {}}, [{"id": "a"}], "auto", previous=previous)
    assert (reading.tool, reading.arguments) == (
        "check_market_trends", {"location": "Sheikh Zayed", "property_type": "Villa"})  # fmt: skip
    rooms = LastSearch({**previous.arguments, "bedrooms": 4}, ("a",), (25_000_000,), (400.0,))
    assert read_message(text, {"filters": {}}, [{"id": "a"}], "auto", previous=rooms).arguments == {
        "location": "Sheikh Zayed", "property_type": "Villa", "bedrooms": 4}  # fmt: skip
    # The whole market still, when asked of it.
    assert read_message("is it a good time to buy?", {"filters": {}}, [], "auto", previous=previous).arguments == {}


@pytest.mark.parametrize("text", ["what's the price range there?", "الأسعار هناك عاملة ازاي؟", "prices there?"])
def test_prices_there_after_a_search_of_no_place_are_of_the_one_place_it_showed(text: str) -> None:
    previous = LastSearch({"query": "4 rooms with a garden", "bedrooms": 4}, ("a", "b"), (13_840_000, 19_490_000),
                          (288.0, 367.0))  # fmt: skip
    one_place = [{"id": "a", "location": "Madinaty"}, {"id": "b", "location": "Madinaty"}]
    reading = read_message(text, {"filters": {}}, one_place, "auto", previous=previous)
    # ... of the bedrooms it asked for too
    assert (reading.tool, reading.arguments) == ("check_market_trends", {"location": "Madinaty", "bedrooms": 4})
    # Shown in several places, "there" names none of them: not a guess.
    two_places = [{"id": "a", "location": "Madinaty"}, {"id": "b", "location": "New Cairo"}]
    assert read_message(text, {"filters": {}}, two_places, "auto", previous=previous).arguments.get("location") is None


@pytest.mark.parametrize(
    ("text", "filters", "arguments"),
    [("how much is a 3 bedroom apartment in Maadi usually?", {"bedrooms": 3, "property_types": ["Apartment"],
                                                             "locations": ["Maadi"]},
      {"location": "Maadi", "property_type": "Apartment", "bedrooms": 3}),
     ("بكام الشقة 3 غرف في المعادي عادة؟", {"bedrooms": 3, "property_types": ["Apartment"], "locations": ["Maadi"]},
      {"location": "Maadi", "property_type": "Apartment", "bedrooms": 3}),
     ("شقة غرفتين في التجمع سعرها كام في العادي", {"bedrooms": 2, "property_types": ["Apartment"],
                                                   "locations": ["New Cairo"]},
      {"location": "New Cairo", "property_type": "Apartment", "bedrooms": 2}),
     ("what's the average price of a 2 bedroom in Zayed?", {"bedrooms": 2, "locations": ["Sheikh Zayed"]},
      {"location": "Sheikh Zayed", "bedrooms": 2}),
     ("how much do villas in Zayed typically go for?", {"property_types": ["Villa"], "locations": ["Sheikh Zayed"]},
      {"location": "Sheikh Zayed", "property_type": "Villa"}),
     ("el sha2a 3 owad fel tagamo3 b kam 3adatan?", {"bedrooms": 3, "property_types": ["Apartment"],
                                                     "locations": ["New Cairo"]},
      {"location": "New Cairo", "property_type": "Apartment", "bedrooms": 3}),
     # No place, no search before: the whole market's figures of that many bedrooms
     ("how much is a 3 bedroom usually?", {"bedrooms": 3}, {"bedrooms": 3})],
)  # fmt: skip
def test_what_a_kind_of_home_usually_costs_is_the_figures_of_those_listings(
    text: str, filters: dict[str, Any], arguments: dict[str, Any]
) -> None:
    reading = read_message(text, {"filters": filters}, [], "auto")
    assert (reading.tool, reading.arguments) == ("check_market_trends", arguments)


@pytest.mark.parametrize(
    ("text", "filters"),
    [("show me 3 bedroom apartments in Maadi with good prices", {"bedrooms": 3, "property_types": ["Apartment"],
                                                                 "locations": ["Maadi"]}),
     ("عايز شقق في التجمع بأسعار كويسة", {"property_types": ["Apartment"], "locations": ["New Cairo"]}),
     # "3 bedrooms or more" is no count the figures can be taken of
     ("average price of 3+ bedroom apartments in Maadi", {"min_bedrooms": 3, "property_types": ["Apartment"],
                                                          "locations": ["Maadi"]}),
     ("I usually work from home, I need 3 bedrooms in Maadi", {"bedrooms": 3, "locations": ["Maadi"]})],
)  # fmt: skip
def test_homes_at_good_prices_or_of_a_least_bedroom_count_are_a_search(text: str, filters: dict[str, Any]) -> None:
    assert read_message(text, {"filters": filters}, [], "auto").tool == "search_properties"


def test_a_bedroom_count_asked_after_a_search_is_of_its_place_then_changed_then_shown() -> None:
    previous = LastSearch({"query": "apartments in Maadi", "location": "Maadi", "property_type": "Apartment"},
                          ("a",), (6_000_000,), (150.0,))  # fmt: skip
    reading = read_message("how much is a 3 bedroom one usually?", {"filters": {"bedrooms": 3}}, [{"id": "a"}], "auto",
                           previous=previous)  # fmt: skip
    three = {"location": "Maadi", "property_type": "Apartment", "bedrooms": 3}
    assert (reading.tool, reading.arguments) == ("check_market_trends", three)
    again = read_message("and 2 bedrooms?", {"filters": {"bedrooms": 2}}, [], "auto",
                         calculation=("check_market_trends", three))  # fmt: skip
    assert (again.tool, again.arguments) == ("check_market_trends", {**three, "bedrooms": 2})
    call = {"id": "c1", "name": "check_market_trends", "arguments": again.arguments}
    past = [{"role": "user", "content": "and 2 bedrooms?"},
            {"role": "tool", "content": json.dumps({"ok": True, "count": 42}), "tool_calls": [call]},
            {"role": "assistant", "content": "... Shall I show you listings there?"}]  # fmt: skip
    assert offered_next(past, past[-1]["content"]) == (
        "search_properties",
        {"query": "2-bedroom apartment in Maadi", "location": "Maadi", "property_type": "Apartment", "bedrooms": 2},
    )


def test_the_figures_of_a_bedroom_count_say_it_and_so_does_having_none() -> None:
    reading = Reading("en", "check_market_trends", {"location": "Maadi", "property_type": "Apartment", "bedrooms": 3})
    content = {**_trends_content(), "location": "Maadi", "location_ar": "المعادي", "property_type": "Apartment",
               "bedrooms": 3}  # fmt: skip
    part = ToolReturnPart("check_market_trends", content, tool_call_id="c")
    assert write_reply(reading, [part]).startswith(
        "3-bedroom apartments in Maadi: 420 listings, median EGP 71,090/m², median price EGP 12,175,000"
    )
    arabic = Reading("ar", reading.tool, reading.arguments)
    assert write_reply(arabic, [part]).startswith("الشقق 3 غرف في المعادي: 420 وحدة معروضة")
    two = ToolReturnPart("check_market_trends", {**content, "bedrooms": 2}, tool_call_id="c")
    assert write_reply(arabic, [two]).startswith("الشقق غرفتين في المعادي")
    none = ToolReturnPart(
        "check_market_trends",
        {"ok": False, "error": "not_found", "location": "Maadi", "property_type": "Apartment", "bedrooms": 7},
        tool_call_id="c",
    )
    assert write_reply(reading, [none]).startswith("I have no 7-bedroom apartments in Maadi right now")
    assert write_reply(arabic, [none]).startswith("معنديش شقة 7 غرف في Maadi")
    with pytest.raises(ValidationError):
        TrendsArgs(location="Maadi", bedrooms=21)


def _trends_content(**recent: Any) -> dict[str, Any]:
    return {"ok": True, "location": "Sheikh Zayed", "location_ar": "الشيخ زايد", "count": 420,
            "median_price_per_sqm": 71_090, "median_price": 12_175_000, "min_price": 2_420_000,
            "max_price": 54_020_000, "by_delivery_year": [], "by_location": [],
            "recent": {"days": 30, "new_listings": 35, "price_drops": 0, **recent}}  # fmt: skip


@pytest.mark.parametrize(
    ("text", "calculation"),
    [("have prices in Sheikh Zayed gone up?", None), ("الأسعار في زايد بتزيد؟", None),
     ("el as3ar fe zayed betzeed?", None), ("and in Zayed, are prices rising?", ("check_market_trends", {}))],
)  # fmt: skip
def test_how_prices_move_is_answered_as_asking_prices_today_and_the_last_days_changes(
    text: str, calculation: tuple[str, dict[str, Any]] | None
) -> None:
    parsed = {"filters": {"locations": ["Sheikh Zayed"]}}
    reading = read_message(text, parsed, [], "auto", calculation=calculation)
    assert (reading.tool, reading.arguments, reading.note) == (
        "check_market_trends", {"location": "Sheikh Zayed"}, "over_time"
    )  # fmt: skip
    part = ToolReturnPart("check_market_trends", _trends_content(price_drops=4, median_drop_pct=7.5), tool_call_id="c")
    lines = write_reply(reading, [part]).splitlines()
    said = (["دي أسعار المعروض النهاردة، ومعنديش مؤشر أسعار على مدار الوقت. في آخر 30 يوم: 35 وحدة جديدة و4 تخفيضات "
             "في السعر (التخفيض المعتاد حوالي 7.5%)."] if reading.language == "ar" else
            ["These are asking prices today; I keep no price index over time. In the last 30 days: 35 new listings "
             "and 4 price cuts (median cut 7.5%)."])  # fmt: skip
    assert lines[1:2] == said, lines
    # None cut, said so; and the figures asked for today's prices alone do not talk of time.
    quiet = ToolReturnPart("check_market_trends", _trends_content(), tool_call_id="c")
    assert ("no price cuts" in write_reply(reading, [quiet])) or ("مفيش ولا تخفيض" in write_reply(reading, [quiet]))
    today = read_message("price per meter in Sheikh Zayed", parsed, [], "auto")
    assert today.note is None and "price index" not in write_reply(today, [part])


@pytest.mark.parametrize(
    ("text", "filters", "arguments"),
    [("التجمع ولا زايد احسن؟", {}, {}),
     ("new cairo or zayed, which is better for an apartment under 8 million?",
      {"property_types": ["Apartment"], "max_price": 8_000_000},
      {"property_type": "Apartment", "max_price": 8_000_000}),
     ("compare new cairo and zayed", {}, {}),
     ("zayed wala el tagamo3 a7san?", {}, {})],
)  # fmt: skip
def test_places_named_with_which_is_better_are_set_side_by_side(
    text: str, filters: dict[str, Any], arguments: dict[str, Any]
) -> None:
    places = ["New Cairo", "Sheikh Zayed"]
    parsed = {"filters": {"locations": places, **filters}, "places": places, "regions": []}
    reading = read_message(text, parsed, [], "auto")
    assert (reading.tool, reading.arguments, reading.note) == (
        "check_market_trends", {"places": places, **arguments}, "which_area")  # fmt: skip


@pytest.mark.parametrize(
    ("text", "parsed"),
    [  # A search over places, rooms, a region or one place: no side by side
        ("apartment in new cairo or zayed", {"places": ["New Cairo", "Sheikh Zayed"]}),
        ("best 3 bedroom apartment in new cairo or zayed", {"places": ["New Cairo", "Sheikh Zayed"],
                                                              "filters": {"bedrooms": 3}}),
        ("giza or east cairo, which is better?", {"places": ["Giza", "East Cairo"], "regions": ["Giza", "East Cairo"]}),
        ("which is better in new cairo?", {"places": ["New Cairo"]}),
    ],
)  # fmt: skip
def test_a_search_over_places_or_one_place_is_not_set_side_by_side(text: str, parsed: dict[str, Any]) -> None:
    reading = read_message(text, {"filters": {}, **parsed}, [], "auto")
    assert "places" not in reading.arguments


SIDE_BY_SIDE = {**MARKET, "places": ["New Cairo", "Sheikh Zayed"], "by_location": MARKET["by_location"][:2]}


def test_places_side_by_side_say_which_costs_less_a_metre_and_has_most_to_choose_from() -> None:
    reading = Reading("en", "check_market_trends", {"places": ["New Cairo", "Sheikh Zayed"]}, note="which_area")
    text = write_reply(reading, [ToolReturnPart("check_market_trends", SIDE_BY_SIDE, "c1")])
    assert text.startswith("New Cairo and Sheikh Zayed: 900 listings")
    assert ("A square metre costs 9% less in Sheikh Zayed than in New Cairo (EGP 55,000 against EGP 60,000), and "
            "New Cairo has the most to choose from (300 listings).") in text  # fmt: skip
    assert "delivery 2" not in text and text.endswith("Shall I show you listings in them?")
    arabic = write_reply(Reading("ar", reading.tool, reading.arguments, note="which_area"),
                         [ToolReturnPart("check_market_trends", SIDE_BY_SIDE, "c1")])  # fmt: skip
    assert arabic.startswith("في التجمع الخامس والشيخ زايد:")
    assert "سعر المتر في الشيخ زايد أقل من التجمع الخامس بحوالي 9% (55,000 جنيه مقابل 60,000)" in arabic
    assert arabic.endswith("تحب أوريك وحدات في المناطق دي؟")
    # Within a point or two: about the same, not one "cheaper"; a region's places are no side by side of the buyer's.
    close = [{**SIDE_BY_SIDE["by_location"][0], "median_price_per_sqm": 56_000}, SIDE_BY_SIDE["by_location"][1]]
    same = write_reply(reading, [ToolReturnPart("check_market_trends", {**SIDE_BY_SIDE, "by_location": close}, "c")])
    assert "A square metre costs about the same (EGP 55,000 and EGP 56,000)" in same
    assert "costs about the same" not in reply("which_area") and "less in" not in reply("which_area")


def test_a_yes_after_places_side_by_side_shows_listings_in_them() -> None:
    call = {
        "id": "c1",
        "name": "check_market_trends",
        "arguments": {"places": ["New Cairo", "Sheikh Zayed"], "property_type": "Apartment", "max_price": 8_000_000},
    }
    past = [{"role": "user", "content": "new cairo or zayed?"},
            {"role": "tool", "content": json.dumps(SIDE_BY_SIDE), "tool_calls": [call]},
            {"role": "assistant", "content": "... Shall I show you listings in them?"}]  # fmt: skip
    assert offered_next(past, past[-1]["content"]) == ("search_properties", {
        "query": "apartment in New Cairo or Sheikh Zayed up to EGP 8,000,000", "property_type": "Apartment",
        "max_price": 8_000_000})  # fmt: skip


def test_a_location_and_places_together_or_one_place_alone_are_refused() -> None:
    with pytest.raises(ValidationError):
        TrendsArgs(location="Maadi", places=["New Cairo", "Sheikh Zayed"])
    with pytest.raises(ValidationError):
        TrendsArgs(places=["New Cairo"])
    assert TrendsArgs(places=["New Cairo", "Sheikh Zayed"]).places == ["New Cairo", "Sheikh Zayed"]


def test_which_area_after_a_search_over_a_few_places_sets_those_side_by_side() -> None:
    whole = Reading("en", "check_market_trends", {}, note="which_area")
    filters = {"locations": ["New Cairo", "Sheikh Zayed"], "property_types": ["Apartment"], "max_price": 8_000_000}
    searched = {"filters": filters, "places": ["New Cairo", "Sheikh Zayed"], "regions": []}
    reading = places_searched(whole, searched)
    assert reading is not None and (reading.tool, reading.arguments, reading.note) == (
        "check_market_trends",
        {"places": ["New Cairo", "Sheikh Zayed"], "property_type": "Apartment", "max_price": 8_000_000},
        "which_area",
    )
    # A budget with a floor is no ceiling to take the figures under; one place or a region is no side by side.
    ranged = {**searched, "filters": {**searched["filters"], "min_price": 7_000_000}}
    assert places_searched(whole, ranged).arguments == {  # type: ignore[union-attr]
        "places": ["New Cairo", "Sheikh Zayed"], "property_type": "Apartment"}  # fmt: skip
    assert places_searched(whole, {**searched, "places": ["New Cairo"]}) is None
    assert places_searched(whole, {**searched, "regions": ["Giza"], "places": ["Giza", "Maadi"]}) is None


def test_places_asked_right_after_a_search_keep_its_type_and_budget() -> None:
    places = ["New Cairo", "Sheikh Zayed"]
    parsed = {"filters": {"locations": places}, "places": places, "regions": []}
    arguments = {
        "query": "sha2a fel tagamo3 ta7t 6 milyon",
        "location": "New Cairo",
        "property_type": "Apartment",
        "max_price": 6_000_000,
    }
    searched = LastSearch(arguments, ("a",), (5_990_000,), (138.0,))
    reading = read_message("el tagamo3 wala zayed a7san?", parsed, [{"id": "a"}], "auto", previous=searched)
    assert reading.arguments == {"places": places, "property_type": "Apartment", "max_price": 6_000_000}
    # A range is no ceiling to take the figures under; named in the message, its own type wins.
    ranged = LastSearch({**searched.arguments, "min_price": 4_000_000}, ("a",), (5_990_000,), (138.0,))
    assert read_message("el tagamo3 wala zayed a7san?", parsed, [], "auto", previous=ranged).arguments == {
        "places": places, "property_type": "Apartment"}  # fmt: skip
    villas = {**parsed, "filters": {**parsed["filters"], "property_types": ["Villa"]}}
    assert read_message("villas: new cairo or zayed, which is better?", villas, [], "auto",
                        previous=searched).arguments["property_type"] == "Villa"  # fmt: skip


@pytest.mark.parametrize("text", ["which area has the best rental yield?", "انهي منطقة الايجار فيها احسن؟"])
def test_which_area_for_rent_gives_the_figures_and_says_listings_state_no_rents(text: str) -> None:
    reading = read_message(text, {"filters": {}, "text": text, "understood": []}, [], "auto")
    assert (reading.tool, reading.note) == ("check_market_trends", "which_area_rent")
    figures = {"ok": True, "location": None, "property_type": None, "count": 40, "median_price_per_sqm": 50_000,
               "median_price": 6_000_000, "min_price": 2_000_000, "max_price": 9_000_000, "by_delivery_year": [],
               "by_location": [{"location": "New Cairo", "location_ar": "التجمع الخامس", "count": 25,
                                "median_price_per_sqm": 60_000},
                               {"location": "Sheikh Zayed", "location_ar": "الشيخ زايد", "count": 15,
                                "median_price_per_sqm": 70_000}]}  # fmt: skip
    said = write_reply(reading, [ToolReturnPart("check_market_trends", figures, "c1")], seed="s")
    assert ("مقدرش أرتب المناطق بعائد الإيجار" if reading.language == "ar" else
            "so I cannot rank areas by rental yield") in said  # fmt: skip
    plain = read_message("which area is best to buy in?", {"filters": {}, "text": "", "understood": []}, [], "auto")
    assert plain.note == "which_area"
    # Within a budget too: what it buys where, and still that no rents are stated to rank by
    budget = f"{text} under 5 million"
    reading = read_message(budget, {"filters": {"max_price": 5_000_000}, "text": budget, "understood": []}, [], "auto")
    assert (reading.tool, reading.arguments, reading.note) == (
        "check_market_trends", {"max_price": 5_000_000}, "which_area_rent")  # fmt: skip
    for place in figures["by_location"]:
        place["median_size_sqm"] = 120.0
    said = write_reply(reading, [ToolReturnPart("check_market_trends", {**figures, "budget": 5_000_000}, "c1")], "s")
    assert ("مقدرش أرتب المناطق بعائد الإيجار" if reading.language == "ar" else
            "so I cannot rank areas by rental yield") in said, said  # fmt: skip


@pytest.mark.parametrize("text", ["what areas can I afford?", "انهي مناطق اقدر اشتري فيها؟"])
def test_which_areas_one_can_afford_after_a_search_are_the_places_within_its_budget(text: str) -> None:
    previous = LastSearch({"query": "apartments under 3.3M", "property_type": "Apartment", "min_price": 2_700_000,
                           "max_price": 3_300_000}, ("a",), (3_000_000,), (90.0,))  # fmt: skip
    reading = read_message(text, {"filters": {}}, [{"id": "a"}], "auto", previous=previous)
    assert (reading.tool, reading.arguments, reading.note) == (
        "check_market_trends", {"property_type": "Apartment", "max_price": 3_300_000}, "which_area")  # fmt: skip
    # ... or within the price a mortgage just put within reach
    after_loan = read_message(text, {"filters": {}}, [], "auto", within=1_500_000)
    assert after_loan.arguments == {"max_price": 1_500_000}


@pytest.mark.parametrize(
    ("text", "filters", "searched"),
    [("show me apartments there", {"property_types": ["Apartment"]},
      {"property_type": "Apartment", "location": "Maadi", "max_price": 5_000_000, "bedrooms": 3}),
     ("show me some listings", {}, {"location": "Maadi", "max_price": 5_000_000, "bedrooms": 3, "homes_only": True}),
     ("any under 4 million?", {"max_price": 4_000_000},
      {"location": "Maadi", "max_price": 4_000_000, "bedrooms": 3, "homes_only": True}),
     ("عايز اشوف شقق هناك", {"property_types": ["Apartment"]},
      {"property_type": "Apartment", "location": "Maadi", "max_price": 5_000_000, "bedrooms": 3})],
)  # fmt: skip
def test_listings_asked_for_after_the_figures_are_in_their_place_and_budget(
    text: str, filters: dict[str, Any], searched: dict[str, Any]
) -> None:
    figures = ("check_market_trends", {"location": "Maadi", "max_price": 5_000_000, "bedrooms": 3})
    parsed = {"filters": filters, "text": text, "understood": []}
    reading = read_message(text, parsed, [], "auto", calculation=figures)
    assert reading.tool == "search_properties" and reading.arguments == {"query": text, **searched}, reading
    # A place, a type or a count of its own wins
    elsewhere = {"filters": {"locations": ["New Cairo"], "property_types": ["Villa"], "bedrooms": 4}, "text": text}
    moved = read_message("show me 4 bedroom villas in New Cairo", elsewhere, [], "auto", calculation=figures)
    assert {k: moved.arguments.get(k) for k in ("location", "property_type", "bedrooms")} == {
        "location": "New Cairo", "property_type": "Villa", "bedrooms": 4}  # fmt: skip


@pytest.mark.parametrize(
    ("text", "filters", "arguments"),
    [("is the North Coast a good investment?", {"locations": ["North Coast"]}, {"location": "North Coast"}),
     ("التجمع استثمار كويس؟", {"locations": ["New Cairo"]}, {"location": "New Cairo"}),
     ("is a villa in Zayed worth it?", {"locations": ["Sheikh Zayed"], "property_types": ["Villa"]},
      {"location": "Sheikh Zayed", "property_type": "Villa"})],
)  # fmt: skip
def test_whether_a_place_is_a_good_investment_is_its_figures_and_what_decides_it(
    text: str, filters: dict[str, Any], arguments: dict[str, Any]
) -> None:
    reading = read_message(text, {"filters": filters, "text": text, "understood": []}, [], "auto")
    assert (reading.tool, reading.arguments, reading.note) == ("check_market_trends", arguments, "invest_place")
    figures = {"ok": True, "location": arguments["location"], "property_type": arguments.get("property_type"),
               "count": 40, "median_price_per_sqm": 50_000, "median_price": 6_000_000, "min_price": 2_000_000,
               "max_price": 9_000_000, "by_delivery_year": [], "by_location": []}  # fmt: skip
    said = write_reply(reading, [ToolReturnPart("check_market_trends", figures, "c1")], seed="s")
    assert ("ده بيتحدد بالإيجار اللي الوحدة هناك تجيبه قصاد سعرها" if reading.language == "ar" else
            f"Whether {arguments['location']} is a good investment turns on the rent") in said, said  # fmt: skip
    # With a budget it is a search within it; of a listing shown, that listing's
    budgeted = {"filters": {**filters, "max_price": 5_000_000}, "text": text, "understood": []}
    assert read_message(f"{text} with 5 million", budgeted, [], "auto").tool == "search_properties"
