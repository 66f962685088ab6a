//! Covering a staffing requirement with shifts at the least cost: the integer program of
//! `ccsim schedule` (DESIGN.md "Staffing"), solved with `good_lp` on the pure-Rust `microlp`
//! backend.
//!
//! The cycle (a day, or a week from Monday) is cut into `n` slots, and repeats: a shift that
//! starts late runs past the cycle's end into its first slots. A template may start at some slots, lasts a whole number of slots, and has
//! breaks, each a run of slots placed inside a window of the shift. The program chooses
//! `x[t][s]`, the agents starting template `t` at slot `s`, and for each break `k` of the
//! template `y[t][s][k][b]`, how many of them take it at offset `b`:
//!
//! - minimise `Σ cost_per_hour(t) · hours(t) · x[t][s]`;
//! - every slot `j`: the agents on a shift that covers `j`, less those on a break that covers it,
//!   are at least the requirement `r[j]`;
//! - each break is taken once by every agent of its shift: `Σ_b y[t][s][k][b] = x[t][s]`;
//! - each template's agents in all lie within its `min` and `max`.
//!
//! A break of a length that is not a whole number of slots takes the slots it touches.

use good_lp::{Expression, Solution, SolverModel, Variable, constraint, microlp, variable, variables};

/// A shift template on the slot grid.
#[derive(Clone, Debug, PartialEq)]
pub struct Template {
    pub name: String,
    /// The slots of the cycle a shift may start at.
    pub starts: Vec<usize>,
    /// Slots long.
    pub length: usize,
    pub breaks: Vec<BreakRule>,
    pub cost_per_hour: f64,
    pub min: u32,
    pub max: Option<u32>,
}

/// A break of a template: `length` slots, starting from `from` to `to − length` slots into the
/// shift (it lies wholly inside the window `[from, to)`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BreakRule {
    pub from: usize,
    pub to: usize,
    pub length: usize,
}

impl BreakRule {
    /// The offsets into the shift where the break may start.
    pub fn offsets(&self) -> std::ops::RangeInclusive<usize> {
        self.from..=self.to - self.length
    }
}

/// A break's variables: (offset into the shift, agents taking it there).
type Placements = Vec<(usize, Variable)>;

/// Agents on one template from one start, with where their breaks go.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Shift {
    pub template: usize,
    pub start: usize,
    pub agents: u32,
    /// Per break of the template: (offset into the shift, agents) for every offset used.
    pub breaks: Vec<Vec<(usize, u32)>>,
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum RosterError {
    #[error("no template covers slot {0}, which needs agents")]
    Uncovered(usize),
    #[error("the templates' max allow no roster that covers the requirement")]
    Infeasible,
    #[error("the solver failed: {0}")]
    Solver(String),
}

/// The slots of the cycle a shift of `t` from `start` covers, break or not.
fn covers(t: &Template, start: usize, slot: usize, n: usize) -> bool {
    (slot + n - start) % n < t.length
}

