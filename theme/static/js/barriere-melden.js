/* "Barriere melden": turns the form into a readable e-mail for the visitor's mail program
   (without script the browser sends it as text/plain to the mailto: address itself).
   A link to the finished message stays on the page for when no mail program opens. */
(function () {
  "use strict";
  var form = document.querySelector("form[data-mailto]");
  if (!form) {
    return;
  }
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var lines = [];
    ["Seite", "Beschreibung", "Name", "Antwort"].forEach(function (name) {
      var field = form.elements[name];
      var label = form.querySelector("label[for='" + field.id + "']").textContent;
      if (field.value.trim()) {
        lines.push(label + ":\n" + field.value.trim() + "\n");
      }
    });
    var address = "mailto:" + form.getAttribute("data-mailto") +
      "?subject=" + encodeURIComponent("Barriere melden: " + (form.elements.Seite.value.trim() || "Nachrichtenangebot")) +
      "&body=" + encodeURIComponent(lines.join("\n"));
    var result = form.querySelector(".form-result");
    var link = document.createElement("a");
    link.href = address;
    link.textContent = "Nachricht im E-Mail-Programm öffnen";
    result.replaceChildren("Ihr E-Mail-Programm sollte sich jetzt öffnen. Falls nicht: ", link, ".");
    window.location.href = address;
  });
}());
