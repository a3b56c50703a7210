// Demo page only: the suggested-message buttons. Kept out of the HTML so the page runs under a strict CSP.
// The widget loads async; a click that beats it waits for it instead of being dropped.
document.querySelectorAll('[data-testid="suggestion"]').forEach(function (button) {
  button.addEventListener('click', function () {
    var text = button.getAttribute('data-text') || button.textContent.trim();
    (function trySend(attempts) {
      if (window.AutoCloserChat) window.AutoCloserChat.send(text);
      else if (attempts > 0) setTimeout(function () { trySend(attempts - 1); }, 100);
    })(50);
  });
});
  
