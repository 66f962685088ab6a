//! The smallest reasonable event loop for the reference workload (benches/peers/README.md): M/M/c with λ = 540/h,
//! exponential handle time of mean 300 s, 50 agents, FIFO, no abandonment.
//!
//! A binary heap of (time, kind) events, a FIFO `VecDeque` of waiting arrival times, and counters
//! of answered conversations and total wait. No metrics by interval, no routing, no presence: this
//! is the ceiling a general simulator is measured against, not a simulator.
//!
//! Usage: `ccsim-minimal-loop [DAYS] [SEED]` (default 1000 days, seed 1). Prints one line of
//! `key=value` pairs: conversations (arrivals within the horizon), seconds (the loop alone, by
//! `std::time::Instant`), conversations per second, answered, P(wait) and mean wait of the
//! answered (compare with `ccsim erlang --rate 540 --aht 300s --agents 50`: ASA ≈ 21.8 s,
//! P(wait) ≈ 0.364).

use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};
use std::time::Instant;

const RATE_PER_S: f64 = 540.0 / 3600.0;
const AHT_S: f64 = 300.0;
const AGENTS: u32 = 50;

/// xoshiro256++ seeded through splitmix64.
struct Rng([u64; 4]);

impl Rng {
    fn new(seed: u64) -> Self {
        let mut z = seed;
        let mut next = || {
            z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut x = z;
            x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            x ^ (x >> 31)
        };
        Rng([next(), next(), next(), next()])
    }

    #[inline]
    fn next_u64(&mut self) -> u64 {
        let s = &mut self.0;
        let result = s[0].wrapping_add(s[3]).rotate_left(23).wrapping_add(s[0]);
        let t = s[1] << 17;
        s[2] ^= s[0];
        s[3] ^= s[1];
        s[1] ^= s[2];
        s[0] ^= s[3];
        s[2] ^= t;
        s[3] = s[3].rotate_left(45);
        result
    }

    /// Exponential with the given mean: -mean · ln(u), u uniform in (0, 1].
    #[inline]
    fn exp(&mut self, mean: f64) -> f64 {
        let u = ((self.next_u64() >> 11) + 1) as f64 * (1.0 / (1u64 << 53) as f64);
        -mean * u.ln()
    }
}

const ARRIVAL: u8 = 0;
const DEPARTURE: u8 = 1;

/// Event times are non-negative f64, whose bit patterns order as the numbers do.
#[inline]
fn key(t: f64) -> u64 {
    t.to_bits()
}

fn main() {
    let mut args = std::env::args().skip(1);
    let days: f64 = args.next().map_or(1000.0, |a| a.parse().expect("DAYS: a number of days"));
    let seed: u64 = args.next().map_or(1, |a| a.parse().expect("SEED: an integer"));
    let horizon = days * 86_400.0;

    let start = Instant::now();
    let mut rng = Rng::new(seed);
    let mut events: BinaryHeap<Reverse<(u64, u8)>> = BinaryHeap::with_capacity(2 * AGENTS as usize);
    let mut waiting: VecDeque<f64> = VecDeque::new();
    let mut busy = 0u32;
    let mut offered = 0u64;
    let mut answered = 0u64;
    let mut queued = 0u64;
    let mut total_wait = 0.0f64;

    events.push(Reverse((key(rng.exp(1.0 / RATE_PER_S)), ARRIVAL)));
    while let Some(Reverse((k, kind))) = events.pop() {
        let now = f64::from_bits(k);
        if now >= horizon {
            break;
        }
        if kind == ARRIVAL {
            offered += 1;
            events.push(Reverse((key(now + rng.exp(1.0 / RATE_PER_S)), ARRIVAL)));
            if busy < AGENTS {
                busy += 1;
                answered += 1;
                events.push(Reverse((key(now + rng.exp(AHT_S)), DEPARTURE)));
            } else {
                queued += 1;
                waiting.push_back(now);
            }
        } else if let Some(arrived) = waiting.pop_front() {
            answered += 1;
            total_wait += now - arrived;
            events.push(Reverse((key(now + rng.exp(AHT_S)), DEPARTURE)));
        } else {
            busy -= 1;
        }
    }
    let seconds = start.elapsed().as_secs_f64();

    println!(
        "tool=minimal days={days} conversations={offered} seconds={seconds:.4} conv_per_s={:.0} \
         answered={answered} p_wait={:.4} asa_s={:.3}",
        offered as f64 / seconds,
        queued as f64 / offered as f64,
        total_wait / answered as f64,
    );
}
