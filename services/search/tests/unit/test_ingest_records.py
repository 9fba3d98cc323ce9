"""Reading exports and mapping them onto ListingIn: field aliases, value formats, file forms, rejection reasons."""

from __future__ import annotations

import codecs
import json
from typing import Any

import pytest

from osool_search.ingest_records import (
    IngestFileError,
    Rejection,
    normalise_record,
    read_records,
    validate_record,
)
from osool_search.listing import ListingIn

# A minimal valid record in canonical names; tests vary one thing at a time.
BASE: dict[str, Any] = {
    "source_id": "NC-1",
    "title": "3BR Apartment in Mivida",
    "type": "Apartment",
    "location": "New Cairo",
    "price": 8_500_000,
    "size_sqm": 165,
    "bedrooms": 3,
}


def _without(*names: str) -> dict[str, Any]:
    return {k: v for k, v in BASE.items() if k not in names}


def _valid(raw: dict[str, Any]) -> ListingIn:
    result = validate_record(raw, 1)
    assert isinstance(result, ListingIn), getattr(result, "reason", result)
    return result


def _rejected(raw: Any) -> Rejection:
    result = validate_record(raw, 7)
    assert isinstance(result, Rejection), f"accepted: {result!r}"
    assert result.position == 7
    return result


# ---- Field names ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "value", "field", "expected"),
    [
        ("id", "A-1", "source_id", "A-1"),
        ("sourceId", "A-1", "source_id", "A-1"),
        ("listing_id", 4711, "source_id", "4711"),
        ("Ref", "R-9", "source_id", "R-9"),
        ("reference", "R-9", "source_id", "R-9"),
        ("name", "Flat in Maadi", "title", "Flat in Maadi"),
        ("Title", "Flat in Maadi", "title", "Flat in Maadi"),
        ("desc", "Sunny", "description", "Sunny"),
        ("Details", "Sunny", "description", "Sunny"),
        ("propertyType", "Flat", "type", "Apartment"),
        ("unit_type", "Town House", "type", "Townhouse"),
        ("Category", "Chalet", "type", "Chalet"),
        ("region", "Zayed", "location", "Sheikh Zayed"),
        ("City", "New Capital", "location", "New Administrative Capital"),
        ("district", "Fifth Settlement", "location", "New Cairo"),
        ("project", "ZED West", "compound", "ZED West"),
        ("compound_name", "mivida", "compound", "Mivida"),
        ("developer_name", "Emaar", "developer", "Emaar Misr"),
        ("builder", "palm hills", "developer", "Palm Hills Developments"),
        ("total_price", "8,500,000", "price", 8_500_000),
        ("priceEGP", "EGP 8,500,000", "price", 8_500_000),
        ("Price (EGP)", "8.5M", "price", 8_500_000),
        ("asking-price", "8500000", "price", 8_500_000),
        ("pricePerSqm", "51,515", "price_per_sqm", 51_515),
        ("price_per_meter", 51_515, "price_per_sqm", 51_515),
        ("ppsqm", "51515", "price_per_sqm", 51_515),
        ("size", "165 m²", "size_sqm", 165.0),
        ("sqm", "165 sqm", "size_sqm", 165.0),
        ("BUA", 165, "size_sqm", 165.0),
        ("built up area", "165", "size_sqm", 165.0),
        ("area_sqm", "165.5", "size_sqm", 165.5),
        ("unit_area", "165 م²", "size_sqm", 165.0),
        ("beds", "3", "bedrooms", 3),
        ("rooms", 3, "bedrooms", 3),
        ("BR", "3BR", "bedrooms", 3),
        ("baths", "2", "bathrooms", 2),
        ("Bathrooms", 2, "bathrooms", 2),
        ("floor", 3, "floor", 3),
        ("Floor", "3", "floor", 3),
        ("floor_no", "3rd", "floor", 3),
        ("Floor No.", "3", "floor", 3),
        ("floor_number", "03", "floor", 3),
        ("Floor Number", "Floor 3", "floor", 3),
        ("floorNumber", 3.0, "floor", 3),
        ("level", "Ground", "floor", 0),
        ("unit_floor", "B", "floor", -1),
        ("unitFloor", "G", "floor", 0),
        ("finish", "Semi-Finished", "finishing", "semi_finished"),
        ("finishing_type", "Core & Shell", "finishing", "core_and_shell"),
        ("Finishing", "Fully Finished", "finishing", "fully_finished"),
        ("finishing", "Furnished", "finishing", "furnished"),
        ("deliveryDate", "Q3 2027", "delivery_year", 2027),
        ("delivery_year", 2027, "delivery_year", 2027),
        ("handover", "2027-06-30", "delivery_year", 2027),
        ("delivery", "06/2028", "delivery_year", 2028),
        ("isDelivered", "yes", "is_delivered", True),
        ("ready_to_move", "No", "is_delivered", False),
        ("delivered", 1, "is_delivered", True),
        ("saleType", "Primary", "sale_type", "developer"),
        ("sale_type", "Secondary", "sale_type", "resale"),
        ("Sale Type", "Resale", "sale_type", "resale"),
        ("downPayment", "10%", "down_payment_pct", 10.0),
        ("down_payment_pct", 10, "down_payment_pct", 10),
        ("installmentYears", "8 years", "installment_years", 8),
        ("installment_months", "96", "installment_years", 8),
        ("monthlyInstallment", "85,400", "monthly_installment", 85_400),
        ("cashOnly", "true", "is_cash_only", True),
        ("cash", "نعم", "is_cash_only", True),
        ("imageUrl", "https://img.example.com/1.jpg", "image_url", "https://img.example.com/1.jpg"),
        ("images", ["https://img.example.com/1.jpg", "https://img.example.com/2.jpg"], "image_url", None),
        ("link", "https://x.example.com/l/1", "source_url", "https://x.example.com/l/1"),
        ("available", "لا", "is_available", False),
        ("السعر", "٨٬٥٠٠٬٠٠٠", "price", 8_500_000),
        ("عدد الغرف", "٣", "bedrooms", 3),
    ],
)
def test_aliases_map_to_canonical_fields(name: str, value: Any, field: str, expected: Any) -> None:
    out = normalise_record({name: value})
    if name == "images":
        expected = value[0]
    assert field in out, out
    assert out[field] == expected


