"""The contract analyser without a server: every clause found in English and Arabic and reported missing when absent,
every risk rule firing on its wording and not on a benign lookalike, the payment schedule added up against the price,
Arabic normalisation (digits, letter forms), excerpts, the labelled set, the PDF text layer, the audit_contract tool."""

from __future__ import annotations

import io
from typing import Any, cast

import pytest
from pypdf import PdfWriter

from osool_agent.contract_audits import NoTextLayerError, text_from_pdf
from osool_agent.contracts import (
    CLAUSE_KINDS,
    EXCERPT_CHARS,
    MISSING_SEVERITY,
    RISKS,
    ContractReview,
    Finding,
    amounts,
    normalise,
    review_contract,
    split_clauses,
)
from osool_agent.contracts_eval import GOAL, evaluate, load_eval_set
from osool_agent.grounding import Facts
from osool_agent.tools.catalog import TOOLS_BY_NAME, TurnDeps, pydantic_tools, run_tool, summarise
from osool_agent.tools.context import ToolContext
from osool_common.errors import UnsupportedMediaTypeError

WHY = {risk.name: (risk.why_en, risk.why_ar) for risk in RISKS}


def findings_of(text: str, clause: str) -> list[Finding]:
    return [finding for finding in review_contract(text).findings if finding.clause == clause]


def status_of(text: str, clause: str) -> str:
    statuses = {finding.status for finding in findings_of(text, clause)}
    assert len(statuses) == 1, statuses
    return statuses.pop()


PRESENT = {
    "payment_schedule": (
        "The balance shall be paid in 12 equal quarterly instalments of EGP 250,000 each.",
        "يسدد الباقي على ١٢ قسطاً ربع سنوي قيمة كل قسط ٢٥٠٬٠٠٠ جنيه.",
    ),
    "delivery_date": (
        "The Developer shall hand over the Unit no later than 31 March 2028.",
        "يلتزم الطرف الأول بتسليم الوحدة في موعد غايته ٣١/٣/٢٠٢٨.",
    ),
    "late_delivery_penalty": (
        "If delivery is late, the Developer shall pay a delay penalty of 1% of the amounts paid per month, up to 10%.",
        "في حالة التأخير في التسليم يلتزم الطرف الأول بغرامة تأخير ١٪ شهرياً بحد أقصى ١٠٪.",
    ),
    "maintenance_deposit": (
        "The Purchaser shall pay a maintenance deposit of 8% of the price before handover.",
        "يسدد المشتري وديعة صيانة بنسبة ٨٪ من ثمن الوحدة.",
    ),
    "finishing_specification": (
        "The apartment is delivered semi-finished as described in Annex 2.",
        "تسلم الوحدة كاملة التشطيب طبقاً للملحق رقم ٢.",
    ),
    "unit_area": (
        "Apartment 4 has a net area of 130 square meters measured from the inner faces of the walls.",
        "الشقة رقم ٤ بمساحة صافية ١٣٠ متراً مربعاً.",
    ),
    "ownership_registration": (
        "The Seller shall sign the final contract before the Real Estate Publicity Department within 12 months.",
        "يلتزم البائع بتسجيل الوحدة باسم المشتري بالشهر العقاري خلال سنة من الاستلام.",
    ),
    "cancellation_refund": (
        "If the Buyer cancels, the amounts paid are refunded less 5% within 90 days.",
        "في حالة الفسخ ترد المبالغ المسددة بعد خصم ٥٪ خلال تسعين يوماً.",
    ),
    "developer_obligations": (
        "The Developer undertakes to construct the building according to the licence and connect all utilities.",
        "تلتزم الشركة بتنفيذ المشروع طبقاً للترخيص وتوصيل المرافق.",
    ),
    "dispute_resolution": (
        "Any dispute shall be settled by the courts of Cairo.",
        "تختص محاكم القاهرة بنظر أي نزاع ينشأ عن هذا العقد.",
    ),
}


