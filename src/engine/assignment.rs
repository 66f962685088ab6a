//! Distribution: which agent gets an Open conversation (push), and which conversation an agent
//! takes (push cycles and picks).
//!
//! (About 900 lines: the push search, its decline rankings and the pick search share the lanes and
//! seats they read, and each keeps its check against the definition beside it.)
//!
//! Open conversations wait in **lanes**, one per (queue, work stream) pair that routing can
//! produce. Conversations of one lane have the same eligibility requirements (capacity units,
//! allowed presences and capacity profile), so an agent can take a lane's oldest conversation or none of them — unless
//! it has declined that one too often, which the lanes track (`limited`). A lane is ordered by
//! (time it became Open, arrival order): a FIFO for the conversations that come in that order —
//! nearly all do — and a heap for the rest (a declined conversation keeps its old place);
//! entries of conversations that left Open are skipped by a version check.
//!
//! **Push** (DOMAIN.md §4.3): an assignment cycle takes Open conversations in priority order —
//! queue priority (lowest number first), then oldest (for a reopened conversation, its last
//! interaction), then lowest arrival order — and offers each to the best eligible agent by the
//! queue's method. After every cycle no Open conversation has an eligible agent; hence when one
//! agent's state changes only that agent can have become eligible, the cycle can be restricted to
//! it, and an arrival into a lane whose Open conversations are not limited by declines cannot be
//! assigned at once.
//!
//! Assignment methods (DOMAIN.md §4.5), after eligibility (§4.2) and fewer declines of this
//! conversation than `decline_limit`: agents who declined it fewer times come first (a declining
//! agent drops in priority for that conversation, §4.7); then
//! - `highest_capacity`: most free capacity units, ties to the oldest last assignment;
//! - `round_robin`: oldest last assignment from this queue;
//! - `least_active`: oldest last capacity release, ties to the oldest last assignment from this queue;
//!
//! and remaining ties to the first in roster order; agents never assigned count as oldest.
//!
//! A push search visits only the members that can be eligible for the conversation, from a bit
//! per member of the queue. A queue of at most 64 members whose push lanes all ask for one
//! capacity unit in the same presences keeps a bit per **candidate** (working with some free
//! capacity), and the search checks each candidate's presence (in a center without blocking
//! capacity profiles). Any other queue keeps a bit per member for each **requirement class** of
//! its push lanes (a distinct `Requirement` (`requirement.rs`) among their work streams), set
//! while the member is eligible for it: in a blended center, where most members with some room
//! have too little for a call, the search for a call never looks at them. The search reads each
//! member it visits from its **seat** in the queue: its presence and its rank by the queue's
//! method as one integer, written whenever the agent changes (an assignment is recorded first, so
//! the seat it writes has the new last assignment from the queue).
//!
//! A queue of more than 64 members (and no closest skill matching) is **ranked** instead
//! (`ranked.rs`): its members sit in slots in the order of the times its method ranks them by,
//! with bits per class and level of free capacity, and a search reads the first set bit of the
//! best level — a few words, however many members are eligible. `highest_capacity` ranks by what
//! is the agent's alone (free capacity, last assignment, roster order), so such a queue of at
//! most eight agent groups (`MOST_TEAMS`) is ranked **by team** instead: each group ranks its agents
//! once for all its queues ranked so, and the search compares the teams' best. An agent's change
//! then moves it in one ranking, not in one per queue. Debug builds check every search against
//! the definition, over every member.
//!
//! **Pick** (DOMAIN.md §4.1): an agent takes one Open conversation of its queues' pick lanes (and of
//! push lanes whose work stream enables selecting from push) by its group's `pick.policy`.

use std::cell::RefCell;
use std::cmp::Reverse;
use std::collections::BinaryHeap;

use rand::RngExt;

use super::agent::{Agent, AgentId};
use super::events::ConvSlot;
use super::lanes::{Lane, LaneQueue, Waiting};
use super::ranked::{self, Ranked};
use super::requirement::Requirement;
use super::seats::{NO_SEAT, Position, Seat, keep_lower, rank};
use super::{Conversation, ConversationState};
use crate::scenario::{
    AssignmentMethod, GroupId, Mode, PickPolicy, QueueId, Scenario, SkillSetId, WorkStream, WorkStreamId,
};
use crate::time::SimTime;

/// What selection reads of the replication's state.
pub(super) struct View<'a> {
    pub scenario: &'a Scenario,
    pub conversations: &'a [Conversation],
    pub agents: &'a [Agent],
}

impl View<'_> {
    #[inline]
    fn is_open(&self, w: &Waiting) -> bool {
        let c = &self.conversations[w.slot as usize];
        c.state == ConversationState::Open && c.version == w.version
    }

    #[inline]
    fn declines(&self, slot: ConvSlot, agent: AgentId) -> u32 {
        self.conversations[slot as usize].declines_by(agent)
    }

    #[inline]
    fn limit(&self) -> u32 {
        self.scenario.simulation.decline_limit
    }
}

