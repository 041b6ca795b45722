// Small helps for phones. Every page works without this file; it only saves a round trip or a tap.
(function () {
  "use strict";

  // − / + beside the product page's quantity change the number in place. Without JavaScript they
  // post to the server, which shows the page again with the quantity moved (cart buttons always post:
  // they change the cart).
  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest(".stepper .step[formaction]") : null;
    if (!button) {
      return;
    }
    var input = button.parentNode.querySelector("input[type=number]");
    if (!input) {
      return;
    }
    event.preventDefault();
    var current = parseInt(input.value, 10);
    if (isNaN(current)) {
      current = 1;
    }
    var next = current + (button.value === "-1" ? -1 : 1);
    input.value = String(Math.min(Math.max(next, 1), 99));
  });

  // Forms marked data-once (placing an order, CSV imports) are sent once: the button says it is working.
  // The server absorbs a repeated POST anyway; this spares the customer the doubt.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.hasAttribute || !form.hasAttribute("data-once")) {
      return;
    }
    if (form.getAttribute("data-sent")) {
      event.preventDefault();
      return;
    }
    form.setAttribute("data-sent", "1");
    form.setAttribute("aria-busy", "true");
    var button = event.submitter || form.querySelector("[type=submit]:not(.visually-hidden)");
    if (button) {
      var working = button.getAttribute("data-working") || form.getAttribute("data-working");
      if (working) {
        if (button.tagName === "INPUT") {
          button.value = working;
        } else {
          button.textContent = working;
        }
      }
      button.setAttribute("aria-busy", "true");
      button.setAttribute("aria-disabled", "true");
    }
  });
  window.addEventListener("pageshow", function (event) {
    if (!event.persisted) {
      return;
    }
    if (document.querySelector("form[data-sent]")) {
      window.location.reload();  // back to a page kept in memory: show it fresh, buttons ready again
    }
  });

  // Postcode first: as the fifth digit is typed, offer the postcode's subdistricts; the chosen one fills
  // in the district and province. Without JavaScript the "Find" button asks the server for the same list.
  var places = document.querySelector("[data-places]");
  var postcode = document.getElementById("postcode");
  if (places && postcode) {
    var select = places.querySelector("select");
    var district = document.getElementById("district-filled");
    var province = document.getElementById("province-filled");
    var status = document.querySelector(".postcode-status");
    var find = document.getElementById("find_postcode");
    var lang = places.getAttribute("data-lang") === "en" ? "en" : "th";
    var asked = postcode.value;
    if (find) {
      find.hidden = true;
    }
    // The chosen subdistrict's district and province; before a choice, whatever all the choices share.
    var shared = function (name) {
      var values = {};
      Array.prototype.forEach.call(select.options, function (option) {
        if (option.value) {
          values[option.getAttribute(name)] = true;
        }
      });
      var keys = Object.keys(values);
      return keys.length === 1 ? keys[0] : "";
    };
    var fill = function () {
      var option = select.options[select.selectedIndex];
      var chosen = option && option.value;
      district.textContent = chosen ? option.getAttribute("data-district") : shared("data-district");
      province.textContent = chosen ? option.getAttribute("data-province") : shared("data-province");
    };
    var show = function (code, found) {
      while (select.options.length) {
        select.remove(0);
      }
      var districts = {};
      found.forEach(function (place) { districts[place.district_th] = true; });
      var several = Object.keys(districts).length > 1;
      if (found.length !== 1) {
        select.add(new Option(select.getAttribute("data-choose") || "—", ""));
      }
      found.forEach(function (place) {
        var label = place["subdistrict_" + lang] + (several ? " (" + place["district_" + lang] + ")" : "");
        var option = new Option(label, place.code);
        option.setAttribute("data-district", place["district_" + lang]);
        option.setAttribute("data-province", place["province_" + lang]);
        select.add(option);
      });
      select.selectedIndex = 0;
      places.hidden = found.length === 0;
      status.textContent = found.length === 0 ? places.getAttribute("data-empty") : "";
      fill();
    };
    postcode.addEventListener("input", function () {
      var code = postcode.value.trim();
      if (!/^[0-9]{5}$/.test(code) || code === asked) {
        return;
      }
      asked = code;
      fetch(places.getAttribute("data-lookup").replace("00000", code), {credentials: "same-origin"})
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (data) {
          if (data && postcode.value.trim() === code) {
            show(code, data.places);
          }
        })
        .catch(function () {
          if (find) {
            find.hidden = false;  // offline or refused: the server's step still works
          }
        });
    });
    select.addEventListener("change", fill);
  }

  // The filter panel starts closed on phones. Browsers that cannot show it open on wide screens
  // by CSS alone (::details-content) get it opened here.
  var filters = document.querySelector("details.filters");
  if (filters && window.matchMedia && window.matchMedia("(min-width: 48rem)").matches &&
      !(window.CSS && CSS.supports && CSS.supports("selector(::details-content)"))) {
    filters.open = true;
  }
})();
