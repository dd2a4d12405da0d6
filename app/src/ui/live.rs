//! Live updates in the page: one event stream per page load (`/events`, server-sent events)
//! bumps version signals that resources list among their sources, so what is shown is read
//! again within a second of a change. A stream the server refuses is asked for again, less
//! often after each refusal; a browser without streams polls instead.

use leptos::prelude::*;

#[derive(Clone, Copy)]
pub struct Live {
    /// Bumped when certificates change, when the agency's day rolls over, and after reconnecting.
    pub certification: RwSignal<u64>,
    /// Bumped when a task changes, with its id (`None` after reconnecting: any task).
    pub task: RwSignal<(u64, Option<i64>)>,
    /// Bumped when a message is posted on a task, with the task's id.
    pub message: RwSignal<(u64, Option<i64>)>,
    /// Bumped when a request for quotes or an answer to one changes.
    pub quote: RwSignal<u64>,
}

impl Live {
    /// Everything may have changed (reconnected, new day, polling).
    pub fn bump(self) {
        self.certification.update(|v| *v += 1);
        self.quote.update(|v| *v += 1);
        for signal in [self.task, self.message] {
            signal.update(|(v, id)| {
                *v += 1;
                *id = None;
            });
        }
    }

    /// A version that moves only when `task_id`'s own changes (or everything) arrive, so one
    /// task's page is not read again for another task's news.
    pub fn for_task(
        signal: RwSignal<(u64, Option<i64>)>,
        task_id: impl Fn() -> i64 + Send + Sync + 'static,
    ) -> Memo<u64> {
        Memo::new(move |previous: Option<&u64>| {
            let (version, id) = signal.get();
            match (id, previous) {
                (Some(id), Some(previous)) if id != task_id() => *previous,
                _ => version,
            }
        })
    }
}

impl Live {
    fn new() -> Live {
        Live {
            certification: RwSignal::new(0),
            task: RwSignal::new((0, None)),
            message: RwSignal::new((0, None)),
            quote: RwSignal::new(0),
        }
    }

    /// The page's live versions, from an island. Where the whole page hydrates (and on the
    /// server) the layout provides them; in islands mode no context crosses into an island in
    /// the browser, so the page's islands share one set, connected by the first that asks.
    pub fn here() -> Live {
        if let Some(live) = use_context::<Live>() {
            return live;
        }
        #[cfg(feature = "hydrate")]
        {
            thread_local! {
                static PAGE: std::cell::OnceCell<Live> = const { std::cell::OnceCell::new() };
            }
            PAGE.with(|page| {
                *page.get_or_init(|| {
                    let live = Live::new();
                    connect(live);
                    live
                })
            })
        }
        #[cfg(not(feature = "hydrate"))]
        Live::new()
    }
}

pub fn provide_live() -> Live {
    let live = Live::new();
    provide_context(live);
    live
}

pub fn use_live() -> Live {
    expect_context::<Live>()
}

/// Opens the event stream; called once the signed-in person is known, in the browser only.
pub fn connect(live: Live) {
    #[cfg(feature = "hydrate")]
    browser::connect(live);
    #[cfg(not(feature = "hydrate"))]
    let _ = live;
}

#[cfg(feature = "hydrate")]
mod browser {
    use super::Live;
    use leptos::prelude::Update;
    use std::cell::Cell;
    use std::rc::Rc;
    use wasm_bindgen::closure::Closure;
    use wasm_bindgen::JsCast;
    use web_sys::{Event, EventSource};

    const POLL_MS: u32 = 30_000;
    /// The first wait before asking for the stream again after the server refused it; it
    /// doubles with each refusal in a row, up to `POLL_MS`.
    const RETRY_MS: u32 = 1_000;

    pub fn connect(live: Live) {
        open(live, Rc::new(Cell::new(0)));
    }

    /// One stream; `refused` counts the refusals in a row, across the streams of this page.
    fn open(live: Live, refused: Rc<Cell<u32>>) {
        let Ok(source) = EventSource::new("/events") else {
            poll(live);
            return;
        };
        let listen = |name: &str, handler: Box<dyn FnMut(Event)>| {
            let closure = Closure::wrap(handler);
            let _ = source.add_event_listener_with_callback(name, closure.as_ref().unchecked_ref());
            // Listeners live as long as their stream, which the page keeps.
            closure.forget();
        };
        listen(
            "certification",
            Box::new(move |_| live.certification.update(|v| *v += 1)),
        );
        listen("quote", Box::new(move |_| live.quote.update(|v| *v += 1)));
        for name in ["day", "resync"] {
            listen(name, Box::new(move |_| live.bump()));
        }
        for (name, signal) in [("task", live.task), ("message", live.message)] {
            listen(
                name,
                Box::new(move |event: Event| {
                    let id = event
                        .dyn_ref::<web_sys::MessageEvent>()
                        .and_then(|e| e.data().as_string())
                        .and_then(|d| d.parse::<i64>().ok());
                    signal.update(|(v, last)| {
                        *v += 1;
                        *last = id;
                    });
                }),
            );
        }
        // The browser reconnects by itself after a drop; what changed meanwhile is read again.
        // A stream opened after a refusal follows a gap too.
        let dropped = Rc::new(Cell::new(refused.get() > 0));
        {
            let (dropped, refused) = (dropped.clone(), refused.clone());
            listen(
                "open",
                Box::new(move |_| {
                    // Tells the browser tests that changes from now on reach the page.
                    if let Some(body) = leptos::prelude::document().body() {
                        let _ = body.set_attribute("data-live", "open");
                    }
                    refused.set(0);
                    if dropped.replace(false) {
                        live.bump();
                    }
                }),
            );
        }
        let watched = source.clone();
        listen(
            "error",
            Box::new(move |_| {
                dropped.set(true);
                // CLOSED: the browser gave up, as it does on any answer but a stream (a
                // restart behind a proxy, a moment's error, a sign-out). Ask again later,
                // less often after each refusal; meanwhile the page shows what it has.
                if watched.ready_state() == EventSource::CLOSED {
                    if let Some(body) = leptos::prelude::document().body() {
                        let _ = body.remove_attribute("data-live");
                    }
                    let wait = RETRY_MS
                        .saturating_mul(1 << refused.get().min(5))
                        .min(POLL_MS);
                    refused.set(refused.get() + 1);
                    let refused = refused.clone();
                    gloo_timers::callback::Timeout::new(wait, move || open(live, refused)).forget();
                }
            }),
        );
    }

    fn poll(live: Live) {
        gloo_timers::callback::Interval::new(POLL_MS, move || live.bump()).forget();
    }
}
