//! Process-wide counters of the webhook, read by the future `/metrics` endpoint (PRODUCT.md §12:
//! webhook signature failures, inbound messages). Relaxed atomics: they are statistics, no other
//! memory depends on them.

use std::sync::atomic::{AtomicU64, Ordering};

#[derive(Debug, Default)]
pub struct InboundMetrics {
    pub signature_failures: AtomicU64,
    pub unknown_phone_number_ids: AtomicU64,
    pub inbound_messages: AtomicU64,
    pub duplicate_messages: AtomicU64,
    pub statuses_applied: AtomicU64,
    pub unknown_status_ids: AtomicU64,
    pub failed_items: AtomicU64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct InboundMetricsSnapshot {
    pub signature_failures: u64,
    pub unknown_phone_number_ids: u64,
    pub inbound_messages: u64,
    pub duplicate_messages: u64,
    pub statuses_applied: u64,
    pub unknown_status_ids: u64,
    pub failed_items: u64,
}

impl InboundMetrics {
    pub fn add(counter: &AtomicU64, n: u64) {
        counter.fetch_add(n, Ordering::Relaxed);
    }

    pub fn snapshot(&self) -> InboundMetricsSnapshot {
        let g = |c: &AtomicU64| c.load(Ordering::Relaxed);
        InboundMetricsSnapshot {
            signature_failures: g(&self.signature_failures),
            unknown_phone_number_ids: g(&self.unknown_phone_number_ids),
            inbound_messages: g(&self.inbound_messages),
            duplicate_messages: g(&self.duplicate_messages),
            statuses_applied: g(&self.statuses_applied),
            unknown_status_ids: g(&self.unknown_status_ids),
            failed_items: g(&self.failed_items),
        }
    }
}
