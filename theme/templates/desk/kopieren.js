// The desk's copy buttons (plugins/desk): each copies the text field it names. Without JavaScript the
// buttons stay hidden and the read-only field is selected and copied by hand.
for (const button of document.querySelectorAll("button[data-copy]")) {
  const field = document.getElementById(button.dataset.copy);
  const status = document.getElementById(button.dataset.copy + "-status");
  button.hidden = false;
  button.addEventListener("click", async () => {
    field.select();
    try {
      await navigator.clipboard.writeText(field.value);
      status.textContent = "Kopiert.";
    } catch {
      status.textContent = "Bitte mit Strg+C (Mac: Cmd+C) kopieren: der Text ist markiert.";
    }
  });
}