def test_every_clause_kind_has_an_english_and_an_arabic_example() -> None:
    assert set(PRESENT) == set(CLAUSE_KINDS)


@pytest.mark.parametrize(("clause", "language"), [(c, lang) for c in CLAUSE_KINDS for lang in ("en", "ar")])
def test_each_clause_is_found_in_english_and_arabic(clause: str, language: str) -> None:
    text = PRESENT[clause][0 if language == "en" else 1]
    review = review_contract(text)
    assert review.language == language
    (finding,) = [f for f in review.findings if f.clause == clause]
    assert (finding.status, finding.severity) == ("present", "info"), finding
    assert finding.excerpt and finding.excerpt in " ".join(text.split())
    # A one-clause text has every other clause missing, at the severity the module documents.
    for other in review.findings:
        if other.clause != clause:
            assert (other.status, other.severity, other.excerpt) == ("missing", MISSING_SEVERITY[other.clause], "")


@pytest.mark.parametrize("language", ["en", "ar"])
def test_a_contract_lacking_clauses_reports_them_missing_in_its_language(language: str) -> None:
    index = 0 if language == "en" else 1
    text = "\n\n".join(PRESENT[kind][index] for kind in ("payment_schedule", "unit_area", "dispute_resolution"))
    review = review_contract(text)
    missing = {f.clause: f for f in review.findings if f.status == "missing"}
    assert set(missing) == set(CLAUSE_KINDS) - {"payment_schedule", "unit_area", "dispute_resolution"}
    assert missing["delivery_date"].severity == "high" and missing["maintenance_deposit"].severity == "medium"
    arabic = any("\u0600" <= char <= "\u06ff" for char in missing["delivery_date"].why)
    assert arabic is (language == "ar")
    assert review.score == 30
    assert review.summary == {"high": 4, "medium": 3, "low": 0, "info": 3}


def test_a_complete_sound_contract_scores_100() -> None:
    text = "\n\n".join(PRESENT[kind][0] for kind in CLAUSE_KINDS)
    review = review_contract(text)
    assert {f.status for f in review.findings} == {"present"}
    assert review.score == 100 and review.summary["info"] == 10


