"""The buyer's own viewings in the rules brain: listed, cancelled (the one named, or which one asked), asked to be
moved; and a reservation's cancelling never read as reserving."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic_ai.messages import ToolReturnPart

from osool_agent.brains.replies import write_reply
from osool_agent.brains.rules import last_viewings_listed, read_message, viewing_cancelled

NOTHING: dict[str, Any] = {"filters": {}, "text": "", "understood": []}
SHOWN = [{"id": f"SHOWN-{n}"} for n in range(1, 4)]
VIEWED = {"title": "3BR Apartment", "type": "Apartment", "location": "New Cairo", "price": 7_000_000}


def viewing(n: int, day: int, hour: int) -> dict[str, Any]:
    return {"viewing_id": f"v{n}", "property_id": f"SHOWN-{n}", "viewed": VIEWED, "status": "booked",
            "starts_at": f"2026-06-{day:02d}T{hour - 3:02d}:00:00Z",
            "local_start": f"2026-06-{day:02d}T{hour:02d}:00"}  # fmt: skip


@pytest.mark.parametrize(
    ("text", "arguments", "note"),
    [("I want to cancel my viewing", {"action": "cancel"}, None), ("الغي المعاينة", {"action": "cancel"}, None),
     ("الغي حجز المعاينة", {"action": "cancel"}, None), ("what viewings do I have?", {"action": "list"}, None),
     ("معايناتي امتى؟", {"action": "list"}, None), ("can I change my viewing time?", {"action": "list"}, "reschedule")],
)  # fmt: skip
def test_the_buyers_own_viewings_are_listed_or_cancelled_never_a_new_one_offered(
    text: str, arguments: dict[str, Any], note: str | None
) -> None:
    reading = read_message(text, NOTHING, SHOWN, "auto")
    assert (reading.tool, reading.arguments, reading.note) == ("my_viewings", arguments, note)


@pytest.mark.parametrize("text", ["cancel my reservation", "الغي الحجز"])
def test_a_reservation_cancelled_is_never_a_reservation_made(text: str) -> None:
    reading = read_message(text, NOTHING, SHOWN, "auto")
    assert (reading.tool, reading.smalltalk) == (None, "cancel_reservation")
    assert "/bookings" in write_reply(reading, [], seed="s")
    assert read_message("reserve the second one", NOTHING, SHOWN, "auto").tool == "reserve_property"


def test_after_the_list_a_number_cancels_that_one() -> None:
    past = [{"role": "tool", "content": '{"ok": true, "viewings": [{"viewing_id": "v1"}, {"viewing_id": "v2"}]}',
             "tool_calls": [{"name": "my_viewings", "arguments": {"action": "list"}}]}]  # fmt: skip
    listed = last_viewings_listed(past)
    assert listed == ("v1", "v2")
    for text in ("the second", "cancel the second one", "التانية"):
        reading = viewing_cancelled(text, "en", listed)
        assert reading is not None and reading.arguments == {"action": "cancel", "viewing_id": "v2"}, text
    assert viewing_cancelled("the fourth", "en", listed) is None  # not one of them
    assert viewing_cancelled("does the second have a garden?", "en", listed) is None  # a question, not a pick


@pytest.mark.parametrize("language", ["en", "ar"])
def test_the_reply_lists_them_soonest_first_says_the_one_cancelled_and_asks_which(language: str) -> None:
    ar = language == "ar"
    listed = {"ok": True, "viewings": [viewing(1, 2, 10), viewing(2, 3, 11)]}
    said = write_reply(read_message("what viewings do I have?", NOTHING, SHOWN, language),
                       [ToolReturnPart("my_viewings", listed, "c1")], seed="s").splitlines()  # fmt: skip
    assert said[0] == ("معايناتك الجاية (بتوقيت القاهرة):" if ar else "Your upcoming viewings (Cairo time):")
    assert said[1].endswith("يوم التلات 2 يونيو الساعة 10:00" if ar else "Tuesday 2 June at 10:00"), said
    assert said[2].startswith("2. ") and said[2].endswith("11:00"), said
    cancelled = {"ok": True, "viewings": [viewing(1, 2, 10)], "cancelled": {**viewing(2, 3, 11), "status": "cancelled"}}
    done = write_reply(read_message("الغي المعاينة", NOTHING, SHOWN, language),
                       [ToolReturnPart("my_viewings", cancelled, "c1")], seed="s")  # fmt: skip
    assert done.startswith("تمام، لغيت المعاينة" if ar else "Done: your viewing of 3BR Apartment"), done
    which = {"ok": False, "error": "which_viewing", "viewings": listed["viewings"]}
    asked = write_reply(read_message("cancel my viewing", NOTHING, SHOWN, language),
                        [ToolReturnPart("my_viewings", which, "c1")], seed="s")  # fmt: skip
    assert asked.endswith("أنهي واحدة ألغيها؟ قولي رقمها." if ar else "Which one shall I cancel? Tell me its number.")
    none = write_reply(read_message("what viewings do I have?", NOTHING, SHOWN, language),
                       [ToolReturnPart("my_viewings", {"ok": True, "viewings": []}, "c1")], seed="s")  # fmt: skip
    assert none.startswith("معندكش معاينات جاية" if ar else "You have no upcoming viewings.")
