"""Events: study visits, matchmaking events and conferences, with sign-ups."""
