//! Push assignment: which agent gets an Open conversation, and which conversation an agent gets.
//!
//! Open conversations wait in **lanes**, one per (queue, work stream) pair that routing can
//! produce. Conversations of one lane have the same eligibility requirements (capacity units and
//! allowed presences), so an agent either can take a lane's oldest conversation or none of them,
//! and a lane is a heap ordered by (time it became Open, arrival order).
//!
//! An assignment cycle (DOMAIN.md §4.3) takes Open conversations in priority order — queue
//! priority (lowest number first), then oldest, then lowest arrival order — and gives each to the
//! best eligible agent by the queue's method. After every cycle no Open conversation has an
//! eligible agent; hence when one agent's state changes only that agent can have become eligible,
//! and the cycle can be restricted to it, and an arrival into a lane that already has Open
//! conversations cannot be assigned at once.
//!
//! `highest_capacity` (DOMAIN.md §4.5): the eligible agent with the most free capacity units;
//! ties go to the agent whose last assignment is oldest, agents never assigned first, in roster
//! order (DESIGN.md "Ties").

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use super::events::ConvSlot;
use super::{Agent, Conversation, State};
use crate::scenario::{AssignmentMethod, GroupId, QueueId, Scenario, WorkStream, WorkStreamId};
use crate::time::SimTime;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Waiting {
    since: SimTime,
    order: u64,
    slot: ConvSlot,
    version: u32,
}

struct Lane {
    queue: QueueId,
    work_stream: WorkStreamId,
    priority: i64,
    /// Open conversations in the lane (the heap may also hold stale entries).
    open: u32,
    heap: BinaryHeap<Reverse<Waiting>>,
}

pub(super) struct Lanes {
    work_streams: usize,
    lanes: Vec<Lane>,
    /// Members of each queue, in roster order.
    members: Vec<Vec<u32>>,
    /// For each agent group, the lanes of its queues.
    group_lanes: Vec<Vec<usize>>,
    /// Lanes found to have no eligible agent in the current cycle (scratch, reused).
    blocked: Vec<bool>,
}

impl Lanes {
    pub fn new(scenario: &Scenario, agents: &[Agent], group_start: &[u32]) -> Lanes {
        let work_streams = scenario.work_streams.len();
        let lanes = (0..scenario.queues.len() * work_streams)
            .map(|i| Lane {
                queue: QueueId((i / work_streams) as u16),
                work_stream: WorkStreamId((i % work_streams) as u16),
                priority: scenario.queues[i / work_streams].priority,
                open: 0,
                heap: BinaryHeap::new(),
            })
            .collect();
        let mut members = vec![Vec::new(); scenario.queues.len()];
        for (g, group) in scenario.agent_groups.iter().enumerate() {
            for q in &group.queues {
                members[q.index()].extend(group_start[g]..group_start[g + 1]);
            }
        }
        for m in &mut members {
            m.sort_unstable();
        }
        debug_assert_eq!(agents.len() as u32, *group_start.last().unwrap_or(&0));
        let reaches = |ws: &WorkStream, q: QueueId| ws.fallback_queue == q || ws.rules.iter().any(|r| r.queue == q);
        let group_lanes = scenario
            .agent_groups
            .iter()
            .map(|group| {
                let mut lanes: Vec<usize> = group
                    .queues
                    .iter()
                    .flat_map(|&q| {
                        scenario
                            .work_streams
                            .iter()
                            .enumerate()
                            .filter(move |(_, ws)| reaches(ws, q))
                            .map(move |(w, _)| q.index() * work_streams + w)
                    })
                    .collect();
                lanes.sort_by_key(|&l| (scenario.queues[l / work_streams].priority, l));
                lanes
            })
            .collect();
        Lanes { work_streams, lanes, members, group_lanes, blocked: Vec::new() }
    }

    #[inline]
    pub fn lane_of(&self, queue: QueueId, work_stream: WorkStreamId) -> usize {
        queue.index() * self.work_streams + work_stream.index()
    }

