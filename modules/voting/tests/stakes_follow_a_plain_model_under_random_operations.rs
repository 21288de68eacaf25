//! Property test: random sequences of register, edit, vote, unvote, set_votes, redelegate,
//! undelegate, cancel, slash, lifecycle changes and time advance, run through the modules on a
//! `MemoryState` and through a plain model (BTreeMaps, the documented rounding, written
//! separately). After every step: the outcome (accepted or refused), every candidate's tokens,
//! shares and status, every delegator's shares, every entry, every balance, and the module
//! invariants must agree; total supply changes only by what slashes burn; and an indexer fed
//! only the events rebuilds every candidate, stake and unbonding balance.
//!
//! Failures shrink to a minimal sequence; proptest persists the seed under
//! `proptest-regressions/` so a failure reproduces.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::collections::BTreeMap;

use common::*;
use conclave_core::{Address, BlockInfo, BlockTime, MemoryState, Ratio};
use conclave_staking::schema::{CANDIDATES, REDELEGATIONS, UNBONDINGS, VOTE_SETS};
use conclave_staking::{At, Status};
use conclave_voting::{Msg as VMsg, VoteTarget};
use proptest::prelude::*;

const USERS: usize = 5;
const UNBONDING: u64 = 100;
const MIN_SELF_BOND: u128 = 1_000;
const MAX_VOTES: usize = 3;
const MAX_ENTRIES: usize = 2;
const MAX_COMPLETIONS: usize = 3;
const DAY: u64 = 86_400;

fn user(i: usize) -> Address {
    addr(10 + i as u8)
}

#[derive(Clone, Debug)]
enum Op {
    Register { op: usize, key: u8, self_bond: u128, own_key: bool },
    Edit { op: usize, rate: u64 },
    Vote { del: usize, cand: usize, amount: u128 },
    Unvote { del: usize, cand: usize },
    SetVotes { del: usize, targets: Vec<(usize, u128)> },
    Redelegate { del: usize, src: usize, dst: usize, amount: u128 },
    Undelegate { del: usize, cand: usize, amount: u128 },
    Cancel { del: usize, pick: usize, amount: u128 },
    Slash { cand: usize, back: u64, percent: u128 },
    SetActive { cand: usize },
    SetInactive { cand: usize },
    Jail { cand: usize },
    Unjail { cand: usize },
    Tombstone { cand: usize },
    Advance { seconds: u64 },
}

fn amount() -> impl Strategy<Value = u128> {
    prop_oneof![1 => Just(0u128), 10 => 1u128..3_000, 3 => 1u128..40_000, 1 => Just(u128::MAX)]
}

fn op() -> impl Strategy<Value = Op> {
    let u = || 0..USERS;
    prop_oneof![
        3 => (u(), 0u8..7, prop_oneof![Just(500u128), 1_000u128..20_000], prop::bool::weighted(0.1))
            .prop_map(|(op, key, self_bond, own_key)| Op::Register { op, key, self_bond, own_key }),
        1 => (u(), prop_oneof![Just(100_000_000u64), 80_000_000u64..130_000_000, Just(10_000_000), Just(600_000_000)])
            .prop_map(|(op, rate)| Op::Edit { op, rate }),
        6 => (u(), u(), amount()).prop_map(|(del, cand, amount)| Op::Vote { del, cand, amount }),
        1 => (u(), u()).prop_map(|(del, cand)| Op::Unvote { del, cand }),
        3 => (u(), prop::collection::vec((u(), amount()), 0..5)).prop_map(|(del, targets)| Op::SetVotes { del, targets }),
        4 => (u(), u(), u(), amount()).prop_map(|(del, src, dst, amount)| Op::Redelegate { del, src, dst, amount }),
        4 => (u(), u(), amount()).prop_map(|(del, cand, amount)| Op::Undelegate { del, cand, amount }),
        2 => (u(), 0usize..8, amount()).prop_map(|(del, pick, amount)| Op::Cancel { del, pick, amount }),
        2 => (u(), 0u64..4, prop_oneof![Just(100u128), 1u128..30, Just(0u128)])
            .prop_map(|(cand, back, percent)| Op::Slash { cand, back, percent }),
        1 => u().prop_map(|cand| Op::SetActive { cand }),
        1 => u().prop_map(|cand| Op::SetInactive { cand }),
        1 => u().prop_map(|cand| Op::Jail { cand }),
        1 => u().prop_map(|cand| Op::Unjail { cand }),
        1 => u().prop_map(|cand| Op::Tombstone { cand }),
        4 => prop_oneof![4 => 1u64..30, 2 => 60u64..120, 1 => Just(DAY)].prop_map(|seconds| Op::Advance { seconds }),
    ]
}

