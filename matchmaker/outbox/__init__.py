"""The transactional outbox: every e-mail is a row saved with the change that causes it,
delivered by the worker with retries (`delivery`), watched by admins (`views`)."""
