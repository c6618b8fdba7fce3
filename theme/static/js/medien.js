// Two-click consent for YouTube clips in the media portal: nothing is requested from
// YouTube until the visitor presses the button; then the player (youtube-nocookie.com)
// is loaded and a second click plays the clip.
document.querySelectorAll(".yt-consent").forEach(function (box) {
  var button = box.querySelector(".yt-load");
  if (!button) return;
  button.addEventListener("click", function () {
    var frame = document.createElement("iframe");
    frame.src = "https://www.youtube-nocookie.com/embed/" + encodeURIComponent(box.dataset.youtube);
    frame.title = "YouTube-Video: " + box.dataset.title;
    frame.allow = "encrypted-media; picture-in-picture; fullscreen";
    frame.referrerPolicy = "strict-origin-when-cross-origin";
    frame.setAttribute("allowfullscreen", "");
    box.replaceChildren(frame);
    frame.focus();
  });
});
