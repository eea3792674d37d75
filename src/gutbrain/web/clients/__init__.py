"""Clients of a practice, and the invitations by which clients and practitioners join."""