pub(super) struct Lanes {
    /// Lanes per queue: one per (work stream, skill set it can require), the sets of work stream
    /// `w` from `slot_start[w]`; lane `q * slots + slot` is queue `q`'s.
    slots: usize,
    slot_start: Vec<usize>,
    lanes: Vec<Lane>,
    /// For each skill set of closest matching, each agent's distance from it ([`SkillSet::distance`]);
    /// empty for the others.
    distances: Vec<Vec<u32>>,
    /// Members of each queue, in roster order.
    members: Vec<Vec<AgentId>>,
    /// Every queue's members, queue after queue, from `seat_start[q]`: what a push search reads of
    /// the member, kept beside the queue's other members so that a search over hundreds of
    /// candidates reads one dense array; up to date for the candidates.
    seats: Vec<Seat>,
    /// Beside each seat, the member's last assignment from that queue (−∞ never), kept for the
    /// queues whose method reads it ([`rank`]).
    queue_last: Vec<f64>,
    /// Per agent group, the positions in the queues whose method reads the last assignment.
    group_last_positions: Vec<Vec<Position>>,
    seat_start: Vec<usize>,
    /// Per queue, the requirement classes of its push lanes: each distinct [`Requirement`] of
    /// their work streams. Every lane of the queue has one (`lane_class`).
    queue_classes: Vec<Vec<Requirement>>,
    lane_class: Vec<usize>,
    /// Whether a queue keeps its members' eligibility per class. A queue of at most 64 members
    /// whose push lanes all ask for one capacity unit in the same presences keeps a bit per
    /// candidate (working with some free capacity) instead, cheaper to keep, and its search checks
    /// each candidate's presence: it visits a few dozen at most.
    by_class: Vec<bool>,
    /// Per class of each queue, a bit per seat: the member is eligible for the class (working,
    /// enough free capacity, an allowed presence). A search visits these members alone — a few of
    /// fifty in a busy center — and no others. Queue `q`'s bits begin at word `word_start[q]`, one
    /// run of `queue_words[q]` words per class.
    candidates: Vec<u64>,
    word_start: Vec<usize>,
    queue_words: Vec<usize>,
    /// Per agent group, for each of its queues with push lanes routing can fill: where the
    /// group's first agent sits (a group's agents are contiguous among a queue's members, in
    /// roster order).
    group_positions: Vec<Vec<Position>>,
    /// For each agent group, the push lanes of its queues, by queue priority.
    group_lanes: Vec<Vec<usize>>,
    /// For each lane, the groups it is a push lane of; and for each group, the Open conversations
    /// of its push lanes, so that a release that finds nothing to take looks at one number.
    lane_groups: Vec<Vec<usize>>,
    group_open: Vec<u32>,
    /// For each agent group, the lanes its agents may pick from.
    group_pick_lanes: Vec<Vec<usize>>,
    /// The cycle in which each of a group's push lanes was found blocked: a lane is blocked in the
    /// current cycle when it holds `cycle`, so that a new cycle clears nothing.
    blocked: Vec<u64>,
    cycle: u64,
    /// Open conversations of one lane, for the rare scans past its head (scratch, reused).
    scratch: Vec<Waiting>,
    /// Agent changes, numbered from 1: how many there have been, the number of each agent's
    /// latest, and the agents of the last [`CHANGE_LOG`] changes (by number, modulo).
    changes: u64,
    last_change: Vec<u64>,
    change_log: Vec<AgentId>,
    /// Per lane, [`lane_can_hold`].
    can_hold: Vec<bool>,
    /// Whether any offer may be declined (some group rejects or lets offers time out): without
    /// declines no ranking is ever made, and agent changes go unnumbered.
    declines_possible: bool,
    /// The ranking of one conversation declined again and again (see [`DeclineChain`]).
    chain: RefCell<DeclineChain>,
    /// Per queue, its members in rank order where the queue is large and its method allows
    /// (`ranked.rs`): its searches read a few words, not every eligible member.
    ranked: Vec<Option<Ranked>>,
    /// Per `least_active` queue ranked so, its members that never released capacity, ranked by
    /// their last assignment from the queue: they come before every member in `ranked`, which
    /// holds the others by (last release, last assignment from the queue).
    unreleased: Vec<Option<Ranked>>,
    /// Per agent group, its agents ranked once for every highest-capacity queue of the group
    /// that is ranked by team (see the module documentation).
    teams: Vec<Option<Team>>,
    /// Per queue ranked by team, its teams in roster order; empty for the others.
    queue_teams: Vec<Vec<TeamPlace>>,
    /// Per agent group, whether its agents' changes go to [`Lanes::agent_changed_by_class`]: it
    /// has a team, or a queue with class bits.
    group_by_class: Vec<bool>,
}

/// The place of `class` among `classes`, which gains it if it is new.
fn class_index(classes: &mut Vec<Requirement>, class: Requirement) -> usize {
    classes.iter().position(|&c| c == class).unwrap_or_else(|| {
        classes.push(class);
        classes.len() - 1
    })
}

/// The most agent groups a highest-capacity queue ranked by team may have: its search looks at
/// each team's best.
const MOST_TEAMS: usize = 8;

/// A group's agents ranked by free capacity and last assignment, for the classes of the queues
/// ranked by team that the group belongs to.
struct Team {
    ranked: Ranked,
    classes: Vec<Requirement>,
}

impl Team {
    /// The team's `agent` changed: its eligibility and free capacity per class, its last
    /// assignment.
    #[inline]
    fn changed(&mut self, agent: &Agent, candidate: bool) {
        self.ranked.set_classes_and_time(agent.offset as usize, &self.classes, agent, candidate, agent.last_assigned);
    }
}

/// A team in a queue ranked by team: its group, the group's first agent, and per class of the
/// queue the team's class.
struct TeamPlace {
    group: usize,
    first: u32,
    class_of: Vec<usize>,
}

/// How many agent changes [`Lanes`] remembers by agent: a conversation's ranking stays usable
/// while fewer happened between two of its searches.
const CHANGE_LOG: usize = 256;

/// The members of a queue ranked for one conversation that agents keep declining, so that its
/// next offer does not scan the queue again (DESIGN.md "Offers": fewer declines first, then the
/// queue's method). Built at the conversation's second search in a row; each later search first
/// adds entries for the agents that changed since the one before, then drops the entries that an
/// agent's later change made stale. Every member's present state is in exactly one valid entry
/// (or none, when it is not eligible or at the decline limit), so the top is the definition's
/// answer: a conversation that every agent declines costs a ranking and a few entries per offer,
/// not a scan of the queue per offer.
#[derive(Default)]
struct DeclineChain {
    slot: ConvSlot,
    generation: u32,
    queue: usize,
    /// `Lanes::changes` at its last search.
    searched_at: u64,
    built: bool,
    ranking: BinaryHeap<Reverse<ChainEntry>>,
}

/// A member's place for the conversation, as of its change number `stamp`.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct ChainEntry {
    declines: u32,
    distance: u32,
    rank: u128,
    pos: u32,
    id: AgentId,
    stamp: u64,
}

