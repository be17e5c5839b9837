//! One task serving requests in batches: each caller hands its request over and waits for its
//! answer; the task takes every request waiting at that moment (after letting the ready tasks
//! run once, so that requests close behind join) and answers them all from one store call.
//! Under load, concurrent co-signatures share one database round trip (one hand-off to SQLite's
//! connection thread) and, for writes, one commit.

use std::future::Future;
use std::panic::AssertUnwindSafe;

use futures_util::FutureExt as _;
use tokio::sync::{mpsc, oneshot};

/// No answer came: the task stopped (the runtime is shutting down), or the batch holding the
/// request failed in a way its server could not answer (a panic, a short list of answers).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the {0} task gave no answer")]
pub(crate) struct NoAnswer(pub(crate) &'static str);

/// What a batch task does with each batch.
pub(crate) trait Serve: Send + 'static {
    /// What a caller hands over.
    type Request: Send + 'static;
    /// What it gets back.
    type Answer: Send + 'static;

    /// One answer per request, in the order of `requests` (the order they arrived in).
    fn serve(
        &mut self,
        requests: Vec<Self::Request>,
    ) -> impl Future<Output = Vec<Self::Answer>> + Send;
}

type Job<S> = (<S as Serve>::Request, oneshot::Sender<<S as Serve>::Answer>);

/// The sending side of a batch task; cheap to clone.
pub(crate) struct Batcher<S: Serve> {
    name: &'static str,
    tx: mpsc::UnboundedSender<Job<S>>,
}

impl<S: Serve> std::fmt::Debug for Batcher<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Batcher").field("name", &self.name).finish()
    }
}

impl<S: Serve> Clone for Batcher<S> {
    fn clone(&self) -> Self {
        Self {
            name: self.name,
            tx: self.tx.clone(),
        }
    }
}

impl<S: Serve> Batcher<S> {
    /// Starts the task on the current tokio runtime; it gives the server `make` returns up to
    /// `max` requests at a time. A batch that panics is answered with [`NoAnswer`] and the task
    /// goes on with a new server from `make` (a fresh store connection), so one bad batch is
    /// not an outage.
    pub(crate) fn start(
        name: &'static str,
        max: usize,
        make: impl Fn() -> S + Send + 'static,
    ) -> Self {
        let (tx, mut rx) = mpsc::unbounded_channel::<Job<S>>();
        tokio::spawn(async move {
            let mut server = make();
            while let Some(first) = rx.recv().await {
                // Let the tasks that are ready run once first: under load, the requests just
                // behind this one hand over theirs meanwhile and join the batch. Idle, this
                // returns at once.
                tokio::task::yield_now().await;
                let mut jobs = vec![first];
                while jobs.len() < max {
                    match rx.try_recv() {
                        Ok(job) => jobs.push(job),
                        Err(_) => break,
                    }
                }
                let (requests, waiters): (Vec<_>, Vec<_>) = jobs.into_iter().unzip();
                // Waiters dropped unanswered get `NoAnswer`.
                match AssertUnwindSafe(server.serve(requests))
                    .catch_unwind()
                    .await
                {
                    Ok(answers) if answers.len() == waiters.len() => {
                        // A waiter that gave up (its request was dropped) is no error.
                        for (waiter, answer) in waiters.into_iter().zip(answers) {
                            let _ = waiter.send(answer);
                        }
                    }
                    Ok(answers) => tracing::error!(
                        task = name,
                        requests = waiters.len(),
                        answers = answers.len(),
                        "a batch got the wrong number of answers"
                    ),
                    Err(_) => {
                        tracing::error!(task = name, "a batch panicked; starting a new server");
                        server = make();
                    }
                }
            }
        });
        Self { name, tx }
    }

    /// Hands `request` to the task and waits for its answer.
    pub(crate) async fn call(&self, request: S::Request) -> Result<S::Answer, NoAnswer> {
        let (done, answer) = oneshot::channel();
        self.tx
            .send((request, done))
            .map_err(|_| NoAnswer(self.name))?;
        answer.await.map_err(|_| NoAnswer(self.name))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]
    use super::*;

    /// Doubles numbers and notes each batch's size.
    struct Doubler(std::sync::Arc<std::sync::Mutex<Vec<usize>>>);

    impl Serve for Doubler {
        type Request = u32;
        type Answer = u32;

        async fn serve(&mut self, xs: Vec<u32>) -> Vec<u32> {
            self.0.lock().unwrap().push(xs.len());
            tokio::task::yield_now().await;
            xs.into_iter().map(|x| x * 2).collect()
        }
    }

    /// Answers nothing.
    struct Mute;

    impl Serve for Mute {
        type Request = u32;
        type Answer = u32;

        async fn serve(&mut self, _: Vec<u32>) -> Vec<u32> {
            Vec::new()
        }
    }

    /// Panics on 13.
    struct Superstitious;

    impl Serve for Superstitious {
        type Request = u32;
        type Answer = u32;

        async fn serve(&mut self, xs: Vec<u32>) -> Vec<u32> {
            assert!(!xs.contains(&13), "13");
            xs
        }
    }

    #[tokio::test]
    async fn answers_each_caller_and_batches_concurrent_ones() {
        let sizes = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let seen = sizes.clone();
        let doubler = Batcher::start("doubler", 8, move || Doubler(seen.clone()));
        let calls: Vec<_> = (0..40)
            .map(|i| {
                let d = doubler.clone();
                tokio::spawn(async move { (i, d.call(i).await) })
            })
            .collect();
        for call in calls {
            let (i, answer) = call.await.unwrap();
            assert_eq!(answer, Ok(i * 2));
        }
        let sizes = sizes.lock().unwrap();
        assert_eq!(sizes.iter().sum::<usize>(), 40);
        assert!(sizes.iter().all(|&n| (1..=8).contains(&n)));
        // 40 requests spawned at once on one thread: they queue while a batch is served.
        assert!(sizes.len() < 40, "{sizes:?}");
    }

    #[tokio::test]
    async fn a_missing_answer_is_an_error() {
        let mute = Batcher::start("mute", 4, || Mute);
        assert_eq!(mute.call(1).await, Err(NoAnswer("mute")));
    }

    #[tokio::test]
    async fn a_panicking_batch_fails_alone_and_the_task_goes_on() {
        let made = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let count = made.clone();
        let echo = Batcher::start("echo", 1, move || {
            count.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            Superstitious
        });
        assert_eq!(echo.call(12).await, Ok(12));
        assert_eq!(echo.call(13).await, Err(NoAnswer("echo")));
        assert_eq!(echo.call(14).await, Ok(14));
        assert_eq!(made.load(std::sync::atomic::Ordering::Relaxed), 2);
    }
}
