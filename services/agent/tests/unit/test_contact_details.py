"""A phone number or an email in a message is how to reach the buyer: taken out of what the rules brain and the
search parser read (never a budget or a search word), and a message that says nothing else is thanked for it."""

from __future__ import annotations

from typing import Any

import pytest

from osool_agent.brains.replies import write_reply
from osool_agent.brains.rules import LastSearch, phone_number, read_message, without_contact

PREVIOUS = LastSearch({"query": "apartment in zayed", "location": "Sheikh Zayed"}, ("a",), (5_000_000,), (120.0,))


@pytest.mark.parametrize(
    ("message", "left"),
    [
        ("my name is Ahmed, 01012345678", "my name is Ahmed,"),
        ("call me on 010 1234 5678 please", "call me on please"),
        ("+20 10 1234 5678", ""),
        ("reach me at 00201112345678 or ahmed.f@example.com", "reach me at or"),
        ("رقمي ٠١٢٢٣٤٥٦٧٨٩", "رقمي"),
        ("my number (010) 1234-5678 thanks", "my number thanks"),
        ("+20 (0)10 1234 5678", ""),
    ],
)
def test_phones_and_emails_are_taken_out(message: str, left: str) -> None:
    assert without_contact(message) == (left, True)


@pytest.mark.parametrize("message", ["villa under 1012345678", "apartment 3 bedrooms 2025", "budget 15000000"])
def test_amounts_and_years_are_no_phone(message: str) -> None:
    assert without_contact(message) == (message, False)
    assert phone_number(message) is None  # the lead reads the same numbers the reply leaves out


@pytest.mark.parametrize(
    ("message", "phone"),
    [("my number (010) 1234-5678 thanks", "+201012345678"), ("+20 (0)10 1234 5678", "+201012345678"),
     ("0020 111 234 5678", "+201112345678"), ("رقمي ٠١٢٢٣٤٥٦٧٨٩", "+201223456789")],
)  # fmt: skip
def test_the_number_taken_out_is_the_number_the_lead_keeps(message: str, phone: str) -> None:
    assert without_contact(message)[1] is True and phone_number(message) == phone


def read(text: str, contact: bool, filters: dict[str, Any] | None = None) -> Any:
    parsed = {"filters": filters or {}, "text": text, "understood": []}
    return read_message(text, parsed, [{"id": "a"}], "auto", previous=PREVIOUS, contact=contact)


@pytest.mark.parametrize(("text", "ar"), [("my name is Ahmed,", False), ("", False), ("رقمي", True)])
def test_a_message_giving_only_contact_details_is_thanked_for_them(text: str, ar: bool) -> None:
    reading = read(text, contact=True)
    assert (reading.tool, reading.smalltalk) == (None, "contact_noted")
    expected = "شكرًا، سجلت بيانات التواصل بتاعتك." if ar else "Thank you, I have noted your contact details."
    assert write_reply(reading, []) == expected


def test_without_contact_details_the_same_words_are_no_thanks() -> None:
    named = read("my name is Ahmed,", contact=False)  # greeted by the name, not thanked for contact details
    assert (named.smalltalk, named.arguments) == ("named", {"name": "Ahmed"})


def test_a_search_with_a_phone_is_still_the_search() -> None:
    reading = read("villas in new cairo, call me", contact=True,
                   filters={"property_types": ["Villa"], "locations": ["New Cairo"]})  # fmt: skip
    assert reading.tool == "search_properties" and reading.arguments["location"] == "New Cairo"