impl Lanes {
    pub fn new(scenario: &Scenario, group_start: &[u32], distances: Vec<Vec<u32>>) -> Lanes {
        let mut slot_start = vec![0];
        for ws in &scenario.work_streams {
            slot_start.push(slot_start.last().unwrap() + ws.skill_sets.len());
        }
        let slots = *slot_start.last().unwrap();
        // Each slot's work stream and skill set.
        let slot_of: Vec<(usize, SkillSetId)> = scenario
            .work_streams
            .iter()
            .enumerate()
            .flat_map(|(w, ws)| ws.skill_sets.iter().map(move |&s| (w, s)))
            .collect();
        let lanes = (0..scenario.queues.len() * slots)
            .map(|i| {
                let (w, skills) = slot_of[i % slots];
                let ws = &scenario.work_streams[w];
                Lane {
                    queue: QueueId((i / slots) as u16),
                    work_stream: WorkStreamId(w as u16),
                    requirement: Requirement::of(ws, skills),
                    priority: scenario.queues[i / slots].priority,
                    pick: ws.mode == Mode::Pick,
                    selectable: ws.mode == Mode::Push && ws.enable_selecting_from_push,
                    open: 0,
                    limited: 0,
                    heap: LaneQueue::default(),
                }
            })
            .collect::<Vec<Lane>>();
        let can_hold: Vec<bool> = (0..lanes.len())
            .map(|l| {
                let lane = &lanes[l];
                let w = lane.work_stream.index();
                lane_can_hold(&scenario.work_streams[w], lane.queue, l % slots - slot_start[w])
            })
            .collect();
        let mut members = vec![Vec::new(); scenario.queues.len()];
        for (g, group) in scenario.agent_groups.iter().enumerate() {
            for q in &group.queues {
                members[q.index()].extend((group_start[g]..group_start[g + 1]).map(AgentId));
            }
        }
        for m in &mut members {
            m.sort_unstable();
        }
        // The classes of the push lanes that routing can fill: no other lane is ever searched.
        let mut lane_class = vec![0; lanes.len()];
        let queue_classes: Vec<Vec<Requirement>> = (0..scenario.queues.len())
            .map(|q| {
                let mut classes = Vec::new();
                for (l, lane) in lanes.iter().enumerate() {
                    if lane.queue.index() != q || lane.pick || !can_hold[l] {
                        continue;
                    }
                    lane_class[l] = class_index(&mut classes, lane.requirement);
                }
                classes
            })
            .collect();
        let by_class: Vec<bool> = (0..scenario.queues.len())
            .map(|q| {
                // A blocking profile held from another queue makes a member ineligible for work
                // that asks no profile: only class bits see it.
                let blocking = scenario.capacity_profiles.iter().any(|p| p.block_others);
                members[q].len() > 64
                    || blocking
                    || queue_classes[q].len() > 1
                    || queue_classes[q].iter().any(|c| !c.one_unit())
            })
            .collect();
        let queue_words: Vec<usize> = members.iter().map(|m| m.len().div_ceil(64)).collect();
        let (mut seat_start, mut word_start) = (vec![0], vec![0]);
        for (q, m) in members.iter().enumerate() {
            seat_start.push(seat_start.last().unwrap() + m.len());
            let runs = if by_class[q] { queue_classes[q].len() } else { 1 };
            word_start.push(word_start.last().unwrap() + queue_words[q] * runs);
        }
        // Every agent starts off shift, which its first change writes here.
        let seats = members.iter().flatten().map(|&id| Seat::off_shift(id)).collect();
        // Which queues rank their members, and with how many levels of free capacity.
        let rank_levels: Vec<Option<usize>> = (0..scenario.queues.len())
            .map(|q| {
                let method = scenario.queues[q].assignment;
                let largest = scenario
                    .agent_groups
                    .iter()
                    .filter(|g| g.queues.contains(&QueueId(q as u16)) && g.count > 0)
                    .map(|g| g.capacity)
                    .max()
                    .unwrap_or(0);
                let closest = queue_classes[q].iter().any(|c| !distances[c.skills.index()].is_empty());
                let levels = match method {
                    AssignmentMethod::HighestCapacity => largest as usize + 1,
                    AssignmentMethod::RoundRobin | AssignmentMethod::LeastActive => 1,
                };
                let ranks = members[q].len() > 64
                    && by_class[q]
                    && !queue_classes[q].is_empty()
                    && !closest
                    && largest < ranked::MOST_LEVELS;
                ranks.then_some(levels)
            })
            .collect();
        // Highest capacity ranks by what belongs to the agent alone (free capacity, last
        // assignment, roster order): a queue of few groups is ranked by team instead.
        let by_team: Vec<bool> = (0..scenario.queues.len())
            .map(|q| {
                let groups = scenario.agent_groups.iter().filter(|g| g.queues.contains(&QueueId(q as u16))).count();
                rank_levels[q].is_some()
                    && scenario.queues[q].assignment == AssignmentMethod::HighestCapacity
                    && groups <= MOST_TEAMS
            })
            .collect();
        let ranked: Vec<Option<Ranked>> = (0..scenario.queues.len())
            .map(|q| {
                // Least active ranks its members as they release capacity, the others apart.
                let all = scenario.queues[q].assignment != AssignmentMethod::LeastActive;
                let levels = rank_levels[q].filter(|_| !by_team[q]);
                levels.map(|levels| Ranked::new(members[q].len(), levels, queue_classes[q].len(), all))
            })
            .collect();
        let mut team_classes: Vec<Vec<Requirement>> = vec![Vec::new(); scenario.agent_groups.len()];
        let queue_teams: Vec<Vec<TeamPlace>> = (0..scenario.queues.len())
            .map(|q| {
                if !by_team[q] {
                    return Vec::new();
                }
                let queue = QueueId(q as u16);
                let groups = scenario.agent_groups.iter().enumerate().filter(|(_, g)| g.queues.contains(&queue));
                groups
                    .filter(|&(g, _)| group_start[g + 1] > group_start[g])
                    .map(|(g, _)| {
                        let classes = &mut team_classes[g];
                        let class_of = queue_classes[q].iter().map(|&class| class_index(classes, class)).collect();
                        TeamPlace { group: g, first: group_start[g], class_of }
                    })
                    .collect()
            })
            .collect();
        let teams: Vec<Option<Team>> = team_classes
            .into_iter()
            .enumerate()
            .map(|(g, classes)| {
                let agents = (group_start[g + 1] - group_start[g]) as usize;
                let levels = scenario.agent_groups[g].capacity as usize + 1;
                (!classes.is_empty())
                    .then(|| Team { ranked: Ranked::new(agents, levels, classes.len(), true), classes })
            })
            .collect();
        let group_positions: Vec<Vec<Position>> = scenario
            .agent_groups
            .iter()
            .enumerate()
            .map(|(g, group)| {
                // A queue without push lanes routing can fill is never searched: its members'
                // changes need not be written there.
                group
                    .queues
                    .iter()
                    .filter(|q| !queue_classes[q.index()].is_empty() && !by_team[q.index()])
                    .map(|q| {
                        let queue = q.index();
                        let first = members[queue].partition_point(|&a| a < AgentId(group_start[g]));
                        Position {
                            queue,
                            seat: seat_start[queue] + first,
                            bit: word_start[queue] * 64 + first,
                            words: queue_words[queue],
                            by_class: by_class[queue],
                            method: scenario.queues[queue].assignment,
                        }
                    })
                    .collect()
            })
            .collect();
        let group_by_class = (0..scenario.agent_groups.len())
            .map(|g| teams[g].is_some() || group_positions[g].iter().any(|p: &Position| p.by_class))
            .collect();
        let holds = &can_hold;
        let unreleased = (0..scenario.queues.len())
            .map(|q| {
                let ranked_least_active =
                    ranked[q].is_some() && scenario.queues[q].assignment == AssignmentMethod::LeastActive;
                ranked_least_active.then(|| Ranked::new(members[q].len(), 1, queue_classes[q].len(), true))
            })
            .collect();
        let group_lanes_where = |keep: &dyn Fn(&Lane) -> bool| -> Vec<Vec<usize>> {
            scenario
                .agent_groups
                .iter()
                .map(|group| {
                    let mut ids: Vec<usize> = group
                        .queues
                        .iter()
                        .flat_map(|&q| (0..slots).map(move |slot| q.index() * slots + slot).filter(move |&l| holds[l]))
                        .filter(|&l| keep(&lanes[l]))
                        .collect();
                    ids.sort_by_key(|&l| (lanes[l].priority, l));
                    ids
                })
                .collect()
        };
        let group_lanes = group_lanes_where(&|lane| !lane.pick);
        let most_lanes = group_lanes.iter().map(Vec::len).max().unwrap_or(0);
        let group_pick_lanes = group_lanes_where(&|lane| lane.pick || lane.selectable);
        let mut lane_groups = vec![Vec::new(); lanes.len()];
        for (g, ids) in group_lanes.iter().enumerate() {
            for &l in ids {
                lane_groups[l].push(g);
            }
        }
        Lanes {
            slots,
            slot_start,
            distances,
            lanes,
            members,
            queue_last: vec![f64::NEG_INFINITY; *seat_start.last().unwrap()],
            candidates: vec![0; *word_start.last().unwrap()],
            seat_start,
            word_start,
            queue_words,
            queue_classes,
            lane_class,
            by_class,
            seats,
            group_last_positions: group_positions
                .iter()
                .map(|positions| {
                    positions.iter().copied().filter(|p| p.method != AssignmentMethod::HighestCapacity).collect()
                })
                .collect(),
            group_positions,
            group_open: vec![0; group_lanes.len()],
            group_lanes,
            lane_groups,
            group_pick_lanes,
            blocked: vec![0; most_lanes],
            cycle: 0,
            scratch: Vec::new(),
            can_hold,
            changes: 0,
            declines_possible: scenario.agent_groups.iter().any(|g| g.offer.as_ref().is_some_and(|o| o.accept < 1.0)),
            last_change: vec![0; group_start.last().map_or(0, |&n| n as usize)],
            change_log: vec![AgentId::NONE; CHANGE_LOG],
            chain: RefCell::new(DeclineChain::default()),
            ranked,
            unreleased,
            teams,
            queue_teams,
            group_by_class,
        }
    }

