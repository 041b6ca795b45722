"""An order's life: the cart, checkout, the stock it holds, the lifecycle of orders and parcels, fulfilment and refunds.

It knows nothing of how money moves (payments sit above it) or of the sales ledger (which
listens to its events, wired in shop/services/effects.py)."""