// ---------------------------------------------------------------- the model

#[derive(Clone, Debug, PartialEq)]
struct MCand {
    op: Address,
    tokens: u128,
    shares: u128,
    status: Status,
    rate: u64,
    last_change: u64,
    jailed_until: u64,
}

#[derive(Clone, Debug, PartialEq)]
struct MUnb {
    del: Address,
    cand: Address,
    height: u64,
    completion: u64,
    initial: u128,
    balance: u128,
}

#[derive(Clone, Debug, PartialEq)]
struct MRed {
    del: Address,
    src: Address,
    dst: Address,
    height: u64,
    completion: u64,
    initial: u128,
    shares_dst: u128,
}

#[derive(Clone, Debug, Default)]
struct Model {
    height: u64,
    time: u64,
    times: BTreeMap<u64, u64>,
    balances: BTreeMap<Address, u128>,
    cands: BTreeMap<Address, MCand>,
    shares: BTreeMap<(Address, Address), u128>,
    unb: BTreeMap<u64, MUnb>,
    red: BTreeMap<u64, MRed>,
    history: BTreeMap<(Address, u64), u128>,
    keys: std::collections::BTreeSet<[u8; 32]>,
    next_id: u64,
    burned: u128,
}

type R = Result<(), ()>;

fn floor(a: u128, b: u128, c: u128) -> u128 {
    a * b / c
}

fn ceil(a: u128, b: u128, c: u128) -> u128 {
    (a * b).div_ceil(c)
}

fn check(cond: bool) -> R {
    if cond {
        Ok(())
    } else {
        Err(())
    }
}

impl Model {
    fn nanos(&self) -> u64 {
        self.time * 1_000_000_000
    }

    fn set_tokens(&mut self, c: &Address, tokens: u128) {
        let cand = self.cands.get_mut(c).unwrap();
        if cand.tokens != tokens {
            cand.tokens = tokens;
            self.history.insert((*c, self.height), tokens);
        }
    }

    fn held(&self, del: &Address, c: &Address) -> u128 {
        self.shares.get(&(*del, *c)).copied().unwrap_or(0)
    }

    fn set_held(&mut self, del: &Address, c: &Address, s: u128) {
        if s == 0 {
            self.shares.remove(&(*del, *c));
        } else {
            self.shares.insert((*del, *c), s);
        }
    }

    fn value(&self, del: &Address, c: &Address) -> u128 {
        let cand = &self.cands[c];
        if cand.shares == 0 {
            0
        } else {
            floor(self.held(del, c), cand.tokens, cand.shares)
        }
    }

    fn votes(&self, del: &Address) -> usize {
        self.shares.keys().filter(|(d, _)| d == del).count()
    }

    fn accepts(&self, c: &Address, del: &Address) -> R {
        let cand = self.cands.get(c).ok_or(())?;
        check(cand.status != Status::Tombstoned)?;
        check(cand.status != Status::Exited || cand.op == *del)?;
        check(!(cand.tokens == 0 && cand.shares > 0))
    }

    fn mint(&self, c: &Address, amount: u128) -> Result<u128, ()> {
        let cand = &self.cands[c];
        let s = if cand.shares == 0 { amount } else { floor(amount, cand.shares, cand.tokens) };
        check(amount > 0 && s > 0)?;
        Ok(s)
    }

    fn add(&mut self, del: &Address, c: &Address, amount: u128, s: u128) {
        let t = self.cands[c].tokens + amount;
        self.set_tokens(c, t);
        self.cands.get_mut(c).unwrap().shares += s;
        let h = self.held(del, c) + s;
        self.set_held(del, c, h);
    }

    fn pending_red_into(&self, del: &Address, dst: &Address) -> Vec<u64> {
        self.red
            .iter()
            .filter(|(_, r)| r.del == *del && r.dst == *dst && r.completion > self.nanos())
            .map(|(id, _)| *id)
            .collect()
    }

