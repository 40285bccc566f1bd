/// Where one side's records come from: a ledger folder, an export file, a peer, or (in tests) an
/// array. The reconciler reads a source more than once (see ``Reconciler``), so a source must be
/// re-readable and must give the same records, in `seq` order, each time.
public protocol RecordSource {
    /// Visits the records in `seq` order.
    ///
    /// `types` is a hint for speed: when it is given, the source may leave out records of other
    /// types (it need not; the reader filters again). Records of the listed types must all come.
    func forEachRecord(types: Set<String>?, _ body: (Record) throws -> Void) throws
}

/// Records held in memory: for tests, and for records already fetched from a peer.
public struct RecordArray: RecordSource {
    public var records: [Record]

    public init(_ records: [Record]) { self.records = records }

    public func forEachRecord(types: Set<String>?, _ body: (Record) throws -> Void) throws {
        for record in records { try body(record) }
    }
}
