"""Programme figures: the sales ledger and its rollup, offline sales and baselines, and the reports that read them."""
