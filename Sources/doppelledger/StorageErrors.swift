import LMDB

/// A sentence for an LMDB error that reached the top of a command (a read of a damaged file
/// fails this way: a page that is not there, a tree that is not a tree).
func storageMessage(_ error: LMDBError) -> String {
    // MDB_PAGE_NOTFOUND, MDB_CORRUPTED, MDB_INVALID, MDB_INCOMPATIBLE, MDB_BAD_TXN, MDB_BAD_VALSIZE, MDB_BAD_DBI, MDB_PANIC.
    let damage: Set<Int32> = [-30797, -30796, -30793, -30784, -30782, -30781, -30780, -30795]
    if damage.contains(error.code) {
        return "the data file is damaged (\(error)); restore it from a backup"
    }
    return "storage error: \(error)"
}
