"""The rules brain and "tell me when one appears": the search to save (the message's own, or the conversation's last),
the channel, a question when there is nothing to save, the replies, and reading the last search from history."""

from __future__ import annotations

import json
from typing import Any

from pydantic_ai.messages import ToolReturnPart

from osool_agent.brains.replies import write_reply
from osool_agent.brains.rules import last_alert, last_search, read_message

NOTHING: dict[str, Any] = {"filters": {}, "text": "", "understood": []}


def test_an_alert_request_saves_the_last_search_or_its_own() -> None:
    reading = read_message("tell me when one appears", NOTHING, [], "auto", last_query="villa in Sheikh Zayed")
    assert (reading.tool, reading.arguments) == ("save_search", {"query": "villa in Sheikh Zayed", "channel": "email"})
    arabic = read_message("ابعتلي لما تنزل حاجة زي دي في رسالة", NOTHING, [], "auto", last_query="فيلا في الشيخ زايد")
    assert (arabic.language, arabic.tool, arabic.arguments["channel"]) == ("ar", "save_search", "sms")
    parsed = {"filters": {"locations": ["New Cairo"], "property_types": ["Villa"]}, "text": "", "understood": []}
    own = read_message("notify me when a villa in New Cairo comes up", parsed, [], "auto", last_query="chalet")
    assert own.arguments["query"] == "a villa in New Cairo"
    tail = read_message("tell me when a villa in New Cairo under 30 million appears", parsed, [], "auto")
    assert tail.arguments["query"] == "a villa in New Cairo under 30 million"
    zayed = {"filters": {"locations": ["Sheikh Zayed"], "property_types": ["Villa"]}, "text": "", "understood": []}
    arabic_own = read_message("ابعتلي لما تنزل فيلا في الشيخ زايد", zayed, [], "auto", last_query="شقة")
    assert arabic_own.arguments == {"query": "فيلا في الشيخ زايد", "channel": "email"}
    # "A villa like this one": the type is named, but the search meant is the one just made.
    villa = {"filters": {"property_types": ["Villa"]}, "text": "", "understood": []}
    like = read_message("ابعتلي لما تنزل فيلا زي دي", villa, [], "auto", last_query="فيلا في الساحل بحري")
    assert like.arguments == {"query": "فيلا في الساحل بحري", "channel": "email"}
    similar = read_message("tell me when a similar villa comes up", villa, [], "auto", last_query="villa in Zayed")
    assert similar.arguments["query"] == "villa in Zayed"
    # In Franco-Arabic: "tell me when something like this comes up", "let me know when a villa in Zayed comes up".
    franco = read_message("2olli lama yenzel 7aga zay keda", NOTHING, [], "auto", last_query="villa fel sahel")
    assert franco.arguments == {"query": "villa fel sahel", "channel": "email"}
    franco_own = read_message("ballaghni lama tenzel villa fel sheikh zayed", zayed, [], "auto", last_query="sha2a")
    assert franco_own.arguments == {"query": "villa fel sheikh zayed", "channel": "email"}
    franco_like = read_message(
        "eb3atli lama yenzel villa zay di fi resala", villa, [], "auto", last_query="villa fel sahel"
    )
    assert franco_like.arguments == {"query": "villa fel sahel", "channel": "sms"}


def test_with_nothing_to_save_amr_asks_what_to_watch_for() -> None:
    reading = read_message("let me know when something comes up", NOTHING, [], "auto")
    assert reading.tool is None and reading.smalltalk == "alert_what"
    assert "watch for" in write_reply(reading, [])
    # Not an alert request: a plain search stays a search.
    search = read_message("villa in New Cairo", {"filters": {"locations": ["New Cairo"]}}, [], "auto", last_query="x")
    assert search.tool == "search_properties"


def test_the_replies_say_what_was_saved_and_why_not() -> None:
    reading = read_message("tell me when one appears", NOTHING, [], "en", last_query="villa in Sheikh Zayed")
    done = ToolReturnPart("save_search", {"ok": True, "query": "villa in Sheikh Zayed", "channel": "email"}, "c1")
    assert 'saved your search "villa in Sheikh Zayed"' in write_reply(reading, [done])
    refused = ToolReturnPart("save_search", {"ok": False, "error": "sign_in_required"}, "c2")
    assert "sign in" in write_reply(reading, [refused])
    ar = read_message("بلغني لما تنزل", NOTHING, [], "auto", last_query="فيلا")
    assert "سجل دخول" in write_reply(ar, [refused])


