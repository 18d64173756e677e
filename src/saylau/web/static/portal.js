// Progressive enhancement only: every page works without this file.
// Remember the chosen language, so that the root address can send a visitor back to it.
document.addEventListener("click", function (event) {
  var link = event.target.closest ? event.target.closest("a[data-lang]") : null;
  if (link) {
    try { window.localStorage.setItem("saylau-lang", link.getAttribute("data-lang")); } catch (e) {}
  }
});
