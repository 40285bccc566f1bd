import LedgerCore
import LedgerGen

/// Generated data shared by the tests (generating takes a moment in a debug build).
enum Fixtures {
    /// 2025 with one discrepancy of every kind planted.
    static let planted = LandkreisGenerator.generate(GeneratorOptions(startYear: 2025, years: 1, seed: 42, plantDiscrepancies: true))
    /// 2025 from another seed.
    static let seed7 = LandkreisGenerator.generate(GeneratorOptions(startYear: 2025, years: 1, seed: 7))
    /// 2025, no discrepancies and nothing beyond a grant: both sides agree exactly.
    static let clean = LandkreisGenerator.generate(GeneratorOptions(startYear: 2025, years: 1, seed: 42, hoursBeyondGrant: false))
}

/// A generated event after ``DomainPolicy`` admitted it: its stream and warnings.
struct Admitted {
    let event: NewEvent
    let stream: String
    let warnings: [String]
}

/// Runs every event of `ledger` through ``DomainPolicy`` in order, as an append would; returns the
/// admitted events and the refusals (at most a few).
func admitAll(_ ledger: GeneratedLedger) -> (admitted: [Admitted], refusals: [String]) {
    let context = LedgerContext(name: ledger.name, jugendamt: ledger.jugendamt)
    let policy = DomainPolicy()
    let state = MemoryState()
    var admitted: [Admitted] = []
    var refusals: [String] = []
    for (i, e) in ledger.events.enumerated() {
        do {
            let a = try policy.admit(e, on: context, state: state)
            let record = Record(seq: UInt64(i + 1), recordedAt: e.recordedAt!, ledger: ledger.name.description, stream: a.stream,
                                streamSeq: 0, type: e.type, key: e.key, actor: e.actor, data: e.data, prev: .zero, streamPrev: .zero)
            try policy.apply(record, a, on: context, state: state)
            admitted.append(Admitted(event: e, stream: a.stream, warnings: a.warnings))
        } catch {
            refusals.append("\(ledger.name) event \(i + 1) \(e.type) \(e.key): \(error)")
            if refusals.count >= 5 { break }
        }
    }
    return (admitted, refusals)
}

extension NewEvent {
    func string(_ field: String) -> String? { data[field]?.string }
    func int(_ field: String) -> Int64? { data[field]?.int }
    func date(_ field: String) -> CalendarDate? { data[field]?.string.flatMap { CalendarDate($0) } }
}

extension CalendarDate {
    var monday: CalendarDate {
        let weekday = ((Int(daysSinceEpoch) + 3) % 7 + 7) % 7
        return advanced(by: -weekday)
    }
}

/// What one side holds about one Träger: the shared events by key, and the hours, bookings and
/// payments as a reconciliation counts them (reversed ones as absent).
struct SideView {
    var events: [String: NewEvent] = [:]
    var kontrakte: [String: NewEvent] = [:]
    var bookings: [String: NewEvent] = [:]
    var payments: [String: NewEvent] = [:]
    var reversed: Set<String> = []
    /// The grant after amendments.
    var grants: [String: Int64] = [:]
    /// Booked (not reversed) hours per Kontrakt, in date order.
    var hours: [String: [(date: CalendarDate, minutes: Int64)]] = [:]

    init(_ events: [NewEvent]) {
        for e in events {
            self.events[e.key] = e
            switch e.type {
            case "KontraktSigned": kontrakte[e.string("kontrakt")!] = e; grants[e.string("kontrakt")!] = e.int("grantedMinutes")!
            case "KontraktAmended": if let g = e.int("grantedMinutes") { grants[e.string("kontrakt")!] = g }
            case "HoursBooked": bookings[e.string("booking")!] = e
            case "PaymentBooked": payments[e.string("payment")!] = e
            case "BookingReversed": reversed.insert(e.string("booking")!)
            default: break
            }
        }
        for (id, b) in bookings where !reversed.contains(id) {
            hours[b.string("kontrakt")!, default: []].append((b.date("date")!, b.int("minutes")!))
        }
        for k in hours.keys { hours[k]!.sort { $0.date < $1.date } }
    }

    func booking(_ id: String) -> NewEvent? { reversed.contains(id) ? nil : bookings[id] }
    func payment(_ id: String) -> NewEvent? { reversed.contains(id) ? nil : payments[id] }

    /// Minutes booked on `kontrakt` with service dates in the quarter.
    func minutes(_ kontrakt: String, _ year: Int, _ quarter: Int) -> Int64 {
        (hours[kontrakt] ?? []).reduce(0) { $0 + ($1.date.year == year && $1.date.quarter == quarter ? $1.minutes : 0) }
    }

    /// Minutes booked on `kontrakt` with service dates up to `date`.
    func minutes(_ kontrakt: String, through date: CalendarDate) -> Int64 {
        (hours[kontrakt] ?? []).reduce(0) { $0 + ($1.date <= date ? $1.minutes : 0) }
    }
}

/// For each Träger: the Jugendamt's events about it (its stream `traeger:<id>`) and the Träger's
/// events about the Jugendamt (its stream `jugendamt:<org>`, without the tariff steps and quarter
/// ends, which the Jugendamt records once for everyone), as ``DomainPolicy`` routes them.
func sideViews(_ landkreis: GeneratedLandkreis) -> [String: (jugendamt: SideView, traeger: SideView)] {
    let ja = admitAll(landkreis.jugendamt).admitted
    var out: [String: (jugendamt: SideView, traeger: SideView)] = [:]
    for ledger in landkreis.traeger {
        let t = ledger.name.org
        let tr = admitAll(ledger).admitted
            .filter { $0.stream == "jugendamt:\(landkreis.options.jugendamt)" && !["TariffAdjusted", "QuarterClosed"].contains($0.event.type) }
        out[t] = (SideView(ja.filter { $0.stream == "traeger:\(t)" }.map(\.event)), SideView(tr.map(\.event)))
    }
    return out
}

let farFuture = CalendarDate(year: 9999, month: 12, day: 31)!