def test_a_canonical_name_wins_over_an_alias_of_the_same_field() -> None:
    out = normalise_record({"id": "alias-id", "source_id": "canonical-id", "name": "alias title", "title": "Real"})
    assert out["source_id"] == "canonical-id"
    assert out["title"] == "Real"


def test_unknown_fields_are_dropped_so_extra_columns_do_not_reject_a_record() -> None:
    listing = _valid({**BASE, "agent_phone": "+20100", "Broker Notes": "call after 5"})
    assert listing.source_id == "NC-1"


# ---- Floors --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("3", 3),
        ("03", 3),
        (" 7 ", 7),
        ("1st", 1),
        ("2nd", 2),
        ("3rd", 3),
        ("10th", 10),
        ("11th", 11),
        ("21st", 21),
        ("Floor 3", 3),
        ("floor 3", 3),
        ("3rd floor", 3),
        ("3rd Floor", 3),
        ("Floor No. 7", 7),
        ("Level 4", 4),
        ("first", 1),
        ("First Floor", 1),
        ("second", 2),
        ("third floor", 3),
        ("tenth", 10),
        ("twelfth", 12),
        ("twentieth", 20),
        ("0", 0),
        ("G", 0),
        ("GF", 0),
        ("G.F", 0),
        ("G/F", 0),
        ("Ground", 0),
        ("ground floor", 0),
        ("Upper Ground", 0),
        ("-1", -1),
        ("floor -1", -1),
        ("B", -1),
        ("B1", -1),
        ("basement", -1),
        ("Lower Ground", -1),
        ("LG", -1),
        ("semi basement", -1),
        ("Semi-Basement", -1),
        ("G+1", 0),  # a duplex on two floors is on the lower one
        ("1st & 2nd floor", 1),
        ("ground and first", 0),
    ],
)
def test_floors_in_english_and_digits(text: str, expected: int) -> None:
    assert normalise_record({"floor": text})["floor"] == expected
    assert _valid({**BASE, "floor": text}).floor == expected


