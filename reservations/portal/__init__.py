"""The guest self-service portal (issue 8): find a booking by reference and family name, sign in by
an e-mailed link to see every booking, print it, download it as .ics, change or cancel it within
the policy (through `reservations.services`, like the desk), and see who accessed one's profile.

Guests are never `request.user`: the portal keeps its own session (its own cookie and session row,
`sessions.py`), and every read records an access event with channel self-service and no user
(`selectors.py`).
"""
