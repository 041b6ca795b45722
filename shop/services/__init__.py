"""Business rules, testable without HTTP. Views call these; these never see a request."""
