import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// One extra thread that shares an elementwise loop with the calling thread, allocating
/// nothing per call: the loop's chunks are claimed one at a time, the caller's from the front
/// and the helper's from the back, so a late or descheduled helper costs at most one chunk of
/// waiting, never the whole loop, and from call to call each thread mostly gets the same chunks.
///
/// The work is a C function pointer and a context pointer (to the caller's stack), so nothing
/// is retained or allocated per call. ``run(chunks:context:body:)`` returns only when the helper
/// can no longer touch the context. One caller at a time uses the helper; a concurrent caller
/// runs its chunks alone.
final class HelperThread: @unchecked Sendable {
    /// The work: `body(context, chunk)` for each chunk.
    typealias Body = @convention(c) (UnsafeMutableRawPointer, Int) -> Void

    /// The process's helper, started on first use; nil on a single-CPU machine or if the
    /// thread cannot be created.
    static let shared: HelperThread? = {
        guard sysconf(Int32(_SC_NPROCESSORS_ONLN)) >= 2 else { return nil }
        let helper = HelperThread()
        return helper.start() ? helper : nil
    }()

    /// Guards `generation`, `body` and `context`, and `wakeup`'s waits.
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    /// Signalled when a new generation of work is posted.
    private let wakeup: UnsafeMutablePointer<pthread_cond_t>
    /// Held by the one caller using the helper.
    private let callerMutex: UnsafeMutablePointer<pthread_mutex_t>
    private var generation: UInt64 = 0
    private var body: Body?
    private var context: UnsafeMutableRawPointer?
    /// The chunks not yet claimed, `front ..< back`, packed as `front | back << 32`: the caller
    /// claims from the front, the helper from the back (see `claim(fromBack:)`).
    private let unclaimed = Atomic<Int>(0)
    /// True while the helper holds the current work (set under `mutex`).
    private let helperBusy = Atomic<Bool>(false)
    /// Chunks the helper (not a caller) has run since the process started.
    let chunksRunByHelper = Atomic<Int>(0)

    private init() {
        mutex = .allocate(capacity: 1)
        wakeup = .allocate(capacity: 1)
        callerMutex = .allocate(capacity: 1)
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(wakeup, nil)
        pthread_mutex_init(callerMutex, nil)
    }

    /// Starts the thread (detached; it lives as long as the process).
    private func start() -> Bool {
        var thread = pthread_t()
        let unmanaged = Unmanaged.passRetained(self)
        let status = pthread_create(
            &thread, nil,
            { argument in
                Unmanaged<HelperThread>.fromOpaque(argument!).takeUnretainedValue().serve()
                return nil
            }, unmanaged.toOpaque())
        guard status == 0 else {
            unmanaged.release()
            return false
        }
        pthread_detach(thread)
        return true
    }

    /// The helper's loop: wait for a new generation, claim chunks until none is left, repeat.
    private func serve() {
        var seen: UInt64 = 0
        while true {
            pthread_mutex_lock(mutex)
            while generation == seen { pthread_cond_wait(wakeup, mutex) }
            seen = generation
            guard let body, let context else {
                // The caller finished (and withdrew the work) before this thread woke.
                pthread_mutex_unlock(mutex)
                continue
            }
            helperBusy.store(true, ordering: .sequentiallyConsistent)
            pthread_mutex_unlock(mutex)
            let ran = claimChunks(body, context, fromBack: true)
            chunksRunByHelper.wrappingAdd(ran, ordering: .relaxed)
            helperBusy.store(false, ordering: .sequentiallyConsistent)
        }
    }

    /// Claims and runs chunks until none is left; returns how many this thread ran.
    @discardableResult
    private func claimChunks(_ body: Body, _ context: UnsafeMutableRawPointer, fromBack: Bool) -> Int {
        var ran = 0
        while let chunk = claim(fromBack: fromBack) {
            body(context, chunk)
            ran += 1
        }
        return ran
    }

    /// Takes the first (or last) unclaimed chunk. The two ends matter for speed, not results:
    /// from one call to the next each thread mostly gets the same chunks, so their data stays
    /// in that thread's core's caches rather than moving between cores every step.
    private func claim(fromBack: Bool) -> Int? {
        var state = unclaimed.load(ordering: .sequentiallyConsistent)
        while true {
            let front = state & 0xFFFF_FFFF
            let back = state >> 32
            guard front < back else { return nil }
            let next = fromBack ? front | (back - 1) << 32 : (front + 1) | back << 32
            let (exchanged, original) = unclaimed.compareExchange(
                expected: state, desired: next, ordering: .sequentiallyConsistent)
            if exchanged { return fromBack ? back - 1 : front }
            state = original
        }
    }

    /// Runs `body(context, chunk)` for every chunk in `0..<chunks`, on this thread and the
    /// helper; returns when all are done and the helper has let go of `context`.
    func run(chunks: Int, context: UnsafeMutableRawPointer, body: Body) {
        guard chunks > 1, chunks < 1 << 31, pthread_mutex_trylock(callerMutex) == 0 else {
            for chunk in 0..<chunks { body(context, chunk) }
            return
        }
        defer { pthread_mutex_unlock(callerMutex) }
        unclaimed.store(chunks << 32, ordering: .sequentiallyConsistent)
        pthread_mutex_lock(mutex)
        self.body = body
        self.context = context
        generation &+= 1
        pthread_cond_signal(wakeup)
        pthread_mutex_unlock(mutex)

        claimChunks(body, context, fromBack: false)

        // Withdraw the work: a helper that has not taken it yet will find nothing; one that
        // has is busy until its last chunk is done.
        pthread_mutex_lock(mutex)
        self.body = nil
        self.context = nil
        pthread_mutex_unlock(mutex)
        while helperBusy.load(ordering: .sequentiallyConsistent) {}
    }
}
