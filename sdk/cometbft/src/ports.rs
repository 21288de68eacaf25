//! Free loopback ports for local networks, in the layout of every Conclave local network
//! (`<chain> localnet --base-port P`): node `i` listens on `P + 10i` (P2P) and `P + 10i + 1`
//! (RPC); the other eight ports of its ten are spare.
//!
//! A port found free may still be taken by another process before the node binds it. The
//! searches keep that unlikely: blocks lie below Linux's ephemeral range (32768 and up, where
//! outgoing connections take their ports), and [`free_port_block`] starts at a point spread by
//! process id and time, so parallel test processes rarely try the same block.

use std::net::TcpListener;

use thiserror::Error;

/// Ports reserved per node in a block.
pub const PORTS_PER_NODE: u16 = 10;

/// Where [`free_port_block`] searches: `[LOW, HIGH)`.
const LOW: u16 = 20_000;
const HIGH: u16 = 32_000;
/// The highest port [`free_port_block_from`] uses.
const HIGHEST: u16 = 65_000;

/// No free block was found.
#[derive(Debug, Error)]
#[error(
    "no block of free ports for {nodes} node(s) ({PORTS_PER_NODE} each) on 127.0.0.1 between {from} and {to}; \
     stop what holds them or start the search elsewhere"
)]
pub struct PortsError {
    /// Nodes asked for.
    pub nodes: u16,
    /// Lowest port searched.
    pub from: u16,
    /// Highest port searched.
    pub to: u16,
}

/// The two ports node `node` of the block at `base` listens on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NodePorts {
    /// P2P: `base + 10 * node`.
    pub p2p: u16,
    /// RPC: `base + 10 * node + 1`.
    pub rpc: u16,
}

/// Node `node`'s ports in the block at `base`; `None` past port 65535.
pub fn node_ports(base: u16, node: u16) -> Option<NodePorts> {
    let p2p = base.checked_add(node.checked_mul(PORTS_PER_NODE)?)?;
    Some(NodePorts { p2p, rpc: p2p.checked_add(1)? })
}

/// Whether every node's P2P and RPC port of the block at `base` can be bound on 127.0.0.1 now.
pub fn is_free_block(base: u16, nodes: u16) -> bool {
    (0..nodes).all(|i| node_ports(base, i).is_some_and(|p| [p.p2p, p.rpc].iter().all(|&port| is_free(port))))
}

/// A free block for `nodes` nodes between 20000 and 32000, starting the search at a point
/// spread by process id and time.
pub fn free_port_block(nodes: u16) -> Result<u16, PortsError> {
    let span = u32::from(nodes.max(1)) * u32::from(PORTS_PER_NODE);
    let error = PortsError { nodes, from: LOW, to: HIGH };
    let slots = (u32::from(HIGH - LOW)).checked_sub(span).ok_or(PortsError { ..error })? / u32::from(PORTS_PER_NODE);
    let seed = std::process::id().wrapping_mul(2_654_435_761)
        ^ std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.subsec_nanos());
    for attempt in 0..200u32 {
        let slot = seed.wrapping_add(attempt.wrapping_mul(7919)) % slots.max(1);
        let Some(base) = u16::try_from(u32::from(LOW) + slot * u32::from(PORTS_PER_NODE)).ok() else { continue };
        if is_free_block(base, nodes) {
            return Ok(base);
        }
    }
    Err(error)
}

/// The first free block for `nodes` nodes at `from`, `from + 100`, `from + 200`, … (up to port
/// 65000).
pub fn free_port_block_from(nodes: u16, from: u16) -> Result<u16, PortsError> {
    let mut candidate = from;
    loop {
        let last = node_ports(candidate, nodes.saturating_sub(1)).map(|p| p.rpc);
        match last {
            Some(last) if last <= HIGHEST => {}
            _ => return Err(PortsError { nodes, from, to: HIGHEST }),
        }
        if is_free_block(candidate, nodes) {
            return Ok(candidate);
        }
        candidate = candidate.checked_add(100).ok_or(PortsError { nodes, from, to: HIGHEST })?;
    }
}

fn is_free(port: u16) -> bool {
    TcpListener::bind(("127.0.0.1", port)).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_follow_the_localnet_layout() {
        assert_eq!(node_ports(26656, 0), Some(NodePorts { p2p: 26656, rpc: 26657 }));
        assert_eq!(node_ports(26656, 3), Some(NodePorts { p2p: 26686, rpc: 26687 }));
        assert_eq!(node_ports(65530, 1), None);
    }

    #[test]
    fn found_blocks_are_free_and_a_taken_port_is_skipped() {
        // A block found free can be taken by another process before it is bound (the race the
        // module's doc admits), so the test binds what it found, and tries again if it lost.
        let bind_block = |base: u16| -> Option<Vec<TcpListener>> {
            (0..3)
                .flat_map(|i| node_ports(base, i).map(|p| [p.p2p, p.rpc]).into_iter().flatten())
                .map(|port| TcpListener::bind(("127.0.0.1", port)).ok())
                .collect()
        };
        let (base, held) = (0..5)
            .find_map(|_| free_port_block(3).ok().and_then(|base| bind_block(base).map(|held| (base, held))))
            .expect("a block found free could be bound, in 5 tries");
        assert!((LOW..HIGH).contains(&base), "{base}");
        // Held: that block is no longer free, and the upward search moves on.
        assert!(!is_free_block(base, 3));
        let next = free_port_block_from(3, base).unwrap();
        assert!(next >= base + 100 && (next - base).is_multiple_of(100), "{base} -> {next}");
        drop(held);
        assert!(free_port_block_from(2, 64_990).is_err(), "past port 65000");
    }
}
