"""People and what they may do: customer and staff accounts, API tokens, centre scope, and the audit log."""
