#[test]
#[ignore]
fn trie_micro() {
    use crate::snapshot::{sorted_updates, Change};
    use crate::trie::apply;
    use std::sync::Arc;
    let n = 1_000_000u64;
    let changes: Vec<Change> = (0..n).map(|i| Change { key: Arc::from(&i.to_be_bytes()[..]), value: Some(Arc::from(&[7u8; 64][..])) }).collect();
    let mut root = apply(&crate::trie::Node::Empty, &sorted_updates(&changes)).0;
    let mut x = 12345u64;
    let mut versions = Vec::new();
    let t = std::time::Instant::now();
    for b in 0..30u64 {
        let changes: Vec<Change> = (0..10_000).map(|_| { x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407); let i = x % n; Change { key: Arc::from(&i.to_be_bytes()[..]), value: Some(Arc::from(&[b as u8; 64][..])) } }).collect();
        let t0 = std::time::Instant::now();
        let ups = sorted_updates(&changes);
        let t1 = std::time::Instant::now();
        let new = apply(&root, &ups).0;
        eprintln!("hash {:?} apply {:?}", t1 - t0, t1.elapsed());
        versions.push(std::mem::replace(&mut root, new));
    }
    eprintln!("total {:?}", t.elapsed());
    std::mem::forget(versions); std::mem::forget(root);
}

#[test]
#[ignore]
fn redb_micro() {
    use redb::{Database, Durability, TableDefinition};
    const T: TableDefinition<(u64, u32), &[u8]> = TableDefinition::new("changes");
    let dir = tempfile::tempdir().unwrap();
    let db = Database::create(dir.path().join("x.redb")).unwrap();
    let row = vec![5u8; 4 + 45 + 1 + 4 + 64];
    for chunk in [1usize, 16, 128, 10_000] {
        let t = std::time::Instant::now();
        for v in 0..20u64 {
            let mut txn = db.begin_write().unwrap();
            txn.set_durability(Durability::Immediate).unwrap();
            {
                let mut table = txn.open_table(T).unwrap();
                let blob = row.repeat(chunk);
                for s in 0..(10_000 / chunk) as u32 {
                    table.insert((v + chunk as u64 * 1000, s), blob.as_slice()).unwrap();
                }
            }
            txn.commit().unwrap();
        }
        eprintln!("rows of {chunk} changes: {:?} per 10k-change commit", t.elapsed() / 20);
    }
    let t = std::time::Instant::now();
    for _ in 0..20 {
        let mut txn = db.begin_write().unwrap();
        txn.set_durability(Durability::Immediate).unwrap();
        txn.open_table(T).unwrap();
        txn.commit().unwrap();
    }
    eprintln!("empty durable commit: {:?}", t.elapsed() / 20);
}