# (rule, the wording that fires it, a benign lookalike that must not)
RISKY = [
    ("area_changed_unilaterally",
     "The Developer may increase or decrease the area of the Unit at its sole discretion.",
     "Any change in the area of the Unit requires the written agreement of both parties."),
    ("area_changed_unilaterally",
     "يحق للشركة تعديل مساحة الوحدة دون الرجوع إلى المشتري.",
     "لا يجوز تعديل مساحة الوحدة إلا باتفاق كتابي بين الطرفين."),
    ("area_tolerance_over_5pct",
     "The delivered area may differ from the contract area by up to 8% without any price adjustment.",
     "The delivered area may differ from the contract area by up to 3%, settled at the price per square meter."),
    ("gross_area",
     "The Unit has an area of 150 square meters including its share of the common areas and services.",
     "The Unit has a net area of 150 square meters excluding any share of the common areas."),
    ("gross_area",
     "مساحة الوحدة ١٥٠ م٢ شاملة نصيبها في الأجزاء المشتركة.",
     "مساحة الوحدة الصافية ١٥٠ م٢ دون الأجزاء المشتركة."),
    ("specifications_changed_unilaterally",
     "The Developer may change the specifications of the Unit without notice.",
     "The Developer may replace materials with equal ones only with the Buyer's written approval."),
    ("specifications_changed_unilaterally",
     "للشركة تعديل المواصفات دون إخطار المشتري.",
     "لا يجوز للشركة تعديل المواصفات إلا بموافقة كتابية من المشتري."),
    ("delivery_date_approximate",
     "The estimated delivery date is the end of 2027.",
     "Delivery is expected at the end of 2027 and in any case no later than 30 June 2028."),
    ("delivery_date_approximate",
     "موعد التسليم المتوقع نهاية عام ٢٠٢٧ تقريباً.",
     "التسليم المتوقع نهاية عام ٢٠٢٧ وفي جميع الأحوال في موعد غايته ٣٠/٦/٢٠٢٨."),
    ("long_grace_period",
     "Delivery within 36 months, with a grace period of nine (9) months before any delay penalty applies.",
     "Delivery within 36 months, with a grace period of three (3) months before any delay penalty applies."),
    ("long_grace_period",
     "التسليم خلال ٣٦ شهراً مع فترة سماح سنة قبل احتساب غرامة التأخير.",
     "التسليم خلال ٣٦ شهراً مع فترة سماح ثلاثة أشهر قبل احتساب غرامة التأخير."),
    ("small_penalty_cap",
     "For late delivery the Developer pays a penalty of 0.5% a month, up to a maximum of 2% of the price.",
     "For late delivery the Developer pays a penalty of 1% a month, up to a maximum of 10% of the price."),
    ("no_delay_compensation",
     "The Buyer shall not be entitled to any compensation for a delay in delivery.",
     "The Buyer shall be entitled to compensation of 1% a month for any delay in delivery."),
    ("all_payments_forfeited",
     "On termination all amounts paid by the Buyer shall be forfeited to the Developer.",
     "On termination all amounts paid by the Buyer shall be refunded within 30 days."),
    ("all_payments_forfeited",
     "عند الفسخ تؤول جميع المبالغ المسددة إلى الشركة.",
     "عند الفسخ ترد جميع المبالغ المسددة إلى المشتري خلال ثلاثين يوماً."),
    ("deduction_over_25pct",
     "If the Buyer cancels, the Company refunds the amounts paid after deducting 40% of them.",
     "If the Buyer cancels, the Company refunds the amounts paid after deducting 5% of them."),
    ("deduction_over_10pct",
     "في حالة إلغاء التعاقد ترد المبالغ بعد خصم ١٥٪ منها.",
     "في حالة إلغاء التعاقد ترد المبالغ بعد خصم ١٠٪ منها."),
    ("refund_after_resale",
     "On cancellation the refund is made only after the Unit has been resold.",
     "On cancellation the refund is made within 60 days."),
    ("maintenance_deposit_unstated",
     "The Buyer pays the maintenance deposit determined by the Company at handover.",
     "The Buyer pays a maintenance deposit of 8% of the price at handover."),
    ("maintenance_deposit_over_10pct",
     "يسدد المشتري وديعة صيانة ١٥٪ من ثمن الوحدة.",
     "يسدد المشتري وديعة صيانة ٨٪ من ثمن الوحدة."),
    ("price_may_change",
     "The prices in this contract are subject to change if building costs rise.",
     "The prices in this contract are fixed and not subject to change."),
    ("price_may_change",
     "يحق للشركة زيادة ثمن الوحدة في حالة ارتفاع أسعار مواد البناء.",
     "الثمن ثابت ولا يجوز زيادة ثمن الوحدة بعد التوقيع."),
    ("registration_not_committed",
     "The Developer shall not be liable for the registration of the Unit.",
     "The Developer shall complete the registration of the Unit within 12 months of delivery."),
    ("registration_at_buyer_expense_no_deadline",
     "The Buyer shall register the Unit at his own expense.",
     "The Developer shall register the Unit within 12 months of handover; fees are borne by the Buyer."),
    ("court_or_objection_waived",
     "يقر المشتري بتنازله عن حقه في اللجوء إلى القضاء.",
     "يحق للمشتري اللجوء إلى القضاء المختص."),
    ("court_or_objection_waived",
     "The Buyer waives any right to challenge the Developer's decisions before any court.",
     "Either party may bring any dispute before the competent courts of Cairo."),
    ("arbitration_abroad",
     "Disputes shall be settled by arbitration seated in London.",
     "Disputes shall be settled by arbitration seated in Cairo under the CRCICA rules."),
]  # fmt: skip


