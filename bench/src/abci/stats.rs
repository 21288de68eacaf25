//! Summary statistics of a sample of durations (shared by the `abci` and `chain` benchmarks).

use std::time::Duration;

/// Mean, median, 99th percentile and extremes of a sample, in microseconds.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Summary {
    /// Number of samples.
    pub(crate) n: usize,
    /// Arithmetic mean, µs.
    pub(crate) mean_us: f64,
    /// Median, µs.
    pub(crate) p50_us: f64,
    /// 99th percentile (nearest rank), µs.
    pub(crate) p99_us: f64,
    /// Largest sample, µs.
    pub(crate) max_us: f64,
}

impl Summary {
    /// Summarises `samples` (any order). An empty sample gives all zeros.
    pub(crate) fn of(samples: &[Duration]) -> Self {
        if samples.is_empty() {
            return Self::default();
        }
        let mut us: Vec<f64> = samples.iter().map(|d| d.as_secs_f64() * 1e6).collect();
        us.sort_by(f64::total_cmp);
        let n = us.len();
        let mean_us = us.iter().sum::<f64>() / n as f64;
        Self { n, mean_us, p50_us: percentile(&us, 50.0), p99_us: percentile(&us, 99.0), max_us: us[n - 1] }
    }
}

/// Nearest-rank percentile of an ascending, non-empty slice.
pub(crate) fn percentile(sorted: &[f64], p: f64) -> f64 {
    let n = sorted.len();
    let rank = ((p * n as f64) / 100.0).ceil() as usize;
    sorted[rank.clamp(1, n) - 1]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank() {
        let samples: Vec<Duration> = (1..=100).map(Duration::from_micros).collect();
        let s = Summary::of(&samples);
        assert_eq!((s.n, s.p50_us, s.p99_us, s.max_us), (100, 50.0, 99.0, 100.0));
        assert!((s.mean_us - 50.5).abs() < 1e-9);
        assert_eq!(Summary::of(&[]).n, 0);
    }
}