/// The least-cost shifts that cover `requirement` (agents per slot of a cycle of `slot_hours`-hour
/// slots), and their cost.
pub fn solve(requirement: &[u32], slot_hours: f64, templates: &[Template]) -> Result<(Vec<Shift>, f64), RosterError> {
    let n = requirement.len();
    for (j, &r) in requirement.iter().enumerate() {
        if r > 0 && !templates.iter().any(|t| t.starts.iter().any(|&s| covers(t, s, j, n))) {
            return Err(RosterError::Uncovered(j));
        }
    }
    let mut vars = variables!();
    // x[t][s] and y[t][s][k][b], with the offsets b of each break.
    let mut x: Vec<Vec<Variable>> = Vec::new();
    let mut y: Vec<Vec<Vec<Placements>>> = Vec::new();
    for t in templates {
        let upper = f64::from(t.max.unwrap_or(u32::MAX).min(1_000_000));
        x.push(t.starts.iter().map(|_| vars.add(variable().integer().min(0).max(upper))).collect());
        y.push(
            t.starts
                .iter()
                .map(|_| {
                    t.breaks
                        .iter()
                        .map(|b| b.offsets().map(|o| (o, vars.add(variable().integer().min(0).max(upper)))).collect())
                        .collect()
                })
                .collect(),
        );
    }
    let cost: Expression = templates
        .iter()
        .zip(&x)
        .flat_map(|(t, xs)| xs.iter().map(move |&v| t.cost_per_hour * t.length as f64 * slot_hours * v))
        .sum();
    let mut problem = vars.minimise(cost.clone()).using(microlp);
    for (j, &r) in requirement.iter().enumerate() {
        let mut on: Expression = Expression::from(0.0);
        for (ti, t) in templates.iter().enumerate() {
            for (si, &s) in t.starts.iter().enumerate() {
                if !covers(t, s, j, n) {
                    continue;
                }
                on += x[ti][si];
                for (k, b) in t.breaks.iter().enumerate() {
                    for &(o, v) in &y[ti][si][k] {
                        // The break's slots: from s + o, b.length of them.
                        if (j + 2 * n - s - o) % n < b.length {
                            on -= v;
                        }
                    }
                }
            }
        }
        problem = problem.with(constraint!(on >= f64::from(r)));
    }
    for (ti, t) in templates.iter().enumerate() {
        for (si, placements) in y[ti].iter().enumerate() {
            for offsets in placements {
                let taken: Expression = offsets.iter().map(|&(_, v)| v).sum();
                problem = problem.with(constraint!(taken == x[ti][si]));
            }
        }
        let all: Expression = x[ti].iter().copied().sum();
        if t.min > 0 {
            problem = problem.with(constraint!(all.clone() >= f64::from(t.min)));
        }
        if let Some(max) = t.max {
            problem = problem.with(constraint!(all <= f64::from(max)));
        }
    }
    let solution = problem.solve().map_err(|e| match e {
        good_lp::ResolutionError::Infeasible => RosterError::Infeasible,
        other => RosterError::Solver(other.to_string()),
    })?;
    let count = |v: Variable| solution.value(v).round().max(0.0) as u32;
    let mut shifts = Vec::new();
    for (ti, t) in templates.iter().enumerate() {
        for (si, &s) in t.starts.iter().enumerate() {
            let agents = count(x[ti][si]);
            if agents == 0 {
                continue;
            }
            let breaks = y[ti][si]
                .iter()
                .map(|offsets| offsets.iter().map(|&(o, v)| (o, count(v))).filter(|&(_, a)| a > 0).collect())
                .collect();
            shifts.push(Shift { template: ti, start: s, agents, breaks });
        }
    }
    let cost = shifts.iter().map(|s| cost_of(&templates[s.template], s.agents, slot_hours)).sum();
    Ok((shifts, cost))
}

/// What `agents` on template `t` cost a day.
pub fn cost_of(t: &Template, agents: u32, slot_hours: f64) -> f64 {
    t.cost_per_hour * t.length as f64 * slot_hours * f64::from(agents)
}

