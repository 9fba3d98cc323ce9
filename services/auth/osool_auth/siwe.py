"""Sign-In with Ethereum (EIP-4361): the message text, its strict parsing, and the checks before it signs anyone in."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from typing import Literal

SiweReason = Literal[
    "malformed",
    "bad_address",
    "bad_signature",
    "wrong_domain",
    "wrong_uri",
    "wrong_chain",
    "expired",
    "not_yet_valid",
]

# Real messages are a few hundred characters; the cap keeps an attacker's megabyte away from the regexes and keccak.
MAX_MESSAGE_LENGTH = 4096
# Wallet and server clocks disagree by seconds; a message stamped further ahead than this was not made just now.
ISSUED_AT_FUTURE_TOLERANCE = timedelta(minutes=1)

_HEADER_SUFFIX = " wants you to sign in with your Ethereum account:"

# Character classes of RFC 3986, spelled out in ASCII because Python's \w and \d also match non-ASCII letters and
# digits, which the grammar does not allow anywhere in the message.
_UNRESERVED = r"A-Za-z0-9\-._~"
_SUB_DELIMS = r"!$&'()*+,;="
_GEN_DELIMS = r":/?#\[\]@"
_PCT_ENCODED = r"%[0-9A-Fa-f]{2}"

_AUTHORITY = re.compile(
    rf"(?:(?:[{_UNRESERVED}{_SUB_DELIMS}:]|{_PCT_ENCODED})*@)?"
    rf"(?:\[[0-9A-Fa-f:.]+\]|(?:[{_UNRESERVED}{_SUB_DELIMS}]|{_PCT_ENCODED})+)"
    r"(?::[0-9]*)?"
)
# The scheme and the URI alphabet are checked, not the full component structure: the URI is compared against the
# expected one afterwards, so this only has to keep anything that is not a URI out.
_URI = re.compile(rf"[A-Za-z][A-Za-z0-9+.\-]*:(?:[{_UNRESERVED}{_GEN_DELIMS}{_SUB_DELIMS}]|{_PCT_ENCODED})*")
# ABNF literals are case-insensitive, so the grammar would admit "0X"; EIP-55 addresses are written "0x" and no
# wallet produces anything else.
_ADDRESS = re.compile(r"0x[0-9A-Fa-f]{40}")
# The grammar's statement alphabet: RFC 3986 reserved and unreserved characters and the space. That excludes
# `"`, `%`, `<`, `>`, `\`, `^`, backticks, braces, `|` and all non-ASCII text.
_STATEMENT = re.compile(rf"[{_UNRESERVED}{_GEN_DELIMS}{_SUB_DELIMS} ]+")
_CHAIN_ID = re.compile(r"[0-9]+")
_NONCE = re.compile(r"[A-Za-z0-9]{8,}")
_REQUEST_ID = re.compile(rf"(?:[{_UNRESERVED}{_SUB_DELIMS}:@]|{_PCT_ENCODED})*")
_DATE_TIME = re.compile(
    r"(?P<year>[0-9]{4})-(?P<month>[0-9]{2})-(?P<day>[0-9]{2})[Tt]"
    r"(?P<hour>[0-9]{2}):(?P<minute>[0-9]{2}):(?P<second>[0-9]{2})(?:\.(?P<fraction>[0-9]+))?"
    r"(?P<offset>[Zz]|[+-][0-9]{2}:[0-9]{2})"
)
_SIGNATURE = re.compile(r"(?:0x)?(?P<hex>[0-9A-Fa-f]{130})")


class SiweError(Exception):
    """A SIWE message that must not sign anyone in; `reason` is a short code for the caller and the logs."""

    def __init__(self, reason: SiweReason, message: str) -> None:
        super().__init__(message)
        self.reason: SiweReason = reason


@dataclass(frozen=True)
class SiweMessage:
    domain: str
    address: str
    statement: str | None
    uri: str
    version: str
    chain_id: int
    nonce: str
    issued_at: datetime
    expiration_time: datetime | None
    not_before: datetime | None
    request_id: str | None
    resources: tuple[str, ...]


def _malformed(message: str) -> SiweError:
    return SiweError("malformed", message)


def _parse_date_time(value: str, field: str) -> datetime:
    match = _DATE_TIME.fullmatch(value)
    if match is None:
        raise _malformed(f"{field} is not an RFC 3339 date-time")
    offset = match["offset"]
    if offset in ("Z", "z"):
        zone = UTC
    else:
        hours, minutes = int(offset[1:3]), int(offset[4:6])
        if hours > 23 or minutes > 59:
            raise _malformed(f"{field} has an invalid UTC offset")
        sign = -1 if offset[0] == "-" else 1
        zone = timezone(sign * timedelta(hours=hours, minutes=minutes))
    # Python keeps microseconds; finer digits are dropped rather than refused, since RFC 3339 allows any precision.
    microsecond = int((match["fraction"] or "0")[:6].ljust(6, "0"))
    try:
        moment = datetime(
            int(match["year"]),
            int(match["month"]),
            int(match["day"]),
            int(match["hour"]),
            int(match["minute"]),
            int(match["second"]),
            microsecond,
            tzinfo=zone,
        )
        return moment.astimezone(UTC)
    except (ValueError, OverflowError):
        # Includes leap seconds (":60"), which datetime cannot hold.
        raise _malformed(f"{field} is not a valid date and time") from None


def _format_date_time(value: datetime, field: str) -> str:
    if value.tzinfo is None or value.utcoffset() is None:
        raise _malformed(f"{field} must be a timezone-aware datetime")
    moment = value.astimezone(UTC)
    text = (
        f"{moment.year:04d}-{moment.month:02d}-{moment.day:02d}"
        f"T{moment.hour:02d}:{moment.minute:02d}:{moment.second:02d}"
    )
    if moment.microsecond:
        text += f".{moment.microsecond:06d}"
    return text + "Z"


class _Lines:
    """The message's lines, consumed in the fixed order the grammar gives them."""

    def __init__(self, text: str) -> None:
        self._lines = text.split("\n")
        self._position = 0

    def at_end(self) -> bool:
        return self._position >= len(self._lines)

    def peek(self) -> str | None:
        return None if self.at_end() else self._lines[self._position]

    def take(self, what: str) -> str:
        line = self.peek()
        if line is None:
            raise _malformed(f"the message ends before {what}")
        self._position += 1
        return line

    def take_field(self, tag: str) -> str:
        line = self.take(f"the {tag!r} line")
        if not line.startswith(tag):
            raise _malformed(f"expected the {tag!r} line")
        return line[len(tag) :]

    def take_optional_field(self, tag: str) -> str | None:
        line = self.peek()
        if line is None or not line.startswith(tag):
            return None
        return self.take_field(tag)