    /// Whether a lane can ever hold a conversation ([`lane_can_hold`]).
    #[inline]
    pub fn can_hold(&self, lane: usize) -> bool {
        self.can_hold[lane]
    }

    /// What a lane's conversations ask of an agent.
    #[inline]
    pub fn requirement_of(&self, lane: usize) -> Requirement {
        self.lanes[lane].requirement
    }

    /// The queue a lane belongs to: the one its conversations are offered from.
    #[inline]
    pub fn queue_of(&self, lane: usize) -> QueueId {
        self.lanes[lane].queue
    }

    /// The lane of `queue` for conversations of `work_stream` requiring its `skills`-th skill
    /// set.
    #[inline]
    pub fn lane_of(&self, queue: QueueId, work_stream: WorkStreamId, skills: usize) -> usize {
        queue.index() * self.slots + self.slot_start[work_stream.index()] + skills
    }

    /// The lane of `queue` for the conversations of `lane` (its work stream and skill set).
    #[inline]
    pub fn moved(&self, lane: usize, queue: QueueId) -> usize {
        queue.index() * self.slots + lane % self.slots
    }

    /// Whether an arrival into `lane` may skip looking for an agent: some Open conversation of
    /// the lane has no decline-limited agent, so every agent ineligible for it is ineligible for a
    /// new conversation too.
    #[inline]
    pub fn surely_busy(&self, lane: usize) -> bool {
        let l = &self.lanes[lane];
        l.open > l.limited
    }

    /// Open conversations waiting in the lanes of `queue`, whatever their work stream.
    pub fn open_in_queue(&self, queue: QueueId) -> u32 {
        let from = queue.index() * self.slots;
        self.lanes[from..from + self.slots].iter().map(|l| l.open).sum()
    }

    #[inline]
    pub fn is_pick(&self, lane: usize) -> bool {
        self.lanes[lane].pick
    }

    /// Whether the group's agents pick from any lane.
    pub fn group_picks(&self, group: GroupId) -> bool {
        !self.group_pick_lanes[group.index()].is_empty()
    }

    #[inline]
    pub fn push(&mut self, lane: usize, since: SimTime, order: u64, slot: ConvSlot, version: u32, limited: bool) {
        debug_assert!(self.can_hold[lane], "a conversation joined lane {lane}, which routing cannot fill");
        for &g in &self.lane_groups[lane] {
            self.group_open[g] += 1;
        }
        let lane = &mut self.lanes[lane];
        lane.open += 1;
        lane.limited += u32::from(limited);
        lane.heap.push(Waiting { since, order, slot, version });
    }

    /// A conversation of the lane stopped being Open; its heap entry goes stale.
    #[inline]
    pub fn remove_open(&mut self, lane: usize, limited: bool) {
        for &g in &self.lane_groups[lane] {
            self.group_open[g] -= 1;
        }
        let lane = &mut self.lanes[lane];
        lane.open -= 1;
        lane.limited -= u32::from(limited);
    }