/// Agents working (on a shift, not on a break) in each slot of the cycle.
pub fn coverage(shifts: &[Shift], templates: &[Template], n: usize) -> Vec<u32> {
    let mut on = vec![0u32; n];
    for s in shifts {
        let t = &templates[s.template];
        for i in 0..t.length {
            on[(s.start + i) % n] += s.agents;
        }
        for (k, placed) in s.breaks.iter().enumerate() {
            for &(o, agents) in placed {
                for i in 0..t.breaks[k].length {
                    on[(s.start + o + i) % n] -= agents;
                }
            }
        }
    }
    on
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The cheapest cover by trying every count of every (template, start) up to `most`, with
    /// every placement of each shift's breaks (one break per template here).
    fn enumerate(requirement: &[u32], hours: f64, templates: &[Template], most: u32) -> f64 {
        let n = requirement.len();
        let choices: Vec<(usize, usize)> =
            templates.iter().enumerate().flat_map(|(t, tt)| tt.starts.iter().map(move |&s| (t, s))).collect();
        let mut best = f64::INFINITY;
        let mut counts = vec![0u32; choices.len()];
        loop {
            // For these counts, every way to split each shift's agents over its break offsets.
            let mut shifts: Vec<Shift> = choices
                .iter()
                .zip(&counts)
                .map(|(&(t, s), &a)| Shift {
                    template: t,
                    start: s,
                    agents: a,
                    breaks: vec![Vec::new(); templates[t].breaks.len()],
                })
                .collect();
            let cost: f64 = shifts.iter().map(|s| cost_of(&templates[s.template], s.agents, hours)).sum();
            if cost < best && feasible(&mut shifts, 0, requirement, templates, n) {
                best = cost;
            }
            // The next counts, as an odometer.
            let mut i = 0;
            while i < counts.len() && counts[i] == most {
                counts[i] = 0;
                i += 1;
            }
            if i == counts.len() {
                return best;
            }
            counts[i] += 1;
        }
    }

    /// Whether some split of the breaks of shifts `from..` covers the requirement.
    fn feasible(shifts: &mut [Shift], from: usize, requirement: &[u32], templates: &[Template], n: usize) -> bool {
        if from == shifts.len() {
            let on = coverage_signed(shifts, templates, n);
            return on.iter().zip(requirement).all(|(&o, &r)| o >= i64::from(r));
        }
        let t = &templates[shifts[from].template];
        let Some(rule) = t.breaks.first() else {
            return feasible(shifts, from + 1, requirement, templates, n);
        };
        let offsets: Vec<usize> = rule.offsets().collect();
        let agents = shifts[from].agents;
        // Every composition of `agents` over the offsets.
        fn splits(agents: u32, slots: usize) -> Vec<Vec<u32>> {
            if slots == 1 {
                return vec![vec![agents]];
            }
            (0..=agents)
                .flat_map(|a| {
                    splits(agents - a, slots - 1).into_iter().map(move |mut rest| {
                        rest.insert(0, a);
                        rest
                    })
                })
                .collect()
        }
        for split in splits(agents, offsets.len()) {
            shifts[from].breaks = vec![offsets.iter().zip(&split).map(|(&o, &a)| (o, a)).filter(|p| p.1 > 0).collect()];
            if feasible(shifts, from + 1, requirement, templates, n) {
                return true;
            }
        }
        false
    }

    fn coverage_signed(shifts: &[Shift], templates: &[Template], n: usize) -> Vec<i64> {
        let mut on = vec![0i64; n];
        for s in shifts {
            let t = &templates[s.template];
            for i in 0..t.length {
                on[(s.start + i) % n] += i64::from(s.agents);
            }
            for (k, placed) in s.breaks.iter().enumerate() {
                for &(o, a) in placed {
                    for i in 0..t.breaks[k].length {
                        on[(s.start + o + i) % n] -= i64::from(a);
                    }
                }
            }
        }
        on
    }

    #[test]
    fn the_program_costs_what_enumeration_finds_cheapest() {
        // Twelve 2-hour slots; an 8-hour template with one 2-hour break in its middle 4 hours,
        // from 06:00, 08:00 or 10:00, and a dearer 4-hour one without a break, from 12:00 to 18:00.
        let templates = vec![
            Template {
                name: "day".into(),
                starts: vec![3, 4, 5],
                length: 4,
                breaks: vec![BreakRule { from: 1, to: 3, length: 1 }],
                cost_per_hour: 1.0,
                min: 0,
                max: None,
            },
            Template {
                name: "part".into(),
                starts: vec![6, 7, 8, 9],
                length: 2,
                breaks: vec![],
                cost_per_hour: 1.5,
                min: 0,
                max: None,
            },
        ];
        let requirement = [0, 0, 0, 1, 2, 3, 3, 2, 2, 1, 0, 0];
        let (shifts, cost) = solve(&requirement, 2.0, &templates).unwrap();
        let on = coverage(&shifts, &templates, 12);
        assert!(on.iter().zip(&requirement).all(|(o, r)| o >= r), "{on:?} against {requirement:?}");
        let best = enumerate(&requirement, 2.0, &templates, 3);
        assert!((cost - best).abs() < 1e-9, "the program costs {cost}, enumeration {best}: {shifts:?}");
    }

    #[test]
    fn a_slot_that_no_template_covers_and_a_max_too_low_are_named() {
        let t = Template {
            name: "morning".into(),
            starts: vec![0],
            length: 2,
            breaks: vec![],
            cost_per_hour: 1.0,
            min: 0,
            max: Some(1),
        };
        assert_eq!(solve(&[1, 1, 0, 1], 6.0, std::slice::from_ref(&t)), Err(RosterError::Uncovered(3)));
        assert_eq!(solve(&[2, 1, 0, 0], 6.0, &[t]), Err(RosterError::Infeasible));
    }

    #[test]
    fn shifts_run_past_midnight_into_the_first_slots() {
        let night = Template {
            name: "night".into(),
            starts: vec![6],
            length: 4,
            breaks: vec![],
            cost_per_hour: 1.0,
            min: 0,
            max: None,
        };
        let (shifts, _) = solve(&[2, 2, 0, 0, 0, 0, 0, 0], 3.0, std::slice::from_ref(&night)).unwrap();
        assert_eq!(coverage(&shifts, &[night], 8), [2, 2, 0, 0, 0, 0, 2, 2]);
    }
}
