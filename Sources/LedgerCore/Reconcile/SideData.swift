/// A Kontrakt as one side knows it on the quarter's last day (amendments effective by then
/// applied, an ending on or before it applied), in a compact form.
struct KontraktEntry: Equatable, Sendable {
    let kontrakt: String
    let fall: String
    let sozialraum: Sozialraum
    var hilfeart: Hilfeart
    var funding: Funding
    var grantedMinutes: Int64
    let validFrom: CalendarDate
    var validTo: CalendarDate
    let signedBy: String
    var endedOn: CalendarDate?
    var reason: EndReason?
    /// Minutes of `HoursBooked` not reversed, dated up to the quarter's last day: the consumption
    /// compared with `grantedMinutes` for `over-grant`.
    var bookedMinutes: Int64 = 0

    /// The last day the Kontrakt runs.
    var lastDay: CalendarDate { endedOn.map { min($0, validTo) } ?? validTo }

    /// Whether the Kontrakt runs on at least one day of the quarter.
    func overlaps(_ period: ReconciliationPeriod) -> Bool {
        validFrom <= period.last && lastDay >= period.first
    }

    /// A compared field's value (see ``ComparedField/kontrakt``).
    func value(_ field: String) -> JSON {
        switch field {
        case "fall": .string(fall)
        case "sozialraum": .string(sozialraum.rawValue)
        case "hilfeart": .string(hilfeart.rawValue)
        case "funding": .string(funding.rawValue)
        case "grantedMinutes": .int(grantedMinutes)
        case "validFrom": .string(validFrom.description)
        case "validTo": .string(validTo.description)
        case "signedBy": .string(signedBy)
        case "endedOn": endedOn.map { .string($0.description) } ?? .null
        case "reason": reason.map { .string($0.rawValue) } ?? .null
        default: .null
        }
    }

    /// All compared fields (ended ones only when ended), for a "missing" finding.
    var json: JSON {
        var o = JSONObject()
        for field in ComparedField.kontrakt {
            let v = value(field)
            if v != .null { o[field] = v }
        }
        return .object(o)
    }
}

/// A booking (`HoursBooked` or `PreventionBooked`), compact.
struct BookingEntry: Equatable, Sendable {
    enum Kind: Equatable, Sendable { case hours, prevention }
    let id: String
    let kind: Kind
    /// Hours: the Kontrakt.
    let kontrakt: String?
    /// Prevention: Sozialraum and category.
    let sozialraum: Sozialraum?
    let category: PreventionCategory?
    let date: CalendarDate
    let minutes: Int64
    let staff: String?

    var typeName: String { kind == .hours ? EventType.hoursBooked.rawValue : EventType.preventionBooked.rawValue }

    func value(_ field: String) -> JSON {
        switch field {
        case "type": .string(typeName)
        case "kontrakt": kontrakt.map(JSON.string) ?? .null
        case "sozialraum": sozialraum.map { .string($0.rawValue) } ?? .null
        case "category": category.map { .string($0.rawValue) } ?? .null
        case "date": .string(date.description)
        case "minutes": .int(minutes)
        case "staff": staff.map(JSON.string) ?? .null
        default: .null
        }
    }

    var json: JSON {
        var o = JSONObject()
        for field in ComparedField.booking {
            let v = value(field)
            if v != .null { o[field] = v }
        }
        return .object(o)
    }
}

/// A payment, compact.
struct PaymentEntry: Equatable, Sendable {
    let id: String
    let sozialraum: Sozialraum
    let payee: String
    let funding: Funding
    let amountCents: Int64
    let date: CalendarDate
    let kontrakt: String?

    func value(_ field: String) -> JSON {
        switch field {
        case "sozialraum": .string(sozialraum.rawValue)
        case "payee": .string(payee)
        case "funding": .string(funding.rawValue)
        case "amountCents": .int(amountCents)
        case "date": .string(date.description)
        case "kontrakt": kontrakt.map(JSON.string) ?? .null
        default: .null
        }
    }

    var json: JSON {
        var o = JSONObject()
        for field in ComparedField.payment {
            let v = value(field)
            if v != .null { o[field] = v }
        }
        return .object(o)
    }
}

