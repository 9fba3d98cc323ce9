"""The rules brain books the viewing time a buyer picks from the ones the previous turn offered: by its place in the
list, by its day and hour, or by a yes when one was offered, in English and Egyptian Arabic; a message about
something else routes as before, and the replies say the booking, the sign-in it needs and a time taken meanwhile."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

import pytest
from pydantic_ai.messages import ToolReturnPart

from osool_agent.brains.replies import write_reply
from osool_agent.brains.rules import Reading, ViewingOffer, last_focus, pick_offered, read_message, viewing_offer
from osool_agent.grounding import Facts, ground_reply

LISTING = "7c9e6679-7425-40de-944b-e07fc1f90ae7"
SHOWN = [{"id": "00000000-0000-4000-8000-000000000001"}, {"id": "00000000-0000-4000-8000-000000000002"}]
TODAY = date(2026, 5, 31)  # a Sunday: the times offered are Monday 1 and Tuesday 2 June, 09:00 to 11:00 each


def slot(day: int, hour: int) -> dict[str, Any]:
    """A slot as schedule_viewing returns it (Cairo is UTC+3 in June)."""
    on = f"2026-06-{day:02d}"
    return {"starts_at": f"{on}T{hour - 3:02d}:00:00Z", "ends_at": f"{on}T{hour - 2:02d}:00:00Z",
            "local_start": f"{on}T{hour:02d}:00", "agent_id": "5f0c7d3e-0000-4000-8000-000000000009"}  # fmt: skip


SLOTS = [slot(day, hour) for day in (1, 2) for hour in (9, 10, 11)]


def turn(message: str, tool: str, arguments: dict[str, Any], content: dict[str, Any]) -> list[dict[str, Any]]:
    """One turn as chat-history keeps it: the user's message, the tool call with its result, Amr's reply."""
    return [
        {"role": "user", "content": message},
        {"role": "tool", "content": json.dumps(content), "tool_calls": [{"id": "c1", "name": tool,
                                                                          "arguments": arguments}]},
        {"role": "assistant", "content": "…"},
    ]  # fmt: skip


def offered(slots: list[dict[str, Any]]) -> list[dict[str, Any]]:
    search = turn("apartment in New Cairo", "search_properties", {"query": "apartment in New Cairo"},
                  {"ok": True, "listings": SHOWN})  # fmt: skip
    viewing = turn("can I visit the first one?", "schedule_viewing", {"property_id": LISTING},
                   {"ok": True, "property_id": LISTING, "slots": slots})  # fmt: skip
    return search + viewing


def read(message: str, offer: ViewingOffer | None) -> Reading:
    return read_message(message, {"filters": {}}, SHOWN, "auto", offer, TODAY)


def booking(place: int) -> dict[str, Any]:
    return {"property_id": LISTING, "starts_at": SLOTS[place - 1]["starts_at"]}


def test_the_offer_is_the_previous_turns_free_times_in_the_order_listed() -> None:
    offer = viewing_offer(offered(SLOTS))
    assert offer is not None and offer.property_id == LISTING and offer.picked is None
    assert [time.starts_at for time in offer.times] == [s["starts_at"] for s in SLOTS]
    assert offer.times[1].local == datetime(2026, 6, 1, 10)


def test_there_is_no_offer_once_another_turn_came_between_or_none_was_made() -> None:
    later = offered(SLOTS) + turn("3 bedroom villa in Zayed", "search_properties", {}, {"ok": True, "listings": []})
    assert viewing_offer(later) is None
    assert viewing_offer(offered([])) is None
    assert viewing_offer([]) is None
    no_tool = [*offered(SLOTS), {"role": "user", "content": "thanks"}, {"role": "assistant", "content": "welcome"}]
    assert viewing_offer(no_tool) is None


def test_a_turn_that_asked_to_sign_in_keeps_the_offer_and_the_time_picked() -> None:
    asked = turn("the second one", "schedule_viewing", booking(2),
                 {"ok": False, "error": "sign_in_required", "message": "sign in"})  # fmt: skip
    offer = viewing_offer(offered(SLOTS) + asked)
    assert offer is not None and offer.picked == SLOTS[1]["starts_at"] and len(offer.times) == 6
    # The buyer signed in and says yes: the time they picked, not "which one?".
    assert read("ok I signed in, book it", offer).arguments == booking(2)


@pytest.mark.parametrize(
    ("message", "place"),
    [("the second one", 2), ("the second one please", 2), ("2", 2), ("option 3", 3), ("#4", 4), ("2nd", 2),
     ("the first time works", 1), ("the last one", 6), ("التاني", 2), ("التانية لو سمحت", 2), ("رقم 2", 2),
     ("رقم ٣", 3), ("الأولاني", 1), ("آخر ميعاد", 6), ("I want the third one", 3), ("عايز التالت", 3)],
)  # fmt: skip
def test_a_time_is_picked_by_its_place_in_the_list(message: str, place: int) -> None:
    reading = read(message, viewing_offer(offered(SLOTS)))
    assert (reading.tool, reading.arguments) == ("schedule_viewing", booking(place))


@pytest.mark.parametrize(
    ("message", "place"),
    [("Tuesday at 11", 6), ("tuesday at 11am please", 6), ("Monday 10:00", 2), ("tomorrow at 9", 1),
     ("can I come Tuesday morning at 10?", 5), ("2 June at 9", 4), ("June 1st at 11", 3), ("2026-06-02 10:00", 5),
     ("يوم الثلاثاء الساعة ١١", 6), ("التلات الساعه 10 الصبح", 5), ("بكرة الساعة 9", 1), ("يوم الاتنين الساعة 11", 3),
     ("احجزلي الشقة دي يوم التلات الساعة 9", 4), ("يوم التلات 2 يونيو الساعة 11:00", 6)],
)  # fmt: skip
def test_a_time_is_picked_by_its_day_and_hour(message: str, place: int) -> None:
    reading = read(message, viewing_offer(offered(SLOTS)))
    assert (reading.tool, reading.arguments) == ("schedule_viewing", booking(place))


@pytest.mark.parametrize(
    ("message", "place"),
    [("el etnen el sa3a 10", 2), ("bokra el sa3a 9 el sob7", 1), ("el talat el sa3a 11", 6), ("tamam el tanya", 2)],
)
def test_a_time_is_picked_in_franco(message: str, place: int) -> None:
    reading = read(message, viewing_offer(offered(SLOTS)))
    assert (reading.tool, reading.arguments) == ("schedule_viewing", booking(place))


@pytest.mark.parametrize("message", ["11am", "at 11", "الساعة 11", "11"])
def test_an_hour_alone_picks_when_one_offered_time_has_it(message: str) -> None:
    times = [slot(1, 9), slot(1, 10), slot(2, 11)]
    offer = viewing_offer(offered(times))
    assert offer is not None
    picked = pick_offered(message, offer, TODAY)
    assert picked != "unclear" and picked is not None and picked.starts_at == times[2]["starts_at"]
    # Two days at 11: which one is not clear, so the times are offered again.
    assert pick_offered(message, viewing_offer(offered(SLOTS)) or offer, TODAY) == "unclear"


@pytest.mark.parametrize("message", ["yes book it", "yes please", "ok", "sounds good, book it", "تمام احجزها",
                                     "ايوه", "ماشي احجزهالي"])  # fmt: skip
def test_a_yes_books_the_only_time_offered(message: str) -> None:
    offer = viewing_offer(offered([slot(2, 10)]))
    reading = read(message, offer)
    assert reading.tool == "schedule_viewing"
    assert reading.arguments == {"property_id": LISTING, "starts_at": slot(2, 10)["starts_at"]}


@pytest.mark.parametrize("message", ["tamam", "aywa e7gezha", "mashy", "ok tamam"])
def test_a_franco_yes_books_the_only_time_offered(message: str) -> None:
    offer = viewing_offer(offered([slot(2, 10)]))
    reading = read(message, offer)
    assert reading.tool == "schedule_viewing"
    assert reading.arguments == {"property_id": LISTING, "starts_at": slot(2, 10)["starts_at"]}


@pytest.mark.parametrize("message", ["yes book it", "تمام احجزها", "Tuesday", "the sixth one",
                                     "can I book a viewing?", "عايز معاينة"])  # fmt: skip
def test_a_pick_that_names_no_single_offered_time_offers_the_times_again(message: str) -> None:
    offer = viewing_offer(offered(SLOTS[:5]))
    reading = read(message, offer)
    assert (reading.tool, reading.arguments) == ("schedule_viewing", {"property_id": LISTING})


@pytest.mark.parametrize(
    ("message", "asked"),
    [("at 5pm", {"time": "17:00"}), ("Saturday at 5", {"day": "2026-06-06", "time": "17:00"}),
     ("wednesday", {"day": "2026-06-03"}), ("يوم الخميس الساعة ١٢", {"day": "2026-06-04", "time": "12:00"}),
     ("Tuesday at 3", {"day": "2026-06-02", "time": "15:00"}), ("11", {"time": "11:00"}),
     ("Monday afternoon", {"day": "2026-06-01", "period": "afternoon"}), ("بالليل", {"period": "evening"})],
)  # fmt: skip
def test_a_day_or_time_none_offered_is_on_asks_for_the_times_nearest_it(message: str, asked: dict[str, str]) -> None:
    # Offered: Monday 1 June 09:00-11:00, Tuesday 2 June 09:00-10:00 (and, for "11", Monday's 11:00 is not offered).
    offer = viewing_offer(offered([s for s in SLOTS[:5] if s["local_start"] != "2026-06-01T11:00"]))
    reading = read(message, offer)
    assert (reading.tool, reading.arguments) == ("schedule_viewing", {"property_id": LISTING, **asked})


@pytest.mark.parametrize(
    ("message", "asked"),
    [("can I visit the first one on Saturday at 5pm?", {"day": "2026-06-06", "time": "17:00"}),
     ("I'd like to see it tomorrow morning at 10", {"day": "2026-06-01", "time": "10:00"}),
     ("can I see it?", {}), ("view the apartment on 3 June", {"day": "2026-06-03"}),
     ("عايز اعاين الشقة دي يوم السبت الساعة 5", {"day": "2026-06-06", "time": "17:00"}),
     ("ممكن اشوفها النهارده بالليل الساعة 8", {"day": "2026-05-31", "time": "20:00"}),
     ("can we come see it on sunday?", {"day": "2026-05-31"}), ("visit it on 30 February", {}),
     ("can I see the first on saturday at 5pm?", {"day": "2026-06-06", "time": "17:00"}),
     ("momken a3aynha bokra el sa3a 11?", {"day": "2026-06-01", "time": "11:00"}),
     ("3ayez mo3ayna yom el sabt el sa3a 5 ba3d el dohr", {"day": "2026-06-06", "time": "17:00"}),
     ("ashofha el khamis", {"day": "2026-06-04"}),
     # A part of the day without a clock: its times first
     ("can I visit the first one on Thursday afternoon?", {"day": "2026-06-04", "period": "afternoon"}),
     ("عايز اعاينها بكرة بالليل", {"day": "2026-06-01", "period": "evening"}),
     ("a3ayenha el sob7", {"period": "morning"}),
     ("book a viewing in the evening at 7", {"time": "19:00"}),
     ("ممكن اعاين الاولى يوم الخميس بعد الضهر؟", {"day": "2026-06-04", "period": "afternoon"}),  # not noon
     ("اعاينها الخميس الظهر", {"day": "2026-06-04", "time": "12:00"})],
)  # fmt: skip
def test_a_viewing_asked_for_a_day_and_time_carries_them(message: str, asked: dict[str, str]) -> None:
    # "it": the listing the last turns were about (or the first, named)
    reading = read_message(message, {"filters": {}}, SHOWN, "auto", None, TODAY, focus=SHOWN[0]["id"])
    assert (reading.tool, reading.arguments) == ("schedule_viewing", {"property_id": SHOWN[0]["id"], **asked})
    # None looked at since a list of several: which one, unless the message names it
    listed = read(message, None)
    if "first" in message or "الاولى" in message or "الشقة دي" in message:  # "this apartment": the first shown
        assert (listed.tool, listed.arguments) == ("schedule_viewing", {"property_id": SHOWN[0]["id"], **asked})
    else:
        assert (listed.tool, listed.smalltalk) == (None, "which_view")
    alone = read_message(message, {"filters": {}}, SHOWN[:1], "auto", None, TODAY)
    assert (alone.tool, alone.arguments) == ("schedule_viewing", {"property_id": SHOWN[0]["id"], **asked})


@pytest.mark.parametrize(
    "message", ["let me see its price", "can I see the price of the first?", "see more", "see the first one details"]
)
def test_seeing_a_price_or_more_listings_is_no_viewing(message: str) -> None:
    assert read(message, None).tool != "schedule_viewing"


def asked_reply(content: dict[str, Any], ar: bool = False) -> str:
    reading = Reading("ar" if ar else "en", "schedule_viewing", {"property_id": LISTING})
    part = ToolReturnPart("schedule_viewing", {"ok": True, "property_id": LISTING, **content}, "c1")
    return write_reply(reading, [part])


def test_the_reply_says_whether_the_time_asked_for_is_free() -> None:
    one = asked_reply({"slots": [slot(6, 17)], "asked_day": "2026-06-06", "asked_time": "17:00", "asked_free": True})
    assert one == "Saturday 6 June at 17:00 is free (Cairo time). Shall I book it?"
    ar = asked_reply({"slots": [slot(6, 17)], "asked_day": "2026-06-06", "asked_time": "17:00", "asked_free": True},
                     ar=True)  # fmt: skip
    assert ar == "ميعاد يوم السبت 6 يونيو الساعة 17:00 فاضي (بتوقيت القاهرة). أحجزهولك؟"
    taken = asked_reply({"slots": [slot(6, 16), slot(6, 18)], "asked_day": "2026-06-06", "asked_time": "17:00",
                         "asked_free": False})  # fmt: skip
    assert taken.startswith("Saturday 6 June at 17:00 is not free. The nearest free viewing times (Cairo time):\n"
                            "1. Saturday 6 June at 16:00\n2. Saturday 6 June at 18:00\n")  # fmt: skip
    off = asked_reply({"slots": [slot(7, 10)], "asked_day": "2026-06-05", "asked_free": False})
    assert off.startswith("There is no free viewing time on Friday 5 June. The nearest free viewing times")
    day = asked_reply({"slots": [slot(6, 10), slot(6, 11)], "asked_day": "2026-06-06", "asked_free": True})
    assert day.startswith("The free viewing times from Saturday 6 June (Cairo time):\n1. Saturday 6 June at 10:00")
    hour = asked_reply({"slots": [slot(6, 16)], "asked_time": "17:00", "asked_free": False})
    assert hour.startswith("17:00 is not free. The nearest free viewing times (Cairo time):\n1. Saturday 6 June")


VIEWED = {"title": "Villa for sale", "type": "Villa", "location": "Sheikh Zayed", "location_ar": "الشيخ زايد",
          "compound": "Joulz", "compound_ar": "جولز", "price": 21060000}  # fmt: skip


def test_the_times_offered_and_the_booking_name_the_listing_viewed() -> None:
    times = {"slots": [slot(6, 10), slot(6, 11)]}
    en = asked_reply({**times, "viewed": VIEWED})
    assert en.split("\n")[:2] == ["Viewing Villa for sale (Villa in Joulz, Sheikh Zayed), EGP 21,060,000.",
                                  "The next free viewing times (Cairo time):"]  # fmt: skip
    ar = asked_reply({**times, "viewed": VIEWED}, ar=True)
    assert ar.split("\n")[0] == "معاينة Villa for sale (فيلا في جولز، الشيخ زايد)، 21,060,000 جنيه."
    # Its title saying what and where, the title alone; a result without the listing (an older turn) names none.
    said = asked_reply({**times, "viewed": {**VIEWED, "title": "Villa in Joulz, Sheikh Zayed"}})
    assert said.startswith("Viewing Villa in Joulz, Sheikh Zayed, EGP 21,060,000.\nThe next free viewing times")
    assert asked_reply(times).startswith("The next free viewing times (Cairo time):\n1. ")
    booked = {"ok": True, "property_id": LISTING, "viewed": VIEWED, "viewing_id": "v1", "status": "booked",
              "starts_at": "2026-06-06T07:00:00+00:00"}  # fmt: skip
    reading = Reading("en", "schedule_viewing", {"property_id": LISTING})
    assert write_reply(reading, [ToolReturnPart("schedule_viewing", booked, "c1")]).startswith(
        "Booked: your viewing of Villa for sale (Villa in Joulz, Sheikh Zayed), EGP 21,060,000 is on Saturday 6 June "
        "at 10:00 (Cairo time)."
    )


def test_an_unclear_pick_offers_the_times_asked_for_again_in_the_same_order() -> None:
    history = offered(SLOTS[:4])
    history[-2]["tool_calls"][0]["arguments"] = {"property_id": LISTING, "day": "2026-06-01", "time": "10:00"}
    reading = read("yes", viewing_offer(history))
    assert (reading.tool, reading.note) == ("schedule_viewing", "which_time")
    assert reading.arguments == {"property_id": LISTING, "day": "2026-06-01", "time": "10:00"}
    again = asked_reply({"slots": SLOTS[:4], "asked_day": "2026-06-01", "asked_time": "10:00", "asked_free": True})
    assert not again.startswith("Please pick")
    reading.note = "which_time"
    part = ToolReturnPart("schedule_viewing", {"ok": True, "property_id": LISTING, "slots": SLOTS[:1],
                                               "asked_time": "10:00", "asked_free": True}, "c1")  # fmt: skip
    assert write_reply(reading, [part]).startswith("Please pick one of these free viewing times (Cairo time):\n1. ")


def test_a_yes_after_the_one_time_asked_for_books_it() -> None:
    only = offered([slot(6, 17)])
    only[-2]["content"] = json.dumps({"ok": True, "property_id": LISTING, "slots": [slot(6, 17)], "asked_free": True,
                                      "asked_day": "2026-06-06", "asked_time": "17:00"})  # fmt: skip
    reading = read("yes please", viewing_offer(only))
    assert reading.arguments == {"property_id": LISTING, "starts_at": slot(6, 17)["starts_at"]}


def test_without_times_offered_the_second_one_is_still_the_second_listing() -> None:
    assert (read("the second one", None).tool, read("the second one", None).arguments) == (
        "get_property", {"property_id": SHOWN[1]["id"]})  # fmt: skip
    assert read("التاني", None).arguments == {"property_id": SHOWN[1]["id"]}
    assert read("yes book it", None).tool is None
    after_search = offered(SLOTS) + turn("villas in Zayed", "search_properties", {}, {"ok": True, "listings": SHOWN})
    assert read("the second one", viewing_offer(after_search)).arguments == {"property_id": SHOWN[1]["id"]}


@pytest.mark.parametrize(
    ("message", "filters", "tool"),
    [("3 bedroom apartment in New Cairo under 8M", {"locations": ["New Cairo"], "bedrooms": 3, "max_price": 8e6},
      "search_properties"),
     ("compare the first two", {}, "compare_units"), ("what is the price of the second one?", {}, "get_property"),
     ("tell me about the second apartment", {}, "get_property"),
     ("reserve the second one", {}, "reserve_property"), ("reserve it", {}, None),
     ("is the first one still available?", {}, "check_availability"),
     ("monthly installment on the second one over 10 years", {}, "calculate_mortgage"),
     ("thanks", {}, None), ("ok thanks", {}, None), ("hello", {}, None), ("no, none of these", {}, None),
     ("is the second one furnished?", {"finishing": ["furnished"]}, "get_property"),
     ("does the second have a garden?", {"features": ["garden"]}, "get_property"),
     ("التانية متشطبة؟", {"finishing": ["finished"]}, "get_property"), ("who is the developer of the second?", {},
      "get_property")],
)  # fmt: skip
def test_a_message_about_something_else_routes_as_before(message: str, filters: dict[str, Any], tool: str) -> None:
    offer = viewing_offer(offered(SLOTS))
    with_offer = read_message(message, {"filters": filters}, SHOWN, "auto", offer, TODAY)
    without = read_message(message, {"filters": filters}, SHOWN, "auto", None, TODAY)
    assert with_offer.tool == tool
    assert (with_offer.tool, with_offer.arguments, with_offer.smalltalk) == (
        without.tool, without.arguments, without.smalltalk)  # fmt: skip


# ---- the replies ----


def reply(reading: Reading, *contents: dict[str, Any]) -> str:
    returns = [ToolReturnPart("schedule_viewing", content, tool_call_id=f"c{n}") for n, content in enumerate(contents)]
    text = write_reply(reading, returns, seed="s")
    facts = Facts()
    for content in contents:
        facts.add_tool_result(content)
    kept, violations = ground_reply(text, facts)
    assert violations == [] and kept == text.strip(), violations
    return text


def picked(language: str) -> Reading:
    return Reading(language, "schedule_viewing", booking(6))


BOOKED = {"ok": True, "property_id": LISTING, "viewing_id": "0d4f5a8e-0000-4000-8000-00000000000b",
          "starts_at": SLOTS[5]["starts_at"], "ends_at": SLOTS[5]["ends_at"], "status": "booked"}  # fmt: skip
OFFER = {"ok": True, "property_id": LISTING, "slots": SLOTS[:5]}


def test_the_booking_reply_names_the_cairo_time_and_the_invitation_on_its_way() -> None:
    english = reply(picked("en"), BOOKED)
    assert "Tuesday 2 June at 11:00 (Cairo time)" in english
    assert "calendar invitation" in english and "email" in english and "SMS" in english
    arabic = reply(picked("ar"), BOOKED)
    assert "يوم التلات 2 يونيو الساعة 11:00 (بتوقيت القاهرة)" in arabic
    assert "دعوة للتقويم" in arabic and "الإيميل" in arabic and "SMS" in arabic


def test_the_offered_times_read_as_days_and_hours_the_buyer_can_say_back() -> None:
    offer = viewing_offer(offered(SLOTS))
    for language in ("en", "ar"):
        text = reply(Reading(language, "schedule_viewing", {"property_id": LISTING}), OFFER)
        lines = [line.split(". ", 1)[1] for line in text.splitlines() if line[:1].isdigit()]
        assert len(lines) == 5
        # Each line, said back, picks its own time.
        for place, line in enumerate(lines, start=1):
            assert read(line, offer).arguments == booking(place), line
    asked = reply(Reading("en", "schedule_viewing", {"property_id": LISTING}, note="which_time"), OFFER)
    assert asked.startswith("Please pick one of these free viewing times (Cairo time):")


@pytest.mark.parametrize("language", ["en", "ar"])
def test_an_anonymous_pick_is_asked_to_sign_in_with_the_time_it_picked(language: str) -> None:
    text = reply(picked(language), {"ok": False, "error": "sign_in_required", "message": "sign in"})
    assert ("sign in" in text and "Tuesday 2 June at 11:00" in text) if language == "en" else (
        "سجل دخول" in text and "يوم التلات 2 يونيو الساعة 11:00" in text)  # fmt: skip


@pytest.mark.parametrize("language", ["en", "ar"])
def test_a_time_taken_meanwhile_is_said_and_the_free_times_follow(language: str) -> None:
    text = reply(picked(language), {"ok": False, "error": "slot_taken", "message": "taken"}, OFFER)
    first, offer = text.split("\n\n")
    assert ("has just been taken" in first and "pick another" in first) if language == "en" else (
        "اتحجز" in first and "اختار ميعاد تاني" in first)  # fmt: skip
    first_time = "1. Monday 1 June at 09:00" if language == "en" else "1. يوم الاتنين 1 يونيو الساعة 09:00"
    assert offer.splitlines()[1] == first_time


@pytest.mark.parametrize(
    ("message", "tool", "place"),
    [("عايز اعاين التانية", "schedule_viewing", 2), ("ممكن نعاين الأولى؟", "schedule_viewing", 1),
     ("احسبلي القسط للأولى", "calculate_mortgage", 1), ("احسب القسط للتانية", "calculate_mortgage", 2)],
)  # fmt: skip
def test_a_listing_shown_is_named_by_its_place_for_a_viewing_or_its_instalment(
    message: str, tool: str, place: int
) -> None:
    # The parser reads "القسط" as wanting installments: the message is still about a listing shown, not a new search.
    reading = read_message(message, {"filters": {"is_cash_only": False}}, SHOWN, "auto", None, TODAY)
    assert (reading.tool, reading.arguments.get("property_id")) == (tool, SHOWN[place - 1]["id"])


def test_it_is_the_listing_the_last_turns_were_about() -> None:
    searched = turn("villas in Zayed", "search_properties", {"query": "villas in Zayed"}, {"listings": SHOWN})
    viewing = turn("book a viewing for the second one", "schedule_viewing", {"property_id": SHOWN[1]["id"]},
                   {"ok": True, "property_id": SHOWN[1]["id"], "slots": []})  # fmt: skip
    focus = last_focus(searched + viewing)
    assert focus == SHOWN[1]["id"]
    reading = read_message("reserve it", {"filters": {}}, SHOWN, "auto", None, TODAY, focus=focus)
    assert (reading.tool, reading.arguments) == ("reserve_property", {"property_id": SHOWN[1]["id"]})
    # A list shown after it: "it" is none of them, so which one (a reservation of the wrong one costs a deposit); of
    # a list of one, that one.
    assert last_focus(searched + viewing + searched) is None
    reading = read_message("reserve it", {"filters": {}}, SHOWN, "auto", None, TODAY, focus=None)
    assert (reading.tool, reading.smalltalk) == (None, "which_reserve")
    reading = read_message("reserve it", {"filters": {}}, SHOWN, "auto", None, TODAY, focus=None, listed=1)
    assert reading.arguments == {"property_id": SHOWN[0]["id"]}


def test_a_part_of_the_day_picks_the_one_offered_time_in_it() -> None:
    # Offered: Monday 09:00 and 13:00; "the afternoon one" is 13:00, "Monday morning" is 09:00.
    offer = viewing_offer(offered([slot(1, 9), slot(1, 13)]))
    assert offer is not None
    assert pick_offered("the afternoon one please", offer, TODAY) == offer.times[1]
    assert pick_offered("Monday morning", offer, TODAY) == offer.times[0]


@pytest.mark.parametrize(
    ("content", "ar", "head"),
    [({"asked_day": "2026-06-04", "asked_period": "afternoon", "asked_free": True}, False,
      "The free afternoon viewing times from Thursday 4 June (Cairo time):"),
     ({"asked_period": "evening", "asked_free": True}, False, "The free evening viewing times (Cairo time):"),
     ({"asked_day": "2026-06-04", "asked_period": "afternoon", "asked_free": False}, False,
      "There is no free viewing time on Thursday 4 June in the afternoon. The nearest free viewing times "
      "(Cairo time):"),
     ({"asked_period": "evening", "asked_free": False}, True,
      "مفيش مواعيد فاضية بالليل. دي أقرب المواعيد الفاضية (بتوقيت القاهرة):")],
)  # fmt: skip
def test_the_reply_says_whether_the_part_of_the_day_asked_for_has_free_times(
    content: dict[str, Any], ar: bool, head: str
) -> None:
    assert asked_reply({"slots": [slot(4, 13), slot(4, 14)], **content}, ar=ar).split("\n")[0] == head


def test_a_time_alone_after_the_times_of_a_day_asked_for_is_on_that_day() -> None:
    # "Thursday at 12:00 is free. Shall I book it?" then "at 3": Thursday at 3, not the next 3 o'clock.
    viewing = turn("can I visit it on Thursday at noon?", "schedule_viewing",
                   {"property_id": LISTING, "day": "2026-06-04", "time": "12:00"},
                   {"ok": True, "property_id": LISTING, "slots": [slot(4, 12)], "asked_free": True})  # fmt: skip
    offer = viewing_offer(viewing)
    assert offer is not None
    for message in ("at 3", "الساعة ٣", "what about 3pm?"):
        reading = read(message, offer)
        assert reading.arguments == {"property_id": LISTING, "day": "2026-06-04", "time": "15:00"}, message
    other = read("Friday at 3", offer)
    assert other.arguments == {"property_id": LISTING, "day": "2026-06-05", "time": "15:00"}


def test_a_day_alone_after_a_time_asked_for_keeps_that_time() -> None:
    # "Saturday at 17:00 is free. Shall I book it?" then "actually make it Monday": Monday at 17:00, not the whole day.
    viewing = turn("can I see it on Saturday at 5pm?", "schedule_viewing",
                   {"property_id": LISTING, "day": "2026-06-06", "time": "17:00"},
                   {"ok": True, "property_id": LISTING, "slots": [slot(6, 17)], "asked_free": True})  # fmt: skip
    offer = viewing_offer(viewing)
    assert offer is not None
    for message in ("actually make it Monday", "خليها يوم الاتنين", "what about Monday?"):
        reading = read(message, offer)
        assert reading.arguments == {"property_id": LISTING, "day": "2026-06-01", "time": "17:00"}, message
    # A day with its own time or part of the day takes those instead.
    assert read("Monday at 11", offer).arguments == {"property_id": LISTING, "day": "2026-06-01", "time": "11:00"}
    morning = read("Monday morning", offer).arguments
    assert morning == {"property_id": LISTING, "day": "2026-06-01", "period": "morning"}