@pytest.mark.parametrize(
    "text", ["roof", "Roof", "rooftop", "typical", "Typical Floor", "last floor", "top floor", "mezzanine"]
)
def test_a_floor_that_names_no_number_leaves_the_floor_unknown_and_the_listing_valid(text: str) -> None:
    assert normalise_record({"floor": text})["floor"] is None
    assert _valid({**BASE, "floor": text}).floor is None


@pytest.mark.parametrize("empty", ["", "-", "N/A", None])
def test_an_empty_floor_is_absent(empty: Any) -> None:
    assert "floor" not in normalise_record({**BASE, "floor": empty})
    assert _valid({**BASE, "floor": empty}).floor is None


@pytest.mark.parametrize("house", ["Villa", "Townhouse", "Twinhouse", "Twin House", "Stand Alone Villa"])
def test_a_house_has_no_floor(house: str) -> None:
    assert _valid({**BASE, "type": house, "floor": 3}).floor is None
    assert _valid({**BASE, "type": house, "floor": "Ground"}).floor is None
    # A house's floor column often counts its storeys: no floor, and no reason to refuse the house.
    assert _valid({**BASE, "type": house, "floor": "3 floors"}).floor is None


def test_a_floor_given_to_a_house_directly_is_dropped_but_a_flat_keeps_its_own() -> None:
    record = {**BASE, "size_sqm": 400, "floor": 2}
    assert ListingIn.model_validate({**record, "type": "Villa"}).floor is None
    assert ListingIn.model_validate({**record, "type": "Apartment"}).floor == 2
    assert ListingIn.model_validate({**record, "type": "Duplex"}).floor == 2


# ---- "area": size or place ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", [165, "165", "165 m²", "165 sqm", "١٦٥ متر"])
def test_a_numeric_area_is_the_size(value: Any) -> None:
    out = normalise_record({**_without("size_sqm"), "area": value})
    assert out["size_sqm"] == 165.0
    assert out["location"] == "New Cairo"


def test_a_text_area_is_the_location() -> None:
    out = normalise_record({**_without("location"), "area": "Tagamoa"})
    assert out["location"] == "New Cairo"
    assert out["size_sqm"] == 165


def test_an_explicit_size_wins_over_a_numeric_area_which_may_be_the_plot() -> None:
    out = normalise_record({**BASE, "area": "600"})
    assert out["size_sqm"] == 165


# ---- Values --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("8,500,000", 8_500_000),
        ("8.5M", 8_500_000),
        ("8.5 million", 8_500_000),
        ("EGP 8,500,000", 8_500_000),
        ("8,500,000 EGP", 8_500_000),
        ("L.E. 8,500,000", 8_500_000),
        ("8.500.000", 8_500_000),
        ("8 500 000", 8_500_000),
        ("850K", 850_000),
        ("٨٬٥٠٠٬٠٠٠", 8_500_000),
        ("٨٥٠٠٠٠٠ جنيه", 8_500_000),
        ("8.5 مليون", 8_500_000),
        ("1.2bn", 1_200_000_000),
        (8_500_000.0, 8_500_000),
    ],
)
def test_price_formats(text: Any, expected: int) -> None:
    assert normalise_record({"price": text})["price"] == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [("10%", 10.0), ("10 %", 10.0), (10, 10.0), ("10", 10.0), (0.1, 10.0), ("0.15", 15.0), (0, 0), ("٪١٠", None)],
)
def test_down_payment_bare_numbers_below_one_are_fractions(value: Any, expected: float | None) -> None:
    out = normalise_record({"down_payment": value})
    if expected is None:  # the percent sign before the number is not a format we read; it is passed on as given
        assert out["down_payment_pct"] == value
    else:
        assert out["down_payment_pct"] == pytest.approx(expected)


def test_a_bare_one_is_one_percent_down_not_the_whole_price() -> None:
    assert normalise_record({"down_payment": 1})["down_payment_pct"] == 1.0


