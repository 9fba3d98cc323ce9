"""Amr's finance tools: mortgage instalments and affordability, rental yield, and the true cost of payment plans."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from osool_agent.counting import counted_ar

DATA_FILE = Path(__file__).parent / "data" / "mortgage_programmes.json"

# Conventions of the Egyptian market rather than dated figures, so they live here and not in the data file.
DEFAULT_RENT_YIELD_PCT = 6.0  # a typical gross rent for Cairo apartments, a share of the price a year
DEFAULT_ANNUAL_COSTS_PCT = 2.0  # maintenance, service charge and vacancy, a share of the price a year
DEFAULT_MAINTENANCE_PCT = 8.0  # developers' maintenance deposit, paid once at handover
DEFAULT_PLAN_DOWN_PAYMENT_PCT = 10.0  # the usual developer down payment when a listing states a plan but not its down
EXCELLENT_NET_YIELD_PCT = 7.0
GOOD_NET_YIELD_PCT = 5.0


# --- The data file --------------------------------------------------------------------------------------------------


class _DataModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class MarketTerms(_DataModel):
    annual_rate_pct: float = Field(ge=0, le=60)
    default_years: int = Field(ge=1, le=30)
    default_down_payment_pct: float = Field(ge=0, le=95)
    as_of: date
    source: str


class LenderShare(_DataModel):
    max_instalment_share_pct: float = Field(gt=0, le=100)
    as_of: date
    source: str


class DepositRate(_DataModel):
    annual_rate_pct: float = Field(ge=0, le=100)
    as_of: date
    source: str


class MortgageProgramme(_DataModel):
    id: str
    name: str
    annual_rate_pct: float = Field(ge=0, le=60)
    max_years: int = Field(ge=1, le=30)
    min_down_payment_pct: float = Field(ge=0, le=95)
    max_monthly_income: int = Field(gt=0, description="Net monthly income limit for an individual, EGP.")
    max_monthly_income_family: int | None = Field(default=None, gt=0)
    max_unit_price: int = Field(gt=0)
    above_unit_price: int = Field(default=0, ge=0, description="A tier for units priced above this only, EGP.")
    as_of: date
    source: str
    conditions: str


class FinanceData(_DataModel):
    as_of: date
    note: str
    market: MarketTerms
    lender_share: LenderShare
    deposit_rate: DepositRate
    programmes: list[MortgageProgramme]

    @model_validator(mode="after")
    def _ids_are_unique(self) -> FinanceData:
        ids = [p.id for p in self.programmes]
        if len(set(ids)) != len(ids) or "market" in ids or "custom" in ids:
            raise ValueError("programme ids must be unique and not 'market' or 'custom'")
        return self

    def programme(self, programme_id: str) -> MortgageProgramme:
        for programme in self.programmes:
            if programme.id == programme_id:
                return programme
        raise ValueError(f"unknown programme {programme_id!r}; known: {', '.join(p.id for p in self.programmes)}")


@functools.cache
def load_finance_data() -> FinanceData:
    """The dated rates and programmes, read once per process."""
    return FinanceData.model_validate_json(DATA_FILE.read_text(encoding="utf-8"))


# --- Money arithmetic -----------------------------------------------------------------------------------------------
# Decimal throughout, so a figure a person recomputes by hand comes out the same to the pound.


def _dec(value: float | int) -> Decimal:
    # Through str, so 0.1 is one tenth and not the binary float nearest to it.
    return Decimal(str(value))


def _pounds(value: Decimal) -> int:
    """Whole Egyptian pounds, halves rounded up (ROUND_HALF_UP), as a bank statement shows them."""
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _places(value: Decimal, places: int) -> float:
    return float(value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))


def _pct(value: float) -> str:
    """15.0 -> '15', 2.5 -> '2.5': percentages as people write them."""
    return f"{value:g}"


def _egp(amount: int) -> str:
    return f"EGP {amount:,}"


def _egp_ar(amount: int) -> str:
    return f"{amount:,} جنيه"


def _years_ar(years: int) -> str:
    return counted_ar(years, "سنة", "سنتين", "سنين", "سنة")


@dataclass
class _Said:
    """Every default a calculation used, in plain English and in Egyptian Arabic (a reply states them in the buyer's
    language): `assumptions` and `assumptions_ar` of the results, one for one."""

    en: list[str] = field(default_factory=list)
    ar: list[str] = field(default_factory=list)

    def add(self, en: str, ar: str) -> None:
        self.en.append(en)
        self.ar.append(ar)


def _amortised_payment(loan: Decimal, annual_rate_pct: Decimal, months: int) -> Decimal:
    """M = P·r·(1+r)^n / ((1+r)^n - 1) with r the monthly rate; P/n when the rate is zero."""
    r = annual_rate_pct / 1200
    if r == 0:
        return loan / months
    growth = (1 + r) ** months
    return loan * r * growth / (growth - 1)


def _loan_for_payment(payment: Decimal, annual_rate_pct: Decimal, months: int) -> Decimal:
    """The inverse: L = M·(1 - (1+r)^-n) / r; M·n when the rate is zero."""
    r = annual_rate_pct / 1200
    if r == 0:
        return payment * months
    return payment * (1 - (1 + r) ** -months) / r


# --- Mortgage -------------------------------------------------------------------------------------------------------


def _programme_ids() -> str:
    return ", ".join(p.id for p in load_finance_data().programmes)


# A mortgage or a yield computed on a listing names it: the price is then the listing's, and the conversation stays
# on that listing ("book a viewing" after "the monthly on the second one" is of the second one).
LISTING_ID = ("The id of the listing already shown this is computed on; its price is then the listing's, when "
              "property_price is left out.")  # fmt: skip


class MortgageArgs(BaseModel):
    model_config = ConfigDict(extra="forbid")

    property_price: int | None = Field(default=None, gt=0, le=10_000_000_000, description="Unit price in EGP.")
    property_id: str | None = Field(default=None, min_length=1, max_length=64, description=LISTING_ID)
    down_payment_pct: float | None = Field(
        default=None,
        ge=0,
        le=95,
        description="Down payment as a percent of the price (0-95). Omit for the default: the chosen "
        "programme's minimum, or the market default.",
    )
    loan_amount: int | None = Field(
        default=None,
        gt=0,
        le=10_000_000_000,
        description="Loan in EGP. When given it is used as is, instead of price minus down payment.",
    )
    down_payment: int | None = Field(
        default=None,
        gt=0,
        le=10_000_000_000,
        description="Down payment in EGP, when the buyer says a sum ('1 million down') rather than a percent; needs "
        "property_price, and the loan is the price minus it. Give this or down_payment_pct or loan_amount.",
    )
    years: int | None = Field(
        default=None, ge=1, le=30, description="Loan term in years (1-30). Omit for the programme's or market default."
    )
    annual_rate_pct: float | None = Field(
        default=None,
        ge=0,
        le=60,
        description="Annual interest rate in percent, e.g. 24 for 24%. Only when the user names a rate; it "
        "overrides any programme's rate.",
    )
    monthly_income: int | None = Field(
        default=None,
        gt=0,
        le=100_000_000,
        description="The buyer's net monthly income in EGP. Enables the affordability check and the subsidised "
        "programmes; given alone, the loan is the largest this income supports.",
    )
    programme: str | None = Field(
        default=None,
        description="'market' for a bank's market rate, or a subsidised programme id: "
        + _programme_ids()
        + ". Omit to choose automatically (the cheapest programme whose income and price limits fit).",
    )

    @field_validator("programme")
    @classmethod
    def _known_programme(cls, value: str | None) -> str | None:
        if value is not None and value != "market":
            load_finance_data().programme(value)
        return value

    @model_validator(mode="after")
    def _enough_to_compute(self) -> MortgageArgs:
        if self.property_price is None and self.property_id is not None:
            return self  # the listing's price is looked up, and these arguments read again with it (catalog)
        if self.property_price is None and self.loan_amount is None and self.monthly_income is None:
            raise ValueError("give at least one of property_price, loan_amount or monthly_income")
        if self.property_price is not None and self.loan_amount is not None and self.loan_amount > self.property_price:
            raise ValueError("loan_amount cannot be larger than property_price")
        if self.down_payment is not None:
            if self.loan_amount is not None or self.down_payment_pct is not None:
                raise ValueError("give one of down_payment, down_payment_pct or loan_amount")
            if self.property_price is None or self.down_payment >= self.property_price:
                raise ValueError("down_payment needs a property_price above it")
            # The loan the sum leaves: everything after this reads the loan, as if it had been given.
            self.loan_amount = self.property_price - self.down_payment
        return self


class ProgrammeInfo(BaseModel):
    id: str = Field(description="A programme id, 'market', or 'custom' when the rate was given.")
    name: str
    annual_rate_pct: float
    as_of: date
    source: str


class SubsidisedReach(BaseModel):
    """With an income alone: what the subsidised programme that income qualifies for would buy, at its rate, longest
    term and least down payment (or the term and down payment said), if it still takes new applicants."""

    programme: ProgrammeInfo
    max_price: int = Field(description="The dearest home the income buys under the programme.")
    loan_amount: int
    down_payment: int
    monthly_payment: int
    years: int
    capped_by_programme: bool = Field(description="True when the programme's unit-price limit, not the income, sets "
                                      "max_price.")  # fmt: skip
    conditions: str = Field(description="The programme's conditions (finished, registered, a primary home...).")


class Affordability(BaseModel):
    monthly_income: int = Field(description="The net monthly income these figures are for.")
    max_payment_for_income: int = Field(description="The lender's share of the income: the largest instalment.")
    max_loan_for_income: int = Field(description="The largest loan whose instalment stays within that share.")
    max_price_for_income: int | None = Field(
        default=None, description="With an income alone: the price that largest loan buys, with down_payment on top."
    )
    payment_to_income_pct: float
    within_limit: bool
    lender_share_pct: float
    subsidised: SubsidisedReach | None = Field(
        default=None,
        description="With an income alone: what the subsidised programme it qualifies for would buy instead (means-"
        "tested, possibly closed to new applicants: to be confirmed with a bank).",
    )


class MortgageResult(BaseModel):
    property_price: int | None
    loan_amount: int
    down_payment: int | None
    monthly_payment: int
    total_interest: int
    total_paid: int = Field(description="Every instalment together.")
    total_cost_with_down_payment: int | None
    years: int
    months: int
    annual_rate_pct: float
    programme: ProgrammeInfo
    affordability: Affordability | None
    assumptions: list[str] = Field(description="Every default used, in plain words.")
    assumptions_ar: list[str] = Field(default_factory=list, description="The same, in Egyptian Arabic.")
    warnings: list[str]
    as_of: date = Field(description="The date of the rates and programmes used.")


def _fits(programme: MortgageProgramme, args: MortgageArgs, price: int, income: int) -> bool:
    if income > programme.max_monthly_income or not programme.above_unit_price < price <= programme.max_unit_price:
        return False
    if args.years is not None and args.years > programme.max_years:
        return False
    down_pct = args.down_payment_pct
    if args.loan_amount is not None:
        down_pct = float((price - args.loan_amount) * 100 / _dec(price))
    return down_pct is None or down_pct >= programme.min_down_payment_pct


def _income_qualifies(programme: MortgageProgramme, args: MortgageArgs) -> bool:
    """An income (and the term, when one was said) within a programme's limits; its price limit is checked apart."""
    income = args.monthly_income
    return income is not None and income <= programme.max_monthly_income and (args.years or 0) <= programme.max_years


