"""The public register: only approved versions of organisations and projects live here."""
