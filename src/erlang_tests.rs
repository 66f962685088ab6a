//! The analytic formulas against published tables and limiting cases.
use super::*;

const PUBLISHED_ARRIVALS_PER_HOUR: f64 = 200.0;
const PUBLISHED_AHT_S: f64 = 180.0;
const PUBLISHED_AGENTS: u32 = 14;
const PUBLISHED_THRESHOLD_S: f64 = 20.0;

fn model(arrivals_per_hour: f64, agents: u32, patience_mean_s: Option<f64>) -> QueueModel {
    QueueModel { arrivals_per_hour, aht_s: PUBLISHED_AHT_S, agents, concurrency: 1, patience_mean_s }
}

fn published(patience_mean_s: Option<f64>) -> QueueModel {
    model(PUBLISHED_ARRIVALS_PER_HOUR, PUBLISHED_AGENTS, patience_mean_s)
}

/// Arrival rate per hour that gives offered load `rho · servers` at the test AHT.
fn arrivals_for(rho: f64, servers: u32) -> f64 {
    rho * f64::from(servers) * SECONDS_PER_HOUR / PUBLISHED_AHT_S
}

fn detail(m: &QueueModel, threshold_s: f64) -> ErlangADetail {
    let servers = validate(m, threshold_s).unwrap();
    let lambda = m.arrivals_per_hour / SECONDS_PER_HOUR;
    let mu = 1.0 / m.aht_s;
    let a = m.arrivals_per_hour * m.aht_s / SECONDS_PER_HOUR;
    let theta = 1.0 / m.patience_mean_s.unwrap();
    erlang_a(lambda, mu, a, servers, theta, threshold_s).unwrap()
}

fn assert_close(what: &str, got: f64, want: f64, tol: f64) {
    assert!((got - want).abs() <= tol, "{what}: got {got}, want {want} (±{tol})");
}

fn assert_sane(f: &Figures) {
    for (what, p) in [
        ("p_wait", f.p_wait),
        ("service_level", f.service_level),
        ("p_abandon", f.p_abandon),
        ("occupancy", f.occupancy),
    ] {
        assert!(p.is_finite() && (0.0..=1.0 + 1e-12).contains(&p), "{what} = {p}");
    }
    assert!(f.asa_s.is_finite() && f.asa_s >= 0.0, "asa {}", f.asa_s);
    assert!(f.mean_wait_all_s.is_finite() && f.mean_wait_all_s >= 0.0);
}

/// The arrival-side figures against moments of the stationary distribution: Little's law
/// for the queue, abandonment at rate θ per waiting customer, and flow balance through the
/// servers.
fn assert_consistent(m: &QueueModel) {
    let d = detail(m, PUBLISHED_THRESHOLD_S);
    let f = d.figures;
    let lambda = m.arrivals_per_hour / SECONDS_PER_HOUR;
    let mu = 1.0 / m.aht_s;
    let theta = 1.0 / m.patience_mean_s.unwrap();
    let n = f64::from(f.servers);
    let rel = |x: f64| 1e-9 * x.abs().max(1e-300);
    assert_sane(&f);
    assert_close("Little: mean wait of all", f.mean_wait_all_s, d.mean_queue_length / lambda, rel(f.mean_wait_all_s));
    assert_close("P(abandon) = θ·E[Lq]/λ", f.p_abandon, theta * d.mean_queue_length / lambda, rel(f.p_abandon));
    assert_close("served + abandoned", d.p_served + f.p_abandon, 1.0, 1e-12);
    assert_close("λ(1 − P(abandon)) = μ·E[busy]", lambda * (1.0 - f.p_abandon), mu * d.mean_busy_servers, rel(lambda));
    assert_close("occupancy = carried load / servers", f.occupancy, d.mean_busy_servers / n, 1e-9);
    assert!(f.service_level <= d.p_served + 1e-12);
    assert!(f.service_level >= 1.0 - f.p_wait - 1e-12);
}