    /// Removes exactly `amount` of `del`'s stake at `c`.
    fn remove(&mut self, del: &Address, c: &Address, amount: u128, redelegating: bool) -> R {
        check(amount > 0)?;
        let cand = self.cands.get(c).ok_or(())?.clone();
        let held = self.held(del, c);
        let value = self.value(del, c);
        check(amount <= value)?;
        let s = if amount == value { held } else { ceil(amount, cand.shares, cand.tokens) }.min(held);
        let pending = self.pending_red_into(del, c);
        let locked: u128 = pending.iter().map(|id| self.red[id].shares_dst).sum::<u128>().min(held);
        let free = held - locked;
        if s > free {
            check(!redelegating)?;
            let mut need = s - free;
            for id in pending {
                let r = self.red.get_mut(&id).unwrap();
                let take = r.shares_dst.min(need);
                r.shares_dst -= take;
                need -= take;
            }
        }
        self.set_tokens(c, cand.tokens - amount);
        self.cands.get_mut(c).unwrap().shares -= s;
        self.set_held(del, c, held - s);
        Ok(())
    }

    fn self_bond_rule(&mut self, del: &Address, c: &Address) {
        if self.cands[c].op != *del {
            return;
        }
        let bond = self.value(del, c);
        let cand = self.cands.get_mut(c).unwrap();
        match cand.status {
            Status::Candidate | Status::Active if bond < MIN_SELF_BOND => cand.status = Status::Exited,
            Status::Exited if bond >= MIN_SELF_BOND => cand.status = Status::Candidate,
            _ => {}
        }
    }

    fn delegate(&mut self, del: &Address, c: &Address, amount: u128) -> R {
        check(amount > 0)?;
        self.accepts(c, del)?;
        let bal = self.balances.get(del).copied().unwrap_or(0);
        check(bal >= amount)?;
        let s = self.mint(c, amount)?;
        self.balances.insert(*del, bal - amount);
        self.add(del, c, amount, s);
        self.self_bond_rule(del, c);
        Ok(())
    }

    fn undelegate(&mut self, del: &Address, c: &Address, amount: u128) -> R {
        let now = self.nanos();
        let pending = self.unb.values().filter(|u| u.del == *del && u.cand == *c && u.completion > now).count();
        check(pending < MAX_ENTRIES)?;
        check(self.cands.contains_key(c))?;
        self.remove(del, c, amount, false)?;
        self.next_id += 1;
        let completion = now + UNBONDING * 1_000_000_000;
        self.unb.insert(
            self.next_id,
            MUnb { del: *del, cand: *c, height: self.height, completion, initial: amount, balance: amount },
        );
        self.self_bond_rule(del, c);
        Ok(())
    }

    fn redelegate(&mut self, del: &Address, src: &Address, dst: &Address, amount: u128) -> R {
        check(self.pending_red_into(del, dst).len() < MAX_ENTRIES)?;
        check(src != dst && amount > 0)?;
        check(self.cands.contains_key(src))?;
        self.accepts(dst, del)?;
        self.remove(del, src, amount, true)?;
        let s = self.mint(dst, amount)?;
        self.add(del, dst, amount, s);
        self.next_id += 1;
        let completion = self.nanos() + UNBONDING * 1_000_000_000;
        self.red.insert(
            self.next_id,
            MRed { del: *del, src: *src, dst: *dst, height: self.height, completion, initial: amount, shares_dst: s },
        );
        self.self_bond_rule(del, src);
        self.self_bond_rule(del, dst);
        Ok(())
    }

    fn cancel(&mut self, del: &Address, id: u64, amount: u128) -> R {
        let u = self.unb.get(&id).ok_or(())?.clone();
        check(u.del == *del && u.completion > self.nanos() && amount > 0 && amount <= u.balance)?;
        self.accepts(&u.cand, del)?;
        let s = self.mint(&u.cand, amount)?;
        let e = self.unb.get_mut(&id).unwrap();
        e.balance -= amount;
        e.initial = e.initial.saturating_sub(amount);
        if e.balance == 0 {
            self.unb.remove(&id);
        }
        self.add(del, &u.cand, amount, s);
        self.self_bond_rule(del, &u.cand);
        Ok(())
    }

