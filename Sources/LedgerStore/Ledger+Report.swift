public import LedgerCore
import LMDB

extension Ledger {
    /// The quarterly report for the steering bodies, as of `asOf` (nil: now). See docs/REPORT.md.
    public func quarterlyReport(year: Int, quarter: Int, asOf: Timestamp? = nil) throws -> QuarterlyReport {
        QuarterlyReport(try reportFacts(year: year, quarter: quarter, asOf: asOf))
    }

    /// Gathers what the report needs at one moment: the budget views through each quarter of the
    /// year so far (one read transaction), then one pass over the log up to the same record for
    /// Kontrakt extents, agreements in force and recorded reconciliations. Ids stay here.
    public func reportFacts(year: Int, quarter: Int, asOf: Timestamp?) throws -> ReportFacts {
        precondition((1...4).contains(quarter), "quarter must be 1...4")
        let today = Timestamp.now().date
        let (seq, hash, recordedAt, views) = try env.read { txn -> (UInt64, Digest32, Timestamp?, [Sozialraum: [BudgetView]]) in
            try requireViewsReady(txn)
            let seq = try asOf.map { try lastSeq(asOf: $0, txn: txn) } ?? head(txn).seq
            let stateAccess = LMDBState(txn: txn, db: state)
            var views: [Sozialraum: [BudgetView]] = [:]
            for sz in Sozialraum.allCases {
                var list: [BudgetView] = []
                for q in 1...quarter {
                    list.append(try BudgetView.compute(sozialraum: sz, year: year, quarter: q, asOf: asOf, today: today,
                                                       reader: ViewReader(state: stateAccess, seq: seq),
                                                       seqAsOf: { try lastSeq(asOf: $0, txn: txn) }))
                }
                views[sz] = list
            }
            guard seq > 0, let value = try txn.get(log, BigEndianKey(seq)) else { return (seq, Digest32.zero, nil, views) }
            return (seq, StoredRecord.hash(value), StoredRecord.recordedAt(value), views)
        }

        let start = CalendarDate.quarterStart(year: year, quarter: quarter)
        let end = CalendarDate.quarterEnd(year: year, quarter: quarter)
        var kontrakte: [String: ReportFacts.KontraktSpan] = [:]
        var order: [String] = []
        var traeger: Set<String> = []
        var reconciliations: [ReportFacts.Reconciliation] = []
        try scan { s, value in
            guard s <= seq else { return false }
            guard Self.mayConcernReport(StoredRecord.json(value)) else { return true }
            let record = try StoredRecord.decode(value)
            guard let event = try? DomainEvent(type: record.type, data: record.data) else { return true }
            switch event {
            case .agreementSigned(let a):
                if a.validFrom <= end, a.validTo >= start { traeger.insert(a.traeger) }
            case .kontraktSigned(let k):
                if kontrakte[k.kontrakt] == nil { order.append(k.kontrakt) }
                kontrakte[k.kontrakt] = ReportFacts.KontraktSpan(sozialraum: k.sozialraum, traeger: k.traeger, validFrom: k.validFrom,
                                                                 lastDay: k.validTo, hilfeart: [(k.validFrom, k.hilfeart)])
            case .kontraktAmended(let a):
                guard var k = kontrakte[a.kontrakt] else { break }
                if let validTo = a.validTo { k.lastDay = validTo }
                if let h = a.hilfeart {
                    k.hilfeart.append((a.effectiveFrom, h))
                    k.hilfeart.sort { $0.from < $1.from }
                }
                kontrakte[a.kontrakt] = k
            case .kontraktEnded(let e):
                guard var k = kontrakte[e.kontrakt] else { break }
                k.lastDay = min(k.lastDay, e.endedOn)
                kontrakte[e.kontrakt] = k
            case .reconciliationRecorded(let r) where r.year == year && r.quarter == quarter:
                reconciliations.append(ReportFacts.Reconciliation(
                    counterparty: r.counterparty, recordedAt: record.recordedAt, findings: r.findings,
                    ownHeadSeq: r.ownHead.seq, counterpartyHeadSeq: r.counterpartyHead.seq, reportHash: r.reportHash))
            default:
                break
            }
            return true
        }
        var counterparties: [String]
        if name.side == .jugendamt {
            counterparties = traeger.map { "traeger:\($0)" }
        } else {
            counterparties = context.jugendamt.map { ["jugendamt:\($0)"] } ?? []
        }
        counterparties.sort()
        return ReportFacts(ledger: name, year: year, quarter: quarter, asOf: asOf, headSeq: seq, headHash: hash,
                           headRecordedAt: recordedAt, views: views, kontrakte: order.map { kontrakte[$0]! },
                           counterparties: counterparties, reconciliations: reconciliations)
    }

    /// Whether a stored record's JSON may be one the report reads (so bookings, the bulk of a
    /// ledger, are not parsed). `type` is the last member in canonical order, so its value sits at
    /// the end; anything unexpected is parsed to be safe.
    static func mayConcernReport(_ json: UnsafeRawBufferPointer) -> Bool {
        let tail = Array(json.suffix(40))
        guard let typeAt = tail.lastIndex(of: UInt8(ascii: ":")), typeAt >= 6,
              Array(tail[(typeAt - 6)..<typeAt]) == Array("\"type\"".utf8) else { return true }
        let type = tail[(typeAt + 1)...]
        for wanted in ["\"AgreementSigned\"", "\"KontraktSigned\"", "\"KontraktAmended\"", "\"KontraktEnded\"", "\"ReconciliationRecorded\""]
            where type.starts(with: Array(wanted.utf8)) {
            return true
        }
        return false
    }
}
