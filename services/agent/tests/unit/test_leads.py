"""Lead slots read by rules, the buyer score and a seller's scores, with their reasons and thresholds."""

from __future__ import annotations

from datetime import date

import pytest

from osool_agent.leads.pipeline import _merge, lead_summary
from osool_agent.leads.scoring import Thresholds, buyer_score, seller_score
from osool_agent.leads.slots import LeadSlots, consent_answer, phone_number, read_slots

TODAY = date(2026, 11, 30)
NEW_CAIRO = {
    "filters": {"max_price": 5_000_000, "bedrooms": 3, "property_types": ["Apartment"], "locations": ["New Cairo"]},
    "understood": ["3 bedroom", "apartment", "new cairo", "under 5 million"],
}


def slots(message: str, parsed: dict | None = None, context: str | None = None) -> dict:
    return read_slots(message, parsed or {"filters": {}, "understood": []}, context=context, today=TODAY).stated()


def test_a_buyer_states_budget_place_rooms_timeline_and_financing() -> None:
    stated = slots("3 bedroom apartment in new cairo under 5 million, paying cash, ready to move", NEW_CAIRO)
    assert stated == {"intent": "buy", "budget_max": 5_000_000, "areas": ["New Cairo"], "types": ["Apartment"],
                      "bedrooms": 3, "timeline": "immediate", "financing": "cash"}  # fmt: skip


def test_a_region_is_kept_by_its_name_and_a_long_list_of_places_is_cut_to_ten() -> None:
    places = [f"Place {n}" for n in range(1, 32)]
    region = {"filters": {"locations": [*places, "Greater Cairo"]}, "understood": [], "places": ["Greater Cairo"]}
    assert slots("villa in greater cairo", region)["areas"] == ["Greater Cairo"]
    # From a search service that does not fold its places: the last ten, never a refused turn.
    unfolded = {"filters": {"locations": [*places, "Greater Cairo"]}, "understood": []}
    assert slots("villa in greater cairo", unfolded)["areas"] == [*places[-9:], "Greater Cairo"]


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("I want to sell my villa in Zayed", "sell"),
        ("عايز ابيع شقتي", "sell"),
        ("looking for a unit to invest, good rental yield", "invest"),
        ("عايز شقة ايجار في المعادي", "rent"),
        ("I want to buy a flat", "buy"),
        ("محتاج شقة لعيلتي", "buy"),
        ("3ayez abee3 sha2ti", "sell"),
        ("3ayez esteshmar w a2agarha", "invest"),
        ("3ayez sha2a egar", "rent"),
        ("me7tag sha2a", "buy"),
        # Renting ruled out: a buyer
        ("شقة تمليك مش ايجار", "buy"),
        ("sha2a tamleek mesh egar", "buy"),
    ],
)
def test_intent(message: str, expected: str) -> None:
    assert slots(message)["intent"] == expected


@pytest.mark.parametrize(
    ("message", "timeline"),
    [
        ("we need it asap", "immediate"),
        ("استلام فوري", "immediate"),
        ("in 2 months", "within_3_months"),
        ("within six months", "within_6_months"),
        ("by the end of the year", "within_year"),
        ("delivery 2029 is fine", "later"),
        ("just browsing for now", "exploring"),
        ("بتفرج بس", "exploring"),
        ("mesh mesta3gel", "exploring"),
        ("3ayzenha 7alan", "immediate"),
        ("fe 5elal shahreen", "within_3_months"),
        ("fel sana el gaya", "within_year"),
        ("ba3d sanateen", "later"),
    ],
)
def test_timeline(message: str, timeline: str) -> None:
    assert slots(message).get("timeline") == timeline


@pytest.mark.parametrize(
    ("message", "financing"),
    [("I'll pay cash", "cash"), ("with a bank mortgage", "mortgage"), ("على اقساط", "installments"),
     ("هدفع كاش", "cash"), ("تمويل عقاري", "mortgage"), ("hadfa3 kash", "cash"), ("b tamweel 3a2ary", "mortgage"),
     ("bel ta2seet", "installments")],
)  # fmt: skip
def test_financing(message: str, financing: str) -> None:
    assert slots(message).get("financing") == financing


def test_around_a_figure_is_one_budget_not_the_parsers_band() -> None:
    parsed = {"filters": {"min_price": 3_600_000, "max_price": 4_400_000}, "understood": ["around 4 million"]}
    stated = slots("around 4 million", parsed)
    assert stated["budget_max"] == 4_000_000 and "budget_min" not in stated


