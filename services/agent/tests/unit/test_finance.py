"""Amr's finance tools: every expected figure is worked out by hand here, never by the code under test."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import pytest
from pydantic import ValidationError

from osool_agent.tools import finance
from osool_agent.tools.finance import (
    DepositRate,
    FinanceData,
    LenderShare,
    MarketTerms,
    MortgageArgs,
    MortgageProgramme,
    RoiArgs,
    UnitTerms,
    calculate_investment_roi,
    calculate_mortgage,
    compare_units,
    plan_true_cost,
)

REAL_DATA: Callable[[], FinanceData] = finance.load_finance_data

# Figures of our own, so the arithmetic below stays true when the real data file is updated.
AS_OF = date(2026, 1, 1)
FIGURES = FinanceData(
    as_of=AS_OF,
    note="test figures",
    market=MarketTerms(annual_rate_pct=24, default_years=10, default_down_payment_pct=20, as_of=AS_OF, source="test"),
    lender_share=LenderShare(max_instalment_share_pct=40, as_of=AS_OF, source="test"),
    deposit_rate=DepositRate(annual_rate_pct=20, as_of=AS_OF, source="test"),
    programmes=[
        MortgageProgramme(
            id="low",
            name="Low income",
            annual_rate_pct=3,
            max_years=30,
            min_down_payment_pct=10,
            max_monthly_income=4_500,
            max_unit_price=350_000,
            as_of=date(2021, 7, 13),
            source="test",
            conditions="",
        ),
        MortgageProgramme(
            id="middle",
            name="Middle income",
            annual_rate_pct=8,
            max_years=20,
            min_down_payment_pct=20,
            max_monthly_income=40_000,
            max_unit_price=2_250_000,
            as_of=date(2020, 3, 31),
            source="test",
            conditions="",
        ),
    ],
)


@pytest.fixture(autouse=True)
def test_figures(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(finance, "load_finance_data", lambda: FIGURES)


def whole(value: float) -> int:
    """The hand calculation's own rounding to the pound, halves up."""
    return int(Decimal(repr(value)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def annuity(loan: float, annual_rate_pct: float, years: int) -> float:
    """M = P·r·(1+r)^n / ((1+r)^n - 1), written out independently of the module."""
    r, n = annual_rate_pct / 100 / 12, years * 12
    return loan * r * (1 + r) ** n / ((1 + r) ** n - 1)


# --- Mortgage -------------------------------------------------------------------------------------------------------


def test_a_million_at_twelve_percent_for_ten_years_costs_14347_a_month() -> None:
    # r = 12% / 12 = 0.01, n = 120, (1.01)^120 = 3.300386895
    # M = 1,000,000 x 0.01 x 3.300386895 / 2.300386895 = 14,347.0948
    # paid = 14,347.0948 x 120 = 1,721,651.38; interest 721,651.38 (from the rounded 14,347 it would be 721,640)
    growth = 1.01**120
    assert math.isclose(growth, 3.300386895, rel_tol=1e-9)
    exact = 1_000_000 * 0.01 * growth / (growth - 1)
    assert math.isclose(exact, 14_347.0948, abs_tol=1e-4)
    result = calculate_mortgage(MortgageArgs(loan_amount=1_000_000, annual_rate_pct=12, years=10))
    assert result.monthly_payment == 14_347
    assert result.total_paid == 1_721_651
    assert result.total_interest == 721_651
    assert (result.months, result.down_payment, result.total_cost_with_down_payment) == (120, None, None)
    assert result.programme.id == "custom"
    assert result.as_of == AS_OF


def test_a_zero_rate_divides_the_loan_evenly() -> None:
    # 1,200,000 / 120 months = 10,000; no interest
    result = calculate_mortgage(MortgageArgs(loan_amount=1_200_000, annual_rate_pct=0, years=10))
    assert (result.monthly_payment, result.total_interest, result.total_paid) == (10_000, 0, 1_200_000)


def test_price_and_down_payment_set_the_loan() -> None:
    # 25% of 2,000,000 = 500,000 down; loan 1,500,000 = 1.5 x the million above:
    # M = 1.5 x 14,347.0948 = 21,520.64; paid = 1.5 x 1,721,651.38 = 2,582,477.07; with the down payment 3,082,477
    result = calculate_mortgage(
        MortgageArgs(property_price=2_000_000, down_payment_pct=25, annual_rate_pct=12, years=10)
    )
    assert (result.down_payment, result.loan_amount) == (500_000, 1_500_000)
    assert result.monthly_payment == whole(annuity(1_500_000, 12, 10)) == 21_521
    assert result.total_paid == 2_582_477
    assert result.total_cost_with_down_payment == 3_082_477


def test_a_down_payment_in_pounds_sets_the_loan_as_the_same_share_would() -> None:
    # 500,000 down on 2,000,000 is the 25% above: the same loan, instalment and totals
    result = calculate_mortgage(
        MortgageArgs(property_price=2_000_000, down_payment=500_000, annual_rate_pct=12, years=10)
    )
    assert (result.down_payment, result.loan_amount) == (500_000, 1_500_000)
    assert result.monthly_payment == 21_521
    assert result.total_cost_with_down_payment == 3_082_477


@pytest.mark.parametrize(
    ("arguments", "message"),
    [({"property_price": 2_000_000, "down_payment": 2_000_000}, "property_price above it"),
     ({"loan_amount": 1_000_000, "down_payment": 500_000}, "one of down_payment"),
     ({"property_price": 2_000_000, "down_payment": 500_000, "down_payment_pct": 25}, "one of down_payment"),
     ({"monthly_income": 30_000, "down_payment": 500_000}, "property_price above it")],
)  # fmt: skip
def test_a_down_payment_in_pounds_needs_a_price_above_it_and_no_second_way_of_saying_it(
    arguments: dict[str, int], message: str
) -> None:
    with pytest.raises(ValidationError, match=message):
        MortgageArgs(**arguments)


def test_defaults_are_stated_in_plain_words() -> None:
    # Market terms: 20% down of 1,000,000 = 200,000, loan 800,000, 24% a year (r = 0.02), 10 years:
    # (1.02)^120 = 10.76516303, M = 800,000 x 0.02 x 10.76516303 / 9.76516303 = 17,638.48
    assert math.isclose(1.02**120, 10.76516303, rel_tol=1e-8)
    result = calculate_mortgage(MortgageArgs(property_price=1_000_000))
    assert (result.down_payment, result.loan_amount, result.years) == (200_000, 800_000, 10)
    assert result.monthly_payment == whole(annuity(800_000, 24, 10)) == 17_638
    assert result.programme.id == "market"
    assert "down payment 20% (default)" in result.assumptions
    assert "term 10 years (default)" in result.assumptions
    assert any(a.startswith("rate 24% a year: market rate as of 2026-01-01") for a in result.assumptions)
    assert result.affordability is None


def test_income_alone_borrows_the_most_its_share_allows() -> None:
    # 40% of 25,000 = 10,000 a month; at 0% over 120 months: L = 10,000 x 120 = 1,200,000
    result = calculate_mortgage(MortgageArgs(monthly_income=25_000, annual_rate_pct=0, years=10))
    assert result.loan_amount == 1_200_000
    assert result.monthly_payment == 10_000
    # ... and the price it buys with the market's usual 20% down: 1,200,000 / 0.8 = 1,500,000, of which 300,000 down
    assert (result.down_payment, result.property_price) == (300_000, None)
    assert result.total_cost_with_down_payment == 1_200_000 + 300_000
    assert "down payment 20% of the price that loan buys (EGP 1,500,000)" in result.assumptions
    assert result.affordability is not None and result.affordability.max_price_for_income == 1_500_000
    custom = calculate_mortgage(MortgageArgs(monthly_income=25_000, annual_rate_pct=0, years=10, down_payment_pct=40))
    assert (custom.loan_amount, custom.down_payment) == (1_200_000, 800_000)  # 1,200,000 / 0.6 = 2,000,000
    assert result.affordability is not None
    assert result.affordability.max_loan_for_income == 1_200_000
    assert result.affordability.payment_to_income_pct == 40.0
    assert result.affordability.within_limit
    assert "no price or loan given: the loan is the largest your income supports" in result.assumptions


def test_max_loan_at_the_market_rate_keeps_the_instalment_within_the_share() -> None:
    # L = 10,000 x (1 - 1.02^-120) / 0.02 = 10,000 x (1 - 0.09289223) / 0.02 = 453,553.89 -> 453,553 (rounded down,
    # so the instalment of the loan offered never exceeds the share)
    assert math.isclose(1.02**-120, 0.09289223, rel_tol=1e-7)
    by_hand = 10_000 * (1 - 1.02**-120) / 0.02
    assert math.isclose(by_hand, 453_553.885, abs_tol=1e-3)
    result = calculate_mortgage(MortgageArgs(monthly_income=25_000))
    assert result.loan_amount == 453_553
    assert result.affordability is not None
    assert result.affordability.max_loan_for_income == 453_553
    assert result.affordability.within_limit
    assert result.monthly_payment == 10_000  # 9,999.98 rounded


def test_an_income_alone_also_says_what_the_subsidised_programme_it_qualifies_for_would_buy() -> None:
    # 25,000 a month: 10,000 of instalment. Middle income, 8% over 20 years: L = 10,000 x (1 - (1 + 0.08/12)^-240) /
    # (0.08/12) = 1,195,542.92 -> 1,195,542 (down); with its 20% down, a home of 1,195,542 / 0.8 = 1,494,427.5 -> down.
    by_hand = 10_000 * (1 - (1 + 0.08 / 12) ** -240) / (0.08 / 12)
    assert math.isclose(by_hand, 1_195_542.92, abs_tol=0.01)
    result = calculate_mortgage(MortgageArgs(monthly_income=25_000))
    assert result.programme.id == "market" and result.affordability is not None  # the market's loan stays the answer
    reach = result.affordability.subsidised
    assert reach is not None and reach.programme.id == "middle" and not reach.capped_by_programme
    loan = math.floor(by_hand)
    assert (reach.loan_amount, reach.max_price, reach.years) == (loan, math.floor(loan / 0.8), 20)
    assert reach.down_payment == reach.max_price - reach.loan_amount and reach.monthly_payment == 10_000
    assert any("given apart" in item for item in result.assumptions)
    # 40,000 a month would borrow more than a 2,250,000 home needs: the programme's limit caps it, at its 20% down
    capped = calculate_mortgage(MortgageArgs(monthly_income=40_000)).affordability
    assert capped is not None and capped.subsidised is not None and capped.subsidised.capped_by_programme
    assert (capped.subsidised.max_price, capped.subsidised.loan_amount, capped.subsidised.down_payment) == (
        2_250_000, 1_800_000, 450_000)  # fmt: skip
    assert capped.subsidised.monthly_payment < 16_000
    # 4,000 a month: low income at 3% over 30 years reaches its 350,000 limit, more than middle income's 8% buys
    low = calculate_mortgage(MortgageArgs(monthly_income=4_000)).affordability
    assert low is not None and low.subsidised is not None
    assert (low.subsidised.programme.id, low.subsidised.max_price) == ("low", 350_000)
    # Above every programme's income limit, or with a price, a loan, a rate or a programme named: no such line
    above = calculate_mortgage(MortgageArgs(monthly_income=60_000))
    assert above.affordability is not None and above.affordability.subsidised is None
    assert any("above every subsidised programme" in item for item in above.assumptions)
    for said in ({"property_price": 1_000_000}, {"annual_rate_pct": 12.0}, {"programme": "market"}):
        other = calculate_mortgage(MortgageArgs(monthly_income=25_000, **said)).affordability
        assert other is not None and other.subsidised is None, said


def test_a_tier_for_dearer_units_is_only_for_a_price_above_its_floor(monkeypatch: pytest.MonkeyPatch) -> None:
    def tier(tier_id: str, down: float, top: int, above: int = 0) -> MortgageProgramme:
        return MortgageProgramme(id=tier_id, name=tier_id, annual_rate_pct=3, max_years=30, min_down_payment_pct=down,
                                 max_monthly_income=10_000, max_unit_price=top, above_unit_price=above,
                                 as_of=AS_OF, source="test", conditions="")  # fmt: skip

    tiers = FIGURES.model_copy(
        update={"programmes": [tier("upper", 20, 1_400_000, 1_100_000), tier("mid", 15, 1_100_000)]}
    )
    monkeypatch.setattr(finance, "load_finance_data", lambda: tiers)
    # 4,000 a month buys about 450,000 under either: the upper tier's bigger down payment would buy more, but its
    # units are above 1,100,000, so the middle tier it is
    small = calculate_mortgage(MortgageArgs(monthly_income=4_000)).affordability
    assert small is not None and small.subsidised is not None and small.subsidised.programme.id == "mid"
    large = calculate_mortgage(MortgageArgs(monthly_income=9_500)).affordability
    assert large is not None and large.subsidised is not None and large.subsidised.programme.id == "upper"
    assert 1_100_000 < large.subsidised.max_price <= 1_400_000
    # A price given picks the tier it falls in
    assert calculate_mortgage(MortgageArgs(monthly_income=9_000, property_price=900_000)).programme.id == "mid"
    assert calculate_mortgage(MortgageArgs(monthly_income=9_000, property_price=1_200_000)).programme.id == "upper"


def test_an_instalment_above_the_lenders_share_is_flagged() -> None:
    # Budget 40% of 30,000 = 12,000 < 14,347.09; 14,347.0948 / 30,000 = 47.82%
    # Max loan: 12,000 x (1 - 1.01^-120) / 0.01 = 12,000 x 69.70052 = 836,406.26 -> 836,406
    result = calculate_mortgage(
        MortgageArgs(loan_amount=1_000_000, annual_rate_pct=12, years=10, monthly_income=30_000)
    )
    affordability = result.affordability
    assert affordability is not None
    assert not affordability.within_limit
    assert affordability.payment_to_income_pct == 47.8
    assert affordability.max_payment_for_income == 12_000
    assert affordability.max_loan_for_income == int(12_000 * (1 - 1.01**-120) / 0.01) == 836_406
    assert affordability.lender_share_pct == 40.0


def test_a_buyer_inside_two_brackets_gets_the_cheapest_programme() -> None:
    # Income 4,000 <= 4,500 and price 300,000 <= 350,000: both programmes fit; "low" at 3% is cheaper.
    # Its minimum down payment 10% = 30,000, loan 270,000, its longest term 30 years:
    # r = 0.0025, n = 360, (1.0025)^360 = 2.456842, M = 270,000 x 0.0025 x 2.456842 / 1.456842 = 1,138.33
    assert math.isclose(1.0025**360, 2.456842, rel_tol=1e-6)
    result = calculate_mortgage(MortgageArgs(property_price=300_000, monthly_income=4_000))
    assert result.programme.id == "low"
    assert result.annual_rate_pct == 3
    assert (result.down_payment, result.loan_amount, result.years) == (30_000, 270_000, 30)
    assert result.monthly_payment == whole(annuity(270_000, 3, 30)) == 1_138
    assert "term 30 years (the programme's longest)" in result.assumptions
    assert "down payment 10% (the programme's minimum)" in result.assumptions
    assert result.programme.as_of == date(2021, 7, 13)


def test_bracket_limits_include_the_limit_itself() -> None:
    result = calculate_mortgage(MortgageArgs(property_price=350_000, monthly_income=4_500))
    assert result.programme.id == "low"


def test_a_pound_above_the_low_income_limit_moves_to_the_middle_programme() -> None:
    result = calculate_mortgage(MortgageArgs(property_price=300_000, monthly_income=4_501))
    assert result.programme.id == "middle"
    assert (result.annual_rate_pct, result.years, result.down_payment) == (8, 20, 60_000)


def test_a_price_above_every_bracket_pays_the_market_rate() -> None:
    result = calculate_mortgage(MortgageArgs(property_price=2_250_001, monthly_income=20_000))
    assert result.programme.id == "market"
    assert any("no subsidised programme" in a for a in result.assumptions)


@pytest.mark.parametrize(
    "extra",
    [
        {"down_payment_pct": 5},  # below both minimums (10% and 20%)
        {"years": 25, "monthly_income": 20_000},  # "middle" lends for 20 years at most; "low" is out on income
    ],
)
def test_terms_a_programme_does_not_allow_rule_it_out(extra: dict[str, int]) -> None:
    args = {"property_price": 300_000, "monthly_income": 4_000} | extra
    assert calculate_mortgage(MortgageArgs.model_validate(args)).programme.id == "market"


def test_without_an_income_no_subsidised_programme_is_offered() -> None:
    result = calculate_mortgage(MortgageArgs(property_price=300_000))
    assert result.programme.id == "market"
    assert any("need both income and price" in a for a in result.assumptions)


def test_a_rate_the_user_gives_wins_over_the_programme() -> None:
    result = calculate_mortgage(
        MortgageArgs(property_price=300_000, monthly_income=4_000, programme="low", annual_rate_pct=15)
    )
    assert result.programme.id == "custom"
    assert result.annual_rate_pct == 15
    assert result.warnings


def test_a_named_programme_outside_its_limits_is_computed_with_a_warning() -> None:
    result = calculate_mortgage(MortgageArgs(property_price=300_000, monthly_income=10_000, programme="low"))
    assert result.programme.id == "low"
    assert any("above Low income's limit of EGP 4,500" in w for w in result.warnings)


def test_an_unknown_programme_is_refused() -> None:
    with pytest.raises(ValidationError, match="unknown programme"):
        MortgageArgs(property_price=1_000_000, programme="cbe_2099")


def test_a_mortgage_needs_a_price_a_loan_or_an_income() -> None:
    with pytest.raises(ValidationError, match="at least one of property_price, loan_amount or monthly_income"):
        MortgageArgs(years=10)


def test_a_loan_larger_than_the_price_is_refused() -> None:
    with pytest.raises(ValidationError, match="loan_amount cannot be larger"):
        MortgageArgs(property_price=1_000_000, loan_amount=1_000_001)


@pytest.mark.parametrize(
    "bad",
    [
        {"years": 31},
        {"years": 0},
        {"down_payment_pct": 96},
        {"annual_rate_pct": 61},
        {"annual_rate_pct": -1},
        {"property_price": 0},
        {"budget": 5},  # unknown fields are refused, so a model learns the schema
    ],
)
def test_out_of_range_mortgage_inputs_are_refused(bad: dict[str, float]) -> None:
    with pytest.raises(ValidationError):
        MortgageArgs.model_validate({"loan_amount": 1_000_000} | bad)


def test_the_real_data_file_dates_and_sources_every_figure(monkeypatch: pytest.MonkeyPatch) -> None:
    data = REAL_DATA()
    assert "Central Bank of Egypt" in data.note
    for figure in (data.market, data.lender_share, data.deposit_rate, *data.programmes):
        assert figure.source.strip()
        assert figure.as_of <= data.as_of
    for programme in data.programmes:
        assert programme.annual_rate_pct < data.market.annual_rate_pct
    monkeypatch.setattr(finance, "load_finance_data", REAL_DATA)
    result = calculate_mortgage(MortgageArgs(property_price=1_000_000, monthly_income=9_000))
    assert result.as_of == data.as_of
    assert result.programme.source


# --- Rental yield ---------------------------------------------------------------------------------------------------


def test_rent_defaults_to_six_percent_of_the_price_and_says_so() -> None:
    # Rent 6% x 2,000,000 = 120,000; costs 2% = 40,000; net 80,000 = 4% (Fair); break even 2,000,000 / 80,000 = 25
    result = calculate_investment_roi(RoiArgs(property_price=2_000_000))
    assert (result.annual_rent, result.annual_costs, result.net_annual_income) == (120_000, 40_000, 80_000)
    assert (result.gross_yield_pct, result.net_yield_pct, result.break_even_years) == (6.0, 4.0, 25.0)
    assert result.grade == "Fair"
    assert "rent 6% of the price a year (EGP 120,000, default)" in result.assumptions
    assert any(a.startswith("costs 2% of the price a year") for a in result.assumptions)


@pytest.mark.parametrize(
    ("annual_rent", "grade"),
    [
        # price 1,000,000, costs 20,000: net yield = (rent - 20,000) / 10,000 percent
        (90_000, "Good"),  # net 70,000 = exactly 7%: not over 7
        (90_001, "Excellent"),  # 7.0001%
        (70_000, "Fair"),  # exactly 5%: not over 5
        (70_001, "Good"),  # 5.0001%
    ],
)
def test_grades_are_strictly_over_seven_and_five_percent_net(annual_rent: int, grade: str) -> None:
    result = calculate_investment_roi(RoiArgs(property_price=1_000_000, annual_rent=annual_rent))
    assert result.grade == grade


def test_exactly_seven_percent_net_breaks_even_in_14_point_3_years() -> None:
    # 1,000,000 / 70,000 = 14.2857 -> 14.3
    result = calculate_investment_roi(RoiArgs(property_price=1_000_000, annual_rent=90_000))
    assert (result.net_yield_pct, result.gross_yield_pct, result.break_even_years) == (7.0, 9.0, 14.3)


def test_the_grade_follows_the_net_yield_not_the_gross() -> None:
    # Gross 80,000 / 1,000,000 = 8% would be Excellent; net (80,000 - 20,000) = 6% is Good.
    result = calculate_investment_roi(RoiArgs(property_price=1_000_000, annual_rent=80_000))
    assert (result.gross_yield_pct, result.net_yield_pct, result.grade) == (8.0, 6.0, "Good")


def test_a_monthly_rent_is_counted_twelve_times() -> None:
    # 10,000 x 12 = 120,000 on 1,500,000: gross 8%; costs 30,000; net 90,000 = 6%
    result = calculate_investment_roi(RoiArgs(property_price=1_500_000, monthly_rent=10_000))
    assert (result.annual_rent, result.annual_costs, result.net_yield_pct) == (120_000, 30_000, 6.0)
    assert "annual rent EGP 120,000: EGP 10,000 a month times 12" in result.assumptions


def test_a_monthly_rent_for_the_season_only_is_counted_for_its_months() -> None:
    # A summer chalet: 40,000 x 3 = 120,000 on 1,500,000: gross 8%; costs 30,000; net 90,000 = 6%
    result = calculate_investment_roi(RoiArgs(property_price=1_500_000, monthly_rent=40_000, months_let=3))
    assert (result.annual_rent, result.net_yield_pct) == (120_000, 6.0)
    assert result.assumptions[0].startswith("annual rent EGP 120,000: EGP 40,000 a month times 3 (the months it is let")
    with pytest.raises(ValidationError, match="give monthly_rent with it"):
        RoiArgs(property_price=1_500_000, annual_rent=120_000, months_let=3)
    with pytest.raises(ValidationError):
        RoiArgs(property_price=1_500_000, monthly_rent=40_000, months_let=13)


def test_costs_above_the_rent_never_break_even() -> None:
    # Rent 30,000, costs 5% = 50,000: net -20,000 = -2%
    result = calculate_investment_roi(RoiArgs(property_price=1_000_000, annual_rent=30_000, annual_costs_pct=5))
    assert (result.net_annual_income, result.net_yield_pct) == (-20_000, -2.0)
    assert result.break_even_years is None
    assert result.grade == "Fair"


def test_costs_round_half_up_to_the_pound() -> None:
    # 2% of 1,000,025 = 20,000.5 -> 20,001 (round-half-even would give 20,000)
    result = calculate_investment_roi(RoiArgs(property_price=1_000_025, annual_rent=100_000))
    assert result.annual_costs == 20_001


def test_price_growth_is_reported_only_when_given() -> None:
    # Net 7% + growth 10% = 17%
    grown = calculate_investment_roi(RoiArgs(property_price=1_000_000, annual_rent=90_000, price_growth_pct=10))
    assert (grown.price_growth_pct, grown.total_return_pct) == (10, 17.0)
    plain = calculate_investment_roi(RoiArgs(property_price=1_000_000, annual_rent=90_000))
    assert (plain.price_growth_pct, plain.total_return_pct) == (None, None)


def test_both_rents_at_once_are_refused() -> None:
    with pytest.raises(ValidationError, match="not both"):
        RoiArgs(property_price=1_000_000, annual_rent=60_000, monthly_rent=5_000)


# --- Payment plans --------------------------------------------------------------------------------------------------


def unit(**terms: object) -> UnitTerms:
    base: dict[str, object] = {"id": "u1", "title": "Unit", "price": 1_000_000, "size_sqm": 100}
    base["price_per_sqm"] = 10_000
    return UnitTerms.model_validate(base | terms)


def test_equal_instalments_that_cover_the_price_leave_no_handover_payment() -> None:
    # 10% of 1,200,000 = 120,000 down; (1,200,000 - 120,000) / 60 = 18,000 a month for 5 years;
    # delivery mid-2028 from 15 January 2026 = 2 x 12 + (7 - 1) = 30 months; maintenance 8% = 96,000 then.
    # At 0% the present value is the nominal total: 1,200,000 + 96,000 = 1,296,000, the same as cash.
    cost = plan_true_cost(
        unit(price=1_200_000, delivery_year=2028, down_payment_pct=10, installment_years=5),
        discount_rate_pct=0,
        maintenance_pct=8,
        today=date(2026, 1, 15),
    )
    assert (cost.down_payment, cost.monthly_installment, cost.installment_months) == (120_000, 18_000, 60)
    assert cost.handover_payment is None
    assert (cost.maintenance_deposit, cost.delivery_month) == (96_000, 30)
    assert cost.nominal_total == cost.present_value == cost.cash_present_value == 1_296_000
    assert cost.saving_vs_cash == 0
    assert [(p.kind, p.first_month, p.last_month, p.amount) for p in cost.payments] == [
        ("down_payment", 0, 0, 120_000),
        ("instalment", 1, 60, 18_000),
        ("maintenance", 30, 30, 96_000),
    ]


def test_instalments_short_of_the_price_leave_a_handover_payment() -> None:
    # 100,000 down + 60 x 10,000 = 700,000 of 1,000,000: 300,000 at handover, mid-2028 from 30 November 2026
    # = 2 x 12 + (7 - 11) = 20 months, with the 80,000 maintenance deposit.
    cost = plan_true_cost(
        unit(delivery_year=2028, down_payment_pct=10, installment_years=5, monthly_installment=10_000),
        discount_rate_pct=0,
        maintenance_pct=8,
        today=date(2026, 11, 30),
    )
    assert cost.handover_payment == 300_000
    assert ("handover", 20, 300_000) in [(p.kind, p.first_month, p.amount) for p in cost.payments]
    assert cost.nominal_total == 100_000 + 600_000 + 300_000 + 80_000


def test_a_plan_is_cheaper_than_cash_in_todays_money_when_money_earns_interest() -> None:
    # The plan above at 20% a year; a payment m months away is worth amount / 1.2^(m/12) today.
    v = 1.2 ** (1 / 12)
    plan_pv = 100_000 + sum(10_000 / v**m for m in range(1, 61)) + (300_000 + 80_000) / v**20
    cash_pv = 1_000_000 + 80_000 / v**20
    cost = plan_true_cost(
        unit(delivery_year=2028, down_payment_pct=10, installment_years=5, monthly_installment=10_000),
        discount_rate_pct=20,
        maintenance_pct=8,
        today=date(2026, 11, 30),
    )
    assert cost.present_value == whole(plan_pv)
    assert cost.cash_present_value == whole(cash_pv)
    assert cost.saving_vs_cash == whole(cash_pv - plan_pv) > 0


def test_present_value_discounts_monthly_at_the_twelfth_root_of_the_yearly_rate() -> None:
    # 12 x 100,000 at 20%: sum of 100,000 / 1.2^(m/12) for m = 1..12 = 1,088,650.76; cash 1,200,000 today.
    cost = plan_true_cost(
        unit(price=1_200_000, is_delivered=True, down_payment_pct=0, installment_years=1),
        discount_rate_pct=20,
        maintenance_pct=0,
        today=date(2026, 11, 30),
    )
    by_hand = sum(100_000 / 1.2 ** (m / 12) for m in range(1, 13))
    assert math.isclose(by_hand, 1_088_650.76, abs_tol=0.01)
    assert cost.present_value == whole(by_hand) == 1_088_651
    assert cost.cash_present_value == 1_200_000
    assert cost.saving_vs_cash == 111_349  # 1,200,000 - 1,088,650.76 = 111,349.24
    assert [p.kind for p in cost.payments] == ["instalment"]  # no zero down payment, no zero maintenance


def test_a_delivered_unit_pays_maintenance_at_month_zero() -> None:
    cost = plan_true_cost(
        unit(is_delivered=True, delivery_year=2030, down_payment_pct=10, installment_years=5),
        discount_rate_pct=20,
        maintenance_pct=8,
        today=date(2026, 11, 30),
    )
    assert cost.delivery_month == 0
    assert ("maintenance", 0, 80_000) in [(p.kind, p.first_month, p.amount) for p in cost.payments]


@pytest.mark.parametrize(
    ("delivery_year", "months"),
    [
        (2027, 8),  # 1 x 12 + (7 - 11)
        (2026, 0),  # mid-2026 has passed on 30 November 2026
        (2020, 0),
    ],
)
def test_delivery_is_counted_from_mid_year(delivery_year: int, months: int) -> None:
    cost = plan_true_cost(
        unit(delivery_year=delivery_year, down_payment_pct=10, installment_years=5),
        discount_rate_pct=0,
        maintenance_pct=8,
        today=date(2026, 11, 30),
    )
    assert cost.delivery_month == months


def test_a_cash_only_listing_has_only_the_cash_schedule() -> None:
    # 1,000,000 today and 80,000 in 8 months at 20%: 80,000 / 1.2^(8/12) = 70,843.90 -> 1,070,844 (to the pound)
    cost = plan_true_cost(
        unit(is_cash_only=True, delivery_year=2027, down_payment_pct=10, installment_years=5),
        discount_rate_pct=20,
        maintenance_pct=8,
        today=date(2026, 11, 30),
    )
    assert cost.is_cash
    assert [(p.kind, p.first_month, p.amount) for p in cost.payments] == [
        ("cash_price", 0, 1_000_000),
        ("maintenance", 8, 80_000),
    ]
    assert cost.present_value == cost.cash_present_value == whole(1_000_000 + 80_000 / 1.2 ** (8 / 12)) == 1_070_844
    assert (cost.saving_vs_cash, cost.monthly_installment) == (0, None)


def test_defaults_for_the_plan_are_stated() -> None:
    # No down payment on the listing: 10% assumed; maintenance 8%; money discounted at the deposit rate (20% here).
    cost = plan_true_cost(unit(delivery_year=2028, installment_years=5), today=date(2026, 11, 30))
    assert (cost.discount_rate_pct, cost.maintenance_pct, cost.down_payment) == (20, 8, 100_000)
    text = " | ".join(cost.assumptions)
    assert "what your cash would earn in a bank deposit" in text
    assert "maintenance deposit 8% of the price, paid at handover (default)" in text
    assert "down payment 10% (typical; the listing gives none)" in text


def test_a_negative_discount_rate_is_refused() -> None:
    with pytest.raises(ValueError, match="discount_rate_pct"):
        plan_true_cost(unit(), discount_rate_pct=-1, maintenance_pct=8, today=date(2026, 11, 30))


# --- Comparison -----------------------------------------------------------------------------------------------------


def three_units() -> list[UnitTerms]:
    return [
        # Cash, the cheapest per m²: nominal 3,000,000 + 8% 240,000 = 3,240,000
        unit(id="a", price=3_000_000, size_sqm=150, price_per_sqm=20_000, is_delivered=True, is_cash_only=True),
        # 10% down = 250,000; 2,250,000 / 120 = 18,750 a month; 2,500,000 + 200,000 = 2,700,000
        unit(
            id="b", price=2_500_000, price_per_sqm=25_000, delivery_year=2028, down_payment_pct=10, installment_years=10
        ),
        # 20% down = 400,000; 1,600,000 / 60 = 26,666.67 a month; 2,000,000 + 160,000 = 2,160,000
        unit(
            id="c", price=2_000_000, price_per_sqm=25_000, delivery_year=2028, down_payment_pct=20, installment_years=5
        ),
    ]


def test_a_comparison_names_a_winner_for_each_measure() -> None:
    comparison = compare_units(three_units(), discount_rate_pct=0, maintenance_pct=8, today=date(2026, 11, 30))
    assert [row.monthly for row in comparison.units] == [None, 18_750, 26_667]
    assert [row.true_cost.present_value for row in comparison.units] == [3_240_000, 2_700_000, 2_160_000]
    assert [row.delivery for row in comparison.units] == ["delivered", "2028", "2028"]
    winners = comparison.winners
    assert (winners.best_value_per_sqm, winners.longest_plan) == ("a", "b")
    assert (winners.lowest_monthly, winners.lowest_true_cost) == ("b", "c")
    assert winners.lowest_down_payment == "b"  # 250,000 today, against c's 400,000 and a's whole price
    assert comparison.units[1].plan == "EGP 250,000 down, then EGP 18,750 a month for 10 years"


def test_a_comparison_of_cash_units_has_no_plan_winners() -> None:
    units = [unit(id="a", is_cash_only=True), unit(id="b", price=900_000, is_cash_only=True)]
    comparison = compare_units(units, discount_rate_pct=0, maintenance_pct=0, today=date(2026, 11, 30))
    assert (comparison.winners.longest_plan, comparison.winners.lowest_monthly) == (None, None)
    assert comparison.winners.lowest_true_cost == "b"
    assert comparison.units[0].plan == "cash EGP 1,000,000"


def test_a_comparison_states_its_default_discount_rate() -> None:
    comparison = compare_units(three_units(), discount_rate_pct=None, maintenance_pct=None, today=date(2026, 11, 30))
    assert (comparison.discount_rate_pct, comparison.maintenance_pct, comparison.as_of) == (20, 8, AS_OF)
    assert any("what your cash would earn in a bank deposit" in a for a in comparison.assumptions)
    # The comparison's own defaults (discount rate, maintenance) once; each unit's in its own true cost, not repeated.
    assert len(comparison.assumptions) == 2
    assert not any("delivery" in a or "down payment" in a for a in comparison.assumptions)
    own = {row.id: row.true_cost.assumptions for row in comparison.units}
    assert own["a"] == []  # delivered, paid cash: nothing assumed
    assert any(a.startswith("delivery taken as mid-2028") for a in own["b"]), own
    assert not any(a.startswith("b:") for a in own["b"])  # the unit is its row, not a prefix
    # Each in Arabic too, one for one, with the same figures.
    pairs = [(comparison.assumptions, comparison.assumptions_ar)]
    pairs += [(row.true_cost.assumptions, row.true_cost.assumptions_ar) for row in comparison.units]
    for english_list, arabic_list in pairs:
        for english, arabic in zip(english_list, arabic_list, strict=True):
            assert re.findall(r"\d+(?:\.\d+)?", english) == re.findall(r"\d+(?:\.\d+)?", arabic), (english, arabic)


@pytest.mark.parametrize("count", [0, 1, 5])
def test_a_comparison_takes_two_to_four_units(count: int) -> None:
    units = [unit(id=f"u{i}") for i in range(count)]
    with pytest.raises(ValueError, match="2 to 4 units"):
        compare_units(units, discount_rate_pct=0, maintenance_pct=8, today=date(2026, 11, 30))


def test_the_same_unit_twice_is_refused() -> None:
    with pytest.raises(ValueError, match="once"):
        compare_units([unit(), unit()], discount_rate_pct=0, maintenance_pct=8, today=date(2026, 11, 30))


def test_a_unit_without_a_price_is_refused() -> None:
    with pytest.raises(ValidationError):
        unit(price=0)


def test_a_listings_id_stands_for_its_price_until_it_is_looked_up() -> None:
    """A mortgage or a yield on a listing may name it instead of its price (the catalog looks the price up); the
    yield refuses to compute on none, and a yield names a price or a listing."""
    assert MortgageArgs(property_id="a", years=10).property_price is None
    with pytest.raises(ValidationError):
        MortgageArgs(years=10)
    with pytest.raises(ValidationError):
        RoiArgs(monthly_rent=20_000)
    with pytest.raises(ValueError, match="not looked up"):
        calculate_investment_roi(RoiArgs(property_id="a", monthly_rent=20_000))
    priced = calculate_investment_roi(RoiArgs(property_id="a", property_price=3_000_000, monthly_rent=20_000))
    assert priced.gross_yield_pct == 8.0
