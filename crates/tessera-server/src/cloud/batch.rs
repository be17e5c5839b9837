//! One task serving requests in batches: each caller hands its request over and waits for its
//! answer; the task takes every request waiting at that moment (after letting the ready tasks
//! run once, so that requests close behind join) and answers them all from one store call. Under load, concurrent co-signatures share one database round trip (one hand-off
//! to SQLite's connection thread) and, for writes, one commit.

use std::future::Future;

use tokio::sync::{mpsc, oneshot};

/// The batch task stopped (the runtime is shutting down), so no answer will come.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the {0} task stopped")]
pub(super) struct Stopped(pub(super) &'static str);

type Job<Q, A> = (Q, oneshot::Sender<A>);

/// The sending side of a batch task; cheap to clone.
#[derive(Debug)]
pub(super) struct Batcher<Q, A> {
    name: &'static str,
    tx: mpsc::UnboundedSender<Job<Q, A>>,
}

impl<Q, A> Clone for Batcher<Q, A> {
    fn clone(&self) -> Self {
        Self {
            name: self.name,
            tx: self.tx.clone(),
        }
    }
}

impl<Q: Send + 'static, A: Send + 'static> Batcher<Q, A> {
    /// Starts the task on the current tokio runtime. `serve` gets up to `max` requests, in
    /// arrival order, and returns one answer per request in the same order.
    pub(super) fn start<F, Fut>(name: &'static str, max: usize, mut serve: F) -> Self
    where
        F: FnMut(Vec<Q>) -> Fut + Send + 'static,
        Fut: Future<Output = Vec<A>> + Send,
    {
        let (tx, mut rx) = mpsc::unbounded_channel::<Job<Q, A>>();
        tokio::spawn(async move {
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
                let (requests, waiters): (Vec<Q>, Vec<_>) = jobs.into_iter().unzip();
                let answers = serve(requests).await;
                debug_assert_eq!(answers.len(), waiters.len(), "one answer per request");
                // A waiter that gave up (its request was dropped) is no error.
                for (waiter, answer) in waiters.into_iter().zip(answers) {
                    let _ = waiter.send(answer);
                }
            }
        });
        Self { name, tx }
    }

    /// Hands `request` to the task and waits for its answer.
    pub(super) async fn call(&self, request: Q) -> Result<A, Stopped> {
        let (done, answer) = oneshot::channel();
        self.tx
            .send((request, done))
            .map_err(|_| Stopped(self.name))?;
        answer.await.map_err(|_| Stopped(self.name))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]
    use super::*;

    #[tokio::test]
    async fn answers_each_caller_and_batches_concurrent_ones() {
        let sizes = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let seen = sizes.clone();
        let doubler = Batcher::start("doubler", 8, move |xs: Vec<u32>| {
            seen.lock().unwrap().push(xs.len());
            async move {
                tokio::task::yield_now().await;
                xs.into_iter().map(|x| x * 2).collect()
            }
        });
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
    async fn a_stopped_task_is_an_error() {
        let short = Batcher::start("short", 4, |_: Vec<u32>| async { Vec::<u32>::new() });
        // The task drops the waiter without an answer.
        assert_eq!(short.call(1).await, Err(Stopped("short")));
    }
}
