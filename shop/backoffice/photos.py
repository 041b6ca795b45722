"""The photo gallery of a product: upload several photos (of the product or of one option),
put them in order, describe them in Thai and English, remove them. Thin views over
services.catalog.photos; staff see only their own centre's products (404 otherwise)."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from shop.backoffice import bp
from shop.backoffice.photo_forms import PhotoForm, PhotoUploadForm
from shop.forms import ActionForm
from shop.i18n import current_language
from shop.services.catalog import admin as catalog_admin
from shop.services.catalog import photos
from shop.services.errors import DomainError


def _product_or_404(product_id: int):
    found = catalog_admin.product(current_user, product_id)
    if found is None:
        abort(404)
    return found


def _image_or_404(image_id: int):
    found = catalog_admin.image(current_user, image_id)
    if found is None:
        abort(404)
    return found


def _back(product_id: int):
    return redirect(url_for("backoffice.product_photos", product_id=product_id)), 303


def _errors(form) -> str:
    return "; ".join(error for errors in form.errors.values() for error in errors)


@bp.get("/products/<int:product_id>/photos")
def product_photos(product_id: int):
    product = _product_or_404(product_id)
    lang = current_language()
    upload = PhotoUploadForm()
    upload.set_options(product, lang)
    forms = {}
    for image in product.images:
        form = PhotoForm(prefix=f"photo-{image.id}", obj=image)
        form.set_options(product, lang)
        form.variant_id.data = image.variant_id or 0
        forms[image.id] = form
    return render_template("backoffice/photos.html", product=product, upload=upload, forms=forms,
                           action_form=ActionForm(), max_photos=photos.MAX_PHOTOS)


@bp.post("/products/<int:product_id>/photos")
def product_photo_upload(product_id: int):
    product = _product_or_404(product_id)
    form = PhotoUploadForm()
    form.set_options(product, current_language())
    if form.validate_on_submit():
        try:
            photos.add_photo(current_user, product.id, form.photo.data.read(), form.alt_th.data or "",
                             form.alt_en.data or "", form.chosen_variant())
            flash(_("Photo added to the gallery."), "success")
        except DomainError as error:
            flash(str(error.message), "error")
    else:
        flash(_("Please check the photo: %(errors)s", errors=_errors(form)), "error")
    return _back(product.id)


@bp.post("/photos/<int:image_id>")
def product_photo_save(image_id: int):
    image = _image_or_404(image_id)
    form = PhotoForm(prefix=f"photo-{image.id}")
    form.set_options(image.product, current_language())
    if form.validate_on_submit():
        try:
            photos.update_photo(current_user, image.id, form.alt_th.data or "", form.alt_en.data or "", form.chosen_variant())
            flash(_("Photo saved."), "success")
        except DomainError as error:
            flash(str(error.message), "error")
    else:
        flash(_("Please check the photo: %(errors)s", errors=_errors(form)), "error")
    return _back(image.product_id)


@bp.post("/photos/<int:image_id>/move")
def product_photo_move(image_id: int):
    image = _image_or_404(image_id)
    if ActionForm().validate_on_submit():
        try:
            photos.move_photo(current_user, image.id, request.form.get("direction", ""))
        except DomainError:
            flash(_("That photo cannot move that way."), "error")
    return _back(image.product_id)


@bp.post("/photos/<int:image_id>/remove")
def product_photo_remove(image_id: int):
    image = _image_or_404(image_id)
    if ActionForm().validate_on_submit():
        product_id = photos.remove_photo(current_user, image.id)
        flash(_("Photo removed."), "success")
        return _back(product_id)
    return _back(image.product_id)
