// The sample bank page's own buttons, driving the widget through its JavaScript API.
(function () {
  'use strict';
  var log = document.getElementById('events');
  function note(name, detail) {
    log.textContent += name + (detail ? ' ' + JSON.stringify(detail) : '') + '\n';
  }
  function wire() {
    var w = window.ChatbotWidget;
    document.getElementById('demo-open').addEventListener('click', function () { w.open(); });
    document.getElementById('demo-close').addEventListener('click', function () { w.close(); });
    document.getElementById('demo-ask').addEventListener('click', function () { w.send('信用卡逾期了怎么办'); });
    ['open', 'close', 'ready', 'reply', 'handoff'].forEach(function (name) {
      w.on(name, function (detail) { note(name, detail); });
    });
    document.body.setAttribute('data-demo-ready', '');
  }
  // widget.js loads async: wire now if it is here, else when it says it has loaded.
  if (window.ChatbotWidget) wire();
  else window.addEventListener('chatbotwidget:load', wire, { once: true });
})();