    fn set_votes(&mut self, del: &Address, targets: &[(Address, u128)]) -> R {
        let mut seen = std::collections::BTreeSet::new();
        for (c, a) in targets {
            check(*a > 0 && seen.insert(*c))?;
        }
        check(targets.len() <= MAX_VOTES)?;
        let wanted: BTreeMap<Address, u128> = targets.iter().copied().collect();
        let current: Vec<Address> = self.shares.keys().filter(|(d, _)| d == del).map(|(_, c)| *c).collect();
        let mut decreases = Vec::new();
        for c in &current {
            let v = self.value(del, c);
            let t = wanted.get(c).copied().unwrap_or(0);
            if t < v {
                decreases.push((*c, v - t));
            }
        }
        let mut increases = Vec::new();
        for (c, t) in &wanted {
            let v = if current.contains(c) { self.value(del, c) } else { 0 };
            if *t > v {
                increases.push((*c, t - v));
            }
        }
        let mut inc = increases.into_iter();
        let mut cur = inc.next();
        for (src, planned) in decreases {
            let target = wanted.get(&src).copied().unwrap_or(0);
            let mut left = planned;
            while left > 0 {
                let Some((dst, need)) = cur else { break };
                let amount = left.min(need).min(self.value(del, &src).saturating_sub(target));
                if amount == 0 {
                    break;
                }
                self.redelegate(del, &src, &dst, amount)?;
                left -= amount;
                cur = if need == amount { inc.next() } else { Some((dst, need - amount)) };
            }
            let live = self.value(del, &src).saturating_sub(target);
            if live > 0 {
                self.undelegate(del, &src, live)?;
            }
        }
        while let Some((c, need)) = cur {
            self.delegate(del, &c, need)?;
            cur = inc.next();
        }
        Ok(())
    }

    fn tokens_at(&self, c: &Address, h: u64) -> u128 {
        self.history.range((*c, 0)..(*c, h)).next_back().map_or(0, |(_, t)| *t)
    }

    fn slash(&mut self, c: &Address, h: u64, num: u128, den: u128) -> R {
        check(self.cands.contains_key(c))?;
        let now = self.nanos();
        let base = self.tokens_at(c, h);
        let target = ceil(base, num, den);
        let mut taken = 0u128;
        let ids: Vec<u64> = self.unb.iter().filter(|(_, u)| u.cand == *c && u.height >= h).map(|(id, _)| *id).collect();
        for id in ids {
            let u = self.unb.get_mut(&id).unwrap();
            if u.completion <= now {
                continue;
            }
            let amt = ceil(u.initial, num, den).min(u.balance);
            u.balance -= amt;
            if u.balance == 0 {
                self.unb.remove(&id);
            }
            taken += amt;
            self.burned += amt;
        }
        let ids: Vec<u64> = self.red.iter().filter(|(_, r)| r.src == *c && r.height >= h).map(|(id, _)| *id).collect();
        for id in ids {
            let r = self.red[&id].clone();
            let want = ceil(r.initial, num, den);
            if r.completion <= now || want == 0 || r.shares_dst == 0 {
                continue;
            }
            let d = self.cands[&r.dst].clone();
            if d.tokens == 0 || d.shares == 0 {
                continue;
            }
            let s = ceil(want, d.shares, d.tokens).min(r.shares_dst).min(self.held(&r.del, &r.dst)).min(d.shares);
            if s == 0 {
                continue;
            }
            let t = if s == d.shares { d.tokens } else { ceil(s, d.tokens, d.shares).min(d.tokens) }.min(want);
            self.set_tokens(&r.dst, d.tokens - t);
            self.cands.get_mut(&r.dst).unwrap().shares -= s;
            let held = self.held(&r.del, &r.dst);
            self.set_held(&r.del, &r.dst, held - s);
            self.red.get_mut(&id).unwrap().shares_dst -= s;
            taken += t;
            self.burned += t;
        }
        let tokens = self.cands[c].tokens;
        let amt = target.saturating_sub(taken).min(tokens);
        self.set_tokens(c, tokens - amt);
        self.burned += amt;
        Ok(())
    }

    fn end_block(&mut self) {
        let now = self.nanos();
        let mut due: Vec<(u64, u64)> =
            self.unb.iter().filter(|(_, u)| u.completion <= now).map(|(id, u)| (u.completion, *id)).collect();
        due.sort();
        for (_, id) in due.into_iter().take(MAX_COMPLETIONS) {
            let u = self.unb.remove(&id).unwrap();
            *self.balances.entry(u.del).or_default() += u.balance;
        }
        let mut due: Vec<(u64, u64)> =
            self.red.iter().filter(|(_, r)| r.completion <= now).map(|(id, r)| (r.completion, *id)).collect();
        due.sort();
        for (_, id) in due.into_iter().take(MAX_COMPLETIONS) {
            self.red.remove(&id);
        }
    }