def test_every_risk_rule_has_a_firing_and_a_benign_example() -> None:
    assert {name for name, _, _ in RISKY} == set(WHY)


@pytest.mark.parametrize(("rule", "risky", "benign"), RISKY, ids=[f"{r[0]}-{i}" for i, r in enumerate(RISKY)])
def test_a_risk_fires_on_its_wording_and_not_on_a_benign_lookalike(rule: str, risky: str, benign: str) -> None:
    clause = next(risk.clause for risk in RISKS if risk.name == rule)
    fired = [f for f in findings_of(risky, clause) if f.status == "risky"]
    assert any(f.why in WHY[rule] for f in fired), (rule, findings_of(risky, clause))
    assert all(f.severity in ("high", "medium") and f.excerpt for f in fired)
    calm = [f for f in findings_of(benign, clause) if f.why in WHY[rule]]
    assert calm == [], (rule, calm)


def test_a_payment_schedule_that_does_not_add_up_names_the_numbers() -> None:
    text = (
        "Article 2: The total price of the Unit is EGP 6,000,000.\n"
        "Article 3: A down payment of EGP 600,000 on signing, and 20 quarterly instalments of EGP 250,000 each."
    )
    (finding,) = findings_of(text, "payment_schedule")
    assert (finding.status, finding.severity) == ("risky", "high")
    for number in ("5,600,000", "6,000,000", "600,000", "20 × 250,000", "400,000"):
        assert number in finding.why


def test_an_arabic_schedule_that_does_not_add_up_is_explained_in_arabic() -> None:
    text = "ثمن الوحدة ٧٬٥٠٠٬٠٠٠ جنيه، يسدد منها ٧٥٠٬٠٠٠ جنيه مقدما والباقي على ٢٤ قسطا قيمة كل قسط ٣٠٠٬٠٠٠ جنيه."
    (finding,) = findings_of(text, "payment_schedule")
    assert finding.status == "risky"
    assert "7,950,000" in finding.why and "7,500,000" in finding.why and "جنيه" in finding.why


def test_a_schedule_that_adds_up_within_one_percent_is_not_flagged() -> None:
    text = (
        "The total price is EGP 4,800,000: a down payment of EGP 480,000 upon signing and 24 quarterly "
        "instalments of EGP 180,500 each."  # 4,812,000: 0.25% over, rounding
    )
    assert status_of(text, "payment_schedule") == "present"


def test_percentages_of_a_schedule_over_100_are_flagged() -> None:
    text = "The price is payable 20% on signing, 10% after six months, and the remaining 80% in quarterly instalments."
    (finding,) = findings_of(text, "payment_schedule")
    assert finding.status == "risky" and "110%" in finding.why


def test_arabic_is_normalised_digits_letter_forms_and_diacritics() -> None:
    assert normalise("مادة (٥) إلغاءُ العقدِ ٪١٠") == "ماده (5) الغاء العقد %10"
    assert [a.value for a in amounts(normalise("مبلغ ٤٬٥٠٠٬٠٠٠ جنيه و٣ مليون جنيه"))] == [4_500_000, 3_000_000]
    clauses = split_clauses(normalise("مادة (١) البيع\nنص البند\nمادة (٢) الثمن\nالبند الثالث: التسليم"))
    assert [c.text.split()[0] for c in clauses] == ["ماده", "ماده", "البند"]
    # The same clause with and without diacritics, with Arabic-Indic or ASCII digits, reads the same.
    plain = review_contract("يلتزم الطرف الأول بتسليم الوحدة في موعد غايته 30/6/2028.")
    marked = review_contract("يَلتزِمُ الطَّرفُ الأوَّلُ بتسليمِ الوحدةِ في موعدٍ غايتُه ٣٠/٦/٢٠٢٨.")
    assert [(f.clause, f.status) for f in plain.findings] == [(f.clause, f.status) for f in marked.findings]
    # Excerpts are the contract's own words, diacritics and digits as written.
    (delivery,) = [f for f in marked.findings if f.clause == "delivery_date"]
    assert "٣٠/٦/٢٠٢٨" in delivery.excerpt and "يَلتزِمُ" in delivery.excerpt


