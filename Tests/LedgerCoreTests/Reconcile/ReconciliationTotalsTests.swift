import Testing
@testable import LedgerCore

/// The totals leave out bookings dated outside the quarter and replay with one `recordedAt`;
/// they must equal a plain replay of every record, one transaction each, as a ledger's views see it.
@Suite struct ReconciliationTotalsTests {
    /// The quarter's consumption counters after replaying every record through the rules and the
    /// projector into ``MemoryState``, flushing after each record.
    func plainReplay(_ records: [Record], period: ReconciliationPeriod) throws -> [String: Int64] {
        let state = MemoryState(), rules = DomainPolicy(views: Projector())
        let context = LedgerContext(name: LedgerName(side: .jugendamt, org: "replay"), jugendamt: nil)
        for record in records {
            let event = try DomainEvent(type: record.type, data: record.data)
            try rules.apply(record, Admission(stream: record.stream, event: event), on: context, state: state)
            try rules.finish(on: context, state: state)
        }
        var out: [String: Int64] = [:]
        let reader = ViewReader(state: state, seq: .max)
        for sz in Sozialraum.allCases {
            for funding in Funding.allCases {
                let key = Counter.quarter(sz, period.year, period.quarter, "cons/\(funding.rawValue)")
                out[key] = try reader.value(key)
            }
        }
        return out
    }

    @Test func totalsEqualAPlainReplayOfEveryRecord() throws {
        var rng = SystemRandomNumberGenerator()
        let s = ReconcileScenario()
        try s.record(.both, "AgreementSigned", ["agreement": "ag-1", "traeger": "caritas", "sozialraum": "konz",
                                                "validFrom": "2025-01-01", "validTo": "2025-12-31", "stellenfaktorCents": 7_243_000,
                                                "jahresarbeitszeitMinutes": 100_200, "planstellenHundredths": 350])
        let fundings = ["personalisiert", "variabel"]
        for k in 0..<4 {
            try s.record(.both, "KontraktSigned", ReconcileScenario.kontraktData("k-\(k)", funding: fundings[k % 2], granted: 600, from: "2025-01-01"))
        }
        let sides: [ReconcileScenario.Where] = [.both, .both, .both, .jugendamt, .traeger]
        var ids: [String] = []
        for i in 0..<120 {
            let date = CalendarDate(year: 2025, month: 1, day: 1)!.advanced(by: Int.random(in: 0..<270, using: &rng)).description
            let w = sides.randomElement(using: &rng)!
            switch Int.random(in: 0..<8, using: &rng) {
            case 0..<4: try s.hours("b-\(i)", "k-\(Int.random(in: 0..<4, using: &rng))", date, Int64.random(in: 1...240, using: &rng), on: w)
            case 4: try s.prevention("b-\(i)", date, Int64.random(in: 1...240, using: &rng), on: w)
            case 5: try s.payment("b-\(i)", date, Int64.random(in: 1...99_999, using: &rng), on: w)
            default:
                // Reverse an earlier booking or payment on the sides that have it and have not reversed it yet.
                guard let id = ids.randomElement(using: &rng) else { continue }
                ids.removeAll { $0 == id }
                for ledger in [s.jugendamt, s.traeger] {
                    let has = ledger.records.contains { $0.data["booking"]?.string == id || $0.data["payment"]?.string == id }
                    if has { try ledger.append("BookingReversed", ["booking": .string(id), "reason": "storno"]) }
                }
                continue
            }
            ids.append("b-\(i)")
        }
        let period = try ReconciliationPeriod(year: 2025, quarter: 2)
        let totals = try Reconciler.reconcile(jugendamt: s.jugendamt.name, RecordArray(s.jugendamt.records),
                                              traeger: s.traeger.name, RecordArray(s.traeger.records), period: period).totals
        let j = try plainReplay(s.jugendamt.records, period: period), t = try plainReplay(s.traeger.records, period: period)
        var expected: [JSON] = []
        for sz in Sozialraum.allCases {
            for funding in Funding.allCases {
                let key = Counter.quarter(sz, 2025, 2, "cons/\(funding.rawValue)")
                let a = j[key] ?? 0, b = t[key] ?? 0
                if a == 0 && b == 0 { continue }
                expected.append(["sozialraum": .string(sz.rawValue), "funding": .string(funding.rawValue),
                                 "jugendamtCents": .int(a), "traegerCents": .int(b), "differenceCents": .int(a - b)])
            }
        }
        #expect(!expected.isEmpty)
        #expect(totals == ["rows": .array(expected)])
    }
}
