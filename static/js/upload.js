// A file over the upload limit is refused before it is sent (the server refuses it too, with
// the form filled in): the file input carries the limit and the message in data attributes.
document.addEventListener("change", (event) => {
  const input = event.target;
  if (!(input instanceof HTMLInputElement) || input.type !== "file" || !input.dataset.maxBytes) {
    return;
  }
  const limit = Number(input.dataset.maxBytes);
  const tooLarge = Array.from(input.files || []).some((file) => file.size > limit);
  input.setCustomValidity(tooLarge ? input.dataset.tooLarge : "");
  if (tooLarge) {
    input.reportValidity();
  }
});
