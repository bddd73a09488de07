import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// One extra thread that shares a loop of chunks with the calling thread, allocating nothing
/// per call: the chunks are claimed one at a time, the caller's from the front and the helper's
/// from the back, so a late or descheduled helper costs at most one chunk of waiting, never the
/// whole loop, and from call to call each thread mostly gets the same chunks.
///
/// After each piece of work the helper spins for ``spinNanoseconds`` before it sleeps, so the
/// calls of one training step (a few split GEMMs and the optimizer update, microseconds apart)
/// find it awake; only the first call after a pause pays a wake-up.
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

    /// How long the helper waits for new work spinning before it sleeps: longer than the gaps
    /// between the parallel parts of a training step and between steps, far shorter than a
    /// pause a user would notice as a busy core.
    static let spinNanoseconds = 250_000

    /// `state`'s values: no work; work posted, not yet taken; taken by the helper; finished by it.
    private static let idle = 0, posted = 1, taken = 2, finished = 3

    /// Guards the helper's sleep.
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    /// Signalled when work is posted while the helper sleeps.
    private let wakeup: UnsafeMutablePointer<pthread_cond_t>
    /// Held by the one caller using the helper.
    private let callerMutex: UnsafeMutablePointer<pthread_mutex_t>
    /// The posted work. Written by the caller before it stores `posted` (release); read by the
    /// helper only after its exchange from `posted` to `taken` (acquire).
    private var body: Body?
    private var context: UnsafeMutableRawPointer?
    /// Who holds the work: the caller may withdraw it only by exchanging `posted` for `idle`;
    /// once the helper has taken it, the caller waits for `finished`.
    private let state = Atomic<Int>(0)
    /// True while the helper is (about to be) blocked on `wakeup`.
    private let sleeping = Atomic<Bool>(false)
    /// The chunks not yet claimed, `front ..< back`, packed as `front | back << 32`: the caller
    /// claims from the front, the helper from the back (see `claim(fromBack:)`).
    private let unclaimed = Atomic<Int>(0)
    /// Chunks the helper (not a caller) has run since the process started.
    let chunksRunByHelper = Atomic<Int>(0)
    /// How many times the helper has gone to sleep after spinning in vain.
    let sleeps = Atomic<Int>(0)

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

    /// The helper's loop: wait for posted work, take it, claim chunks until none is left, repeat.
    private func serve() {
        while true {
            waitForWork()
            guard
                state.compareExchange(
                    expected: Self.posted, desired: Self.taken, ordering: .acquiringAndReleasing
                ).exchanged, let body, let context
            else { continue }  // The caller withdrew it first.
            let ran = claimChunks(body, context, fromBack: true)
            chunksRunByHelper.wrappingAdd(ran, ordering: .relaxed)
            state.store(Self.finished, ordering: .releasing)
        }
    }

    /// Returns once work is posted: spinning for up to ``spinNanoseconds``, then asleep.
    private func waitForWork() {
        let deadline = Self.monotonicNanoseconds() + Self.spinNanoseconds
        var polls = 0
        while state.load(ordering: .acquiring) != Self.posted {
            polls += 1
            if polls & 255 == 0, Self.monotonicNanoseconds() > deadline {
                sleepUntilPosted()
                return
            }
            Self.pause(polls)
        }
    }

    /// Blocks on `wakeup` until work is posted. `sleeping` and `state` are both stored and
    /// loaded sequentially consistently, so either the caller sees `sleeping` and signals (under
    /// `mutex`, after this thread has started waiting) or this thread sees the posted work.
    private func sleepUntilPosted() {
        sleeps.wrappingAdd(1, ordering: .relaxed)
        pthread_mutex_lock(mutex)
        sleeping.store(true, ordering: .sequentiallyConsistent)
        while state.load(ordering: .sequentiallyConsistent) != Self.posted {
            pthread_cond_wait(wakeup, mutex)
        }
        sleeping.store(false, ordering: .sequentiallyConsistent)
        pthread_mutex_unlock(mutex)
    }

    /// One wait in a polling loop: the CPU's spin-wait hint, and every 64th poll `sched_yield`,
    /// so that a poller sharing a CPU with the thread it waits for (on a busy machine) lets that
    /// thread run instead of spinning through its time slice. With the CPU otherwise idle the
    /// yield returns at once.
    @inline(__always)
    private static func pause(_ polls: Int) {
        if polls & 63 == 0 { sched_yield() } else { VectorKernels.spinWaitHint() }
    }

    /// Nanoseconds of `CLOCK_MONOTONIC`.
    private static func monotonicNanoseconds() -> Int {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return time.tv_sec * 1_000_000_000 + time.tv_nsec
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
        var current = unclaimed.load(ordering: .sequentiallyConsistent)
        while true {
            let front = current & 0xFFFF_FFFF
            let back = current >> 32
            guard front < back else { return nil }
            let next = fromBack ? front | (back - 1) << 32 : (front + 1) | back << 32
            let (exchanged, original) = unclaimed.compareExchange(
                expected: current, desired: next, ordering: .sequentiallyConsistent)
            if exchanged { return fromBack ? back - 1 : front }
            current = original
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
        self.body = body
        self.context = context
        unclaimed.store(chunks << 32, ordering: .sequentiallyConsistent)
        state.store(Self.posted, ordering: .sequentiallyConsistent)
        if sleeping.load(ordering: .sequentiallyConsistent) {
            pthread_mutex_lock(mutex)
            pthread_cond_signal(wakeup)
            pthread_mutex_unlock(mutex)
        }

        claimChunks(body, context, fromBack: false)

        // Withdraw the work if the helper has not taken it; else wait for its last chunk.
        if !state.compareExchange(expected: Self.posted, desired: Self.idle, ordering: .sequentiallyConsistent)
            .exchanged
        {
            var polls = 0
            while state.load(ordering: .acquiring) != Self.finished {
                polls += 1
                Self.pause(polls)
            }
            state.store(Self.idle, ordering: .relaxed)
        }
        self.body = nil
        self.context = nil
    }
}
