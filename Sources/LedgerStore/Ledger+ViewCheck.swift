import Foundation
public import LedgerCore
import LMDB

extension Ledger {
    /// Recomputes the rules' state and the views from the log alone, in a scratch environment
    /// beside the system's temporary files, and compares them entry by entry with the stored
    /// ones. Returns what differs, in words, or `nil` when they are identical.
    ///
    /// `verify` proves the log; this proves that the views answer what the log says. It costs
    /// about as much as a `rebuild`, which is also the remedy when it finds a difference.
    public func checkViews(batchSize: Int = 10_000) throws -> String? {
        let scratchPath = FileManager.default.temporaryDirectory.appendingPathComponent("doppelledger-views-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: scratchPath, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: scratchPath) }
        var options = Environment.Options()
        options.noSync = true
        options.mapSizeBytes = max(env.info.usedBytes * 2, 1 << 24)
        let scratch = try Environment(path: scratchPath, options: options)
        let scratchState = try scratch.openDatabase("state")

        // One read transaction for everything: appends by other processes meanwhile are not seen.
        return try env.read { txn -> String? in
            if try txn.get(meta, "rebuilding".lmdbKey) != nil {
                return "the views are being rebuilt (or a rebuild was interrupted); run 'doppelledger rebuild \(directory)'"
            }
            let total = try head(txn).seq
            var next: UInt64 = 1
            while next <= total {
                let upTo = min(total, next + UInt64(batchSize) - 1)
                let records: [Record] = try (next...upTo).map { seq in
                    guard let value = try txn.get(log, BigEndianKey(seq)) else {
                        throw LedgerError.storage("record \(seq) is missing; run 'doppelledger verify'")
                    }
                    return try StoredRecord.decode(value)
                }
                try scratch.write { scratchTxn in
                    let access = LMDBState(txn: scratchTxn, db: scratchState)
                    for record in records {
                        let event = try DomainEvent(type: record.type, data: record.data)
                        try policy.apply(record, Admission(stream: record.stream, event: event), on: context, state: access)
                    }
                    try policy.finish(on: context, state: access)
                }
                next = upTo + 1
            }
            // Both states in key order, side by side.
            return try scratch.read { scratchTxn in
                try txn.withCursor(state) { stored in
                    try scratchTxn.withCursor(scratchState) { rebuilt in
                        var a = try stored.first(), b = try rebuilt.first()
                        var compared = 0
                        while true {
                            switch (a, b) {
                            case (nil, nil):
                                return nil
                            case (let (k, _)?, nil):
                                return "the stored views hold an entry the log does not give (\(Self.describe(k))); run 'doppelledger rebuild'"
                            case (nil, let (k, _)?):
                                return "the stored views lack an entry the log gives (\(Self.describe(k))); run 'doppelledger rebuild'"
                            case (let (ka, va)?, let (kb, vb)?):
                                if !ka.elementsEqual(kb) {
                                    let first = ka.lexicographicallyPrecedes(kb) ? ka : kb
                                    return "the stored views and the log disagree at entry \(compared + 1) (\(Self.describe(first))); run 'doppelledger rebuild'"
                                }
                                if !va.elementsEqual(vb) {
                                    return "the stored view entry \(Self.describe(ka)) differs from what the log gives; run 'doppelledger rebuild'"
                                }
                            }
                            compared += 1
                            a = try stored.next()
                            b = try rebuilt.next()
                        }
                    }
                }
            }
        }
    }

    /// A state key in printable form (its parts are ids and numbers, separated by zero bytes).
    static func describe(_ key: UnsafeRawBufferPointer) -> String {
        String(decoding: key.prefix(80).map { $0 == 0 ? 0x2F : ($0 < 0x20 || $0 > 0x7E ? 0x3F : $0) }, as: UTF8.self)
    }
}