@pytest.mark.parametrize(
    ("column", "value", "share"),
    [
        ("down_payment", 850_000, 10.0),
        ("المقدم", "850,000", 10.0),
        ("down_payment_amount", "EGP 1,275,000", 15.0),
        ("قيمة المقدم", "٨٥٠ ألف", 10.0),
        ("deposit", "1.7M", 20.0),
    ],
)
def test_a_down_payment_in_pounds_is_read_as_the_share_of_the_price(column: str, value: Any, share: float) -> None:
    # Brokerages often export the down payment as an amount: 850,000 of 8,500,000 is 10%.
    listing = _valid({**BASE, column: value, "installment_years": 8})
    assert listing.down_payment_pct == pytest.approx(share)


@pytest.mark.parametrize(
    ("value", "reason"),
    [("150%", "down_payment_pct: must be at most 100"), (9_000_000, "down_payment_pct: must be at most 100")],
)
def test_a_share_over_100_or_pounds_over_the_price_are_refused(value: Any, reason: str) -> None:
    assert reason in _rejected({**BASE, "down_payment": value, "installment_years": 8}).reason


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Apartment", "Apartment"),
        ("FLAT", "Apartment"),
        ("villa - standalone", "Villa"),
        ("Stand Alone Villa", "Villa"),
        ("I Villa", "Villa"),
        ("Town House", "Townhouse"),
        ("Twin House", "Twinhouse"),
        ("twin villa", "Twinhouse"),
        ("Roof Penthouse", "Penthouse"),
        ("Chalet", "Chalet"),
        ("شاليه", "Chalet"),
        ("Shop", "Retail"),
        ("Commercial", "Retail"),
        ("Administrative", "Office"),
        ("Medical", "Clinic"),
        ("Clinic", "Clinic"),
        ("studio", "Studio"),
        ("شقة", "Apartment"),
    ],
)
def test_property_type_variants(text: str, expected: str) -> None:
    assert normalise_record({"type": text})["type"] == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Fully Finished", "fully_finished"),
        ("fully_finished", "fully_finished"),
        ("Semi Finished", "semi_finished"),
        ("semi-finished", "semi_finished"),
        ("Core & Shell", "core_and_shell"),
        ("not finished", "core_and_shell"),
        ("Furnished", "furnished"),
        ("Fully Furnished", "furnished"),
        ("Super Lux", "fully_finished"),
        ("نص تشطيب", "semi_finished"),
    ],
)
def test_finishing_phrases(text: str, expected: str) -> None:
    assert normalise_record({"finishing": text})["finishing"] == expected


@pytest.mark.parametrize(
    ("fields", "location", "compound"),
    [
        ({"location": "Fifth Settlement"}, "New Cairo", None),
        ({"location": "التجمع الخامس"}, "New Cairo", None),
        ({"location": "Zayed"}, "Sheikh Zayed", None),
        ({"location": "New Capital"}, "New Administrative Capital", None),
        ({"location": "Mivida, New Cairo"}, "New Cairo", "Mivida"),
        ({"location": "Marassi"}, "North Coast", "Marassi"),
        ({"city": "Cairo", "district": "Tagamoa"}, "New Cairo", None),
        ({"city": "Giza"}, "Giza", None),
        # A region alone is filed under its name, whatever the spelling: a search there finds it.
        ({"location": "الجيزة"}, "Giza", None),
        ({"city": "giza governorate"}, "Giza", None),
        ({"location": "القاهرة"}, "Cairo", None),
        ({"location": "شرق القاهرة"}, "East Cairo", None),
        ({"city": "Suez"}, "Suez", None),  # a governorate that is no region is kept as given
        ({"location": "el rehab city"}, "Rehab City", None),
        ({"location": "EL REHAB, Cairo"}, "Rehab City", None),
        ({"location": "Smouha, Alexandria"}, "Alexandria", None),
        ({"city": "Red Sea", "district": "El Gouna"}, "El Gouna", None),
        ({"location": "abu rawash"}, "Abu Rawash", None),
        ({"location": "ABU RAWASH, Giza"}, "Abu Rawash", None),
        ({"location": "O West Lakes"}, "O West Lakes", None),
    ],
)
def test_locations_map_to_gazetteer_areas_or_are_kept(
    fields: dict[str, str], location: str, compound: str | None
) -> None:
    out = normalise_record(fields)
    assert out["location"] == location
    assert out.get("compound") == compound


