//! Waking the delivery engine when deliveries are planned by something other than the API call
//! that already wakes it: operational events planned while recording attempts, replays, other
//! nodes (PostgreSQL `NOTIFY hookline_due`). Without it the engine would find such work only at
//! its next scheduled wake-up.

use std::sync::{Arc, Mutex};

/// What to call when deliveries are planned.
pub type Wake = Arc<dyn Fn() + Send + Sync>;

/// The registered wake-up; empty until the engine registers one.
#[derive(Clone, Default)]
pub(crate) struct DueSignal(Arc<Mutex<Option<Wake>>>);

impl std::fmt::Debug for DueSignal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DueSignal")
    }
}

impl DueSignal {
    pub(crate) fn set(&self, wake: Wake) {
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) = Some(wake);
    }

    pub(crate) fn wake(&self) {
        let wake = self.0.lock().unwrap_or_else(|e| e.into_inner()).clone();
        if let Some(wake) = wake {
            wake();
        }
    }
}
