"""bench/auth: access-token verification in another service, and sign-ins through the gateway."""
