"""Organisation profiles: members, capabilities and needs, texts in several languages."""
