"""HTTP routes of the auth service: parse, call the service layer, shape the response."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response

from osool_auth.delivery import EmailAttachment
from osool_auth.schemas import (
    Accepted,
    GoogleMethod,
    GoogleNonceResponse,
    GoogleSignInRequest,
    LoginRequest,
    NonceResponse,
    NotifyRequest,
    NotifyResult,
    OtpSendRequest,
    OtpSent,
    OtpVerifyRequest,
    OutboxMessage,
    PasswordResetConfirm,
    PasswordResetRequest,
    ProfileUpdate,
    RefreshRequest,
    Role,
    RoleUpdate,
    SignInMethods,
    SignupRequest,
    SiweRequest,
    TokenPair,
    TokenRequest,
    User,
    UserPage,
    UserSummary,
)
from osool_auth.service import AuthService
from osool_common.auth import Principal, current_principal, optional_principal, require_role
from osool_common.validation import PlainText

router = APIRouter(prefix="/api/auth", tags=["auth"])
jwks_router = APIRouter(tags=["auth"])
# Development only (never mounted in production), internal (the gateway's public listener answers 404 there).
dev_router = APIRouter(prefix="/api/auth/internal/dev", tags=["auth (development)"])
# Service-to-service, in production too: the service key (the gateway's public listener answers 404 there).
internal_router = APIRouter(prefix="/api/auth/internal", tags=["auth (internal)"])
# What credential checks answer (documented for clients and the contract fuzzing; the kit adds 400/422/429).
REFUSED: dict[int | str, dict[str, Any]] = {401: {"description": "the credentials, code, link or token are not valid"}}
GOOGLE: dict[int | str, dict[str, Any]] = {
    **REFUSED,
    404: {"description": "Google sign-in is not enabled on this deployment (no GOOGLE_CLIENT_ID)"},
    503: {"description": "Google's keys could not be fetched; try again shortly"},
}
OUTBOX_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: {"description": "no service key, or no valid access token"},
    403: {"description": "not an administrator"},
}
INTERNAL_USER_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: {"description": "no service key: only Osool services may call it"},
    404: {"description": "no user with this id"},
}
NOTIFY_RESPONSES: dict[int | str, dict[str, Any]] = {
    **INTERNAL_USER_RESPONSES,
    409: {"description": "a notification with this dedupe_key is being sent right now; retry shortly"},
    503: {"description": "no channel could be delivered (the providers failed); retry, with the same dedupe_key"},
}

Me = Annotated[Principal, Depends(current_principal)]
Admin = Annotated[Principal, Depends(require_role("admin"))]


async def service(request: Request) -> AuthService:
    auth: AuthService = request.app.state.auth
    return auth


Auth = Annotated[AuthService, Depends(service)]


def client_ip(request: Request) -> str:
    # Services are reachable only through the gateway, which sets X-Real-IP to the caller's address.
    return request.headers.get("x-real-ip") or (request.client.host if request.client else "unknown")


@jwks_router.get("/.well-known/jwks.json")
async def jwks(request: Request, response: Response) -> dict[str, Any]:
    """The public keys that verify access tokens (every key that may have signed a live token)."""
    response.headers["Cache-Control"] = "public, max-age=300"
    document: dict[str, Any] = request.app.state.issuer.jwks()
    return document


@router.post("/signup", status_code=202, response_model=Accepted)
async def sign_up(body: SignupRequest, auth: Auth) -> Accepted:
    """Create an account with email and password; a verification link is emailed. The answer never tells
    whether the address was already registered."""
    await auth.sign_up(body.email, body.password, body.display_name)
    return Accepted(message="check your inbox: we sent a link to verify your email")


@router.post("/verify-email", response_model=TokenPair, responses=REFUSED)
async def verify_email(body: TokenRequest, auth: Auth) -> TokenPair:
    return await auth.verify_email(body.token)


@router.post("/login", response_model=TokenPair, responses=REFUSED)
async def login(body: LoginRequest, request: Request, auth: Auth) -> TokenPair:
    """Failures slow the address they come from; many from everywhere admit only addresses that signed in before."""
    return await auth.login(body.email, body.password, client_ip(request))


@router.post("/password/reset", status_code=202, response_model=Accepted)
async def request_password_reset(body: PasswordResetRequest, auth: Auth) -> Accepted:
    await auth.request_password_reset(body.email)
    return Accepted(message="if an account uses this email, a reset link is on its way")


@router.post("/password/reset/confirm", response_model=Accepted, responses=REFUSED)
async def confirm_password_reset(body: PasswordResetConfirm, request: Request, auth: Auth) -> Accepted:
    await auth.confirm_password_reset(body.token, body.new_password, client_ip(request))
    return Accepted(message="password changed; every other session was signed out")


@router.post("/otp/send", response_model=OtpSent)
async def send_otp(
    body: OtpSendRequest,
    request: Request,
    auth: Auth,
    principal: Annotated[Principal | None, Depends(optional_principal)],
) -> OtpSent:
    """Send a 6-digit code by SMS: `sign_in` (signs in or up by phone) or `verify_phone` (signed in)."""
    expires_in = await auth.send_otp(body.phone, body.purpose, principal, client_ip(request))
    return OtpSent(expires_in=expires_in)


@router.post("/otp/verify", response_model=TokenPair, responses=REFUSED)
async def verify_otp_sign_in(body: OtpVerifyRequest, request: Request, auth: Auth) -> TokenPair:
    result = await auth.verify_otp(body.phone, body.code, "sign_in", None, client_ip(request))
    assert result is not None
    return result


@router.post("/phone/verify", response_model=User, responses=REFUSED)
async def verify_phone(body: OtpVerifyRequest, request: Request, principal: Me, auth: Auth) -> User:
    await auth.verify_otp(body.phone, body.code, "verify_phone", principal, client_ip(request))
    return await auth.me(principal)


@router.get("/methods", response_model=SignInMethods)
async def sign_in_methods(request: Request, response: Response) -> SignInMethods:
    """The optional sign-in methods of this deployment, for the client to show only those that work. Public values
    only: a Google client id is in every authorization URL anyway."""
    settings = request.app.state.settings
    response.headers["Cache-Control"] = "public, max-age=300"
    google = (
        GoogleMethod(client_id=settings.google_client_id, authorization_url=settings.google_authorization_url)
        if settings.google_client_id
        else None
    )
    return SignInMethods(google=google)


@router.post("/google", response_model=TokenPair, responses=GOOGLE)
async def sign_in_with_google(body: GoogleSignInRequest, auth: Auth) -> TokenPair:
    return await auth.sign_in_with_google(body.id_token)


@router.get("/google/nonce", response_model=GoogleNonceResponse, responses={404: GOOGLE[404]})
async def google_nonce(request: Request, response: Response, auth: Auth) -> GoogleNonceResponse:
    """A nonce for Google's authorization request (`nonce=`): the ID token that comes back names it, and
    POST /api/auth/google accepts that token once, within `expires_in` seconds."""
    response.headers["Cache-Control"] = "no-store"
    return GoogleNonceResponse(
        nonce=await auth.new_google_nonce(), expires_in=request.app.state.settings.google_nonce_ttl_seconds
    )


@router.get("/siwe/nonce", response_model=NonceResponse)
async def siwe_nonce(request: Request, auth: Auth) -> NonceResponse:
    settings = request.app.state.settings
    return NonceResponse(
        nonce=await auth.new_siwe_nonce(),
        domain=settings.siwe_domain,
        uri=settings.siwe_uri,
        chain_id=settings.siwe_chain_id,
        expires_in=settings.siwe_nonce_ttl_seconds,
    )


@router.post("/siwe/verify", response_model=TokenPair, responses=REFUSED)
async def siwe_verify(body: SiweRequest, auth: Auth) -> TokenPair:
    return await auth.sign_in_with_wallet(body.message, body.signature)


@router.post("/wallet/link", response_model=User, responses=REFUSED)
async def link_wallet(body: SiweRequest, principal: Me, auth: Auth) -> User:
    return await auth.link_wallet(principal, body.message, body.signature)


@router.post("/token/refresh", response_model=TokenPair, responses=REFUSED)
async def refresh(body: RefreshRequest, auth: Auth) -> TokenPair:
    """Trade a refresh token for a new pair. Each refresh token works once; a reused one ends its whole family."""
    return await auth.refresh(body.refresh_token)


@router.post("/logout", status_code=204)
async def logout(body: RefreshRequest, auth: Auth) -> Response:
    """Ends the refresh token's session: its refresh tokens, and its access tokens in every service within ~1 s."""
    await auth.logout(body.refresh_token)
    return Response(status_code=204)


