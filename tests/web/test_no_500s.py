"""No request with bad input yields a 500: random query strings and slugs, in both languages."""
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import examples
from tests.factories import make_product

PARAMS = ["q", "page", "sort", "centre", "province", "region", "category", "in_stock", "lang", "next"]
values = st.text(alphabet=st.characters(codec="utf-8"), max_size=300)


@pytest.fixture
def shop(client, app):
    make_product(slug="scarf")
    return client


@settings(max_examples=examples(60), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(params=st.dictionaries(st.sampled_from(PARAMS), values, max_size=5), path=st.sampled_from(["/products", "/centres/{c}", "/"]))
def test_random_catalogue_queries_never_fail(shop, params, path):
    from shop.extensions import db
    from shop.models import Centre

    centre_slug = db.session.scalars(db.select(Centre.slug)).first()
    response = shop.get(path.format(c=centre_slug), query_string=params)
    assert response.status_code in {200, 400, 404}, (path, params)


@settings(max_examples=examples(40), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(slug=st.text(alphabet=st.characters(codec="utf-8", exclude_characters="/?#"), min_size=1, max_size=200))
def test_random_slugs_are_404_not_500(shop, slug):
    for prefix in ["/products/", "/centres/", "/language/"]:
        response = shop.get(prefix + slug)
        assert response.status_code in {200, 302, 400, 404}, (prefix, slug)
