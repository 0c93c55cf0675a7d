// Chat page client for protocol v1 (docs/protocol.md). Plain browser JavaScript, no build step.
//
// What it keeps across reconnects and reloads (localStorage): the session id, and the frames
// sent but not yet answered. After every welcome it re-renders the history and re-sends the
// unanswered frames with their original ids; the server answers a re-sent id with the stored
// reply, never with a second turn.
(function () {
  'use strict';

  var PROTOCOL = 1;
  var KEY_SESSION = 'chatbot.session';
  var KEY_PENDING = 'chatbot.pending';
  var RETRY_MAX_MS = 15000;
  var CONFLICT_RETRY_MS = 400;

  var params = new URLSearchParams(location.search);
  var logEl = document.getElementById('log');
  var statusEl = document.getElementById('status');
  var form = document.getElementById('composer');
  var input = document.getElementById('input');
  var greeting = document.getElementById('greeting');

  var ws = null;
  var ready = false;        // welcome received on the current socket
  var helloID = '';         // id of our last hello: its welcome is the one that flushes pending
  var attempt = 0;          // reconnect attempts since the last welcome
  var timer = null;
  var lostConnection = false;
  var sessionID = storageGet(KEY_SESSION) || '';
  var pending = loadPending(); // [{frame, label}] sent or waiting, oldest first
  var shown = {};              // server reply ids already rendered

  if (params.get('embed') === '1') {
    document.body.classList.add('embed');
    var closeButton = document.getElementById('close');
    closeButton.hidden = false;
    closeButton.addEventListener('click', function () {
      window.parent.postMessage({ type: 'chatbot:close' }, '*');
    });
  }

  // ---- storage (private browsing may refuse it; the chat still works for this page) ----

  function storageGet(key) {
    try { return window.localStorage.getItem(key); } catch (e) { return null; }
  }
  function storageSet(key, value) {
    try {
      if (value === null) window.localStorage.removeItem(key);
      else window.localStorage.setItem(key, value);
    } catch (e) { /* not persisted */ }
  }
  function loadPending() {
    try { return JSON.parse(storageGet(KEY_PENDING) || '[]') || []; } catch (e) { return []; }
  }
  function savePending() {
    storageSet(KEY_PENDING, pending.length ? JSON.stringify(pending) : null);
  }

  function newID(prefix) {
    var bytes = new Uint8Array(8);
    window.crypto.getRandomValues(bytes);
    var hex = '';
    for (var i = 0; i < bytes.length; i++) hex += ('0' + bytes[i].toString(16)).slice(-2);
    return prefix + hex;
  }

  // ---- connection ----

  function socketURL() {
    var url = (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/ws';
    var appKey = params.get('app_key');
    return appKey ? url + '?app_key=' + encodeURIComponent(appKey) : url;
  }

  function connect() {
    clearTimeout(timer);
    timer = null;
    ready = false;
    var sock = new WebSocket(socketURL());
    ws = sock;
    sock.onopen = function () {
      helloID = newID('h');
      sock.send(JSON.stringify({ type: 'hello', id: helloID, session: sessionID, locale: 'zh-CN', v: PROTOCOL }));
    };
    sock.onmessage = function (ev) {
      if (sock !== ws) return;
      var frame;
      try { frame = JSON.parse(ev.data); } catch (e) { return; }
      onFrame(frame);
    };
    sock.onclose = function (ev) {
      if (sock !== ws) return;
      ws = null;
      ready = false;
      showTyping(false);
      scheduleReconnect(ev.code);
    };
  }

  function scheduleReconnect(code) {
    if (timer) return;
    lostConnection = true;
    var delay = Math.min(RETRY_MAX_MS, 500 * Math.pow(2, attempt));
    if (code === 1001) delay = 300;          // server restarting: another instance takes over
    if (code === 1008) delay = RETRY_MAX_MS; // sent too fast: pause before trying again
    delay = delay * (0.5 + Math.random() / 2);
    attempt++;
    if (!navigator.onLine) {
      setStatus('网络已断开，恢复后将自动重新连接。');
      return; // the online event reconnects
    }
    setStatus(code === 1008
      ? '您发送得有点快，连接已暂停，稍后会自动恢复。'
      : '连接已断开，正在重新连接…');
    timer = setTimeout(connect, delay);
  }

  window.addEventListener('online', function () {
    if (!ws) { attempt = 0; connect(); }
  });

  function send(frame, label) {
    pending.push({ frame: frame, label: label || '' });
    savePending();
    transmit(frame);
  }

  function transmit(frame) {
    if (ready && ws && ws.readyState === WebSocket.OPEN) {
      ws.send(JSON.stringify(frame));
      if (frame.type !== 'feedback') showTyping(true);
    }
  }

  function settle(replyTo) {
    var before = pending.length;
    pending = pending.filter(function (p) { return p.frame.id !== replyTo; });
    if (pending.length !== before) savePending();
    showTyping(pending.some(function (p) { return p.frame.type !== 'feedback'; }) && ready);
  }

  // ---- frames from the server ----

  function onFrame(f) {
    switch (f.type) {
      case 'welcome': onWelcome(f); break;
      case 'reply': settle(f.reply_to); addBot(f, true); break;
      case 'error': onError(f); break;
      case 'ack': settle(f.reply_to); break;
      default: break; // pong and frames from newer servers
    }
  }

  function onWelcome(f) {
    var fresh = sessionID !== f.session;
    sessionID = f.session;
    storageSet(KEY_SESSION, sessionID);
    if (f.reply_to !== helloID) {
      // The session expired while connected; the server opened a new one mid-conversation.
      if (f.notice) addNotice(f.notice);
      return;
    }
    ready = true;
    attempt = 0;
    if (lostConnection) {
      lostConnection = false;
      setStatus('已重新连接。', true);
    } else {
      setStatus('');
    }
    if (f.resumed) {
      renderHistory(f.history || []);
    } else if (fresh && f.expired) {
      clearLog();
      addGreeting();
      addNotice(f.notice);
    } else if (!logEl.children.length) {
      addGreeting();
    }
    // Re-send what was never answered; drop what the history shows answered.
    var answered = {};
    (f.history || []).forEach(function (e) { if (e.reply_to) answered[e.reply_to] = true; });
    pending = pending.filter(function (p) { return !answered[p.frame.id]; });
    savePending();
    pending.forEach(function (p) {
      if (p.frame.type !== 'feedback' && !document.querySelector('[data-sent="' + p.frame.id + '"]')) {
        addUser(p.label || p.frame.text || '', p.frame.id);
      }
      transmit(p.frame);
    });
  }

  function onError(f) {
    if (f.code === 'conflict' && f.reply_to) {
      // Another tab wrote the session at the same moment; nothing was applied, so re-send.
      var item = pending.filter(function (p) { return p.frame.id === f.reply_to; })[0];
      if (item && !item.retried) {
        item.retried = true;
        setTimeout(function () { transmit(item.frame); }, CONFLICT_RETRY_MS);
        return;
      }
    }
    var failed = pending.filter(function (p) { return p.frame.id === f.reply_to; })[0];
    settle(f.reply_to);
    var bubble = f.reply_to && document.querySelector('[data-sent="' + f.reply_to + '"]');
    if (bubble && failed) {
      markFailed(bubble, f.message, failed);
    } else if (f.message) {
      addNotice(f.message);
    }
  }

  // ---- rendering ----

  function clearLog() {
    while (logEl.firstChild) logEl.removeChild(logEl.firstChild);
    shown = {};
  }

  function scrollDown() {
    logEl.scrollTop = logEl.scrollHeight;
  }

  function addGreeting() {
    var node = greeting.content.firstElementChild.cloneNode(true);
    node.querySelectorAll('button.suggestion').forEach(function (b) {
      b.addEventListener('click', function () { sendText(b.textContent); });
    });
    logEl.appendChild(node);
    scrollDown();
  }

  function addUser(text, id) {
    var msg = el('div', 'msg user');
    if (id) msg.setAttribute('data-sent', id);
    var bubble = el('div', 'bubble');
    bubble.textContent = text;
    msg.appendChild(bubble);
    logEl.appendChild(msg);
    scrollDown();
    return msg;
  }

  function addBot(f, live) {
    if (f.id && shown[f.id]) return;
    if (f.id) shown[f.id] = true;
    disableOldChoices();
    var agent = f.kind === 'agent'; // a person at the contact center wrote it (pushed, or history)
    var msg = el('div', 'msg bot' + (agent ? ' agent' : '') + (f.handoff || f.kind === 'handoff' ? ' handoff' : ''));
    if (f.id) msg.setAttribute('data-reply', f.id);
    if (f.article) msg.setAttribute('data-article', f.article);
    if (agent) {
      var who = el('div', 'meta who');
      who.textContent = f.agent ? '人工客服 · ' + f.agent : '人工客服';
      msg.appendChild(who);
    }
    var bubble = el('div', 'bubble');
    if (f.html) bubble.innerHTML = f.html; // the server renders safe HTML (no raw HTML, safe links)
    else bubble.textContent = f.text || '';
    bubble.querySelectorAll('a[href^="http"]').forEach(function (a) {
      a.target = '_blank';
      a.rel = 'noopener noreferrer';
    });
    msg.appendChild(bubble);

    if (f.buttons && f.buttons.length) {
      var row = el('div', 'buttons');
      f.buttons.forEach(function (b) {
        var button = el('button', 'choice');
        button.type = 'button';
        button.textContent = b.label;
        button.addEventListener('click', function () { choose(b); });
        row.appendChild(button);
      });
      msg.appendChild(row);
    }
    if (f.id && f.article && f.kind === 'answer') msg.appendChild(feedbackControl(f.id));
    logEl.appendChild(msg);
    if (live) scrollDown();
  }

  function feedbackControl(replyID) {
    var box = el('div', 'feedback');
    var label = el('span', '');
    label.textContent = '这个回答有帮助吗？';
    box.appendChild(label);
    [['有用', true], ['没用', false]].forEach(function (pair) {
      var b = el('button', '');
      b.type = 'button';
      b.textContent = pair[0];
      b.setAttribute('aria-label', '这个回答' + pair[0]);
      b.addEventListener('click', function () {
        send({ type: 'feedback', id: newID('f'), reply: replyID, useful: pair[1] });
        box.textContent = pair[1] ? '谢谢您的反馈！' : '谢谢反馈，我们会继续改进。您也可以换个说法再问，或点“转人工”。';
      });
      box.appendChild(b);
    });
    return box;
  }

  function disableOldChoices() {
    logEl.querySelectorAll('.msg.bot .choice').forEach(function (b) { b.disabled = true; });
  }

  function addNotice(text) {
    if (!text) return;
    var note = el('div', 'notice');
    note.setAttribute('role', 'note');
    note.textContent = text;
    logEl.appendChild(note);
    scrollDown();
  }

  function markFailed(bubble, message, item) {
    bubble.classList.add('failed');
    var meta = el('div', 'meta error');
    meta.textContent = message || '发送失败。';
    var retry = el('button', 'retry');
    retry.type = 'button';
    retry.textContent = '重新发送';
    retry.addEventListener('click', function () {
      bubble.classList.remove('failed');
      meta.remove();
      send(item.frame, item.label); // same id: never answered twice
    });
    meta.appendChild(retry);
    bubble.appendChild(meta);
  }

  function renderHistory(history) {
    clearLog();
    addGreeting();
    history.forEach(function (e) {
      if (e.role === 'user') {
        addUser(e.text || '', e.id);
      } else {
        addBot({
          id: e.id, reply_to: e.reply_to, kind: e.kind, text: e.text, html: e.html,
          article: e.article, buttons: e.buttons, agent: e.agent
        }, false);
      }
    });
    scrollDown();
  }

  var typingEl = null;
  function showTyping(on) {
    if (on && !typingEl) {
      typingEl = el('div', 'typing');
      typingEl.setAttribute('aria-label', '助手正在回复');
      typingEl.innerHTML = '正在回复<span>.</span><span>.</span><span>.</span>';
      logEl.appendChild(typingEl);
      scrollDown();
    } else if (!on && typingEl) {
      typingEl.remove();
      typingEl = null;
    }
    if (typingEl) logEl.appendChild(typingEl); // keep it last
  }

  function setStatus(text, ok) {
    statusEl.textContent = text;
    statusEl.hidden = !text;
    statusEl.classList.toggle('ok', !!ok);
    if (ok) {
      setTimeout(function () {
        if (statusEl.textContent === text) setStatus('');
      }, 2500);
    }
  }

  function el(tag, className) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    return node;
  }

  // ---- user actions ----

  function sendText(text) {
    text = text.trim();
    if (!text) return;
    var id = newID('c');
    addUser(text, id);
    send({ type: 'message', id: id, text: text }, text);
    if (!ready) setStatus('正在连接，连接后会自动发送。');
  }

  function choose(button) {
    var id = newID('c');
    addUser(button.label, id);
    send({ type: 'choose', id: id, value: button.value }, button.label);
  }

  form.addEventListener('submit', function (ev) {
    ev.preventDefault();
    var text = input.value;
    input.value = '';
    autosize();
    sendText(text);
    input.focus();
  });

  input.addEventListener('keydown', function (ev) {
    if (ev.key === 'Enter' && !ev.shiftKey && !ev.isComposing) {
      ev.preventDefault();
      form.requestSubmit();
    }
  });

  function autosize() {
    input.style.height = 'auto';
    input.style.height = Math.min(input.scrollHeight, 140) + 'px';
  }
  input.addEventListener('input', autosize);

  document.getElementById('restart').addEventListener('click', function () {
    // Forget this device's conversation (shared phones): a new session, nothing shown.
    sessionID = '';
    pending = [];
    storageSet(KEY_SESSION, null);
    savePending();
    clearLog();
    showTyping(false);
    if (ws) {
      helloID = newID('h');
      ready = false;
      ws.send(JSON.stringify({ type: 'hello', id: helloID, session: '', locale: 'zh-CN', v: PROTOCOL }));
    }
  });

  connect();
})();
