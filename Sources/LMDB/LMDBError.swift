internal import CLMDB

/// An error returned by the LMDB C library, as a typed Swift value that `catch` can match.
///
/// Every C call goes through ``check(_:)``, which turns a non-zero return code into this error.
public struct LMDBError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The raw return code (an LMDB `MDB_*` code or a POSIX `errno`).
    public let code: Int32

    public init(code: Int32) { self.code = code }

    /// The key/data pair already exists. The corresponding C error is `MDB_KEYEXIST`.
    public static let keyExists = LMDBError(code: MDB_KEYEXIST)
    /// The key/data pair was not found. The corresponding C error is `MDB_NOTFOUND`.
    public static let notFound = LMDBError(code: MDB_NOTFOUND)
    /// The environment's map is full. The corresponding C error is `MDB_MAP_FULL`.
    public static let mapFull = LMDBError(code: MDB_MAP_FULL)
    /// Another process grew the map. The corresponding C error is `MDB_MAP_RESIZED`.
    public static let mapResized = LMDBError(code: MDB_MAP_RESIZED)
    /// The file is not an LMDB data file. The corresponding C error is `MDB_INVALID`.
    public static let invalid = LMDBError(code: MDB_INVALID)
    /// The data file is corrupted. The corresponding C error is `MDB_CORRUPTED`.
    public static let corrupted = LMDBError(code: MDB_CORRUPTED)
    /// The environment's version does not match the library. The corresponding C error is `MDB_VERSION_MISMATCH`.
    public static let versionMismatch = LMDBError(code: MDB_VERSION_MISMATCH)
    /// Too many named databases. The corresponding C error is `MDB_DBS_FULL`.
    public static let databasesFull = LMDBError(code: MDB_DBS_FULL)
    /// The transaction has too many dirty pages. The corresponding C error is `MDB_TXN_FULL`.
    public static let transactionFull = LMDBError(code: MDB_TXN_FULL)
    /// The disk is full. The corresponding C error is `ENOSPC`.
    public static let noSpace = LMDBError(code: 28)
    /// Permission denied. The corresponding C error is `EACCES`.
    public static let accessDenied = LMDBError(code: 13)
    /// No such file or directory. The corresponding C error is `ENOENT`.
    public static let noSuchFile = LMDBError(code: 2)

    /// Whether the error means the data file is damaged: a page not found or of the wrong kind,
    /// a tree deeper than possible, a database record that does not fit.
    public var meansDamage: Bool {
        [MDB_PAGE_NOTFOUND, MDB_CORRUPTED, MDB_PANIC, MDB_INVALID, MDB_CURSOR_FULL, MDB_PAGE_FULL,
         MDB_INCOMPATIBLE, MDB_BAD_TXN, MDB_BAD_VALSIZE, MDB_BAD_DBI].contains(code)
    }

    /// The library's own description of the code.
    public var description: String {
        guard let text = mdb_strerror(code) else { return "LMDB error \(code)" }
        return String(cString: text)
    }
}

/// Turns an LMDB return code into a thrown ``LMDBError``.
@inline(__always)
func check(_ code: Int32) throws(LMDBError) {
    if code != 0 { throw LMDBError(code: code) }
}