def test_a_sellers_answers_read_in_the_context_of_the_question() -> None:
    assert slots("we're moving to Dubai next month", context="motivation") == {
        "intent": "sell", "motivation": "relocating", "timeline": "immediate"}  # fmt: skip
    assert slots("it's fully finished, we never lived in it", context="condition")["condition"] == "excellent"
    assert slots("not finished yet, core and shell", context="condition")["condition"] == "unfinished"
    assert slots("محتاجة صيانة", context="condition")["condition"] == "needs_work"
    # A price in a seller's conversation is what they ask, never a budget.
    stated = slots("hoping for 6.5 million", context="price_expectation")
    assert stated["price_expectation"] == 6_500_000 and "budget_max" not in stated
    assert slots("عايز فيها ٦ مليون", context="price_expectation")["price_expectation"] == 6_000_000


def test_a_sellers_answers_in_franco_arabic() -> None:
    assert slots("msafer bara masr el shahr el gay", context="motivation") == {
        "intent": "sell", "motivation": "relocating", "timeline": "immediate"}  # fmt: skip
    assert slots("el sha2a wers men el mar7oom", context="motivation")["motivation"] == "inheritance"
    assert slots("hya lessa nos tashteeb", context="condition")["condition"] == "unfinished"
    assert slots("me7taga seyana", context="condition")["condition"] == "needs_work"
    assert slots("3ayez fiha 7 milyon", context="price_expectation")["price_expectation"] == 7_000_000


def test_a_sellers_own_home_is_its_type_though_the_parser_does_not_read_it() -> None:
    assert slots("عايز ابيع شقتي")["types"] == ["Apartment"]
    assert slots("3ayez abee3 sha2ti")["types"] == ["Apartment"]
    assert "types" not in slots("3ayez ashtery")  # a buyer's type is the parser's reading alone


def test_a_ceiling_on_the_bedrooms_is_the_leads_bedrooms() -> None:
    studio = {"filters": {"property_types": ["Studio", "Apartment"], "max_bedrooms": 1}, "understood": []}
    assert slots("studio or 1 bedroom", studio)["bedrooms"] == 1
    assert slots("2-3 bedrooms", {"filters": {"min_bedrooms": 2, "max_bedrooms": 3}, "understood": []})["bedrooms"] == 2


def test_contact_and_consent() -> None:
    assert phone_number("call me on 0100 123 4567") == "+201001234567"
    assert phone_number("رقمي ٠١٢٢٣٣٤٤٥٥٦") == "+201223344556"
    assert phone_number("the unit is 120 m2 for 4500000") is None
    assert slots("mail me at Buyer@Example.com")["contact_email"] == "buyer@example.com"
    assert consent_answer("yes please") is True
    assert consent_answer("ايوه ماشي") is True
    assert consent_answer("no thanks") is False
    assert consent_answer("لا مش دلوقتي") is False
    assert consent_answer("what about the villa?") is None
    # One vocabulary with the rest of Amr: whole words, and "no problem" agrees
    assert consent_answer("yes call me now") is True  # "now" is no "no"
    assert consent_answer("اهلا") is None  # "hello" is no "اه"
    assert consent_answer("no problem") is True
    assert consent_answer("مفيش مشكله ابعته") is True
    assert consent_answer("of course") is True
    assert consent_answer("yes but not now") is False
    assert slots("villa under 1012345678").get("contact_phone") is None  # ten bare digits are an amount


@pytest.mark.parametrize(
    ("message", "name"),
    [("my name is Ahmed Hassan and I want a flat in Maadi", "Ahmed Hassan"), ("hi, my name is sara", "Sara"),
     ("اسمي محمد", "محمد"), ("انا اسمي محمد وعايز شقة", "محمد"), ("ana esmy omar", "Omar"),
     ("my name is not important", None), ("I am looking for a flat", None),
     ("what is the name of the compound?", None)],
)  # fmt: skip
def test_the_name_a_buyer_gives_is_the_leads(message: str, name: str | None) -> None:
    assert slots(message).get("contact_name") == name
    lead: dict[str, object] = {"contact_name": None, "areas": [], "types": []}
    if name:  # kept on the lead like the phone, a later one replacing it
        assert _merge(lead, LeadSlots(contact_name=name), answering=None) == ["contact_name"]
        assert lead["contact_name"] == name