def parse_siwe_message(text: str) -> SiweMessage:
    """Parse an EIP-4361 message, refusing anything outside its grammar with SiweError("malformed").

    Lines end in LF alone and the last field has no line ending after it, as the grammar says. Two readings are
    narrower than the ABNF: the optional `scheme://` before the domain is refused (SiweMessage has no field for it
    and our clients never send it), and a zero-length statement is refused because its text would be identical to
    a message whose statement is absent.
    """
    if len(text) > MAX_MESSAGE_LENGTH:
        raise _malformed(f"the message is longer than {MAX_MESSAGE_LENGTH} characters")
    lines = _Lines(text)

    header = lines.take("the header")
    if not header.endswith(_HEADER_SUFFIX):
        raise _malformed("the first line is not the Sign-In with Ethereum header")
    domain = header[: -len(_HEADER_SUFFIX)]
    if "://" in domain:
        raise _malformed("a scheme before the domain is not accepted")
    if not _AUTHORITY.fullmatch(domain):
        raise _malformed("the domain is not an RFC 3986 authority")

    address = lines.take("the address")
    if not _ADDRESS.fullmatch(address):
        raise _malformed("the second line is not a 0x-prefixed 20-byte hex address")
    if lines.take("the blank line after the address") != "":
        raise _malformed("the address must be followed by a blank line")

    statement_line = lines.take("the statement or the blank line before the URI")
    statement = statement_line or None
    if statement is not None:
        if not _STATEMENT.fullmatch(statement):
            raise _malformed("the statement holds characters outside the EIP-4361 statement alphabet")
        if lines.take("the blank line after the statement") != "":
            raise _malformed("the statement must be one line followed by a blank line")

    uri = lines.take_field("URI: ")
    if not _URI.fullmatch(uri):
        raise _malformed("the URI is not an RFC 3986 URI")
    version = lines.take_field("Version: ")
    if version != "1":
        raise _malformed("only version 1 of EIP-4361 exists")
    chain_id = lines.take_field("Chain ID: ")
    if not _CHAIN_ID.fullmatch(chain_id):
        raise _malformed("the chain ID is not a decimal number")
    nonce = lines.take_field("Nonce: ")
    if not _NONCE.fullmatch(nonce):
        raise _malformed("the nonce must be at least 8 letters and digits")
    issued_at = _parse_date_time(lines.take_field("Issued At: "), "Issued At")

    expiration_text = lines.take_optional_field("Expiration Time: ")
    expiration_time = None if expiration_text is None else _parse_date_time(expiration_text, "Expiration Time")
    not_before_text = lines.take_optional_field("Not Before: ")
    not_before = None if not_before_text is None else _parse_date_time(not_before_text, "Not Before")
    request_id = lines.take_optional_field("Request ID: ")
    if request_id is not None and not _REQUEST_ID.fullmatch(request_id):
        raise _malformed("the request ID holds characters outside RFC 3986 pchar")

    resources: list[str] = []
    if not lines.at_end():
        if lines.take("the resources") != "Resources:":
            raise _malformed("unexpected line after the fields (they have a fixed order)")
        while not lines.at_end():
            line = lines.take("a resource")
            if not line.startswith("- ") or not _URI.fullmatch(line[2:]):
                raise _malformed("each resource must be a '- ' followed by a URI, one per line")
            resources.append(line[2:])

    return SiweMessage(
        domain=domain,
        address=address,
        statement=statement,
        uri=uri,
        version=version,
        chain_id=int(chain_id),
        nonce=nonce,
        issued_at=issued_at,
        expiration_time=expiration_time,
        not_before=not_before,
        request_id=request_id,
        resources=tuple(resources),
    )


