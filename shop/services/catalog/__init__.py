"""The catalogue: the centres and their products, options and photos, browsing and search, and the back office that edits them."""
