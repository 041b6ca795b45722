"""Templates' _() in one call: the same text as jinja2's own "newstyle" gettext, in both languages."""
from __future__ import annotations

from contextlib import contextmanager

import pytest
from flask_babel import refresh
from jinja2 import Environment

from shop.i18n import _translations

TEMPLATES = [
    '{{ _("Relearn Shop") }}',
    '{{ _("Relearn Shop") }}|{{ _("Relearn Shop") }}',  # the second answer is the kept one
    '{{ gettext("Search") }}',
    '{{ _("Account created for %(email)s. Give them this first password: %(password)s",'
    ' email="<b>a&b</b>@example.com", password="x\'y") }}',
    '{{ _("Store\'s commission: %(percent)s%%", percent=30) }}',
    '{{ _("A string no catalogue has, 100%%") }}',
    '{% autoescape false %}{{ _("Account created for %(email)s. Give them this first password: %(password)s",'
    ' email="<b>a&b</b>", password="<p>") }}|{{ _("Relearn Shop") }}{% endautoescape %}',
    '{% trans %}Relearn Shop{% endtrans %}',
    '{% trans email="<i>" %}Account created for {{ email }}. Give them this first password: {{ email }}{% endtrans %}',
]


@contextmanager
def page(app, path: str):
    """A request for `path`, its language chosen afresh (the test's app context outlives it)."""
    with app.test_request_context(path):
        refresh()
        yield


def jinja_newstyle() -> Environment:
    """jinja2's own i18n, newstyle, over the same catalogues: what templates said before."""
    env = Environment(extensions=["jinja2.ext.i18n"], autoescape=True)
    env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=lambda s: _translations().ugettext(s),
        ngettext=lambda s, p, n: _translations().ungettext(s, p, n),
        newstyle=True,
    )
    return env


@pytest.mark.parametrize("prefix", ["", "/en"])
@pytest.mark.parametrize("source", TEMPLATES)
def test_the_same_text_as_jinja2s_newstyle_gettext(app, prefix, source):
    with page(app, prefix + "/products"):
        ours = app.jinja_env.from_string(source).render()
        theirs = jinja_newstyle().from_string(source).render()
    assert ours == theirs
    if prefix == "" and "Relearn Shop" in source:
        assert "ร้าน Relearn" in ours  # translated, not the msgid


def test_the_kept_answers_are_per_language_and_per_autoescape(app):
    source = '{{ _("Relearn Shop") }}'
    seen = {}
    for prefix in ["", "/en", "", "/en"]:
        with page(app, prefix + "/products"):
            seen.setdefault(prefix, set()).add(app.jinja_env.from_string(source).render())
    assert seen == {"": {"ร้าน Relearn"}, "/en": {"Relearn Shop"}}
    with page(app, "/en/products"):
        markup = app.jinja_env.from_string('{{ _("Store\'s commission: %(percent)s%%", percent="<1>") }}').render()
        plain = app.jinja_env.from_string(
            '{% autoescape false %}{{ _("A string no catalogue has, 100%%") }}{% endautoescape %}').render()
        escaped = app.jinja_env.from_string('{{ _("A string no catalogue has, 100%%") }}').render()
    assert markup == "Store's commission: &lt;1&gt;%"  # the variable escaped, the text as translated
    assert plain == escaped == "A string no catalogue has, 100%"
    # Kept as Markup for autoescaped templates only: in a plain one (an email's text) joining it
    # to text escapes nothing
    with page(app, "/en/products"):
        app.jinja_env.from_string('{{ _("Relearn Shop") }}').render()
        joined = app.jinja_env.from_string(
            '{% autoescape false %}{{ _("Relearn Shop") + " <3" }}{% endautoescape %}').render()
    assert joined == "Relearn Shop <3"