def test_a_sentence_a_pdf_wrapped_over_lines_is_read_whole() -> None:
    text = "Article 7 - Handover\nThe Developer shall hand over the\nUnit to the Purchaser no later\nthan 30 June 2028."
    assert status_of(text, "delivery_date") == "present"
    assert [c.text.split()[0] for c in split_clauses(text)] == ["Article"]
    # A title in capitals starts a clause; an ordinary wrapped line does not.
    titled = split_clauses("PAYMENT TERMS\nthe buyer pays in quarterly\ninstalments over five years\nDISPUTES\ncourts")
    assert len(titled) == 2


def test_excerpts_stay_within_300_characters_around_the_words_found() -> None:
    filler = "The parties have agreed on the following terms after due deliberation and negotiation. " * 6
    text = filler.replace(". ", ", ") + "the Developer may change the specifications without notice."
    (finding,) = findings_of(text, "finishing_specification")
    assert finding.status == "risky" and len(finding.excerpt) <= EXCERPT_CHARS
    assert "without notice" in finding.excerpt


def test_the_labelled_set_is_large_bilingual_and_meets_the_goal() -> None:
    items = load_eval_set()
    assert len(items) >= 70 and sum(item["lang"] == "ar" for item in items) >= 30
    assert sum(item["split"].startswith("held_out") for item in items) >= 20
    pairs = {(e["clause"], e["status"]) for item in items for e in item["expect"]}
    assert {clause for clause, _ in pairs} == set(CLAUSE_KINDS)
    assert {status for _, status in pairs} == {"present", "missing", "risky"}
    groups, _ = evaluate(items)
    assert groups["all"].precision >= GOAL and groups["all"].recall >= GOAL


def test_a_pdf_without_a_text_layer_is_refused_and_a_non_pdf_is_not_a_pdf() -> None:
    writer, buffer = PdfWriter(), io.BytesIO()
    writer.add_blank_page(width=595, height=842)
    writer.write(buffer)
    with pytest.raises(NoTextLayerError):
        text_from_pdf(buffer.getvalue())
    with pytest.raises(UnsupportedMediaTypeError):
        text_from_pdf(b"\x89PNG\r\n\x1a\n not a pdf")


async def test_the_audit_contract_tool_runs_from_the_catalog() -> None:
    assert "audit_contract" in {tool.name for tool in pydantic_tools()}
    events: list[tuple[str, dict[str, Any]]] = []

    async def emit(name: str, data: dict[str, Any]) -> None:
        events.append((name, data))

    context = ToolContext(search=cast(Any, None), chain=cast(Any, None), stale_after_days=30, cards_per_reply=5)
    deps = TurnDeps(tools=context, facts=Facts(), emit=emit)
    text = PRESENT["payment_schedule"][1] + "\n" + RISKY[0][1]
    record = await run_tool(deps, "audit_contract", {"text": text}, "call_1")
    assert record.ok and TOOLS_BY_NAME["audit_contract"].args_model.__name__ == "AuditContractArgs"
    result = cast(ContractReview, record.result)
    assert summarise(record) == f"{len(result.findings)} findings: {result.summary['high']} high"
    assert events[-1] == ("tool_result", {"id": "call_1", "name": "audit_contract", "ok": True,
                                          "summary": summarise(record)})  # fmt: skip
    too_short = await run_tool(deps, "audit_contract", {"text": "short"}, "call_2")
    assert not too_short.ok