    /// Applies `op` all-or-nothing; returns whether it was accepted.
    fn apply(&mut self, op: &Op) -> bool {
        let mut next = self.clone();
        let result = next.run(op);
        if result.is_ok() {
            *self = next;
        }
        result.is_ok()
    }

    fn voting<F: FnOnce(&mut Model) -> R>(&mut self, del: &Address, f: F) -> R {
        let before = self.votes(del);
        f(self)?;
        let after = self.votes(del);
        check(!(after > MAX_VOTES && after > before))
    }

    fn run(&mut self, op: &Op) -> R {
        match op {
            Op::Register { op, key, self_bond, own_key } => {
                let operator = user(*op);
                let k = cons_key(*key);
                check(!self.cands.contains_key(&operator) && !self.keys.contains(&k) && !*own_key)?;
                check(*self_bond >= MIN_SELF_BOND && self.balances[&operator] >= *self_bond)?;
                self.keys.insert(k);
                self.cands.insert(
                    operator,
                    MCand {
                        op: operator,
                        tokens: 0,
                        shares: 0,
                        status: Status::Candidate,
                        rate: 100_000_000,
                        last_change: self.nanos(),
                        jailed_until: 0,
                    },
                );
                self.history.insert((operator, self.height), 0);
                self.delegate(&operator, &operator, *self_bond)
            }
            Op::Edit { op, rate } => {
                let now = self.nanos();
                let c = self.cands.get_mut(&user(*op)).ok_or(())?;
                if *rate != c.rate {
                    check(now >= c.last_change + DAY * 1_000_000_000)?;
                    check(*rate <= 500_000_000 && *rate >= 50_000_000 && rate.abs_diff(c.rate) <= 20_000_000)?;
                    c.rate = *rate;
                    c.last_change = now;
                }
                Ok(())
            }
            Op::Vote { del, cand, amount } => {
                let (d, c) = (user(*del), user(*cand));
                self.voting(&d, |m| m.delegate(&d, &c, *amount))
            }
            Op::Unvote { del, cand } => {
                let (d, c) = (user(*del), user(*cand));
                check(self.cands.contains_key(&c))?;
                let v = self.value(&d, &c);
                if v == 0 {
                    // Worthless shares are forfeited (refused when there are none).
                    check(self.held(&d, &c) > 0)?;
                    let held = self.held(&d, &c);
                    self.cands.get_mut(&c).unwrap().shares -= held;
                    self.set_held(&d, &c, 0);
                    for r in self.red.values_mut() {
                        if r.del == d && r.dst == c && r.completion > self.time * 1_000_000_000 {
                            r.shares_dst = 0;
                        }
                    }
                    self.self_bond_rule(&d, &c);
                    return Ok(());
                }
                self.voting(&d, |m| m.undelegate(&d, &c, v))
            }
            Op::SetVotes { del, targets } => {
                let d = user(*del);
                let t: Vec<(Address, u128)> = targets.iter().map(|(c, a)| (user(*c), *a)).collect();
                self.voting(&d, |m| m.set_votes(&d, &t))
            }
            Op::Redelegate { del, src, dst, amount } => {
                let (d, s, t) = (user(*del), user(*src), user(*dst));
                check(*amount > 0)?;
                self.voting(&d, |m| m.redelegate(&d, &s, &t, *amount))
            }
            Op::Undelegate { del, cand, amount } => {
                let (d, c) = (user(*del), user(*cand));
                check(*amount > 0)?;
                self.voting(&d, |m| m.undelegate(&d, &c, *amount))
            }
            Op::Cancel { del, pick, amount } => {
                let d = user(*del);
                check(*amount > 0)?;
                let id = self.cancel_id(*pick);
                self.voting(&d, |m| m.cancel(&d, id, *amount))
            }
            Op::Slash { cand, back, percent } => {
                let h = self.height.saturating_sub(*back).max(1);
                self.slash(&user(*cand), h, *percent, 100)
            }
            Op::SetActive { cand } => self.lifecycle(*cand, &[Status::Candidate], Status::Active),
            Op::SetInactive { cand } => self.lifecycle(*cand, &[Status::Active], Status::Candidate),
            Op::Jail { cand } => {
                self.lifecycle(
                    *cand,
                    &[Status::Candidate, Status::Active, Status::Exited, Status::Jailed],
                    Status::Jailed,
                )?;
                let until = self.nanos() + 60 * 1_000_000_000;
                let c = self.cands.get_mut(&user(*cand)).unwrap();
                c.jailed_until = c.jailed_until.max(until);
                Ok(())
            }
            Op::Unjail { cand } => {
                let c = user(*cand);
                let cd = self.cands.get(&c).ok_or(())?;
                check(
                    cd.status == Status::Jailed
                        && self.nanos() >= cd.jailed_until
                        && self.value(&c, &c) >= MIN_SELF_BOND,
                )?;
                self.cands.get_mut(&c).unwrap().status = Status::Candidate;
                Ok(())
            }
            Op::Tombstone { cand } => self.lifecycle(
                *cand,
                &[Status::Candidate, Status::Active, Status::Jailed, Status::Exited],
                Status::Tombstoned,
            ),
            Op::Advance { .. } => Ok(()),
        }
    }

