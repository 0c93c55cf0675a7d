// Chat widget for bank sites. Embed with one tag:
//
//   <script src="https://CHAT-HOST/widget.js" async></script>
//
// Optional attributes: data-label="在线咨询" (button text), data-position="left" (default right).
// It adds a floating button; the chat itself runs in an iframe of https://CHAT-HOST/?embed=1, so
// the host page's scripts and styles never touch the conversation. Styles are set through the
// CSSOM, which a host page's Content-Security-Policy allows. The host site must be listed in the
// chat server's allowed origins so the server lets it frame the page.
(function () {
  'use strict';
  if (window.__chatbotWidget) return;
  window.__chatbotWidget = true;

  var script = document.currentScript;
  if (!script || !script.src) return;
  var origin = new URL(script.src, location.href).origin;
  var label = script.getAttribute('data-label') || '在线咨询';
  var side = script.getAttribute('data-position') === 'left' ? 'left' : 'right';
  var Z = '2147483000';

  function style(node, props) {
    for (var k in props) node.style[k] = props[k];
    return node;
  }

  var button = style(document.createElement('button'), {
    position: 'fixed', bottom: '20px', zIndex: Z,
    padding: '0 20px', height: '48px', border: 'none', borderRadius: '24px',
    background: '#0b5cad', color: '#fff', fontSize: '16px', fontWeight: '600',
    fontFamily: '-apple-system, "PingFang SC", "Microsoft YaHei", sans-serif',
    boxShadow: '0 4px 16px rgba(0,0,0,.2)', cursor: 'pointer'
  });
  button.style[side] = '20px';
  button.type = 'button';
  button.textContent = label;
  button.setAttribute('aria-expanded', 'false');
  button.setAttribute('aria-controls', 'chatbot-widget-panel');

  var panel = style(document.createElement('div'), {
    position: 'fixed', bottom: '80px', zIndex: Z, display: 'none',
    background: '#fff', borderRadius: '14px', overflow: 'hidden',
    boxShadow: '0 8px 32px rgba(0,0,0,.25)'
  });
  panel.style[side] = '20px';
  panel.id = 'chatbot-widget-panel';
  panel.setAttribute('role', 'dialog');
  panel.setAttribute('aria-label', label);

  var frame = null; // created on first open, so pages that never chat load nothing more

  function layout() {
    var small = window.innerWidth <= 520;
    style(panel, small
      ? { top: '0', bottom: '0', left: '0', right: '0', width: '100%', height: '100%', borderRadius: '0' }
      : { top: '', bottom: '80px', left: side === 'left' ? '20px' : '', right: side === 'right' ? '20px' : '',
          width: '380px', height: Math.min(640, window.innerHeight - 100) + 'px', borderRadius: '14px' });
  }

  function open() {
    if (!frame) {
      frame = style(document.createElement('iframe'), { width: '100%', height: '100%', border: '0', display: 'block' });
      frame.src = origin + '/?embed=1';
      frame.title = '信用卡还款助手';
      frame.setAttribute('allow', 'clipboard-write');
      panel.appendChild(frame);
    }
    layout();
    panel.style.display = 'block';
    button.setAttribute('aria-expanded', 'true');
    if (window.innerWidth <= 520) button.style.display = 'none';
    frame.focus();
  }

  function close() {
    panel.style.display = 'none';
    button.style.display = '';
    button.setAttribute('aria-expanded', 'false');
    button.focus();
  }

  button.addEventListener('click', function () {
    if (panel.style.display === 'none') open(); else close();
  });
  document.addEventListener('keydown', function (ev) {
    if (ev.key === 'Escape' && panel.style.display !== 'none') close();
  });
  window.addEventListener('message', function (ev) {
    if (ev.origin === origin && ev.data && ev.data.type === 'chatbot:close') close();
  });
  window.addEventListener('resize', function () {
    if (panel.style.display !== 'none') layout();
  });

  function mount() {
    document.body.appendChild(panel);
    document.body.appendChild(button);
  }
  if (document.body) mount();
  else document.addEventListener('DOMContentLoaded', mount);
})();
