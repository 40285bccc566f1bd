/// The money of the quarter as each side's records value it, per Sozialraum and pot, side by side.
///
/// Each side's compared stream is replayed through the same rules and projector a ledger uses
/// (agreements give the Fachleistungsstunde, Kontrakte the pot), in memory. Bookings and payments
/// dated outside the quarter are left out (they cannot change the quarter's counters), so the
/// state held is that of the stream's Kontrakte, agreements and the quarter's bookings: bounded
/// by the Träger's case load, not by the log's length.
public enum ReconciliationTotals {
    static let types: Set<String> = [
        EventType.agreementSigned.rawValue, EventType.kontraktSigned.rawValue, EventType.kontraktAmended.rawValue,
        EventType.kontraktEnded.rawValue, EventType.hoursBooked.rawValue, EventType.preventionBooked.rawValue,
        EventType.paymentBooked.rawValue, EventType.bookingReversed.rawValue,
    ]

    /// `{"rows": [{sozialraum, funding, jugendamtCents, traegerCents, differenceCents}]}` for the
    /// quarter, rows where either side has consumption.
    public static func compute(_ jugendamt: any RecordSource, _ traeger: any RecordSource, period: ReconciliationPeriod) throws -> JSON {
        let j = try consumption(jugendamt, period: period)
        let t = try consumption(traeger, period: period)
        var rows: [JSON] = []
        for sz in Sozialraum.allCases {
            for funding in Funding.allCases {
                let key = Counter.quarter(sz, period.year, period.quarter, "cons/\(funding.rawValue)")
                let a = j[key] ?? 0, b = t[key] ?? 0
                if a == 0 && b == 0 { continue }
                rows.append(["sozialraum": .string(sz.rawValue), "funding": .string(funding.rawValue),
                             "jugendamtCents": .int(a), "traegerCents": .int(b), "differenceCents": .int(a - b)])
            }
        }
        return ["rows": .array(rows)]
    }

    /// Replays one side's records (up to the period's as-of) and reads the quarter's counters.
    ///
    /// Only the counters' final values are read, not their history, so every record is replayed
    /// with one `recordedAt`: the projector then keeps one pending change per counter instead of
    /// one per record (which, with a whole stream in one replay, grew without bound).
    static func consumption(_ source: any RecordSource, period: ReconciliationPeriod) throws -> [String: Int64] {
        let state = ReplayState()
        let rules = DomainPolicy(views: Projector())
        // The context is not consulted when applying; the name only labels the replay.
        let context = LedgerContext(name: LedgerName(side: .jugendamt, org: "replay"), jugendamt: nil)
        let replayedAt = Timestamp(seconds: 0)
        try source.forEachRecord(types: types) { record in
            guard types.contains(record.type) else { return }
            if let asOf = period.asOf, record.recordedAt > asOf { return }
            guard let event = try? DomainEvent(type: record.type, data: record.data) else { return }
            switch event {
            case .hoursBooked(let h) where !period.contains(h.date): return
            case .preventionBooked(let p) where !period.contains(p.date): return
            case .paymentBooked(let p) where !period.contains(p.date): return
            default: break
            }
            var record = record
            record.recordedAt = replayedAt
            try rules.apply(record, Admission(stream: record.stream, event: event), on: context, state: state)
        }
        try rules.finish(on: context, state: state)
        var out: [String: Int64] = [:]
        let reader = ViewReader(state: state, seq: UInt64.max)
        for sz in Sozialraum.allCases {
            for funding in Funding.allCases {
                let key = Counter.quarter(sz, period.year, period.quarter, "cons/\(funding.rawValue)")
                out[key] = try reader.value(key)
            }
        }
        return out
    }
}
