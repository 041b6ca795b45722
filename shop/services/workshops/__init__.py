"""Workshops and the programme's impact: sessions (variants whose stock is seats), who came,
the maker groups behind the products, and the figures the programme publishes."""
