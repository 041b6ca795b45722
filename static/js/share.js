// "Copy link" on a product page. Without JavaScript it is a plain link to the page's own address
// (press and hold, or right-click, to copy it); with JavaScript a click copies the address.
document.addEventListener("click", function (event) {
  var link = event.target.closest ? event.target.closest("a.copy-link") : null;
  if (!link || !navigator.clipboard || !window.isSecureContext) {
    return;
  }
  event.preventDefault();
  navigator.clipboard.writeText(link.href).then(function () {
    var status = link.parentNode.querySelector(".copy-status");
    if (status) {
      status.textContent = link.getAttribute("data-copied");
    }
  }, function () {
    window.location.href = link.href;
  });
});
