/// The money of the quarter as each side's records value it, per Sozialraum and pot, side by side.
///
/// Each side's compared stream is replayed through the same rules and projector a ledger uses
/// (agreements give the Fachleistungsstunde, Kontrakte the pot), in memory. Bookings and payments
/// dated outside the quarter are left out (they cannot change the quarter's counters), so the
/// state held is that of the stream's Kontrakte, agreements and the quarter's bookings: bounded
/// by the Träger's case load, not by the log's length.
public enum ReconciliationTotals {
    /// `{"rows": [{sozialraum, funding, jugendamtCents, traegerCents, differenceCents}]}` for the
    /// quarter from both sides' consumption counters, rows where either side has consumption.
    static func rows(_ j: [String: Int64], _ t: [String: Int64], period: ReconciliationPeriod) -> JSON {
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

    /// One side's records replayed (up to the period's as-of) to read the quarter's counters:
    /// fed by the reconciler's collecting pass, so each record is decoded once for both.
    ///
    /// Only the counters' final values are read, not their history, so every record is replayed
    /// with one `recordedAt`: the projector then keeps one pending change per counter instead of
    /// one per record (which, with a whole stream in one replay, grew without bound).
    final class Replay {
        let period: ReconciliationPeriod
        private let state = ReplayState()
        private let rules = DomainPolicy(views: Projector())
        // The context is not consulted when applying; the name only labels the replay.
        private let context = LedgerContext(name: LedgerName(side: .jugendamt, org: "replay"), jugendamt: nil)
        private static let replayedAt = Timestamp(seconds: 0)

        init(period: ReconciliationPeriod) { self.period = period }

        /// Replays `record` (whose event is `event`) when it can change the quarter's counters:
        /// agreements, Kontrakte, reversals, and bookings and payments dated in the quarter.
        func add(_ record: RecordView, _ event: DomainEvent) throws {
            switch event {
            case .agreementSigned, .kontraktSigned, .kontraktAmended, .kontraktEnded, .bookingReversed: break
            case .hoursBooked(let h): guard period.contains(h.date) else { return }
            case .preventionBooked(let p): guard period.contains(p.date) else { return }
            case .paymentBooked(let p): guard period.contains(p.date) else { return }
            default: return
            }
            // The rules and the projector read the event (handed over) and the seq and time.
            let replayed = Record(seq: record.seq, recordedAt: Self.replayedAt, ledger: "", stream: record.stream, streamSeq: 0,
                                  type: event.type.rawValue, key: "", actor: nil, data: JSONObject(), prev: .zero, streamPrev: .zero)
            try rules.apply(replayed, Admission(stream: replayed.stream, event: event), on: context, state: state)
        }

        /// The quarter's consumption counters per Sozialraum and pot.
        func consumption() throws -> [String: Int64] {
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
}
