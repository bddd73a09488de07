import Glibc
import Perceptron
import Synchronization

/// SIGINT (Ctrl-C), SIGTERM and SIGHUP (the terminal closed) while a command trains: the first
/// asks training to stop at the next safe point (between two steps, never inside a save); a
/// second one ends the process at once, with the conventional status `128 + signal`, after
/// removing the temporary file of any save in progress.
///
/// The handler is async-signal-safe: it reads and writes one atomic integer, and calls only
/// `unlink` (through ``AtomicFile/removeTemporaryFileInProgress()``), `write` and `_exit`.
enum StopSignal {
    /// The first signal received since ``install()`` (0 for none).
    private static let received = Atomic<Int32>(0)

    /// Catches SIGINT, SIGTERM and SIGHUP until ``restoreDefaults()``, unblocking them on the
    /// calling thread. Calls `sigaction` and `pthread_sigmask`.
    static func install() {
        // Touch every global the handler uses, so it never runs a lazy initialiser.
        received.store(0, ordering: .sequentiallyConsistent)
        AtomicFile.prepareForSignalHandlers()
        for signal in [SIGINT, SIGTERM, SIGHUP] {
            var action = sigaction()
            action.__sigaction_handler.sa_handler = { signal in
                let (exchanged, _) = StopSignal.received.compareExchange(
                    expected: 0, desired: signal, ordering: .sequentiallyConsistent)
                if exchanged { return }
                AtomicFile.removeTemporaryFileInProgress()
                let text: StaticString = "\nsecond interrupt: stopped at once\n"
                _ = write(STDERR_FILENO, text.utf8Start, text.utf8CodeUnitCount)
                _exit(128 + signal)
            }
            sigemptyset(&action.sa_mask)
            action.sa_flags = SA_RESTART
            sigaction(signal, &action, nil)
        }
        // A parent may have started this process with the signals blocked (the mask is
        // inherited): unblocked here, on the main thread, so that they reach the handler.
        var handled = sigset_t()
        sigemptyset(&handled)
        sigaddset(&handled, SIGINT)
        sigaddset(&handled, SIGTERM)
        sigaddset(&handled, SIGHUP)
        pthread_sigmask(SIG_UNBLOCK, &handled, nil)
    }

    /// Gives SIGINT, SIGTERM and SIGHUP back their default action (ending the process). Calls
    /// `signal`.
    static func restoreDefaults() {
        signal(SIGINT, SIG_DFL)
        signal(SIGTERM, SIG_DFL)
        signal(SIGHUP, SIG_DFL)
    }

    /// The signal received since ``install()``, if any.
    static var pending: Int32? {
        let value = received.load(ordering: .sequentiallyConsistent)
        return value == 0 ? nil : value
    }

    /// `SIGINT`, `SIGTERM` or `SIGHUP`, by name.
    static func name(_ signal: Int32) -> String {
        switch signal {
        case SIGINT: "SIGINT"
        case SIGTERM: "SIGTERM"
        case SIGHUP: "SIGHUP"
        default: "signal \(signal)"
        }
    }
}
