// Written into the head of the Tech view's pages: registers the service worker that keeps the
// technician's open tasks on the phone (public/tech-sw.js), and once the page is live with
// signal, asks it to save the files this page loaded and, on the task list, every task on it.
// The list says when that was last done.
(() => {
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
      const time = new Date(answer.at).toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit' });
      const tasks = answer.tasks === 1 ? '1 task' : `${answer.tasks} tasks`;
      say(`Saved on this phone at ${time} for use without signal: ${tasks}.`);
    } else if (answer.type === 'not-saved') {
      say('Your tasks could not be saved on this phone just now; they will be the next time you open this list with signal.');
    }
  });

  navigator.serviceWorker
    .register('/tech-sw.js', { scope: '/tech' })
    .then(() => Promise.all([navigator.serviceWorker.ready, live]))
    .then(([registration]) => {
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
