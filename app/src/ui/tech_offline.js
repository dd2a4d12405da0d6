// Written into the head of the Tech view's pages: registers the service worker that keeps the
// technician's open tasks on the phone (public/tech-sw.js), and once the page is live with
// signal, asks it to save the files this page loaded and, on the task list, every task on it.
// The list says when that was last done.
//
// It also shows the work waiting on the phone (public/tech-sw-queue.js): "Offline — 3 changes
// waiting" or "Synced 14:05" at the top of the page, each change's state below it (this task's
// first), a refused change's reason with Export and Dismiss, and a warning before signing out
// loses what has not been sent.
(() => {
const RETRY_MS = 30 * 1000;
const opened = Date.now();
// Something typed or chosen that loading the page again would lose (the perform form keeps its
// own draft: `data-kept`). The task page's island keeps the same fact for itself: reading this
// one from Rust instead made its client 4.3 KB gzip heavier (measured), so both watch.
let typedHere = false;
const noteTyping = (event) => {
  if (!event.target.closest?.('[data-kept]')) typedHere = true;
};
addEventListener('input', noteTyping, true);
addEventListener('change', noteTyping, true);
const typed = () => typedHere;
const clock = (ms) => new Date(ms).toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit' });
let queue = { items: [], synced: null, blocked: null };
const waiting = () => queue.items.filter((i) => i.state === 'waiting' || i.state === 'sending');

const el = (tag, attrs = {}, ...children) => {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, value);
  node.append(...children);
  return node;
};

const showQueue = () => {
  const main = document.querySelector('main');
  if (!main) return;
  document.body.classList.add('tech-queue');
  let bar = document.querySelector('.tech-sync');
  if (!bar) {
    bar = el('section', { class: 'tech-sync', 'aria-label': 'Changes on this phone' });
    const copy = main.querySelector('.offline-copy');
    if (copy) copy.after(bar);
    else main.prepend(bar);
  }
  const open = bar.querySelector('details')?.open ?? false;
  const here = Number((location.pathname.match(/^\/tech\/tasks\/(\d+)/) || [])[1]);
  const left = waiting().length;
  const refused = queue.items.filter((i) => i.state === 'refused');
  const changes = (n) => (n === 1 ? '1 change' : `${n} changes`);
  let status;
  if (queue.blocked && left) status = `${changes(left)} waiting. ${queue.blocked}`;
  else if (left && !navigator.onLine) status = `Offline — ${changes(left)} waiting`;
  else if (queue.items.some((i) => i.state === 'sending')) status = `Sending ${changes(left)}…`;
  else if (left) status = `${changes(left)} waiting`;
  else if (queue.synced) status = `Synced ${clock(queue.synced)}`;
  else status = '';
  if (refused.length) status += `${status ? '. ' : ''}${changes(refused.length)} refused: see below`;
  const others = queue.others || 0;
  // "I'm on site" waiting to be sent counts as done on this page: its button goes, and the
  // perform form the page holds for that moment shows.
  const onSite = waiting().some((i) => i.task === here && i.kind === 'on-site');
  const performed = waiting().some((i) => i.task === here && i.kind === 'performed');
  if (onSite) {
    document.querySelectorAll('button[name="action"][value="OnSite"]').forEach((b) => { b.hidden = true; });
  }
  document.querySelectorAll('[data-after-on-site]').forEach((held) => { held.hidden = !onSite || performed; });
  // Performed once is enough: the form does not offer it again while that waits.
  if (performed) {
    document.querySelectorAll('section[aria-labelledby="perform-heading"]').forEach((form) => { form.hidden = true; });
  }
  if (document.body.dataset.hydrated) showWaitingWork(here);
  bar.replaceChildren();
  bar.hidden = !status && !others;
  if (bar.hidden) return;
  if (status) bar.append(el('p', { class: 'tech-sync-status', role: 'status' }, status));
  if (others) {
    // Work another person did on this phone and has not sent: theirs to send when they sign in
    // here again; this person can only remove it.
    const remove = el('button', { type: 'button', class: 'link-button' }, 'Remove them');
    remove.addEventListener('click', () => {
      if (confirm('Remove the changes another person made on this phone? They are lost for them.')) tell({ type: 'dismiss-others' });
    });
    bar.append(el('p', { class: 'hint' },
      `${others === 1 ? '1 change' : `${others} changes`} made by someone else on this phone ${others === 1 ? 'waits' : 'wait'} for them to sign in here again. `, remove));
  }
  const items = [...queue.items].sort((a, b) => (b.task === here) - (a.task === here) || a.id - b.id);
  if (!items.length) return;
  const list = el('ol', { class: 'tech-sync-items' });
  for (const item of items) {
    const state = {
      waiting: 'waiting',
      sending: 'sending…',
      sent: `sent ${clock(item.sentAt)}`,
      refused: `refused: ${item.reason}`,
    }[item.state];
    const row = el('li', { class: `sync-${item.state}`, 'data-testid': 'queued-change' },
      el('span', { class: 'sync-what' }, item.label),
      ` · ${item.task === here ? 'this task' : `task ${item.task}`}, done ${clock(item.actedAt)} · `,
      el('strong', {}, state));
    if (item.state === 'refused') {
      const exportButton = el('button', { type: 'button', class: 'link-button' }, 'Export');
      exportButton.addEventListener('click', () => tell({ type: 'export', id: item.id }));
      const dismiss = el('button', { type: 'button', class: 'link-button' }, 'Dismiss');
      dismiss.addEventListener('click', () => {
        if (confirm(`Remove "${item.label}" from this phone? Export it first to keep it.`)) tell({ type: 'dismiss', id: item.id });
      });
      row.append(' ', exportButton, ' ', dismiss);
    }
    list.append(row);
  }
  const details = el('details', {}, el('summary', {}, 'Changes on this phone'), list);
  details.open = open || refused.length > 0 || items.some((i) => i.task === here && i.state !== 'sent');
  bar.append(details);
};

// Results and defects waiting to be sent show on the task as if sent, marked as waiting. Only
// once the page is live: the results are inside an island, which must find the page as the
// server rendered it.
const shownHere = new Set();
const showWaitingWork = (here) => {
  for (const item of waiting()) {
    if (item.task !== here || !item.shows || shownHere.has(item.id)) continue;
    shownHere.add(item.id);
    const { serviceTask, text, defect, severity } = item.shows;
    if (serviceTask) {
      const form = document.querySelector(`input[name="service_task_id"][value="${Number(serviceTask)}"]`);
      const result = form?.closest('.service-task')?.querySelector('[data-testid="service-result"]');
      if (result) {
        result.textContent = `${text} (waiting to send)`;
        result.className = 'result result-waiting';
      }
    } else if (defect !== undefined) {
      const panel = document.querySelector('section[aria-labelledby="defects-heading"]');
      if (!panel) continue;
      let list = panel.querySelector('ul.defects');
      if (!list) {
        list = el('ul', { class: 'defects' });
        const none = panel.querySelector(':scope > p.hint');
        if (none) none.replaceWith(list);
        else panel.querySelector('h2').after(list);
      }
      const level = document.querySelector(`#defect-severity option[value="${CSS.escape(severity || '')}"]`)?.textContent || severity;
      list.append(el('li', { class: 'defect defect-waiting', 'data-testid': 'defect' },
        el('p', {}, el('span', { class: `severity severity-${severity}` }, level), ` ${defect}`),
        el('p', { class: 'hint' }, `Waiting to send, done ${clock(item.actedAt)}`)));
    }
  }
};

const download = ({ id, data }) => {
  if (!data) return;
  const blob = new Blob([JSON.stringify(data, null, 2)], { type: 'application/json' });
  const link = el('a', { href: URL.createObjectURL(blob), download: `certidesk-change-${id}.json` });
  document.body.append(link);
  link.click();
  link.remove();
};

const tell = (message) => navigator.serviceWorker?.controller?.postMessage(message);

if ('serviceWorker' in navigator) {
  navigator.serviceWorker.addEventListener('message', (event) => {
    const answer = event.data || {};
    if (answer.type === 'queue') {
      // A saved copy shown for lack of signal, and now all of it is sent: the server's record,
      // unless something is typed on the page.
      const sentHere = answer.items.some((i) => i.state === 'sent' && i.sentAt > opened);
      const left = answer.items.some((i) => i.state === 'waiting' || i.state === 'sending');
      if (sentHere && !left && navigator.onLine && document.querySelector('.offline-copy') && !typed()) {
        location.reload();
        return;
      }
      queue = answer;
      if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', showQueue);
      else showQueue();
    } else if (answer.type === 'export') {
      download(answer);
    }
  });
  addEventListener('online', () => tell({ type: 'replay' }));
  // A try cut short with signal (a dropped answer, a busy server) is tried again while the page
  // is open, not only when the next one opens.
  setInterval(() => {
    if (navigator.onLine && waiting().length) tell({ type: 'replay' });
  }, RETRY_MS);
  addEventListener('offline', showQueue);
  // Signing out removes everything this site keeps on the phone, the waiting work with it:
  // this person's and what another person left here for when they sign in again.
  addEventListener('submit', (event) => {
    const action = event.target.getAttribute?.('action') || '';
    const left = waiting().length;
    const others = queue.others || 0;
    if (!action.endsWith('/rpc/sign_out') || (!left && !others)) return;
    const lost = [];
    if (left) lost.push(`${left === 1 ? '1 change' : `${left} changes`} of yours not sent yet`);
    if (others) lost.push(`${others === 1 ? '1 change' : `${others} changes`} someone else made on this phone`);
    if (!confirm(`Signing out removes ${lost.join(' and ')}. Sign out anyway?`)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);
}

const keepTasks = () => {
  if (!('serviceWorker' in navigator)) return;
  const onList = location.pathname === '/tech';

  const live = new Promise((resolve) => {
    if (document.body.dataset.hydrated) return resolve();
    const watch = new MutationObserver(() => {
      if (document.body.dataset.hydrated) {
        watch.disconnect();
        resolve();
      }
    });
    watch.observe(document.body, { attributes: true, attributeFilter: ['data-hydrated'] });
  });

  const say = (text) => {
    if (!onList) return;
    const heading = document.querySelector('main h1');
    if (!heading) return;
    let line = document.querySelector('.offline-saved');
    if (!line) {
      line = document.createElement('p');
      line.className = 'offline-saved hint';
      heading.after(line);
    }
    line.textContent = text;
  };

  navigator.serviceWorker.addEventListener('message', (event) => {
    const answer = event.data || {};
    if (answer.type === 'saved' && answer.tasks !== null) {
      const time = clock(answer.at);
      const tasks = answer.tasks === 1 ? '1 task' : `${answer.tasks} tasks`;
      say(`Saved on this phone at ${time} for use without signal: ${tasks}.`);
    } else if (answer.type === 'not-saved') {
      say('Your tasks could not be saved on this phone just now; they will be the next time you open this list with signal.');
    }
  });

  if (navigator.onLine) say('Saving your tasks on this phone for use without signal…');
  navigator.serviceWorker
    .register('/tech-sw.js', { scope: '/tech' })
    .then(() => navigator.serviceWorker.ready)
    .then((registration) => {
      // What is waiting, shown with or without signal (this page may be the saved copy), and
      // sent when there is signal.
      registration.active?.postMessage({ type: navigator.onLine ? 'replay' : 'queue' });
      return live.then(() => {
        showQueue();
        return registration;
      });
    })
    .then((registration) => {
      if (!navigator.onLine || !registration.active) return;
      const files = performance
        .getEntriesByType('resource')
        .map((entry) => new URL(entry.name))
        .filter((url) => url.origin === location.origin && url.pathname.startsWith('/pkg/'))
        .map((url) => url.pathname);
      registration.active.postMessage({ type: 'save', files, list: onList });
    })
    .catch(() => say('This phone cannot keep your tasks for use without signal.'));
};
// In the head: the body it watches is parsed after it.
if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', keepTasks);
else keepTasks();
})();