def build_siwe_message(
    *,
    domain: str,
    address: str,
    uri: str,
    chain_id: int,
    nonce: str,
    issued_at: datetime,
    statement: str | None = None,
    expiration_time: datetime | None = None,
    not_before: datetime | None = None,
    request_id: str | None = None,
    resources: Sequence[str] = (),
) -> str:
    """The exact EIP-4361 text for these fields, with datetimes written in UTC.

    Raises SiweError("malformed") when the fields cannot make a valid message, e.g. a statement with a line break
    that would smuggle in a field of its own, or a naive datetime.
    """
    lines = [f"{domain}{_HEADER_SUFFIX}", address, ""]
    if statement is not None:
        lines.append(statement)
    lines += [
        "",
        f"URI: {uri}",
        "Version: 1",
        f"Chain ID: {chain_id}",
        f"Nonce: {nonce}",
        f"Issued At: {_format_date_time(issued_at, 'issued_at')}",
    ]
    if expiration_time is not None:
        lines.append(f"Expiration Time: {_format_date_time(expiration_time, 'expiration_time')}")
    if not_before is not None:
        lines.append(f"Not Before: {_format_date_time(not_before, 'not_before')}")
    if request_id is not None:
        lines.append(f"Request ID: {request_id}")
    if resources:
        lines.append("Resources:")
        lines += [f"- {resource}" for resource in resources]
    text = "\n".join(lines)

    # Reading the text back is the one check that covers every field: if it parses to exactly these values, no
    # value can have changed the structure around it.
    expected = SiweMessage(
        domain=domain,
        address=address,
        statement=statement,
        uri=uri,
        version="1",
        chain_id=chain_id,
        nonce=nonce,
        issued_at=issued_at.astimezone(UTC),
        expiration_time=None if expiration_time is None else expiration_time.astimezone(UTC),
        not_before=None if not_before is None else not_before.astimezone(UTC),
        request_id=request_id,
        resources=tuple(resources),
    )
    if parse_siwe_message(text) != expected:
        raise _malformed("a field holds text that changes the structure of the message")
    return text