#[test]
fn erlang_c_reproduces_published_figures_for_14_agents() {
    let f = figures(&published(None), PUBLISHED_THRESHOLD_S).unwrap();
    println!("Erlang C, 200/h, AHT 180 s, 14 agents, 20 s: {f:?}");
    assert_eq!(f.servers, 14);
    assert_close("offered load", f.offered_load_erlangs, 10.0, 1e-12);
    assert_close("P(wait)", f.p_wait, 0.17413, 5e-6);
    assert_close("service level", f.service_level, 0.88835, 5e-6);
    assert_close("ASA", f.asa_s, 7.84, 5e-3);
    assert_eq!(f.p_abandon, 0.0);
    assert_eq!(f.mean_wait_all_s, f.asa_s);
    assert_close("occupancy", f.occupancy, 10.0 / 14.0, 1e-12);
    assert_eq!(f.threshold_s, PUBLISHED_THRESHOLD_S);
}

#[test]
fn erlang_a_reproduces_published_figures_with_300_s_patience() {
    let f = figures(&published(Some(300.0)), PUBLISHED_THRESHOLD_S).unwrap();
    println!("Erlang A, 200/h, AHT 180 s, 14 agents, patience 300 s, 20 s: {f:?}");
    assert_close("P(abandon)", f.p_abandon, 0.013984, 5e-7);
    assert_close("P(wait)", f.p_wait, 0.14526, 5e-6);
    assert_close("service level", f.service_level, 0.916792, 5e-7);
    assert_sane(&f);
}

#[test]
fn erlang_a_satisfies_little_and_flow_balance_on_the_published_case() {
    assert_consistent(&published(Some(300.0)));
    assert_consistent(&published(Some(30.0)));
    assert_consistent(&model(arrivals_for(0.99, 50), 50, Some(600.0)));
}

#[test]
fn erlang_a_with_huge_patience_converges_to_erlang_c() {
    let c = figures(&published(None), PUBLISHED_THRESHOLD_S).unwrap();
    let a = figures(&published(Some(1e9)), PUBLISHED_THRESHOLD_S).unwrap();
    let rel = |x: f64| 1e-6 * x;
    assert_close("P(wait)", a.p_wait, c.p_wait, rel(c.p_wait));
    assert_close("ASA", a.asa_s, c.asa_s, rel(c.asa_s));
    assert_close("mean wait", a.mean_wait_all_s, c.mean_wait_all_s, rel(c.mean_wait_all_s));
    assert_close("service level", a.service_level, c.service_level, rel(c.service_level));
    assert_close("occupancy", a.occupancy, c.occupancy, rel(c.occupancy));
    assert!(a.p_abandon > 0.0 && a.p_abandon < 1e-7, "{}", a.p_abandon);
}

#[test]
fn concurrency_k_matches_k_times_as_many_single_conversation_agents() {
    for patience in [None, Some(300.0)] {
        for threshold in [0.0, 20.0, 120.0] {
            let mut three_each = model(250.0, 5, patience);
            three_each.concurrency = 3;
            let one_each = model(250.0, 15, patience);
            assert_eq!(figures(&three_each, threshold).unwrap(), figures(&one_each, threshold).unwrap());
        }
    }
}

fn factorial_sum_terms(servers: u32, a: f64) -> Vec<f64> {
    let mut terms = vec![1.0];
    for j in 1..=servers {
        let prev = terms[terms.len() - 1];
        terms.push(prev * a / f64::from(j));
    }
    terms
}