    /// An agent (`id` in the roster) changed: its seat in each of its queues, and whether it is a
    /// candidate there (working with free capacity).
    #[inline(always)]
    pub fn agent_changed(&mut self, agent: &Agent, id: AgentId) {
        if self.declines_possible {
            self.log_change(id);
        }
        let g = agent.group.index();
        if self.group_by_class[g] {
            return self.agent_changed_by_class(agent, id);
        }
        let positions = &self.group_positions[g];
        let offset = agent.offset as usize;
        if !agent.candidate() {
            // A search reads only the seats of candidates: this one is written when it is one again.
            for p in positions {
                let bit = p.bit + offset;
                self.candidates[bit / 64] &= !(1u64 << (bit % 64));
            }
            return;
        }
        for p in positions {
            let (seat, bit) = (p.seat + offset, p.bit + offset);
            self.seats[seat] = Seat::of(agent, id, p.method, self.queue_last[seat]);
            self.candidates[bit / 64] |= 1u64 << (bit % 64);
        }
    }

    /// Numbers the change of agent `id` for the rankings of declined conversations: out of line,
    /// so that centers without declines pay a test of a flag.
    #[cold]
    #[inline(never)]
    fn log_change(&mut self, id: AgentId) {
        self.changes += 1;
        self.last_change[id.index()] = self.changes;
        self.change_log[self.changes as usize % CHANGE_LOG] = id;
    }

    /// [`Lanes::agent_changed`] for an agent of a group with a team or a queue that keeps its
    /// members' eligibility per class: out of line, so that the small centers' case stays small
    /// where it is inlined.
    #[inline(never)]
    fn agent_changed_by_class(&mut self, agent: &Agent, id: AgentId) {
        let positions = &self.group_positions[agent.group.index()];
        let offset = agent.offset as usize;
        let candidate = agent.candidate();
        if let Some(team) = &mut self.teams[agent.group.index()] {
            team.changed(agent, candidate);
        }
        for p in positions {
            let (seat, bit) = (p.seat + offset, p.bit + offset);
            if p.method == AssignmentMethod::LeastActive
                && let Some(ranked) = &mut self.ranked[p.queue]
            {
                let member = seat - self.seat_start[p.queue];
                let unreleased = self.unreleased[p.queue].as_mut().expect("kept beside a least active ranking");
                let from_queue = self.queue_last[seat];
                let here = if agent.last_release == f64::NEG_INFINITY {
                    unreleased.set_key(member, (from_queue, 0.0));
                    unreleased
                } else {
                    if unreleased.holds(member) {
                        unreleased.remove(member);
                    }
                    ranked.set_key(member, (agent.last_release, from_queue));
                    ranked
                };
                for (c, &class) in self.queue_classes[p.queue].iter().enumerate() {
                    here.set_class(member, c, class, agent, candidate);
                }
                continue;
            }
            if let Some(ranked) = &mut self.ranked[p.queue] {
                let member = seat - self.seat_start[p.queue];
                // Levels first: a member that moves takes only the bits it still has.
                for (c, &class) in self.queue_classes[p.queue].iter().enumerate() {
                    ranked.set_class(member, c, class, agent, candidate);
                }
                ranked.set_time(
                    member,
                    match p.method {
                        AssignmentMethod::RoundRobin => self.queue_last[seat],
                        _ => agent.last_assigned,
                    },
                );
                continue;
            }
            if candidate {
                // A search reads only the seats of eligible members: this one is written when it
                // is a candidate again.
                self.seats[seat] = Seat::of(agent, id, p.method, self.queue_last[seat]);
            }
            if !p.by_class {
                let word = &mut self.candidates[bit / 64];
                *word = (*word & !(1u64 << (bit % 64))) | (u64::from(candidate) << (bit % 64));
                continue;
            }
            for (c, class) in self.queue_classes[p.queue].iter().enumerate() {
                let bit = bit + c * p.words * 64;
                let word = &mut self.candidates[bit / 64];
                let eligible = candidate && class.admits_state(agent);
                *word = (*word & !(1u64 << (bit % 64))) | (u64::from(eligible) << (bit % 64));
            }
        }
    }

    /// Notes that `agent` was assigned a conversation of `queue` (round robin order), if it is one
    /// of the queue's members. Comes before the change of the agent that the assignment makes,
    /// which writes its seats with it.
    #[inline]
    pub fn record_assignment(&mut self, queue: QueueId, agent: &Agent, now: SimTime) {
        let q = queue.index();
        if let Some(p) = self.group_last_positions[agent.group.index()].iter().find(|p| p.queue == q) {
            self.queue_last[p.seat + agent.offset as usize] = now.0;
        }
    }

    /// The best eligible agent for conversation `slot` of `lane` by the queue's method.
    pub fn best_agent(&self, view: &View, lane_id: usize, slot: ConvSlot) -> Option<AgentId> {
        let lane = &self.lanes[lane_id];
        let (q, req) = (lane.queue.index(), lane.requirement);
        if !view.conversations[slot as usize].declines.is_empty() {
            return self.best_agent_after_declines(view, q, req, view.scenario.queues[q].assignment, slot);
        }
        let found = self.search(q, self.lane_class[lane_id], req);
        debug_assert_eq!(found, self.best_by_definition(view, q, req), "queue {q}");
        found
    }

    /// [`Lanes::best_agent`] for a conversation of `lane` that no agent has declined, such as one
    /// arriving now.
    #[inline]
    pub fn best_agent_undeclined(&self, view: &View, lane: usize) -> Option<AgentId> {
        let (q, req) = (self.lanes[lane].queue.index(), self.lanes[lane].requirement);
        let found = self.search(q, self.lane_class[lane], req);
        debug_assert_eq!(found, self.best_by_definition(view, q, req), "queue {q}");
        found
    }

    /// Agent `id`'s distance from the skills `req` asks, where they are matched closest (0
    /// elsewhere): what ranks members before the queue's method does.
    #[inline]
    fn distance(&self, req: Requirement, id: AgentId) -> u32 {
        self.distances[req.skills.index()].get(id.index()).copied().unwrap_or(0)
    }

