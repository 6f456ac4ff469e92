"""Contact requests between organisations: send, answer, and share contact details."""
