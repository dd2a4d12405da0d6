//! A page's `Suspend` is built twice on the server without this: before rendering, a
//! `Transition` walks its children once to find the resources they read (`dry_resolve`), and a
//! `Suspend` whose data has arrived builds its whole view on that walk, which is then dropped,
//! before the render builds it again. Yielding once after the data, and before the view, stops
//! the walk there: the resource read is still seen (it comes first), and the view is built once,
//! by the render. Measured on the load seed: the matrix 4.1–5.0 → 3.2 ms of CPU a request, the
//! agents' task list 5.5–6.3 → 4.3–5.8, the Desk dashboard 7.5–8.5 → 7.0–7.5. In the browser
//! nothing waits.

#[cfg(feature = "ssr")]
use std::future::Future;
#[cfg(feature = "ssr")]
use std::pin::Pin;
#[cfg(feature = "ssr")]
use std::task::{Context, Poll};

/// Await after a `Suspend`'s data and before it builds its view.
pub async fn before_the_view() {
    #[cfg(feature = "ssr")]
    YieldOnce(false).await;
}

/// Pending on its first poll (asking to be polled again at once), ready on the next.
#[cfg(feature = "ssr")]
struct YieldOnce(bool);

#[cfg(feature = "ssr")]
impl Future for YieldOnce {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.0 {
            Poll::Ready(())
        } else {
            self.0 = true;
            cx.waker().wake_by_ref();
            Poll::Pending
        }
    }
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU32, Ordering};
    use std::task::Waker;

    fn poll_once<F: Future>(future: Pin<&mut F>) -> Poll<F::Output> {
        future.poll(&mut Context::from_waker(Waker::noop()))
    }

    #[test]
    fn a_walk_that_polls_once_stops_before_the_view_and_the_render_finishes_it() {
        static BUILT: AtomicU32 = AtomicU32::new(0);
        let page = || async {
            before_the_view().await;
            BUILT.fetch_add(1, Ordering::SeqCst);
        };
        // The walk: one poll, then dropped.
        let mut walk = Box::pin(page());
        assert!(poll_once(walk.as_mut()).is_pending());
        drop(walk);
        assert_eq!(BUILT.load(Ordering::SeqCst), 0);
        // The render: polled again when woken, to the end.
        let mut render = Box::pin(page());
        assert!(poll_once(render.as_mut()).is_pending());
        assert!(poll_once(render.as_mut()).is_ready());
        assert_eq!(BUILT.load(Ordering::SeqCst), 1);
    }
}
