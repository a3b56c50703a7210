/*
 * AutoCloser web-chat widget.
 *
 * Embed with:
 *   <script src="https://host/widget.js" data-merchant="demo" data-title="Chat with us" data-lang="en" async></script>
 *
 * Plain JS, no dependencies, no build step. The UI lives in an open shadow root so the
 * host page's CSS cannot break it and ours cannot leak out.
 */
(function () {
  'use strict';

  if (window.AutoCloserChat && window.AutoCloserChat.__autocloser) return;

  var script =
    document.currentScript ||
    document.querySelector('script[data-merchant][src*="widget"]');
  if (!script) return;

  var MAX_TEXT = 2000;
  var POLL_MS = 3000;
  var TYPING_CAP_MS = 20000;
  var SEND_TIMEOUT_MS = 15000;
  var SEND_BACKOFF_MS = [500, 1000, 2000, 4000, 8000, 15000];
  var WS_BACKOFF_MAX_MS = 30000;
  var SESSION_RE = /^[A-Za-z0-9_-]{8,128}$/;

  var STRINGS = {
    en: {
      open: 'Open chat',
      close: 'Close chat',
      title: 'Chat with us',
      subtitle: 'We usually reply in a few seconds',
      placeholder: 'Write a message…',
      inputLabel: 'Message',
      send: 'Send message',
      you: 'You',
      bot: 'Assistant',
      human: 'Team member',
      sending: 'Sending…',
      sent: 'Sent',
      failed: 'Not sent.',
      retry: 'Retry',
      typing: 'Writing a reply…',
      greeting: 'Hi! Ask us anything about our products, prices or your order.',
      loading: 'Loading conversation…',
      unavailable: 'Chat is unavailable right now. Please try again later.',
      tooLong: 'Message is too long.',
      rejected: 'The message was rejected.',
      offline: 'Reconnecting…',
      log: 'Conversation',
      unread: 'unread messages'
    },
    tr: {
      open: 'Sohbeti aç',
      close: 'Sohbeti kapat',
      title: 'Bize yazın',
      subtitle: 'Genellikle birkaç saniye içinde yanıtlıyoruz',
      placeholder: 'Bir mesaj yazın…',
      inputLabel: 'Mesaj',
      send: 'Mesajı gönder',
      you: 'Siz',
      bot: 'Asistan',
      human: 'Ekip üyesi',
      sending: 'Gönderiliyor…',
      sent: 'Gönderildi',
      failed: 'Gönderilemedi.',
      retry: 'Tekrar dene',
      typing: 'Yanıt yazılıyor…',
      greeting: 'Merhaba! Ürünlerimiz, fiyatlar veya siparişiniz hakkında bize her şeyi sorabilirsiniz.',
      loading: 'Sohbet yükleniyor…',
      unavailable: 'Sohbet şu anda kullanılamıyor. Lütfen daha sonra tekrar deneyin.',
      tooLong: 'Mesaj çok uzun.',
      rejected: 'Mesaj reddedildi.',
      offline: 'Yeniden bağlanılıyor…',
      log: 'Sohbet',
      unread: 'okunmamış mesaj'
    }
  };

  // ---------------------------------------------------------------- config

  var merchant = (script.getAttribute('data-merchant') || '').trim();
  if (!merchant) {
    if (window.console) console.warn('[AutoCloser] widget.js needs a data-merchant attribute');
    return;
  }
  var langAttr = (script.getAttribute('data-lang') || '').toLowerCase();
  if (!langAttr || langAttr === 'auto') langAttr = (navigator.language || 'en').slice(0, 2).toLowerCase();
  var lang = STRINGS[langAttr] ? langAttr : 'en';
  var t = STRINGS[lang];
  var title = script.getAttribute('data-title') || t.title;
  var openMode = (script.getAttribute('data-open') || 'false').toLowerCase();
  var accent = script.getAttribute('data-color');
  if (accent && !(window.CSS && CSS.supports && CSS.supports('color', accent))) accent = null;

  var apiBase = (function () {
    var explicit = script.getAttribute('data-api');
    if (explicit) return explicit.replace(/\/+$/, '');
    try {
      // The directory the script is served from, so a reverse-proxy prefix keeps working.
      return new URL('.', script.src).href.replace(/\/+$/, '');
    } catch (e) {
      return location.origin;
    }
  })();
  var merchantPath = '/api/webchat/' + encodeURIComponent(merchant);

  // ---------------------------------------------------------------- storage

  function storageGet(area, key) {
    try { return window[area].getItem(key); } catch (e) { return null; }
  }
  function storageSet(area, key, value) {
    try {
      if (value === null) window[area].removeItem(key);
      else window[area].setItem(key, value);
    } catch (e) { /* storage blocked (private mode, sandboxed iframe): keep going in memory */ }
  }

  var KEY_SESSION = 'autocloser:' + merchant + ':session';
  var KEY_OUTBOX = 'autocloser:' + merchant + ':outbox';
  var KEY_CLOSED = 'autocloser:' + merchant + ':closed';

  function randomBytes(n) {
    var bytes = new Uint8Array(n);
    if (window.crypto && crypto.getRandomValues) crypto.getRandomValues(bytes);
    else for (var i = 0; i < n; i++) bytes[i] = Math.floor(Math.random() * 256);
    return bytes;
  }

  function newSessionId() {
    var alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    var bytes = randomBytes(24);
    var out = '';
    // 256 is a multiple of 64, so masking keeps the distribution uniform.
    for (var i = 0; i < bytes.length; i++) out += alphabet[bytes[i] & 63];
    return out;
  }

  function newMessageId() {
    if (window.crypto && typeof crypto.randomUUID === 'function') return crypto.randomUUID();
    var b = randomBytes(16);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    var h = '';
    for (var i = 0; i < 16; i++) h += (b[i] + 0x100).toString(16).slice(1);
    return h.slice(0, 8) + '-' + h.slice(8, 12) + '-' + h.slice(12, 16) + '-' + h.slice(16, 20) + '-' + h.slice(20);
  }

  var storedSession = storageGet('localStorage', KEY_SESSION);
  var returning = !!(storedSession && SESSION_RE.test(storedSession));
  var sessionId = returning ? storedSession : newSessionId();
  if (!returning) storageSet('localStorage', KEY_SESSION, sessionId);

  // Unconfirmed customer messages survive a reload and are re-sent with the same id,
  // which the server treats as the same message.
  function loadOutbox() {
    try {
      var list = JSON.parse(storageGet('localStorage', KEY_OUTBOX) || '[]');
      return Array.isArray(list) ? list.filter(function (m) { return m && typeof m.id === 'string' && typeof m.text === 'string'; }) : [];
    } catch (e) { return []; }
  }
  function saveOutbox() {
    var pending = [];
    messages.forEach(function (m) {
      if (m.from === 'customer' && (m.status === 'sending' || m.status === 'failed')) {
        pending.push({ id: m.id, text: m.text, at: m.at });
      }
    });
    storageSet('localStorage', KEY_OUTBOX, pending.length ? JSON.stringify(pending) : null);
  }

  function url(path) { return apiBase + merchantPath + path; }
  function sessionPath() { return '/sessions/' + encodeURIComponent(sessionId); }
  function wsUrl() {
    var u = new URL(url(sessionPath() + '/ws'), location.href);
    u.protocol = u.protocol === 'https:' ? 'wss:' : 'ws:';
    return u.href;
  }

  // ---------------------------------------------------------------- styles

  var CSS_TEXT = [
    ':host{all:initial;--acw-accent:' + (accent || '#1f6f4a') + ';--acw-accent-ink:#fff;--acw-bg:#fff;--acw-ink:#1c2321;--acw-muted:#5d6864;',
    '--acw-line:#e3e7e5;--acw-bot:#f1f4f2;--acw-human:#fff6e0;--acw-human-line:#e9c46a;--acw-danger:#b42318}',
    // Set on the top-level boxes, not only on :host: host-page rules (even `* {color: red !important}`)
    // win over :host and would otherwise be inherited.
    '.acw-launcher,.acw-panel{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;',
    'color:var(--acw-ink);text-align:left;letter-spacing:normal;word-spacing:normal;text-transform:none;text-shadow:none;direction:ltr}',
    '*,*::before,*::after{box-sizing:border-box}',
    'button,textarea{font:inherit;color:inherit}',
    '.acw-launcher{position:fixed;right:20px;bottom:20px;z-index:2147483000;width:60px;height:60px;border-radius:50%;border:0;',
    'background:var(--acw-accent);color:var(--acw-accent-ink);cursor:pointer;box-shadow:0 6px 20px rgba(0,0,0,.22);',
    'display:flex;align-items:center;justify-content:center;transition:transform .18s ease,box-shadow .18s ease}',
    '.acw-launcher:hover{transform:translateY(-2px);box-shadow:0 10px 24px rgba(0,0,0,.26)}',
    '.acw-launcher:focus-visible,.acw-icon-btn:focus-visible,.acw-send:focus-visible,.acw-retry:focus-visible{outline:3px solid #8ab4f8;outline-offset:2px}',
    '.acw-launcher svg{width:28px;height:28px}',
    '.acw-badge{position:absolute;top:-2px;right:-2px;min-width:22px;height:22px;padding:0 6px;border-radius:11px;background:#d92d20;color:#fff;',
    'font-size:12px;font-weight:700;line-height:22px;text-align:center;border:2px solid #fff}',
    '.acw-badge[hidden]{display:none}',
    '.acw-panel{position:fixed;right:20px;bottom:92px;z-index:2147483001;width:380px;height:min(620px,calc(100vh - 112px));',
    'display:flex;flex-direction:column;background:var(--acw-bg);border-radius:16px;overflow:hidden;',
    'box-shadow:0 16px 48px rgba(0,0,0,.22),0 2px 6px rgba(0,0,0,.08);border:1px solid var(--acw-line);',
    'transform-origin:bottom right;animation:acw-in .2s ease-out}',
    '.acw-panel[hidden]{display:none}',
    '@keyframes acw-in{from{opacity:0;transform:translateY(12px) scale(.98)}to{opacity:1;transform:none}}',
    '.acw-header{display:flex;align-items:center;gap:12px;padding:14px 12px 14px 16px;background:var(--acw-accent);color:var(--acw-accent-ink)}',
    '.acw-avatar{flex:none;width:36px;height:36px;border-radius:50%;background:rgba(255,255,255,.18);display:flex;align-items:center;justify-content:center}',
    '.acw-avatar svg{width:20px;height:20px}',
    '.acw-heading{flex:1;min-width:0}',
    '.acw-title{margin:0;font-size:16px;font-weight:650;line-height:1.25;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}',
    '.acw-subtitle{margin:2px 0 0;font-size:12.5px;opacity:.85}',
    '.acw-icon-btn{flex:none;width:36px;height:36px;border:0;border-radius:8px;background:transparent;color:inherit;cursor:pointer;display:flex;align-items:center;justify-content:center}',
    '.acw-icon-btn:hover{background:rgba(255,255,255,.16)}',
    '.acw-icon-btn svg{width:20px;height:20px}',
    '.acw-conn{padding:6px 16px;font-size:12.5px;background:#fff4e5;color:#7a4b00;border-bottom:1px solid #f3dfbf}',
    '.acw-conn[hidden]{display:none}',
    '.acw-scroll{flex:1;overflow-y:auto;overscroll-behavior:contain;padding:16px 14px 8px;background:#fafbfa}',
    '.acw-note{margin:0 auto 14px;max-width:92%;text-align:center;color:var(--acw-muted);font-size:13px}',
    '.acw-note[hidden]{display:none}',
    '.acw-note.acw-error{color:var(--acw-danger)}',
    '.acw-log{display:flex;flex-direction:column;gap:10px}',
    '.acw-msg{display:flex;flex-direction:column;max-width:82%;align-self:flex-start}',
    '.acw-msg[data-from="customer"]{align-self:flex-end;align-items:flex-end}',
    '.acw-author{font-size:11.5px;font-weight:600;color:var(--acw-muted);margin:0 0 3px 4px;display:flex;align-items:center;gap:5px}',
    '.acw-author .acw-dot{width:7px;height:7px;border-radius:50%;background:var(--acw-accent)}',
    '.acw-msg[data-from="human"] .acw-author .acw-dot{background:#d4a017}',
    '.acw-bubble{padding:9px 12px;border-radius:14px;white-space:pre-wrap;overflow-wrap:anywhere;word-break:break-word}',
    '.acw-msg[data-from="customer"] .acw-bubble{background:var(--acw-accent);color:var(--acw-accent-ink);border-bottom-right-radius:4px}',
    '.acw-msg[data-from="bot"] .acw-bubble{background:var(--acw-bot);border-bottom-left-radius:4px}',
    '.acw-msg[data-from="human"] .acw-bubble{background:var(--acw-human);border:1px solid var(--acw-human-line);border-bottom-left-radius:4px}',
    '.acw-bubble a{color:inherit;text-decoration:underline;text-underline-offset:2px}',
    '.acw-msg[data-from="bot"] .acw-bubble a,.acw-msg[data-from="human"] .acw-bubble a{color:#0b57d0}',
    '.acw-meta{font-size:11.5px;color:var(--acw-muted);margin:3px 4px 0;display:flex;gap:6px;align-items:center}',
    '.acw-msg[data-status="sending"] .acw-bubble{opacity:.7}',
    '.acw-msg[data-status="failed"] .acw-bubble{background:#fde8e6;color:var(--acw-danger);border:1px solid #f5b5ad}',
    '.acw-msg[data-status="failed"] .acw-meta{color:var(--acw-danger)}',
    '.acw-retry{border:0;background:none;padding:0;color:var(--acw-danger);font-weight:650;text-decoration:underline;cursor:pointer}',
    '.acw-typing{display:flex;align-items:center;gap:8px;margin:10px 0 4px;color:var(--acw-muted);font-size:12.5px}',
    '.acw-typing[hidden]{display:none}',
    '.acw-dots{display:inline-flex;gap:4px;padding:10px 12px;background:var(--acw-bot);border-radius:14px;border-bottom-left-radius:4px}',
    '.acw-dots span{width:7px;height:7px;border-radius:50%;background:#8a9691;animation:acw-blink 1.2s infinite ease-in-out}',
    '.acw-dots span:nth-child(2){animation-delay:.15s}.acw-dots span:nth-child(3){animation-delay:.3s}',
    '@keyframes acw-blink{0%,80%,100%{opacity:.3;transform:translateY(0)}40%{opacity:1;transform:translateY(-3px)}}',
    '.acw-form{display:flex;align-items:flex-end;gap:8px;padding:10px 12px 12px;border-top:1px solid var(--acw-line);background:var(--acw-bg)}',
    '.acw-input{flex:1;min-height:42px;max-height:132px;resize:none;padding:10px 12px;border:1px solid #cfd6d3;border-radius:12px;background:#fff;line-height:1.4;outline:none}',
    '.acw-input:focus{border-color:var(--acw-accent);box-shadow:0 0 0 3px rgba(31,111,74,.15)}',
    '.acw-send{flex:none;width:42px;height:42px;border:0;border-radius:12px;background:var(--acw-accent);color:var(--acw-accent-ink);cursor:pointer;display:flex;align-items:center;justify-content:center}',
    '.acw-send:disabled{opacity:.45;cursor:default}',
    '.acw-send svg{width:20px;height:20px}',
    '.acw-sr{position:absolute;width:1px;height:1px;padding:0;margin:-1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap;border:0}',
    '@media (max-width:480px){',
    '.acw-panel{inset:0;width:100%;height:100%;height:100dvh;border-radius:0;border:0;box-shadow:none}',
    '.acw-launcher{right:16px;bottom:16px}',
    ':host(.acw-open) .acw-launcher{display:none}',
    '.acw-input{font-size:16px}', // below 16px iOS zooms the page on focus
    '.acw-form{padding-bottom:max(12px,env(safe-area-inset-bottom))}',
    '}',
    '@media (prefers-reduced-motion:reduce){',
    '.acw-panel{animation:none}.acw-launcher{transition:none}.acw-launcher:hover{transform:none}',
    '.acw-dots span{animation:none;opacity:.7}',
    '}'
  ].join('');

  var ICON_CHAT = '<svg viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true"><path d="M21 12a8 8 0 0 1-11.6 7.1L4 20l1-4.6A8 8 0 1 1 21 12z"/></svg>';
  var ICON_CLOSE = '<svg viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2.2" stroke-linecap="round" aria-hidden="true"><path d="M6 6l12 12M18 6L6 18"/></svg>';
  var ICON_SEND = '<svg viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2.2" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true"><path d="M5 12h13M13 6l6 6-6 6"/></svg>';

  // ---------------------------------------------------------------- DOM

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    if (attrs) {
      for (var k in attrs) {
        if (!Object.prototype.hasOwnProperty.call(attrs, k)) continue;
        if (k === 'text') node.textContent = attrs[k];
        else if (k === 'icon') node.innerHTML = attrs[k]; // static SVG constants only
        else node.setAttribute(k, attrs[k]);
      }
    }
    (children || []).forEach(function (c) { if (c) node.appendChild(c); });
    return node;
  }

  // A custom element name so host-page rules for div and friends do not match the host.
  var host = el('autocloser-chat', { 'data-testid': 'chat-widget' });
  var root = host.attachShadow ? host.attachShadow({ mode: 'open' }) : host;
  root.appendChild(el('style', { text: CSS_TEXT }));

  var uid = 'acw-' + Math.random().toString(36).slice(2, 8);

  var badge = el('span', { class: 'acw-badge', hidden: '', 'aria-hidden': 'true' });
  var launcher = el('button', {
    type: 'button', class: 'acw-launcher', 'aria-label': t.open, 'aria-expanded': 'false',
    'aria-controls': uid + '-panel', 'data-testid': 'chat-launcher', icon: ICON_CHAT
  });
  launcher.appendChild(badge);

  var closeBtn = el('button', { type: 'button', class: 'acw-icon-btn', 'aria-label': t.close, 'data-testid': 'chat-close', icon: ICON_CLOSE });
  var header = el('div', { class: 'acw-header' }, [
    el('div', { class: 'acw-avatar', icon: ICON_CHAT }),
    el('div', { class: 'acw-heading' }, [
      el('h2', { class: 'acw-title', id: uid + '-title', text: title }),
      el('p', { class: 'acw-subtitle', text: t.subtitle })
    ]),
    closeBtn
  ]);

  var connBar = el('div', { class: 'acw-conn', hidden: '', role: 'status', text: t.offline, 'data-testid': 'chat-connection' });
  var note = el('p', { class: 'acw-note', 'data-testid': 'chat-greeting', text: t.greeting });
  var log = el('div', { class: 'acw-log', role: 'log', 'aria-live': 'polite', 'aria-label': t.log, 'data-testid': 'chat-log' });
  var typingLabel = el('span', { text: t.typing });
  var typing = el('div', { class: 'acw-typing', hidden: '', 'data-testid': 'chat-typing' }, [
    el('span', { class: 'acw-dots', 'aria-hidden': 'true' }, [el('span'), el('span'), el('span')]),
    typingLabel
  ]);
  var scroller = el('div', { class: 'acw-scroll' }, [note, log, typing]);

  var input = el('textarea', {
    class: 'acw-input', rows: '1', maxlength: String(MAX_TEXT), placeholder: t.placeholder,
    'aria-label': t.inputLabel, 'data-testid': 'chat-input', enterkeyhint: 'send', autocomplete: 'off'
  });
  var sendBtn = el('button', { type: 'submit', class: 'acw-send', 'aria-label': t.send, 'data-testid': 'chat-send', disabled: '', icon: ICON_SEND });
  var form = el('form', { class: 'acw-form', 'data-testid': 'chat-form' }, [input, sendBtn]);

  var panel = el('div', {
    class: 'acw-panel', id: uid + '-panel', role: 'dialog', 'aria-labelledby': uid + '-title',
    hidden: '', 'data-testid': 'chat-panel'
  }, [header, connBar, scroller, form]);

  root.appendChild(panel);
  root.appendChild(launcher);

  // ---------------------------------------------------------------- messages

  /** id -> { id, from, text, at, status, el, confirmed } */
  var messages = new Map();
  var isOpen = false;
  var unread = 0;
  var transcriptLoaded = false;

  function formatTime(at) {
    var d = new Date(at);
    if (isNaN(d.getTime())) return '';
    try {
      return d.toLocaleTimeString(lang, { hour: '2-digit', minute: '2-digit' });
    } catch (e) {
      return d.toTimeString().slice(0, 5);
    }
  }

  // Trailing punctuation is usually sentence punctuation, not part of the link.
  var URL_RE = /\bhttps?:\/\/[^\s<>"'`]+/gi;
  function appendLinkified(target, text) {
    var last = 0;
    var match;
    URL_RE.lastIndex = 0;
    while ((match = URL_RE.exec(text))) {
      var raw = match[0];
      var trimmed = raw.replace(/[.,;:!?]+$/, '');
      while (/[)\]}]$/.test(trimmed)) {
        var close = trimmed.slice(-1);
        var open = close === ')' ? '(' : close === ']' ? '[' : '{';
        if (trimmed.split(open).length >= trimmed.split(close).length) break;
        trimmed = trimmed.slice(0, -1);
      }
      var start = match.index;
      var href = null;
      try {
        var parsed = new URL(trimmed);
        if (parsed.protocol === 'http:' || parsed.protocol === 'https:') href = parsed.href;
      } catch (e) { href = null; }
      if (start > last) target.appendChild(document.createTextNode(text.slice(last, start)));
      if (href) {
        var a = document.createElement('a');
        a.href = href;
        a.target = '_blank';
        a.rel = 'noopener noreferrer nofollow';
        a.textContent = trimmed;
        target.appendChild(a);
      } else {
        target.appendChild(document.createTextNode(trimmed));
      }
      last = start + trimmed.length;
      URL_RE.lastIndex = last;
    }
    if (last < text.length) target.appendChild(document.createTextNode(text.slice(last)));
  }

  function authorLabel(from) {
    return from === 'customer' ? t.you : from === 'human' ? t.human : t.bot;
  }

  function renderMessage(m) {
    var node = el('div', { class: 'acw-msg', 'data-testid': 'chat-message' });
    if (m.from !== 'customer') {
      node.appendChild(el('div', { class: 'acw-author' }, [el('span', { class: 'acw-dot', 'aria-hidden': 'true' }), el('span', { text: authorLabel(m.from) })]));
    } else {
      node.appendChild(el('span', { class: 'acw-sr', text: t.you + ':' }));
    }
    var bubble = el('div', { class: 'acw-bubble', 'data-testid': 'chat-message-text' });
    appendLinkified(bubble, m.text);
    node.appendChild(bubble);
    node.appendChild(el('div', { class: 'acw-meta' }));
    m.el = node;
    updateMessageNode(m);
    return node;
  }

  function updateMessageNode(m) {
    var node = m.el;
    node.setAttribute('data-from', m.from);
    node.setAttribute('data-message-id', m.id);
    if (m.from === 'customer') node.setAttribute('data-status', m.status);
    var meta = node.querySelector('.acw-meta');
    meta.textContent = '';
    var time = formatTime(m.at);
    if (m.from !== 'customer') {
      if (time) meta.appendChild(el('span', { text: time }));
      return;
    }
    if (m.status === 'failed') {
      meta.appendChild(el('span', { 'data-testid': 'chat-message-status', text: m.error ? t.failed + ' ' + m.error : t.failed }));
      var retry = el('button', { type: 'button', class: 'acw-retry', 'data-testid': 'chat-retry', text: t.retry });
      retry.addEventListener('click', function () { retrySend(m); });
      meta.appendChild(retry);
      return;
    }
    if (time) meta.appendChild(el('span', { text: time }));
    meta.appendChild(el('span', { 'data-testid': 'chat-message-status', text: m.status === 'sending' ? t.sending : t.sent }));
  }

  function nearBottom() {
    return scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < 80;
  }
  function scrollToBottom() {
    scroller.scrollTop = scroller.scrollHeight;
  }

  // Server-confirmed messages go after the last confirmed one, so a transcript that loads
  // late or a reply that lands while a send is pending never ends up below unsent drafts.
  function insertConfirmed(node) {
    var children = log.children;
    for (var i = children.length - 1; i >= 0; i--) {
      var other = messages.get(children[i].getAttribute('data-message-id'));
      if (other && other.confirmed) {
        log.insertBefore(node, children[i].nextSibling);
        return;
      }
    }
    log.insertBefore(node, log.firstChild);
  }

  function refreshNote() {
    note.hidden = messages.size > 0 && note.getAttribute('data-kind') !== 'error';
  }

  function setNote(kind, text) {
    if (kind) note.setAttribute('data-kind', kind); else note.removeAttribute('data-kind');
    note.className = 'acw-note' + (kind === 'error' ? ' acw-error' : '');
    note.textContent = text;
    refreshNote();
  }

  /** Merge one message that the server knows about. Returns true if it was new. */
  function applyServerMessage(raw, live) {
    if (!raw || typeof raw.id !== 'string' || typeof raw.text !== 'string') return false;
    var from = raw.from === 'customer' || raw.from === 'human' ? raw.from : 'bot';
    var stick = nearBottom();
    var existing = messages.get(raw.id);
    if (existing) {
      if (!existing.confirmed || existing.status !== 'sent') {
        existing.confirmed = true;
        existing.status = 'sent';
        existing.error = null;
        if (raw.at) existing.at = raw.at;
        updateMessageNode(existing);
        saveOutbox();
      }
      return false;
    }
    var m = { id: raw.id, from: from, text: raw.text, at: raw.at || new Date().toISOString(), status: 'sent', confirmed: true };
    messages.set(m.id, m);
    insertConfirmed(renderMessage(m));
    refreshNote();
    if (from !== 'customer') {
      stopTyping();
      if (live && !isOpen) {
        unread += 1;
        renderBadge();
      }
    }
    if (stick || from === 'customer') scrollToBottom();
    return true;
  }

  function renderBadge() {
    badge.hidden = unread === 0;
    badge.textContent = unread > 9 ? '9+' : String(unread);
    launcher.setAttribute('aria-label', unread ? t.open + ' (' + unread + ' ' + t.unread + ')' : t.open);
  }

  // ---------------------------------------------------------------- typing indicator

  var typingTimer = null;
  function startTyping() {
    typing.hidden = false;
    clearTimeout(typingTimer);
    typingTimer = setTimeout(stopTyping, TYPING_CAP_MS);
    scrollToBottom();
  }
  function stopTyping() {
    typing.hidden = true;
    clearTimeout(typingTimer);
    typingTimer = null;
  }

  // ---------------------------------------------------------------- sending

  function sleep(ms) { return new Promise(function (r) { setTimeout(r, ms); }); }
  function jitter(ms) { return Math.round(ms * (0.75 + Math.random() * 0.5)); }

  function postMessage(m) {
    var controller = typeof AbortController === 'function' ? new AbortController() : null;
    var timer = controller ? setTimeout(function () { controller.abort(); }, SEND_TIMEOUT_MS) : null;
    return fetch(url('/messages'), {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ sessionId: sessionId, text: m.text, clientMessageId: m.id }),
      credentials: 'omit',
      mode: 'cors',
      signal: controller ? controller.signal : undefined
    }).finally(function () { if (timer) clearTimeout(timer); });
  }

  function errorText(status) {
    if (status === 404) return t.unavailable;
    if (status === 413) return t.tooLong;
    return t.rejected;
  }

  function retryAfterMs(res) {
    var v = res.headers.get('Retry-After');
    if (!v) return 0;
    var secs = Number(v);
    if (!isNaN(secs)) return Math.min(secs * 1000, 60000);
    var date = Date.parse(v);
    return isNaN(date) ? 0 : Math.min(Math.max(date - Date.now(), 0), 60000);
  }

  /** Sends with the same clientMessageId on every attempt, so retries cannot duplicate. */
  function deliver(m) {
    var attempt = 0;
    function finish(status, error) {
      if (m.status === 'sent') return { id: m.id, status: 'sent' }; // echoed meanwhile
      m.status = status;
      m.error = error || null;
      if (status === 'sent') m.confirmed = true;
      updateMessageNode(m);
      saveOutbox();
      if (status === 'failed' && !hasPendingSend()) stopTyping();
      return { id: m.id, status: status };
    }
    function tryOnce() {
      if (m.status === 'sent') return Promise.resolve({ id: m.id, status: 'sent' });
      return postMessage(m).then(function (res) {
        if (res.ok) {
          return res.json().catch(function () { return {}; }).then(function (body) {
            if (body && typeof body.messageId === 'string' && body.messageId !== m.id) rekey(m, body.messageId);
            return finish('sent');
          });
        }
        if (res.status === 429 || res.status >= 500) return backoff(retryAfterMs(res));
        return res.json().catch(function () { return null; }).then(function (body) {
          var message = body && body.error && typeof body.error.message === 'string' && res.status === 400 ? body.error.message : errorText(res.status);
          return finish('failed', message);
        });
      }, function () {
        return backoff(0);
      });
    }
    function backoff(minMs) {
      if (attempt >= SEND_BACKOFF_MS.length) return finish('failed');
      var wait = Math.max(minMs, jitter(SEND_BACKOFF_MS[attempt]));
      attempt += 1;
      return sleep(wait).then(tryOnce);
    }
    return tryOnce();
  }

  function rekey(m, newId) {
    messages.delete(m.id);
    m.id = newId;
    messages.set(newId, m);
    m.el.setAttribute('data-message-id', newId);
  }

  function hasPendingSend() {
    var pending = false;
    messages.forEach(function (m) { if (m.from === 'customer' && m.status === 'sending') pending = true; });
    return pending;
  }

  function send(text) {
    if (typeof text !== 'string') return Promise.resolve(null);
    text = text.replace(/\r\n/g, '\n').trim();
    if (!text) return Promise.resolve(null);
    if (text.length > MAX_TEXT) text = text.slice(0, MAX_TEXT);
    activate();
    var m = { id: newMessageId(), from: 'customer', text: text, at: new Date().toISOString(), status: 'sending', confirmed: false };
    messages.set(m.id, m);
    log.appendChild(renderMessage(m));
    refreshNote();
    saveOutbox();
    scrollToBottom();
    startTyping();
    return deliver(m);
  }

  function retrySend(m) {
    m.status = 'sending';
    m.error = null;
    m.at = new Date().toISOString();
    log.appendChild(m.el); // a retried message is the newest one now
    updateMessageNode(m);
    saveOutbox();
    scrollToBottom();
    startTyping();
    return deliver(m);
  }

  // ---------------------------------------------------------------- receiving

  var loadingTranscript = null;
  function loadTranscript(showLoading) {
    if (loadingTranscript) return loadingTranscript;
    if (showLoading && !messages.size) setNote('loading', t.loading);
    loadingTranscript = fetch(url(sessionPath() + '/messages'), { credentials: 'omit', mode: 'cors' })
      .then(function (res) {
        if (res.status === 404) {
          // An unknown session is simply a new conversation; an unknown merchant is not.
          return res.json().catch(function () { return null; }).then(function (body) {
            var code = body && body.error && body.error.code ? String(body.error.code) : '';
            if (/session|conversation/i.test(code)) return [];
            throw { unavailable: true };
          });
        }
        if (!res.ok) throw new Error('HTTP ' + res.status);
        return res.json();
      })
      .then(function (list) {
        if (!Array.isArray(list)) return;
        var wasLoaded = transcriptLoaded;
        transcriptLoaded = true;
        list.forEach(function (raw) { applyServerMessage(raw, wasLoaded); });
        if (note.getAttribute('data-kind')) setNote(null, t.greeting);
      })
      .catch(function (err) {
        if (err && err.unavailable) setNote('error', t.unavailable);
        else if (note.getAttribute('data-kind') === 'loading') setNote(null, t.greeting);
      })
      .finally(function () { loadingTranscript = null; });
    return loadingTranscript;
  }

  var socket = null;
  var socketUp = false;
  var wsAttempt = 0;
  var wsTimer = null;
  var pollTimer = null;
  var active = false;

  function connectSocket() {
    if (!('WebSocket' in window)) { startPolling(); return; }
    clearTimeout(wsTimer);
    wsTimer = null;
    var ws;
    try {
      ws = new WebSocket(wsUrl());
    } catch (e) {
      scheduleReconnect();
      return;
    }
    socket = ws;
    ws.onopen = function () {
      if (socket !== ws) return;
      socketUp = true;
      wsAttempt = 0;
      connBar.hidden = true;
      stopPolling();
      loadTranscript(false); // catch up on anything pushed while we were away
    };
    ws.onmessage = function (ev) {
      var frame;
      try { frame = JSON.parse(ev.data); } catch (e) { return; }
      if (frame && frame.type === 'message') applyServerMessage(frame.message, true);
    };
    ws.onclose = function () {
      if (socket !== ws) return;
      socket = null;
      socketUp = false;
      startPolling();
      scheduleReconnect();
    };
    ws.onerror = function () { /* onclose follows */ };
  }

  function scheduleReconnect() {
    if (wsTimer) return;
    var delay = jitter(Math.min(WS_BACKOFF_MAX_MS, 1000 * Math.pow(2, wsAttempt)));
    wsAttempt += 1;
    if (wsAttempt >= 3) connBar.hidden = false;
    wsTimer = setTimeout(connectSocket, delay);
  }

  function startPolling() {
    if (pollTimer) return;
    pollTimer = setInterval(function () {
      if (socketUp || document.hidden) return;
      loadTranscript(false);
    }, POLL_MS);
  }
  function stopPolling() {
    clearInterval(pollTimer);
    pollTimer = null;
  }

  /** Starts the connection the first time the customer engages (or returns with history). */
  function activate() {
    if (active) return;
    active = true;
    loadTranscript(true);
    connectSocket();
    loadOutbox().forEach(function (saved) {
      if (messages.has(saved.id)) return;
      var m = { id: saved.id, from: 'customer', text: saved.text, at: saved.at || new Date().toISOString(), status: 'sending', confirmed: false };
      messages.set(m.id, m);
      log.appendChild(renderMessage(m));
      refreshNote();
      deliver(m);
    });
  }

  document.addEventListener('visibilitychange', function () {
    if (!document.hidden && active && !socketUp) {
      // Browsers throttle timers in background tabs; reconnect promptly on return.
      wsAttempt = 0;
      clearTimeout(wsTimer);
      wsTimer = null;
      if (!socket) connectSocket();
      loadTranscript(false);
    }
  });
  window.addEventListener('online', function () {
    if (!active || socketUp) return;
    wsAttempt = 0;
    clearTimeout(wsTimer);
    wsTimer = null;
    if (!socket) connectSocket();
    messages.forEach(function (m) { if (m.status === 'failed' && !m.error) retrySend(m); });
  });

  // ---------------------------------------------------------------- open / close

  function open(opts) {
    activate();
    if (!isOpen) {
      isOpen = true;
      panel.hidden = false;
      host.classList.add('acw-open');
      launcher.setAttribute('aria-expanded', 'true');
      unread = 0;
      renderBadge();
      launcher.setAttribute('aria-label', t.close);
      storageSet('sessionStorage', KEY_CLOSED, null);
      scrollToBottom();
    }
    if (!opts || opts.focus !== false) input.focus();
  }

  function close() {
    if (!isOpen) return;
    var hadFocus = root.activeElement && panel.contains(root.activeElement);
    isOpen = false;
    panel.hidden = true;
    host.classList.remove('acw-open');
    launcher.setAttribute('aria-expanded', 'false');
    renderBadge();
    storageSet('sessionStorage', KEY_CLOSED, '1');
    if (hadFocus) launcher.focus();
  }

  launcher.addEventListener('click', function () { if (isOpen) close(); else open(); });
  closeBtn.addEventListener('click', close);
  panel.addEventListener('keydown', function (e) {
    if (e.key === 'Escape') {
      e.stopPropagation();
      close();
    }
  });

  function autosize() {
    input.style.height = 'auto';
    input.style.height = Math.min(input.scrollHeight + 2, 132) + 'px';
  }
  input.addEventListener('input', function () {
    sendBtn.disabled = !input.value.trim();
    autosize();
  });
  input.addEventListener('keydown', function (e) {
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing && e.keyCode !== 229) {
      e.preventDefault();
      submit();
    }
  });
  form.addEventListener('submit', function (e) {
    e.preventDefault();
    submit();
  });
  function submit() {
    var text = input.value;
    if (!text.trim()) return;
    input.value = '';
    sendBtn.disabled = true;
    autosize();
    send(text);
    input.focus();
  }

  // ---------------------------------------------------------------- boot

  function mount() {
    document.body.appendChild(host);
    var closedThisVisit = storageGet('sessionStorage', KEY_CLOSED) === '1';
    var wantsOpen =
      openMode === 'true' ||
      (openMode === 'desktop' && window.matchMedia && window.matchMedia('(min-width: 768px)').matches);
    if (wantsOpen && !closedThisVisit) open({ focus: false });
    else if (returning || loadOutbox().length) activate(); // replies and follow-ups reach a returning customer
  }

  window.AutoCloserChat = {
    __autocloser: true,
    open: function () { open(); },
    close: close,
    send: function (text) {
      open({ focus: false });
      return send(text);
    },
    get sessionId() { return sessionId; },
    get isOpen() { return isOpen; },
    root: root
  };

  if (document.body) mount();
  else document.addEventListener('DOMContentLoaded', mount);
})();
