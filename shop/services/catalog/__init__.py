"""The catalogue: centres' products, their options and photos, browsing and search, and the back office that edits them."""
