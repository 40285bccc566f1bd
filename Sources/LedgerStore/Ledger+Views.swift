public import LedgerCore
import LMDB
import Dispatch

extension Ledger {
    /// The budget view of a Sozialraum and year (through `quarter`), as of `asOf` (nil: now).
    ///
    /// A query reads about a hundred counters (two seeks each), on pages spread over the file.
    /// Every 16th query looks at how much of the file the process holds mapped, and when it has
    /// grown by more than 256 MiB since the last look, hands the map's pages back (they stay in
    /// the page cache): a node answering queries all day does not keep ever more of the file
    /// mapped, and the queries between pay nothing for it.
    public func budget(sozialraum: Sozialraum, year: Int, quarter: Int?, asOf: Timestamp?) throws -> BudgetView {
        try env.read { txn in
            try requireViewsReady(txn)
            let seq = try asOf.map { try lastSeq(asOf: $0, txn: txn) } ?? head(txn).seq
            let state = LMDBState(txn: txn, db: state)
            let view = try BudgetView.compute(sozialraum: sozialraum, year: year, quarter: quarter, asOf: asOf,
                                              today: Timestamp.now().date,
                                              reader: ViewReader(state: state, seq: seq),
                                              seqAsOf: { try lastSeq(asOf: $0, txn: txn) })
            if scatteredReads.next() % 16 == 0, let resident = residentFileBytes(), scatteredReads.grew(to: resident, by: 256 << 20) {
                // On another thread, so that this query does not wait for it; inside a read
                // transaction of its own, during which LMDB does not move the map (it may be
                // re-created larger between transactions), with a pointer taken in it.
                scatteredReads.setMark(Int.max)
                DispatchQueue.global(qos: .utility).async { [self] in
                    try? env.read { txn in
                        if let any = try txn.get(log, BigEndianKey(1)), let p = any.baseAddress { env.releaseResidentPages(of: p) }
                    }
                    scatteredReads.setMark(residentFileBytes() ?? 0)
                }
            }
            return view
        }
    }

    /// The Kontrakte as the ledger knows them now (from the rules' state), or as of a past
    /// moment (by replaying the log up to it in memory).
    public func kontrakte(asOf: Timestamp? = nil) throws -> [KontraktState] {
        if asOf == nil {
            return try readState { state in try KontraktState.all(state) }
        }
        let replay = MemoryState()
        let rules = DomainPolicy()
        try scan(asOf: asOf) { _, value in
            let record = try StoredRecord.decode(value)
            let event = try DomainEvent(type: record.type, data: record.data)
            try rules.apply(record, Admission(stream: record.stream, event: event), on: context, state: replay)
            return true
        }
        return try KontraktState.all(replay)
    }

    /// Rebuilds the rules' state and the views from the log alone, in batches, with flat memory.
    ///
    /// While it runs, appends and view queries are refused; if it is interrupted, they stay
    /// refused until `rebuild` completes. The result is byte-identical to incremental maintenance.
    public func rebuildViews(batchSize: Int = 10_000, progress: ((UInt64, UInt64) -> Void)? = nil) throws {
        let total = try head().seq
        try env.write { txn in
            try txn.put(meta, "rebuilding".lmdbKey, [1])
            try txn.clear(state)
        }
        // Emptying the state reads every leaf page of it (to free overflow pages): hand those
        // pages back at once, and after each batch the pages it read, so that memory does not
        // grow with the log (they stay in the page cache). See docs/PERFORMANCE.md.
        try env.read { txn in releaseMap(txn) }
        var next: UInt64 = 1
        while next <= total {
            let upTo = min(total, next + UInt64(batchSize) - 1)
            try env.write { txn in
                let stateAccess = LMDBState(txn: txn, db: state)
                var seq = next
                while seq <= upTo {
                    guard let value = try txn.get(log, BigEndianKey(seq)) else {
                        throw LedgerError.storage("record \(seq) is missing; run 'doppelledger verify'")
                    }
                    let record = try StoredRecord.decode(value)
                    let event = try DomainEvent(type: record.type, data: record.data)
                    try policy.apply(record, Admission(stream: record.stream, event: event), on: context, state: stateAccess)
                    seq += 1
                }
                try policy.finish(on: context, state: stateAccess)
                releaseMap(txn)
            }
            progress?(upTo, total)
            next = upTo + 1
        }
        // Records appended by another process meanwhile are refused by the flag, so the log ends at `total`.
        try env.write { txn in _ = try txn.delete(meta, "rebuilding".lmdbKey) }
    }

    /// Hands the map's resident pages back to the kernel (a pointer from a read in `txn` shows
    /// which mapping is the map).
    private func releaseMap(_ txn: Transaction) {
        if let first = try? txn.get(log, BigEndianKey(1)), let p = first.baseAddress { env.releaseResidentPages(of: p) }
    }

    /// Every entry of the rules' and views' state, in key order (to compare two ledgers' views).
    public func stateEntries() throws -> [([UInt8], [UInt8])] {
        try readState { state in
            var out: [([UInt8], [UInt8])] = []
            try state.scan(prefix: []) { k, v in out.append((k, v)); return true }
            return out
        }
    }

    func requireViewsReady(_ txn: Transaction) throws {
        if try txn.get(meta, "rebuilding".lmdbKey) != nil {
            throw LedgerError.storage("the views of \(directory) are being rebuilt (or a rebuild was interrupted); run 'doppelledger rebuild \(directory)' to finish it")
        }
    }
}

extension KontraktState {
    /// Every Kontrakt in the state, by id.
    public static func all(_ state: any StateAccess) throws -> [KontraktState] {
        var out: [KontraktState] = []
        let prefix = stateKey("k", "")
        try state.scan(prefix: prefix) { k, v in
            out.append(KontraktState(kontrakt: String(decoding: k[prefix.count...], as: UTF8.self), v))
            return true
        }
        return out
    }
}

extension KontraktState {
    /// The Kontrakt as JSON (minutes as `…Minutes`, dates as `YYYY-MM-DD`): CLI and HTTP.
    public var json: JSON {
        var o = JSONObject([
            ("kontrakt", .string(kontrakt)), ("fall", .string(fall)), ("sozialraum", .string(sozialraum.rawValue)),
            ("traeger", .string(traeger)), ("hilfeart", .string(hilfeart.rawValue)), ("funding", .string(funding.rawValue)),
            ("grantedMinutes", .int(grantedMinutes)), ("bookedMinutes", .int(bookedMinutes)),
            ("validFrom", .string(validFrom.description)), ("validTo", .string(validTo.description)),
        ])
        if let endedOn { o["endedOn"] = .string(endedOn.description) }
        return .object(o)
    }
}

