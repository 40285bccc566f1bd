import Dispatch
public import LedgerCore
#if canImport(Glibc)
import Glibc
#endif

/// Stored records in batches, hashed by a second thread while the caller checks the batch before.
///
/// Verify spends most of its time in SHA-256; the chain checks must run in order, but hashing
/// need not. So the caller fills a batch from the cursor and hands it over, then checks the
/// previous batch, whose digests are ready by then. The values point into the LMDB map and stay
/// valid while the read transaction lasts: ``finish()`` must run before it ends.
final class HashAhead: @unchecked Sendable {
    final class Batch: @unchecked Sendable {
        var keys: [UnsafeRawBufferPointer] = []
        var values: [UnsafeRawBufferPointer] = []
        var digests: [Digest32] = []
        fileprivate let hashed = DispatchSemaphore(value: 0)
        fileprivate var pending = false

        var count: Int { values.count }

        func removeAll() {
            keys.removeAll(keepingCapacity: true)
            values.removeAll(keepingCapacity: true)
        }

        /// Digests of every well-formed value's JSON (others get zeros; the checks refuse them first).
        fileprivate func hash() {
            var out = digests
            digests = []
            out.removeAll(keepingCapacity: true)
            for v in values {
                out.append(StoredRecord.isWellFormed(v) ? Digest32.sha256(StoredRecord.json(v)) : .zero)
            }
            digests = out
        }
    }

    private let queue: DispatchQueue?
    private(set) var current = Batch()
    private(set) var next = Batch()

    /// With `threaded` false, batches are hashed on the caller's thread (one core, or tiny logs).
    init(threaded: Bool) {
        queue = threaded ? DispatchQueue(label: "doppelledger.verify.hash") : nil
    }

    /// Starts hashing `batch` (returns at once when threaded).
    func hash(_ batch: Batch) {
        guard let queue else { batch.hash(); return }
        batch.pending = true
        queue.async { batch.hash(); batch.hashed.signal() }
    }

    /// Waits until `batch`'s digests are there.
    func wait(_ batch: Batch) {
        guard batch.pending else { return }
        batch.hashed.wait()
        batch.pending = false
    }

    /// The next batch becomes the current one.
    func advance() { swap(&current, &next) }

    /// Waits for any hashing still running (call before the transaction ends).
    func finish() {
        wait(current)
        wait(next)
    }

    /// Whether a second thread is worth it here: another core, and on average one of them idle
    /// (on a busy machine the second thread only competes with the first; measured 20 % slower).
    static var hasIdleCore: Bool {
        let cores = Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))
        guard cores > 1 else { return false }
        var load = [Double](repeating: 0, count: 1)
        guard getloadavg(&load, 1) == 1 else { return true }
        return load[0] + 1 <= Double(cores)
    }
}
