// Chat page client for protocol v1 (docs/protocol.md). Plain browser JavaScript, no build step.
//
// What it keeps across reconnects and reloads (localStorage): the session id, and the frames
// sent but not yet answered. After every welcome it re-renders the history and re-sends the
// unanswered frames with their original ids; the server answers a re-sent id with the stored
// reply, never with a second turn.
//
// Query parameters: embed=1 (inside the widget), issuer=<bank id> and channel=web|app (sent in
// hello as the page's context), app_key=<key> (webviews), title=, color=#rrggbb, logo=https://…
// (the widget's branding), origin=<the embedding page's origin> (where widget events go).
(function () {
  'use strict';

  var PROTOCOL = 1;
  var KEY_SESSION = 'chatbot.session';
  var KEY_PENDING = 'chatbot.pending';
  var RETRY_MIN_MS = 1000;
  var RETRY_MAX_MS = 10000;
  var CHECK_TIMEOUT_MS = 8000;
  var CONFLICT_RETRY_MS = 400;

  var params = new URLSearchParams(location.search);
  var embed = params.get('embed') === '1';
  var appKey = params.get('app_key') || '';
  var hostOrigin = embed ? validOrigin(params.get('origin')) : '';
  var base = location.origin; // the page is always served by the chat server itself
  var pageContext = readContext();

  var logEl = document.getElementById('log');
  var statusEl = document.getElementById('status');
  var statusText = document.getElementById('status-text');
  var retryNowButton = document.getElementById('retry-now');
  var problemEl = document.getElementById('problem');
  var typingEl = document.getElementById('typing');
  var announceEl = document.getElementById('announce');
  var form = document.getElementById('composer');
  var input = document.getElementById('input');
  var greeting = document.getElementById('greeting');
  var restartButton = document.getElementById('restart');
  var confirmEl = document.getElementById('confirm-restart');

  var ws = null;
  var ready = false;          // welcome received on the current socket
  var everWelcomed = false;   // some socket of this page load got a welcome
  var refused = false;        // the server refuses this page (origin or app key): no automatic retries
  var helloID = '';           // id of our last hello: its welcome is the one that flushes pending
  var attempt = 0;            // reconnect attempts since the last welcome
  var timer = null;
  var lostConnection = false;
  var issuerInfo = null;      // {id, name, hotline, card_line} from /api/v1/check
  var typingAnnounced = false;
  var sessionID = storageGet(KEY_SESSION) || '';
  var pending = loadPending(); // [{frame, label}] sent or waiting, oldest first
  var shown = {};              // server reply ids already rendered

  // ---- page set-up: branding from the widget, embed mode ----

  function validOrigin(s) {
    try {
      var u = new URL(s || '');
      return (u.protocol === 'https:' || u.protocol === 'http:') && u.origin === s ? s : '';
    } catch (e) { return ''; }
  }

  function readContext() {
    var c = {};
    var issuer = (params.get('issuer') || '').trim();
    var channel = params.get('channel') || '';
    if (issuer) c.issuer = issuer.slice(0, 64);
    if (channel === 'web' || channel === 'app') c.channel = channel;
    else if (issuer || appKey) c.channel = appKey ? 'app' : 'web';
    return c.issuer || c.channel ? c : null;
  }

  (function brand() {
    var title = (params.get('title') || '').trim().slice(0, 40);
    if (title) {
      document.getElementById('title').textContent = title;
      document.title = title;
    }
    var color = params.get('color') || '';
    if (/^#([0-9a-f]{3}|[0-9a-f]{6})$/i.test(color)) {
      var brandColor = readable(color);
      document.documentElement.style.setProperty('--brand', brandColor);
      document.documentElement.style.setProperty('--brand-dark', shade(brandColor, 0.8));
    }
    var logo = params.get('logo') || '';
    if (/^https:\/\//.test(logo)) {
      var img = document.getElementById('logo');
      img.src = logo;
      img.hidden = false;
      img.onerror = function () { img.hidden = true; };
    }
  })();

  // readable darkens a brand colour until white text on it, and it as text on white, reach
  // 4.5:1 (WCAG AA), whatever colour a bank passes.
  function readable(hex) {
    var rgb = parseHex(hex);
    for (var i = 0; i < 20 && contrast(rgb, [255, 255, 255]) < 4.5; i++) {
      rgb = rgb.map(function (c) { return Math.round(c * 0.9); });
    }
    return toHex(rgb);
  }
  function shade(hex, f) { return toHex(parseHex(hex).map(function (c) { return Math.round(c * f); })); }
  function parseHex(hex) {
    hex = hex.slice(1);
    if (hex.length === 3) hex = hex.replace(/./g, '$&$&');
    return [0, 2, 4].map(function (i) { return parseInt(hex.slice(i, i + 2), 16); });
  }
  function toHex(rgb) { return '#' + rgb.map(function (c) { return ('0' + c.toString(16)).slice(-2); }).join(''); }
  function luminance(rgb) {
    var l = rgb.map(function (c) {
      c /= 255;
      return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
    });
    return 0.2126 * l[0] + 0.7152 * l[1] + 0.0722 * l[2];
  }
  function contrast(a, b) {
    var x = luminance(a), y = luminance(b);
    return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05);
  }

  if (embed) {
    document.body.classList.add('embed');
    var closeButton = document.getElementById('close');
    closeButton.hidden = false;
    closeButton.addEventListener('click', function () { notifyHost('close'); });
  }

  // notifyHost tells the page embedding the widget what happened (widget.js turns these into its
  // events). Only to the origin the widget named: nobody else learns anything.
  function notifyHost(type, detail) {
    if (!embed || window.parent === window) return;
    var msg = { type: 'chatbot:' + type, detail: detail || null };
    if (hostOrigin) window.parent.postMessage(msg, hostOrigin);
    else if (type === 'close') window.parent.postMessage(msg, '*'); // carries nothing
  }

  window.addEventListener('message', function (ev) {
    if (!embed || ev.source !== window.parent || (hostOrigin && ev.origin !== hostOrigin)) return;
    var d = ev.data || {};
    if (d.type === 'chatbot:send' && typeof d.text === 'string') sendText(d.text.slice(0, 1000));
    if (d.type === 'chatbot:focus') input.focus();
  });

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
    var url = base.replace(/^http/, 'ws') + '/ws';
    return appKey ? url + '?app_key=' + encodeURIComponent(appKey) : url;
  }

  function connect() {
    clearTimeout(timer);
    timer = null;
    ready = false;
    var sock;
    try {
      sock = new WebSocket(socketURL());
    } catch (e) {
      ws = null;
      diagnose();
      scheduleReconnect(1006);
      return;
    }
    ws = sock;
    sock.onopen = function () { sendHello(sock); };
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
      // A browser hides why a socket failed: a refused origin or app key look like a network
      // failure (1006). Before the first welcome, ask the server what is wrong.
      if (!everWelcomed) diagnose();
      scheduleReconnect(ev.code);
    };
  }

  function sendHello(sock) {
    helloID = newID('h');
    var hello = { type: 'hello', id: helloID, session: sessionID, locale: 'zh-CN', v: PROTOCOL };
    if (pageContext) hello.context = pageContext;
    sock.send(JSON.stringify(hello));
  }

  function scheduleReconnect(code) {
    if (timer || refused) return;
    lostConnection = true;
    var delay = Math.min(RETRY_MAX_MS, RETRY_MIN_MS * Math.pow(2, attempt));
    if (code === 1001) delay = 300;          // server restarting: another instance takes over
    if (code === 1008) delay = 15000;        // sent too fast: pause before trying again
    delay = delay * (0.5 + Math.random() / 2);
    attempt++;
    if (!navigator.onLine) {
      setStatus('网络已断开，恢复后将自动重新连接。', true);
      return; // the online event reconnects
    }
    setStatus(code === 1008
      ? '您发送得有点快，连接已暂停，稍后会自动恢复。'
      : '连接已断开，正在重新连接…', true);
    timer = setTimeout(connect, delay);
  }

  // retryNow skips the backoff: the person asked.
  function retryNow() {
    refused = false;
    attempt = 0;
    setStatus('正在连接…');
    if (ws && ws.readyState === WebSocket.OPEN) {
      if (!ready) sendHello(ws);
      return;
    }
    if (ws) { ws.onclose = null; ws.close(); ws = null; }
    connect();
  }
  retryNowButton.addEventListener('click', retryNow);
  document.getElementById('problem-retry').addEventListener('click', retryNow);

  window.addEventListener('online', function () {
    if (!ws) { attempt = 0; connect(); }
  });
  // A phone that comes back to the chat (app switched, screen on) reconnects at once instead of
  // waiting out the backoff.
  document.addEventListener('visibilitychange', function () {
    if (document.visibilityState === 'visible' && !ws && !refused) retryNow();
  });

  // diagnose asks GET /api/v1/check why the page cannot connect and shows what a person can do.
  function diagnose() {
    var q = new URLSearchParams();
    if (pageContext && pageContext.issuer) q.set('issuer', pageContext.issuer);
    if (appKey) q.set('app_key', appKey);
    var ctl = window.AbortController ? new AbortController() : null;
    var t = ctl && setTimeout(function () { ctl.abort(); }, CHECK_TIMEOUT_MS);
    fetch(base + '/api/v1/check?' + q.toString(), { cache: 'no-store', signal: ctl && ctl.signal })
      .then(function (resp) { return resp.json(); })
      .then(function (res) {
        clearTimeout(t);
        if (res.issuer) issuerInfo = res.issuer;
        if (everWelcomed && ready) return;
        if (!res.allowed) {
          refused = true;
          clearTimeout(timer);
          timer = null;
          setStatus('');
          showProblem(res.reason === 'app_key' ? 'app_key' : 'origin');
        } else if (!res.ready) {
          showProblem('busy');
        } else if (res.sockets === 'per_ip' || res.sockets === 'full') {
          // The server refused the socket (429 or 503, hidden by the browser). Retries go on:
          // room comes back when other windows close or the rush passes.
          showProblem(res.sockets);
        } else if (!everWelcomed) {
          showProblem('offline');
        }
      }, function () {
        clearTimeout(t);
        if (!everWelcomed) showProblem('offline');
      });
  }

  var problems = {
    offline: '暂时连不上在线咨询服务，请检查网络后重试。',
    busy: '在线咨询系统暂时繁忙，您的对话还不能开始。我们会自动重试，您也可以稍后点“重试”。',
    per_ip: '您这里同时打开的在线咨询窗口太多，暂时不能再连接。请关掉其他聊天窗口或标签页，再点“重试”。',
    full: '在线咨询的人太多，暂时连不上。我们会自动重试，您也可以过一会儿再点“重试”。',
    origin: '在线咨询暂未在本网站开通，所以无法在这里对话。',
    app_key: '在线咨询未能验证此 App，所以无法在这里对话。'
  };

  function showProblem(kind) {
    document.getElementById('problem-text').textContent = problems[kind];
    var call = document.getElementById('problem-call');
    call.textContent = '';
    call.appendChild(callAdvice());
    problemEl.hidden = false;
    problemEl.setAttribute('data-problem', kind);
  }
  function hideProblem() {
    problemEl.hidden = true;
    problemEl.removeAttribute('data-problem');
  }

  // callAdvice: whom to call while the chat cannot help, with only confirmed numbers.
  function callAdvice() {
    var frag = document.createDocumentFragment();
    var i = issuerInfo;
    var numbers = i ? [[i.hotline, ''], [i.card_line, '信用卡专线 ']].filter(function (n) { return n[0]; }) : [];
    if (!numbers.length) {
      frag.appendChild(document.createTextNode(i
        ? '着急的话，请拨打' + i.name + '信用卡背面或官方App里公布的客服电话。'
        : '着急的话，请拨打您信用卡背面或发卡行官方App里公布的客服电话。'));
      return frag;
    }
    frag.appendChild(document.createTextNode('着急的话，请拨打' + i.name + '客服电话：'));
    numbers.forEach(function (n, k) {
      if (k) frag.appendChild(document.createTextNode('、'));
      frag.appendChild(document.createTextNode(n[1]));
      var a = document.createElement('a');
      a.href = 'tel:' + n[0].replace(/[^0-9]/g, '');
      a.textContent = n[0];
      frag.appendChild(a);
    });
    frag.appendChild(document.createTextNode('。'));
    return frag;
  }

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
      case 'reply': onReply(f); break;
      case 'error': onError(f); break;
      case 'ack': settle(f.reply_to); break;
      default: break; // pong and frames from newer servers
    }
  }

  function onReply(f) {
    settle(f.reply_to);
    if (f.user_text && f.reply_to) maskUserBubble(f.reply_to, f.user_text);
    var fresh = f.id && !shown[f.id];
    addBot(f, true);
    if (!fresh) return;
    var detail = { id: f.id, kind: f.kind, article: f.article || '', handoff: !!f.handoff, priority: f.priority || '', lead: f.lead || '' };
    notifyHost('reply', detail);
    if (f.handoff || f.kind === 'handoff') notifyHost('handoff', detail);
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
    everWelcomed = true;
    refused = false;
    attempt = 0;
    hideProblem();
    if (lostConnection) {
      lostConnection = false;
      setStatus('已重新连接。', false, true);
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
    notifyHost('ready', { session: sessionID });
  }

  function onError(f) {
    if (f.reply_to && f.reply_to === helloID) {
      onHelloError(f);
      return;
    }
    var failed = f.reply_to && pending.filter(function (p) { return p.frame.id === f.reply_to; })[0];
    if (f.code === 'conflict' && failed && !failed.retried) {
      // Another tab wrote the session at the same moment; nothing was applied, so re-send.
      failed.retried = true;
      setTimeout(function () { transmit(failed.frame); }, CONFLICT_RETRY_MS);
      return;
    }
    settle(f.reply_to);
    var msg = f.reply_to && document.querySelector('[data-sent="' + f.reply_to + '"]');
    if (msg && failed) {
      markFailed(msg, f, failed);
    } else if (f.message) {
      addNotice(f.message);
    }
  }

  // onHelloError: the conversation could not start or resume on this socket.
  function onHelloError(f) {
    if (f.code === 'unknown_issuer' || f.code === 'bad_context') {
      // The embedding page is misconfigured: say so, and chat without the bank's context.
      if (window.console) console.error('chatbot: hello context refused (' + f.code + '):', pageContext);
      addNotice(f.message);
      pageContext = null;
      if (ws) sendHello(ws);
      return;
    }
    // Redis down, or the server is busy: say so with whom to call, and try again.
    if (!issuerInfo) diagnose();
    showProblem('busy');
    var delay = Math.min(RETRY_MAX_MS, RETRY_MIN_MS * Math.pow(2, attempt++));
    setTimeout(function () {
      if (ws && ws.readyState === WebSocket.OPEN && !ready) sendHello(ws);
    }, delay * (0.5 + Math.random() / 2));
  }

  // ---- rendering ----

  function clearLog() {
    while (logEl.firstChild) logEl.removeChild(logEl.firstChild);
    shown = {};
  }

  function scrollDown() {
    logEl.scrollTop = logEl.scrollHeight;
  }

  // revealStart scrolls so that a new reply opens at its first line (its lead), not its end:
  // on a phone a long answer's first step and phone numbers must be in view.
  function revealStart(node) {
    var top = Math.max(0, node.offsetTop - 8);
    if (logEl.scrollTo) logEl.scrollTo({ top: top });
    else logEl.scrollTop = top;
  }

  function addGreeting() {
    var node = greeting.content.firstElementChild.cloneNode(true);
    node.querySelectorAll('button.suggestion').forEach(function (b) {
      b.addEventListener('click', function () {
        sendText(b.textContent);
        input.focus();
      });
    });
    logEl.appendChild(node);
    scrollDown();
  }

  function speaker(text) {
    var s = el('span', 'visually-hidden speaker');
    s.textContent = text;
    return s;
  }

  function addUser(text, id) {
    var msg = el('div', 'msg user');
    if (id) msg.setAttribute('data-sent', id);
    msg.appendChild(speaker('您说：'));
    var bubble = el('div', 'bubble');
    var span = el('span', 'text');
    span.textContent = text;
    bubble.appendChild(span);
    msg.appendChild(bubble);
    logEl.appendChild(msg);
    scrollDown();
    return msg;
  }

  // maskUserBubble shows the user's message as the server stored it (card, ID and phone
  // numbers masked), so the screen does not keep what the server would not.
  function maskUserBubble(id, text) {
    var span = document.querySelector('[data-sent="' + id + '"] .bubble .text');
    if (span) span.textContent = text;
    pending.forEach(function (p) { if (p.frame.id === id) p.label = text; });
  }

  function addBot(f, live) {
    if (f.id && shown[f.id]) return;
    if (f.id) shown[f.id] = true;
    disableOldChoices();
    var agent = f.kind === 'agent' || f.role === 'agent'; // a person at the contact center wrote it
    var crisis = f.priority === 'crisis';
    var msg = el('div', 'msg bot' + (agent ? ' agent' : '') + (f.handoff || f.kind === 'handoff' ? ' handoff' : '') +
      (crisis ? ' crisis' : ''));
    if (f.id) {
      msg.setAttribute('data-reply', f.id);
      msg.id = 'reply-' + f.id; // a later reply may point here (the same question asked again)
    }
    if (f.article) msg.setAttribute('data-article', f.article);
    if (agent) {
      var who = el('div', 'meta who');
      who.textContent = f.agent ? '人工客服 · ' + f.agent : '人工客服';
      who.setAttribute('aria-hidden', 'true');
      msg.appendChild(who);
      msg.appendChild(speaker((f.agent ? '人工客服 ' + f.agent : '人工客服') + '说：'));
    } else {
      msg.appendChild(speaker(crisis ? '助手说（重要）：' : '助手说：'));
    }
    var bubble = el('div', 'bubble');
    if (crisis) {
      var tag = el('p', 'crisis-tag');
      tag.textContent = '请先看这里';
      tag.setAttribute('aria-hidden', 'true');
      bubble.appendChild(tag);
    }
    var body = el('div', 'body');
    if (f.html) body.innerHTML = f.html; // the server renders safe HTML (no raw HTML, safe links)
    else {
      body.textContent = f.text || '';
      body.classList.add('plain');
    }
    body.querySelectorAll('a[href^="http"]').forEach(function (a) {
      a.target = '_blank';
      a.rel = 'noopener noreferrer';
    });
    bubble.appendChild(body);
    if (f.lead) showLead(body, f.lead);
    if (f.sources && f.sources.length) bubble.appendChild(sourcesBlock(f.sources));
    if (f.copy_text) bubble.appendChild(copyControl(f.copy_text));
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
    if (f.id && f.article && f.kind === 'answer' && !agent) msg.appendChild(feedbackControl(f.id));
    logEl.appendChild(msg);
    if (live) revealStart(msg);
  }

  // showLead puts the reply's first step first, in bold: the paragraph that already says it
  // (answers open with it; a pointer to an earlier answer quotes it second), else a paragraph of
  // its own above the body.
  function showLead(body, lead) {
    var squash = function (s) { return s.replace(/[\s*：:。.!！]/g, ''); };
    var want = squash(lead);
    var blocks = body.querySelectorAll('p, li');
    for (var i = 0; want && i < blocks.length && i < 3; i++) {
      if (squash(blocks[i].textContent).indexOf(want) !== -1) {
        blocks[i].classList.add('lead');
        return;
      }
    }
    var p = el('p', 'lead');
    var strong = el('strong', '');
    strong.textContent = lead;
    p.appendChild(strong);
    body.insertBefore(p, body.firstChild);
  }

  function sourcesBlock(sources) {
    var box = el('div', 'sources');
    var h = el('p', 'sources-title');
    h.textContent = '依据';
    box.appendChild(h);
    var ul = el('ul', '');
    sources.forEach(function (s) {
      var li = el('li', '');
      li.textContent = s.title || s.id;
      if (s.id && s.title) {
        var id = el('span', 'source-id');
        id.textContent = ' ' + s.id;
        li.appendChild(id);
      }
      ul.appendChild(li);
    });
    box.appendChild(ul);
    return box;
  }

  function copyControl(text) {
    var box = el('div', 'copy');
    var b = el('button', 'copy-button');
    b.type = 'button';
    b.textContent = '复制这段内容';
    b.addEventListener('click', function () {
      copyText(text).then(function () {
        b.textContent = '已复制';
        announce('已复制到剪贴板');
      }, function () {
        b.textContent = '复制失败，请长按文字手动复制';
      });
    });
    box.appendChild(b);
    return box;
  }

  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text).catch(function () { return legacyCopy(text); });
    }
    return legacyCopy(text);
  }
  function legacyCopy(text) {
    return new Promise(function (resolve, reject) {
      var ta = document.createElement('textarea');
      ta.value = text;
      ta.setAttribute('readonly', '');
      ta.style.position = 'fixed';
      ta.style.opacity = '0';
      document.body.appendChild(ta);
      ta.select();
      var ok = false;
      try { ok = document.execCommand('copy'); } catch (e) { ok = false; }
      ta.remove();
      if (ok) resolve(); else reject(new Error('copy refused'));
    });
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
        input.focus();
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

  function markFailed(msg, f, item) {
    msg.classList.add('failed');
    var meta = el('div', 'meta error');
    meta.textContent = f.message || '发送失败。';
    if (f.code === 'unavailable') {
      meta.appendChild(document.createTextNode(' '));
      meta.appendChild(callAdvice());
    }
    var retry = el('button', 'retry');
    retry.type = 'button';
    retry.textContent = '重新发送';
    retry.addEventListener('click', function () {
      msg.classList.remove('failed');
      meta.remove();
      send(item.frame, item.label); // same id: never answered twice
      input.focus();
    });
    meta.appendChild(retry);
    msg.appendChild(meta);
  }

  function renderHistory(history) {
    clearLog();
    addGreeting();
    history.forEach(function (e) {
      if (e.role === 'user') addUser(e.text || '', e.id);
      else addBot(e, false);
    });
    scrollDown();
  }

  // showTyping shows the animated indicator; a screen reader hears 「助手正在回复」 once per page,
  // not on every turn.
  function showTyping(on) {
    typingEl.hidden = !on;
    if (on && !typingAnnounced) {
      typingAnnounced = true;
      announce('助手正在回复，请稍候。');
    }
  }

  function announce(text) {
    announceEl.textContent = '';
    setTimeout(function () { announceEl.textContent = text; }, 50);
  }

  function setStatus(text, offerRetry, ok) {
    statusText.textContent = text;
    statusEl.hidden = !text;
    retryNowButton.hidden = !offerRetry;
    statusEl.classList.toggle('ok', !!ok);
    if (ok) {
      setTimeout(function () {
        if (statusText.textContent === text) setStatus('');
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
    if (!ready && !refused) setStatus('正在连接，连接后会自动发送。', true);
  }

  function choose(button) {
    var id = newID('c');
    addUser(button.label, id);
    send({ type: 'choose', id: id, value: button.value }, button.label);
    input.focus(); // the pressed button is now disabled: keep the keyboard user in the chat
  }

  form.addEventListener('submit', function (ev) {
    ev.preventDefault();
    var text = input.value;
    input.value = '';
    autosize();
    sendText(text);
    input.focus();
  });

  // Enter sends, except while an input method is composing (pinyin, zhuyin…): the Enter that
  // commits the composition must not send half-typed text. Chrome reports it as keydown with
  // isComposing (then compositionend); Safari ends the composition first and then sends a
  // keydown with keyCode 229 and isComposing false. All three signals are checked.
  var composing = false;
  var justComposed = false;
  input.addEventListener('compositionstart', function () { composing = true; });
  input.addEventListener('compositionend', function () {
    composing = false;
    justComposed = true;
    setTimeout(function () { justComposed = false; }, 0);
  });
  input.addEventListener('keydown', function (ev) {
    if (ev.key !== 'Enter' || ev.shiftKey) return;
    if (ev.isComposing || ev.keyCode === 229 || composing || justComposed) return;
    ev.preventDefault();
    form.requestSubmit();
  });

  function autosize() {
    input.style.height = 'auto';
    input.style.height = Math.min(input.scrollHeight, 140) + 'px';
  }
  input.addEventListener('input', autosize);

  // 「新对话」 forgets this device's conversation (shared phones) after the user confirms.
  restartButton.addEventListener('click', function () {
    confirmEl.hidden = false;
    restartButton.setAttribute('aria-expanded', 'true');
    document.getElementById('restart-yes').focus();
  });
  function closeConfirm() {
    confirmEl.hidden = true;
    restartButton.setAttribute('aria-expanded', 'false');
  }
  document.getElementById('restart-no').addEventListener('click', function () {
    closeConfirm();
    restartButton.focus();
  });
  document.getElementById('restart-yes').addEventListener('click', function () {
    closeConfirm();
    sessionID = '';
    pending = [];
    storageSet(KEY_SESSION, null);
    savePending();
    clearLog();
    showTyping(false);
    if (ws && ws.readyState === WebSocket.OPEN) {
      ready = false;
      sendHello(ws);
    } else {
      addGreeting();
    }
    input.focus();
  });

  document.addEventListener('keydown', function (ev) {
    if (ev.key !== 'Escape') return;
    if (!confirmEl.hidden) {
      closeConfirm();
      restartButton.focus();
    } else if (embed) {
      notifyHost('close');
    }
  });

  // The greeting shows at once, so the page is never blank while it connects.
  addGreeting();
  connect();
})();
