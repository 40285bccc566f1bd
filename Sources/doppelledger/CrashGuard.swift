import LMDB
#if canImport(Glibc)
import Glibc
#endif

/// Turns a crash while reading the memory-mapped data file into a clear refusal.
///
/// LMDB trusts the pages of its data file. A damaged file (a flipped bit on disk, a file cut
/// short) can make it read outside the map, and the kernel answers with SIGSEGV or SIGBUS.
/// Without this guard the user would see "Segmentation fault"; with it, one sentence and exit
/// status 3 (the machine failed, not the user's input). The handler does only async-signal-safe
/// things: one write(2) of a fixed message (a static string: no allocation, no runtime call),
/// then _exit(2). The message depends on where the fault happened: inside the map of an open
/// data file (``MapRegions``) it is the file; elsewhere it may as well be a bug, and it says so. Exiting there leaves nothing half-written: LMDB writes a commit's pages before
/// the meta page that makes them visible, so a transaction cut short is simply not there.
enum CrashGuard {
    /// Installs the handlers, on a stack of their own so that a stack overflow is caught too.
    static func install() {
        let stackSize = 64 * 1024
        var stack = stack_t()
        stack.ss_sp = malloc(stackSize)
        stack.ss_size = stackSize
        stack.ss_flags = 0
        sigaltstack(&stack, nil)

        MapRegions.prepare()
        var action = sigaction()
        action.__sigaction_handler.sa_sigaction = { _, info, _ in
            // A fault inside an LMDB map is a read of the data file; elsewhere it may be a bug too.
            let address = info.map { UInt(bitPattern: $0.pointee._sifields._sigfault.si_addr) } ?? 0
            if MapRegions.contains(address) {
                let message: StaticString = "doppelledger: the data file is damaged (a read failed); restore it from a backup\n"
                _ = write(2, message.utf8Start, message.utf8CodeUnitCount)
            } else {
                let message: StaticString = "doppelledger: crashed outside the data file: a damaged data file or a bug in doppelledger; nothing committed is lost; run 'doppelledger verify' on the ledger and report the crash if it verifies\n"
                _ = write(2, message.utf8Start, message.utf8CodeUnitCount)
            }
            _exit(3)
        }
        action.sa_flags = SA_ONSTACK | SA_SIGINFO
        sigemptyset(&action.sa_mask)
        sigaction(SIGSEGV, &action, nil)
        sigaction(SIGBUS, &action, nil)

        // LMDB's own assertions (a page of the wrong kind) would abort: the same sentence, with LMDB's words.
        LMDBAssertion.handler = { message in
            let head: StaticString = "doppelledger: the data file is damaged (LMDB: "
            let tail: StaticString = "); restore it from a backup\n"
            _ = write(2, head.utf8Start, head.utf8CodeUnitCount)
            if let message { _ = write(2, message, strlen(message)) }
            _ = write(2, tail.utf8Start, tail.utf8CodeUnitCount)
            _exit(3)
        }
    }
}
