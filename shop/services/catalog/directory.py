"""The open centres and the categories as plain rows: what lists and their filters show of them.

They change only with a centre or a category, which moves the site's version, so a caller may
keep a directory for as long as that version stands (shop/caching.py `per_site`). Entries are
plain values, not database objects: safe to keep across requests and sessions.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select

from shop.extensions import db
from shop.models import Category, Centre
from shop.models.catalog import Bilingual, InProvince
from shop.text import sort_by_name


@dataclass(frozen=True)
class CentreEntry(Bilingual, InProvince):
    id: int
    slug: str
    name_th: str
    name_en: str
    province_code: str
    province_th: str
    province_en: str
    region: str


@dataclass(frozen=True)
class CategoryEntry(Bilingual):
    id: int
    slug: str
    name_th: str
    name_en: str


@dataclass(frozen=True)
class Directory:
    centres: tuple[CentreEntry, ...]  # the open centres
    categories: tuple[CategoryEntry, ...]  # in the staff's order
    _sorted: dict[str, list[CentreEntry]] = field(default_factory=dict, compare=False, repr=False)
    _provinces: dict[str, list[tuple[str, str, str]]] = field(default_factory=dict, compare=False, repr=False)

    def centres_in(self, lang: str) -> list[CentreEntry]:
        """The open centres in dictionary order of their names in `lang` (worked out once per language)."""
        found = self._sorted.get(lang)
        if found is None:
            found = self._sorted[lang] = sort_by_name(self.centres, lambda c: c.localised("name", lang), lang)
        return list(found)

    def provinces_in(self, lang: str) -> list[tuple[str, str, str]]:
        """(code, Thai name, English name) of each province that hosts an open centre, once each, in
        dictionary order of their names in `lang`."""
        found = self._provinces.get(lang)
        if found is None:
            seen: dict[str, tuple[str, str, str]] = {}
            for centre in self.centres:
                seen.setdefault(centre.province_code, (centre.province_code, centre.province_th, centre.province_en))
            found = self._provinces[lang] = sort_by_name(seen.values(), lambda p: (p[2] or p[1]) if lang == "en" else p[1],
                                                         lang)
        return list(found)


def read_directory() -> Directory:
    """The open centres and all categories, in two statements."""
    centres = db.session.execute(
        select(Centre.id, Centre.slug, Centre.name_th, Centre.name_en, Centre.province_code, Centre.province_th,
               Centre.province_en, Centre.region).where(Centre.active.is_(True)).order_by(Centre.id))
    categories = db.session.execute(
        select(Category.id, Category.slug, Category.name_th, Category.name_en).order_by(Category.position, Category.id))
    return Directory(centres=tuple(CentreEntry(*row) for row in centres),
                     categories=tuple(CategoryEntry(*row) for row in categories))
