//! Frees large native values off the JS thread.
//!
//! V8 runs a collected object's finalizer on the JS thread, and a loaded profile or a parsed dump
//! is millions of small allocations: dropping a 1.2M-sample profile there cost 0.15 s of that
//! thread's CPU and 0.3 s of its wall time, during which no timer or request of the event loop
//! ran. The finalizers hand such values to one background thread instead: one, so the thread count
//! stays fixed and memory comes back in the order it was let go.
use std::sync::mpsc::{channel, Sender};
use std::sync::OnceLock;

type Garbage = Box<dyn Send>;

static QUEUE: OnceLock<Option<Sender<Garbage>>> = OnceLock::new();

/// Drops `value` on the reclaim thread (here, if that thread could not be started).
pub(crate) fn later<T: Send + 'static>(value: T) {
    let queue = QUEUE.get_or_init(|| {
        let (tx, rx) = channel::<Garbage>();
        let spawned = std::thread::Builder::new()
            .name("goroscope-reclaim".into())
            .spawn(move || rx.into_iter().for_each(drop));
        spawned.ok().map(|_| tx)
    });
    if let Some(tx) = queue {
        // A send fails only when the thread is gone; the value then comes back and drops here.
        let _ = tx.send(Box::new(value));
    }
}
