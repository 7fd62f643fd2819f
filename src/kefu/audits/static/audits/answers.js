// Keyboard answering of an audit: in a question row, Y / P / N / A choose yes / partly / no / n.a. and
// move the focus to the next question's first choice. Typing in the evidence or note fields is left alone.
(function () {
  var form = document.getElementById("answers");
  if (!form) return;
  form.addEventListener("keydown", function (event) {
    var target = event.target;
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (target.tagName === "TEXTAREA" || (target.tagName === "INPUT" && target.type !== "radio")) return;
    var row = target.closest("[data-answer-row]");
    if (!row) return;
    var key = event.key.toLowerCase();
    var choice = row.querySelector('input[type="radio"][data-key="' + key + '"]');
    if (!choice) return;
    event.preventDefault();
    choice.checked = true;
    var rows = Array.prototype.slice.call(form.querySelectorAll("[data-answer-row]"));
    var next = rows[rows.indexOf(row) + 1];
    var focus = next ? (next.querySelector('input[type="radio"]:checked') || next.querySelector('input[type="radio"]')) : choice;
    focus.focus();
  });
})();
