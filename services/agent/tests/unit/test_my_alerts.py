""" "What alerts do I have?" lists the buyer's saved searches that alert; "stop my alert" ("الغي التنبيه") stops one,
the only one or the one named by its number after a list; asked to be alerted is still a saved search."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pydantic_ai.messages import ToolReturnPart

from osool_agent.brains.replies import write_reply
from osool_agent.brains.rules import Reading, alert_stopped, last_alerts_listed, read_message

ALERTS = [{"saved_search_id": "a1", "query": "villa in New Cairo under 40 million", "channel": "email"},
          {"saved_search_id": "a2", "query": "شقة في المعادي", "channel": "sms"}]  # fmt: skip


def read(text: str, **context: Any) -> Reading:
    return read_message(text, {"filters": {}, "text": text, "understood": []}, [], "auto", **context)


@pytest.mark.parametrize("text", ["what alerts do I have?", "show me my saved searches", "تنبيهاتي", "my alerts"])
def test_the_buyers_alerts_are_listed(text: str) -> None:
    assert (read(text).tool, read(text).arguments) == ("my_alerts", {"action": "list"})


@pytest.mark.parametrize(
    "text", ["stop my alert", "الغي التنبيه", "I don't want any more alerts", "مش عايز تنبيهات تاني", "unsubscribe me "
             "from the alerts"],
)  # fmt: skip
def test_stopping_an_alert_is_my_alerts_stop(text: str) -> None:
    assert (read(text).tool, read(text).arguments) == ("my_alerts", {"action": "stop"})


def test_cancel_it_right_after_a_search_was_saved_stops_it_and_otherwise_is_no_alert() -> None:
    assert read("cancel it", alert="villa in New Cairo").arguments == {"action": "stop"}
    assert read("cancel it").tool != "my_alerts"
    # Asking to be told is saving, whatever words follow
    saving = read_message("alert me when a villa in Zayed with no more than 4 bedrooms appears",
                          {"filters": {"max_bedrooms": 4}}, [], "auto")  # fmt: skip
    assert saving.tool == "save_search"


def test_after_a_list_the_number_named_is_the_one_stopped() -> None:
    call = {"id": "c1", "name": "my_alerts", "arguments": {"action": "list"}}
    past = [{"role": "user", "content": "what alerts do I have?"},
            {"role": "tool", "content": json.dumps({"ok": True, "alerts": ALERTS}), "tool_calls": [call]}]  # fmt: skip
    listed = last_alerts_listed(past)
    assert listed == ("a1", "a2")
    for text in ("the second", "stop the second one", "الغي التانية"):
        stop = alert_stopped(text, "en", listed)
        assert stop is not None and stop.arguments == {"action": "stop", "saved_search_id": "a2"}, text
    assert alert_stopped("villas in Zayed", "en", listed) is None


def reply(content: dict[str, Any], language: str = "en") -> str:
    reading = Reading(language, "my_alerts", {"action": "list"})
    return write_reply(reading, [ToolReturnPart("my_alerts", content, tool_call_id="c")])


def test_the_replies_list_stop_ask_which_and_ask_to_sign_in() -> None:
    assert reply({"ok": True, "alerts": ALERTS}) == (
        "Your alerts:\n1. villa in New Cairo under 40 million (by email)\n2. شقة في المعادي (by SMS)\n"
        "To stop one, tell me its number.")  # fmt: skip
    assert reply({"ok": True, "alerts": []}).startswith("You have no alerts on.")
    stopped = reply({"ok": True, "alerts": ALERTS[1:], "stopped": ALERTS[0]}, "ar")
    assert (
        stopped.startswith('تمام، وقفت التنبيه بتاع "villa in New Cairo under 40 million"')
        and "/saved-searches" in stopped
    )
    which = reply({"ok": False, "error": "which_alert", "alerts": ALERTS})
    assert which.startswith("You have more than one alert on:") and which.endswith(
        "Which one shall I stop? Tell me its number."
    )
    assert reply({"ok": False, "error": "sign_in_required"}).startswith("To see or stop your alerts, please sign in")
    assert reply({"ok": False, "error": "no_alerts"}, "ar") == "معندكش تنبيهات شغالة أوقفها."