def test_the_last_search_is_read_from_history() -> None:
    def tool(name: str, arguments: dict[str, Any]) -> dict[str, Any]:
        return {"role": "tool", "tool_calls": [{"name": name, "arguments": arguments}], "content": json.dumps({})}

    past = [{"role": "user", "content": "villas"}, tool("search_properties", {"query": "villa in Zayed"}),
            {"role": "user", "content": "the first"}, tool("get_property", {"property_id": "x"}),
            {"role": "user", "content": "chalets"}, tool("search_properties", {"query": "chalet in Sahel"}),
            tool("check_availability", {"property_id": "y"})]  # fmt: skip
    assert last_search(past) == "chalet in Sahel"
    assert last_search(past[:2]) == "villa in Zayed"
    assert last_search([{"role": "user", "content": "hi"}]) is None
    # The alert asked for is the last tool call's only: a search since is what a channel named would be about.
    asked = [*past, tool("save_search", {"query": "chalet in Sahel", "channel": "email"})]
    assert (last_alert(asked), last_alert(past)) == ("chalet in Sahel", None)


def test_a_channel_named_after_an_alert_request_asks_it_again_by_that_channel() -> None:
    # "by sms please" to "To hear when a listing like this appears, please sign in first": the same search, by SMS.
    said = "townhouse in madinaty"
    for text, channel in (("by sms please", "sms"), ("في رسالة", "sms"), ("by email", "email"), ("عالإيميل", "email")):
        reading = read_message(text, NOTHING, [], "auto", alert=said)
        assert (reading.tool, reading.arguments) == ("save_search", {"query": said, "channel": channel}), text
    # With no alert just asked for, a channel alone saves nothing; a new search is that search.
    assert read_message("by sms please", NOTHING, [], "auto").tool is None
    parsed = {"filters": {"locations": ["Maadi"], "property_types": ["Apartment"]}, "text": "", "understood": []}
    assert read_message("apartments in Maadi by sms", parsed, [], "auto", alert=said).arguments.get("query") != said


def test_whatsapp_asked_for_is_said_unavailable_and_the_alert_goes_by_email() -> None:
    said = "townhouse in madinaty"
    for text, language in (("by whatsapp", "en"), ("على الواتس", "ar"), ("on whatsapp please", "en")):
        reading = read_message(text, NOTHING, [], "auto", alert=said)
        assert (reading.tool, reading.arguments, reading.note) == (
            "save_search", {"query": said, "channel": "email"}, "no_whatsapp"), text  # fmt: skip
        part = ToolReturnPart("save_search", {"ok": True, "saved_search_id": "s1", "query": said, "channel": "email"},
                              tool_call_id="c1")  # fmt: skip
        first = write_reply(reading, [part], seed="s").splitlines()[0]
        assert first == ("مش بنبعت تنبيهات على واتساب لسه، فهبلغك بالإيميل (أو برسالة SMS لو تحب)." if language == "ar"
                         else "Alerts do not go by WhatsApp yet, so I will tell you by email (or by SMS, if you "
                         "prefer)."), first  # fmt: skip
    # Asked for a number, or by SMS on WhatsApp's account: no such note.
    assert read_message("what's your whatsapp number?", NOTHING, [], "auto", alert=said).tool != "save_search"
    assert read_message("sms not whatsapp", NOTHING, [], "auto", alert=said).note is None


def test_a_channel_said_inside_the_alert_request_is_its_channel_not_its_search() -> None:
    villa = {"filters": {"property_types": ["Villa"], "locations": ["Maadi"]}, "text": "", "understood": []}
    reading = read_message("let me know by sms when a villa in Maadi comes up", villa, [], "auto")
    assert (reading.tool, reading.arguments) == ("save_search", {"query": "a villa in Maadi", "channel": "sms"})
    said = "townhouse in madinaty"
    by_email = read_message("tell me by email when one appears", NOTHING, [], "auto", last_query=said)
    assert (by_email.tool, by_email.arguments) == ("save_search", {"query": said, "channel": "email"})
    whatsapp = read_message("tell me on whatsapp when one appears", NOTHING, [], "auto", last_query=said)
    assert (whatsapp.tool, whatsapp.arguments["channel"], whatsapp.note) == ("save_search", "email", "no_whatsapp")
