"""Contract review through the gateway on the test stack: pasted text and PDF uploads, anonymous and signed in, kept
reviews and who may read them, the refusals (no text layer, not a PDF, too big, keep without signing in) and the
limits per address and per user."""

from __future__ import annotations

import io
import itertools
import re
from collections.abc import Iterator

import httpx
import pytest
from pypdf import PdfWriter

from devstack.stack import LocalStack
from devstack.testing import admin_headers, service_headers, user_headers
from osool_agent.contracts import CLAUSE_KINDS

pytestmark = pytest.mark.stack

ARABIC_CONTRACT = """البند الأول: باع الطرف الأول للطرف الثاني الشقة رقم ٨ بمساحة صافية ١٢٠ متراً مربعاً.
البند الثاني: الثمن الإجمالي ٤٬٨٠٠٬٠٠٠ جنيه يسدد منها ٤٨٠٬٠٠٠ جنيه مقدماً
والباقي على ٤٨ قسطاً شهرياً قيمة كل قسط ٩٠٬٠٠٠ جنيه.
البند الثالث: موعد التسليم المتوقع نهاية عام ٢٠٢٧ تقريباً.
البند الرابع: في حالة الفسخ تؤول جميع المبالغ المسددة إلى الطرف الأول."""
ENGLISH_LINES = [
    "Article 1: Apartment 5, Building 2, with a net area of 120 square meters.",
    "Article 2: The total price of the Unit is EGP 6,000,000.",
    "Article 3: A down payment of EGP 600,000 on signing, and 20 quarterly instalments of EGP 250,000 each.",
    "Article 4: The Developer shall hand over the Unit no later than 30 June 2028.",
    "Article 5: Any dispute shall be settled by arbitration seated in London.",
]
# Each test that counts on the per-address limit calls from its own loopback address (the gateway's X-Real-IP).
_ADDRESSES = (f"127.0.{a}.{b}" for a, b in itertools.product(range(40, 60), range(2, 250)))


def text_pdf(lines: list[str]) -> bytes:
    """A one-page PDF whose text layer holds `lines` (Helvetica), written by hand: no PDF writer with text is
    installed, and the format's few objects are enough."""

    def escape(line: str) -> str:
        return line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    content = ("BT /F1 10 Tf 13 TL 40 800 Td " + " ".join(f"({escape(line)}) Tj T*" for line in lines) + " ET").encode(
        "latin-1"
    )
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def blank_pdf() -> bytes:
    """What a scanned contract is to a text reader: pages and no text layer."""
    writer, buffer = PdfWriter(), io.BytesIO()
    writer.add_blank_page(width=595, height=842)
    writer.add_blank_page(width=595, height=842)
    writer.write(buffer)
    return buffer.getvalue()


@pytest.fixture
def api(stack: LocalStack) -> Iterator[httpx.Client]:
    """A client of the public gateway calling from a loopback address no other test uses."""
    transport = httpx.HTTPTransport(local_address=next(_ADDRESSES))
    with httpx.Client(base_url=stack.config.public_url, timeout=60, transport=transport) as client:
        yield client


def audit(api: httpx.Client, text: str, **body: object) -> httpx.Response:
    headers = body.pop("headers", {})
    return api.post("/api/contracts/audit", json={"text": text, **body}, headers=headers)  # type: ignore[arg-type]


def upload(api: httpx.Client, data: bytes, *, keep: bool = False, headers: dict[str, str] | None = None,
           media_type: str = "application/pdf") -> httpx.Response:  # fmt: skip
    return api.post(
        "/api/contracts/audit", files={"file": ("contract.pdf", data, media_type)},
        data={"keep": "true" if keep else "false"}, headers=headers or {},
    )  # fmt: skip


def by_clause(body: dict[str, object]) -> dict[str, list[dict[str, str]]]:
    findings: dict[str, list[dict[str, str]]] = {}
    for finding in body["findings"]:  # type: ignore[attr-defined]
        findings.setdefault(finding["clause"], []).append(finding)
    return findings


