import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Work divided into chunks that may run concurrently on different threads, each touching its
/// own part of the data: the blocks of a product, the chunks of an optimizer update.
///
/// A value type holding pointers to the data, made on the caller's stack for one
/// ``ThreadPool/forEach(chunks:threads:_:)``. (A closure cannot be used here without allocating:
/// handing a non-escaping closure to another thread takes `withoutActuallyEscaping`, which
/// heap-allocates a thunk context, 2 mallocs per call measured in an optimised build; a value
/// reached through its metatype allocates nothing.)
protocol ChunkedWork {
    /// Runs chunk `chunk`.
    func run(chunk: Int)
}

extension ChunkedWork {
    /// Runs chunk `chunk` of the work of this type at `work`.
    fileprivate static func run(_ work: UnsafeRawPointer, chunk: Int) {
        work.assumingMemoryBound(to: Self.self).pointee.run(chunk: chunk)
    }
}

/// Perceptron's threads: one parallel-for over a few large chunks, run by the calling thread and
/// up to `threads − 1` helper threads, allocating nothing per call.
///
/// ``forEach(chunks:threads:_:)`` is the only primitive. Every parallel part of Perceptron (the
/// blocks of a product in ``BLASBackend``, the chunks of the ``Adam`` update) is a loop over
/// chunks whose results do not depend on which thread runs a chunk, so nothing depends on
/// timing.
///
/// - Chunks are claimed from one bit mask (at most ``maximumChunks`` per call). Participant `p`
///   of `P` first claims the chunks of its own share, `[p·chunks/P, (p+1)·chunks/P)`, then any
///   chunk still unclaimed: from call to call each thread mostly gets the same chunks (their
///   data stays in that core's caches), and a late or descheduled helper costs at most the
///   chunk it is running, never the whole loop.
/// - After each piece of work a helper spins for ``spinNanoseconds`` before it sleeps, so the
///   parallel parts of one training step (microseconds apart) find it awake; polling loops
///   yield the CPU every 64th poll, so an oversubscribed machine still makes progress.
/// - The work is a pointer to the caller's ``ChunkedWork`` value on its stack; ``forEach`` returns
///   only when no helper can touch it any more (a helper that has not yet taken its part has it
///   withdrawn). One caller at a time uses the helpers; a concurrent caller runs its chunks
///   alone, in order.
/// - Helpers are started on first need (the first call at a larger thread count allocates
///   them) and live as long as the process.
final class ThreadPool: @unchecked Sendable {
    /// The process's pool.
    static let shared = ThreadPool()

    /// The most chunks one call may have (the bits of the claim mask).
    static let maximumChunks = 64
    /// The most threads one call uses, the caller included: a request for more uses this many.
    static let maximumThreads = 64

    /// How long a helper waits for new work spinning before it sleeps: longer than the gaps
    /// between the parallel parts of a training step and between steps, far shorter than a
    /// pause a user would notice as a busy core.
    static let spinNanoseconds = 250_000

    /// The work of the current call: a pointer to the caller's ``ChunkedWork`` value and its
    /// type, how many chunks, how many participants. Written by the caller (holding
    /// `callerMutex`) before it posts to any helper; read by helpers only between taking and
    /// finishing.
    private var work: UnsafeRawPointer?
    private var workType: (any ChunkedWork.Type)?
    private var chunkCount = 0
    private var participants = 1
    /// Bit `c` set: chunk `c` of the current call is claimed.
    private let claimed = Atomic<UInt64>(0)
    /// Held by the one caller using the helpers.
    private let callerMutex: UnsafeMutablePointer<pthread_mutex_t>
    /// The helpers started so far (only grown, under `callerMutex`).
    private var helpers: [Helper] = []
    /// Chunks run by helpers (not callers) since the process started.
    let chunksRunByHelpers = Atomic<Int>(0)
    /// How many times a helper has gone to sleep after spinning in vain.
    let sleeps = Atomic<Int>(0)

    private init() {
        callerMutex = .allocate(capacity: 1)
        pthread_mutex_init(callerMutex, nil)
    }

    /// How many helper threads exist now.
    var helperCount: Int {
        pthread_mutex_lock(callerMutex)
        defer { pthread_mutex_unlock(callerMutex) }
        return helpers.count
    }

