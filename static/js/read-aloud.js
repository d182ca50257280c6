/* Read-aloud for lessons and their quiz (the browser's own speech synthesis;
   the page works without it) and the print button of certificates. It reads
   sentence by sentence and highlights the one being read; a device with no
   voice for the page's language gets a message instead of silence. No
   third-party code. */
(function () {
  "use strict";
  var synth = window.speechSynthesis;
  var language = document.documentElement.lang === "en" ? "en" : "ko";
  var BLOCKS = "p, li, h2, h3, h4, blockquote, dt, dd, th, td, figcaption";
  var supportsHighlight = typeof CSS !== "undefined" && CSS.highlights && typeof Highlight !== "undefined";

  // The voices load late in some browsers: wait for them a moment.
  function withVoices(done) {
    var voices = synth.getVoices();
    if (voices.length) { done(voices); return; }
    var answered = false;
    function answer() {
      if (answered) return;
      answered = true;
      synth.removeEventListener("voiceschanged", answer);
      done(synth.getVoices());
    }
    synth.addEventListener("voiceschanged", answer);
    window.setTimeout(answer, 1500);
  }

  function voiceFor(voices) {
    for (var i = 0; i < voices.length; i++) {
      if ((voices[i].lang || "").toLowerCase().replace("_", "-").indexOf(language) === 0) return voices[i];
    }
    return null;
  }

  // The blocks to read: the leaves of the lesson text, then the quiz's parts.
  function blocksOf(button) {
    var blocks = [];
    var lesson = document.querySelector(button.getAttribute("data-read-aloud"));
    if (lesson) {
      lesson.querySelectorAll(BLOCKS).forEach(function (block) {
        if (!block.querySelector(BLOCKS)) blocks.push(block);
      });
      if (!blocks.length) blocks.push(lesson);
    }
    var also = button.getAttribute("data-read-aloud-also");
    var quiz = also && document.querySelector(also);
    if (quiz) quiz.querySelectorAll("[data-read-aloud-part]").forEach(function (part) { blocks.push(part); });
    return blocks;
  }

  // Each sentence of a block, with where it starts and ends in its text.
  function sentencesOf(block) {
    var text = block.textContent;
    var found = [];
    // A sentence ends at . ! ? or … (and a closing quote) before a space, at a line break or at the end.
    var pattern = /\S[\s\S]*?(?:[.!?。…]+["'”’)]*(?=\s|$)|(?=\n)|$)/g;
    var match;
    while ((match = pattern.exec(text)) !== null) {
      if (match[0].trim()) found.push({ block: block, text: match[0].trim(), start: match.index, end: match.index + match[0].length });
    }
    return found;
  }

  function rangeOf(sentence) {
    var walker = document.createTreeWalker(sentence.block, NodeFilter.SHOW_TEXT);
    var range = document.createRange();
    var seen = 0, started = false, node;
    while ((node = walker.nextNode())) {
      var length = node.nodeValue.length;
      if (!started && sentence.start < seen + length) { range.setStart(node, sentence.start - seen); started = true; }
      if (started && sentence.end <= seen + length) { range.setEnd(node, sentence.end - seen); return range; }
      seen += length;
    }
    return null;
  }

  var current = null;
  function highlight(sentence) {
    if (current) current.classList.remove("read-aloud-current");
    current = sentence ? sentence.block : null;
    if (current) current.classList.add("read-aloud-current");
    if (!supportsHighlight) return;
    var range = sentence && rangeOf(sentence);
    if (range) { CSS.highlights.set("read-aloud", new Highlight(range)); } else { CSS.highlights.delete("read-aloud"); }
  }

  document.querySelectorAll("[data-read-aloud]").forEach(function (button) {
    if (!synth || typeof SpeechSynthesisUtterance === "undefined") return;
    var start = button.querySelector("[data-label-start]");
    var stop = button.querySelector("[data-label-stop]");
    var status = document.querySelector("[data-read-aloud-status]");
    var reading = false;
    function show(speaking) {
      reading = speaking;
      start.hidden = speaking;
      stop.hidden = !speaking;
      button.setAttribute("aria-pressed", speaking ? "true" : "false");
      if (!speaking) highlight(null);
    }
    function read(voice) {
      var sentences = [];
      blocksOf(button).forEach(function (block) { sentences = sentences.concat(sentencesOf(block)); });
      var index = 0;
      function next() {
        if (!reading || index >= sentences.length) { show(false); return; }
        var sentence = sentences[index++];
        var utterance = new SpeechSynthesisUtterance(sentence.text);
        utterance.voice = voice;
        utterance.lang = voice.lang;
        utterance.rate = 0.9;
        utterance.onstart = function () { highlight(sentence); };
        utterance.onend = next;
        utterance.onerror = function () { show(false); };
        synth.speak(utterance);
      }
      show(true);
      next();
    }
    button.hidden = false;
    button.addEventListener("click", function () {
      if (reading || synth.speaking) { reading = false; synth.cancel(); show(false); return; }
      withVoices(function (voices) {
        var voice = voiceFor(voices);
        if (!voice) { if (status) status.hidden = false; return; }
        if (status) status.hidden = true;
        read(voice);
      });
    });
  });
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });
})();
