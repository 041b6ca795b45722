"""People and what they may do: customer and staff accounts, centre scope, and the audit log."""