    fn cancel_id(&self, pick: usize) -> u64 {
        let ids: Vec<u64> = self.unb.keys().copied().collect();
        if ids.is_empty() {
            return 999_999;
        }
        ids[pick % ids.len()]
    }

    fn lifecycle(&mut self, cand: usize, from: &[Status], to: Status) -> R {
        let c = self.cands.get_mut(&user(cand)).ok_or(())?;
        check(from.contains(&c.status))?;
        c.status = to;
        Ok(())
    }

    /// Whether a slash at `back` blocks ago is inside the window the ledger keeps exactly.
    fn slash_in_window(&self, back: u64) -> bool {
        let h = self.height.saturating_sub(back).max(1);
        self.times.get(&h).is_some_and(|t| t + UNBONDING > self.time)
    }
}

// ---------------------------------------------------------------- an indexer fed by events only

/// Rebuilds stakes, candidates and unbonding balances from events alone.
#[derive(Default)]
struct Indexer {
    cands: BTreeMap<Address, (u128, u128, String)>,
    shares: BTreeMap<(Address, Address), u128>,
    unb: BTreeMap<u64, u128>,
}

impl Indexer {
    fn feed(&mut self, events: &[conclave_core::Event]) {
        let a = |e: &conclave_core::Event, k: &str| {
            e.attribute(k).unwrap_or_else(|| panic!("{} lacks {k}", e.kind)).to_string()
        };
        let n = |e: &conclave_core::Event, k: &str| a(e, k).parse::<u128>().unwrap();
        let addr = |e: &conclave_core::Event, k: &str| a(e, k).parse::<Address>().unwrap();
        for e in events {
            match e.kind.as_str() {
                "staking.candidate_registered" => {
                    self.cands.insert(addr(e, "candidate"), (0, 0, "candidate".into()));
                }
                "staking.bond" | "staking.unbond" => {
                    let c = addr(e, "candidate");
                    let entry = self.cands.get_mut(&c).unwrap();
                    entry.0 = n(e, "candidate_tokens");
                    entry.1 = n(e, "candidate_shares");
                    let s = n(e, "delegator_shares");
                    let key = (addr(e, "delegator"), c);
                    if s == 0 {
                        self.shares.remove(&key);
                    } else {
                        self.shares.insert(key, s);
                    }
                }
                "staking.slash_redelegation" => {
                    let c = addr(e, "destination");
                    let entry = self.cands.get_mut(&c).unwrap();
                    entry.0 = n(e, "candidate_tokens");
                    entry.1 = n(e, "candidate_shares");
                    let s = n(e, "delegator_shares");
                    let key = (addr(e, "delegator"), c);
                    if s == 0 {
                        self.shares.remove(&key);
                    } else {
                        self.shares.insert(key, s);
                    }
                }
                "staking.slash_candidate" => {
                    self.cands.get_mut(&addr(e, "candidate")).unwrap().0 = n(e, "candidate_tokens");
                }
                "staking.status_changed" => {
                    self.cands.get_mut(&addr(e, "candidate")).unwrap().2 = a(e, "to");
                }
                "staking.unbonding_started" => {
                    self.unb.insert(a(e, "id").parse().unwrap(), n(e, "amount"));
                }
                "staking.unbonding_cancelled" | "staking.slash_unbonding" => {
                    let id: u64 = a(e, "id").parse().unwrap();
                    let balance = n(e, "balance");
                    if balance == 0 {
                        self.unb.remove(&id);
                    } else {
                        self.unb.insert(id, balance);
                    }
                }
                "staking.unbonding_completed" => {
                    self.unb.remove(&a(e, "id").parse::<u64>().unwrap());
                }
                _ => {}
            }
        }
    }