def test_an_anonymous_buyer_gets_every_clause_judged_for_pasted_arabic_text(api: httpx.Client) -> None:
    response = audit(api, ARABIC_CONTRACT)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["language"] == "ar" and body["stored"] is False and body["id"] is None
    findings = by_clause(body)
    assert set(findings) == set(CLAUSE_KINDS)
    assert findings["unit_area"][0]["status"] == "present" and "١٢٠" in findings["unit_area"][0]["excerpt"]
    assert findings["payment_schedule"][0]["status"] == "present"  # 480,000 + 48 × 90,000 = 4,800,000
    assert findings["delivery_date"][0]["status"] == "risky" and findings["delivery_date"][0]["severity"] == "medium"
    assert findings["cancellation_refund"][0]["status"] == "risky"
    assert findings["late_delivery_penalty"][0] | {"status": "missing", "severity": "high", "excerpt": ""} == \
        findings["late_delivery_penalty"][0]  # fmt: skip
    assert re.search(r"[\u0600-\u06ff]", findings["late_delivery_penalty"][0]["why"])
    assert sum(body["summary"].values()) == len(body["findings"]) and 0 <= body["score"] <= 100


def test_a_pdf_with_a_text_layer_is_read_and_its_schedule_checked(api: httpx.Client) -> None:
    response = upload(api, text_pdf(ENGLISH_LINES))
    assert response.status_code == 200, response.text
    body = response.json()
    findings = by_clause(body)
    assert body["language"] == "en" and body["stored"] is False
    payment = findings["payment_schedule"][0]
    assert (payment["status"], payment["severity"]) == ("risky", "high")
    assert "5,600,000" in payment["why"] and "6,000,000" in payment["why"]
    assert findings["dispute_resolution"][0]["status"] == "risky"  # arbitration in London
    assert findings["delivery_date"][0]["status"] == "present"


def test_a_pdf_without_a_text_layer_is_422_no_text_layer(api: httpx.Client) -> None:
    response = upload(api, blank_pdf())
    assert response.status_code == 422, response.text
    assert response.json()["error"]["code"] == "no_text_layer" and response.json()["error"]["request_id"]


def test_a_file_that_is_not_a_pdf_is_415_and_so_is_another_body(api: httpx.Client) -> None:
    response = upload(api, b"\x89PNG\r\n\x1a\n" + b"\0" * 100, media_type="image/png")
    assert response.status_code == 415, response.text
    assert response.json()["error"]["code"] == "unsupported_media_type"
    response = api.post("/api/contracts/audit", content=b"some text", headers={"content-type": "text/plain"})
    assert response.status_code == 415, response.text


def test_a_pdf_over_5_mb_is_413_from_the_agent_and_over_6_mb_from_the_gateway(api: httpx.Client) -> None:
    response = upload(api, b"%PDF-1.4\n" + b"0" * (5 * 1024 * 1024 + 300 * 1024))
    assert response.status_code == 413, response.text
    assert response.json()["error"]["code"] == "payload_too_large"
    response = upload(api, b"%PDF-1.4\n" + b"0" * (7 * 1024 * 1024))
    assert response.status_code == 413, response.text
    assert "error" in response.json()


def test_text_outside_the_bounds_is_422(api: httpx.Client) -> None:
    assert audit(api, "too short").status_code == 422
    response = api.post("/api/contracts/audit", json={"text": ARABIC_CONTRACT, "unknown": 1})
    assert response.status_code == 422 and response.json()["error"]["code"] == "validation_error"


def test_keeping_a_review_needs_a_signed_in_user(api: httpx.Client) -> None:
    response = audit(api, ARABIC_CONTRACT, keep=True)
    assert response.status_code == 401, response.text
    assert response.json()["error"]["code"] == "unauthenticated"
    assert upload(api, text_pdf(ENGLISH_LINES), keep=True).status_code == 401


def test_a_kept_review_is_read_by_its_owner_and_no_one_else(stack: LocalStack, api: httpx.Client) -> None:
    owner, stranger = user_headers(stack, "contract-owner"), user_headers(stack, "contract-stranger")
    response = audit(api, ARABIC_CONTRACT, keep=True, headers=owner)
    assert response.status_code == 200, response.text
    kept = response.json()
    assert kept["stored"] is True and kept["id"]
    again = api.get(f"/api/contracts/audits/{kept['id']}", headers=owner)
    assert again.status_code == 200, again.text
    assert again.json()["findings"] == kept["findings"] and again.json()["score"] == kept["score"]
    assert api.get(f"/api/contracts/audits/{kept['id']}", headers=stranger).status_code == 404
    assert api.get(f"/api/contracts/audits/{kept['id']}").status_code == 401
    # A PDF is kept the same way; a signed-in caller who does not ask to keep stores nothing.
    pdf = upload(api, text_pdf(ENGLISH_LINES), keep=True, headers=owner).json()
    assert pdf["stored"] is True and api.get(f"/api/contracts/audits/{pdf['id']}", headers=owner).status_code == 200
    assert audit(api, ARABIC_CONTRACT, headers=owner).json() | {"stored": False, "id": None} == \
        audit(api, ARABIC_CONTRACT, headers=owner).json()  # fmt: skip


