//! How the local app's process runs: its allocator settings and its tokio runtime. The
//! intake_throughput bench builds the same, so that it measures the app as it runs.
//!
//! Under load one thread matters most: the embedded store's writer, through which every write
//! passes and which sleeps in `fdatasync` once per group. Request workers run one nice step
//! set below it, so that when the disk answers, the writer gets a core at once instead of
//! waiting behind requests that will only queue more writes for it. Lowering one's own
//! priority needs no privilege.

/// Nice steps below the store's writer at which request workers run.
pub const WORKER_NICENESS: i32 = 5;

/// How long the allocator keeps freed memory before giving it back to the system. With
/// mimalloc's default (10 ms), the store's page buffers were returned and faulted in again
/// between two commits: 93,000 page faults in a 10 s bench run, 7,000 with one second.
pub const KEEP_FREED_MEMORY_MS: i64 = 1000;

/// `mi_option_purge_delay` in mimalloc.h (v2 and v3 alike).
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// Applies [`KEEP_FREED_MEMORY_MS`] when mimalloc is the global allocator; call it first
/// thing in `main`, before other threads start.
pub fn tune_allocator() {
    // SAFETY: sets one option of the C allocator; the call is not thread-safe, hence before
    // any other thread exists.
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, KEEP_FREED_MEMORY_MS as _) };
}

/// The multi-threaded runtime of the local app: one worker per core, named `server-worker`,
/// each at [`WORKER_NICENESS`].
pub fn runtime() -> std::io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .thread_name("server-worker")
        .on_thread_start(|| lower_priority(WORKER_NICENESS))
        .enable_all()
        .build()
}

/// Lowers the calling thread's scheduling priority by `steps` (a no-op where not allowed).
pub fn lower_priority(steps: i32) {
    // SAFETY: plain syscalls about the calling thread; failure leaves the priority unchanged.
    unsafe {
        let tid = libc::syscall(libc::SYS_gettid) as libc::id_t;
        let current = libc::getpriority(libc::PRIO_PROCESS, tid);
        libc::setpriority(libc::PRIO_PROCESS, tid, current + steps);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn worker_threads_run_below_the_callers_priority() {
        let before = unsafe { libc::getpriority(libc::PRIO_PROCESS, 0) };
        let rt = runtime().unwrap();
        let inside = rt.block_on(async {
            tokio::spawn(async {
                let tid = unsafe { libc::syscall(libc::SYS_gettid) } as libc::id_t;
                unsafe { libc::getpriority(libc::PRIO_PROCESS, tid) }
            })
            .await
            .unwrap()
        });
        assert_eq!(inside, (before + WORKER_NICENESS).min(19));
    }
}
