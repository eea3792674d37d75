"""Accounts: practices and users with one role each (owner, practitioner, client)."""