#[test]
fn erlang_b_and_c_recursions_match_the_direct_formulas_on_small_cases() {
    for servers in 1..=12u32 {
        for a in [0.1, 0.5, 1.0, 2.5, 5.0, 7.9, 11.5] {
            let terms = factorial_sum_terms(servers, a);
            let sum: f64 = terms.iter().sum();
            let top = terms[servers as usize];
            let b = top / sum;
            assert_close("Erlang B", erlang_b(servers, a), b, 1e-14 * b.max(1e-300));
            assert_close("ln(1/B)", ln_inverse_erlang_b(servers, a), -b.ln(), 1e-12 * b.ln().abs().max(1.0));
            let n = f64::from(servers);
            if a < n {
                let waiting = top * n / (n - a);
                let c = waiting / (sum - top + waiting);
                assert_close("Erlang C", erlang_c(servers, a), c, 1e-13 * c);
            } else {
                assert_eq!(erlang_c(servers, a), 1.0);
            }
        }
    }
    assert_eq!(erlang_c(10, 0.0), 0.0);
    assert!(erlang_c(10, f64::NAN).is_nan());
}

#[test]
fn two_thousand_servers_at_rho_095_give_finite_figures() {
    let arrivals = arrivals_for(0.95, 2000);
    let c = figures(&model(arrivals, 2000, None), PUBLISHED_THRESHOLD_S).unwrap();
    assert_sane(&c);
    assert!(c.p_wait > 0.0);
    let a_model = model(arrivals, 2000, Some(300.0));
    let a = figures(&a_model, PUBLISHED_THRESHOLD_S).unwrap();
    assert_sane(&a);
    assert!(a.p_wait > 0.0 && a.p_wait < c.p_wait);
    assert!(a.asa_s < c.asa_s);
    assert_consistent(&a_model);
    // Far more servers than load: B underflows, and nobody should ever wait.
    let idle = figures(&model(60.0, 2000, Some(300.0)), PUBLISHED_THRESHOLD_S).unwrap();
    assert_eq!(idle.p_wait, 0.0);
    assert_eq!(idle.service_level, 1.0);
    assert_sane(&idle);
}

#[test]
fn unstable_erlang_c_is_an_error() {
    for rho in [1.0, 1.5] {
        let m = model(arrivals_for(rho, 14), 14, None);
        let err = figures(&m, PUBLISHED_THRESHOLD_S).unwrap_err();
        assert!(matches!(err, ErlangError::Unstable { servers: 14, .. }));
    }
    let err = figures(&model(arrivals_for(1.5, 14), 14, None), 20.0).unwrap_err();
    assert_eq!(
        err.to_string(),
        "unstable: offered load 21.00 Erlangs needs more than 14 servers; \
         add agents or give customers a patience"
    );
}

#[test]
fn erlang_a_at_rho_1_5_is_finite_and_conserves_throughput() {
    let m = model(arrivals_for(1.5, 14), 14, Some(300.0));
    let f = figures(&m, PUBLISHED_THRESHOLD_S).unwrap();
    assert_sane(&f);
    let lambda = m.arrivals_per_hour / SECONDS_PER_HOUR;
    let n_mu = f64::from(f.servers) / m.aht_s;
    assert_close("λ(1 − P(abandon)) = occupancy·nμ", lambda * (1.0 - f.p_abandon), f.occupancy * n_mu, 1e-12);
    // At least the excess over capacity must leave.
    assert!(f.p_abandon >= 1.0 - 1.0 / 1.5 - 1e-12);
    assert!(f.occupancy > 0.99);
    assert_consistent(&m);
    assert_consistent(&model(arrivals_for(1.5, 2000), 2000, Some(300.0)));
    assert_consistent(&model(arrivals_for(3.0, 14), 14, Some(5.0)));
}

#[test]
fn erlang_a_stationary_distribution_matches_direct_summation() {
    let m = published(Some(300.0));
    let d = detail(&m, PUBLISHED_THRESHOLD_S);
    let lambda = m.arrivals_per_hour / SECONDS_PER_HOUR;
    let mu = 1.0 / m.aht_s;
    let theta = 1.0 / 300.0;
    let n = 14usize;
    let mut weights = vec![1.0f64];
    for j in 1..n + 5000 {
        let death = (j.min(n) as f64) * mu + (j.saturating_sub(n) as f64) * theta;
        weights.push(weights[j - 1] * lambda / death);
    }
    let total: f64 = weights.iter().sum();
    let p_wait: f64 = weights[n..].iter().sum::<f64>() / total;
    let lq: f64 = weights[n..].iter().enumerate().map(|(k, w)| k as f64 * w).sum::<f64>() / total;
    assert_close("P(wait)", d.figures.p_wait, p_wait, 1e-14);
    assert_close("E[Lq]", d.mean_queue_length, lq, 1e-13);
    assert!(d.queue_states >= MIN_QUEUE_STATES);
}