def _subsidised_reach(data: FinanceData, args: MortgageArgs, budget: Decimal) -> SubsidisedReach | None:
    """The programme an income alone qualifies for that buys the dearest home (the lowest rate on a tie), with the
    loan that instalment budget supports at its rate and term, capped at its unit-price limit; None when none fits."""
    best: SubsidisedReach | None = None
    for programme in data.programmes:
        if not _income_qualifies(programme, args):
            continue
        years = args.years or programme.max_years
        down_pct = _dec(max(args.down_payment_pct or 0, programme.min_down_payment_pct))
        rate = _dec(programme.annual_rate_pct)
        loan = int(_loan_for_payment(budget, rate, years * 12).to_integral_value(rounding=ROUND_FLOOR))
        price = int((_dec(loan) * 100 / (100 - down_pct)).to_integral_value(rounding=ROUND_FLOOR))
        if price <= programme.above_unit_price:
            continue  # a tier for dearer units than this income buys under it
        capped = price > programme.max_unit_price
        if capped:
            price = programme.max_unit_price
            loan = price - _pounds(_dec(price) * down_pct / 100)
        reach = SubsidisedReach(
            programme=ProgrammeInfo(id=programme.id, name=programme.name, annual_rate_pct=programme.annual_rate_pct,
                                    as_of=programme.as_of, source=programme.source),
            max_price=price, loan_amount=loan, down_payment=price - loan,
            monthly_payment=_pounds(_amortised_payment(_dec(loan), rate, years * 12)), years=years,
            capped_by_programme=capped, conditions=programme.conditions,
        )  # fmt: skip
        if best is None or (price, -programme.annual_rate_pct) > (best.max_price, -best.programme.annual_rate_pct):
            best = reach
    return best


