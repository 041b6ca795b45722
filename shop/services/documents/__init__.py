"""Receipts and credit notes for customers.

A paid order gets a receipt (ใบเสร็จรับเงิน; with VAT on, an abbreviated or full tax invoice)
and each refund a credit note (ใบลดหนี้) naming the receipt and the lines. Numbers run without
gaps per document type and Buddhist Era year (RC2569-000123), taken from a counter row in the
same transaction as the payment or refund (numbering.py). What a document says is frozen on
its row when issued; its PDF is made after the commit or on first download, stored once per
language, and served as the same bytes ever after (files.py). Wired in shop/services/effects.py.
"""
