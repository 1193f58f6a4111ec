// Grow each email preview frame to the height of the email it shows (see core/emailpreview.py).
// The frame's own content never runs script: the sandbox has no allow-scripts.
(function () {
  "use strict";
  function fit(frame) {
    var doc = frame.contentDocument;
    if (!doc || !doc.documentElement) return;
    var height = doc.documentElement.scrollHeight;
    // Only on a real change: an email styled `html { height: 100% }` must not grow forever.
    if (Math.abs(frame.clientHeight - height) > 4) frame.style.height = height + "px";
  }
  function watch(frame) {
    frame.addEventListener("load", function () {
      fit(frame);
      if (window.ResizeObserver && frame.contentDocument) {
        new ResizeObserver(function () { fit(frame); }).observe(frame.contentDocument.documentElement);
      }
    });
    if (frame.contentDocument && frame.contentDocument.readyState === "complete") fit(frame);
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("iframe.email-frame").forEach(watch);
  });
})();
