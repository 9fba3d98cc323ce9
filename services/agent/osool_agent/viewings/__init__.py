"""Viewings: agents' availability, free slots for a listing, bookings held by an exclusion constraint, confirmations
with a calendar invitation, cancel and reschedule by a signed link, and the reminder a day before."""
