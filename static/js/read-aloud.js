/* Read-aloud for lessons (the browser's own speech synthesis; the page works
   without it) and the print button of certificates. No third-party code. */
(function () {
  "use strict";
  var synth = window.speechSynthesis;
  document.querySelectorAll("[data-read-aloud]").forEach(function (button) {
    if (!synth || typeof SpeechSynthesisUtterance === "undefined") return;
    var target = document.querySelector(button.getAttribute("data-read-aloud"));
    if (!target) return;
    var start = button.querySelector("[data-label-start]");
    var stop = button.querySelector("[data-label-stop]");
    function show(speaking) {
      start.hidden = speaking;
      stop.hidden = !speaking;
      button.setAttribute("aria-pressed", speaking ? "true" : "false");
    }
    button.hidden = false;
    button.addEventListener("click", function () {
      if (synth.speaking) { synth.cancel(); show(false); return; }
      var utterance = new SpeechSynthesisUtterance(target.innerText);
      utterance.lang = document.documentElement.lang === "en" ? "en-US" : "ko-KR";
      utterance.rate = 0.9;
      utterance.onend = function () { show(false); };
      synth.speak(utterance);
      show(true);
    });
  });
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });
})();
