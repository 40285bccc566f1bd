import LedgerCore

/// A ledger in memory: every event passes the real ``DomainPolicy`` and gets a real chained
/// record, so the reconciler sees exactly what a ledger would hand it.
final class MemoryLedger {
    let context: LedgerContext
    let policy = DomainPolicy()
    let state = MemoryState()
    private(set) var records: [Record] = []
    private var streamHeads: [String: (seq: UInt64, hash: Digest32)] = [:]
    /// The next record's recordedAt (advances a minute per record unless a time is given).
    var clock: Timestamp

    init(side: Side, org: String, jugendamt: String? = nil, start: Timestamp) {
        context = LedgerContext(name: LedgerName(side: side, org: org), jugendamt: jugendamt)
        clock = start
    }

    var name: LedgerName { context.name }

    @discardableResult
    func append(_ type: String, _ data: JSON, key: String? = nil, at: Timestamp? = nil) throws -> Record {
        let event = NewEvent(type: type, key: key ?? "e-\(records.count + 1)", data: data.object!)
        let admission = try policy.admit(event, on: context, state: state)
        let recordedAt = max(at ?? clock, records.last?.recordedAt ?? clock)
        clock = Timestamp(seconds: recordedAt.seconds + 60)
        let streamHead = streamHeads[admission.stream] ?? (0, .zero)
        var record = Record(seq: UInt64(records.count + 1), recordedAt: recordedAt, ledger: name.description,
                            stream: admission.stream, streamSeq: streamHead.seq + 1, type: type, key: event.key,
                            actor: nil, data: event.data, prev: records.last?.hash ?? .zero, streamPrev: streamHead.hash)
        record.hash = record.computeHash()
        try policy.apply(record, admission, on: context, state: state)
        streamHeads[admission.stream] = (record.streamSeq, record.hash)
        records.append(record)
        return record
    }
}

func ts(_ text: String) -> Timestamp { Timestamp(rfc3339: text)! }

/// Two ledgers, the Jugendamt trier-saarburg and the Träger caritas, with helpers that record
/// the same event on one side or both. The Jugendamt's ASD signer `asd-07` is authorised first.
final class ReconcileScenario {
    enum Where { case both, jugendamt, traeger }

    let jugendamt = MemoryLedger(side: .jugendamt, org: "trier-saarburg", start: ts("2025-01-02T08:00:00Z"))
    let traeger = MemoryLedger(side: .traeger, org: "caritas", jugendamt: "trier-saarburg", start: ts("2025-01-02T08:00:00Z"))

    init() {
        try! jugendamt.append("SignerAuthorized", ["signer": "asd-07", "from": "2020-01-01"])
        try! jugendamt.append("SignerAuthorized", ["signer": "asd-09", "from": "2020-01-01"])
    }

    func ledgers(_ w: Where) -> [MemoryLedger] {
        switch w {
        case .both: [jugendamt, traeger]
        case .jugendamt: [jugendamt]
        case .traeger: [traeger]
        }
    }

    func record(_ w: Where, _ type: String, _ data: JSON, at: Timestamp? = nil) throws {
        for ledger in ledgers(w) { try ledger.append(type, data, at: at) }
    }

    static func kontraktData(_ id: String, fall: String? = nil, sozialraum: String = "konz", hilfeart: String = "31",
                             funding: String = "personalisiert", granted: Int64 = 6000, from: String = "2025-04-01",
                             to: String = "2025-12-31", signedBy: String = "asd-07") -> JSON {
        ["kontrakt": .string(id), "fall": .string(fall ?? "f-\(id)"), "sozialraum": .string(sozialraum), "traeger": "caritas",
         "hilfeart": .string(hilfeart), "funding": .string(funding), "grantedMinutes": .int(granted),
         "validFrom": .string(from), "validTo": .string(to), "signedBy": .string(signedBy)]
    }

    func kontrakt(_ id: String, on w: Where = .both, granted: Int64 = 6000, from: String = "2025-04-01", to: String = "2025-12-31") throws {
        try record(w, "KontraktSigned", Self.kontraktData(id, granted: granted, from: from, to: to))
    }

    func hours(_ booking: String, _ kontrakt: String, _ date: String, _ minutes: Int64, on w: Where = .both,
               staff: String? = nil, at: Timestamp? = nil) throws {
        var data: JSON = ["booking": .string(booking), "kontrakt": .string(kontrakt), "date": .string(date), "minutes": .int(minutes)]
        if let staff { data = .object(data.object!.with("staff", .string(staff))) }
        try record(w, "HoursBooked", data, at: at)
    }

    func prevention(_ booking: String, _ date: String, _ minutes: Int64, category: String = "praevention", on w: Where = .both) throws {
        try record(w, "PreventionBooked", ["booking": .string(booking), "traeger": "caritas", "sozialraum": "konz",
                                          "date": .string(date), "minutes": .int(minutes), "category": .string(category)])
    }

    func payment(_ payment: String, _ date: String, _ cents: Int64, kontrakt: String? = nil, on w: Where = .both) throws {
        var data: JSON = ["payment": .string(payment), "traeger": "caritas", "sozialraum": "konz", "payee": "caritas",
                          "funding": "variabel", "amountCents": .int(cents), "date": .string(date)]
        if let kontrakt { data = .object(data.object!.with("kontrakt", .string(kontrakt))) }
        try record(w, "PaymentBooked", data)
    }

    func reverse(_ id: String, on w: Where = .both) throws {
        try record(w, "BookingReversed", ["booking": .string(id), "reason": "storno"])
    }

    func reconcile(year: Int = 2025, quarter: Int = 2, asOf: Timestamp? = nil) throws -> Reconciliation {
        try Reconciler.reconcile(jugendamt: jugendamt.name, RecordArray(jugendamt.records),
                                 traeger: traeger.name, RecordArray(traeger.records),
                                 period: try ReconciliationPeriod(year: year, quarter: quarter, asOf: asOf))
    }
}

extension JSONObject {
    func with(_ key: String, _ value: JSON) -> JSONObject {
        var copy = self
        copy[key] = value
        return copy
    }
}

extension Reconciliation {
    /// The findings as JSON, for exact comparisons.
    var findingsJSON: [JSON] { findings.map(\.json) }
}