def _programme_warnings(programme: MortgageProgramme, args: MortgageArgs) -> list[str]:
    """What an explicitly named programme would not accept: it is still computed, since the user asked for it."""
    found = []
    if args.monthly_income is not None and args.monthly_income > programme.max_monthly_income:
        found.append(
            f"income {_egp(args.monthly_income)} is above {programme.name}'s limit of "
            f"{_egp(programme.max_monthly_income)} a month for an individual"
        )
    if args.property_price is not None and args.property_price > programme.max_unit_price:
        found.append(
            f"price {_egp(args.property_price)} is above the programme's limit of {_egp(programme.max_unit_price)}"
        )
    if args.years is not None and args.years > programme.max_years:
        found.append(f"the programme lends for at most {programme.max_years} years")
    if args.down_payment_pct is not None and args.down_payment_pct < programme.min_down_payment_pct:
        found.append(f"the programme asks at least {_pct(programme.min_down_payment_pct)}% down")
    return found


def _choose_rate(
    args: MortgageArgs, data: FinanceData, said: _Said, warnings: list[str]
) -> tuple[ProgrammeInfo, MortgageProgramme | None]:
    market = data.market
    market_info = ProgrammeInfo(
        id="market",
        name="Bank market rate",
        annual_rate_pct=market.annual_rate_pct,
        as_of=market.as_of,
        source=market.source,
    )
    market_text = f"rate {_pct(market.annual_rate_pct)}% a year: market rate as of {market.as_of.isoformat()}"
    market_ar = f"فايدة {_pct(market.annual_rate_pct)}% في السنة: سعر السوق في {market.as_of.isoformat()}"

    if args.annual_rate_pct is not None:
        if args.programme is not None:
            warnings.append(f"your rate of {_pct(args.annual_rate_pct)}% was used instead of the {args.programme} rate")
        return ProgrammeInfo(
            id="custom",
            name="Your rate",
            annual_rate_pct=args.annual_rate_pct,
            as_of=data.as_of,
            source="given in the conversation",
        ), None

    if args.programme == "market":
        said.add(market_text, market_ar)
        return market_info, None

    if args.programme is not None:
        chosen = data.programme(args.programme)
        warnings.extend(_programme_warnings(chosen, args))
        reason, reason_ar = "the programme you named", "البرنامج اللي انت اخترته"
    elif args.monthly_income is not None and args.property_price is not None:
        income, price = args.monthly_income, args.property_price
        fitting = [p for p in data.programmes if _fits(p, args, price, income)]
        if not fitting:
            said.add(
                f"{market_text} (no subsidised programme's income and price limits fit)",
                f"{market_ar} (مفيش برنامج مدعوم حدود الدخل والسعر بتاعته مناسبة)",
            )
            return market_info, None
        # The lowest rate wins; on a tie the smaller down payment, then the file's order (min keeps the first).
        chosen = min(fitting, key=lambda p: (p.annual_rate_pct, p.min_down_payment_pct))
        reason = f"chosen because income {_egp(income)} a month and price {_egp(price)} are within its limits"
        reason_ar = f"اتختار لأن الدخل {_egp_ar(income)} في الشهر والسعر {_egp_ar(price)} جوه حدوده"
    elif args.monthly_income is not None and args.loan_amount is None:
        # An income alone: the market's loan, and apart (affordability.subsidised) what a programme it qualifies for
        # would buy, since its unit-price limit can only be checked against a price.
        qualifies = any(_income_qualifies(p, args) for p in data.programmes)
        said.add(
            f"{market_text} (what a subsidised programme your income qualifies for would buy is given apart)"
            if qualifies else f"{market_text} (your income is above every subsidised programme's limit)",
            f"{market_ar} (اللي ممكن تشتريه ببرنامج مدعوم دخلك مناسب له مكتوب لوحده)"
            if qualifies else f"{market_ar} (دخلك أعلى من حد كل البرامج المدعومة)",
        )  # fmt: skip
        return market_info, None
    else:
        # Subsidised programmes are means-tested on both income and unit price: without both, none can be offered.
        said.add(
            f"{market_text} (subsidised programmes need both income and price to check)",
            f"{market_ar} (البرامج المدعومة محتاجة الدخل والسعر الاتنين عشان نتأكد منها)",
        )
        return market_info, None

    said.add(
        f"rate {_pct(chosen.annual_rate_pct)}% a year: {chosen.name} as of {chosen.as_of.isoformat()}, {reason}",
        f"فايدة {_pct(chosen.annual_rate_pct)}% في السنة: {chosen.name} في {chosen.as_of.isoformat()}، {reason_ar}",
    )
    return ProgrammeInfo(
        id=chosen.id,
        name=chosen.name,
        annual_rate_pct=chosen.annual_rate_pct,
        as_of=chosen.as_of,
        source=chosen.source,
    ), chosen


