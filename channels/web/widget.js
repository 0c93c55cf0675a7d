// Chat widget for bank sites. Embed with one tag:
//
//   <script src="https://CHAT-HOST/widget.js" data-title="在线咨询" data-color="#c8102e"
//     data-logo="https://www.bank.example/logo.png" data-position="right" data-issuer="cmb" async></script>
//
// Every attribute is optional: data-title (launcher text and the chat's title), data-color (brand
// colour, #rgb or #rrggbb; darkened where needed so text on it stays readable), data-logo (an
// http(s) image for the launcher and the chat's header), data-position ("left" or "right"),
// data-issuer (the bank id of the knowledge base's bank list: answers then use that bank's
// numbers and flows do not ask which bank).
//
// The launcher and panel live in a shadow root whose host resets every property with
// !important, so the bank page's CSS cannot restyle them and the widget's CSS cannot leak out.
// The conversation itself runs in an iframe of https://CHAT-HOST/?embed=1. On phones (up to
// 430 px wide, or under 500 px tall when held sideways) the open panel fills the screen. Before the first open the widget asks the chat
// server (GET /api/v1/check) whether this site may chat; if not, or if the server cannot be
// reached, the panel says so with the issuer's phone number and a retry button instead of
// showing a broken frame.
//
// JavaScript API for the bank's own buttons:
//   ChatbotWidget.open(), .close(), .toggle(), .send(text) (opens the chat and sends text),
//   .on(event, fn) / .off(event, fn) for "open", "close", "ready", "reply" and "handoff";
//   reply and handoff listeners get {id, kind, article, handoff, priority, lead}.
//   widget.js loads async: window.ChatbotWidget exists once it has run, and a "chatbotwidget:load"
//   event on window says so.
(function () {
  'use strict';
  if (window.ChatbotWidget) return;

  var script = document.currentScript;
  if (!script || !script.src) return;
  var origin = new URL(script.src, location.href).origin;
  function data(name) { return (script.getAttribute('data-' + name) || '').trim(); }

  var named = (data('title') || data('label')).slice(0, 40); // empty: the chat keeps its own title
  var title = named || '在线咨询';
  var side = data('position') === 'left' ? 'left' : 'right';
  var issuer = data('issuer').slice(0, 64);
  var color = readable(/^#([0-9a-f]{3}|[0-9a-f]{6})$/i.test(data('color')) ? data('color') : '#0b5cad');
  var logo = '';
  try {
    var u = new URL(data('logo'), location.href);
    if (data('logo') && (u.protocol === 'https:' || u.protocol === 'http:')) logo = u.href;
  } catch (e) { /* no logo */ }

  var CSS = [
    // The host: nothing the bank page sets survives (important declarations of the shadow win).
    ':host{all:initial!important;display:block!important;position:fixed!important;top:auto!important;left:auto!important;',
    'right:auto!important;bottom:auto!important;width:0!important;height:0!important;margin:0!important;padding:0!important;',
    'border:0!important;z-index:2147483000!important;transform:none!important;filter:none!important;opacity:1!important;',
    'visibility:visible!important;contain:none!important;overflow:visible!important}',
    '*{box-sizing:border-box}',
    '.launcher{position:fixed;bottom:20px;' + side + ':20px;display:flex;align-items:center;gap:8px;height:52px;',
    'max-width:calc(100vw - 40px);margin:0;padding:0 20px;border:0;border-radius:26px;background:' + color + ';color:#fff;',
    'font:600 16px/1 -apple-system,BlinkMacSystemFont,"PingFang SC","Microsoft YaHei","Noto Sans CJK SC",sans-serif;',
    'letter-spacing:normal;text-transform:none;box-shadow:0 4px 16px rgba(0,0,0,.25);cursor:pointer;white-space:nowrap}',
    '.launcher:focus-visible{outline:3px solid #1d2330;outline-offset:3px;box-shadow:0 0 0 6px #fff}',
    '.launcher img{display:block;height:28px;width:auto;max-width:72px;border-radius:4px;background:#fff}',
    '.launcher span{overflow:hidden;text-overflow:ellipsis}',
    '.panel{position:fixed;bottom:84px;' + side + ':20px;width:380px;height:min(640px,calc(100vh - 108px));margin:0;',
    'padding:0;border:0;border-radius:14px;overflow:hidden;background:#fff;box-shadow:0 8px 32px rgba(0,0,0,.28)}',
    '.panel[hidden],.launcher[hidden],.notice[hidden]{display:none}.panel.compact{height:auto}',
    'iframe{display:block;width:100%;height:100%;margin:0;padding:0;border:0}',
    '.notice{display:flex;flex-direction:column;gap:12px;padding:20px;color:#1d2330;background:#fff;',
    'font:15px/1.6 -apple-system,BlinkMacSystemFont,"PingFang SC","Microsoft YaHei","Noto Sans CJK SC",sans-serif}',
    '.notice h2{margin:0;font-size:17px}.notice p{margin:0}.notice a{color:#1d2330;font-weight:700}',
    '.notice .row{display:flex;gap:8px;flex-wrap:wrap;margin-top:4px}',
    '.notice button{min-height:44px;padding:0 18px;border:1px solid ' + color + ';border-radius:22px;background:#fff;color:' + color + ';',
    'font:inherit;cursor:pointer}.notice button.primary{background:' + color + ';color:#fff}',
    '.notice button:focus-visible{outline:3px solid #1d2330;outline-offset:2px}',
    // Phones, 320-430 px wide, or held sideways (under 500 px tall): the open chat is the whole screen.
    '@media (max-width:430px),(max-height:500px){.panel{top:0;left:0;right:0;bottom:0;width:100vw;height:100vh;height:100dvh;border-radius:0}}'
  ].join('');

  var host = document.createElement('chatbot-widget');
  var root = host.attachShadow({ mode: 'open' });
  var style = document.createElement('style');
  style.textContent = CSS;
  root.appendChild(style);

  var launcher = document.createElement('button');
  launcher.type = 'button';
  launcher.className = 'launcher';
  launcher.setAttribute('aria-expanded', 'false');
  launcher.setAttribute('aria-controls', 'panel');
  if (logo) {
    var img = document.createElement('img');
    img.src = logo;
    img.alt = '';
    img.onerror = function () { img.remove(); };
    launcher.appendChild(img);
  }
  var labelSpan = document.createElement('span');
  labelSpan.textContent = title;
  launcher.appendChild(labelSpan);
  root.appendChild(launcher);

  var panel = document.createElement('div');
  panel.className = 'panel';
  panel.id = 'panel';
  panel.hidden = true;
  panel.setAttribute('role', 'dialog');
  panel.setAttribute('aria-label', title);
  root.appendChild(panel);

  var frame = null;       // created once the server says this site may chat
  var frameLoaded = false;
  var queued = [];        // send(text) calls waiting for the frame
  var checking = false;
  var listeners = {};
  var notice = null;

  function emit(name, detail) {
    (listeners[name] || []).slice().forEach(function (fn) {
      try { fn(detail); } catch (e) { if (window.console) console.error(e); }
    });
  }

  function isOpen() { return !panel.hidden; }
  function phone() { return window.matchMedia('(max-width: 430px), (max-height: 500px)').matches; }

  function open() {
    if (!isOpen()) {
      panel.hidden = false;
      launcher.setAttribute('aria-expanded', 'true');
      if (phone()) launcher.hidden = true;
      emit('open', null);
    }
    if (frame) focusChat();
    else if (!checking) check();
  }

  function close() {
    if (!isOpen()) return;
    panel.hidden = true;
    launcher.hidden = false;
    launcher.setAttribute('aria-expanded', 'false');
    launcher.focus();
    emit('close', null);
  }

  function focusChat() {
    if (!frame) return;
    frame.focus();
    if (frameLoaded) frame.contentWindow.postMessage({ type: 'chatbot:focus' }, origin);
  }

  // check asks the chat server whether this site may chat before showing the chat, so a refused
  // or unreachable server gives words and a phone number, not a grey box.
  function check() {
    checking = true;
    var q = issuer ? '?issuer=' + encodeURIComponent(issuer) : '';
    var ctl = window.AbortController ? new AbortController() : null;
    var t = ctl && setTimeout(function () { ctl.abort(); }, 8000);
    fetch(origin + '/api/v1/check' + q, { cache: 'no-store', credentials: 'omit', signal: ctl && ctl.signal })
      .then(function (resp) { return resp.json(); })
      .then(function (res) {
        clearTimeout(t);
        checking = false;
        if (res.unknown_issuer && window.console) {
          console.error('chatbot widget: data-issuer="' + issuer + '" is not a bank the chat server knows');
        }
        if (!res.allowed) {
          showNotice('在线咨询暂未在本网站开通', '这个网站还不能使用在线咨询（未获授权）。', res.issuer);
          return;
        }
        // The server would refuse the chat's socket now (429 or 503, which a browser hides).
        if (res.sockets === 'per_ip') {
          showNotice('打开的在线咨询窗口太多', '您这里同时打开的在线咨询窗口太多，暂时不能再连接。请关掉其他聊天窗口或标签页，再点“重试”。', res.issuer);
          return;
        }
        if (res.sockets === 'full') {
          showNotice('在线咨询的人太多', '在线咨询的人太多，暂时连不上。请过一会儿再点“重试”。', res.issuer);
          return;
        }
        showFrame();
      }, function () {
        clearTimeout(t);
        checking = false;
        showNotice('暂时连不上在线咨询', '暂时连不上在线咨询服务，请检查网络后重试。', null);
      });
  }

  function showNotice(heading, text, bank) {
    if (notice) notice.remove();
    notice = document.createElement('div');
    notice.className = 'notice';
    notice.setAttribute('role', 'alert');
    var h = document.createElement('h2');
    h.textContent = heading;
    var p = document.createElement('p');
    p.textContent = text;
    var call = document.createElement('p');
    callAdvice(call, bank);
    var row = document.createElement('div');
    row.className = 'row';
    var retry = document.createElement('button');
    retry.type = 'button';
    retry.className = 'primary';
    retry.textContent = '重试';
    retry.addEventListener('click', function () {
      if (notice) notice.remove();
      notice = null;
      check();
    });
    var shut = document.createElement('button');
    shut.type = 'button';
    shut.textContent = '关闭';
    shut.addEventListener('click', close);
    row.appendChild(retry);
    row.appendChild(shut);
    notice.appendChild(h);
    notice.appendChild(p);
    notice.appendChild(call);
    notice.appendChild(row);
    panel.classList.add('compact');
    panel.appendChild(notice);
    retry.focus();
  }

  // callAdvice: whom to call while the chat cannot help; only numbers the server confirms.
  function callAdvice(node, bank) {
    var numbers = bank ? [[bank.hotline, ''], [bank.card_line, '信用卡专线 ']].filter(function (n) { return n[0]; }) : [];
    if (!numbers.length) {
      node.textContent = bank
        ? '着急的话，请拨打' + bank.name + '信用卡背面或官方App里公布的客服电话。'
        : '着急的话，请拨打您信用卡背面或发卡行官方App里公布的客服电话。';
      return;
    }
    node.appendChild(document.createTextNode('着急的话，请拨打' + bank.name + '客服电话：'));
    numbers.forEach(function (n, k) {
      if (k) node.appendChild(document.createTextNode('、'));
      node.appendChild(document.createTextNode(n[1]));
      var a = document.createElement('a');
      a.href = 'tel:' + n[0].replace(/[^0-9]/g, '');
      a.textContent = n[0];
      node.appendChild(a);
    });
    node.appendChild(document.createTextNode('。'));
  }

  function showFrame() {
    var q = new URLSearchParams({ embed: '1', origin: location.origin, channel: 'web', color: color });
    if (named) q.set('title', named);
    if (issuer) q.set('issuer', issuer);
    if (logo) q.set('logo', logo);
    panel.classList.remove('compact');
    frame = document.createElement('iframe');
    frame.src = origin + '/?' + q.toString();
    frame.title = title;
    frame.setAttribute('allow', 'clipboard-write');
    frame.addEventListener('load', function () {
      frameLoaded = true;
      queued.splice(0).forEach(post);
      if (isOpen()) focusChat();
    });
    panel.appendChild(frame);
    frame.focus();
  }

  function post(text) {
    frame.contentWindow.postMessage({ type: 'chatbot:send', text: text }, origin);
  }

  function send(text) {
    text = String(text == null ? '' : text).trim();
    if (!text) return;
    open();
    if (frameLoaded) post(text);
    else queued.push(text);
  }

  launcher.addEventListener('click', function () {
    if (isOpen()) close(); else open();
  });
  document.addEventListener('keydown', function (ev) {
    if (ev.key === 'Escape' && isOpen()) close();
  });
  // Escape inside the panel's own content (the notice) as well.
  panel.addEventListener('keydown', function (ev) {
    if (ev.key === 'Escape') close();
  });
  window.addEventListener('message', function (ev) {
    if (ev.origin !== origin || !frame || ev.source !== frame.contentWindow) return;
    var d = ev.data || {};
    switch (d.type) {
      case 'chatbot:close': close(); break;
      case 'chatbot:ready': emit('ready', d.detail); break;
      case 'chatbot:reply': emit('reply', d.detail); break;
      case 'chatbot:handoff': emit('handoff', d.detail); break;
      default: break;
    }
  });
  window.addEventListener('resize', function () {
    if (isOpen()) launcher.hidden = phone();
  });

  // readable darkens a colour until white text on it reaches 4.5:1.
  function readable(hex) {
    hex = hex.slice(1);
    if (hex.length === 3) hex = hex.replace(/./g, '$&$&');
    var rgb = [0, 2, 4].map(function (i) { return parseInt(hex.slice(i, i + 2), 16); });
    function lum(c) {
      var l = c.map(function (v) { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); });
      return 0.2126 * l[0] + 0.7152 * l[1] + 0.0722 * l[2];
    }
    for (var i = 0; i < 20 && 1.05 / (lum(rgb) + 0.05) < 4.5; i++) {
      rgb = rgb.map(function (v) { return Math.round(v * 0.9); });
    }
    return '#' + rgb.map(function (v) { return ('0' + v.toString(16)).slice(-2); }).join('');
  }

  window.ChatbotWidget = {
    open: open,
    close: close,
    toggle: function () { if (isOpen()) close(); else open(); },
    send: send,
    on: function (name, fn) { (listeners[name] = listeners[name] || []).push(fn); },
    off: function (name, fn) {
      listeners[name] = (listeners[name] || []).filter(function (f) { return f !== fn; });
    }
  };

  function mount() { document.body.appendChild(host); }
  if (document.body) mount();
  else document.addEventListener('DOMContentLoaded', mount);
  // The script loads async: a page that wires its buttons before it arrives waits for this.
  window.dispatchEvent(new Event('chatbotwidget:load'));
})();
