"""The demo's programme impact: baselines that reproduce the published figures (more than
70,000 people trained and 4 million baht sold from 2020, พ.ศ. 2563, to 2024), a maker group
for Surat Thani's leaf-printed cloth, and bookable sessions for the demo workshops.
Idempotent: what is already there is left alone. All of it is invented demo data."""
from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from sqlalchemy import select

from shop.extensions import db
from shop.models import Category, Centre, MakerGroup, Product, SalesEntry, TrainedBaseline, Variant, WorkshopSession
from shop.services.sales import ledger
from shop.services.thai import BANGKOK, format_date, to_bangkok

BASELINE_YEARS = range(2020, 2025)
# People trained per centre and year, and sales in baht: 9 centres x 5 years make 70,200+ people
# and 4,050,000+ baht, the programme's published "more than 70,000" and "more than 4 million".
TRAINED_PER_YEAR = 1_560
SALES_BAHT_PER_YEAR = 90_000
LEAF_CLOTH = ("leaf-printed-cloth", "leaf-print-scarf", "leaf-print-tote")


def seed_demo_impact(now: datetime | None = None) -> int:
    """Load what is missing; return how many rows were made."""
    now = now or datetime.now(UTC)
    made = 0
    centres = list(db.session.scalars(select(Centre).order_by(Centre.id)))
    have_trained = set(db.session.execute(select(TrainedBaseline.centre_id, TrainedBaseline.year)).tuples())
    have_sales = set(db.session.execute(select(SalesEntry.centre_id, SalesEntry.day).where(SalesEntry.kind == "baseline")).tuples())
    for index, centre in enumerate(centres):
        for year in BASELINE_YEARS:
            if (centre.id, year) not in have_trained:
                db.session.add(TrainedBaseline(centre_id=centre.id, year=year, people=TRAINED_PER_YEAR + 10 * index))
                made += 1
            if (centre.id, datetime(year, 12, 31).date()) not in have_sales:
                ledger.record_baseline(centre, year, (SALES_BAHT_PER_YEAR + 1_000 * index) * 100)
                made += 1
    surat = next((c for c in centres if c.slug == "surat-thani"), None)
    if surat is not None and not db.session.scalar(select(MakerGroup.id).where(MakerGroup.slug == "leaf-print-group-surat-thani")):
        group = MakerGroup(
            slug="leaf-print-group-surat-thani", centre_id=surat.id, kind="community_enterprise",
            name_th="กลุ่มผ้าพิมพ์ใบไม้ Relearn สุราษฎร์ธานี (ตัวอย่าง)", name_en="Relearn leaf-print group, Surat Thani (demo)",
            story_th="ผู้เรียนของศูนย์รวมกลุ่มกันพิมพ์ผ้าด้วยใบไม้ในท้องถิ่น และนำไปจัดแสดงพร้อมเวิร์กช็อปสดในงานเที่ยวเมืองไทย (ข้อมูลตัวอย่าง)",
            story_en="The centre's learners print cloth with local leaves together, and showed it with a live workshop "
                     "at the Thailand Tourism Festival. (Demo data.)")
        db.session.add(group)
        db.session.flush()
        for product in db.session.scalars(select(Product).where(Product.slug.in_(LEAF_CLOTH))):
            product.maker_group_id = group.id
        made += 1
    made += _demo_sessions(now)
    db.session.commit()
    return made


def _demo_sessions(now: datetime) -> int:
    """Each demo workshop that has no session yet becomes a workshop with two sessions ahead."""
    made = 0
    workshops = db.session.scalars(select(Product).join(Product.category).where(Category.slug == "workshops").order_by(Product.id))
    for product in workshops:
        if any(v.workshop_session is not None for v in product.variants):
            continue
        price = min((v.price_satang for v in product.variants), default=35000)
        product.kind = "workshop"
        for variant in product.variants:
            variant.active = False  # the old "workshop place" options give way to dated sessions
        for weeks in (1, 2):
            day = (to_bangkok(now) + timedelta(weeks=weeks)).date()
            starts = datetime.combine(day, time(10, 0), tzinfo=BANGKOK).astimezone(UTC)
            variant = Variant(sku=f"{product.slug}-{day:%y%m%d}".upper()[:64], price_satang=price, stock_on_hand=12,
                              position=10 + weeks, low_stock_threshold=0,
                              name_th=f"{format_date(day, 'th')} 10:00–12:00", name_en=f"{format_date(day, 'en')} 10:00–12:00")
            variant.workshop_session = WorkshopSession(
                starts_at=starts, ends_at=starts + timedelta(hours=2),
                place_th=product.centre.library_th or product.centre.name_th,
                place_en=product.centre.library_en or product.centre.name_en)
            product.variants.append(variant)
            made += 1
    return made
