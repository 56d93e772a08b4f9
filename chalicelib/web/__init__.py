"""Templates and static files of the phone-first pages."""
