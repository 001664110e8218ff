//! Minimum-cost flow on small integer networks: the planner's placement problems (which replicas
//! to keep and where to add the rest; which replica leads) are each a flow from partitions to
//! brokers under per-partition, per-rack and per-broker capacities, where keeping costs less than
//! moving and breaking a placement rule costs far more than any move.
//!
//! Primal-dual: Dijkstra's shortest paths (with potentials, as reverse edges cost less than
//! nothing) find the cheapest paths; Dinic's blocking flow then pushes along all of them that cost
//! the same at once, so the phases number the distinct path costs, not the units of flow. Among
//! edges that cost the same, those added first are tried first, so a caller adds the edges it
//! prefers first.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};

/// A node of the network.
pub type Node = usize;

/// An edge, as returned by [`Network::edge`], to read its flow back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EdgeId(usize);

#[derive(Debug, Clone)]
struct Edge {
    to: Node,
    /// Capacity left (the residual).
    left: u32,
    /// The capacity it was added with (0 for a reverse edge).
    capacity: u32,
    cost: i128,
}

/// A flow network: nodes numbered from 0, edges with integer capacities and costs.
#[derive(Debug, Clone)]
pub struct Network {
    /// Edges in pairs: edge `2k` and its reverse `2k + 1`.
    edges: Vec<Edge>,
    /// Each node's outgoing edges (and reverses of incoming ones), in the order added.
    out: Vec<Vec<usize>>,
}

/// What [`Network::min_cost_flow`] pushed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Flow {
    pub amount: u64,
    pub cost: i128,
}

const UNREACHED: i128 = i128::MAX;

impl Network {
    pub fn new() -> Self {
        Self { edges: Vec::new(), out: Vec::new() }
    }

    pub fn node(&mut self) -> Node {
        self.out.push(Vec::new());
        self.out.len() - 1
    }

    /// An edge of non-negative `cost` per unit.
    pub fn edge(&mut self, from: Node, to: Node, capacity: u32, cost: i128) -> EdgeId {
        debug_assert!(cost >= 0);
        let id = self.edges.len();
        self.edges.push(Edge { to, left: capacity, capacity, cost });
        self.edges.push(Edge { to: from, left: 0, capacity: 0, cost: -cost });
        self.out[from].push(id);
        self.out[to].push(id + 1);
        EdgeId(id)
    }

    /// The flow an edge carries.
    pub fn flow(&self, edge: EdgeId) -> u32 {
        let e = &self.edges[edge.0];
        e.capacity - e.left
    }

    /// The most flow from `source` to `sink`, at the least cost among flows of that amount.
    pub fn min_cost_flow(&mut self, source: Node, sink: Node) -> Flow {
        let nodes = self.out.len();
        let mut potential = vec![0i128; nodes];
        let mut dist = vec![UNREACHED; nodes];
        let mut level = vec![u32::MAX; nodes];
        let mut next = vec![0usize; nodes];
        let mut amount = 0u64;
        loop {
            self.distances(source, &potential, &mut dist);
            let to_sink = dist[sink];
            if to_sink == UNREACHED {
                break;
            }
            for (p, d) in potential.iter_mut().zip(&dist) {
                *p += (*d).min(to_sink);
            }
            while self.levels(source, sink, &potential, &mut level) {
                next.iter_mut().for_each(|n| *n = 0);
                loop {
                    let pushed = self.augment(source, sink, &potential, &level, &mut next);
                    if pushed == 0 {
                        break;
                    }
                    amount += u64::from(pushed);
                }
            }
        }
        let cost =
            self.edges.iter().step_by(2).map(|e| i128::from(e.capacity - e.left) * e.cost).sum();
        Flow { amount, cost }
    }

    fn reduced(&self, from: Node, e: usize, potential: &[i128]) -> i128 {
        let edge = &self.edges[e];
        edge.cost + potential[from] - potential[edge.to]
    }

    /// Dijkstra over edges with capacity left, by reduced cost (never negative).
    fn distances(&self, source: Node, potential: &[i128], dist: &mut [i128]) {
        dist.iter_mut().for_each(|d| *d = UNREACHED);
        dist[source] = 0;
        let mut heap = BinaryHeap::from([Reverse((0i128, source))]);
        while let Some(Reverse((d, node))) = heap.pop() {
            if d > dist[node] {
                continue;
            }
            for &e in &self.out[node] {
                let edge = &self.edges[e];
                if edge.left == 0 {
                    continue;
                }
                let through = d + self.reduced(node, e, potential);
                if through < dist[edge.to] {
                    dist[edge.to] = through;
                    heap.push(Reverse((through, edge.to)));
                }
            }
        }
    }

