/* The search page: Pagefind's UI over the index in /pagefind/ of this site (no server, no CDN).
   A query in the address (?q=Wort, as from a search form elsewhere) is searched at once. */
(function () {
  "use strict";
  var element = document.getElementById("suche");
  var status = document.getElementById("suche-status");
  if (typeof window.PagefindUI !== "function") {
    status.textContent = "Die Suche ist gerade nicht verfügbar. Alle Meldungen finden Sie im Archiv.";
    return;
  }
  var ui = new window.PagefindUI({
    element: "#suche",
    bundlePath: element.getAttribute("data-bundle"),
    showImages: false,
    showSubResults: true,
    resetStyles: false,
    translations: { placeholder: "Suchbegriff eingeben" }
  });
  // Pagefind's count of results is no live region: repeat it in ours for screen readers (WCAG 4.1.3).
  new MutationObserver(function () {
    var message = element.querySelector(".pagefind-ui__message");
    var text = message ? message.textContent : "";
    if (status.textContent !== text) {
      status.textContent = text;
    }
  }).observe(element, { childList: true, subtree: true, characterData: true });
  var query = new URLSearchParams(window.location.search).get("q");
  if (query) {
    ui.triggerSearch(query);
  }
}());
