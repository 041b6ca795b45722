"""What the association owes each centre, and what it paid.

Per centre and period (a month by default, SETTLEMENT_PERIOD): goods sold (paid lines, on the
day paid, as the sales ledger has them), less refunds made in the period, less payment fees
(Stripe's per charge, split over the charge's lines; PromptPay 0), less the association's
commission (rate per centre with history), plus the shipping fees collected = amount payable.
Offline sales and baselines are shown for information only.

An admin closes a period: its statements and their lines are written once and never change;
a ledger row recorded after closing lands in the next open period as an adjustment naming its
order. Payouts are recorded against closed statements. Staff see only their own centre's.

    periods.py      period boundaries from the setting
    fees.py         a fee split over a charge's lines, to the satang (largest remainder)
    commissions.py  commission rates with history
    statements.py   live and closed statements, closing, the admin summary, CSV and PDF
    payouts.py      payouts with an optional proof picture
"""
