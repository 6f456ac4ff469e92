"""Accounts: registration, confirmation, login, password reset, settings, roles."""