/// P(Σᵢ₌₀..ₖ Exp(α + iθ) ≤ t) by uniformization of the pure-death chain.
fn within_by_uniformization(alpha: f64, theta: f64, t: f64, k: usize) -> f64 {
    let rates: Vec<f64> = (0..=k).map(|i| alpha + i as f64 * theta).collect();
    let big = rates[k];
    let mut state = vec![0.0; k + 1];
    state[k] = 1.0;
    let mut absorbed = 0.0;
    let mut poisson = (-big * t).exp();
    let mut result = 0.0;
    let steps = (big * t + 40.0 * (big * t).sqrt() + 50.0) as usize;
    for step in 0..steps {
        result += poisson * absorbed;
        let mut next = vec![0.0; k + 1];
        for i in 0..=k {
            let leave = rates[i] / big;
            next[i] += state[i] * (1.0 - leave);
            if i == 0 {
                absorbed += state[0] * leave;
            } else {
                next[i - 1] += state[i] * leave;
            }
        }
        state = next;
        poisson *= big * t / (step + 1) as f64;
    }
    result
}

#[test]
fn tilted_wait_distribution_matches_uniformization() {
    for (alpha, theta, t) in [
        (14.0 / 180.0 + 1.0 / 300.0, 1.0 / 300.0, 20.0),
        (14.0 / 180.0 + 1.0 / 300.0, 1.0 / 300.0, 200.0),
        (2.0 + 0.5, 0.5, 3.0),
        (0.01 + 1e-6, 1e-6, 150.0),
    ] {
        let mut cdf = TiltedWaitTail::new(alpha, theta, t);
        for k in 0..60 {
            let got = cdf.next_probability_within();
            let want = within_by_uniformization(alpha, theta, t, k);
            assert_close(&format!("k = {k}, t = {t}"), got, want, 1e-12);
        }
    }
}

#[test]
fn zero_threshold_service_level_is_the_probability_of_not_waiting() {
    for patience in [None, Some(300.0)] {
        let f = figures(&published(patience), 0.0).unwrap();
        assert_close("SL(0)", f.service_level, 1.0 - f.p_wait, 1e-14);
    }
}

#[test]
fn long_thresholds_leave_only_abandonment_outside_the_service_level() {
    let f = figures(&published(Some(300.0)), 1e6).unwrap();
    assert_close("SL(∞)", f.service_level, 1.0 - f.p_abandon, 1e-12);
    let c = figures(&published(None), 1e6).unwrap();
    assert_close("SL(∞)", c.service_level, 1.0, 1e-12);
}

#[test]
fn no_arrivals_means_no_waiting() {
    for patience in [None, Some(300.0)] {
        let f = figures(&model(0.0, 3, patience), 20.0).unwrap();
        assert_eq!(f.p_wait, 0.0);
        assert_eq!(f.service_level, 1.0);
        assert_eq!(f.asa_s, 0.0);
        assert_eq!(f.p_abandon, 0.0);
        assert_eq!(f.occupancy, 0.0);
    }
}