def calculate_mortgage(args: MortgageArgs) -> MortgageResult:
    """Monthly instalment, total interest and affordability of a mortgage, with every default stated."""
    data = load_finance_data()
    said = _Said()
    warnings: list[str] = []
    programme_info, programme = _choose_rate(args, data, said, warnings)
    rate = _dec(programme_info.annual_rate_pct)

    if args.years is not None:
        years = args.years
    elif programme is not None:
        years = programme.max_years
        said.add(f"term {years} years (the programme's longest)", f"المدة {_years_ar(years)} (أطول مدة في البرنامج)")
    else:
        years = data.market.default_years
        said.add(f"term {years} years (default)", f"المدة {_years_ar(years)} (افتراضي)")
    months = years * 12

    income = args.monthly_income
    share = _dec(data.lender_share.max_instalment_share_pct)
    budget = _dec(income) * share / 100 if income is not None else None

    down_payment: int | None = None
    if args.loan_amount is not None:
        loan = args.loan_amount
        if args.property_price is not None:
            down_payment = args.property_price - loan
    elif args.property_price is not None:
        if args.down_payment_pct is not None:
            down_pct = args.down_payment_pct
        elif programme is not None:
            down_pct = programme.min_down_payment_pct
            said.add(
                f"down payment {_pct(down_pct)}% (the programme's minimum)",
                f"مقدم {_pct(down_pct)}% (أقل مقدم في البرنامج)",
            )
        else:
            down_pct = data.market.default_down_payment_pct
            said.add(f"down payment {_pct(down_pct)}% (default)", f"مقدم {_pct(down_pct)}% (افتراضي)")
        down_payment = _pounds(_dec(args.property_price) * _dec(down_pct) / 100)
        loan = args.property_price - down_payment
    else:
        assert budget is not None  # the args validator guarantees income when there is neither price nor loan
        loan = int(_loan_for_payment(budget, rate, months).to_integral_value(rounding=ROUND_FLOOR))
        said.add(
            "no price or loan given: the loan is the largest your income supports",
            "مفيش سعر ولا قيمة قرض: القرض هو أكبر قرض دخلك يسمح بيه",
        )
        # "How much can I buy on 40k a month?": the price that loan buys, with the down payment it then takes (the
        # percent said, the programme's least, or the market's usual), so the answer is a price, not a loan.
        if args.down_payment_pct is not None:
            down_pct = args.down_payment_pct
        elif programme is not None:
            down_pct = programme.min_down_payment_pct
        else:
            down_pct = data.market.default_down_payment_pct
        if down_pct > 0:
            within = int((_dec(loan) * 100 / (100 - _dec(down_pct))).to_integral_value(rounding=ROUND_FLOOR))
            down_payment = within - loan
            said.add(
                f"down payment {_pct(down_pct)}% of the price that loan buys ({_egp(within)})",
                f"مقدم {_pct(down_pct)}% من سعر الوحدة اللي القرض ده يشتريها ({_egp_ar(within)})",
            )
    if loan <= 0:
        raise ValueError("the loan comes to nothing: the down payment covers the whole price")

    payment = _amortised_payment(_dec(loan), rate, months)
    paid = payment * months

    affordability = None
    within_reach = (
        loan + down_payment if args.property_price is None and args.loan_amount is None and down_payment else None
    )
    if income is not None and budget is not None:
        affordability = Affordability(
            monthly_income=int(income),
            max_payment_for_income=_pounds(budget),
            # Rounded down, not half up: the largest whole-pound loan whose instalment is still within the share.
            max_loan_for_income=int(_loan_for_payment(budget, rate, months).to_integral_value(rounding=ROUND_FLOOR)),
            max_price_for_income=within_reach,
            payment_to_income_pct=_places(payment * 100 / income, 1),
            within_limit=payment <= budget,
            lender_share_pct=float(share),
            subsidised=_subsidised_reach(data, args, budget)
            if within_reach and args.programme is None and args.annual_rate_pct is None
            else None,
        )
        said.add(
            f"lender allows an instalment up to {_pct(float(share))}% of net income "
            f"(as of {data.lender_share.as_of.isoformat()})",
            f"البنك بيسمح بقسط لحد {_pct(float(share))}% من صافي الدخل (في {data.lender_share.as_of.isoformat()})",
        )

    return MortgageResult(
        property_price=args.property_price,
        loan_amount=loan,
        down_payment=down_payment,
        monthly_payment=_pounds(payment),
        # From the exact instalment, not the rounded one: 120 rounding errors would otherwise add up.
        total_interest=_pounds(paid - loan),
        total_paid=_pounds(paid),
        total_cost_with_down_payment=_pounds(paid + down_payment) if down_payment is not None else None,
        years=years,
        months=months,
        annual_rate_pct=programme_info.annual_rate_pct,
        programme=programme_info,
        affordability=affordability,
        assumptions=said.en,
        assumptions_ar=said.ar,
        warnings=warnings,
        as_of=data.as_of,
    )


