//! A small fixed-size histogram of waiting times, for percentiles per interval and scope.
//!
//! 242 buckets of `u32` (968 bytes): one for waits of exactly 0 (most answered conversations in a
//! well-staffed center), 64 linear buckets of 0.25 s up to 16 s, then 16 logarithmic buckets per
//! doubling up to 32 768 s (9.1 h), and one overflow bucket bounded by the largest wait seen.
//! Percentiles interpolate linearly inside a bucket, so their relative error is below 1/32 above
//! 16 s and below 0.125 s under it. Histograms of replications and intervals merge by adding.

const LINEAR: usize = 64;
const LINEAR_WIDTH: f64 = 0.25;
const LINEAR_END: f64 = LINEAR as f64 * LINEAR_WIDTH;
const PER_DOUBLING: usize = 16;
// [`bucket`] reads the sixteenth of a doubling from the top four bits of a mantissa.
const _: () = assert!(PER_DOUBLING == 16);
const DOUBLINGS: usize = 11;
const BUCKETS: usize = 1 + LINEAR + PER_DOUBLING * DOUBLINGS + 1;
const LOG_END: f64 = LINEAR_END * (1u64 << DOUBLINGS) as f64;

#[derive(Clone, Debug, PartialEq)]
pub struct WaitHistogram {
    counts: [u32; BUCKETS],
    total: u64,
    max: f64,
}

/// As its counts (a sequence of `BUCKETS` numbers), total and largest wait: the shard format.
impl serde::Serialize for WaitHistogram {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        (&self.counts[..], self.total, self.max).serialize(serializer)
    }
}

impl<'de> serde::Deserialize<'de> for WaitHistogram {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let (counts, total, max): (Vec<u32>, u64, f64) = serde::Deserialize::deserialize(deserializer)?;
        let counts = counts
            .try_into()
            .map_err(|c: Vec<u32>| serde::de::Error::invalid_length(c.len(), &format!("{BUCKETS} buckets").as_str()))?;
        Ok(WaitHistogram { counts, total, max })
    }
}

impl Default for WaitHistogram {
    fn default() -> Self {
        WaitHistogram { counts: [0; BUCKETS], total: 0, max: 0.0 }
    }
}

/// Lower and upper bound of bucket `i`.
fn bounds(i: usize, max: f64) -> (f64, f64) {
    if i == 0 {
        (0.0, 0.0)
    } else if i <= LINEAR {
        ((i - 1) as f64 * LINEAR_WIDTH, i as f64 * LINEAR_WIDTH)
    } else if i < BUCKETS - 1 {
        let j = i - 1 - LINEAR;
        let (doubling, sub) = (j / PER_DOUBLING, j % PER_DOUBLING);
        let base = LINEAR_END * (1u64 << doubling) as f64;
        let width = base / PER_DOUBLING as f64;
        (base + sub as f64 * width, base + (sub + 1) as f64 * width)
    } else {
        (LOG_END, max.max(LOG_END))
    }
}

fn bucket(wait: f64) -> usize {
    if wait <= 0.0 {
        0
    } else if wait < LINEAR_END {
        1 + (wait / LINEAR_WIDTH) as usize
    } else if wait < LOG_END {
        // wait / 16 s is 2^doubling × (1 + f), f in [0, 1): ⌊log2(wait / 16 s)⌋ is its binary
        // exponent, and the sixteenth of the doubling it falls in is ⌊16 f⌋, the top four bits of
        // its mantissa. Both are read from the bits, exactly.
        let bits = (wait / LINEAR_END).to_bits();
        let doubling = (bits >> 52) as usize - 1023;
        let sub = ((bits >> 48) & 0xf) as usize;
        (1 + LINEAR + doubling * PER_DOUBLING + sub).min(BUCKETS - 2)
    } else {
        BUCKETS - 1
    }
}

impl WaitHistogram {
    #[inline]
    pub fn record(&mut self, wait: f64) {
        self.record_in(bucket(wait), wait);
    }

    /// The bucket a wait falls in, to record one wait in several histograms at the cost of one.
    #[inline]
    pub fn bucket_of(wait: f64) -> usize {
        bucket(wait)
    }

    /// Records `wait`, whose bucket is `bucket` (from [`WaitHistogram::bucket_of`]).
    #[inline]
    pub fn record_in(&mut self, bucket: usize, wait: f64) {
        self.counts[bucket] += 1;
        self.total += 1;
        if wait > self.max {
            self.max = wait;
        }
    }

    pub fn merge(&mut self, other: &WaitHistogram) {
        for (a, b) in self.counts.iter_mut().zip(other.counts.iter()) {
            *a += b;
        }
        self.total += other.total;
        self.max = self.max.max(other.max);
    }

    pub fn count(&self) -> u64 {
        self.total
    }

    /// The share of recorded waits at most `wait` seconds, interpolated inside its bucket as
    /// [`Self::quantile`] does; NaN when empty.
    pub fn share_at_most(&self, wait: f64) -> f64 {
        if self.total == 0 {
            return f64::NAN;
        }
        if wait < 0.0 {
            return 0.0;
        }
        let mut below = 0.0;
        for (i, &count) in self.counts.iter().enumerate() {
            let count = f64::from(count);
            let (lo, hi) = bounds(i, self.max);
            let hi = hi.min(self.max);
            if wait < hi {
                if count > 0.0 && wait > lo {
                    below += count * (wait - lo) / (hi - lo);
                }
                break;
            }
            below += count;
        }
        below / self.total as f64
    }