/// What one side's compared stream holds for the quarter.
///
/// Held: every Kontrakt of the stream (one small entry each; Kontrakte are few next to bookings),
/// the bookings and payments dated in the quarter that are not reversed, and the few bookings and
/// payments the other side dates in the quarter (to tell a differing date from a missing record).
/// Bookings of other quarters, the bulk of a log, are read and dropped.
struct SideData: Sendable {
    var kontrakte: [String: KontraktEntry] = [:]
    var bookings: [String: BookingEntry] = [:]
    var payments: [String: PaymentEntry] = [:]
    /// The last compared record: the stream's last record known at as-of that is not a
    /// `ReconciliationRecorded` (seq 0 and 64 zeros when there is none).
    var head = HeadRef(seq: 0, hash: .zero)
    /// Records of the stream read (without `ReconciliationRecorded`).
    var records = 0

    func bookingIds(in period: ReconciliationPeriod) -> Set<String> {
        Set(bookings.values.lazy.filter { period.contains($0.date) }.map(\.id))
    }

    func paymentIds(in period: ReconciliationPeriod) -> Set<String> {
        Set(payments.values.lazy.filter { period.contains($0.date) }.map(\.id))
    }
}

/// Why a reconciliation could not run on its input.
public struct ReconcileError: Error, Equatable, CustomStringConvertible, Sendable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// Reads one side's stream in passes (see ``Reconciler``).
struct SideReader {
    let side: Side
    /// The compared stream: `traeger:<T>` on the Jugendamt's ledger, `jugendamt:<J>` on the Träger's.
    let stream: String
    let period: ReconciliationPeriod
    private let streamBytes: [UInt8]

    init(side: Side, stream: String, period: ReconciliationPeriod) {
        self.side = side
        self.stream = stream
        self.period = period
        streamBytes = Array(stream.utf8)
    }

    private struct Stop: Error {}

    static let reversalTypes: Set<String> = [EventType.bookingReversed.rawValue]
    static let fetchTypes: Set<String> = Set([EventType.hoursBooked, .preventionBooked, .paymentBooked].map(\.rawValue))

    /// Visits the stream's records known at as-of; stops at the first one recorded later.
    private func visit(_ source: any RecordSource, types: Set<String>?, _ body: (RecordView) throws -> Void) throws {
        do {
            try source.forEachRecord(types: types) { record in
                guard period.knows(record.recordedAt) else { throw Stop() }
                guard record.isStream(streamBytes) else { return }
                try body(record)
            }
        } catch is Stop {}
    }

    private func decode(_ record: RecordView) throws -> DomainEvent {
        do {
            return try record.event()
        } catch {
            let whose = side == .jugendamt ? "the Jugendamt's" : "the Träger's"
            throw ReconcileError("\(whose) record \(record.seq) (\(record.typeName)) is not a valid event: \(error.message)")
        }
    }

    /// Pass 1: the ids of reversed bookings and payments.
    func reversals(_ source: any RecordSource) throws -> Set<String> {
        var reversed = Set<String>()
        try visit(source, types: Self.reversalTypes) { record in
            guard record.type == .bookingReversed else { return }
            if case .bookingReversed(let r) = try decode(record) { reversed.insert(r.booking) }
        }
        return reversed
    }