    /// Runs `work.run(chunk:)` for every chunk in `0..<chunks`, on this thread and up to
    /// `threads − 1` helpers (never more participants than chunks); returns when every chunk
    /// has run. `chunks` is at most ``maximumChunks``; chunks run concurrently, so the work must
    /// touch disjoint data for different chunks.
    func forEach<Work: ChunkedWork>(chunks: Int, threads: Int, _ work: Work) {
        precondition(chunks <= Self.maximumChunks, "ThreadPool.forEach: at most 64 chunks")
        let participants = min(chunks, threads, Self.maximumThreads)
        guard participants > 1, pthread_mutex_trylock(callerMutex) == 0 else {
            for chunk in 0..<max(0, chunks) { work.run(chunk: chunk) }
            return
        }
        defer { pthread_mutex_unlock(callerMutex) }
        if helpers.count < participants - 1 { startHelpers(upTo: participants - 1) }
        let usable = min(participants, helpers.count + 1)
        guard usable > 1 else {
            for chunk in 0..<chunks { work.run(chunk: chunk) }
            return
        }
        withUnsafePointer(to: work) { pointer in
            run(UnsafeRawPointer(pointer), Work.self, chunks: chunks, participants: usable)
        }
    }

    /// Posts the work to helpers `0 ..< participants − 1`, runs this thread's share, then
    /// withdraws or waits for each helper's part.
    private func run(_ work: UnsafeRawPointer, _ type: any ChunkedWork.Type, chunks: Int, participants: Int) {
        self.work = work
        workType = type
        chunkCount = chunks
        self.participants = participants
        claimed.store(0, ordering: .sequentiallyConsistent)
        for helper in helpers[0..<(participants - 1)] { helper.post() }

        Self.claimAndRun(work, type, claimed: claimed, chunks: chunks, participant: 0, of: participants)

        for helper in helpers[0..<(participants - 1)] { helper.withdrawOrWait() }
        self.work = nil
        workType = nil
    }

    /// The helper's part of the current call: claim and run chunks as participant `index`.
    fileprivate func serve(asParticipant index: Int) -> Int {
        guard let work, let workType else { return 0 }
        return Self.claimAndRun(work, workType, claimed: claimed, chunks: chunkCount, participant: index, of: participants)
    }

    /// Claims and runs chunks until none is left, own share first; returns how many ran here.
    @discardableResult
    private static func claimAndRun(
        _ work: UnsafeRawPointer, _ type: any ChunkedWork.Type, claimed: borrowing Atomic<UInt64>, chunks: Int,
        participant: Int, of participants: Int
    ) -> Int {
        let all: UInt64 = chunks == 64 ? ~0 : (1 << UInt64(chunks)) - 1
        let first = participant * chunks / participants
        let end = (participant + 1) * chunks / participants
        let own: UInt64 = end - first == 64 ? ~0 : ((1 << UInt64(end - first)) - 1) << UInt64(first)
        var ran = 0
        var current = claimed.load(ordering: .sequentiallyConsistent)
        while true {
            let free = all & ~current
            if free == 0 { return ran }
            let mine = free & own
            let pick = mine != 0 ? mine.trailingZeroBitCount : free.trailingZeroBitCount
            let bit: UInt64 = 1 << UInt64(pick)
            let (exchanged, original) = claimed.compareExchange(
                expected: current, desired: current | bit, ordering: .sequentiallyConsistent)
            if exchanged {
                type.run(work, chunk: pick)
                ran += 1
                current = claimed.load(ordering: .sequentiallyConsistent)
            } else {
                current = original
            }
        }
    }

    /// Starts helpers until there are `count` (fewer if the system refuses a thread).
    private func startHelpers(upTo count: Int) {
        while helpers.count < count {
            let helper = Helper(pool: self, participant: helpers.count + 1)
            guard helper.start() else { return }
            helpers.append(helper)
        }
    }

    /// One wait in a polling loop: the CPU's spin-wait hint, and every 64th poll `sched_yield`,
    /// so that a poller sharing a CPU with the thread it waits for lets that thread run. With the
    /// CPU otherwise idle the yield returns at once.
    @inline(__always)
    fileprivate static func pause(_ polls: Int) {
        if polls & 63 == 0 { sched_yield() } else { VectorKernels.spinWaitHint() }
    }

    /// Nanoseconds of `CLOCK_MONOTONIC`.
    fileprivate static func monotonicNanoseconds() -> Int {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return time.tv_sec * 1_000_000_000 + time.tv_nsec
    }
}