@router.get("/me", response_model=User)
async def me(principal: Me, auth: Auth) -> User:
    return await auth.me(principal)


@router.patch("/me", response_model=User)
async def update_me(body: ProfileUpdate, principal: Me, auth: Auth) -> User:
    return await auth.update_me(principal, body.display_name)


@router.get("/admin/users", response_model=UserPage)
async def list_users(
    _: Admin,
    auth: Auth,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: Annotated[str | None, Query(max_length=100)] = None,
) -> UserPage:
    users, next_cursor = await auth.list_users(limit, cursor)
    return UserPage(users=users, next_cursor=next_cursor)


@router.put("/admin/users/{user_id}/role", response_model=User)
async def set_role(user_id: uuid.UUID, body: RoleUpdate, _: Admin, auth: Auth) -> User:
    return await auth.set_role(user_id, body.role)


@dev_router.get("/outbox", response_model=list[OutboxMessage], responses=OUTBOX_RESPONSES)
async def dev_outbox(
    _: Admin,
    auth: Auth,
    recipient: Annotated[PlainText | None, Query(max_length=254)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> list[OutboxMessage]:
    """Outside production only: the SMS and email that would have been sent (no provider configured). It holds
    every user's codes and links, so it is an internal route (the service key) for an administrator's token, and
    production does not mount it at all (main.py). Developers read it with `make outbox`."""
    rows = await auth.repository.list_outbox(recipient=recipient, limit=limit)
    return [OutboxMessage(**dict(row)) for row in rows]


@internal_router.post("/notify", response_model=NotifyResult, responses=NOTIFY_RESPONSES)
async def notify(body: NotifyRequest, auth: Auth) -> NotifyResult:
    """Send a user a message by email and/or SMS, to the verified address and phone only (any other channel is
    `skipped` with its reason). With a `dedupe_key`, once per user and key: a repeat sends nothing and answers the
    first result with `duplicate: true`. `attachments` (a calendar invitation) go with the email only."""
    attachments = [EmailAttachment(a.filename, a.content_type, a.content()) for a in body.attachments]
    return await auth.notify(body.user_id, body.subject, body.text, body.channels, body.dedupe_key, attachments)


@internal_router.get("/users", response_model=list[UserSummary])
async def internal_users(auth: Auth, role: Role, limit: Annotated[int, Query(ge=1, le=100)] = 100) -> list[UserSummary]:
    """Every user of a role, oldest first: the monitoring service notifies the administrators of an alert."""
    return await auth.users_with_role(role, limit)


@internal_router.get("/users/{user_id}", response_model=UserSummary, responses=INTERNAL_USER_RESPONSES)
async def internal_user(user_id: uuid.UUID, auth: Auth) -> UserSummary:
    """A user as another service may show them: role, name, and the email and phone only when verified."""
    return await auth.user_summary(user_id)
