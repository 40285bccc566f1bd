public import LedgerCore
public import LMDB
#if canImport(Glibc)
import Glibc
#endif

/// Why the ledger refused or failed. Each case reads as one sentence for the user.
public enum LedgerError: Error, CustomStringConvertible, Equatable {
    /// The event at `index` of a batch (0-based) was refused by validation.
    case invalid(index: Int, ValidationError)
    /// The same idempotency key was used before with other content.
    case keyConflict(key: String, seq: UInt64)
    /// The folder holds no ledger.
    case notALedger(String)
    /// `init` on a folder that already holds a ledger or other files.
    case alreadyExists(String)
    /// A preserved `recordedAt` goes backwards or into the future.
    case recordedAt(index: Int, String)
    /// LMDB could not do what was asked (disk full, map full, permissions, corruption).
    case storage(String)
    /// A file or argument is unusable.
    case usage(String)

    public var description: String {
        switch self {
        case .invalid(_, let e): e.message
        case .keyConflict(let key, let seq):
            "key \"\(key)\" was already used for different content (record \(seq)); use a new key for a new event"
        case .notALedger(let dir): "\(dir) is not a Doppelledger ledger (run 'doppelledger init' first)"
        case .alreadyExists(let dir): "\(dir) already exists and is not empty; choose a new folder"
        case .recordedAt(_, let m): m
        case .storage(let m): m
        case .usage(let m): m
        }
    }

    /// Whether the error is the caller's input (exit status 2) rather than the machine's.
    public var isBadInput: Bool {
        switch self {
        case .invalid, .keyConflict, .recordedAt, .usage, .alreadyExists, .notALedger: true
        case .storage: false
        }
    }

    /// Turns an LMDB error into a sentence a user can act on.
    static func from(_ error: LMDBError, path: String) -> LedgerError {
        switch error {
        case .mapFull: .storage("the ledger at \(path) reached its maximum map size; raise it or move the ledger")
        case .noSpace: .storage("the disk holding \(path) is full; nothing was appended — free space and try again")
        case LMDBError(code: 5):
            // LMDB reports a short write (the disk filled up while writing) as EIO.
            if let free = freeBytes(path), free < 16 << 20 {
                .storage("the disk holding \(path) is full (\(free / 1024) KiB free); nothing was appended — free space and try again")
            } else {
                .storage("writing the data file at \(path) failed (input/output error); nothing was appended — check the disk")
            }
        case .accessDenied: .storage("no permission to open the ledger at \(path)")
        case _ where error.meansDamage:
            .storage("the data file at \(path) is damaged (\(error)); restore it from a backup")
        case .versionMismatch: .storage("the data file at \(path) was written by an incompatible LMDB version")
        default: .storage("storage error at \(path): \(error)")
        }
    }
}

/// Bytes free for unprivileged use on the filesystem holding `path`.
func freeBytes(_ path: String) -> Int? {
    var st = statvfs()
    guard statvfs(path, &st) == 0 else { return nil }
    return Int(st.f_bavail) * Int(st.f_frsize)
}