    fn compare(&self, model: &Model) -> Result<(), TestCaseError> {
        let expected: BTreeMap<Address, (u128, u128, String)> =
            model.cands.iter().map(|(a, c)| (*a, (c.tokens, c.shares, c.status.name().to_string()))).collect();
        prop_assert_eq!(&self.cands, &expected, "indexer candidates");
        prop_assert_eq!(&self.shares, &model.shares, "indexer shares");
        let unb: BTreeMap<u64, u128> = model.unb.iter().map(|(id, u)| (*id, u.balance)).collect();
        prop_assert_eq!(&self.unb, &unb, "indexer unbondings");
        Ok(())
    }
}

// ---------------------------------------------------------------- the system under test

fn run_real(app: &TestApp, state: &mut MemoryState, b: &BlockInfo, model: &Model, op: &Op) -> bool {
    let at = At::block(b);
    let v = |state: &mut MemoryState, del: usize, msg: VMsg| vote_msg(app, state, b, user(del), msg).is_ok();
    match op {
        Op::Register { op, key, self_bond, own_key } => {
            let signer_key = if *own_key { cons_key(*key) } else { [0xEE; 32] };
            staking_msg(
                app,
                state,
                b,
                user(*op),
                signer_key,
                conclave_staking::Msg::RegisterCandidate {
                    consensus_key: cons_key(*key),
                    commission: commission(),
                    description: description("v"),
                    self_bond: *self_bond,
                },
            )
            .is_ok()
        }
        Op::Edit { op, rate } => staking_msg(
            app,
            state,
            b,
            user(*op),
            [0xEE; 32],
            conclave_staking::Msg::EditCandidate { description: None, commission_rate_ppb: Some(*rate) },
        )
        .is_ok(),
        Op::Vote { del, cand, amount } => v(state, *del, VMsg::Vote { candidate: user(*cand), amount: *amount }),
        Op::Unvote { del, cand } => v(state, *del, VMsg::Unvote { candidate: user(*cand) }),
        Op::SetVotes { del, targets } => v(
            state,
            *del,
            VMsg::SetVotes {
                votes: targets.iter().map(|(c, a)| VoteTarget { candidate: user(*c), amount: *a }).collect(),
            },
        ),
        Op::Redelegate { del, src, dst, amount } => {
            v(state, *del, VMsg::Redelegate { source: user(*src), destination: user(*dst), amount: *amount })
        }
        Op::Undelegate { del, cand, amount } => {
            v(state, *del, VMsg::Undelegate { candidate: user(*cand), amount: *amount })
        }
        Op::Cancel { del, pick, amount } => {
            v(state, *del, VMsg::CancelUnbonding { id: model.cancel_id(*pick), amount: *amount })
        }
        Op::Slash { cand, back, percent } => {
            let h = b.height.saturating_sub(*back).max(1);
            atomically(state, |s| {
                app.staking.slash(s, at, &user(*cand), h, Ratio { numerator: *percent, denominator: 100 }).map(drop)
            })
        }
        Op::SetActive { cand } => atomically(state, |s| app.staking.set_active(s, at, &user(*cand))),
        Op::SetInactive { cand } => atomically(state, |s| app.staking.set_inactive(s, at, &user(*cand))),
        Op::Jail { cand } => {
            atomically(state, |s| app.staking.jail(s, at, &user(*cand), b.time.plus_nanos(60 * 1_000_000_000)))
        }
        Op::Unjail { cand } => atomically(state, |s| app.staking.unjail(s, at, &user(*cand))),
        Op::Tombstone { cand } => atomically(state, |s| app.staking.tombstone(s, at, &user(*cand))),
        Op::Advance { .. } => true,
    }
}

/// Runs a library call as the runtime would: on an overlay kept only on success.
fn atomically(
    state: &mut MemoryState,
    f: impl FnOnce(&mut MemoryState) -> Result<(), conclave_staking::StakingError>,
) -> bool {
    let mut copy = state.clone();
    match f(&mut copy) {
        Ok(()) => {
            *state = copy;
            true
        }
        Err(_) => false,
    }
}