    /// Whether an edge lies on a cheapest path: capacity left and no reduced cost.
    fn admissible(&self, from: Node, e: usize, potential: &[i128]) -> bool {
        self.edges[e].left > 0 && self.reduced(from, e, potential) == 0
    }

    /// Breadth-first distances from `source` over admissible edges; whether `sink` is reachable.
    fn levels(&self, source: Node, sink: Node, potential: &[i128], level: &mut [u32]) -> bool {
        level.iter_mut().for_each(|l| *l = u32::MAX);
        level[source] = 0;
        let mut queue = VecDeque::from([source]);
        while let Some(node) = queue.pop_front() {
            for &e in &self.out[node] {
                let to = self.edges[e].to;
                if level[to] == u32::MAX && self.admissible(node, e, potential) {
                    level[to] = level[node] + 1;
                    queue.push_back(to);
                }
            }
        }
        level[sink] != u32::MAX
    }

    /// One augmenting path along admissible edges of increasing level, found depth-first with a
    /// stack of our own rather than recursion.
    fn augment(
        &mut self,
        source: Node,
        sink: Node,
        potential: &[i128],
        level: &[u32],
        next: &mut [usize],
    ) -> u32 {
        let mut path: Vec<usize> = Vec::new();
        let mut node = source;
        loop {
            if node == sink {
                let pushed = path.iter().map(|&e| self.edges[e].left).min().unwrap_or(0);
                for &e in &path {
                    self.edges[e].left -= pushed;
                    self.edges[e ^ 1].left += pushed;
                }
                return pushed;
            }
            let mut advanced = false;
            while next[node] < self.out[node].len() {
                let e = self.out[node][next[node]];
                let to = self.edges[e].to;
                if level[to] == level[node] + 1 && self.admissible(node, e, potential) {
                    path.push(e);
                    node = to;
                    advanced = true;
                    break;
                }
                next[node] += 1;
            }
            if !advanced {
                // A dead end: not tried again in this phase.
                let Some(e) = path.pop() else { return 0 };
                node = self.edges[e ^ 1].to;
                next[node] += 1;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Partitions `0..parts` to brokers `0..brokers` over the given (partition, broker, cost)
    /// edges, one broker per partition, each broker taking at most `cap`.
    fn assign(
        parts: usize,
        brokers: usize,
        cap: u32,
        pairs: &[(usize, usize, i128)],
    ) -> (Flow, Vec<(usize, usize)>) {
        let mut n = Network::new();
        let (s, t) = (n.node(), n.node());
        let p: Vec<_> = (0..parts).map(|_| n.node()).collect();
        let b: Vec<_> = (0..brokers).map(|_| n.node()).collect();
        for &p in &p {
            n.edge(s, p, 1, 0);
        }
        let ids: Vec<_> = pairs.iter().map(|&(pi, bi, c)| n.edge(p[pi], b[bi], 1, c)).collect();
        for &b in &b {
            n.edge(b, t, cap, 0);
        }
        let flow = n.min_cost_flow(s, t);
        let used = pairs
            .iter()
            .zip(&ids)
            .filter(|(_, id)| n.flow(**id) == 1)
            .map(|(&(p, b, _), _)| (p, b))
            .collect();
        (flow, used)
    }

    #[test]
    fn a_matching_is_maximum() {
        // p1 can only have b0, so p0 must take b1 and p2 b2.
        let (flow, used) =
            assign(3, 3, 1, &[(0, 0, 0), (0, 1, 0), (1, 0, 0), (2, 1, 0), (2, 2, 0)]);
        assert_eq!(flow.amount, 3);
        assert_eq!(used, vec![(0, 1), (1, 0), (2, 2)]);
    }

    #[test]
    fn the_cheapest_of_the_maximum_flows_is_taken() {
        // Cheap edges alone would match p0-b0 and leave p1 out; the maximum needs one dearer edge
        // and takes the cheaper of the two ways to get it.
        let (flow, used) = assign(2, 2, 1, &[(0, 0, 0), (0, 1, 5), (1, 0, 1), (1, 1, 3)]);
        assert_eq!(flow, Flow { amount: 2, cost: 3 });
        assert_eq!(used, vec![(0, 0), (1, 1)]);
        let (flow, used) = assign(2, 2, 1, &[(0, 0, 0), (0, 1, 1), (1, 0, 0), (1, 1, 5)]);
        assert_eq!(flow, Flow { amount: 2, cost: 1 });
        assert_eq!(used, vec![(0, 1), (1, 0)]);
    }

    #[test]
    fn among_equal_costs_the_first_added_edge_wins() {
        let (_, used) = assign(1, 3, 1, &[(0, 2, 1), (0, 0, 1), (0, 1, 1)]);
        assert_eq!(used, vec![(0, 2)]);
    }
}