def test_a_known_compound_fills_in_its_area_and_developer() -> None:
    listing = _valid({**_without("location"), "compound": "Allegria"})
    assert (listing.location, listing.developer) == ("Sheikh Zayed", "SODIC")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (
            {"paymentPlan": {"downPayment": "10%", "installmentYears": 8, "monthlyInstallment": "85,400"}},
            (10.0, 8, None),
        ),
        ({"payment_plan": {"down_payment": 0.2, "years": "6"}}, (20.0, 6, None)),
        ({"payment": "Cash"}, (None, None, True)),
        ({"payment": "10% down over 7 years"}, (10.0, 7, False)),
        ({"payment_method": "تقسيط"}, (None, None, False)),
        ({"cash": "yes"}, (None, None, True)),
    ],
)
def test_payment_plans_nested_flat_and_in_words(raw: dict[str, Any], expected: tuple[Any, Any, Any]) -> None:
    out = normalise_record(raw)
    assert (out.get("down_payment_pct"), out.get("installment_years"), out.get("is_cash_only")) == expected


@pytest.mark.parametrize(
    ("status", "field", "value"),
    [("Sold", "is_available", False), ("Available", "is_available", True), ("Ready", "is_delivered", True)],
)
def test_status_words(status: str, field: str, value: bool) -> None:
    assert normalise_record({"status": status})[field] is value


def test_a_ready_delivery_column_means_delivered_without_a_year() -> None:
    out = normalise_record({"delivery": "Ready to move"})
    assert out["is_delivered"] is True
    assert "delivery_year" not in out


@pytest.mark.parametrize("empty", ["", "  ", "-", "N/A", "null", None])
def test_empty_values_are_absent_so_defaults_apply(empty: Any) -> None:
    listing = _valid({**BASE, "description": empty, "finishing": empty, "compound": empty})
    assert (listing.description, listing.finishing, listing.compound) == ("", None, None)


def test_booleans_in_words_and_arabic() -> None:
    for text, expected in (("yes", True), ("No", False), ("TRUE", True), ("0", False), ("نعم", True), ("لا", False)):
        assert normalise_record({"is_available": text})["is_available"] is expected


def test_nested_objects_give_their_name_to_the_field_they_sit_under() -> None:
    out = normalise_record({"developer": {"id": 7, "name": "ora"}, "location": {"name": "Zayed"}})
    assert out["developer"] == "Ora Developers"
    assert out["location"] == "Sheikh Zayed"
    assert "source_id" not in out  # the developer's id is not the listing's


# ---- Rejections ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ({**BASE, "price": "-5,000"}, "price: must be greater than 0"),
        ({**BASE, "price": 0}, "price: must be greater than 0"),
        (_without("title"), "title: required"),
        ({**BASE, "title": ""}, "title: required"),
        ({**BASE, "type": "Spaceship"}, "type: unknown property type 'Spaceship'"),
        ({**BASE, "type": "Land"}, "type: unknown property type 'Land'"),
        ({**BASE, "price": "call for price"}, "price: not a number ('call for price')"),
        ({**BASE, "bedrooms": "three"}, "bedrooms: not a number ('three')"),
        ({**BASE, "price": "$500,000"}, "price: not a number ('$500,000')"),
        ({**BASE, "size_sqm": 0}, "size_sqm: must be greater than 0"),
        ({**BASE, "size_sqm": "0 m²"}, "size_sqm: must be greater than 0"),
        (_without("bedrooms"), "bedrooms is required for a residential listing"),
        ({**BASE, "finishing": "granite"}, "finishing: unknown finishing 'granite'"),
        ({**BASE, "is_available": "maybe"}, "is_available: not yes or no ('maybe')"),
        ({**BASE, "image_url": "not a url"}, "image_url: not a web address ('not a url')"),
        ({**BASE, "price": 5_000_000_000}, "price: must be at most 2,000,000,000"),
        ({**BASE, "title": "ab"}, "title: too short (at least 3 characters)"),
        ({**BASE, "bedrooms": 2.5}, "bedrooms: must be a whole number (2.5)"),
        ({**BASE, "is_cash_only": True, "installment_years": 8}, "a cash-only listing has no installment plan"),
        ({**BASE, "floor": "abc"}, "floor: not a floor ('abc')"),
        ({**BASE, "floor": "3.5"}, "floor: not a floor ('3.5')"),
        ({**BASE, "floor": "floor"}, "floor: not a floor ('floor')"),
        ({**BASE, "floor": 3.5}, "floor: must be a whole number (3.5)"),
        ({**BASE, "floor": "101st"}, "floor: must be at most 100"),
        ({**BASE, "floor": -2}, "floor: must be at least -1"),
        ({**BASE, "floor": "B2"}, "floor: must be at least -1"),
    ],
)
def test_rejection_reasons_name_the_field_and_the_problem(raw: dict[str, Any], reason: str) -> None:
    rejection = _rejected(raw)
    assert rejection.reason == reason
    assert rejection.source_id == raw.get("source_id")