# --- Rental yield ---------------------------------------------------------------------------------------------------


class RoiArgs(BaseModel):
    model_config = ConfigDict(extra="forbid")

    property_price: int | None = Field(default=None, gt=0, le=10_000_000_000, description="Purchase price in EGP.")
    property_id: str | None = Field(default=None, min_length=1, max_length=64, description=LISTING_ID)
    annual_rent: int | None = Field(
        default=None, ge=0, le=1_000_000_000, description="Rent in EGP a year. Give this or monthly_rent, not both."
    )
    monthly_rent: int | None = Field(
        default=None, ge=0, le=100_000_000, description="Rent in EGP a month. Give this or annual_rent, not both."
    )
    months_let: int | None = Field(
        default=None,
        ge=1,
        le=12,
        description="Months a year the unit is let at monthly_rent, when not all year: a North Coast chalet let for "
        "the summer only is let about 3. Default 12.",
    )
    annual_costs_pct: float | None = Field(
        default=None,
        ge=0,
        le=100,
        description="Yearly costs (maintenance, service charge, vacancy) as a percent of the price. Default 2.",
    )
    price_growth_pct: float | None = Field(
        default=None, ge=-100, le=200, description="Expected yearly price growth in percent, if the user gives one."
    )

    @model_validator(mode="after")
    def _one_rent(self) -> RoiArgs:
        if self.property_price is None and self.property_id is None:
            raise ValueError("give property_price, or the property_id of a listing shown")
        if self.annual_rent is not None and self.monthly_rent is not None:
            raise ValueError("give annual_rent or monthly_rent, not both")
        if self.months_let is not None and self.monthly_rent is None:
            raise ValueError("months_let counts the months of monthly_rent: give monthly_rent with it")
        return self


class RoiResult(BaseModel):
    property_price: int
    annual_rent: int = Field(description="The rent used, EGP a year.")
    annual_costs: int = Field(description="The costs used, EGP a year.")
    annual_costs_pct: float
    net_annual_income: int
    gross_yield_pct: float
    net_yield_pct: float
    break_even_years: float | None = Field(description="Years of net rent to repay the price; None if it never does.")
    grade: Literal["Excellent", "Good", "Fair"]
    price_growth_pct: float | None
    total_return_pct: float | None = Field(description="Net yield plus price growth, one year, when growth was given.")
    assumptions: list[str]
    assumptions_ar: list[str] = Field(default_factory=list, description="The same, in Egyptian Arabic.")


