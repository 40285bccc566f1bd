import LMDB

/// A sentence for an LMDB error that reached the top of a command (a read of a damaged file
/// fails this way: a page that is not there, a tree that is not a tree).
func storageMessage(_ error: LMDBError) -> String {
    if error.meansDamage {
        return "the data file is damaged (\(error)); restore it from a backup"
    }
    return "storage error: \(error)"
}
