"""Accounts: registration, verification, login, password reset, profile, staff invitations."""
