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
