/* After a quiz or check is sent, its result (or the list of questions still
   open) takes the focus, so that it is the first thing seen and a screen
   reader reads it. Without this script the form's #quiz-result anchor still
   scrolls it into view. */
(function () {
  "use strict";
  var outcome = document.getElementById("quiz-result");
  if (!outcome) { return; }
  outcome.scrollIntoView({ block: "start" });
  outcome.focus({ preventScroll: true });
})();