    #[inline]
    pub fn open(&self, lane: usize) -> u32 {
        self.lanes[lane].open
    }

    #[inline]
    pub fn push(&mut self, lane: usize, since: SimTime, order: u64, slot: ConvSlot, version: u32) {
        let lane = &mut self.lanes[lane];
        lane.open += 1;
        lane.heap.push(Reverse(Waiting { since, order, slot, version }));
    }

    /// A conversation of the lane stopped being Open; its heap entry goes stale.
    #[inline]
    pub fn remove_open(&mut self, lane: usize) {
        self.lanes[lane].open -= 1;
    }

    /// The best eligible agent for a conversation of `lane` by the queue's assignment method.
    pub fn best_agent(&self, scenario: &Scenario, agents: &[Agent], lane: usize) -> Option<u32> {
        let lane = &self.lanes[lane];
        let ws = &scenario.work_streams[lane.work_stream.index()];
        match scenario.queues[lane.queue.index()].assignment {
            AssignmentMethod::HighestCapacity => {
                let mut best: Option<(u32, u32, f64)> = None;
                for &id in &self.members[lane.queue.index()] {
                    let agent = &agents[id as usize];
                    if !eligible(agent, ws) {
                        continue;
                    }
                    let better = match best {
                        None => true,
                        Some((_, free, last)) => {
                            agent.free() > free || (agent.free() == free && agent.last_assigned < last)
                        }
                    };
                    if better {
                        best = Some((id, agent.free(), agent.last_assigned));
                    }
                }
                best.map(|(id, _, _)| id)
            }
        }
    }

    /// Starts an assignment cycle over the lanes of `group`.
    pub fn begin_cycle(&mut self, group: GroupId) {
        self.blocked.clear();
        self.blocked.resize(self.group_lanes[group.index()].len(), false);
    }

    /// The next (conversation, agent) match of the cycle begun by [`Lanes::begin_cycle`], taking
    /// the conversation out of its lane; `None` when no Open conversation of the group's lanes has
    /// an eligible agent. With `only`, that agent is the only candidate.
    pub fn next_match(
        &mut self,
        scenario: &Scenario,
        conversations: &[Conversation],
        agents: &[Agent],
        group: GroupId,
        only: Option<u32>,
    ) -> Option<(ConvSlot, u32)> {
        let is_open = |w: &Waiting| {
            let c = &conversations[w.slot as usize];
            c.state == State::Open && c.version == w.version
        };
        loop {
            let mut best: Option<(usize, usize, (i64, SimTime, u64))> = None;
            for (pos, &l) in self.group_lanes[group.index()].iter().enumerate() {
                if self.blocked[pos] {
                    continue;
                }
                let lane = &mut self.lanes[l];
                let head = loop {
                    match lane.heap.peek() {
                        None => break None,
                        Some(Reverse(w)) if is_open(w) => break Some(*w),
                        Some(_) => {
                            lane.heap.pop();
                        }
                    }
                };
                let Some(w) = head else {
                    self.blocked[pos] = true;
                    continue;
                };
                let key = (lane.priority, w.since, w.order);
                if best.is_none_or(|(_, _, k)| key < k) {
                    best = Some((pos, l, key));
                }
            }
            let (pos, l, _) = best?;
            let ws = &scenario.work_streams[self.lanes[l].work_stream.index()];
            let agent = match only {
                Some(a) => eligible(&agents[a as usize], ws).then_some(a),
                None => self.best_agent(scenario, agents, l),
            };
            match agent {
                Some(a) => {
                    let Some(Reverse(w)) = self.lanes[l].heap.pop() else { unreachable!("the head was just seen") };
                    return Some((w.slot, a));
                }
                None => self.blocked[pos] = true,
            }
        }
    }
}

/// DOMAIN.md §4.2: on shift, base presence allowed by the work stream, enough free capacity.
#[inline]
pub(super) fn eligible(agent: &Agent, ws: &WorkStream) -> bool {
    agent.on_shift && ws.allowed_presences.contains(agent.presence()) && agent.free() >= ws.capacity
}