    /// Pass 2: Kontrakte, consumption, the quarter's bookings and payments, and the head; each
    /// record's event is also handed to `totals` (decoded once for both).
    func collect(_ source: any RecordSource, reversed: Set<String>, totals: ReconciliationTotals.Replay? = nil) throws -> SideData {
        var data = SideData()
        var last: (seq: UInt64, hash: Digest32)?
        try visit(source, types: nil) { record in
            if record.type == .reconciliationRecorded { return }
            data.records += 1
            last = (record.seq, record.hash)
            let event: DomainEvent
            switch record.type {
            case .kontraktSigned, .kontraktAmended, .kontraktEnded, .hoursBooked, .preventionBooked, .paymentBooked:
                event = try decode(record)
            case .agreementSigned, .bookingReversed:
                // Only the totals read these (and, as before, pass over one that is not valid).
                guard let e = try? record.event() else { return }
                event = e
            default:
                return
            }
            try totals?.add(record, event)
            switch event {
            case .kontraktSigned(let k):
                data.kontrakte[k.kontrakt] = KontraktEntry(
                    kontrakt: k.kontrakt, fall: k.fall, sozialraum: k.sozialraum, hilfeart: k.hilfeart, funding: k.funding,
                    grantedMinutes: k.grantedMinutes, validFrom: k.validFrom, validTo: k.validTo, signedBy: k.signedBy)
            case .kontraktAmended(let a):
                guard a.effectiveFrom <= period.last, var k = data.kontrakte[a.kontrakt] else { return }
                if let h = a.hilfeart { k.hilfeart = h }
                if let f = a.funding { k.funding = f }
                if let g = a.grantedMinutes { k.grantedMinutes = g }
                if let t = a.validTo { k.validTo = t }
                data.kontrakte[a.kontrakt] = k
            case .kontraktEnded(let e):
                guard e.endedOn <= period.last, var k = data.kontrakte[e.kontrakt] else { return }
                k.endedOn = e.endedOn
                k.reason = e.reason
                data.kontrakte[e.kontrakt] = k
            // A later record with the same id (only an export from other software can hold one)
            // replaces the earlier, whatever its date: held when in the quarter, else dropped.
            case .hoursBooked(let h):
                guard !reversed.contains(h.booking) else { return }
                if h.date <= period.last { data.kontrakte[h.kontrakt]?.bookedMinutes += h.minutes }
                if period.contains(h.date) {
                    data.bookings[h.booking] = Self.entry(h)
                } else if !data.bookings.isEmpty, data.bookings[h.booking] != nil {
                    data.bookings[h.booking] = nil
                }
            case .preventionBooked(let p):
                guard !reversed.contains(p.booking) else { return }
                if period.contains(p.date) {
                    data.bookings[p.booking] = Self.entry(p)
                } else if !data.bookings.isEmpty, data.bookings[p.booking] != nil {
                    data.bookings[p.booking] = nil
                }
            case .paymentBooked(let p):
                guard !reversed.contains(p.payment) else { return }
                if period.contains(p.date) {
                    data.payments[p.payment] = Self.entry(p)
                } else if !data.payments.isEmpty, data.payments[p.payment] != nil {
                    data.payments[p.payment] = nil
                }
            default:
                break
            }
        }
        if let last { data.head = HeadRef(seq: last.seq, hash: last.hash) }
        return data
    }

    /// Pass 3 (only when needed): the bookings and payments with these ids, whatever their date.
    func fetch(_ source: any RecordSource, reversed: Set<String>, bookings: Set<String>, payments: Set<String>,
               into data: inout SideData) throws {
        try visit(source, types: Self.fetchTypes) { record in
            guard let type = record.type, Self.fetchTypes.contains(type.rawValue) else { return }
            // A booking's id is its data's first member: most are not wanted, and are passed
            // over without decoding (collect has decoded, and so checked, each of them).
            if type != .paymentBooked, let id = record.leadingString("booking"), !bookings.contains(id) { return }
            switch try decode(record) {
            case .hoursBooked(let h) where bookings.contains(h.booking) && !reversed.contains(h.booking):
                data.bookings[h.booking] = Self.entry(h)
            case .preventionBooked(let p) where bookings.contains(p.booking) && !reversed.contains(p.booking):
                data.bookings[p.booking] = Self.entry(p)
            case .paymentBooked(let p) where payments.contains(p.payment) && !reversed.contains(p.payment):
                data.payments[p.payment] = Self.entry(p)
            default:
                break
            }
        }
    }

    static func entry(_ h: DomainEvent.HoursBooked) -> BookingEntry {
        BookingEntry(id: h.booking, kind: .hours, kontrakt: h.kontrakt, sozialraum: nil, category: nil, date: h.date,
                     minutes: h.minutes, staff: h.staff)
    }

    static func entry(_ p: DomainEvent.PreventionBooked) -> BookingEntry {
        BookingEntry(id: p.booking, kind: .prevention, kontrakt: nil, sozialraum: p.sozialraum, category: p.category,
                     date: p.date, minutes: p.minutes, staff: nil)
    }

    static func entry(_ p: DomainEvent.PaymentBooked) -> PaymentEntry {
        PaymentEntry(id: p.payment, sozialraum: p.sozialraum, payee: p.payee, funding: p.funding, amountCents: p.amountCents,
                     date: p.date, kontrakt: p.kontrakt)
    }
}