def calculate_investment_roi(args: RoiArgs) -> RoiResult:
    """Gross and net rental yield, years to break even, and a grade."""
    if args.property_price is None:
        raise ValueError("property_price: the listing's price was not looked up")
    said = _Said()
    price = _dec(args.property_price)
    if args.annual_rent is not None:
        rent = args.annual_rent
    elif args.monthly_rent is not None:
        months = args.months_let or 12
        rent = args.monthly_rent * months
        said.add(
            f"annual rent {_egp(rent)}: {_egp(args.monthly_rent)} a month times {months}"
            + (" (the months it is let; empty the rest of the year)" if months < 12 else ""),
            f"الإيجار السنوي {_egp_ar(rent)}: {_egp_ar(args.monthly_rent)} في الشهر × {months}"
            + (" (الشهور اللي بتتأجر فيها، وباقي السنة فاضية)" if months < 12 else ""),
        )
    else:
        rent = _pounds(price * _dec(DEFAULT_RENT_YIELD_PCT) / 100)
        said.add(
            f"rent {_pct(DEFAULT_RENT_YIELD_PCT)}% of the price a year ({_egp(rent)}, default)",
            f"إيجار {_pct(DEFAULT_RENT_YIELD_PCT)}% من السعر في السنة ({_egp_ar(rent)}، افتراضي)",
        )
    if args.annual_costs_pct is not None:
        costs_pct = args.annual_costs_pct
    else:
        costs_pct = DEFAULT_ANNUAL_COSTS_PCT
        said.add(
            f"costs {_pct(costs_pct)}% of the price a year for maintenance, service charge and vacancy (default)",
            f"مصاريف {_pct(costs_pct)}% من السعر في السنة للصيانة والخدمات والشهور اللي تفضل فاضية (افتراضي)",
        )
    costs = _pounds(price * _dec(costs_pct) / 100)
    net = rent - costs
    gross_yield = _dec(rent) * 100 / price
    net_yield = _dec(net) * 100 / price
    # Graded on the net yield: the gross one flatters a unit whose service charge and empty months eat its rent.
    if net_yield > EXCELLENT_NET_YIELD_PCT:
        grade: Literal["Excellent", "Good", "Fair"] = "Excellent"
    elif net_yield > GOOD_NET_YIELD_PCT:
        grade = "Good"
    else:
        grade = "Fair"
    growth = args.price_growth_pct
    return RoiResult(
        property_price=args.property_price,
        annual_rent=rent,
        annual_costs=costs,
        annual_costs_pct=costs_pct,
        net_annual_income=net,
        gross_yield_pct=_places(gross_yield, 2),
        net_yield_pct=_places(net_yield, 2),
        break_even_years=_places(price / net, 1) if net > 0 else None,
        grade=grade,
        price_growth_pct=growth,
        total_return_pct=_places(net_yield + _dec(growth), 2) if growth is not None else None,
        assumptions=said.en,
        assumptions_ar=said.ar,
    )


# --- Payment plans and comparison -----------------------------------------------------------------------------------