def test_the_eleventh_review_a_minute_from_one_address_is_429(api: httpx.Client) -> None:
    statuses = [audit(api, ARABIC_CONTRACT).status_code for _ in range(10)]
    assert statuses == [200] * 10
    refused = audit(api, ARABIC_CONTRACT)
    assert refused.status_code == 429, refused.text
    error = refused.json()["error"]
    assert error["code"] == "rate_limited" and error["details"]["retry_after_seconds"] > 0
    assert 1 <= int(refused.headers["Retry-After"]) <= 60  # through the gateway: the standard header, whole seconds


def test_a_signed_in_user_is_limited_per_user_not_per_address(stack: LocalStack) -> None:
    headers = user_headers(stack, "contract-limit")
    statuses = []
    for _ in range(21):  # CONTRACT_AUDITS_PER_MINUTE_PER_USER is 20; each from its own address
        transport = httpx.HTTPTransport(local_address=next(_ADDRESSES))
        with httpx.Client(base_url=stack.config.public_url, timeout=60, transport=transport) as client:
            statuses.append(audit(client, ARABIC_CONTRACT, headers=headers).status_code)
    assert statuses == [200] * 20 + [429]


def test_findings_are_counted_by_clause_and_severity_and_the_routes_documented(
    stack: LocalStack, api: httpx.Client
) -> None:
    assert audit(api, ARABIC_CONTRACT).status_code == 200
    metrics = httpx.get(f"{stack.config.internal_url}/agent/metrics", timeout=30).text
    counted = r'osool_agent_contract_findings_total\{clause="cancellation_refund",severity="high"\} [1-9]'
    assert re.search(counted, metrics)
    document = httpx.get(f"{stack.config.internal_url}/agent/openapi.json", headers=service_headers(stack),
                         timeout=30).json()  # fmt: skip
    post = document["paths"]["/api/contracts/audit"]["post"]
    assert {"401", "413", "415", "422", "429"} <= set(post["responses"])
    assert set(post["requestBody"]["content"]) == {"application/json", "multipart/form-data"}
    assert "404" in document["paths"]["/api/contracts/audits/{audit_id}"]["get"]["responses"]


def test_a_contract_pasted_in_the_chat_is_reviewed_by_the_rules_brain_and_read_as_no_ones_lead(
    stack: LocalStack, api: httpx.Client
) -> None:
    """With no model configured, a contract pasted into /api/chat is reviewed (not searched for its numbers): the
    same findings as /api/contracts/audit, the most serious first, and its words ("The Developer shall") are the
    parties', so the lead records no seller and no budget from them."""
    english = " ".join(ENGLISH_LINES)
    reviewed = audit(api, english).json()
    body = api.post("/api/chat", json={"message": english}, headers={"Accept": "application/json"}).json()
    [call] = body["tool_calls"]
    assert (call["name"], call["result"]["score"]) == ("audit_contract", reviewed["score"]), call
    assert body["listings"] == [] and body["reply"].startswith(
        f"I reviewed the contract: {reviewed['score']}% of the clauses a buyer must see are there and sound."
    )
    flagged = [f for f in reviewed["findings"] if f["status"] != "present"]
    assert flagged and all(f["why"] in body["reply"] for f in flagged), body["reply"]
    assert "This is a checklist, not legal advice" in body["reply"] and "prompting the sale" not in body["reply"]
    admin = admin_headers(stack, "contract-lead-admin")
    lead = next(item for item in api.get("/api/leads", params={"limit": 100}, headers=admin).json()["items"]
                if body["session_id"] in item["session_ids"])  # fmt: skip
    assert lead["kind"] != "seller" and lead.get("budget_max") is None, lead
    arabic = api.post("/api/chat", json={"message": ARABIC_CONTRACT}, headers={"Accept": "application/json"}).json()
    assert arabic["tool_calls"][0]["name"] == "audit_contract" and arabic["reply"].startswith("راجعت العقد: ")