    /// The best eligible member of queue `q` for a conversation asking `req` that nobody
    /// declined, by the definition: every member in roster order, the nearest to its skills
    /// (closest matching) and then the lowest [`rank`] first. What the searches above find from
    /// their bits and seats, as debug builds check on every search.
    fn best_by_definition(&self, view: &View, q: usize, req: Requirement) -> Option<AgentId> {
        let method = view.scenario.queues[q].assignment;
        let mut best: Option<(AgentId, (u32, u128))> = None;
        for (pos, &id) in self.members[q].iter().enumerate() {
            let agent = &view.agents[id.index()];
            let key = (self.distance(req, id), rank(method, agent, self.queue_last[self.seat_start[q] + pos]));
            if req.admits(agent) && best.is_none_or(|(_, b)| key < b) {
                best = Some((id, key));
            }
        }
        best.map(|(id, _)| id)
    }

    /// The search for a conversation asking `req` of queue `q`, whose requirement class is
    /// `class`: by the seats' ranks alone, or for closest matching by distance first.
    #[inline]
    fn search(&self, q: usize, class: usize, req: Requirement) -> Option<AgentId> {
        if let Some(ranked) = &self.ranked[q] {
            // Members that never released capacity rank first under least active.
            let first = self.unreleased[q].as_ref().and_then(|u| u.best(class, req.units));
            first.or_else(|| ranked.best(class, req.units)).map(|m| self.members[q][m])
        } else if !self.queue_teams[q].is_empty() {
            self.search_teams(q, class, req.units)
        } else if self.distances[req.skills.index()].is_empty() {
            self.scan_candidates(q, class, req)
        } else {
            self.scan_closest(q, class, req)
        }
    }

    /// The search of a queue ranked by team, for its class `class` asking `units`: each team's
    /// first member of the highest level of free capacity it has at or above the best found so
    /// far; a higher level wins, then an older last assignment, then the earlier team (roster
    /// order).
    #[inline]
    fn search_teams(&self, q: usize, class: usize, units: u32) -> Option<AgentId> {
        let mut best: Option<(usize, f64, AgentId)> = None;
        for place in &self.queue_teams[q] {
            let team = &self.teams[place.group].as_ref().expect("a team where a queue ranks by team").ranked;
            let lowest = best.map_or(units as usize, |(level, ..)| level);
            if let Some((level, m)) = team.best_from(place.class_of[class], lowest) {
                let time = team.time_of(m);
                if best.is_none_or(|(l, t, _)| level > l || time < t) {
                    best = Some((level, time, AgentId(place.first + m as u32)));
                }
            }
        }
        best.map(|(.., id)| id)
    }

    /// [`Lanes::scan_candidates`] for closest matching: the eligible members (a queue of such
    /// lanes keeps class bits) by (distance, rank).
    fn scan_closest(&self, q: usize, class: usize, req: Requirement) -> Option<AgentId> {
        debug_assert!(self.by_class[q]);
        let mut best: Option<((u32, u128), AgentId)> = None;
        let seats = &self.seats[self.seat_start[q]..self.seat_start[q + 1]];
        let start = self.word_start[q] + class * self.queue_words[q];
        for (w, &word) in self.candidates[start..start + self.queue_words[q]].iter().enumerate() {
            let mut bits = word;
            while bits != 0 {
                let seat = &seats[w * 64 + bits.trailing_zeros() as usize];
                bits &= bits - 1;
                let key = (self.distance(req, seat.id), seat.rank);
                if best.is_none_or(|(b, _)| key < b) {
                    best = Some((key, seat.id));
                }
            }
        }
        best.map(|(_, id)| id)
    }

    /// The common case, without declines, as one tight scan over the candidates of queue `q`: the
    /// lowest [`rank`] wins, the first in roster order on ties. Out of line, so that the scan has
    /// the registers to itself.
    #[inline(never)]
    fn scan_candidates(&self, q: usize, class: usize, req: Requirement) -> Option<AgentId> {
        let mut best = (u128::MAX, NO_SEAT);
        let seats = &self.seats[self.seat_start[q]..self.seat_start[q + 1]];
        let start = self.word_start[q] + class * self.queue_words[q];
        let by_class = self.by_class[q];
        for (w, &word) in self.candidates[start..start + self.queue_words[q]].iter().enumerate() {
            let mut bits = word;
            while bits != 0 {
                let pos = w * 64 + bits.trailing_zeros() as usize;
                bits &= bits - 1;
                let seat = &seats[pos];
                // A candidate of a queue without class bits has room for the one unit its only
                // class asks: of the `Requirement`, its presence remains to be seen.
                if !by_class && !req.presences.contains(seat.presence) {
                    continue;
                }
                best = keep_lower(best, seat);
            }
        }
        (best.1 != NO_SEAT).then_some(best.1)
    }

    /// [`Lanes::best_agent`] for a conversation some agents have declined: those who declined it
    /// fewer times come first, and those at the decline limit not at all. The first search scans
    /// the queue; a second in a row for the same conversation ranks it ([`DeclineChain`]).
    fn best_agent_after_declines(
        &self,
        view: &View,
        q: usize,
        req: Requirement,
        method: AssignmentMethod,
        slot: ConvSlot,
    ) -> Option<AgentId> {
        let generation = view.conversations[slot as usize].generation;
        let mut chain = self.chain.borrow_mut();
        let same = chain.slot == slot && chain.generation == generation && chain.queue == q;
        let recent = self.changes - chain.searched_at < CHANGE_LOG as u64;
        let found = match (same && recent, chain.built) {
            (true, true) => {
                for n in chain.searched_at + 1..=self.changes {
                    let id = self.change_log[n as usize % CHANGE_LOG];
                    // Only its latest change says how it is now.
                    if self.last_change[id.index()] == n
                        && let Ok(pos) = self.members[q].binary_search(&id)
                        && let Some(entry) = self.chain_entry(view, q, req, method, slot, pos)
                    {
                        chain.ranking.push(Reverse(entry));
                    }
                }
                self.chain_top(&mut chain)
            }
            (true, false) => {
                let mut entries = std::mem::take(&mut chain.ranking).into_vec();
                entries.clear();
                entries.extend(
                    (0..self.members[q].len())
                        .filter_map(|pos| self.chain_entry(view, q, req, method, slot, pos).map(Reverse)),
                );
                chain.ranking = BinaryHeap::from(entries);
                chain.built = true;
                self.chain_top(&mut chain)
            }
            (false, _) => {
                *chain = DeclineChain {
                    slot,
                    generation,
                    queue: q,
                    searched_at: 0,
                    built: false,
                    ranking: std::mem::take(&mut chain.ranking),
                };
                chain.ranking.clear();
                self.after_declines_by_definition(view, q, req, method, slot)
            }
        };
        chain.searched_at = self.changes;
        debug_assert_eq!(found, self.after_declines_by_definition(view, q, req, method, slot), "queue {q}");
        found
    }