def test_every_failing_field_is_listed_in_one_reason() -> None:
    rejection = _rejected({"id": "X-9", "type": "Apartment", "location": "Maadi", "price": 0, "size": "abc"})
    assert rejection.source_id == "X-9"
    assert rejection.reason == "title: required; price: must be greater than 0; size_sqm: not a number ('abc')"


def test_a_long_value_is_shortened_in_the_reason() -> None:
    reason = _rejected({**BASE, "price": "x" * 500}).reason
    assert reason.startswith("price: not a number ('xxx") and reason.endswith("…)")
    assert len(reason) < 80


@pytest.mark.parametrize("raw", [None, 42, "a string", ["a", "list"]])
def test_a_record_that_is_not_an_object_is_rejected(raw: Any) -> None:
    assert _rejected(raw).reason.startswith("not an object")


@pytest.mark.parametrize(
    "value",
    [None, True, 0, -1, 1e308, float("nan"), float("inf"), "", "٪", "…", [], [None], {}, {"a": {"b": [1]}}, "\x00"],
)
def test_no_value_in_any_field_makes_validation_raise(value: Any) -> None:
    names = ["id", "title", "type", "area", "location", "price", "size", "beds", "finishing", "delivery", "status"]
    names += ["paymentPlan", "payment", "down_payment", "images", "url", "cash", "compound", "developer", "sale_type"]
    for name in names:
        result = validate_record({**BASE, name: value}, 1)
        assert isinstance(result, ListingIn | Rejection)


# ---- Files ---------------------------------------------------------------------------------------------------------


def _listing_json(n: int) -> list[dict[str, Any]]:
    return [{**BASE, "source_id": f"NC-{i}"} for i in range(1, n + 1)]


@pytest.mark.parametrize("wrapper", [None, "properties", "listings", "data", "items", "Properties"])
def test_json_lists_bare_or_wrapped(wrapper: str | None) -> None:
    document: Any = _listing_json(3) if wrapper is None else {"meta": {"n": 3}, wrapper: _listing_json(3)}
    records = list(read_records(json.dumps(document).encode(), "export.json"))
    assert [r.position for r in records] == [1, 2, 3]
    assert [r.data["source_id"] for r in records] == ["NC-1", "NC-2", "NC-3"]


def test_json_wrapped_twice() -> None:
    document = {"data": {"items": _listing_json(2), "total": 2}}
    assert len(list(read_records(json.dumps(document).encode(), "json"))) == 2


def test_a_record_unpacks_as_position_and_data() -> None:
    ((position, data),) = list(read_records(json.dumps(_listing_json(1)).encode(), "json"))
    assert position == 1
    assert data["source_id"] == "NC-1"


def test_one_bad_record_does_not_stop_the_file() -> None:
    document = [*_listing_json(2), {**BASE, "source_id": "BAD", "price": -1}, 17, *_listing_json(1)]
    results = [validate_record(r.data, r.position) for r in read_records(json.dumps(document).encode(), "json")]
    assert [type(r).__name__ for r in results] == ["ListingIn", "ListingIn", "Rejection", "Rejection", "ListingIn"]
    assert [(r.position, r.source_id) for r in results if isinstance(r, Rejection)] == [(3, "BAD"), (4, None)]


