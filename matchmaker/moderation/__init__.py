"""The moderators' review of organisations and projects, with an audit log."""