    /// Member `pos` of queue `q` as conversation `slot` ranks it now, if it may be offered it.
    fn chain_entry(
        &self,
        view: &View,
        q: usize,
        req: Requirement,
        method: AssignmentMethod,
        slot: ConvSlot,
        pos: usize,
    ) -> Option<ChainEntry> {
        let id = self.members[q][pos];
        let agent = &view.agents[id.index()];
        let declines = view.declines(slot, id);
        (req.admits(agent) && declines < view.limit()).then(|| ChainEntry {
            declines,
            distance: self.distance(req, id),
            rank: rank(method, agent, self.queue_last[self.seat_start[q] + pos]),
            pos: pos as u32,
            id,
            stamp: self.last_change[id.index()],
        })
    }

    /// The best valid entry of the ranking, the stale ones above it dropped.
    fn chain_top(&self, chain: &mut DeclineChain) -> Option<AgentId> {
        while let Some(Reverse(top)) = chain.ranking.peek() {
            if self.last_change[top.id.index()] == top.stamp {
                return Some(top.id);
            }
            chain.ranking.pop();
        }
        None
    }

    /// [`Lanes::best_agent_after_declines`] by the definition: every member in roster order.
    fn after_declines_by_definition(
        &self,
        view: &View,
        q: usize,
        req: Requirement,
        method: AssignmentMethod,
        slot: ConvSlot,
    ) -> Option<AgentId> {
        let mut best: Option<(AgentId, (u32, u32, u128))> = None;
        // Members and declines are both in agent order: one pass over each, whatever the number
        // of agents who declined it, so a conversation declined by all costs a scan per offer.
        let mut declined = view.conversations[slot as usize].declines.iter().peekable();
        for (pos, &id) in self.members[q].iter().enumerate() {
            while declined.next_if(|&&(a, _)| a < id).is_some() {}
            let declines = declined.peek().filter(|&&&(a, _)| a == id).map_or(0, |&&(_, n)| n);
            let agent = &view.agents[id.index()];
            if !req.admits(agent) {
                continue;
            }
            if declines >= view.limit() {
                continue;
            }
            // Seats are kept for candidates only: this search, over every member, makes its own.
            let key =
                (declines, self.distance(req, id), rank(method, agent, self.queue_last[self.seat_start[q] + pos]));
            if best.is_none_or(|(_, b)| key < b) {
                best = Some((id, key));
            }
        }
        best.map(|(id, _)| id)
    }

    /// Whether a push lane of `group` holds an Open conversation: without one, a cycle finds
    /// nothing.
    #[inline]
    pub fn group_has_open(&self, group: GroupId) -> bool {
        debug_assert_eq!(
            self.group_open[group.index()] > 0,
            self.group_lanes[group.index()].iter().any(|&l| self.lanes[l].open > 0)
        );
        self.group_open[group.index()] > 0
    }

    /// Debug builds, between events: no Open conversation of `group`'s push lanes is left with a
    /// member of its queue who may be offered it (eligible, below the decline limit for it).
    /// Checked where lanes hold at most 16 Open conversations and queues 16 members, to keep the
    /// tests quick.
    #[cfg(debug_assertions)]
    pub fn check_no_match_left(&self, view: &View, group: GroupId) {
        for &l in &self.group_lanes[group.index()] {
            let lane = &self.lanes[l];
            let q = lane.queue.index();
            if lane.open > 16 || self.members[q].len() > 16 {
                continue;
            }
            for w in lane.heap.iter().filter(|w| view.is_open(w)) {
                let missed = self.members[q].iter().find(|&&id| {
                    lane.requirement.admits(&view.agents[id.index()]) && view.declines(w.slot, id) < view.limit()
                });
                assert!(
                    missed.is_none(),
                    "conversation {} of lane {l} waits while agent {missed:?} is free for it",
                    w.slot
                );
            }
        }
    }

    /// Starts an assignment cycle over the push lanes of `group`.
    pub fn begin_cycle(&mut self, group: GroupId) {
        debug_assert!(self.blocked.len() >= self.group_lanes[group.index()].len());
        self.cycle += 1;
    }

    /// The valid head of a lane, dropping stale entries on the way.
    fn head(lanes: &mut [Lane], view: &View, l: usize) -> Option<Waiting> {
        let lane = &mut lanes[l];
        loop {
            match lane.heap.peek() {
                None => return None,
                Some(w) if view.is_open(w) => return Some(*w),
                Some(_) => {
                    lane.heap.pop();
                }
            }
        }
    }

    /// The next (conversation, agent) match of the cycle begun by [`Lanes::begin_cycle`], with
    /// the conversation taken out of its lane's order; `None` when no Open conversation of the
    /// group's push lanes has an eligible agent. With `only`, that agent is the only candidate.
    #[inline]
    pub fn next_match(&mut self, view: &View, group: GroupId, only: Option<AgentId>) -> Option<(ConvSlot, AgentId)> {
        // An agent without room, or not working, is eligible for nothing (every work stream takes
        // at least one unit).
        if only.is_some_and(|a| !view.agents[a.index()].candidate()) {
            return None;
        }
        loop {
            let mut best: Option<(usize, usize, Waiting)> = None;
            for (pos, &l) in self.group_lanes[group.index()].iter().enumerate() {
                if self.blocked[pos] == self.cycle {
                    continue;
                }
                if self.lanes[l].open == 0 {
                    // Only stale entries, if any: nothing to take.
                    self.blocked[pos] = self.cycle;
                    continue;
                }
                let Some(w) = Self::head(&mut self.lanes, view, l) else {
                    self.blocked[pos] = self.cycle;
                    continue;
                };
                let earlier = |b: &(usize, usize, Waiting)| {
                    (self.lanes[l].priority, w.since, w.order) < (self.lanes[b.1].priority, b.2.since, b.2.order)
                };
                if best.as_ref().is_none_or(earlier) {
                    best = Some((pos, l, w));
                }
            }
            let (pos, l, head) = best?;
            let head_agent = match only {
                Some(a) if !self.lanes[l].requirement.admits(&view.agents[a.index()]) => {
                    self.blocked[pos] = self.cycle;
                    continue;
                }
                Some(a) => (view.declines(head.slot, a) < view.limit()).then_some(a),
                None => self.best_agent(view, l, head.slot),
            };
            if let Some(a) = head_agent {
                let lane = &mut self.lanes[l].heap;
                lane.pop();
                // The conversation two places behind the new head is cached by the time it is the head.
                if super::prefetch::worth_it(view.conversations)
                    && let Some(w) = lane.fifo.get(2)
                {
                    super::prefetch::record(view.conversations.as_ptr(), w.slot as usize);
                }
                return Some((head.slot, a));
            }
            // The head is out of reach only by declines: a later conversation may not be.
            if self.lanes[l].limited > 0
                && let Some(found) = self.first_reachable(view, l, only)
            {
                return Some(found);
            }
            self.blocked[pos] = self.cycle;
        }
    }

