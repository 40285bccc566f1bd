import LMDB
#if canImport(Glibc)
import Glibc
#endif

extension Ledger {
    /// What is wrong with the data file's header pages, in words; `nil` when nothing is.
    ///
    /// LMDB checks only the magic and version of its two meta pages. Damage elsewhere in them
    /// can send it to pages that do not exist, or (a lowered transaction id in the newest page)
    /// make it open the previous snapshot, silently losing the last commit. So before anything
    /// trusts the file: both meta pages must be consistent (see ``DataFile/problem()``), and the
    /// snapshot LMDB opens must hold at least as many records as the one before it (both read
    /// from the file directly, so a commit by another process meanwhile changes nothing).
    ///
    /// Another process may commit while this reads. A commit replaces the older meta page and
    /// may reuse pages of snapshots older than the two the meta pages name, so a problem counts
    /// only when the meta pages are the same after the check as before it; otherwise it is read
    /// again (damage stays, a commit race does not). When other processes commit so fast that
    /// no reading holds still (20 tries, with growing pauses), the file is not called damaged:
    /// its writers are evidently using it.
    static func dataFileProblem(_ directory: String) -> String? {
        for attempt in 0..<20 {
            guard let file = DataFile(path: directory + "/data.mdb") else { return "data.mdb cannot be read" }
            let problem = dataFileProblem(file)
            file.close()
            guard let problem else { return nil }
            guard let again = DataFile(path: directory + "/data.mdb") else { return "data.mdb cannot be read" }
            again.close()
            if again.metas == file.metas { return problem }
            if attempt >= 4 { usleep(useconds_t(1_000 * attempt)) }
        }
        return nil
    }

    private static func dataFileProblem(_ file: DataFile) -> String? {
        if let problem = file.problem() { return problem }
        guard let newest = file.newest, let previous = file.previous, newest.txnid != previous.txnid,
              let before = file.lookup(in: previous, database: "meta", key: Array("head".utf8)), before.count == 48 else {
            return nil
        }
        func seq(_ raw: [UInt8]) -> UInt64 { raw[0..<8].reversed().reduce(0) { $0 << 8 | UInt64($1) } }
        let now = file.lookup(in: newest, database: "meta", key: Array("head".utf8))
        guard let now, now.count == 48 else {
            return "the newest snapshot has no readable head, the one before it ends at seq \(seq(before))"
        }
        if seq(before) > seq(now) {
            return "the newest meta page shows the ledger at seq \(seq(now)), the snapshot before it at seq \(seq(before)): a header page is damaged"
        }
        return nil
    }
}
