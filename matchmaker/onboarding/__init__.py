"""A new member's first steps: an organisation (joined or created), described and tagged,
a private look at who would match, submitted for review. Each step can wait."""
