"""Privacy requests (issue 9): the register, verification of the requester, decisions and appeals,
copies and exports, corrections, erasure, and the retention job. Models belong to the guests app
(guests/models.py imports `guests.privacy.models`)."""