#[test]
fn invalid_inputs_are_rejected() {
    let good = published(Some(300.0));
    let cases: Vec<(QueueModel, f64, ErlangError)> = vec![
        (
            QueueModel { arrivals_per_hour: f64::NAN, ..good },
            20.0,
            ErlangError::NotFinite { field: "arrivals_per_hour", value: f64::NAN },
        ),
        (
            QueueModel { arrivals_per_hour: -1.0, ..good },
            20.0,
            ErlangError::Negative { field: "arrivals_per_hour", value: -1.0 },
        ),
        (QueueModel { aht_s: 0.0, ..good }, 20.0, ErlangError::NotPositive { field: "aht_s", value: 0.0 }),
        (
            QueueModel { aht_s: f64::INFINITY, ..good },
            20.0,
            ErlangError::NotFinite { field: "aht_s", value: f64::INFINITY },
        ),
        (QueueModel { agents: 0, ..good }, 20.0, ErlangError::NoAgents),
        (QueueModel { concurrency: 0, ..good }, 20.0, ErlangError::NoConcurrency),
        (
            QueueModel { patience_mean_s: Some(0.0), ..good },
            20.0,
            ErlangError::NotPositive { field: "patience_mean_s", value: 0.0 },
        ),
        (
            QueueModel { patience_mean_s: Some(-5.0), ..good },
            20.0,
            ErlangError::NotPositive { field: "patience_mean_s", value: -5.0 },
        ),
        (good, -1.0, ErlangError::Negative { field: "threshold_s", value: -1.0 }),
        (
            QueueModel { agents: u32::MAX, concurrency: 2, ..good },
            20.0,
            ErlangError::TooManyServers { agents: u32::MAX, concurrency: 2 },
        ),
        (
            QueueModel { agents: 4_000_000_000, concurrency: 1, ..good },
            20.0,
            ErlangError::TooManyServers { agents: 4_000_000_000, concurrency: 1 },
        ),
        (
            QueueModel { agents: MAX_SERVERS / 2 + 1, concurrency: 2, ..good },
            20.0,
            ErlangError::TooManyServers { agents: MAX_SERVERS / 2 + 1, concurrency: 2 },
        ),
    ];
    for (m, threshold, want) in cases {
        let got = figures(&m, threshold).unwrap_err();
        // NaN never equals itself, so compare what the caller would read.
        assert_eq!(got.to_string(), want.to_string(), "{m:?}");
    }
}

#[test]
fn fewest_agents_is_the_first_staffing_that_meets_the_target() {
    // Against a scan from one agent up, for Erlang C and A, with and without concurrency.
    let targets = [Target::ServiceLevel(0.8), Target::ServiceLevel(0.95), Target::Asa(20.0), Target::Abandon(0.03)];
    for (rate, aht, concurrency, patience) in [
        (200.0, 180.0, 1, None),
        (200.0, 180.0, 1, Some(300.0)),
        (900.0, 240.0, 3, None),
        (50.0, 600.0, 2, Some(120.0)),
    ] {
        let m = QueueModel { arrivals_per_hour: rate, aht_s: aht, agents: 1, concurrency, patience_mean_s: patience };
        for target in targets {
            if matches!(target, Target::Abandon(_)) && patience.is_none() {
                continue;
            }
            let (agents, f) = fewest_agents(&m, 20.0, target).unwrap();
            let scan = (1..10_000)
                .find(|&n| figures(&QueueModel { agents: n, ..m }, 20.0).is_ok_and(|f| target.met(&f)))
                .unwrap();
            assert_eq!(agents, scan, "{m:?} {target:?}");
            assert_eq!(f, figures(&QueueModel { agents, ..m }, 20.0).unwrap());
        }
    }
    // The published example: 200 calls an hour of 3 minutes, 80% within 20 s, takes 14 agents.
    let published =
        QueueModel { arrivals_per_hour: 200.0, aht_s: 180.0, agents: 1, concurrency: 1, patience_mean_s: None };
    assert_eq!(fewest_agents(&published, 20.0, Target::ServiceLevel(0.8)).unwrap().0, 14);
    assert_eq!(
        fewest_agents(&published, 20.0, Target::ServiceLevel(1.0)),
        Err(TargetError::NotAShare { what: "service level" })
    );
    assert_eq!(fewest_agents(&published, 20.0, Target::Asa(0.0)), Err(TargetError::BadAsa));
}
