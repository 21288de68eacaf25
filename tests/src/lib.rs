//! Whole-chain tests live in tests/.
