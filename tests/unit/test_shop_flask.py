"""ShopFlask's remembered ensure_sync: the same answer as Flask's, asked once per function."""
from __future__ import annotations

import pytest
from flask import Flask

from shop import language_urls
from shop.language_urls import ShopFlask


def test_a_plain_function_is_answered_as_flask_answers_and_remembered(monkeypatch):
    app = ShopFlask(__name__)
    asked: list = []
    real = Flask.ensure_sync

    def counting(self, func):
        asked.append(func)
        return real(self, func)

    monkeypatch.setattr(Flask, "ensure_sync", counting)

    def hook():
        return "ok"

    assert app.ensure_sync(hook) is hook
    assert app.ensure_sync(hook) is hook
    assert asked == [hook]


def test_a_coroutine_function_still_goes_to_flask_every_way(monkeypatch):
    app = ShopFlask(__name__)

    async def view():
        return "ok"

    # Flask wraps it (or says it needs asgiref): whatever Flask does, ShopFlask does the same.
    try:
        expected = Flask.ensure_sync(app, view)
    except RuntimeError as flask_says:
        with pytest.raises(RuntimeError, match=str(flask_says)[:20]):
            app.ensure_sync(view)
    else:
        assert type(app.ensure_sync(view)) is type(expected)


def test_the_remembered_set_is_bounded(monkeypatch):
    monkeypatch.setattr(language_urls, "SYNC_FUNCTIONS_KEPT", 3)
    app = ShopFlask(__name__)
    functions = [lambda n=n: n for n in range(10)]
    for func in functions:
        assert app.ensure_sync(func) is func
    assert len(app.sync_functions) == 3