def warm_up() -> None:
    """Import what verifying a signature needs, so the first wallet sign-in does not wait for it."""
    import eth_account.messages  # noqa: F401
    import eth_utils  # noqa: F401


def _recover_signer(text: str, signature: str) -> str:
    match = _SIGNATURE.fullmatch(signature)
    if match is None:
        raise SiweError("bad_signature", "the signature is not 65 bytes of hex")
    # Imported on first use: eth-account pulls in py_ecc's BLS curves, most of a second of every auth worker's start
    # for a sign-in method few use (warm_up() loads it in the background once the service is up).
    from eth_account import Account
    from eth_account.messages import encode_defunct

    try:
        return str(Account.recover_message(encode_defunct(text=text), signature=bytes.fromhex(match["hex"])))
    except Exception:
        # eth-account raises several unrelated types for bad r/s/v values; to the caller they all mean one thing.
        raise SiweError("bad_signature", "the signature does not recover an address") from None


def verify_siwe_message(
    text: str,
    signature: str,
    *,
    expected_domain: str,
    expected_uri: str,
    expected_chain_id: int,
    now: datetime,
    max_age: timedelta = timedelta(minutes=10),
) -> SiweMessage:
    """Check that `text` is a SIWE message for this service, signed by the address it names, and valid at `now`.

    The checks run in a fixed order and the first failure raises SiweError with its reason: malformed, bad_address
    (not EIP-55 checksummed), bad_signature, wrong_domain, wrong_uri (neither `expected_uri` nor a path below it),
    wrong_chain, expired / not_yet_valid (Expiration Time, Not Before, then Issued At against `max_age` and a one
    minute allowance for clock skew).

    Only signatures by externally owned accounts (EIP-191 personal_sign) are accepted; contract wallets (EIP-1271)
    would need a chain call and are not supported here.

    The nonce is NOT checked for single use: the caller must consume it atomically (in Redis) after this returns,
    otherwise a captured message and signature can be replayed until they expire.
    """
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be a timezone-aware datetime")
    from eth_utils import is_checksum_address

    message = parse_siwe_message(text)
    if not is_checksum_address(message.address):
        raise SiweError("bad_address", "the address is not EIP-55 checksummed")
    if _recover_signer(text, signature) != message.address:
        raise SiweError("bad_signature", "the signature was not made by the message's address")
    if message.domain != expected_domain:
        raise SiweError("wrong_domain", "the message was made for another domain")
    base = expected_uri.rstrip("/")
    if message.uri != expected_uri and not message.uri.startswith(base + "/"):
        raise SiweError("wrong_uri", "the message was made for another URI")
    if message.chain_id != expected_chain_id:
        raise SiweError("wrong_chain", "the message was made for another chain")
    if message.expiration_time is not None and message.expiration_time <= now:
        raise SiweError("expired", "the message's expiration time has passed")
    if message.not_before is not None and message.not_before > now:
        raise SiweError("not_yet_valid", "the message is not valid before a later time")
    if now - message.issued_at > max_age:
        raise SiweError("expired", "the message was issued too long ago")
    if message.issued_at - now > ISSUED_AT_FUTURE_TOLERANCE:
        raise SiweError("not_yet_valid", "the message is issued in the future")
    return message
