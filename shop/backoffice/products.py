"""Products, their options and photos: staff edit their own centre's, admins any centre's."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from shop.backoffice import bp
from shop.backoffice.common import fail, or_404
from shop.backoffice.forms import ActionForm
from shop.backoffice.product_forms import ImageForm, NewProductForm, NewVariantForm, ProductForm, VariantForm
from shop.services.catalog import admin as catalog_admin
from shop.services.catalog import browse as catalog
from shop.services.catalog import centres as centre_admin
from shop.services.errors import DomainError
from shop.services.parsing import parse_id
from shop.services.workshops import makers


def _category_choices(form) -> None:
    form.category_id.choices = [(c.id, f"{c.name_th} / {c.name_en}" if c.name_en else c.name_th) for c in catalog.all_categories()]
    groups = makers.maker_groups(current_user)
    form.maker_group_id.choices = [(0, _("None named"))] + [
        (g.id, f"{g.name_th} ({g.centre.name_th})" if current_user.is_admin else g.name_th) for g in groups]


@bp.get("/products")
def products():
    status = request.args.get("status") if request.args.get("status") in {"active", "archived"} else None
    return render_template("backoffice/products.html", products=catalog_admin.products(current_user, status=status),
                           status=status, action_form=ActionForm())


@bp.route("/products/new", methods=["GET", "POST"])
def product_new():
    form = NewProductForm()
    _category_choices(form)
    centres = centre_admin.centres() if current_user.is_admin else []
    if form.validate_on_submit():
        centre_id = current_user.centre_id if not current_user.is_admin else parse_id(request.form.get("centre_id"))
        try:
            product = catalog_admin.create_product(current_user, centre_id or 0, form.product_data(), form.variant_data())
        except DomainError as error:
            fail(error)
        else:
            flash(_("Product added. Now add a photo."), "success")
            return redirect(url_for("backoffice.product_edit", product_id=product.id)), 303
    return render_template("backoffice/product_new.html", form=form, centres=centres), 400 if form.errors else 200


@bp.route("/products/<int:product_id>", methods=["GET", "POST"])
def product_edit(product_id: int):
    product = or_404(catalog_admin.product(current_user, product_id))
    form = ProductForm(obj=product if request.method == "GET" else None)
    if request.method == "GET":
        form.otop_stars.data = product.otop_stars or 0
        form.maker_group_id.data = product.maker_group_id or 0
    _category_choices(form)
    if form.validate_on_submit():
        try:
            catalog_admin.update_product(current_user, product.id, form.product_data())
            flash(_("Product saved."), "success")
            return redirect(url_for("backoffice.product_edit", product_id=product.id)), 303
        except DomainError as error:
            fail(error)
    return render_template("backoffice/product_edit.html", product=product, form=form, variant_form=NewVariantForm(),
                           image_form=ImageForm(), action_form=ActionForm()), 400 if form.errors else 200


@bp.post("/products/<int:product_id>/archive")
@bp.post("/products/<int:product_id>/restore")
def product_status(product_id: int):
    or_404(catalog_admin.product(current_user, product_id))
    if ActionForm().validate_on_submit():
        status = "archived" if request.path.endswith("/archive") else "active"
        catalog_admin.set_product_status(current_user, product_id, status)
        flash(_("Product archived: it is no longer sold.") if status == "archived" else _("Product restored to the shop."), "success")
    return redirect(url_for("backoffice.product_edit", product_id=product_id)), 303


@bp.post("/products/<int:product_id>/variants")
def variant_new(product_id: int):
    product = or_404(catalog_admin.product(current_user, product_id))
    form = NewVariantForm()
    if form.validate_on_submit():
        try:
            catalog_admin.add_variant(current_user, product.id, {**form.variant_data(), "stock_on_hand": form.stock_on_hand.data or 0})
            flash(_("Option added."), "success")
        except DomainError as error:
            fail(error)
    else:
        flash(_("Please check the option: %(errors)s", errors="; ".join(str(e) for errs in form.errors.values() for e in errs)), "error")
    return redirect(url_for("backoffice.product_edit", product_id=product.id)), 303


@bp.route("/variants/<int:variant_id>", methods=["GET", "POST"])
def variant_edit(variant_id: int):
    variant = or_404(catalog_admin.variant(current_user, variant_id))
    form = VariantForm(obj=variant if request.method == "GET" else None)
    if request.method == "GET":
        form.price.data = variant.price_satang
    if form.validate_on_submit():
        try:
            catalog_admin.update_variant(current_user, variant.id, form.variant_data())
            flash(_("Option saved. New prices apply to new orders only."), "success")
            return redirect(url_for("backoffice.product_edit", product_id=variant.product_id)), 303
        except DomainError as error:
            fail(error)
    return render_template("backoffice/variant_edit.html", variant=variant, form=form), 400 if form.errors else 200


@bp.post("/products/<int:product_id>/images")
def image_new(product_id: int):
    product = or_404(catalog_admin.product(current_user, product_id))
    form = ImageForm()
    if form.validate_on_submit():
        try:
            catalog_admin.add_image(current_user, product.id, form.photo.data.read(), form.alt_th.data or "", form.alt_en.data or "")
            flash(_("Photo added."), "success")
        except DomainError as error:
            fail(error)
    else:
        flash(_("Please choose a photo to upload."), "error")
    return redirect(url_for("backoffice.product_edit", product_id=product.id)), 303


@bp.post("/images/<int:image_id>/delete")
def image_delete(image_id: int):
    image = or_404(catalog_admin.image(current_user, image_id))
    product_id = image.product_id
    if ActionForm().validate_on_submit():
        catalog_admin.remove_image(current_user, image.id)
        flash(_("Photo removed."), "success")
    return redirect(url_for("backoffice.product_edit", product_id=product_id)), 303