/// One helper thread of a ``ThreadPool``, with its own hand-off word and its own sleep.
private final class Helper: @unchecked Sendable {
    /// `state`'s values: no work; work posted, not yet taken; taken by the helper; finished by it.
    private static let idle = 0, posted = 1, taken = 2, finished = 3

    unowned let pool: ThreadPool
    /// Its participant index in every call (1, 2, …; the caller is 0).
    let participant: Int
    /// Who holds the work: the caller may withdraw it only by exchanging `posted` for `idle`;
    /// once the helper has taken it, the caller waits for `finished`.
    private let state = Atomic<Int>(0)
    /// True while the helper is (about to be) blocked on `wakeup`.
    private let sleeping = Atomic<Bool>(false)
    /// Guards the helper's sleep.
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    /// Signalled when work is posted while the helper sleeps.
    private let wakeup: UnsafeMutablePointer<pthread_cond_t>

    init(pool: ThreadPool, participant: Int) {
        self.pool = pool
        self.participant = participant
        mutex = .allocate(capacity: 1)
        wakeup = .allocate(capacity: 1)
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(wakeup, nil)
    }

    /// Starts the thread (detached; it lives as long as the process).
    func start() -> Bool {
        var thread = pthread_t()
        let unmanaged = Unmanaged.passRetained(self)
        let status = pthread_create(
            &thread, nil,
            { argument in
                Unmanaged<Helper>.fromOpaque(argument!).takeUnretainedValue().serve()
                return nil
            }, unmanaged.toOpaque())
        guard status == 0 else {
            unmanaged.release()
            return false
        }
        pthread_detach(thread)
        return true
    }

    /// Posts the pool's current work to this helper, waking it if it sleeps.
    func post() {
        state.store(Self.posted, ordering: .sequentiallyConsistent)
        if sleeping.load(ordering: .sequentiallyConsistent) {
            pthread_mutex_lock(mutex)
            pthread_cond_signal(wakeup)
            pthread_mutex_unlock(mutex)
        }
    }

    /// Withdraws the work if this helper has not taken it; else waits until it has finished.
    func withdrawOrWait() {
        if state.compareExchange(expected: Self.posted, desired: Self.idle, ordering: .sequentiallyConsistent)
            .exchanged
        {
            return
        }
        var polls = 0
        while state.load(ordering: .acquiring) != Self.finished {
            polls += 1
            ThreadPool.pause(polls)
        }
        state.store(Self.idle, ordering: .relaxed)
    }

    /// The helper's loop: wait for posted work, take it, run its part, repeat.
    private func serve() {
        while true {
            waitForWork()
            guard
                state.compareExchange(
                    expected: Self.posted, desired: Self.taken, ordering: .acquiringAndReleasing
                ).exchanged
            else { continue }  // The caller withdrew it first.
            let ran = pool.serve(asParticipant: participant)
            if ran > 0 { pool.chunksRunByHelpers.wrappingAdd(ran, ordering: .relaxed) }
            state.store(Self.finished, ordering: .releasing)
        }
    }

    /// Returns once work is posted: spinning for up to ``ThreadPool/spinNanoseconds``, then asleep.
    private func waitForWork() {
        let deadline = ThreadPool.monotonicNanoseconds() + ThreadPool.spinNanoseconds
        var polls = 0
        while state.load(ordering: .acquiring) != Self.posted {
            polls += 1
            if polls & 255 == 0, ThreadPool.monotonicNanoseconds() > deadline {
                sleepUntilPosted()
                return
            }
            ThreadPool.pause(polls)
        }
    }

    /// Blocks on `wakeup` until work is posted. `sleeping` and `state` are both stored and
    /// loaded sequentially consistently, so either the caller sees `sleeping` and signals (under
    /// `mutex`, after this thread has started waiting) or this thread sees the posted work.
    private func sleepUntilPosted() {
        pool.sleeps.wrappingAdd(1, ordering: .relaxed)
        pthread_mutex_lock(mutex)
        sleeping.store(true, ordering: .sequentiallyConsistent)
        while state.load(ordering: .sequentiallyConsistent) != Self.posted {
            pthread_cond_wait(wakeup, mutex)
        }
        sleeping.store(false, ordering: .sequentiallyConsistent)
        pthread_mutex_unlock(mutex)
    }
}