fn compare(model: &Model, state: &MemoryState) -> Result<(), TestCaseError> {
    let cands: BTreeMap<Address, (u128, u128, Status)> = CANDIDATES
        .iter(state)
        .map(|r| r.map(|(a, c)| (a, (c.tokens, c.shares, c.status))))
        .collect::<Result<_, _>>()
        .unwrap();
    let expected: BTreeMap<Address, (u128, u128, Status)> =
        model.cands.iter().map(|(a, c)| (*a, (c.tokens, c.shares, c.status))).collect();
    prop_assert_eq!(cands, expected, "candidates");
    let mut shares = BTreeMap::new();
    for r in VOTE_SETS.iter(state) {
        let (d, set) = r.unwrap();
        for v in set.votes {
            shares.insert((d, v.candidate), v.shares);
        }
    }
    prop_assert_eq!(&shares, &model.shares, "shares");
    let unb: BTreeMap<u64, (Address, Address, u128, u128)> = UNBONDINGS
        .iter(state)
        .map(|r| r.map(|(id, u)| (id, (u.delegator, u.candidate, u.initial_balance, u.balance))))
        .collect::<Result<_, _>>()
        .unwrap();
    let expected: BTreeMap<u64, (Address, Address, u128, u128)> =
        model.unb.iter().map(|(id, u)| (*id, (u.del, u.cand, u.initial, u.balance))).collect();
    prop_assert_eq!(unb, expected, "unbondings");
    let red: BTreeMap<u64, (Address, Address, u128)> = REDELEGATIONS
        .iter(state)
        .map(|r| r.map(|(id, x)| (id, (x.source, x.destination, x.shares_dst))))
        .collect::<Result<_, _>>()
        .unwrap();
    let expected: BTreeMap<u64, (Address, Address, u128)> =
        model.red.iter().map(|(id, r)| (*id, (r.src, r.dst, r.shares_dst))).collect();
    prop_assert_eq!(red, expected, "redelegations");
    for (a, bal) in &model.balances {
        prop_assert_eq!(balance(state, a), *bal, "balance of {}", a);
    }
    Ok(())
}

fn setup() -> (TestApp, MemoryState, Model) {
    let users: Vec<Address> = (0..USERS).map(user).collect();
    let app = TestApp::default();
    let mut g = genesis(&users);
    g.voting.params = conclave_voting::Params { max_votes: MAX_VOTES as u32, max_entries: MAX_ENTRIES as u32 };
    let mut state = MemoryState::new();
    conclave_runtime::App::init_genesis(&app, &mut state, &g).unwrap();
    let mut model = Model { height: 1, time: 1_000, ..Model::default() };
    model.times.insert(1, 1_000);
    for u in &users {
        model.balances.insert(*u, FUNDS);
    }
    (app, state, model)
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 128,
        max_shrink_iters: 4096,
        failure_persistence: Some(Box::new(proptest::test_runner::FileFailurePersistence::Direct(
            "tests/proptest-regressions/stakes_follow_a_plain_model_under_random_operations.txt",
        ))),
        ..ProptestConfig::default()
    })]

    #[test]
    fn stakes_follow_the_model(ops in prop::collection::vec(op(), 1..80)) {
        let (app, mut state, mut model) = setup();
        let supply0 = supply(&state);
        let mut indexer = Indexer::default();
        // A prelude so most random operations have candidates and stake to work with.
        let mut prelude = Vec::new();
        for i in 0..3 {
            prelude.push(Op::Register { op: i, key: 100 + i as u8, self_bond: 5_000, own_key: false });
        }
        for del in 3..USERS {
            prelude.push(Op::Vote { del, cand: 0, amount: 3_000 });
            prelude.push(Op::Vote { del, cand: 1, amount: 3_000 });
        }
        for op in prelude.iter().chain(&ops) {
            if let Op::Slash { back, .. } = op {
                if !model.slash_in_window(*back) {
                    continue;
                }
            }
            let b = BlockInfo::new("t", model.height, BlockTime::from_seconds(model.time));
            state.events.clear();
            if let Op::Advance { seconds } = op {
                app.staking.process_queues(&mut state, At::block(&b)).unwrap();
                model.end_block();
                model.height += 1;
                model.time += seconds;
                model.times.insert(model.height, model.time);
            } else {
                let real = run_real(&app, &mut state, &b, &model, op);
                let expected = model.apply(op);
                prop_assert_eq!(real, expected, "outcome of {:?}", op);
            }
            compare(&model, &state)?;
            indexer.feed(&state.events);
            indexer.compare(&model)?;
            common::check(&app, &state);
            prop_assert_eq!(supply(&state), supply0 - model.burned, "supply changes only by slashes");
        }
    }
}