    /// The oldest Open conversation of a lane that has an eligible agent (`only`, or any).
    fn first_reachable(&mut self, view: &View, l: usize, only: Option<AgentId>) -> Option<(ConvSlot, AgentId)> {
        // A conversation declined again and again leaves a stale entry at every decline: when
        // they outnumber the Open ones, they go, so that this scan stays as long as the lane.
        let lane = &mut self.lanes[l];
        if lane.heap.len() > 2 * lane.open as usize + 64 {
            lane.heap.retain(|w| view.is_open(w));
        }
        self.scratch.clear();
        self.scratch.extend(self.lanes[l].heap.iter().copied().filter(|w| view.is_open(w)));
        self.scratch.sort_unstable();
        for w in &self.scratch {
            let agent = match only {
                Some(a) => (view.declines(w.slot, a) < view.limit()).then_some(a),
                None => self.best_agent(view, l, w.slot),
            };
            if let Some(a) = agent {
                return Some((w.slot, a));
            }
        }
        None
    }

    /// Whether `agent` may pick a conversation of `lane`.
    fn may_pick(view: &View, agent: &Agent, lane: &Lane, force_capacity: bool) -> bool {
        if !agent.working() {
            return false;
        }
        let req = lane.requirement;
        if lane.selectable && !lane.pick {
            // Selecting from push ignores capacity and presence (DOMAIN.md §4.1), not skills.
            return if force_capacity { req.admits(agent) } else { req.skilled(agent) };
        }
        let behaviour = &view.scenario.agent_groups[agent.group.index()].pick;
        if behaviour.respect_capacity || force_capacity {
            req.admits(agent)
        } else {
            // A manual pick may take capacity below zero, but not from a break or while inactive,
            // nor without the skills.
            agent.scheduled.is_none_or(|p| p.is_staffed()) && agent.penalty.is_none() && req.skilled(agent)
        }
    }

    /// The conversation `agent` picks now by its group's policy, if any. `immediate` pickers
    /// always respect capacity: they pick the moment they have room.
    pub fn pick(
        &mut self,
        view: &View,
        agent_id: AgentId,
        immediate: bool,
        rng: &mut super::rng::Stream,
    ) -> Option<ConvSlot> {
        let agent = &view.agents[agent_id.index()];
        let group = agent.group.index();
        let policy = view.scenario.agent_groups[group].pick.policy;
        if policy == PickPolicy::Random {
            let total: u32 = self.group_pick_lanes[group]
                .iter()
                .filter(|&&l| Self::may_pick(view, agent, &self.lanes[l], immediate))
                .map(|&l| self.lanes[l].open)
                .sum();
            if total == 0 {
                return None;
            }
            let mut k = rng.random_range(0..total);
            for &l in &self.group_pick_lanes[group] {
                let lane = &self.lanes[l];
                if !Self::may_pick(view, agent, lane, immediate) {
                    continue;
                }
                if k < lane.open {
                    // The order of the entries is arbitrary but fixed by the sequence of pushes and
                    // pops: deterministic.
                    return lane.heap.iter().filter(|w| view.is_open(w)).nth(k as usize).map(|w| w.slot);
                }
                k -= lane.open;
            }
            return None;
        }
        let mut best: Option<(usize, (i64, SimTime, u64))> = None;
        for i in 0..self.group_pick_lanes[group].len() {
            let l = self.group_pick_lanes[group][i];
            if !Self::may_pick(view, agent, &self.lanes[l], immediate) {
                continue;
            }
            let Some(w) = Self::head(&mut self.lanes, view, l) else { continue };
            let priority = if policy == PickPolicy::Priority { self.lanes[l].priority } else { 0 };
            let key = (priority, w.since, w.order);
            if best.is_none_or(|(_, k)| key < k) {
                best = Some((l, key));
            }
        }
        let (l, _) = best?;
        self.lanes[l].heap.pop().map(|w| w.slot)
    }

    /// An immediate picker (`pick.every = "0s"`) who can take a new conversation of `lane` now:
    /// the one idle longest, first in roster order on ties.
    pub fn immediate_picker(&self, view: &View, lane: usize) -> Option<AgentId> {
        let l = &self.lanes[lane];
        let mut best: Option<(AgentId, f64)> = None;
        for &id in &self.members[l.queue.index()] {
            let agent = &view.agents[id.index()];
            let group = &view.scenario.agent_groups[agent.group.index()];
            if !group.pick.immediate() || !Self::may_pick(view, agent, l, true) {
                continue;
            }
            if best.is_none_or(|(_, last)| agent.last_assigned < last) {
                best = Some((id, agent.last_assigned));
            }
        }
        best.map(|(id, _)| id)
    }
}

/// Whether the lane of `queue`, `ws` and the `skills`-th set of its list can ever hold a
/// conversation: routing (or overflow, or a transfer) sends the work stream's conversations
/// there, and some of them can require that skill set. Only such lanes are given requirement
/// classes and searched; debug builds check that no conversation joins another
/// ([`Lanes::push`]).
pub(super) fn lane_can_hold(ws: &WorkStream, queue: QueueId, skills: usize) -> bool {
    ws.reaches(queue) && ws.set_reachable[skills]
}
