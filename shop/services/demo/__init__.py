"""Demo data for trying the shop and for benchmarks: invented products, placeholder photos, demo accounts."""