    /// The `q`-quantile (0 < q ≤ 1), interpolated inside its bucket; NaN when empty.
    pub fn quantile(&self, q: f64) -> f64 {
        if self.total == 0 {
            return f64::NAN;
        }
        let rank = q * self.total as f64;
        let mut below = 0.0;
        for (i, &count) in self.counts.iter().enumerate() {
            let count = f64::from(count);
            if count > 0.0 && below + count >= rank {
                let (lo, hi) = bounds(i, self.max);
                let hi = hi.min(self.max);
                let fraction = ((rank - below) / count).clamp(0.0, 1.0);
                return lo + (hi - lo).max(0.0) * fraction;
            }
            below += count;
        }
        self.max
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn it_stays_within_about_one_kibibyte() {
        assert!(std::mem::size_of::<WaitHistogram>() <= 1024 + 16);
    }

    #[test]
    fn buckets_cover_the_range_without_gaps() {
        for i in 1..BUCKETS - 2 {
            assert_eq!(bounds(i, 0.0).1, bounds(i + 1, 0.0).0, "bucket {i}");
        }
        let below = |x: f64| f64::from_bits(x.to_bits() - 1);
        let doublings = (0..=DOUBLINGS).map(|d| LINEAR_END * (1u64 << d) as f64);
        let edges = doublings.flat_map(|b| [below(b), b]);
        for w in [0.1, 1.0, 15.99, 16.0, 17.0, 100.0, 1000.0, 30_000.0].into_iter().chain(edges) {
            let (lo, hi) = bounds(bucket(w), w);
            assert!(lo <= w && w <= hi, "{w} not in [{lo}, {hi}]");
        }
    }

    #[test]
    fn a_logarithmic_wait_falls_in_the_one_bucket_that_holds_it() {
        use rand::{RngExt, SeedableRng, rngs::Xoshiro256PlusPlus};
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(3);
        let doublings = (0..DOUBLINGS).map(|d| LINEAR_END * (1u64 << d) as f64);
        // Every sixteenth's lower edge, the number just below it, and random waits.
        let edges: Vec<f64> = doublings
            .flat_map(|b| (0..PER_DOUBLING).map(move |k| b + k as f64 * b / PER_DOUBLING as f64))
            .flat_map(|e| [e, f64::from_bits(e.to_bits() - 1)])
            .filter(|&e| e >= LINEAR_END)
            .collect();
        let random = (0..100_000).map(|_| LINEAR_END * 2f64.powf(rng.random::<f64>() * DOUBLINGS as f64));
        for w in edges.into_iter().chain(random) {
            let i = bucket(w);
            let (lo, hi) = bounds(i, w);
            assert!(LINEAR < i && i < BUCKETS - 1 && lo <= w && w < hi, "{w} in bucket {i}: [{lo}, {hi})");
        }
    }

    #[test]
    fn quantiles_of_exponential_waits_are_close_to_the_truth() {
        // Deterministic quantiles of an exponential with mean 60 s, inserted as values.
        let mut h = WaitHistogram::default();
        let n = 100_000;
        for i in 0..n {
            let u = (i as f64 + 0.5) / n as f64;
            h.record(-60.0 * (1.0 - u).ln());
        }
        for q in [0.5_f64, 0.9, 0.95] {
            let truth = -60.0 * (1.0 - q).ln();
            let got = h.quantile(q);
            assert!((got - truth).abs() / truth < 1.0 / 32.0, "q{q}: {got} vs {truth}");
        }
    }

    #[test]
    fn zero_waits_give_a_zero_median() {
        let mut h = WaitHistogram::default();
        for _ in 0..60 {
            h.record(0.0);
        }
        for _ in 0..40 {
            h.record(30.0);
        }
        assert_eq!(h.quantile(0.5), 0.0);
        assert!(h.quantile(0.9) > 28.0 && h.quantile(0.9) <= 30.0);
        assert!(WaitHistogram::default().quantile(0.5).is_nan());
    }

    #[test]
    fn shares_at_most_a_wait_invert_the_quantiles() {
        let mut h = WaitHistogram::default();
        for _ in 0..50 {
            h.record(0.0);
        }
        for i in 0..50 {
            h.record(20.0 + i as f64);
        }
        assert_eq!(h.share_at_most(0.0), 0.5);
        assert_eq!(h.share_at_most(10.0), 0.5);
        assert_eq!(h.share_at_most(69.0), 1.0);
        assert_eq!(h.share_at_most(1e9), 1.0);
        for q in [0.6, 0.75, 0.9] {
            assert!((h.share_at_most(h.quantile(q)) - q).abs() < 0.02, "q{q}");
        }
        assert!(WaitHistogram::default().share_at_most(1.0).is_nan());
    }

    #[test]
    fn merged_histograms_count_everything() {
        let (mut a, mut b) = (WaitHistogram::default(), WaitHistogram::default());
        a.record(1.0);
        b.record(100_000.0);
        a.merge(&b);
        assert_eq!(a.count(), 2);
        assert_eq!(a.quantile(1.0), 100_000.0);
    }
}
