"""Innovation projects published by organisations."""
