"""The tables, one module per aggregate. Import them all here so Alembic sees them."""
from shop.models.catalog import (  # noqa: F401
    REGIONS,
    CatalogVersion,
    Category,
    Centre,
    Product,
    ProductImage,
    Variant,
)
