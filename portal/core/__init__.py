"""What every capability shares: the clock, domain errors, time zones, tokens, access rules."""
