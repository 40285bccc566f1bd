import LedgerCore

/// Where the benchmark's events come from: valid events for a Jugendamt's ledger, in the order
/// they must be appended, handed out in batches so memory stays flat however many are asked for.
///
/// ``BenchEvents`` stands in until the full generator (LedgerGen) lands; anything that conforms
/// can replace it without touching the figures.
protocol EventSource {
    /// The next batch of at most `count` events; empty when the source is exhausted.
    mutating func next(_ count: Int) -> [NewEvent]
}

/// A small generator of realistic events: one ASD signer, an agreement per Träger, Kontrakte
/// spread over the Träger, then HoursBooked with unique booking ids and random idempotency keys
/// (stored values of about 480 bytes: 44-byte header and canonical JSON). Deterministic for a given total.
///
/// With `history`, every event carries its own `recordedAt` (imported as with
/// `import --preserve-recorded-at`): one event every ``History/stepSeconds`` seconds, the last one
/// just before ``History/end``; hours are dated up to four weeks before they are recorded. Without
/// it, the ledger stamps every event with the time of its append (as `doppelledger import` does),
/// so a whole run lies within a minute or two and as-of queries cut nothing.
struct BenchEvents: EventSource {
    static let ledgerOrg = "trier-saarburg"
    static let signer = "asd-0001"
    static let traegerCount = 12

    /// Events in all, setup included.
    let total: Int
    let kontraktCount: Int
    private(set) var produced = 0
    private var rng: SplitMix64
    private let setup: [NewEvent]
    private let firstDay: CalendarDate
    private let lastDay = CalendarDate(year: 2027, month: 12, day: 31)!
    /// Recorded history (nil: the ledger stamps each append with the time).
    let history: History?

    init(total: Int, seed: UInt64 = 0x5EED, history: Bool = false) {
        self.total = total
        kontraktCount = max(20, total / 400)
        rng = SplitMix64(seed: seed)
        let history = history ? History(total: total) : nil
        self.history = history
        firstDay = history?.firstServiceDay ?? CalendarDate(year: 2024, month: 1, day: 1)!
        let validFrom = JSON.string(firstDay.description)
        var setup: [NewEvent] = [NewEvent(type: "SignerAuthorized", key: "setup-signer", actor: "u-0001",
                                          data: Self.object(["signer": .string(Self.signer), "from": "2020-01-01"]))]
        for t in 0..<Self.traegerCount {
            setup.append(NewEvent(type: "AgreementSigned", key: "setup-agreement-\(t)", actor: "u-0001", data: Self.object([
                "agreement": .string("ag-\(Self.traeger(t))"), "traeger": .string(Self.traeger(t)),
                "sozialraum": .string(Self.sozialraum(t).rawValue), "validFrom": validFrom, "validTo": "2027-12-31",
                "stellenfaktorCents": 7_243_000, "jahresarbeitszeitMinutes": 100_200, "planstellenHundredths": 350,
            ])))
        }
        for k in 0..<kontraktCount {
            let t = k % Self.traegerCount
            setup.append(NewEvent(type: "KontraktSigned", key: "setup-kontrakt-\(k)", actor: "u-0001", data: Self.object([
                "kontrakt": .string(Self.kontrakt(k)), "fall": .string("fall-\(100_000 + k)"),
                "sozialraum": .string(Self.sozialraum(t).rawValue), "traeger": .string(Self.traeger(t)),
                "hilfeart": "31", "funding": "variabel", "grantedMinutes": 60_000,
                "validFrom": validFrom, "validTo": "2027-12-31", "signedBy": .string(Self.signer),
            ])))
        }
        self.setup = setup
    }

    static func traeger(_ t: Int) -> String { "tr-\(t < 10 ? "0" : "")\(t)" }
    static func sozialraum(_ t: Int) -> Sozialraum { Sozialraum.allCases[t % Sozialraum.allCases.count] }
    static func kontrakt(_ k: Int) -> String { "k-\(1_000_000 + k)" }

    mutating func next(_ count: Int) -> [NewEvent] {
        var out: [NewEvent] = []
        let n = min(count, total - produced)
        out.reserveCapacity(max(n, 0))
        while out.count < n {
            var event = produced < setup.count ? setup[produced] : hoursBooked(number: produced)
            event.recordedAt = history?.recordedAt(produced)
            out.append(event)
            produced += 1
        }
        return out
    }

    /// A HoursBooked with booking number `number` (unique per number) on a random Kontrakt.
    /// With a history, dated up to four weeks before the event `number` is recorded.
    mutating func hoursBooked(number: Int) -> NewEvent {
        let k = Int(rng.next() % UInt64(kontraktCount))
        let t = k % Self.traegerCount
        let draw = rng.next()
        let date: CalendarDate
        if let history {
            date = max(firstDay, history.recordedAt(number).date.advanced(by: -Int(draw % 28)))
        } else {
            date = firstDay.advanced(by: Int(draw % UInt64(firstDay.distance(to: lastDay) + 1)))
        }
        let minutes: Int64 = [45, 60, 60, 90, 90, 120][Int(rng.next() % 6)]
        let staff = 1_000 + t * 10 + Int(rng.next() % 8)
        return NewEvent(type: "HoursBooked", key: randomKey(), actor: "u-\(staff)", data: Self.object([
            "booking": .string("hb-\(10_000_000 + number)"), "kontrakt": .string(Self.kontrakt(k)),
            "date": .string(date.description), "minutes": .int(minutes), "staff": .string("st-\(staff)"),
        ]))
    }

    /// 24 random hex digits (96 bits): a client's idempotency key.
    private mutating func randomKey() -> String { Self.randomKey(&rng) }

    static func randomKey(_ rng: inout SplitMix64) -> String {
        let a = rng.next(), b = rng.next()
        var out: [UInt8] = []
        out.reserveCapacity(24)
        for i in 0..<16 { out.append(Hex.digits[Int(a >> (4 * UInt64(i)) & 0xF)]) }
        for i in 0..<8 { out.append(Hex.digits[Int(b >> (4 * UInt64(i)) & 0xF)]) }
        return String(decoding: out, as: UTF8.self)
    }
}

extension BenchEvents {
    static func object(_ json: JSON) -> JSONObject { json.object! }
}

/// A recorded history for generated events: one event every ``stepSeconds`` seconds, the last
/// one ``stepSeconds`` before ``end``. So a ledger's history grows with its size at a fixed pace,
/// and a quarter holds the same bookings in a small and a large ledger (the small one covers
/// fewer quarters); 1,000,000 events span about 2.9 years.
struct History {
    /// 1 October 2026, 00:00 UTC: the third quarter of 2026 is the last complete one.
    static let end = Timestamp(rfc3339: "2026-10-01T00:00:00Z")!
    static let stepSeconds: Int64 = 90
    /// The quarter that every history covers to its end (the reconciled quarter).
    static let lastQuarter = (year: 2026, quarter: 3)

    let total: Int

    /// When event `position` (0-based, in log order) was recorded.
    func recordedAt(_ position: Int) -> Timestamp {
        Timestamp(seconds: Self.end.seconds - Int64(total - position) * Self.stepSeconds)
    }

    var first: Timestamp { recordedAt(0) }
    var last: Timestamp { recordedAt(total - 1) }

    /// 1 January of the year the first hours may be dated (four weeks before the first record):
    /// Kontrakte and agreements run from it.
    var firstServiceDay: CalendarDate {
        CalendarDate(year: first.date.advanced(by: -28).year, month: 1, day: 1)!
    }
}
