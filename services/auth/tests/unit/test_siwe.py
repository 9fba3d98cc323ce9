"""Sign-In with Ethereum: messages built, signed by real keys, parsed and verified, and every way one is refused."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from eth_account import Account
from eth_account.messages import encode_defunct
from eth_account.signers.local import LocalAccount

from osool_auth.siwe import (
    MAX_MESSAGE_LENGTH,
    SiweError,
    SiweMessage,
    build_siwe_message,
    parse_siwe_message,
    verify_siwe_message,
)

DOMAIN = "osool.example"
URI = "https://osool.example"
CHAIN_ID = 1
NONCE = "k3J9xQ2mVb7Lp0Zr"
STATEMENT = "Sign in to Osool."
NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
ISSUED_AT = NOW - timedelta(seconds=30)
EXPIRES_AT = NOW + timedelta(minutes=5)


@pytest.fixture
def wallet() -> LocalAccount:
    return Account.create()


def _message(address: str, **overrides: Any) -> str:
    fields: dict[str, Any] = {
        "domain": DOMAIN,
        "address": address,
        "uri": f"{URI}/login",
        "chain_id": CHAIN_ID,
        "nonce": NONCE,
        "issued_at": ISSUED_AT,
        "statement": STATEMENT,
        "expiration_time": EXPIRES_AT,
    }
    return build_siwe_message(**(fields | overrides))


def _sign(text: str, signer: LocalAccount) -> str:
    return Account.sign_message(encode_defunct(text=text), private_key=signer.key).signature.to_0x_hex()


def _verify(text: str, signature: str, **overrides: Any) -> SiweMessage:
    options: dict[str, Any] = {
        "expected_domain": DOMAIN,
        "expected_uri": URI,
        "expected_chain_id": CHAIN_ID,
        "now": NOW,
    }
    return verify_siwe_message(text, signature, **(options | overrides))


def _refusal(text: str, signature: str, **overrides: Any) -> SiweError:
    with pytest.raises(SiweError) as caught:
        _verify(text, signature, **overrides)
    return caught.value


def _signed(signer: LocalAccount, **overrides: Any) -> tuple[str, str]:
    text = _message(signer.address, **overrides)
    return text, _sign(text, signer)


# --- what is accepted ---------------------------------------------------------------------------------------------


def test_valid_message_verifies_and_returns_its_fields(wallet: LocalAccount) -> None:
    text, signature = _signed(wallet, request_id="req-42", resources=["https://osool.example/terms"])

    message = _verify(text, signature)

    assert message == SiweMessage(
        domain=DOMAIN,
        address=wallet.address,
        statement=STATEMENT,
        uri=f"{URI}/login",
        version="1",
        chain_id=CHAIN_ID,
        nonce=NONCE,
        issued_at=ISSUED_AT,
        expiration_time=EXPIRES_AT,
        not_before=None,
        request_id="req-42",
        resources=("https://osool.example/terms",),
    )


def test_built_text_is_the_eip_4361_layout_with_two_blank_lines_when_there_is_no_statement() -> None:
    address = "0x7291BB770D168a6fD41AE73CcA7C709cba4d558f"
    with_statement = build_siwe_message(
        domain=DOMAIN,
        address=address,
        uri=f"{URI}/login",
        chain_id=1,
        nonce="32891756",
        issued_at=datetime(2021, 9, 30, 16, 25, 24, tzinfo=UTC),
        statement="I accept the Osool Terms of Service: https://osool.example/tos",
        resources=[
            "ipfs://bafybeiemxf5abjwjbikoz4mc3a3dla6ual3jsgpdr4cjr3oz3evfyavhwq/",
            "https://osool.example/a.json",
        ],
    )
    without_statement = build_siwe_message(
        domain=DOMAIN,
        address=address,
        uri=URI,
        chain_id=1,
        nonce="32891756",
        issued_at=datetime(2021, 9, 30, 16, 25, 24, tzinfo=UTC),
    )

    assert with_statement == (
        "osool.example wants you to sign in with your Ethereum account:\n"
        "0x7291BB770D168a6fD41AE73CcA7C709cba4d558f\n"
        "\n"
        "I accept the Osool Terms of Service: https://osool.example/tos\n"
        "\n"
        "URI: https://osool.example/login\n"
        "Version: 1\n"
        "Chain ID: 1\n"
        "Nonce: 32891756\n"
        "Issued At: 2021-09-30T16:25:24Z\n"
        "Resources:\n"
        "- ipfs://bafybeiemxf5abjwjbikoz4mc3a3dla6ual3jsgpdr4cjr3oz3evfyavhwq/\n"
        "- https://osool.example/a.json"
    )
    assert without_statement == (
        "osool.example wants you to sign in with your Ethereum account:\n"
        "0x7291BB770D168a6fD41AE73CcA7C709cba4d558f\n"
        "\n"
        "\n"
        "URI: https://osool.example\n"
        "Version: 1\n"
        "Chain ID: 1\n"
        "Nonce: 32891756\n"
        "Issued At: 2021-09-30T16:25:24Z"
    )


def test_build_then_parse_round_trips_every_optional_field(wallet: LocalAccount) -> None:
    dubai = timezone(timedelta(hours=4))
    fields: dict[str, Any] = {
        "domain": "app.osool.example:8443",
        "address": wallet.address,
        "uri": "https://app.osool.example:8443/auth/siwe?next=%2Flistings#top",
        "chain_id": 137,
        "nonce": "a1B2c3D4e5F6g7H8",
        "issued_at": datetime(2026, 3, 1, 15, 59, 30, 123456, tzinfo=dubai),
        "statement": "Sign in to Osool to save searches & listings (v2).",
        "expiration_time": datetime(2026, 3, 1, 12, 10, tzinfo=UTC),
        "not_before": datetime(2026, 3, 1, 11, 59, tzinfo=UTC),
        "request_id": "req-7f3a:9@osool",
        "resources": ["ipfs://bafybeiemxf5abjwjbikoz4mc3a3dla6ual3jsgpdr4cjr3oz3evfyavhwq/", "urn:osool:profile"],
    }

    message = parse_siwe_message(build_siwe_message(**fields))

    assert message == SiweMessage(
        version="1",
        **(
            fields
            | {
                "issued_at": datetime(2026, 3, 1, 11, 59, 30, 123456, tzinfo=UTC),
                "resources": tuple(fields["resources"]),
            }
        ),
    )
    assert message.issued_at.tzinfo is UTC
    assert build_siwe_message(**fields) == build_siwe_message(
        **{name: getattr(message, name) for name in fields}  # the parsed values build the same text again
    )


def test_message_without_optional_fields_round_trips_to_nones_and_no_resources(wallet: LocalAccount) -> None:
    text = build_siwe_message(domain=DOMAIN, address=wallet.address, uri=URI, chain_id=1, nonce=NONCE, issued_at=NOW)

    message = parse_siwe_message(text)

    assert (message.statement, message.expiration_time, message.not_before, message.request_id) == (None,) * 4
    assert message.resources == ()


def test_issued_at_with_a_utc_offset_or_lower_case_letters_is_read_as_utc(wallet: LocalAccount) -> None:
    text = _message(wallet.address).replace("Issued At: 2026-03-01T11:59:30Z", "Issued At: 2026-03-01t15:59:30.5+04:00")

    assert parse_siwe_message(text).issued_at == datetime(2026, 3, 1, 11, 59, 30, 500000, tzinfo=UTC)


@pytest.mark.parametrize("uri", [URI, f"{URI}/", f"{URI}/login", f"{URI}/auth/siwe?next=/"])
def test_message_for_the_expected_uri_or_a_path_below_it_is_accepted(wallet: LocalAccount, uri: str) -> None:
    text, signature = _signed(wallet, uri=uri)

    assert _verify(text, signature).uri == uri


def test_expected_uri_with_a_trailing_slash_accepts_paths_below_it(wallet: LocalAccount) -> None:
    text, signature = _signed(wallet, uri=f"{URI}/login")

    assert _verify(text, signature, expected_uri=f"{URI}/").uri == f"{URI}/login"


def test_signature_without_0x_prefix_is_accepted(wallet: LocalAccount) -> None:
    text, signature = _signed(wallet)

    assert _verify(text, signature.removeprefix("0x")).address == wallet.address


def test_sql_in_the_statement_is_parsed_verbatim_and_verifies(wallet: LocalAccount) -> None:
    statement = "Robert'); DROP TABLE users;-- ' OR '1'='1"
    text, signature = _signed(wallet, statement=statement)

    message = _verify(text, signature)

    assert (message.statement, message.nonce, message.uri) == (statement, NONCE, f"{URI}/login")


def test_issued_at_slightly_ahead_of_our_clock_is_accepted(wallet: LocalAccount) -> None:
    text, signature = _signed(wallet, issued_at=NOW + timedelta(seconds=30))

    assert _verify(text, signature).issued_at == NOW + timedelta(seconds=30)


def test_a_longer_max_age_accepts_an_older_message(wallet: LocalAccount) -> None:
    text, signature = _signed(wallet, issued_at=NOW - timedelta(minutes=12), expiration_time=None)

    assert _verify(text, signature, max_age=timedelta(minutes=15)).issued_at == NOW - timedelta(minutes=12)


def test_message_at_the_length_cap_is_accepted_and_one_character_more_is_not(wallet: LocalAccount) -> None:
    padding = MAX_MESSAGE_LENGTH - len(_message(wallet.address, statement="x"))
    at_cap = _message(wallet.address, statement="x" * (1 + padding))
    over_cap = at_cap.replace("x" * (1 + padding), "x" * (2 + padding))

    assert len(at_cap) == MAX_MESSAGE_LENGTH
    assert _verify(at_cap, _sign(at_cap, wallet)).statement == "x" * (1 + padding)
    assert _refusal(over_cap, _sign(over_cap, wallet)).reason == "malformed"


# --- who signed it ------------------------------------------------------------------------------------------------


def test_message_tampered_after_signing_is_refused(wallet: LocalAccount) -> None:
    text, signature = _signed(wallet)
    tampered = text.replace("Expiration Time: 2026-03-01T12:05:00Z", "Expiration Time: 2027-03-01T12:05:00Z")

    assert tampered != text
    assert _refusal(tampered, signature).reason == "bad_signature"


def test_message_signed_by_another_key_is_refused(wallet: LocalAccount) -> None:
    text = _message(wallet.address)

    error = _refusal(text, _sign(text, Account.create()))

    assert error.reason == "bad_signature"
    assert "signature" in str(error)


@pytest.mark.parametrize(
    "signature",
    [
        "0x1234",
        "",
        "0x",
        "not a signature",
        "0x" + "zz" * 65,
        "0x" + "00" * 65,
        "0x" + "ff" * 65,
        "0x" + "11" * 64 + "63",  # v = 99
        "0x" + "ab" * 66,
        "0x" + "ab" * 65 + "\n",
    ],
)
def test_garbage_signature_is_refused_as_bad_signature(wallet: LocalAccount, signature: str) -> None:
    assert _refusal(_message(wallet.address), signature).reason == "bad_signature"


def test_lower_case_address_is_refused_even_when_its_signature_is_good(wallet: LocalAccount) -> None:
    assert wallet.address.lower() != wallet.address
    text = _message(wallet.address.lower())
    signature = _sign(text, wallet)

    assert _refusal(text, signature).reason == "bad_address"


def test_bad_signature_is_reported_before_the_fields_it_covers(wallet: LocalAccount) -> None:
    text = _message(wallet.address, domain="evil.example", expiration_time=NOW - timedelta(hours=1))

    assert _refusal(text, _sign(text, Account.create())).reason == "bad_signature"


# --- whom and when it was signed for ------------------------------------------------------------------------------


def test_message_signed_for_another_domain_is_refused(wallet: LocalAccount) -> None:
    text, signature = _signed(wallet, domain="osool.example.evil.com")

    error = _refusal(text, signature)

    assert error.reason == "wrong_domain"
    assert "domain" in str(error)


def test_message_signed_for_another_uri_is_refused(wallet: LocalAccount) -> None:
    text, signature = _signed(wallet, uri="https://evil.example/login")

    assert _refusal(text, signature).reason == "wrong_uri"


@pytest.mark.parametrize(
    "uri",
    [
        "https://osool.example.evil.com",
        "https://osool.example.evil.com/login",
        "https://osool.example@evil.com/login",
        "https://osool.example:8443/login",
        "https://osool.examplee/login",
        "http://osool.example/login",
        "https://evil.example/https://osool.example/login",
    ],
)
def test_uri_on_another_origin_that_starts_with_the_same_characters_is_refused(wallet: LocalAccount, uri: str) -> None:
    text, signature = _signed(wallet, uri=uri)

    assert _refusal(text, signature).reason == "wrong_uri"


def test_message_signed_for_another_chain_is_refused(wallet: LocalAccount) -> None:
    text, signature = _signed(wallet, chain_id=137)

    assert _refusal(text, signature).reason == "wrong_chain"


@pytest.mark.parametrize("expiration_time", [NOW - timedelta(seconds=1), NOW])
def test_message_past_its_expiration_time_is_refused(wallet: LocalAccount, expiration_time: datetime) -> None:
    text, signature = _signed(wallet, expiration_time=expiration_time)

    assert _refusal(text, signature).reason == "expired"


def test_message_before_its_not_before_time_is_refused(wallet: LocalAccount) -> None:
    text, signature = _signed(wallet, not_before=NOW + timedelta(minutes=1))

    assert _refusal(text, signature).reason == "not_yet_valid"


def test_message_issued_longer_ago_than_max_age_is_refused_even_without_expiration(wallet: LocalAccount) -> None:
    text, signature = _signed(wallet, issued_at=NOW - timedelta(minutes=11), expiration_time=None)

    assert _refusal(text, signature).reason == "expired"


def test_message_issued_more_than_a_minute_in_the_future_is_refused(wallet: LocalAccount) -> None:
    text, signature = _signed(wallet, issued_at=NOW + timedelta(minutes=2), expiration_time=NOW + timedelta(minutes=5))

    assert _refusal(text, signature).reason == "not_yet_valid"


def test_naive_now_is_a_programming_error(wallet: LocalAccount) -> None:
    text, signature = _signed(wallet)

    with pytest.raises(ValueError, match="timezone-aware"):
        _verify(text, signature, now=NOW.replace(tzinfo=None))


# --- what is not a SIWE message -----------------------------------------------------------------------------------

_TEXT_EDITS = [
    pytest.param(f"Nonce: {NONCE}\n", "", id="missing-nonce-line"),
    pytest.param(f"Nonce: {NONCE}", "Nonce: abc1234", id="nonce-of-7-characters"),
    pytest.param(f"Nonce: {NONCE}", "Nonce: abcd-1234", id="nonce-with-punctuation"),
    pytest.param(f"Nonce: {NONCE}", "Nonce: abcdéfgh1", id="nonce-with-non-ascii-letter"),
    pytest.param("Version: 1", "Version: 2", id="version-2"),
    pytest.param("Version: 1\n", "", id="missing-version-line"),
    pytest.param("Chain ID: 1", "Chain ID: 0x1", id="hex-chain-id"),
    pytest.param("Chain ID: 1", "Chain ID: ", id="empty-chain-id"),
    pytest.param("URI: https://osool.example/login", "URI: osool.example/login", id="uri-without-scheme"),
    pytest.param("URI: https://osool.example/login", "URI: https://osool.example/<login>", id="uri-with-angle"),
    pytest.param("URI: https://osool.example/login\nVersion: 1", "Version: 1\nURI: x:y", id="fields-out-of-order"),
    pytest.param("osool.example wants", "https://osool.example wants", id="scheme-before-domain"),
    pytest.param("osool.example wants", "osool example wants", id="space-in-domain"),
    pytest.param("osool.example wants", " wants", id="empty-domain"),
    pytest.param("wants you to sign in", "Wants you to sign in", id="header-wording"),
    pytest.param("account:\n", "account: \n", id="header-trailing-space"),
    pytest.param(f"\n\n{STATEMENT}\n\n", f"\n\n{STATEMENT}\n", id="no-blank-line-after-statement"),
    pytest.param(f"\n\n{STATEMENT}\n\n", "\n\n\n\n", id="empty-statement"),
    pytest.param(f"\n\n{STATEMENT}\n\n", f"\n{STATEMENT}\n\n", id="no-blank-line-before-statement"),
    pytest.param(STATEMENT, f"{STATEMENT}\nsecond line", id="two-line-statement"),
    pytest.param(STATEMENT, 'Sign in to "Osool"', id="statement-with-double-quote"),
    pytest.param(STATEMENT, "سجّل الدخول إلى أصول", id="non-ascii-statement"),
    pytest.param("Issued At: 2026-03-01T11:59:30Z", "Issued At: 2026-03-01T11:59:30", id="issued-at-without-zone"),
    pytest.param("Issued At: 2026-03-01T11:59:30Z", "Issued At: 2026-02-30T11:59:30Z", id="issued-at-on-feb-30"),
    pytest.param("Issued At: 2026-03-01T11:59:30Z", "Issued At: 2026-03-01T23:59:60Z", id="issued-at-leap-second"),
    pytest.param(
        "Issued At: 2026-03-01T11:59:30Z", "Issued At: 0001-01-01T00:00:00+01:00", id="issued-at-before-year-1"
    ),
    pytest.param("Issued At: 2026-03-01T11:59:30Z", "Issued At: 1772366370", id="issued-at-as-epoch"),
    pytest.param("Expiration Time: 2026-03-01T12:05:00Z", "Expiration Time: soon", id="bad-expiration-time"),
    pytest.param("Expiration Time:", "Expires:", id="unknown-field"),
    pytest.param("0x", "0X", id="address-with-capital-x"),
    pytest.param("0x", "0x0", id="address-of-41-digits"),
]


@pytest.mark.parametrize(("old", "new"), _TEXT_EDITS)
def test_text_outside_the_eip_4361_grammar_is_refused_as_malformed(wallet: LocalAccount, old: str, new: str) -> None:
    valid = _message(wallet.address)
    assert old in valid
    text = valid.replace(old, new, 1)

    with pytest.raises(SiweError) as caught:
        parse_siwe_message(text)
    assert caught.value.reason == "malformed"
    assert _refusal(text, _sign(text, wallet)).reason == "malformed"


@pytest.mark.parametrize(
    "reshape",
    [
        pytest.param(lambda text: text.replace("\n", "\r\n"), id="crlf-line-endings"),
        pytest.param(lambda text: text + "\n", id="trailing-newline"),
        pytest.param(lambda text: "\n" + text, id="leading-newline"),
        pytest.param(lambda text: text + f"\nNonce: {NONCE}", id="field-after-its-place"),
        pytest.param(lambda text: text + "\nResources:\n-https://osool.example", id="resource-without-dash-space"),
        pytest.param(lambda text: text + "\nResources:\n- not a uri", id="resource-not-a-uri"),
        pytest.param(lambda text: "", id="empty"),
    ],
)
def test_line_structure_outside_the_grammar_is_refused_as_malformed(
    wallet: LocalAccount, reshape: Callable[[str], str]
) -> None:
    text = reshape(_message(wallet.address))

    with pytest.raises(SiweError) as caught:
        parse_siwe_message(text)
    assert caught.value.reason == "malformed"


def test_ten_kilobyte_message_is_refused_as_malformed(wallet: LocalAccount) -> None:
    text = _message(wallet.address).replace(STATEMENT, "A" * 10_240)

    error = _refusal(text, _sign(text, wallet))

    assert error.reason == "malformed"
    assert str(MAX_MESSAGE_LENGTH) in str(error)


def test_script_tags_in_the_statement_are_refused_because_the_grammar_excludes_angle_brackets(
    wallet: LocalAccount,
) -> None:
    script = "<script>alert(document.cookie)</script>"
    text = _message(wallet.address).replace(STATEMENT, script)

    assert _refusal(text, _sign(text, wallet)).reason == "malformed"
    with pytest.raises(SiweError) as caught:
        _message(wallet.address, statement=script)
    assert caught.value.reason == "malformed"


@pytest.mark.parametrize(
    "overrides",
    [
        pytest.param({"statement": f"{STATEMENT}\n\nURI: https://evil.example"}, id="statement-smuggling-a-uri"),
        pytest.param({"nonce": f"{NONCE}\nNot Before: 2030-01-01T00:00:00Z"}, id="nonce-smuggling-a-field"),
        pytest.param({"resources": ["https://osool.example\n- https://evil.example"]}, id="resource-smuggling-another"),
        pytest.param({"request_id": "a b"}, id="request-id-with-space"),
        pytest.param({"statement": ""}, id="empty-statement"),
        pytest.param({"chain_id": -1}, id="negative-chain-id"),
        pytest.param({"issued_at": datetime(2026, 3, 1, 12, 0)}, id="naive-issued-at"),
        pytest.param({"expiration_time": datetime(2026, 3, 1, 12, 0)}, id="naive-expiration-time"),
    ],
)
def test_fields_that_would_change_the_message_structure_cannot_be_built(
    wallet: LocalAccount, overrides: dict[str, Any]
) -> None:
    with pytest.raises(SiweError) as caught:
        _message(wallet.address, **overrides)

    assert caught.value.reason == "malformed"