CSV_SEMICOLON = (
    "Reference;Title;Description;Unit Type;Area;BUA (m²);Bedrooms;Price (EGP);Finishing\n"
    'NC-1;Flat in Tagamoa;"Near AUC; garden view, quiet";Flat;Tagamoa;165;3;8.500.000;Semi Finished\n'
    ";;;;;;;;\n"
    'NC-2;Villa in Zayed;"Two floors,\nwith a pool";Stand Alone Villa;Zayed;420;5;٤٥٬٠٠٠٬٠٠٠;Core & Shell\n'
    "NC-3;Shop;;Shop;Maadi;40;;2,000,000;\n"
)


def test_csv_with_a_bom_and_semicolons() -> None:
    data = codecs.BOM_UTF8 + CSV_SEMICOLON.encode()
    records = list(read_records(data, "listings.csv"))
    listings = [_valid(r.data) for r in records]
    assert [r.position for r in records] == [2, 4, 6]  # the lines the rows start on; the blank row is skipped
    assert [(x.source_id, x.type, x.location, x.price, x.size_sqm) for x in listings] == [
        ("NC-1", "Apartment", "New Cairo", 8_500_000, 165.0),
        ("NC-2", "Villa", "Sheikh Zayed", 45_000_000, 420.0),
        ("NC-3", "Retail", "Maadi", 2_000_000, 40.0),
    ]
    assert listings[0].description == "Near AUC; garden view, quiet"
    assert listings[1].description == "Two floors,\nwith a pool"
    assert listings[0].finishing == "semi_finished"


def test_csv_with_commas_and_cp1256_from_an_arabic_windows_excel() -> None:
    text = 'id,title,type,location,price,size,beds\nA-1,شقة للبيع,شقة,التجمع,"8,500,000",165,3\n'
    records = list(read_records(text.encode("cp1256"), "export.csv"))
    listing = _valid(records[0].data)
    assert (listing.title, listing.type, listing.location, listing.price) == (
        "شقة للبيع",
        "Apartment",
        "New Cairo",
        8_500_000,
    )


def test_csv_with_tabs_and_utf16_from_excel_unicode_text() -> None:
    text = "id\ttitle\ttype\tlocation\tprice\tsize\tbeds\nA-1\tFlat\tApartment\tMaadi\t5000000\t120\t2\n"
    records = list(read_records(text.encode("utf-16"), "export.txt"))
    assert _valid(records[0].data).location == "Maadi"


def test_a_csv_row_with_more_cells_than_the_header_is_rejected() -> None:
    text = "id,title,type,location,price,size,beds\nA-1,Flat,Apartment,Maadi,5,000,000,120,2\n"
    ((position, data),) = list(read_records(text.encode(), "csv"))
    assert position == 2
    rejection = _rejected(data)
    assert rejection.source_id == "A-1"
    assert "more than the header" in rejection.reason


def test_the_format_comes_from_the_content_when_the_name_says_nothing() -> None:
    assert len(list(read_records(json.dumps(_listing_json(2)).encode(), "upload"))) == 2
    assert len(list(read_records(b"id,title,price\n1,a,2\n", "upload"))) == 1


@pytest.mark.parametrize(
    ("data", "fmt", "message"),
    [
        (b"", "json", "empty"),
        (b"   \n", "csv", "empty"),
        (b'{"properties": [', "json", "not valid JSON"),
        (b"id,title\n1,a", "export.json", "not valid JSON"),
        (b"42", "json", "single int"),
        (b'"listings"', "json", "single str"),
        (b"null", "json", "single null"),
        (b'{"count": 2, "next": null}', "json", "no list of listings"),
        (b'{"properties": "none"}', "json", "no list of listings"),
        (b"PK\x03\x04\x14\x00\x06\x00", "listings.xlsx", "Excel workbook"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "photo.png", "binary"),
        (b"just one column\nof prose\n", "notes.csv", "not a CSV table"),
        (b"colour,shape\nred,round\n", "shapes.csv", "no listing column"),
    ],
)
def test_a_file_that_is_not_an_export_is_refused_as_a_whole(data: bytes, fmt: str, message: str) -> None:
    with pytest.raises(IngestFileError) as error:
        list(read_records(data, fmt))
    assert message in error.value.message
    assert error.value.status_code == 422


def test_the_file_is_refused_before_any_record_is_produced() -> None:
    with pytest.raises(IngestFileError):
        read_records(b"[1, 2,", "json")  # no iteration: the call itself refuses