def test_buyer_score_adds_up_its_reasons_and_takes_the_seeds_thresholds() -> None:
    thresholds = Thresholds()
    lead = {"budget_max": 5_000_000, "areas": ["New Cairo"], "types": ["Apartment"], "bedrooms": 3,
            "timeline": "immediate", "financing": "cash", "turns": 1, "listings_asked": []}  # fmt: skip
    score = buyer_score(lead, thresholds)
    assert score.score == 25 + 25 + 15 + 20 + 1 == 86
    assert score.temperature == "HOT"
    assert sum(reason["points"] for reason in score.reasons) == score.score
    assert any("up to 5,000,000 EGP" in reason["why"] for reason in score.reasons)
    vague = buyer_score({"areas": ["New Cairo"], "types": ["Apartment"], "turns": 1}, thresholds)
    assert (vague.score, vague.temperature) == (15, "COLD")
    warm = buyer_score({"budget_max": 3_000_000, "areas": ["Maadi"], "turns": 2}, thresholds)
    assert (warm.score, warm.temperature) == (34, "WARM")
    assert thresholds.temperature(50) == "HOT" and thresholds.temperature(49) == "WARM"
    assert thresholds.temperature(25) == "WARM" and thresholds.temperature(24) == "COLD"


def test_seller_scores_weigh_the_four_answers() -> None:
    weights = {"motivation": 0.35, "timeline": 0.30, "condition": 0.20, "price": 0.15}
    lead = {"motivation": "relocating", "timeline": "immediate", "condition": "excellent",
            "price_expectation": 6_000_000}  # fmt: skip
    realistic = seller_score(lead, Thresholds(), weights, market_price=6_000_000)
    assert realistic.commitment == 100 and realistic.temperature == "HOT" and realistic.readiness == 100
    greedy = seller_score(lead, Thresholds(), weights, market_price=4_000_000)  # asks 150 % of the market
    assert greedy.commitment == round(35 + 30 + 20 + 15 * 0.2) == 88
    assert greedy.readiness == round(100 * (0.7 * 0.2 + 0.3 * 1.0)) == 44
    assert any("150%" in reason["why"] for reason in greedy.reasons)
    unsure = seller_score({"motivation": "other", "timeline": "exploring"}, Thresholds(), weights, None)
    assert unsure.score == 14 and unsure.temperature == "COLD" and unsure.readiness is None
    # Other weights change the score: the configuration is used, not a constant.
    tilted = seller_score({"motivation": "other", "timeline": "exploring"}, Thresholds(), {"motivation": 1.0}, None)
    assert tilted.score == 40


def test_merging_keeps_what_was_said_before_and_grows_lists() -> None:
    lead = {"kind": "buyer", "intent": "buy", "areas": ["Maadi"], "types": [], "budget_max": 3_000_000}
    changed = _merge(lead, LeadSlots(areas=["New Cairo"], bedrooms=2), answering=None)
    assert lead["areas"] == ["Maadi", "New Cairo"] and lead["budget_max"] == 3_000_000 and lead["bedrooms"] == 2
    assert set(changed) == {"areas", "bedrooms"}
    seller = {"kind": "seller", "intent": "sell", "areas": [], "types": []}
    _merge(seller, LeadSlots(intent="buy", timeline="immediate"), answering="timeline")
    assert seller["kind"] == "seller" and seller["timeline"] == "immediate"
    assert "budget up to 3,000,000 EGP" in lead_summary(lead)


def test_the_tool_schemas_models_get_have_no_patterns_and_the_arguments_are_still_checked() -> None:
    """llama.cpp's grammar builder fails on some regular expressions and the local server crashes: no schema a model
    gets carries one, and what the patterns checked is checked when the tool runs."""
    import json

    import pytest
    from pydantic import ValidationError

    from osool_agent.leads.slots import LeadSlots
    from osool_agent.tools.catalog import TOOLS, pydantic_tools, tool_schema
    from osool_agent.tools.contracts import AuditContractArgs

    assert "pattern" in json.dumps(AuditContractArgs.model_json_schema())  # PlainText's control-character class
    for tool in pydantic_tools():
        schema = json.dumps(tool.tool_def.parameters_json_schema)
        assert "pattern" not in schema and '"maxLength": 20000' not in schema, tool.name
    assert {tool.name for tool in pydantic_tools()} == {spec.name for spec in TOOLS}
    assert tool_schema(LeadSlots)["properties"]["contact_phone"]["description"].startswith("an Egyptian mobile")
    with pytest.raises(ValidationError):
        AuditContractArgs(text="a contract with a bell \x07 character in it")
    with pytest.raises(ValidationError):
        LeadSlots(contact_phone="+2019999")
    assert LeadSlots(contact_phone="+201512345678").contact_phone == "+201512345678"
