//! Counting for oracle tests: how many cases ran, how many were skipped and why, and which
//! disagreed. A source's test prints its tally and fails if nothing ran or anything disagreed.

use std::collections::BTreeMap;

/// Ran / skipped / disagreed counts for one source of vectors.
#[derive(Debug)]
pub struct Tally {
    source: String,
    ran: usize,
    skipped: BTreeMap<String, usize>,
    disagreements: Vec<String>,
}

impl Tally {
    pub fn new(source: impl Into<String>) -> Self {
        Self {
            source: source.into(),
            ran: 0,
            skipped: BTreeMap::new(),
            disagreements: Vec::new(),
        }
    }

    /// Records a case that ran; `agrees` says whether our result matched the expected one.
    pub fn check(&mut self, agrees: bool, case: impl FnOnce() -> String) {
        self.ran += 1;
        if !agrees {
            self.disagreements.push(case());
        }
    }

    /// Records a case we cannot run, with the reason.
    pub fn skip(&mut self, reason: impl Into<String>) {
        *self.skipped.entry(reason.into()).or_default() += 1;
    }

    pub fn skipped(&self) -> usize {
        self.skipped.values().sum()
    }

    /// Prints `ran N, skipped M` with the reasons, and asserts something ran and all agreed.
    pub fn finish(self) -> (usize, usize) {
        let skipped = self.skipped();
        println!("{}: ran {}, skipped {}", self.source, self.ran, skipped);
        for (reason, n) in &self.skipped {
            println!("  skipped {n}: {reason}");
        }
        for d in &self.disagreements {
            println!("  DISAGREES: {d}");
        }
        assert!(self.ran > 0, "{}: no case ran", self.source);
        assert!(
            self.disagreements.is_empty(),
            "{}: {} of {} cases disagree:\n{}",
            self.source,
            self.disagreements.len(),
            self.ran,
            self.disagreements.join("\n")
        );
        (self.ran, skipped)
    }
}
