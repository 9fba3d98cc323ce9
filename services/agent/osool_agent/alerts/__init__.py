"""Saved searches and alerts: a signed-in buyer's searches kept, new listings and price drops matched from the search
service's change log, and digests sent by email or SMS at most once a day, with signed unsubscribe links."""
