"""Pages that belong to no single feature: front page, health check, errors."""
