"""an order's notes for a person become message codes with values, read in the reader's language

Revision ID: 0014_message_flags
Revises: 0013_slips
Create Date: 2026-11-26 03:00:00

`shop_order.attention` held finished text (some English, some Thai, with centre numbers and raw
satang). It now holds a JSON list of {"code": ..., "values": {...}} that the shop renders in the
reader's language (shop/services/ordering/attention.py). Text already there is kept, one legacy
note per line, shown as written. The column stays text, empty when nothing needs attention, so
the "needs attention" queries (attention != '') are unchanged.
"""
import json

from alembic import op
import sqlalchemy as sa


revision = '0014_message_flags'
down_revision = '0013_slips'
branch_labels = None
depends_on = None

orders = sa.table('shop_order', sa.column('id', sa.Integer), sa.column('attention', sa.Text))


def _rows():
    bind = op.get_bind()
    return bind, bind.execute(sa.select(orders.c.id, orders.c.attention).where(orders.c.attention != '')).all()


def upgrade():
    bind, rows = _rows()
    for order_id, text in rows:
        try:
            already = isinstance(json.loads(text), list)
        except ValueError:
            already = False
        if already:
            continue
        notes = [{"code": "legacy", "values": {"text": line}} for line in text.splitlines() if line.strip()]
        bind.execute(orders.update().where(orders.c.id == order_id)
                     .values(attention=json.dumps(notes, ensure_ascii=False, sort_keys=True) if notes else ''))


def downgrade():
    # Back to text: legacy notes as written, coded ones as their code and values (the old code
    # could not render them; an admin can still read what they say).
    bind, rows = _rows()
    for order_id, stored in rows:
        try:
            notes = json.loads(stored)
        except ValueError:
            continue
        if not isinstance(notes, list):
            continue
        lines = [note.get("values", {}).get("text", "") if note.get("code") == "legacy"
                 else f"{note.get('code')}: {json.dumps(note.get('values', {}), ensure_ascii=False, sort_keys=True)}"
                 for note in notes if isinstance(note, dict)]
        bind.execute(orders.update().where(orders.c.id == order_id).values(attention="\n".join(lines)))
