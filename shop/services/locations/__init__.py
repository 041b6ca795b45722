"""Stock away from the home shelf: a centre's locations (department-store counters on consignment,
fair booths, partner shops), moving stock between them, selling at a booth from a phone, a
store's consignment reports and stock counts.

The home shelf stays Variant.stock_on_hand/stock_reserved, sold by the web shop with its guarded
reservation (ordering.inventory), untouched here except through inventory.change_on_hand. Stock at
a location is a LocationStock row, changed only by guarded updates (stock.py), each with a
StockMovement row naming the location, so the ledger sums to the stock of every place.

Rows are locked in one order everywhere, (variant id, home shelf before locations, location id),
and the catalogue-version row (bumped when the home shelf changes) last, as checkout does, so a
transfer, a booth sale, a count and a web order running at once never deadlock. Booth sales,
consignment reports and counts leave the home shelf alone and do not bump the version.
"""
