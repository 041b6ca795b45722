"""The tables, one module per aggregate. Import them all here so Alembic sees them."""
from shop.models.accounts import ROLES, User  # noqa: F401
from shop.models.audit import AuditEntry  # noqa: F401
from shop.models.catalog import (  # noqa: F401
    REGIONS,
    CatalogVersion,
    Category,
    Centre,
    PageVersion,
    Product,
    ProductImage,
    Variant,
)
from shop.models.documents import DOCUMENT_KINDS, Document, DocumentCounter, DocumentFile  # noqa: F401,E402
from shop.models.inventory import MOVEMENT_REASONS, StockMovement  # noqa: F401
from shop.models.locations import (  # noqa: F401,E402
    BOOTH_PAYMENT_METHODS,
    LOCATION_KINDS,
    BoothSale,
    BoothSaleLine,
    ConsignmentLine,
    ConsignmentReport,
    Location,
    LocationStock,
)
from shop.models.ops import SiteStatus  # noqa: F401,E402
from shop.models.orders import (  # noqa: F401
    ORDER_STATUSES,
    SHIPMENT_STATUSES,
    Cart,
    CartItem,
    Order,
    OrderLine,
    Payment,
    Shipment,
)
from shop.models.payments import PaymentAttempt, PaymentSlip, ProviderEvent, Refund, RefundLine  # noqa: F401,E402
from shop.models.sales import (  # noqa: F401,E402
    CHANNELS,
    OFFLINE_CHANNELS,
    ApiToken,
    OfflineSale,
    SalesDaily,
    SalesEntry,
)
from shop.models.settlements import (  # noqa: F401,E402
    CommissionRate,
    Payout,
    SettlementPeriod,
    Statement,
    StatementLine,
)
from shop.models.workshops import (  # noqa: F401,E402
    MAKER_KINDS,
    PRODUCT_KINDS,
    MakerGroup,
    TrainedBaseline,
    WorkshopAttendance,
    WorkshopSession,
)