class UnitTerms(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(min_length=1, description="The listing id.")
    title: str
    price: int = Field(gt=0, le=10_000_000_000, description="Price in EGP.")
    size_sqm: float = Field(gt=0, le=100_000)
    price_per_sqm: int = Field(ge=0)
    delivery_year: int | None = Field(default=None, ge=1950, le=2100, description="Year of handover, if off-plan.")
    is_delivered: bool = False
    down_payment_pct: float | None = Field(default=None, ge=0, le=100)
    installment_years: int | None = Field(default=None, ge=0, le=30)
    monthly_installment: int | None = Field(
        default=None, ge=0, description="The listing's monthly instalment in EGP, when it states one (0: not stated)."
    )
    is_cash_only: bool = False


PaymentKind = Literal["down_payment", "instalment", "handover", "maintenance", "cash_price"]


class ScheduledPayment(BaseModel):
    kind: PaymentKind
    first_month: int = Field(description="Months from today of the first payment of this line; 0 is today.")
    last_month: int
    count: int
    amount: int = Field(description="Each payment, EGP.")
    total: int


class PlanCost(BaseModel):
    unit_id: str
    is_cash: bool = Field(description="True for a cash-only listing, or one that states no instalment period.")
    payments: list[ScheduledPayment]
    down_payment: int = Field(description="Paid today; for a cash plan, the whole price.")
    monthly_installment: int | None
    installment_months: int
    handover_payment: int | None
    maintenance_deposit: int
    delivery_month: int
    nominal_total: int = Field(description="Every payment added up, EGP.")
    present_value: int = Field(description="The plan's payments discounted to today, EGP.")
    cash_present_value: int = Field(description="Paying the price today, plus the same maintenance, in today's money.")
    saving_vs_cash: int = Field(description="cash_present_value - present_value: positive means the plan is cheaper.")
    discount_rate_pct: float
    maintenance_pct: float
    assumptions: list[str]
    assumptions_ar: list[str] = Field(default_factory=list, description="The same, in Egyptian Arabic.")


class _Line:
    """One line of a schedule with its exact amount; rounded only when shown."""

    def __init__(self, kind: PaymentKind, first_month: int, count: int, amount: Decimal) -> None:
        self.kind = kind
        self.first_month = first_month
        self.count = count
        self.amount = amount

    def shown(self) -> ScheduledPayment:
        return ScheduledPayment(
            kind=self.kind,
            first_month=self.first_month,
            last_month=self.first_month + self.count - 1,
            count=self.count,
            amount=_pounds(self.amount),
            total=_pounds(self.amount * self.count),
        )


def _present_value(lines: list[_Line], monthly_factor: Decimal) -> Decimal:
    return sum(
        (line.amount / monthly_factor ** (line.first_month + k) for line in lines for k in range(line.count)),
        Decimal(0),
    )


def _delivery_month(unit: UnitTerms, today: date, said: _Said) -> int:
    if unit.is_delivered:
        return 0
    if unit.delivery_year is None:
        said.add(
            "no delivery date given, so handover payments are counted as due today",
            "مفيش ميعاد استلام، فدفعات الاستلام محسوبة على النهارده",
        )
        return 0
    # Mid-year (1 July) when only the year is known; whole months, the day of the month ignored.
    months = (unit.delivery_year - today.year) * 12 + (7 - today.month)
    if months <= 0:
        said.add(
            f"delivery year {unit.delivery_year} has passed, so handover is counted as today",
            f"سنة الاستلام {unit.delivery_year} عدت، فالاستلام محسوب النهارده",
        )
        return 0
    said.add(
        f"delivery taken as mid-{unit.delivery_year}, {months} months from today",
        f"الاستلام محسوب في نص {unit.delivery_year}، بعد {months} شهر من النهارده",
    )
    return months


def _resolve_rates(discount_rate_pct: float | None, maintenance_pct: float | None, said: _Said) -> tuple[float, float]:
    if discount_rate_pct is None:
        deposit = load_finance_data().deposit_rate
        discount_rate_pct = deposit.annual_rate_pct
        said.add(
            f"money discounted at {_pct(discount_rate_pct)}% a year: what your cash would earn in a bank deposit "
            f"(CBE overnight deposit rate as of {deposit.as_of.isoformat()})",
            f"الفلوس مخصومة بـ{_pct(discount_rate_pct)}% في السنة: اللي كاشك كان هيكسبه في وديعة بنك "
            f"(سعر الإيداع لليلة واحدة في البنك المركزي في {deposit.as_of.isoformat()})",
        )
    if maintenance_pct is None:
        maintenance_pct = DEFAULT_MAINTENANCE_PCT
        said.add(
            f"maintenance deposit {_pct(maintenance_pct)}% of the price, paid at handover (default)",
            f"وديعة صيانة {_pct(maintenance_pct)}% من السعر، بتتدفع عند الاستلام (افتراضي)",
        )
    if not 0 <= discount_rate_pct <= 100:
        raise ValueError("discount_rate_pct must be between 0 and 100")
    if not 0 <= maintenance_pct <= 50:
        raise ValueError("maintenance_pct must be between 0 and 50")
    return discount_rate_pct, maintenance_pct


def plan_true_cost(
    unit: UnitTerms, *, discount_rate_pct: float | None = None, maintenance_pct: float | None = None, today: date
) -> PlanCost:
    """Every payment of a unit's plan by month, its total, and its worth in today's money against paying cash.

    Discounting: the annual rate is an effective yearly rate, compounded monthly, so a payment m months away is
    divided by (1 + rate) ** (m / 12), i.e. by the monthly factor (1 + rate) ** (1/12) once per month.
    """
    said = _Said()
    discount_rate_pct, maintenance_pct = _resolve_rates(discount_rate_pct, maintenance_pct, said)
    price = _dec(unit.price)
    delivery = _delivery_month(unit, today, said)
    maintenance = price * _dec(maintenance_pct) / 100
    is_cash = unit.is_cash_only or not unit.installment_years
    if not unit.is_cash_only and not unit.installment_years:
        said.add(
            "the listing states no instalment period, so it is costed as cash",
            "الإعلان مش ذاكر مدة تقسيط، فمحسوبة كاش",
        )

    cash_lines = [_Line("cash_price", 0, 1, price)]
    if maintenance > 0:
        cash_lines.append(_Line("maintenance", delivery, 1, maintenance))

    if is_cash:
        lines = cash_lines
        down = price
        monthly: Decimal | None = None
        months = 0
        handover = Decimal(0)
    else:
        assert unit.installment_years is not None
        months = unit.installment_years * 12
        if unit.down_payment_pct is not None:
            down_pct = unit.down_payment_pct
        else:
            down_pct = DEFAULT_PLAN_DOWN_PAYMENT_PCT
            said.add(
                f"down payment {_pct(down_pct)}% (typical; the listing gives none)",
                f"مقدم {_pct(down_pct)}% (المعتاد؛ الإعلان مش ذاكره)",
            )
        down = price * _dec(down_pct) / 100
        if unit.monthly_installment:
            monthly = _dec(unit.monthly_installment)
        else:
            monthly = (price - down) / months
            said.add(
                "equal monthly instalments of the price less the down payment",
                "أقساط شهرية متساوية للسعر بعد المقدم",
            )
        # Whatever the down payment and instalments leave of the price falls due at handover; below half a pound
        # it is Decimal's rounding of equal instalments, not a payment.
        handover = price - down - monthly * months
        if handover < Decimal("0.5"):
            handover = Decimal(0)
        lines = []
        if down > 0:
            lines.append(_Line("down_payment", 0, 1, down))
        lines.append(_Line("instalment", 1, months, monthly))
        if handover > 0:
            lines.append(_Line("handover", delivery, 1, handover))
        if maintenance > 0:
            lines.append(_Line("maintenance", delivery, 1, maintenance))

    monthly_factor = (1 + _dec(discount_rate_pct) / 100) ** (Decimal(1) / 12)
    plan_pv = _present_value(lines, monthly_factor)
    cash_pv = _present_value(cash_lines, monthly_factor)
    lines.sort(key=lambda line: line.first_month)
    return PlanCost(
        unit_id=unit.id,
        is_cash=is_cash,
        payments=[line.shown() for line in lines],
        down_payment=_pounds(down),
        monthly_installment=_pounds(monthly) if monthly is not None else None,
        installment_months=months,
        handover_payment=_pounds(handover) if handover > 0 else None,
        maintenance_deposit=_pounds(maintenance),
        delivery_month=delivery,
        nominal_total=_pounds(sum((line.amount * line.count for line in lines), Decimal(0))),
        present_value=_pounds(plan_pv),
        cash_present_value=_pounds(cash_pv),
        saving_vs_cash=_pounds(cash_pv - plan_pv),
        discount_rate_pct=discount_rate_pct,
        maintenance_pct=maintenance_pct,
        assumptions=said.en,
        assumptions_ar=said.ar,
    )


class UnitComparison(BaseModel):
    id: str
    title: str
    price: int
    price_per_sqm: int
    size_sqm: float
    delivery: str = Field(description="'delivered', the delivery year, or 'unknown'.")
    plan: str = Field(description="The payment plan in one line.")
    monthly: int | None
    true_cost: PlanCost


class Winners(BaseModel):
    """Unit ids; on a tie the unit listed first wins. None when no unit has the thing measured."""

    best_value_per_sqm: str
    longest_plan: str | None
    lowest_monthly: str | None
    lowest_true_cost: str
    lowest_down_payment: str = Field(description="The least paid today, in pounds (a cash unit's is its price).")


class Comparison(BaseModel):
    units: list[UnitComparison]
    winners: Winners
    discount_rate_pct: float
    maintenance_pct: float
    as_of: date
    assumptions: list[str] = Field(
        description="The defaults the whole comparison used; each unit's own are in its true_cost."
    )
    assumptions_ar: list[str] = Field(default_factory=list, description="The same, in Egyptian Arabic.")


def _plan_summary(cost: PlanCost) -> str:
    if cost.is_cash:
        return f"cash {_egp(cost.down_payment)}"
    text = f"{_egp(cost.down_payment)} down, then {_egp(cost.monthly_installment or 0)} a month"
    text += f" for {cost.installment_months // 12} years"
    if cost.handover_payment is not None:
        text += f", {_egp(cost.handover_payment)} at handover"
    return text


def _delivery_text(unit: UnitTerms) -> str:
    if unit.is_delivered:
        return "delivered"
    return str(unit.delivery_year) if unit.delivery_year is not None else "unknown"


def compare_units(
    units: list[UnitTerms], *, discount_rate_pct: float | None = None, maintenance_pct: float | None = None, today: date
) -> Comparison:
    """Two to four units side by side: price per m², plan, monthly, and the true cost of each plan today."""
    if not 2 <= len(units) <= 4:
        raise ValueError(f"compare 2 to 4 units, not {len(units)}")
    if len({unit.id for unit in units}) != len(units):
        raise ValueError("each unit must appear once")
    said = _Said()
    discount_rate_pct, maintenance_pct = _resolve_rates(discount_rate_pct, maintenance_pct, said)
    rows = []
    for unit in units:
        cost = plan_true_cost(unit, discount_rate_pct=discount_rate_pct, maintenance_pct=maintenance_pct, today=today)
        rows.append(
            UnitComparison(
                id=unit.id,
                title=unit.title,
                price=unit.price,
                price_per_sqm=unit.price_per_sqm,
                size_sqm=unit.size_sqm,
                delivery=_delivery_text(unit),
                plan=_plan_summary(cost),
                monthly=cost.monthly_installment,
                true_cost=cost,
            )
        )
    with_plan = [row for row in rows if not row.true_cost.is_cash]
    # min and max keep the first of equals, so ties go to the unit listed first.
    winners = Winners(
        best_value_per_sqm=min(rows, key=lambda row: row.price_per_sqm).id,
        longest_plan=max(with_plan, key=lambda row: row.true_cost.installment_months).id if with_plan else None,
        lowest_monthly=min(with_plan, key=lambda row: row.monthly or 0).id if with_plan else None,
        lowest_true_cost=min(rows, key=lambda row: row.true_cost.present_value).id,
        lowest_down_payment=min(rows, key=lambda row: row.true_cost.down_payment).id,
    )
    return Comparison(
        units=rows,
        winners=winners,
        discount_rate_pct=discount_rate_pct,
        maintenance_pct=maintenance_pct,
        as_of=load_finance_data().as_of,
        assumptions=said.en,
        assumptions_ar=said.ar,
    )
