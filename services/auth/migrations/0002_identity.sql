-- Users and every way they prove who they are: password, phone OTP, Google, Ethereum wallet.
CREATE TABLE users (
    id uuid PRIMARY KEY,
    email text,
    email_verified_at timestamptz,
    phone text,
    phone_verified_at timestamptz,
    google_subject text,
    wallet_address text,
    password_hash text,
    display_name text,
    role text NOT NULL DEFAULT 'user' CHECK (role IN ('user', 'agent', 'admin')),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX users_email_key ON users (lower(email)) WHERE email IS NOT NULL;
CREATE UNIQUE INDEX users_phone_key ON users (phone) WHERE phone IS NOT NULL;
CREATE UNIQUE INDEX users_google_subject_key ON users (google_subject) WHERE google_subject IS NOT NULL;
CREATE UNIQUE INDEX users_wallet_address_key ON users (lower(wallet_address)) WHERE wallet_address IS NOT NULL;
CREATE INDEX users_created_at_idx ON users (created_at DESC, id DESC);

-- Single-use tokens sent by email (verification link, password reset); only their hash is stored.
CREATE TABLE email_tokens (
    token_hash bytea PRIMARY KEY,
    user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    purpose text NOT NULL CHECK (purpose IN ('verify_email', 'reset_password')),
    expires_at timestamptz NOT NULL,
    used_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX email_tokens_user_idx ON email_tokens (user_id, purpose);

-- One live OTP per phone and purpose: a resend replaces it. The code is stored hashed.
CREATE TABLE otps (
    phone text NOT NULL,
    purpose text NOT NULL CHECK (purpose IN ('sign_in', 'verify_phone')),
    code_hash bytea NOT NULL,
    user_id uuid REFERENCES users (id) ON DELETE CASCADE,
    attempts integer NOT NULL DEFAULT 0,
    expires_at timestamptz NOT NULL,
    used_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (phone, purpose)
);

-- Refresh tokens rotate on every use; a family is every token descended from one sign-in.
CREATE TABLE refresh_tokens (
    token_hash bytea PRIMARY KEY,
    family_id uuid NOT NULL,
    user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    expires_at timestamptz NOT NULL,
    used_at timestamptz,
    revoked_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX refresh_tokens_family_idx ON refresh_tokens (family_id);
CREATE INDEX refresh_tokens_user_idx ON refresh_tokens (user_id);

-- Messages that would go out by SMS or email when no provider is configured (outside production).
CREATE TABLE outbox (
    id bigserial PRIMARY KEY,
    channel text NOT NULL CHECK (channel IN ('sms', 'email')),
    recipient text NOT NULL,
    subject text,
    body text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
